// RecBole atomic files: headers, line ends, BOM, field access and bad rows.

import SteerData
import XCTest

final class AtomicTableTests: XCTestCase {
    func testCRLFFileWithTitleIDs() throws {
        let table = try AtomicTable.read(path: TestData.fixture("tiny.inter"))
        XCTAssertEqual(table.file, "tiny.inter")
        XCTAssertEqual(table.fields.map(\.description),
                       ["user_id:token", "item_id:token", "rating:float", "timestamp:float"])
        XCTAssertEqual(table.rowCount, 6)  // the blank line is not a row
        let item = try table.requireColumn("item_id")
        let time = try table.requireColumn("timestamp")
        XCTAssertEqual(table.string(row: 0, column: item), "Toy Story (1995)")
        XCTAssertEqual(table.string(row: 3, column: item), "Misérables, Les (1995)")  // UTF-8, no trailing \r
        XCTAssertEqual(table.double(row: 0, column: time), 100)
        XCTAssertEqual(table.line(ofRow: 5), 8)  // after the blank line 7
        XCTAssertEqual(table.report.rowsKept, 6)
        XCTAssertEqual(table.report.rowsSkipped, 0)
    }

    func testItemFileCategoriesAreSplitOnSpaces() throws {
        let table = try AtomicTable.read(path: TestData.fixture("tiny.item"))
        let genre = try table.requireColumn("genre")
        XCTAssertEqual(table.fields[genre].type, .token)  // declared token, holds several genres
        XCTAssertEqual(table.tokens(row: 0, column: genre), ["Animation", "Children's", "Comedy"])
        XCTAssertEqual(table.tokens(row: 4, column: genre), ["Horror", "Sci-Fi"])
    }

    func testLFFileWithTokenSequences() throws {
        let table = try AtomicTable.read(path: TestData.fixture("lf.item"))
        XCTAssertEqual(table.fields.map(\.type), [.token, .tokenSequence, .token, .tokenSequence])
        XCTAssertEqual(table.tokens(row: 1, column: 3), ["Action", "Adventure", "Thriller"])
        XCTAssertEqual(table.string(row: 0, column: 1), "Toy Story")
    }

    func testByteOrderMarkIsIgnored() throws {
        let table = try AtomicTable.read(path: TestData.fixture("bom.inter"))
        XCTAssertEqual(table.fields.first?.name, "user_id")
        XCTAssertNil(table.column(named: "rating"))
        XCTAssertEqual(table.rowCount, 1)
    }

    func testEmptyAndBlankFiles() {
        let empty = assertDataError(.emptyFile) { try AtomicTable.read(path: TestData.fixture("empty.inter")) }
        XCTAssertEqual(empty?.description, "empty.inter:1: the file is empty (no header line)")
        assertDataError(.emptyFile) { try AtomicTable.read(path: TestData.fixture("blank.inter")) }
    }

    func testHeaderProblems() {
        let missing = assertDataError(.missingHeader) { try AtomicTable.read(path: TestData.fixture("noheader.inter")) }
        XCTAssertTrue(missing?.description.contains("196\t242") ?? false)
        let unknown = assertDataError(.unknownFieldType) { try AtomicTable.read(path: TestData.fixture("unknowntype.inter")) }
        XCTAssertEqual(unknown?.description,
                       "unknowntype.inter:1: field \"timestamp\" has unknown type \"datetime\" (allowed: token, token_seq, float, float_seq)")
        assertDataError(.duplicateField) { try AtomicTable.read(path: TestData.fixture("duplicate.inter")) }
        let noItem = assertDataError(.missingField) { try InteractionLog.readAtomic(path: TestData.fixture("noitem.inter")) }
        XCTAssertTrue(noItem?.description.contains("\"item_id\" is missing") ?? false)
    }

    func testMissingFileIsUnreadable() {
        let error = assertDataError(.unreadable) { try AtomicTable.read(path: TestData.fixture("nope.inter")) }
        XCTAssertEqual(error?.file, "nope.inter")
    }

    func testStrictModeNamesFileAndLine() {
        let error = assertDataError(.columnCount) { try AtomicTable.read(path: TestData.fixture("malformed.inter")) }
        XCTAssertEqual(error?.description, "malformed.inter:3: expected 4 columns, found 3")
    }

    func testLenientModeCountsAndReports() throws {
        let log = try InteractionLog.readAtomic(path: TestData.fixture("malformed.inter"), options: .lenient)
        // Kept: line 2 (1,10) and line 7 (3,11). Skipped: 3 short, 4 not a number, 5 extra, 6 empty item.
        XCTAssertEqual(log.count, 2)
        XCTAssertEqual(log.report.rowsKept, 2)
        XCTAssertEqual(log.report.rowsSkipped, 4)
        XCTAssertEqual(log.report.problemCounts, [.columnCount: 2, .notANumber: 1, .emptyValue: 1])
        XCTAssertEqual(log.report.firstProblems.map(\.line), [3, 4, 5, 6])
        XCTAssertEqual(log.report.firstProblems[1].description,
                       "malformed.inter:4: field \"timestamp\" is not a number: \"yesterday\"")
        XCTAssertTrue(log.report.description.hasPrefix("malformed.inter: 2 rows kept, 4 skipped"))
        let capped = try InteractionLog.readAtomic(
            path: TestData.fixture("malformed.inter"), options: ReadOptions(mode: .lenient, keptProblems: 1))
        XCTAssertEqual(capped.report.firstProblems.count, 1)
        XCTAssertTrue(capped.report.description.contains("… 3 more"))
    }

    func testNumbers() throws {
        let text = "a:token\tx:float\n" + ["0", "42", "-3.5", " 7 ", "1e3", "978300760", "0.1", "", "12345678901234567890"]
            .map { "r\t\($0)" }.joined(separator: "\n")
        let table = try AtomicTable.parse(Array(text.utf8), file: "numbers")
        let values = (0..<table.rowCount).map { table.double(row: $0, column: 1) }
        XCTAssertEqual(values, [0, 42, -3.5, 7, 1000, 978_300_760, 0.1, nil, 12_345_678_901_234_567_168])
        assertDataError(.notANumber) { try AtomicTable.parse(Array("x:float\n1.2.3\n".utf8), file: "f") }
        assertDataError(.notANumber) { try AtomicTable.parse(Array("x:float_seq\n1 b\n".utf8), file: "f") }
    }
}
