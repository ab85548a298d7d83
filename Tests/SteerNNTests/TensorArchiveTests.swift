// The tensor archive, byte for byte: both formats' layouts and every refusal of the decoder.
@testable import SteerNN
import XCTest

final class TensorArchiveTests: XCTestCase {
    private let versioned = TensorArchiveFormat(magic: "TST2", version: 2, name: "test archive")
    private let plain = TensorArchiveFormat(magic: "TST1", version: nil, name: "test archive")

    private func encode(_ format: TensorArchiveFormat, _ tensors: [(String, [Float])], config: String = "{}") -> [UInt8] {
        let buffers = tensors.map { t in (name: t.0, values: UnsafeBufferPointer(start: UnsafeMutablePointer<Float>.allocate(capacity: max(1, t.1.count)), count: t.1.count)) }
        defer { for b in buffers { b.values.deallocate() } }
        for (b, t) in zip(buffers, tensors) { UnsafeMutablePointer(mutating: b.values.baseAddress!).update(from: t.1, count: t.1.count) }
        return TensorArchive.encode(format, config: config, tensors: buffers)
    }

    private func decode(_ bytes: [UInt8], _ format: TensorArchiveFormat) -> Result<(config: String, tensors: [String: [Float]]), WeightsError> {
        bytes.withUnsafeBytes { b in Result { () throws(WeightsError) in try TensorArchive.decode(b, format, label: "W") } }
    }

    func testLayoutByteForByte() {
        let bytes = encode(versioned, [("a", [1, -2])], config: "{}")
        XCTAssertEqual(bytes, Array("TST2".utf8) + [2, 0, 0, 0] + [2, 0, 0, 0] + Array("{}".utf8) + [1, 0, 0, 0]
                       + [1, 0, 0, 0] + Array("a".utf8) + [2, 0, 0, 0, 0, 0, 0, 0]
                       + [0x00, 0x00, 0x80, 0x3F] + [0x00, 0x00, 0x00, 0xC0])
        // Without a version word the config length follows the magic.
        XCTAssertEqual(Array(encode(plain, [], config: "")), Array("TST1".utf8) + [0, 0, 0, 0] + [0, 0, 0, 0])
        let back = try? decode(bytes, versioned).get()
        XCTAssertEqual(back?.config, "{}")
        XCTAssertEqual(back?.tensors, ["a": [1, -2]])
    }

    func testEveryRefusalSaysWhatAndWhere() {
        let good = encode(versioned, [("a", [1, 2]), ("b", [3])])
        func message(_ bytes: [UInt8], _ format: TensorArchiveFormat? = nil) -> String {
            switch decode(bytes, format ?? versioned) { case .success: "decoded"; case .failure(let e): e.description }
        }
        XCTAssertEqual(message(Array("XXXX".utf8) + good.dropFirst(4)), "W: not a test archive (magic \"TST2\" missing)")
        XCTAssertEqual(message(good, plain), "W: not a test archive (magic \"TST1\" missing)")
        var otherVersion = good
        otherVersion[4] = 3
        XCTAssertEqual(message(otherVersion), "W: format version 3; this build reads version 2")
        XCTAssertEqual(message(Array(good.dropLast(1))), "W truncated reading values of b at byte 52 of 55")
        XCTAssertEqual(message(good + [0]), "W: 1 trailing bytes")
        let twice = encode(versioned, [("a", [1]), ("a", [2])])
        XCTAssertEqual(message(twice), "W: tensor a appears twice")
        var huge = encode(versioned, [("a", [1])])
        huge[26] = 0xFF  // the count's fourth byte (after 18 header bytes and 4 + 1 of the name): 255·2^24 + 1 values claimed
        XCTAssertTrue(message(huge).hasPrefix("W: tensor a claims"), message(huge))
    }

    func testParameterTableLoadsAllOrNothing() {
        let table = ParameterTable([("w", 2, true), ("b", 1, false)])
        XCTAssertEqual(Result { () throws(WeightsError) in try table.load(["w": [1, 2]], label: "M weights") }.failureMessage,
                       "M weights lack tensor b")
        XCTAssertEqual(Result { () throws(WeightsError) in try table.load(["w": [1, 2], "b": [.nan]], label: "M weights") }.failureMessage,
                       "M weights: tensor b value 0 is not finite")
        XCTAssertEqual(Result { () throws(WeightsError) in try table.load(["w": [1, 2], "b": [1], "c": [0]], label: "M weights") }.failureMessage,
                       "M weights hold tensor c, which this config does not have")
        XCTAssertEqual(Array(UnsafeBufferPointer(start: table.values.ptr, count: 3)), [0, 0, 0], "a refused load changes nothing")
        XCTAssertNil(Result { () throws(WeightsError) in try table.load(["w": [1, 2], "b": [3]], label: "M weights") }.failureMessage)
        XCTAssertEqual(Array(UnsafeBufferPointer(start: table.values.ptr, count: 3)), [1, 2, 3])
    }
}

private extension Result where Failure == WeightsError {
    var failureMessage: String? { if case .failure(let e) = self { e.description } else { nil } }
}
