// Errors of SteerIndex: invalid index contents and invalid retrieval requests.
import SteerErrors

/// Marks the errors of SteerIndex.
public enum ItemIndexErrorDomain: ErrorDomain {}

/// Why an ``ItemIndex`` could not be built or loaded, or a retrieval request was refused; the
/// description names the offending item, category, query or size.
public typealias ItemIndexError = ModuleError<ItemIndexErrorDomain>

extension ItemIndexError.Code where Domain == ItemIndexErrorDomain {
    /// Counts or shapes disagree (embeddings vs. items × dimension, names vs. categories, …).
    public static var shapeMismatch: Self { Self("shapeMismatch") }
    /// An embedding or query value is NaN or infinite.
    public static var nonFinite: Self { Self("nonFinite") }
    /// A category id is not below the index's category count.
    public static var unknownCategory: Self { Self("unknownCategory") }
    /// An item id is not below the index's item count.
    public static var unknownItem: Self { Self("unknownItem") }
    /// A query vector's length is not the index's dimension.
    public static var dimensionMismatch: Self { Self("dimensionMismatch") }
    /// A query is finite but so large that its scores could overflow Float.
    public static var outOfRange: Self { Self("outOfRange") }
    /// `k` is zero or above ``ItemIndex/maxK``.
    public static var invalidK: Self { Self("invalidK") }
    /// A configured bound (items, dimension, categories) is exceeded.
    public static var limitExceeded: Self { Self("limitExceeded") }
    /// The snapshot is not a valid item index (wrong kind, bad meta, bad section sizes).
    public static var invalidSnapshot: Self { Self("invalidSnapshot") }
}

extension ItemIndexError where Domain == ItemIndexErrorDomain {
    static func shapeMismatch(_ s: String) -> Self { .init(.shapeMismatch, "item index shape mismatch: \(s)") }
    static func nonFinite(_ s: String) -> Self { .init(.nonFinite, "non-finite value: \(s)") }
    static func outOfRange(_ s: String) -> Self { .init(.outOfRange, "input out of range: \(s)") }
    static func unknownCategory(_ id: UInt32, count: Int, context: String) -> Self {
        .init(.unknownCategory, "unknown category id \(id) in \(context) (the index has \(count) categories, ids 0..<\(count))")
    }
    static func unknownItem(_ id: UInt32, count: Int, context: String) -> Self {
        .init(.unknownItem, "unknown item id \(id) in \(context) (the index has \(count) items, ids 0..<\(count))")
    }
    static func dimensionMismatch(query: Int, got: Int, expected: Int) -> Self {
        .init(.dimensionMismatch, "query \(query) has a vector of length \(got), the index dimension is \(expected)")
    }
    static func invalidK(_ k: Int, max: Int) -> Self { .init(.invalidK, "k must be in 1...\(max), got \(k)") }
    static func limitExceeded(_ s: String) -> Self { .init(.limitExceeded, "item index limit exceeded: \(s)") }
    static func invalidSnapshot(_ s: String) -> Self { .init(.invalidSnapshot, "invalid item-index snapshot: \(s)") }
}
