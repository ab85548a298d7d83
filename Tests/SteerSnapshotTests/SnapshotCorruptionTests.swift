// Hostile and damaged inputs: every truncation, bit flips, bad magic, future versions, size caps.
import SteerTestSupport
import XCTest

@testable import SteerSnapshot

final class SnapshotCorruptionTests: XCTestCase {
    /// A small file with several sections, including an empty one.
    private func sample() throws -> [UInt8] {
        var s = Snapshot(kind: "item-index")
        s.put((0..<64).map { Float($0) * 0.25 }, as: "embeddings")
        s.put(strings: ["Toy Story", "Heat"], as: "titles")
        s.sections["empty"] = []
        return try s.encode()
    }

    func testEveryTruncationThrows() throws {
        let bytes = try sample()
        for length in 0..<bytes.count {
            let error = catchError { _ = try Snapshot(decoding: Array(bytes.prefix(length))) }
            XCTAssertEqual(error?.code, .truncated, "prefix of \(length) bytes: \(error?.description ?? "no error")")
        }
    }

    func testTruncationMessageNamesSizeAndOffset() throws {
        let bytes = try sample()
        let error = catchError { _ = try Snapshot(decoding: Array(bytes.dropLast(3))) }
        XCTAssertEqual(error?.code, .truncated)
        XCTAssertTrue(error?.description.contains("at offset") ?? false, error?.description ?? "")
    }

    func testTrailingBytesAreRefused() throws {
        XCTAssertEqual(code { _ = try Snapshot(decoding: try self.sample() + [0]) }, .trailingBytes)
    }

    func testEverySingleBitFlipThrows() throws {
        let bytes = try sample()
        for offset in 0..<bytes.count {
            for bit in 0..<8 {
                var damaged = bytes
                damaged[offset] ^= 1 << UInt8(bit)
                XCTAssertNotNil(catchError { _ = try Snapshot(decoding: damaged) }, "flip at byte \(offset) bit \(bit)")
            }
        }
    }

    func testPayloadFlipIsSectionChecksumMismatch() throws {
        let bytes = try sample()
        var damaged = bytes
        damaged[bytes.count - 6] ^= 0x10
        XCTAssertEqual(code { _ = try Snapshot(decoding: damaged) }, .sectionChecksumMismatch)
    }

    func testZstdChecksumCatchesDamageBehindAValidTable() throws {
        // Re-sign a damaged payload's CRC so only zstd's own content checksum stands guard.
        let payload = Array(repeating: UInt8(7), count: 10) + Array(0..<200)
        let s = Snapshot(kind: "k", sections: ["p": payload])
        var bytes = try s.encode()
        let h = Int(UInt32(bytes[12]) | UInt32(bytes[13]) << 8 | UInt32(bytes[14]) << 16 | UInt32(bytes[15]) << 24)
        bytes[bytes.count - 5] ^= 0x01  // last content-checksum byte of the single frame
        let frame = Array(bytes[(h + 4)...])
        let crcOffset = h - 4
        bytes.storeLE(CRC32.checksum(frame), at: crcOffset)
        bytes.storeLE(CRC32.checksum(Array(bytes[..<h])), at: h)
        let error = catchError { _ = try Snapshot(decoding: bytes) }
        XCTAssertTrue(error?.code == .sectionChecksumMismatch || error?.code == .zstd, error?.description ?? "")
    }

    func testBadMagic() throws {
        var bytes = try sample()
        bytes[0] = UInt8(ascii: "X")
        let error = catchError { _ = try Snapshot(decoding: bytes) }
        XCTAssertEqual(error?.code, .badMagic)
        XCTAssertEqual(code { _ = try Snapshot(decoding: Array("PK\u{3}\u{4}".utf8)) }, .badMagic)
    }

    func testFutureVersionNamesBothVersions() throws {
        var bytes = try sample()
        bytes[8] = 2
        let error = catchError { _ = try Snapshot(decoding: bytes) }
        XCTAssertEqual(error?.code, .unsupportedVersion)
        XCTAssertEqual(error?.description, "unsupported snapshot format version 2; this build reads version 1")
    }

    func testHeaderFlipIsHeaderChecksumMismatch() throws {
        var bytes = try sample()
        bytes[20] ^= 0x04  // inside the kind string
        XCTAssertEqual(code { _ = try Snapshot(decoding: bytes) }, .headerChecksumMismatch)
    }

    func testSizeLimitsRefuseBeforeAllocating() throws {
        let s = Snapshot(kind: "k", sections: ["a": Array(repeating: 1, count: 4096), "b": Array(repeating: 2, count: 4096)])
        let bytes = try s.encode()
        XCTAssertEqual(code { _ = try Snapshot(decoding: bytes, limits: .init(maxSectionBytes: 4095)) }, .sizeLimitExceeded)
        XCTAssertEqual(code { _ = try Snapshot(decoding: bytes, limits: .init(maxTotalBytes: 8191)) }, .sizeLimitExceeded)
        XCTAssertEqual(code { _ = try Snapshot(decoding: bytes, limits: .init(maxSections: 1)) }, .sizeLimitExceeded)
        XCTAssertEqual(code { _ = try Snapshot(decoding: bytes, limits: .init(maxHeaderBytes: 20)) }, .sizeLimitExceeded)
        XCTAssertNoThrow(try Snapshot(decoding: bytes, limits: .init(maxSectionBytes: 4096, maxTotalBytes: 8192)))
    }

    func testForgedHugeSizeWithValidCRCIsRefused() throws {
        // A "malicious" header: a terabyte-sized section whose table CRC is correct.
        let s = Snapshot(kind: "k", sections: ["a": [1, 2, 3]])
        var bytes = try s.encode()
        let h = Int(UInt32(bytes[12]) | UInt32(bytes[13]) << 8 | UInt32(bytes[14]) << 16 | UInt32(bytes[15]) << 24)
        // The entry's uncompressed size is the 8 bytes before its 4-byte CRC.
        let sizeOffset = h - 12
        for i in 0..<8 { bytes[sizeOffset + i] = UInt8(truncatingIfNeeded: (UInt64(1) << 40) >> (8 * UInt64(i))) }
        bytes.storeLE(CRC32.checksum(Array(bytes[..<h])), at: h)
        let error = catchError { _ = try Snapshot(decoding: bytes, limits: .init(maxSectionBytes: 1 << 50, maxTotalBytes: 1 << 50)) }
        XCTAssertEqual(error?.code, .malformed, error?.description ?? "")
        XCTAssertEqual(code { _ = try Snapshot(decoding: bytes) }, .sizeLimitExceeded)
    }

    func testFileSizeLimit() throws {
        let dir = try temporaryDirectory("steer-snapshot-tests")
        try Snapshot(kind: "k", sections: ["a": Array(repeating: 9, count: 100)]).write(to: dir + "/f")
        XCTAssertEqual(code { _ = try Snapshot.read(contentsOf: dir + "/f", limits: .init(maxFileBytes: 10)) }, .sizeLimitExceeded)
    }
}
