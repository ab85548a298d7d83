// Errors of SteerEvaluation: inconsistent shapes, bad ids and invalid settings.

/// Why an evaluation was refused.
///
/// A public struct wrapping a private enum (the swift-nio pattern): match on ``code``, show
/// ``description``, which names the offending user, item or size.
public struct EvaluationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The kind of failure, stable for matching.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        fileprivate let name: String
        public var description: String { name }

        /// Array sizes disagree with the declared counts and dimension.
        public static let shapeMismatch = Code(name: "shapeMismatch")
        /// An item id is negative or not below the item count.
        public static let unknownItem = Code(name: "unknownItem")
        /// A user has no targets.
        public static let noTargets = Code(name: "noTargets")
        /// A vector or bias holds NaN or an infinity.
        public static let nonFinite = Code(name: "nonFinite")
        /// Cutoffs, chunk sizes or similar settings are out of range.
        public static let invalidSetting = Code(name: "invalidSetting")
    }

    private enum Base: Equatable, Sendable {
        case shapeMismatch(String)
        case unknownItem(id: Int32, user: Int, what: String, itemCount: Int)
        case noTargets(user: Int)
        case nonFinite(String)
        case invalidSetting(String)
    }

    private let base: Base
    private init(_ base: Base) { self.base = base }

    /// The kind of failure.
    public var code: Code {
        switch base {
        case .shapeMismatch: .shapeMismatch
        case .unknownItem: .unknownItem
        case .noTargets: .noTargets
        case .nonFinite: .nonFinite
        case .invalidSetting: .invalidSetting
        }
    }

    public var description: String {
        switch base {
        case .shapeMismatch(let what): "shape mismatch: \(what)"
        case let .unknownItem(id, user, what, itemCount):
            "user \(user): \(what) item id \(id) is not in 0..<\(itemCount)"
        case .noTargets(let user): "user \(user) has no targets (remove such users before evaluating)"
        case .nonFinite(let what): "\(what) holds NaN or an infinity"
        case .invalidSetting(let what): what
        }
    }

    static func shapeMismatch(_ what: String) -> Self { .init(.shapeMismatch(what)) }
    static func unknownItem(_ id: Int32, user: Int, what: String, itemCount: Int) -> Self {
        .init(.unknownItem(id: id, user: user, what: what, itemCount: itemCount))
    }
    static func noTargets(user: Int) -> Self { .init(.noTargets(user: user)) }
    static func nonFinite(_ what: String) -> Self { .init(.nonFinite(what)) }
    static func invalidSetting(_ what: String) -> Self { .init(.invalidSetting(what)) }
}
