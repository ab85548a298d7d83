// The layout the stage-3 tag files share: tab-separated, `#` comment lines, one header line.

/// Reads the data rows of a tab-separated file: lines starting with `#` and empty lines are
/// skipped, the first other line must be the header (its first field `firstColumn`), and every
/// later line is a row of trimmed fields with its 1-based line number, for error messages.
enum TabSeparatedRows {
    /// - Throws: ``ItemTagsError`` when the header is missing or not the first data line.
    static func parse(_ text: String, source: String, firstColumn: String, header: String) throws -> [(line: Int, fields: [String])] {
        var rows: [(line: Int, fields: [String])] = []
        var sawHeader = false
        for (n, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.hasSuffix("\r") ? raw.dropLast() : raw
            if line.isEmpty || line.hasPrefix("#") { continue }
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map {
                String($0).trimmingCharacters(in: .whitespaces)
            }
            if !sawHeader {
                guard fields.first == firstColumn else { throw ItemTagsError("\(source):\(n + 1): expected the header line \(header)") }
                sawHeader = true
                continue
            }
            rows.append((n + 1, fields))
        }
        guard sawHeader else { throw ItemTagsError("\(source): no header line") }
        return rows
    }
}
