// The items a Steer checkpoint ranks, and how another system's item rows map onto them by token.

/// Steer's items for one dataset and split: ids `0..<count` with their raw tokens, titles and
/// categories (what a checkpoint's item sections hold).
public struct ItemVocabulary: Sendable, Equatable {
    public var tokens: [String]
    public var titles: [String]
    public var categoryNames: [String]
    /// Category ids (into ``categoryNames``) of each item.
    public var itemCategories: [[Int32]]

    public init(tokens: [String], titles: [String]? = nil, categoryNames: [String] = [], itemCategories: [[Int32]]? = nil) {
        self.tokens = tokens
        self.titles = titles ?? tokens
        self.categoryNames = categoryNames
        self.itemCategories = itemCategories ?? Array(repeating: [], count: tokens.count)
    }

    public var count: Int { tokens.count }
}

/// Which row of a foreign item table each Steer item takes: matched by raw token, never by
/// position, because two systems number the same dataset's items differently.
public struct TokenMapping: Sendable, Equatable {
    /// `rows[i]` is the foreign row of Steer item `i`.
    public let rows: [Int]
    /// Foreign tokens with no Steer item that the caller allowed to drop (items the split removed).
    public let dropped: [String]

    /// - Parameters:
    ///   - foreign: the other system's tokens by its row; `skipping` rows (RecBole's `[PAD]`) are not items.
    ///   - steer: Steer's tokens by id.
    ///   - droppable: foreign tokens that may lack a Steer item; any other one is an error.
    /// - Throws: ``InteropError`` `unknownToken` for a foreign token Steer does not know (naming
    ///   it and how many more), `missingItem` for a Steer item the foreign table lacks.
    public init(foreign: [String], skipping: Set<Int> = [], steer: [String], droppable: Set<String> = [], file: String) throws {
        var row: [String: Int] = [:]
        for (index, token) in foreign.enumerated() where !skipping.contains(index) { row[token] = index }
        let known = Set(steer)
        var dropped: [String] = []
        var unknown: [String] = []
        for (index, token) in foreign.enumerated() where !skipping.contains(index) && !known.contains(token) {
            if droppable.contains(token) { dropped.append(token) } else { unknown.append(token) }
        }
        if let first = unknown.first {
            let more = unknown.count > 1 ? " (and \(unknown.count - 1) more)" : ""
            throw InteropError(.unknownToken, "item token \"\(first)\"\(more) of the model is not an item of the target dataset: is it the dataset the model was trained on?",
                               file: file)
        }
        var rows: [Int] = []
        rows.reserveCapacity(steer.count)
        for (id, token) in steer.enumerated() {
            guard let r = row[token] else {
                throw InteropError(.missingItem, "Steer item \"\(token)\" (id \(id)) has no row in the model's item table", file: file)
            }
            rows.append(r)
        }
        self.rows = rows
        self.dropped = dropped
    }

    /// `table` ([foreign rows, width], row-major) reordered to Steer's ids.
    public func reorder(_ table: [Float], width: Int) -> [Float] {
        var out = [Float](repeating: 0, count: rows.count * width)
        for (id, r) in rows.enumerated() {
            for j in 0..<width { out[id * width + j] = table[r * width + j] }
        }
        return out
    }
}
