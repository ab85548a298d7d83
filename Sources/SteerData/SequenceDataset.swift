// The dataset the models see: dense ids, per-user chronological sequences, item metadata.

/// How interactions with close timestamps are ordered.
public enum TimeOrder: String, Sendable, CaseIterable {
    /// By the timestamps as read (Double), equal ones in file order.
    case exact
    /// RecBole 1.2.1's order when it normalises float fields (`normalize_all: True`, which its
    /// own ml-100k.yaml sets): it sorts on (t − min) / (max − min) over the whole file, held in
    /// float32, equal keys in file order. Over ML-100k's 7-month span a float32 step near 1 is
    /// about a second, so interactions a second apart can tie and keep their file order (3 of
    /// RecBole's first 100 ML-100k test users see another history than the exact order gives).
    case recbole
}

/// Users' interaction sequences over dense ids, with item titles and categories.
///
/// **Id order.** Users and items get dense ids `0..<userCount` and `0..<itemCount` in order of
/// first appearance in the interaction file (RecBole's order, without its `[PAD]` at 0).
/// Filtering (``kCore(_:)``, ``DatasetSplit``) keeps the relative order of the surviving ids.
/// Only items that occur in some interaction get an id: catalog entries never interacted with
/// are not items of the dataset.
///
/// **Sequence order.** Each user's interactions are sorted by timestamp; equal timestamps keep
/// their file order (the sort is stable), so the result does not depend on the sort algorithm.
/// ``TimeOrder/recbole`` compares them as RecBole does for ML-100k.
///
/// **Categories.** Category names are those of the dataset's items, sorted (`Action`,
/// `Adventure`, `Animation`, `Children's`, …), with ids `0..<categoryCount` in that order;
/// each item's category ids are sorted ascending.
public struct SequenceDataset: Sendable {
    /// `userTokens[u]` is the external token of user `u`.
    public let userTokens: [String]
    /// `itemTokens[i]` is the external token of item `i`.
    public let itemTokens: [String]
    /// `sequences[u]` is user `u`'s items in chronological order.
    public let sequences: [[Int32]]
    /// `timestamps[u][t]` is the time of `sequences[u][t]`.
    public let timestamps: [[Double]]
    /// `itemTitles[i]` is item `i`'s title (its token when the catalog has none).
    public let itemTitles: [String]
    /// Sorted category names; category `c` is `categoryNames[c]`.
    public let categoryNames: [String]
    /// `itemCategories[i]` is item `i`'s category ids, ascending (empty when unknown).
    public let itemCategories: [[Int32]]

    private let userIndex: [String: Int32]
    private let itemIndex: [String: Int32]

    /// The number of users.
    public var userCount: Int { userTokens.count }
    /// The number of items.
    public var itemCount: Int { itemTokens.count }
    /// The number of categories.
    public var categoryCount: Int { categoryNames.count }
    /// The number of interactions.
    public var interactionCount: Int { sequences.reduce(0) { $0 + $1.count } }

    /// The dense id of the user with token `token`, if any.
    public func userID(_ token: String) -> Int? { userIndex[token].map(Int.init) }
    /// The dense id of the item with token `token`, if any.
    public func itemID(_ token: String) -> Int? { itemIndex[token].map(Int.init) }

    /// Builds the dataset of `log`, with titles and categories from `catalog` when given.
    /// - Complexity: O(n log n) for n interactions (the per-user sorts).
    public init(log: InteractionLog, catalog: ItemCatalog? = nil, timeOrder: TimeOrder = .exact) {
        var byUser = [[Int32]](repeating: [], count: log.userTokens.count)
        let keys = timeOrder == .exact ? log.timestamps : Self.recboleKeys(log.timestamps)
        for (index, user) in log.users.enumerated() { byUser[Int(user)].append(Int32(index)) }
        var sequences: [[Int32]] = []
        var timestamps: [[Double]] = []
        sequences.reserveCapacity(byUser.count)
        for rows in byUser {
            // Sorting on (time, file position) is stable by construction.
            let sorted = rows.sorted { a, b in
                let (ta, tb) = (keys[Int(a)], keys[Int(b)])
                return ta != tb ? ta < tb : a < b
            }
            sequences.append(sorted.map { log.items[Int($0)] })
            timestamps.append(sorted.map { log.timestamps[Int($0)] })
        }
        let entries = log.itemTokens.map { catalog?[$0] }
        self.init(
            userTokens: log.userTokens, itemTokens: log.itemTokens, sequences: sequences, timestamps: timestamps,
            itemTitles: zip(log.itemTokens, entries).map { $1?.title ?? $0 },
            itemCategoryNames: entries.map { $0?.categories ?? [] })
    }

    /// RecBole's sort keys (``TimeOrder/recbole``): min-max normalised in Double, as numpy
    /// computes them, then rounded to float32, as RecBole stores float fields.
    static func recboleKeys(_ times: [Double]) -> [Double] {
        guard let low = times.min(), let high = times.max(), high > low else { return times.map { _ in 1 } }
        return times.map { Double(Float(($0 - low) / (high - low))) }
    }

    /// The designated initializer: derives category ids and token indexes.
    init(
        userTokens: [String], itemTokens: [String], sequences: [[Int32]], timestamps: [[Double]],
        itemTitles: [String], itemCategoryNames: [[String]]
    ) {
        self.userTokens = userTokens
        self.itemTokens = itemTokens
        self.sequences = sequences
        self.timestamps = timestamps
        self.itemTitles = itemTitles
        let names = Set(itemCategoryNames.joined()).sorted()
        let ids = Dictionary(uniqueKeysWithValues: names.enumerated().map { ($1, Int32($0)) })
        categoryNames = names
        itemCategories = itemCategoryNames.map { $0.map { ids[$0]! }.sorted() }
        userIndex = Dictionary(uniqueKeysWithValues: userTokens.enumerated().map { ($1, Int32($0)) })
        itemIndex = Dictionary(uniqueKeysWithValues: itemTokens.enumerated().map { ($1, Int32($0)) })
    }

    /// The item names of category ids, for display.
    public func categoryNames(ofItem item: Int) -> [String] { itemCategories[item].map { categoryNames[Int($0)] } }

    /// A dataset holding, for each user `u` with `keep[u]` and a non-empty `sequences[u]`, the
    /// given sequence (old item ids) and times; items are those still occurring. Surviving
    /// users and items keep their relative id order.
    func rebuilt(keepUser keep: [Bool], sequences oldSequences: [[Int32]], timestamps oldTimes: [[Double]]) -> SequenceDataset {
        var itemUsed = [Bool](repeating: false, count: itemCount)
        for user in 0..<userCount where keep[user] { for item in oldSequences[user] { itemUsed[Int(item)] = true } }
        var newItem = [Int32](repeating: -1, count: itemCount)
        var next: Int32 = 0
        for item in 0..<itemCount where itemUsed[item] {
            newItem[item] = next
            next += 1
        }
        let users = (0..<userCount).filter { keep[$0] && !oldSequences[$0].isEmpty }
        let items = (0..<itemCount).filter { itemUsed[$0] }
        return SequenceDataset(
            userTokens: users.map { userTokens[$0] }, itemTokens: items.map { itemTokens[$0] },
            sequences: users.map { oldSequences[$0].map { newItem[Int($0)] } }, timestamps: users.map { oldTimes[$0] },
            itemTitles: items.map { itemTitles[$0] }, itemCategoryNames: items.map { categoryNames(ofItem: $0) })
    }
}
