// Errors of SteerIndex: invalid index contents and invalid retrieval requests.
import SteerErrors

/// The errors of SteerIndex and their codes.
public enum ItemIndexErrorDomain: ErrorDomain {
    /// The kinds of failure, stable for matching:
    /// - `shapeMismatch`: Counts or shapes disagree (embeddings vs. items × dimension, names vs.
    ///   categories, …).
    /// - `nonFinite`: An embedding or query value is NaN or infinite.
    /// - `unknownCategory`: A category id is not below the index's category count.
    /// - `unknownItem`: An item id is not below the index's item count.
    /// - `dimensionMismatch`: A query vector's length is not the index's dimension.
    /// - `outOfRange`: A query is finite but so large that its scores could overflow Float.
    /// - `invalidK`: `k` is zero or above ``ItemIndex/maxK``.
    /// - `limitExceeded`: A configured bound (items, dimension, categories) is exceeded.
    /// - `invalidSnapshot`: The snapshot is not a valid item index (wrong kind, bad meta, bad section
    ///   sizes).
    public enum Code: String, ErrorCode {
        case shapeMismatch, nonFinite, unknownCategory, unknownItem, dimensionMismatch, outOfRange, invalidK,
            limitExceeded, invalidSnapshot
    }
}

/// Why an ``ItemIndex`` could not be built or loaded, or a retrieval request was refused; the
/// description names the offending item, category, query or size.
public typealias ItemIndexError = ModuleError<ItemIndexErrorDomain>

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
