// Errors of SteerTasks: bad windows, unreadable or inconsistent template files, mismatched vectors.

/// Why a task construction, template load or baseline evaluation was refused.
///
/// A public struct wrapping a private enum (the swift-nio pattern): match on ``code``, show
/// ``description``, which names the offending value.
public struct TasksError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The kind of failure, stable for matching.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        fileprivate let name: String
        public var description: String { name }

        /// A window, count or similar setting is out of range.
        public static let invalidSetting = Code(name: "invalidSetting")
        /// The template file could not be found or read.
        public static let unreadableTemplates = Code(name: "unreadableTemplates")
        /// The template file is malformed or breaks a rule (one `{genre}` slot, disjoint pools).
        public static let invalidTemplates = Code(name: "invalidTemplates")
        /// Vector arrays disagree with the tasks, users or dimension.
        public static let shapeMismatch = Code(name: "shapeMismatch")
    }

    private enum Base: Equatable, Sendable {
        case invalidSetting(String)
        case unreadableTemplates(String)
        case invalidTemplates(String)
        case shapeMismatch(String)
    }

    private let base: Base
    private init(_ base: Base) { self.base = base }

    /// The kind of failure.
    public var code: Code {
        switch base {
        case .invalidSetting: .invalidSetting
        case .unreadableTemplates: .unreadableTemplates
        case .invalidTemplates: .invalidTemplates
        case .shapeMismatch: .shapeMismatch
        }
    }

    public var description: String {
        switch base {
        case .invalidSetting(let what): what
        case .unreadableTemplates(let what): "cannot read the prompt templates: \(what)"
        case .invalidTemplates(let what): "invalid prompt templates: \(what)"
        case .shapeMismatch(let what): "shape mismatch: \(what)"
        }
    }

    static func invalidSetting(_ what: String) -> Self { .init(.invalidSetting(what)) }
    static func unreadableTemplates(_ what: String) -> Self { .init(.unreadableTemplates(what)) }
    static func invalidTemplates(_ what: String) -> Self { .init(.invalidTemplates(what)) }
    static func shapeMismatch(_ what: String) -> Self { .init(.shapeMismatch(what)) }
}
