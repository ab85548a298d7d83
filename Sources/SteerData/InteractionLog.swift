// Raw interactions as read from a file: interned user and item tokens, times, ratings.

/// The interactions of a file in file order, with tokens interned to ids in order of first
/// appearance (the order ``SequenceDataset`` keeps).
///
/// It is the common output of the RecBole `.inter` reader and the MovieLens `ratings.dat`
/// reader, and the input of ``SequenceDataset/init(log:catalog:)``.
public struct InteractionLog: Sendable {
    /// User tokens; `userTokens[u]` is the token of log user id `u`.
    public private(set) var userTokens: [String] = []
    /// Item tokens; `itemTokens[i]` is the token of log item id `i`.
    public private(set) var itemTokens: [String] = []
    /// The user id of each interaction, in file order.
    public private(set) var users: [Int32] = []
    /// The item id of each interaction, in file order.
    public private(set) var items: [Int32] = []
    /// The timestamp of each interaction.
    public private(set) var timestamps: [Double] = []
    /// The rating of each interaction, NaN when the file has none.
    public private(set) var ratings: [Float] = []
    /// What the reader kept and skipped.
    public internal(set) var report: ReadReport

    private var userIndex: [String: Int32] = [:]
    private var itemIndex: [String: Int32] = [:]

    /// The number of interactions.
    public var count: Int { users.count }

    /// An empty log; `file` names its source in reports.
    public init(file: String) { report = ReadReport(file: file) }

    /// Appends one interaction, interning its tokens.
    public mutating func append(user: String, item: String, timestamp: Double, rating: Float = .nan) {
        users.append(Self.intern(user, &userIndex, &userTokens))
        items.append(Self.intern(item, &itemIndex, &itemTokens))
        timestamps.append(timestamp)
        ratings.append(rating)
    }

    mutating func reserveCapacity(_ n: Int) {
        users.reserveCapacity(n)
        items.reserveCapacity(n)
        timestamps.reserveCapacity(n)
        ratings.reserveCapacity(n)
    }

    private static func intern(_ token: String, _ index: inout [String: Int32], _ tokens: inout [String]) -> Int32 {
        if let id = index[token] { return id }
        let id = Int32(tokens.count)
        index[token] = id
        tokens.append(token)
        return id
    }

    /// Reads a RecBole `.inter` file: fields `user_id`, `item_id` and `timestamp` are required,
    /// `rating` is optional.
    /// - Throws: ``DataError`` for an unreadable file, a bad header, a missing field, or
    ///   (strict mode) a malformed row, an empty id or an empty or non-finite timestamp.
    public static func readAtomic(path: String, options: ReadOptions = .strict) throws -> InteractionLog {
        try InteractionLog(table: AtomicTable.read(path: path, options: options), options: options)
    }

    /// The interactions of a parsed `.inter` table (see ``readAtomic(path:options:)``).
    public init(table: AtomicTable, options: ReadOptions = .strict) throws {
        self.init(file: table.file)
        report = table.report
        let user = try table.requireColumn("user_id")
        let item = try table.requireColumn("item_id")
        let time = try table.requireColumn("timestamp")
        let rating = table.column(named: "rating")
        reserveCapacity(table.rowCount)
        for row in 0..<table.rowCount {
            let line = table.line(ofRow: row)
            let problem: DataError?
            let timestamp = table.double(row: row, column: time)
            if table.isEmpty(row: row, column: user) {
                problem = .emptyValue(field: "user_id", file: table.file, line: line)
            } else if table.isEmpty(row: row, column: item) {
                problem = .emptyValue(field: "item_id", file: table.file, line: line)
            } else if table.isEmpty(row: row, column: time) {
                problem = .emptyValue(field: "timestamp", file: table.file, line: line)
            } else if !(timestamp?.isFinite ?? false) {
                // Sorting by a NaN timestamp would be meaningless, so it is a bad row.
                problem = .notANumber(field: "timestamp", text: table.string(row: row, column: time), file: table.file, line: line)
            } else {
                problem = nil
            }
            if let problem {
                try report.record(problem, options: options)
                report.rowsKept -= 1
                continue
            }
            append(
                user: table.string(row: row, column: user), item: table.string(row: row, column: item),
                timestamp: timestamp!, rating: rating.flatMap { table.double(row: row, column: $0) }.map(Float.init) ?? .nan)
        }
    }
}
