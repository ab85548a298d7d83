// Low-rank adapters (a fine-tuned router's encoder shipped as its change from the base): the
// file read byte by byte, the weight each layer loads with, and what is refused.
import Foundation
import SteerRandom
import SteerSafeTensors
import SteerTestSupport
import XCTest
@testable import SteerText

final class LowRankAdapterTests: XCTestCase {
    private func file(_ bytes: [UInt8]) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("adapters-\(UUID().uuidString).safetensors")
        try Data(bytes).write(to: url)
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }

    private func file(_ tensors: [SafeTensorsTensor]) throws -> URL {
        try file(SafeTensorsWriter.encode(tensors))
    }

    /// A file written out by hand, byte by byte: a header naming one layer's two halves in F16,
    /// then their values. The layer loads with W + B · A (every value below is exact in F16 and
    /// in Float, so the sums are too).
    func testReadsHalvesByteByByteAndAddsTheirProduct() throws {
        let header = #"{"x.lora_a":{"dtype":"F16","shape":[1,3],"data_offsets":[0,6]},"x.lora_b":{"dtype":"F16","shape":[2,1],"data_offsets":[6,10]}}"#
        var bytes = withUnsafeBytes(of: UInt64(header.utf8.count).littleEndian, Array.init) + Array(header.utf8)
        // A = [1, -0.5, 2], B = [0.25, -3] (F16 bit patterns, little-endian).
        for bits: UInt16 in [0x3C00, 0xB800, 0x4000, 0x3400, 0xC200] { bytes += [UInt8(bits & 0xFF), UInt8(bits >> 8)] }
        let adapters = try LowRankAdapters(contentsOf: try file(bytes))
        XCTAssertEqual(adapters.names, ["x"])
        let weight: [Float] = [1, 2, 3, 4, 5, 6]   // [out 2, in 3]
        let expected: [Float] = [1.25, 1.875, 3.5, 1, 6.5, 0]   // W + [0.25, -3]ᵀ · [1, -0.5, 2]
        XCTAssertEqual(try adapters.adapted(weight, name: "x", out: 2, in: 3), expected)
        // A layer without an adapter loads as it is.
        XCTAssertEqual(try adapters.adapted(weight, name: "y", out: 2, in: 3), weight)
    }

    /// Rank 2, F32: each row of the change is the sum over the rank of B's column times A's row.
    func testRankTwoChangeIsTheMatrixProduct() throws {
        let a: [Float] = [1, 0, 2, 0, 1, -1]     // [2, 3]
        let b: [Float] = [1, 2, 0, -1, 3, 0.5]   // [3, 2]
        let adapters = try LowRankAdapters(contentsOf: try file([
            SafeTensorsTensor(name: "l.lora_a", shape: [2, 3], values: a), SafeTensorsTensor(name: "l.lora_b", shape: [3, 2], values: b),
        ]))
        let zero = [Float](repeating: 0, count: 9)
        var expected = zero
        for row in 0..<3 { for column in 0..<3 { for k in 0..<2 { expected[row * 3 + column] += b[row * 2 + k] * a[k * 3 + column] } } }
        XCTAssertEqual(try adapters.adapted(zero, name: "l", out: 3, in: 3), expected)
        XCTAssertEqual(expected, [1, 2, 0, 0, -1, 1, 3, 0.5, 5.5])
    }

    /// What a file of adapters must not be: each refusal names the tensor.
    func testRefusesWhatIsNotAPairOfHalves() throws {
        func refusal(_ tensors: [SafeTensorsTensor]) throws -> String {
            do {
                _ = try LowRankAdapters(contentsOf: try file(tensors))
                XCTFail("loaded: \(tensors.map(\.name))")
                return ""
            } catch let error as SteerTextError {
                XCTAssertEqual(error.code, .tensorMismatch)
                return error.description
            }
        }
        let a = SafeTensorsTensor(name: "l.lora_a", shape: [2, 3], values: [Float](repeating: 1, count: 6))
        let b = SafeTensorsTensor(name: "l.lora_b", shape: [4, 2], values: [Float](repeating: 1, count: 8))
        XCTAssertTrue(try refusal([a]).contains("l.lora_b"))
        XCTAssertTrue(try refusal([b]).contains("l.lora_a"))
        XCTAssertTrue(try refusal([a, SafeTensorsTensor(name: "l.lora_b", shape: [4, 3], values: [Float](repeating: 1, count: 12))]).contains("rank 3"))
        XCTAssertTrue(try refusal([a, b, SafeTensorsTensor(name: "l.weight", shape: [4, 3], values: [Float](repeating: 1, count: 12))]).contains("l.weight"))
        XCTAssertTrue(try refusal([SafeTensorsTensor(name: "l.lora_a", shape: [6], values: [Float](repeating: 1, count: 6)), b]).contains("two dimensions"))
        XCTAssertTrue(try refusal([SafeTensorsTensor(name: "l.lora_a", shape: [2, 3], values: [1, 1, .nan, 1, 1, 1]), b]).contains("NaN"))
        XCTAssertTrue(try refusal([]).contains("no adapters"))

        // A pair that does not fit the layer it names, and a layer the encoder does not have.
        let adapters = try LowRankAdapters(contentsOf: try file([a, b]))
        XCTAssertThrowsError(try adapters.adapted([Float](repeating: 0, count: 12), name: "l", out: 3, in: 4))
        XCTAssertNoThrow(try adapters.check(covers: ["l", "m"]))
        XCTAssertThrowsError(try adapters.check(covers: ["m"])) { XCTAssertTrue("\($0)".contains("no linear layer \"l\"")) }
    }

    /// On MiniLM: the encoder loaded with adapters is the encoder whose weights file holds the
    /// merged weights (the folder `Scripts/train-router-encoder` writes beside them), up to
    /// float summation order; stacked query/key/value take each its own change. Adapters named
    /// for layers MiniLM does not have are refused.
    func testMiniLMWithAdaptersEqualsMiniLMWithMergedWeights() throws {
        let base = try XCTUnwrap(modelFolder("all-MiniLM-L6-v2"), "MiniLM is fetched by Scripts/setup")
        var rng = SeededRandom(seed: 5)
        let layers = ["encoder.layer.0.attention.self.query", "encoder.layer.0.attention.self.value",
                      "encoder.layer.3.intermediate.dense", "encoder.layer.5.output.dense"]
        let weights = try SafeTensorsFile(path: base.appendingPathComponent("model.safetensors").path)
        var tensors: [SafeTensorsTensor] = []
        var merged: [String: [Float]] = [:]
        for layer in layers {
            let shape = try weights.entry(layer + ".weight").shape
            let a = (0..<(4 * shape[1])).map { _ in rng.nextSigned() * 0.05 }, b = (0..<(shape[0] * 4)).map { _ in rng.nextSigned() * 0.05 }
            tensors += [SafeTensorsTensor(name: layer + ".lora_a", shape: [4, shape[1]], values: a),
                        SafeTensorsTensor(name: layer + ".lora_b", shape: [shape[0], 4], values: b)]
            var w = try weights.floats(layer + ".weight")
            for row in 0..<shape[0] { for k in 0..<4 { for column in 0..<shape[1] { w[row * shape[1] + column] += b[row * 4 + k] * a[k * shape[1] + column] } } }
            merged[layer + ".weight"] = w
        }
        let adapters = try LowRankAdapters(contentsOf: try file(tensors))

        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("merged-\(UUID().uuidString)/all-MiniLM-L6-v2")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: folder.deletingLastPathComponent()) }
        for name in try FileManager.default.contentsOfDirectory(atPath: base.path) where name != "model.safetensors" {
            try FileManager.default.createSymbolicLink(at: folder.appendingPathComponent(name), withDestinationURL: base.appendingPathComponent(name))
        }
        // The float tensors (the writer writes F32 only; the encoder reads no other).
        try SafeTensorsWriter.write(try weights.entries.keys.sorted().filter { weights.entries[$0]!.dtype == .f32 }.map { name in
            SafeTensorsTensor(name: name, shape: weights.entries[name]!.shape, values: try merged[name] ?? weights.floats(name))
        }, to: folder.appendingPathComponent("model.safetensors").path)

        let adapted = try MiniLMEncoder(directory: base, adapters: adapters)
        let reference = try MiniLMEncoder(directory: folder)
        let plain = try MiniLMEncoder(directory: base)
        let texts = ["no horror tonight", "a comedy, but please no romance"]
        let (x, y, z) = (adapted.tokenStates(texts), reference.tokenStates(texts), plain.tokenStates(texts))
        for k in texts.indices {
            XCTAssertEqual(x[k].count, y[k].count)
            let gap = zip(x[k].values, y[k].values).map { abs($0 - $1) }.max()!
            XCTAssertLessThan(gap, 1e-4, texts[k])
            XCTAssertGreaterThan(zip(x[k].values, z[k].values).map { abs($0 - $1) }.max()!, 1e-2, "the adapters change the states")
        }

        let stray = try LowRankAdapters(contentsOf: try file([
            SafeTensorsTensor(name: "encoder.layer.6.output.dense.lora_a", shape: [1, 1536], values: [Float](repeating: 0, count: 1536)),
            SafeTensorsTensor(name: "encoder.layer.6.output.dense.lora_b", shape: [384, 1], values: [Float](repeating: 0, count: 384)),
        ]))
        XCTAssertThrowsError(try MiniLMEncoder(directory: base, adapters: stray)) { XCTAssertTrue("\($0)".contains("encoder.layer.6.output.dense")) }
    }
}
