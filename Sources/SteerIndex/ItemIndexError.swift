// Errors of SteerIndex: invalid index contents and invalid retrieval requests.

/// Why an ``ItemIndex`` could not be built or loaded, or a retrieval request was refused.
///
/// A public struct wrapping a private enum (the swift-nio pattern); match on ``code``, show
/// ``description`` (it names the offending item, category, query or size).
public struct ItemIndexError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The kind of failure, stable for matching.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        fileprivate let name: String
        public var description: String { name }

        /// Counts or shapes disagree (embeddings vs. items × dimension, names vs. categories, …).
        public static let shapeMismatch = Code(name: "shapeMismatch")
        /// An embedding or query value is NaN or infinite.
        public static let nonFinite = Code(name: "nonFinite")
        /// A category id is not below the index's category count.
        public static let unknownCategory = Code(name: "unknownCategory")
        /// An item id is not below the index's item count.
        public static let unknownItem = Code(name: "unknownItem")
        /// A query vector's length is not the index's dimension.
        public static let dimensionMismatch = Code(name: "dimensionMismatch")
        /// A query is finite but so large that its scores could overflow Float.
        public static let outOfRange = Code(name: "outOfRange")
        /// `k` is zero or above ``ItemIndex/maxK``.
        public static let invalidK = Code(name: "invalidK")
        /// A configured bound (items, dimension, categories) is exceeded.
        public static let limitExceeded = Code(name: "limitExceeded")
        /// The snapshot is not a valid item index (wrong kind, bad meta, bad section sizes).
        public static let invalidSnapshot = Code(name: "invalidSnapshot")
    }

    private enum Base: Equatable, Sendable {
        case shapeMismatch(String)
        case nonFinite(String)
        case outOfRange(String)
        case unknownCategory(id: UInt32, count: Int, context: String)
        case unknownItem(id: UInt32, count: Int, context: String)
        case dimensionMismatch(query: Int, got: Int, expected: Int)
        case invalidK(Int, max: Int)
        case limitExceeded(String)
        case invalidSnapshot(String)
    }

    private let base: Base
    private init(_ base: Base) { self.base = base }

    public var code: Code {
        switch base {
        case .shapeMismatch: .shapeMismatch
        case .nonFinite: .nonFinite
        case .outOfRange: .outOfRange
        case .unknownCategory: .unknownCategory
        case .unknownItem: .unknownItem
        case .dimensionMismatch: .dimensionMismatch
        case .invalidK: .invalidK
        case .limitExceeded: .limitExceeded
        case .invalidSnapshot: .invalidSnapshot
        }
    }

    public var description: String {
        switch base {
        case .shapeMismatch(let s): "item index shape mismatch: \(s)"
        case .nonFinite(let s): "non-finite value: \(s)"
        case .outOfRange(let s): "input out of range: \(s)"
        case .unknownCategory(let id, let count, let context):
            "unknown category id \(id) in \(context) (the index has \(count) categories, ids 0..<\(count))"
        case .unknownItem(let id, let count, let context):
            "unknown item id \(id) in \(context) (the index has \(count) items, ids 0..<\(count))"
        case .dimensionMismatch(let query, let got, let expected):
            "query \(query) has a vector of length \(got), the index dimension is \(expected)"
        case .invalidK(let k, let max): "k must be in 1...\(max), got \(k)"
        case .limitExceeded(let s): "item index limit exceeded: \(s)"
        case .invalidSnapshot(let s): "invalid item-index snapshot: \(s)"
        }
    }

    static func shapeMismatch(_ s: String) -> Self { .init(.shapeMismatch(s)) }
    static func nonFinite(_ s: String) -> Self { .init(.nonFinite(s)) }
    static func outOfRange(_ s: String) -> Self { .init(.outOfRange(s)) }
    static func unknownCategory(_ id: UInt32, count: Int, context: String) -> Self {
        .init(.unknownCategory(id: id, count: count, context: context))
    }
    static func unknownItem(_ id: UInt32, count: Int, context: String) -> Self {
        .init(.unknownItem(id: id, count: count, context: context))
    }
    static func dimensionMismatch(query: Int, got: Int, expected: Int) -> Self {
        .init(.dimensionMismatch(query: query, got: got, expected: expected))
    }
    static func invalidK(_ k: Int, max: Int) -> Self { .init(.invalidK(k, max: max)) }
    static func limitExceeded(_ s: String) -> Self { .init(.limitExceeded(s)) }
    static func invalidSnapshot(_ s: String) -> Self { .init(.invalidSnapshot(s)) }
}
