// A parsed RecBole atomic file (.inter, .item, .user): typed header plus rows of cells.

/// The rows of a RecBole atomic file, with cells read by field name.
///
/// RecBole's atomic format is a tab-separated file whose first line declares each field as
/// `name:type` (`user_id:token	item_id:token	rating:float	timestamp:float`). Lines may end
/// in LF or CRLF, a UTF-8 byte-order mark is ignored, and blank lines are skipped. The table
/// keeps the file's bytes and each cell's byte range, so cells become Strings only when asked.
///
/// Validation at read time: every row has exactly one cell per field, and every non-empty
/// cell of a `float`/`float_seq` field parses as numbers. Rows failing it throw (strict) or
/// are skipped and counted in ``report`` (lenient).
public struct AtomicTable: Sendable {
    /// The file's last path component (or the name given to ``parse(_:file:options:)``).
    public let file: String
    /// The header's fields, in column order.
    public let fields: [AtomicField]
    /// What the read kept and skipped.
    public let report: ReadReport

    private let bytes: [UInt8]
    private let cells: [ByteRange]  // rowCount × fields.count, row-major
    private let lines: [Int32]  // the 1-based line of each kept row

    /// The number of data rows kept.
    public var rowCount: Int { lines.count }

    /// Reads the atomic file at `path`.
    /// - Throws: ``DataError`` when the file is unreadable, empty, has no valid header, or
    ///   (strict mode) has a malformed row.
    public static func read(path: String, options: ReadOptions = .strict) throws -> AtomicTable {
        try parse(ByteText.readFile(path), file: ByteText.fileName(path), options: options)
    }

    /// Parses the contents of an atomic file; `file` names it in errors.
    /// - Throws: as ``read(path:options:)``.
    public static func parse(_ bytes: [UInt8], file: String, options: ReadOptions = .strict) throws -> AtomicTable {
        var fields: [AtomicField]?
        var cells: [ByteRange] = []
        var lines: [Int32] = []
        var report = ReadReport(file: file)
        var row: [ByteRange] = []
        var floatColumns: [Int] = []  // checked per row without touching the fields' Strings
        var hasFloatSequence = false
        let tab: [UInt8] = [0x09]
        try bytes.withUnsafeBufferPointer { buffer in
            try ByteText.forEachLine(buffer) { lineNumber, line in
                ByteText.splitFields(buffer, line, separator: tab, into: &row)
                guard let header = fields else {
                    fields = try AtomicField.parseHeader(row.map { ByteText.utf8(buffer, $0) }, file: file)
                    floatColumns = fields!.indices.filter { fields![$0].type == .float }
                    hasFloatSequence = fields!.contains { $0.type == .floatSequence }
                    cells.reserveCapacity(fields!.count * (buffer.count / 32))
                    return
                }
                if !hasFloatSequence, row.count == header.count,
                    floatColumns.allSatisfy({ row[$0].isEmpty || ByteText.number(buffer, row[$0]) != nil }) {
                    cells.append(contentsOf: row)  // the common, valid row: no further checks
                    lines.append(Int32(lineNumber))
                    return
                }
                if let problem = validate(row, header, buffer, file: file, line: lineNumber) {
                    try report.record(problem, options: options)
                    return
                }
                cells.append(contentsOf: row)
                lines.append(Int32(lineNumber))
            }
        }
        guard let fields else { throw DataError.emptyFile(file: file) }
        report.rowsKept = lines.count
        return AtomicTable(file: file, fields: fields, report: report, bytes: bytes, cells: cells, lines: lines)
    }

    private static func validate(
        _ row: [ByteRange], _ fields: [AtomicField], _ buffer: UnsafeBufferPointer<UInt8>, file: String, line: Int
    ) -> DataError? {
        guard row.count == fields.count else {
            return .columnCount(expected: fields.count, found: row.count, file: file, line: line)
        }
        for (cell, field) in zip(row, fields) where field.type.isNumeric && !cell.isEmpty {
            if field.type == .float {
                if ByteText.number(buffer, cell) == nil {
                    return .notANumber(field: field.name, text: ByteText.utf8(buffer, cell), file: file, line: line)
                }
            } else {
                let text = ByteText.utf8(buffer, cell)
                for part in text.split(separator: " ") where Double(part) == nil {
                    return .notANumber(field: field.name, text: text, file: file, line: line)
                }
            }
        }
        return nil
    }

    /// The column index of the field named `name`, or nil.
    public func column(named name: String) -> Int? { fields.firstIndex { $0.name == name } }

    /// The column index of the field named `name`.
    /// - Throws: ``DataError`` (missing field) listing the fields present.
    public func requireColumn(_ name: String) throws -> Int {
        guard let index = column(named: name) else {
            throw DataError.missingField(name, available: fields.map(\.name), file: file)
        }
        return index
    }

    /// The 1-based line of row `row` in the file (for error messages).
    public func line(ofRow row: Int) -> Int { Int(lines[row]) }

    /// The raw text of a cell, decoded as UTF-8.
    public func string(row: Int, column: Int) -> String {
        bytes.withUnsafeBufferPointer { ByteText.utf8($0, cells[row * fields.count + column]) }
    }

    /// Whether a cell is empty.
    public func isEmpty(row: Int, column: Int) -> Bool { cells[row * fields.count + column].isEmpty }

    /// The number in a cell, or nil when the cell is empty or (for a non-float column) not a number.
    public func double(row: Int, column: Int) -> Double? {
        bytes.withUnsafeBufferPointer { ByteText.number($0, cells[row * fields.count + column]) }
    }

    /// A cell split on spaces, empty parts dropped: the values of a `token_seq` field.
    public func tokens(row: Int, column: Int) -> [String] {
        string(row: row, column: column).split(separator: " ").map(String.init)
    }
}
