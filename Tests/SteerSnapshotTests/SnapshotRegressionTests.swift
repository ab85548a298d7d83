// Inputs the fuzzers once crashed on: each must now be refused with an error.
import Foundation
import XCTest
@testable import SteerSnapshot

final class SnapshotRegressionTests: XCTestCase {
    /// A section table entry claiming 2^62 compressed bytes, with a valid header CRC:
    /// the expansion bound overflowed and trapped (Fuzz/Regressions/FuzzSnapshot).
    func testForgedHugeCompressedSizeIsRefusedNotTrapped() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let regressions = root.appendingPathComponent("Fuzz/Regressions/FuzzSnapshot")
        let files = try FileManager.default.contentsOfDirectory(atPath: regressions.path)
        XCTAssertFalse(files.isEmpty)
        for file in files {
            let bytes = [UInt8](try Data(contentsOf: regressions.appendingPathComponent(file)))
            XCTAssertThrowsError(try Snapshot(decoding: bytes), file)
        }
    }
}
