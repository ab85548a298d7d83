// A set of item ids as a bitset: candidate restrictions such as "only Comedy items".

/// A set of item ids in `0..<itemCount`, one bit per item.
///
/// Used to restrict a ranking's candidates (the Filter baselines: items of a genre, or items
/// without it). Share one bitset between the users with the same restriction: it is a value
/// type with copy-on-write storage.
public struct ItemBitset: Sendable, Equatable, Hashable {
    private var words: [UInt64]
    /// The size of the id space.
    public let itemCount: Int

    /// An empty set over `0..<itemCount`.
    public init(itemCount: Int) {
        self.itemCount = itemCount
        words = [UInt64](repeating: 0, count: (itemCount + 63) / 64)
    }

    /// The set of `items` over `0..<itemCount` (ids outside the range are ignored).
    public init<S: Sequence>(itemCount: Int, items: S) where S.Element == Int32 {
        self.init(itemCount: itemCount)
        for item in items where item >= 0 && Int(item) < itemCount { insert(item) }
    }

    /// The set of items `i` in `0..<itemCount` with `predicate(i)`.
    public init(itemCount: Int, where predicate: (Int) -> Bool) {
        self.init(itemCount: itemCount)
        for item in 0..<itemCount where predicate(item) { insert(Int32(item)) }
    }

    /// Adds `item` (which must be in `0..<itemCount`).
    public mutating func insert(_ item: Int32) { words[Int(item) >> 6] |= 1 << UInt64(item & 63) }

    /// Whether `item` is in the set.
    @inline(__always) public func contains(_ item: Int32) -> Bool {
        words[Int(item) >> 6] & (1 << UInt64(item & 63)) != 0
    }

    /// The complement over `0..<itemCount`.
    public var complement: ItemBitset {
        var result = ItemBitset(itemCount: itemCount)
        for item in 0..<itemCount where !contains(Int32(item)) { result.insert(Int32(item)) }
        return result
    }

    /// The number of items in the set.
    public var count: Int { words.reduce(0) { $0 + $1.nonzeroBitCount } }
}
