// safetensors reading: F32/F16/BF16 values, and each malformed layout refused naming the culprit.
import SteerTestSupport
import XCTest
@testable import SteerSafeTensors

final class SafeTensorsTests: XCTestCase {
    /// Writes a safetensors file from a raw header string and data bytes.
    func write(header: String, data: [UInt8], declaredLength: UInt64? = nil) throws -> String {
        let url = URL(fileURLWithPath: try temporaryDirectory("steer-safetensors")).appendingPathComponent("model.safetensors")
        let json = Array(header.utf8)
        var bytes = withUnsafeBytes(of: (declaredLength ?? UInt64(json.count)).littleEndian, Array.init)
        bytes += json + data
        try Data(bytes).write(to: url)
        return url.path
    }

    func floatBytes(_ values: [Float]) -> [UInt8] { values.flatMap { withUnsafeBytes(of: $0.bitPattern.littleEndian, Array.init) } }

    func testReadsF32F16AndBF16() throws {
        let f16: [UInt8] = [0x00, 0x3C, 0x00, 0xC0]      // 1.0, -2.0
        let bf16: [UInt8] = [0x80, 0x3F, 0x40, 0x40]     // 1.0, 3.0
        let data = floatBytes([1.5, -2.25, 3, 4, 5, 6]) + f16 + bf16
        let header = """
        {"__metadata__":{"format":"pt"},"w":{"dtype":"F32","shape":[2,3],"data_offsets":[0,24]},\
        "h":{"dtype":"F16","shape":[2],"data_offsets":[24,28]},"b":{"dtype":"BF16","shape":[2],"data_offsets":[28,32]}}
        """
        let file = try SafeTensorsFile(path: write(header: header, data: data))
        XCTAssertEqual(file.entries.count, 3)
        XCTAssertEqual(try file.floats("w", shape: [2, 3]), [1.5, -2.25, 3, 4, 5, 6])
        XCTAssertEqual(try file.floats("h"), [1, -2])
        XCTAssertEqual(try file.floats("b"), [1, 3])
    }

    func testFileShorterThanLengthField() throws {
        let url = URL(fileURLWithPath: try temporaryDirectory("steer-safetensors")).appendingPathComponent("short.safetensors")
        try Data([1, 2, 3]).write(to: url)
        let error = tensorsError { _ = try SafeTensorsFile(path: url.path) }
        XCTAssertEqual(error?.code, .malformed)
        XCTAssertTrue(error?.description.contains("too short") ?? false, error?.description ?? "")
    }

    func testTruncatedHeader() throws {
        let header = #"{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#
        let path = try write(header: header, data: [], declaredLength: 1000)
        let error = tensorsError { _ = try SafeTensorsFile(path: path) }
        XCTAssertEqual(error?.code, .malformed)
        XCTAssertTrue(error?.description.contains("header length 1000 does not fit") ?? false, error?.description ?? "")
    }

    func testAbsurdHeaderLength() throws {
        let path = try write(header: "{}", data: [], declaredLength: UInt64.max)
        let error = tensorsError { _ = try SafeTensorsFile(path: path) }
        XCTAssertTrue(error?.description.contains("exceeds") ?? false, error?.description ?? "")
    }

    func testInvalidJSON() throws {
        let error = tensorsError { _ = try SafeTensorsFile(path: write(header: "{\"w\": [", data: [])) }
        XCTAssertTrue(error?.description.contains("not valid JSON") ?? false, error?.description ?? "")
    }

    func testOffsetsOutOfRangeNameTheTensor() throws {
        let header = #"{"late":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}"#
        let error = tensorsError { _ = try SafeTensorsFile(path: write(header: header, data: floatBytes([1, 2]))) }
        XCTAssertEqual(error?.code, .malformed)
        XCTAssertTrue(error?.description.contains("tensor \"late\": data_offsets [4, 12] run past the data area of 8 bytes") ?? false,
                      error?.description ?? "")
    }

    func testOverlappingTensors() throws {
        let header = """
        {"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}
        """
        let error = tensorsError { _ = try SafeTensorsFile(path: write(header: header, data: floatBytes([1, 2, 3]))) }
        XCTAssertEqual(error?.code, .malformed)
        XCTAssertTrue(error?.description.contains("tensor \"b\": bytes [4, 12) overlap tensor \"a\"") ?? false, error?.description ?? "")
    }

    func testShapeDisagreeingWithSpan() throws {
        let header = #"{"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#
        let error = tensorsError { _ = try SafeTensorsFile(path: write(header: header, data: floatBytes([1, 2]))) }
        XCTAssertTrue(error?.description.contains("tensor \"w\": shape [3] × F32 is 12 bytes but data_offsets span 8") ?? false,
                      error?.description ?? "")
    }

    func testUnknownDType() throws {
        let header = #"{"w":{"dtype":"F31","shape":[1],"data_offsets":[0,4]}}"#
        let error = tensorsError { _ = try SafeTensorsFile(path: write(header: header, data: floatBytes([1]))) }
        XCTAssertTrue(error?.description.contains("tensor \"w\": unknown dtype \"F31\"") ?? false, error?.description ?? "")
    }

    func testWrongDTypeOrShapeForTheModel() throws {
        let header = #"{"ids":{"dtype":"I64","shape":[1],"data_offsets":[0,8]},"w":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}"#
        let file = try SafeTensorsFile(path: write(header: header, data: [UInt8](repeating: 0, count: 8) + floatBytes([1])))
        let dtype = tensorsError { _ = try file.floats("ids") }
        XCTAssertEqual(dtype?.code, .tensorMismatch)
        XCTAssertTrue(dtype?.description.contains("\"ids\"") ?? false)
        XCTAssertTrue(dtype?.description.contains("I64 is not a floating type") ?? false, dtype?.description ?? "")
        let shape = tensorsError { _ = try file.floats("w", shape: [2]) }
        XCTAssertTrue(shape?.description.contains("expected shape [2], found [1]") ?? false, shape?.description ?? "")
        let missing = tensorsError { _ = try file.floats("nope") }
        XCTAssertEqual(missing?.code, .missingTensor)
    }

    func testMissingFile() throws {
        let error = tensorsError { _ = try SafeTensorsFile(path: "/nonexistent/model.safetensors") }
        XCTAssertEqual(error?.code, .io)
    }
}

/// The SafeTensorsError thrown by `body`, failing the test when it throws nothing or another type.
func tensorsError(file: StaticString = #filePath, line: UInt = #line, _ body: () throws -> Void) -> SafeTensorsError? {
    thrownError(SafeTensorsError.self, file: file, line: line, body)
}
