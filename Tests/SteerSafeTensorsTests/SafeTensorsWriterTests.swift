// safetensors writing: what the writer emits the reader reads back exactly, and bad input is refused.
import SteerTestSupport
import XCTest
@testable import SteerSafeTensors

final class SafeTensorsWriterTests: XCTestCase {
    func testRoundTripKeepsValuesShapesAndMetadata() throws {
        let path = try temporaryDirectory("steer-safetensors") + "/out.safetensors"
        let tensors = [
            SafeTensorsTensor(name: "b.weight", shape: [2, 3], values: [1.5, -2.25, 3, .leastNonzeroMagnitude, -0.0, 6e30]),
            SafeTensorsTensor(name: "a", shape: [1], values: [7]),
            SafeTensorsTensor(name: "empty", shape: [0, 4], values: []),
        ]
        try SafeTensorsWriter.write(tensors, metadata: ["config": #"{"n": 1}"#, "tokens": "[\"x\"]"], to: path)
        let file = try SafeTensorsFile(path: path)
        XCTAssertEqual(file.metadata, ["config": #"{"n": 1}"#, "tokens": "[\"x\"]"])
        XCTAssertEqual(Set(file.entries.keys), ["b.weight", "a", "empty"])
        // Bit for bit: the writer stores the floats' own bytes (−0 and a subnormal included).
        XCTAssertEqual(try file.floats("b.weight", shape: [2, 3]).map(\.bitPattern), tensors[0].values.map(\.bitPattern))
        XCTAssertEqual(try file.floats("a"), [7])
        XCTAssertEqual(try file.entry("empty").shape, [0, 4])
        // The data area starts 8-byte aligned (header padded with spaces).
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        let headerLength = bytes.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        XCTAssertEqual(headerLength % 8, 0)
    }

    func testSameTensorsGiveTheSameBytes() throws {
        let tensors = [SafeTensorsTensor(name: "z", shape: [2], values: [1, 2]), SafeTensorsTensor(name: "y", shape: [1], values: [3])]
        XCTAssertEqual(try SafeTensorsWriter.encode(tensors, metadata: ["b": "1", "a": "2"]),
                       try SafeTensorsWriter.encode(tensors, metadata: ["a": "2", "b": "1"]))
    }

    func testRefusesRepeatedNamesAndShortValues() {
        let repeated = tensorsError {
            _ = try SafeTensorsWriter.encode([SafeTensorsTensor(name: "w", shape: [1], values: [1]), SafeTensorsTensor(name: "w", shape: [1], values: [2])])
        }
        XCTAssertEqual(repeated?.code, .malformed)
        XCTAssertTrue(repeated?.description.contains("\"w\"") ?? false, repeated?.description ?? "")
        let short = tensorsError { _ = try SafeTensorsWriter.encode([SafeTensorsTensor(name: "w", shape: [2, 2], values: [1, 2, 3])]) }
        XCTAssertTrue(short?.description.contains("shape [2, 2] does not hold its 3 values") ?? false, short?.description ?? "")
    }

    func testMetadataMustMapStringsToStrings() throws {
        let path = try temporaryDirectory("steer-safetensors") + "/meta.safetensors"
        let json = Array(#"{"__metadata__":{"n":3},"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#.utf8)
        let bytes = withUnsafeBytes(of: UInt64(json.count).littleEndian, Array.init) + json + [0, 0, 128, 63]
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let error = tensorsError { _ = try SafeTensorsFile(path: path) }
        XCTAssertEqual(error?.code, .malformed)
        XCTAssertTrue(error?.description.contains("\"__metadata__\" key \"n\" is not a string") ?? false, error?.description ?? "")
    }
}
