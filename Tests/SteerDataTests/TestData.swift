// Locations of the test fixtures and of the real MovieLens data, when present.

import Foundation
import SteerData
import XCTest

enum TestData {
    /// Tests/Fixtures/data/<name>.
    static func fixture(_ name: String) -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/data").appendingPathComponent(name).path
    }

    /// The folder holding ml-1m/ and ml-100k/: $STEER_CACHE/data, else ~/.cache/steer/data.
    /// Throws XCTSkip, with the places looked at, when neither holds `dataset`.
    static func realDataDirectory(holding dataset: String) throws -> String {
        var candidates: [String] = []
        if let cache = ProcessInfo.processInfo.environment["STEER_CACHE"] { candidates.append(cache + "/data") }
        candidates.append(FileManager.default.homeDirectoryForCurrentUser.path + "/.cache/steer/data")
        for folder in candidates where FileManager.default.fileExists(atPath: "\(folder)/\(dataset)/\(dataset).inter") {
            return folder
        }
        throw XCTSkip("real data \(dataset) not found in \(candidates.joined(separator: " or ")); run Scripts/setup (STEER_CACHE=… to choose the folder)")
    }
}

/// Asserts that `body` throws a ``DataError`` with `code`, and returns it.
@discardableResult
func assertDataError<T>(
    _ code: DataError.Code, file: StaticString = #filePath, line: UInt = #line, _ body: () throws -> T
) -> DataError? {
    do {
        _ = try body()
        XCTFail("expected \(code), nothing thrown", file: file, line: line)
    } catch let error as DataError {
        XCTAssertEqual(error.code, code, "\(error)", file: file, line: line)
        return error
    } catch {
        XCTFail("expected \(code), got \(error)", file: file, line: line)
    }
    return nil
}
