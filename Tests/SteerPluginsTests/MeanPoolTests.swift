// ABI test of the MeanPool plugin (Plugins/MeanPool), compiled from source at test time.

import CSequentialEncoder
import Foundation
import XCTest

@testable import SteerPlugins

final class MeanPoolTests: XCTestCase {
    /// V = 4 items, d = 2.
    private static let table: [Float] = [1, 2, 3, -1, 0.5, 0.25, -2, 4]

    /// MeanPool's weights layout: "SMP1", n_items, dim (little-endian u32), then floats.
    static func weights(nItems: UInt32, dim: UInt32, floats: [Float], magic: UInt32 = 0x3150_4D53) -> [UInt8] {
        var bytes: [UInt8] = []
        for word in [magic, nItems, dim] + floats.map(\.bitPattern) {
            withUnsafeBytes(of: word.littleEndian) { bytes.append(contentsOf: $0) }
        }
        return bytes
    }

    private func load(config: String = "", weights: [UInt8]? = nil) throws -> Backbone {
        try PluginHost(directory: try FixturePlugins.pluginDirectory()).load(
            name: "MeanPool", config: config, weights: weights ?? Self.weights(nItems: 4, dim: 2, floats: Self.table))
    }

    func testInfo() throws {
        let info = try load().info
        XCTAssertEqual(info.name, "MeanPool")
        XCTAssertEqual(info.pluginVersion, "1.0.0")
        XCTAssertEqual([info.abiMajor, info.abiMinor], [1, 0])
        XCTAssertEqual([info.dim, info.nItems, info.maxLen], [2, 4, 200])
        XCTAssertFalse(info.trainable)
        XCTAssertTrue(info.path.hasSuffix("/libSteerBackboneMeanPool.so"))
        XCTAssertEqual(info.sha256, SHA256.hexDigest(try [UInt8](Data(contentsOf: URL(fileURLWithPath: info.path)))))
    }

    func testEncodeIsTheMeanOfTheHistory() throws {
        let backbone = try load()
        let out = try backbone.encode(histories: [[0, 1, 2], [3], [], [1, 1]])
        // (e0 + e1 + e2) / 3 = ((1 + 3 + 0.5) / 3, (2 - 1 + 0.25) / 3); empty → zero vector.
        let expected: [Float] = [1.5, 1.25 / 3, -2, 4, 0, 0, 3, -1]
        XCTAssertEqual(out.count, expected.count)
        for (a, b) in zip(out, expected) { XCTAssertEqual(a, b, accuracy: 1e-6) }
        XCTAssertEqual(backbone.itemEmbeddings, Self.table)
    }

    func testLongHistoriesKeepTheMostRecentMaxLenItems() throws {
        let backbone = try load(config: #"  { "max_len" : 2 } "#)
        XCTAssertEqual(backbone.info.maxLen, 2)
        // Only e2 and e3 count: ((0.5 - 2) / 2, (0.25 + 4) / 2).
        XCTAssertEqual(try backbone.encode(histories: [[0, 1, 2, 3], [3]]), [-0.75, 2.125, -2, 4])
    }

    func testBadIdsAreErrors() throws {
        XCTAssertPluginError(
            try load().encode(histories: [[0], [1, 4]]), kind: .invalidInput,
            "item id 4 in history 1 at position 1 is out of range: backbone MeanPool has 4 items (ids 0..<4)")
    }

    func testPluginChecksIdsItself() throws {
        // Below the host's own check: call the table directly, as a host that forgot would.
        let path = try FixturePlugins.pluginDirectory() + "/libSteerBackboneMeanPool.so"
        let library = try PluginLibrary.open(path: path, copyDirectory: NSTemporaryDirectory())
        let weights = Self.weights(nItems: 4, dim: 2, floats: Self.table)
        var model: OpaquePointer?
        XCTAssertNil(weights.withUnsafeBytes { library.table.create!(nil, $0.baseAddress, $0.count, &model) })
        defer { library.table.destroy!(model) }
        let ids: [UInt32] = [0, 1, 9]
        let lengths: [UInt32] = [1, 2]
        var out = [Float](repeating: 0, count: 4)
        let error = try XCTUnwrap(library.table.encode!(model, ids, lengths, 2, &out))
        let (code, message) = library.consume(error)
        XCTAssertEqual(code, Int32(STEER_SE_ERROR_INVALID_ARGUMENT.rawValue))
        XCTAssertEqual(message, "MeanPool encode: item id 9 at history 1 position 1 is out of range (n_items = 4)")
    }

    func testInvalidConfigNamesTheKey() {
        let prefix = "plugin libSteerBackboneMeanPool.so failed to create its model (code 2): MeanPool config: "
        let cases: [(String, String)] = [
            (#"{"maxlen": 3}"#, #"unknown key "maxlen" (allowed: max_len)"#),
            (#"{"max_len": 0}"#, #""max_len" must be an integer in 1...1048576, got 0"#),
            (#"{"max_len": 2.5}"#, #""max_len" must be an integer in 1...1048576, got 2.5"#),
            (#"{"max_len": "7"}"#, #""max_len" must be an integer in 1...1048576, got "7""#),
            (#"{"max_len": 2, "max_len": 3}"#, #"duplicate key "max_len""#),
            ("[]", "expected a JSON object"),
        ]
        for (config, message) in cases {
            XCTAssertPluginError(try load(config: config), kind: .createFailed, prefix + message)
        }
        XCTAssertEqual(try load(config: " {} ").info.maxLen, 200)
    }

    func testInvalidWeights() {
        let prefix = "plugin libSteerBackboneMeanPool.so failed to create its model (code 2): MeanPool weights: "
        XCTAssertPluginError(
            try load(weights: Self.weights(nItems: 4, dim: 2, floats: Self.table, magic: 0)), kind: .createFailed,
            prefix + #"bad magic 0x00000000 (expected 0x31504d53, "SMP1")"#)
        XCTAssertPluginError(
            try load(weights: Self.weights(nItems: 4, dim: 2, floats: [1, 2, 3])), kind: .createFailed,
            prefix + "24 bytes, expected 12 + 4 x 4 x 2")
        XCTAssertPluginError(
            try load(weights: [0x53, 0x4D]), kind: .createFailed,
            prefix + "2 bytes, shorter than the 12-byte header")
        XCTAssertPluginError(
            try load(weights: Self.weights(nItems: 0, dim: 2, floats: [])), kind: .createFailed,
            prefix + "n_items (0) and dim (2) must be positive")
        XCTAssertPluginError(
            try load(weights: Self.weights(nItems: 1, dim: 2, floats: [1, .nan])), kind: .createFailed,
            prefix + "embedding of item 0, component 1 is not finite")
    }

    /// The SwiftPM-built product, found next to this test binary (`make test` builds it first);
    /// `STEER_TEST_PLUGIN_DIR` points elsewhere.
    func testSwiftPMBuiltLibrary() throws {
        let testBinary = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var products = URL(fileURLWithPath: testBinary).deletingLastPathComponent()
        if products.lastPathComponent.hasSuffix(".xctest") { products.deleteLastPathComponent() }
        let directory = ProcessInfo.processInfo.environment["STEER_TEST_PLUGIN_DIR"] ?? products.path
        XCTAssertTrue(FileManager.default.fileExists(atPath: directory + "/libSteerBackboneMeanPool.so"),
                      "no libSteerBackboneMeanPool.so in \(directory): build the package (swift build) before testing")
        let backbone = try PluginHost(directory: directory).load(
            name: "MeanPool", weights: Self.weights(nItems: 4, dim: 2, floats: Self.table))
        XCTAssertEqual(backbone.info.name, "MeanPool")
        XCTAssertEqual(try backbone.encode(histories: [[1, 3]]), [0.5, 1.5])
    }
}
