// MovieLens `.dat` files: `::` separators, `|` genres, Latin-1 titles, bad rows.

import SteerData
import XCTest

final class MovieLensDatTests: XCTestCase {
    func testRatings() throws {
        let log = try MovieLensDat.readRatings(path: TestData.fixture("ratings.dat"))
        XCTAssertEqual(log.count, 4)
        XCTAssertEqual(log.userTokens, ["1", "2"])
        XCTAssertEqual(log.itemTokens, ["1193", "661", "914"])
        XCTAssertEqual(log.users, [0, 0, 1, 0])
        XCTAssertEqual(log.items, [0, 1, 0, 2])
        XCTAssertEqual(log.ratings, [5, 3, 4, 3])
        XCTAssertEqual(log.timestamps[2], 978_298_413)
    }

    func testMoviesLatin1AndGenres() throws {
        let catalog = try MovieLensDat.readMovies(path: TestData.fixture("movies.dat"))
        XCTAssertEqual(catalog.entries.count, 5)
        XCTAssertEqual(catalog["1"]?.categories, ["Animation", "Children's", "Comedy"])
        XCTAssertEqual(catalog["3000"]?.title, "Misérables, Les (1995)")  // byte 0xE9 is é in Latin-1
        XCTAssertEqual(catalog["1193"]?.title, "One Flew Over the Cuckoo's Nest (1975)")
    }

    func testDatasetFromDatFiles() throws {
        let (dataset, reports) = try SequenceDataset.loadMovieLensDat(directory: TestData.fixture(""))
        XCTAssertEqual(reports.count, 2)
        XCTAssertEqual(dataset.itemCount, 3)  // only rated movies are items
        // User 1: 1193 and 914 share the earliest time; file order breaks the tie.
        XCTAssertEqual(dataset.sequences[0].map { dataset.itemTokens[Int($0)] }, ["1193", "914", "661"])
        XCTAssertEqual(dataset.categoryNames, ["Animation", "Children's", "Drama", "Musical", "Romance"])
    }

    func testMalformedRatings() throws {
        let error = assertDataError(.columnCount) { try MovieLensDat.readRatings(path: TestData.fixture("malformed-ratings.dat")) }
        XCTAssertEqual(error?.description, "malformed-ratings.dat:2: expected 4 columns, found 2")
        let log = try MovieLensDat.readRatings(path: TestData.fixture("malformed-ratings.dat"), options: .lenient)
        XCTAssertEqual(log.count, 2)
        XCTAssertEqual(log.report.rowsSkipped, 3)
        XCTAssertEqual(log.report.problemCounts, [.columnCount: 1, .notANumber: 1, .emptyValue: 1])
        XCTAssertEqual(log.report.firstProblems.map(\.line), [2, 3, 4])
    }

    func testEmptyDatFile() {
        assertDataError(.emptyFile) { try MovieLensDat.parseRatings([], file: "ratings.dat") }
        assertDataError(.emptyFile) { try MovieLensDat.parseMovies(Array("\n\n".utf8), file: "movies.dat") }
    }

    func testCRLFDat() throws {
        let log = try MovieLensDat.parseRatings(Array("1::2::3::4\r\n5::6::7::8\r\n".utf8), file: "r")
        XCTAssertEqual(log.itemTokens, ["2", "6"])
        XCTAssertEqual(log.timestamps, [4, 8])
    }
}
