// Round trips of the snapshot format: sections, typed helpers, files and atomic writes.
import Foundation
import SteerTestSupport
import XCTest

@testable import SteerSnapshot

final class SnapshotRoundTripTests: XCTestCase {
    func testEncodeDecodeRoundTrip() throws {
        var s = Snapshot(kind: "item-index")
        s.sections["empty"] = []
        s.sections["bytes"] = Array(0...255)
        s.sections["big"] = (0..<100_000).map { UInt8(truncatingIfNeeded: $0 * 7 / 13) }
        s.put([1.5, -0.0, .infinity, .leastNonzeroMagnitude] as [Float], as: "floats")
        s.put([0, 1, .max] as [UInt32], as: "u32")
        s.put([0, .max, 1 << 40] as [UInt64], as: "u64")
        s.put(strings: ["", "héllo", "日本語", "a\u{0}b"], as: "strings")
        let bytes = try s.encode()
        let back = try Snapshot(decoding: bytes)
        XCTAssertEqual(back, s)
        XCTAssertEqual(try back.floats("floats").map(\.bitPattern), ([1.5, -0.0, .infinity, .leastNonzeroMagnitude] as [Float]).map(\.bitPattern))
        XCTAssertEqual(try back.uint32s("u32"), [0, 1, .max])
        XCTAssertEqual(try back.uint64s("u64"), [0, .max, 1 << 40])
        XCTAssertEqual(try back.strings("strings"), ["", "héllo", "日本語", "a\u{0}b"])
        XCTAssertEqual(Array(bytes.prefix(8)), Array("STEERSNP".utf8))
        // Encoding is deterministic (sections sorted by name).
        XCTAssertEqual(try s.encode(), bytes)
    }

    func testEmptySnapshot() throws {
        let s = Snapshot(kind: "")
        XCTAssertEqual(try Snapshot(decoding: try s.encode()), s)
    }

    func testTypedHelperErrors() throws {
        var s = Snapshot(kind: "k")
        s.sections["odd"] = [1, 2, 3]
        XCTAssertEqual(code { _ = try s.floats("odd") }, .malformed)
        XCTAssertEqual(code { _ = try s.uint64s("odd") }, .malformed)
        XCTAssertEqual(code { _ = try s.strings("odd") }, .malformed)
        XCTAssertEqual(code { _ = try s.floats("absent") }, .missingSection)
        XCTAssertEqual(code { try s.requireKind("other") }, .wrongKind)
        s.sections["lying"] = [0xFF, 0xFF, 0xFF, 0x7F]  // claims 2^31 strings in 0 bytes
        XCTAssertEqual(code { _ = try s.strings("lying") }, .malformed)
    }

    func testCRC32KnownValue() {
        XCTAssertEqual(CRC32.checksum(Array("123456789".utf8)), 0xCBF4_3926)
        XCTAssertEqual(CRC32.checksum([]), 0)
        let data = (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let chained = CRC32.checksum(Array(data[500...]), continuing: CRC32.checksum(Array(data[..<500])))
        XCTAssertEqual(chained, CRC32.checksum(data))
    }

    func testFileWriteReadAndOverwrite() throws {
        let dir = try temporaryDirectory("steer-snapshot-tests")
        let path = dir + "/index.snap"
        var s = Snapshot(kind: "test")
        s.put([1, 2, 3] as [UInt32], as: "a")
        try s.write(to: path)
        XCTAssertEqual(try Snapshot.read(contentsOf: path), s)
        s.put([4, 5] as [UInt32], as: "a")
        try s.write(to: path, compressionLevel: 19)
        XCTAssertEqual(try Snapshot.read(contentsOf: path), s)
        // Atomic write leaves nothing but the destination behind.
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir), ["index.snap"])
    }

    func testWriteFailureLeavesNoTemporaryFile() throws {
        let dir = try temporaryDirectory("steer-snapshot-tests")
        // Renaming a file over a non-empty directory fails after the temporary file is written.
        try FileManager.default.createDirectory(atPath: dir + "/occupied/inner", withIntermediateDirectories: true)
        XCTAssertEqual(code { try Snapshot(kind: "x").write(to: dir + "/occupied") }, .io)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir), ["occupied"])
    }

    func testReadMissingFileIsIOError() throws {
        let dir = try temporaryDirectory("steer-snapshot-tests")
        let error = catchError { _ = try Snapshot.read(contentsOf: dir + "/nope") }
        XCTAssertEqual(error?.code, .io)
        XCTAssertTrue(error?.description.contains("nope") ?? false, error?.description ?? "")
    }
}

/// The SnapshotError thrown by `body`, or nil (and a test failure) if it throws something else or nothing.
func catchError(file: StaticString = #filePath, line: UInt = #line, _ body: () throws -> Void) -> SnapshotError? {
    thrownError(SnapshotError.self, file: file, line: line, body)
}

func code(file: StaticString = #filePath, line: UInt = #line, _ body: () throws -> Void) -> SnapshotError.Code? {
    catchError(file: file, line: line, body)?.code
}
