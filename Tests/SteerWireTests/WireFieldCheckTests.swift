// The checks protobuf-c does not make, on hand-written wire bytes: strings (NUL, UTF-8), enum values
// (unknown, beyond 32 bits), the envelope's method number as sent, and the wire reader itself.
import XCTest
@testable import SteerWire

final class WireFieldCheckTests: XCTestCase {
    /// A base-128 varint.
    private func varint(_ value: UInt64) -> [UInt8] {
        var v = value, out: [UInt8] = []
        repeat {
            out.append(UInt8(v & 0x7F) | (v >= 0x80 ? 0x80 : 0))
            v >>= 7
        } while v != 0
        return out
    }

    /// Field `number` as a length-delimited field holding `bytes`.
    private func field(_ number: UInt64, _ bytes: [UInt8]) -> [UInt8] {
        varint(number << 3 | 2) + varint(UInt64(bytes.count)) + bytes
    }

    private func refusal(_ decode: () throws -> Void, file: StaticString = #filePath, line: UInt = #line) -> String {
        do {
            try decode()
            XCTFail("decoded without error", file: file, line: line)
            return ""
        } catch let error as RPCError {
            XCTAssertEqual(error.status, .invalidArgument, error.message, file: file, line: line)
            return error.message
        } catch {
            XCTFail("\(error)", file: file, line: line)
            return ""
        }
    }

    // MARK: NUL bytes (protobuf-c would cut the string there)

    func testNULInEveryKindOfRequestStringIsRefusedNamingTheField() {
        let plugin = Array("SASRec\0/../../x".utf8)
        let message = refusal { _ = try LoadBackboneRequest(decoding: field(1, plugin)) }
        XCTAssertEqual(message, "steer.v1.LoadBackboneRequest field name holds a NUL byte at byte 6 of its 15: strings must be "
            + "UTF-8 without NUL (protobuf-c would cut the string there)")
        XCTAssertTrue(refusal { _ = try LoadBackboneRequest(decoding: field(1, Array("SASRec".utf8)) + field(2, Array("a\0.snap".utf8))) }
            .contains("field checkpoint holds a NUL byte at byte 1"))
        XCTAssertTrue(refusal { _ = try SaveSnapshotRequest(decoding: field(1, Array("nul\0tail.snap".utf8))) }
            .contains("steer.v1.SaveSnapshotRequest field name holds a NUL byte at byte 3"))
        XCTAssertTrue(refusal { _ = try LoadSnapshotRequest(decoding: field(1, Array("x\0".utf8))) }.contains("field name"))
        XCTAssertTrue(refusal { _ = try RecommendRequest(decoding: field(2, Array("comedy\0 no horror at all".utf8))) }
            .contains("steer.v1.RecommendRequest field prompt holds a NUL byte at byte 6"))
        XCTAssertTrue(refusal { _ = try EmbedPromptRequest(decoding: field(2, Array("Mini\0LM".utf8))) }.contains("field encoder"))
        // Repeated fields name the element.
        let prompts = field(1, Array("fine".utf8)) + field(1, Array("also fine".utf8)) + field(1, [0x61, 0x00])
        XCTAssertTrue(refusal { _ = try EmbedPromptRequest(decoding: prompts) }.contains("field prompts[2] holds a NUL byte at byte 1 of its 2"))
        XCTAssertTrue(refusal { _ = try RouteRequest(decoding: field(1, [0])) }.contains("steer.v1.RouteRequest field prompts[0]"))
        XCTAssertTrue(refusal { _ = try FuseRequest(decoding: field(5, Array("ok".utf8)) + field(5, Array("no\0".utf8))) }
            .contains("steer.v1.FuseRequest field prompts[1]"))
    }

    func testStringsInSubMessagesAndResponsesAreCheckedToo() {
        // ListBackbonesResponse.backbones[1].name (BackboneInfo field 1) with a NUL.
        let info = field(1, Array("SASRec".utf8)), bad = field(1, [0x41, 0x00, 0x42])
        XCTAssertTrue(refusal { _ = try ListBackbonesResponse(decoding: field(1, info) + field(1, bad)) }
            .contains("steer.v1.ListBackbonesResponse field backbones[1].name holds a NUL byte at byte 1 of its 3"))
        XCTAssertTrue(refusal { _ = try ResponseEnvelope(decoding: field(3, [0x6F, 0x6B, 0x00])) }.contains("steer.v1.Response field message"))
    }

    func testBytesFieldsMayHoldAnyByte() throws {
        // The envelope's payload is `bytes`, not a string: NUL and 0xFF are data there.
        let envelope = try RequestEnvelope(decoding: [0x10, 0x01] + field(4, [0x00, 0xFF, 0x00]))
        XCTAssertEqual(envelope.payload, [0x00, 0xFF, 0x00])
        XCTAssertEqual(envelope.method, .health)
    }

    // MARK: UTF-8

    func testInvalidUTF8IsRefusedWithTheOffsetAndNeverTheBytes() {
        let cases: [([UInt8], Int, String)] = [
            ([0x63, 0xC3, 0x28], 1, "a lead byte without its continuation"),
            ([0xFF], 0, "a byte UTF-8 never uses"),
            ([0x61, 0x80], 1, "a lone continuation byte"),
            ([0xC0, 0x80], 0, "the overlong NUL"),
            ([0xE0, 0x80, 0x80], 0, "an overlong three-byte form"),
            ([0xED, 0xA0, 0x80], 0, "a UTF-16 surrogate"),
            ([0x61, 0x62, 0xE2, 0x82], 2, "a sequence cut short"),
            ([0xF4, 0x90, 0x80, 0x80], 0, "above U+10FFFF"),
            ([0xF5, 0x80, 0x80, 0x80], 0, "a lead byte above F4"),
        ]
        for (bytes, offset, what) in cases {
            let message = refusal { _ = try RecommendRequest(decoding: field(2, bytes)) }
            XCTAssertEqual(message, "steer.v1.RecommendRequest field prompt is not valid UTF-8 (byte \(offset) of its \(bytes.count)): "
                + "strings must be UTF-8 without NUL", what)
        }
    }

    func testValidUTF8OfEveryLengthIsAccepted() throws {
        let text = "Ünïcødé ✓ 映画 🎬 a\u{7F}\u{80}\u{7FF}\u{800}\u{FFFF}\u{10000}\u{10FFFF}"
        XCTAssertEqual(try RecommendRequest(decoding: field(2, Array(text.utf8))).prompt, text)
        XCTAssertEqual(try LoadBackboneRequest(decoding: field(1, [])).name, "")
    }

    func testTheUTF8CheckAgreesWithTheStandardLibrary() {
        // Every 1- and 2-byte string, and 3- and 4-byte strings over every lead byte C0...FF, every
        // second byte around the continuation range (where the lead byte's limits lie) and boundary
        // bytes after it: the hand-written check and Swift's validator must agree.
        func agree(_ bytes: [UInt8]) {
            let mine = bytes.withUnsafeBufferPointer { WireFieldCheck.firstInvalidUTF8($0) } == nil
            let library = String(validating: bytes, as: UTF8.self) != nil
            if mine != library { XCTFail("\(bytes.map { String($0, radix: 16) }): check \(mine), standard library \(library)") }
        }
        for a in 0...255 {
            agree([UInt8(a)])
            for b in 0...255 { agree([UInt8(a), UInt8(b)]) }
        }
        let edges: [UInt8] = [0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xFF]
        for a in 0xC0...0xFF {
            for b in 0x70...0xC5 {
                for c in edges {
                    agree([UInt8(a), UInt8(b), c])
                    for d in edges { agree([UInt8(a), UInt8(b), c, d]) }
                }
            }
        }
    }

    // MARK: Enum values

    func testUnknownEnumValuesInRequestsAreRefusedNamingTheNumber() {
        let known = "(known: 0 POLARITY_UNSPECIFIED, 1 POLARITY_POSITIVE, 2 POLARITY_NEGATIVE)"
        // RecommendRequest.polarity = 7, then 2^40 (protobuf-c would keep its low 32 bits: 0), then -1.
        XCTAssertEqual(refusal { _ = try RecommendRequest(decoding: [0x18, 0x07]) },
                       "steer.v1.RecommendRequest field polarity is 7, not a value of steer.v1.Polarity \(known)")
        XCTAssertEqual(refusal { _ = try RecommendRequest(decoding: [0x18] + varint(1 << 40)) },
                       "steer.v1.RecommendRequest field polarity is 1099511627776, not a value of steer.v1.Polarity \(known)")
        XCTAssertEqual(refusal { _ = try RecommendRequest(decoding: [0x18] + varint(UInt64.max)) },
                       "steer.v1.RecommendRequest field polarity is -1, not a value of steer.v1.Polarity \(known)")
        // FuseRequest.polarities, packed (as protobuf-c writes it) and unpacked (as a parser must also accept).
        XCTAssertTrue(refusal { _ = try FuseRequest(decoding: field(4, [0x01, 0x02, 0x07])) }.contains("field polarities[2] is 7"))
        XCTAssertTrue(refusal { _ = try FuseRequest(decoding: [0x20, 0x01, 0x20, 0x03]) }.contains("field polarities[1] is 3"))
        XCTAssertTrue(refusal { _ = try FuseRequest(decoding: field(4, varint(1 << 33))) }.contains("is 8589934592"))
    }

    func testKnownEnumValuesDecode() throws {
        XCTAssertEqual(try RecommendRequest(decoding: [0x18, 0x02]).polarity, .negative)
        XCTAssertEqual(try FuseRequest(decoding: field(4, [0x01, 0x02, 0x00])).polarities, [.positive, .negative, .unspecified])
    }

    // MARK: The envelope's method number as sent

    func testMethodNumberBeyond32BitsIsReadWhole() throws {
        let request = try RequestEnvelope(decoding: [0x08, 0x05, 0x10] + varint(1 << 40))
        XCTAssertEqual(request.id, 5)
        XCTAssertEqual(request.methodNumber, 1 << 40)   // protobuf-c alone reads 0
        XCTAssertNil(request.method)
        XCTAssertEqual(try RequestEnvelope(decoding: [0x10] + varint(1 << 32 | 1)).methodNumber, 1 << 32 | 1)  // not Health
        XCTAssertNil(try RequestEnvelope(decoding: [0x10] + varint(1 << 32 | 1)).method)
        XCTAssertEqual(try RequestEnvelope(decoding: [0x10] + varint(UInt64.max)).methodNumber, -1)
        // Encoding keeps the whole number too (protobuf-c alone would send its low 32 bits).
        for number: Int64 in [1 << 40, 1 << 32 | 1, -1, Int64(Int32.max) + 1, .max, .min] {
            let encoded = RequestEnvelope(id: 3, methodNumber: number, payload: [1]).encoded()
            XCTAssertEqual(try RequestEnvelope(decoding: encoded), RequestEnvelope(id: 3, methodNumber: number, payload: [1]), "\(number)")
        }
        XCTAssertEqual(RequestEnvelope(id: 0, methodNumber: 1 << 40).encoded(), [0x10] + varint(1 << 40))
        // The last occurrence wins, as in protobuf.
        XCTAssertEqual(try RequestEnvelope(decoding: [0x10, 0x63, 0x10, 0x06]).method, .retrieve)
        XCTAssertEqual(try RequestEnvelope(decoding: [0x10, 0x06, 0x10, 0x63]).methodNumber, 99)
    }

    func testUnknownStatusInAResponseReadsAsUnknown() throws {
        let response = try ResponseEnvelope(decoding: [0x10, 0x63])
        XCTAssertEqual(response.statusNumber, 99)
        XCTAssertEqual(response.status, .unknown)
    }

    // MARK: The wire reader

    func testWireReaderWalksEveryWireTypeAndRefusesBadBytes() throws {
        let bytes: [UInt8] = [0x08, 0x96, 0x01,                        // 1: varint 150
                              0x11, 1, 2, 3, 4, 5, 6, 7, 8,            // 2: fixed64
                              0x1A, 0x02, 0x61, 0x62,                  // 3: "ab"
                              0x25, 9, 9, 9, 9]                        // 4: fixed32
        try bytes.withUnsafeBufferPointer { raw in
            var reader = WireReader(raw)
            var seen: [String] = []
            while let field = try reader.next() {
                switch field.value {
                case .varint(let v): seen.append("\(field.number)=\(v)")
                case .lengthDelimited(let r): seen.append("\(field.number)@\(r)")
                case .fixed: seen.append("\(field.number):fixed")
                }
            }
            XCTAssertEqual(seen, ["1=150", "2:fixed", "3@14..<16", "4:fixed"])
        }
        let bad: [([UInt8], String)] = [
            ([0x08], "at byte 1: varint runs past the end"),
            ([0x08] + [UInt8](repeating: 0xFF, count: 10) + [0x01], "at byte 1: varint longer than 10 bytes"),
            ([0x0A, 0x05, 0x61], "at byte 0: field 1 claims 5 bytes, 1 remain"),
            ([0x09, 1, 2, 3], "at byte 0: fixed field runs past the end"),
            ([0x0B], "at byte 0: field 1 has wire type 3, which proto3 does not use"),
            ([0x00, 0x01], "at byte 0: field number 0"),
        ]
        for (input, expected) in bad {
            input.withUnsafeBufferPointer { raw in
                var reader = WireReader(raw)
                do {
                    while try reader.next() != nil {}
                    XCTFail("\(input) read without error")
                } catch {
                    XCTAssertEqual("\(error)", expected)
                }
            }
        }
    }
}
