// Shared helpers for the ABI tests of the Swift backbone plugins (SASRec, GRU4Rec) as SwiftPM builds them.
import CSequentialEncoder
import Foundation
import SteerNN
import XCTest

@testable import SteerPlugins

/// What the shared checks need to know about one plugin.
struct PluginSpec: Sendable {
    let name: String
    /// d and max_len of the default config.
    let defaultDim: Int
    let defaultMaxLen: Int
    /// A tiny model: V = 7, d = 8, max_len = 5, dropout 0 (the gradient check's model).
    let tiny: String
    /// The tiny model with dropout on.
    let tinyWithDropout: String
    /// Config keys that change a tensor's shape, each with a new value (refused on saved weights).
    let shapeChange: (key: String, json: String)
    /// A key that leaves the shapes alone (accepted on saved weights).
    let nonShapeChange: String
    /// A key with an invalid value.
    let badValue: (key: String, json: String)
    /// The vector encode returns for an empty history, read from the model's parameters.
    let coldStart: @Sendable (TrainableBackbone) throws -> [Float]
    /// V = 7 with keys set to JSON 0 and 1, which must read as numbers.
    let zeroAndOne: String
    /// The default model on 300 items, for concurrent encodes.
    let concurrent: String
}

enum Plugins {
    /// The directory of the SwiftPM build products: the test binary's own directory, or the one
    /// above when the binary sits in a `.xctest` bundle; `STEER_TEST_PLUGIN_DIR` overrides it.
    static var directory: String {
        let testBinary = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var products = URL(fileURLWithPath: testBinary).deletingLastPathComponent()
        if products.lastPathComponent.hasSuffix(".xctest") { products.deleteLastPathComponent() }
        if products.lastPathComponent == "Contents" {  // macOS bundle layout: …/X.xctest/Contents/MacOS/X
            products = products.deletingLastPathComponent().deletingLastPathComponent()
        }
        return ProcessInfo.processInfo.environment["STEER_TEST_PLUGIN_DIR"] ?? products.path
    }

    /// Loads a plugin built by SwiftPM. A missing library is a failure, not a skip: these tests
    /// exist to exercise the real products (`swift build` builds them before `swift test` runs).
    static func load(_ name: String, config: String = "", weights: [UInt8] = [],
                     file: StaticString = #filePath, line: UInt = #line) throws -> Backbone {
        let path = directory + "/libSteerBackbone\(name).so"
        XCTAssertTrue(FileManager.default.fileExists(atPath: path),
                      "no libSteerBackbone\(name).so in \(directory): build the package (swift build) before testing", file: file, line: line)
        return try PluginHost(directory: directory).load(name: name, config: config, weights: weights)
    }

    static func trainable(_ name: String, config: String, weights: [UInt8] = [],
                          file: StaticString = #filePath, line: UInt = #line) throws -> TrainableBackbone {
        try TrainableBackbone(load(name, config: config, weights: weights, file: file, line: line))
    }
}

/// One batch of left-aligned training rows (B × T ids; positions ≥ lengths[b] are padding).
struct TrainingBatch {
    var ids: [UInt32]
    var lengths: [UInt32]
    let batch: Int, time: Int

    /// Rows of the given lengths with random ids in 0..<nItems; padding holds `padding`.
    init(lengths: [Int], time: Int, nItems: Int, padding: UInt32 = 0, rng: inout RNG) {
        batch = lengths.count
        self.time = time
        self.lengths = lengths.map(UInt32.init)
        ids = [UInt32](repeating: padding, count: lengths.count * time)
        for (b, length) in lengths.enumerated() {
            for j in 0..<length { ids[b * time + j] = UInt32(rng.below(nItems)) }
        }
    }

    /// The history of row b (its real ids).
    func history(_ b: Int) -> [UInt32] { Array(ids[(b * time)..<(b * time + Int(lengths[b]))]) }
}

extension TrainableBackbone {
    /// forward_train into a fresh B × T × d array.
    func forward(_ batch: TrainingBatch) throws -> [Float] {
        var out = [Float](repeating: .nan, count: batch.batch * batch.time * dim)
        try forward(itemIDs: batch.ids, lengths: batch.lengths, batch: batch.batch, time: batch.time, into: &out)
        return out
    }

    func backward(_ dHidden: [Float]) throws {
        try backward(dHidden: dHidden)
    }

    func parameter(_ name: String) throws -> BackboneParameter {
        guard let p = try parameters().first(where: { $0.name == name }) else {
            throw PluginError(.callFailed(backbone: backbone.info.name, function: "parameters", code: 0, message: "no parameter \(name)"))
        }
        return p
    }
}

extension Backbone {
    /// Calls the plugin's encode directly, below the host's own id check; returns the error's code and message.
    func rawEncodeError(ids: [UInt32], lengths: [UInt32]) -> (code: Int32, message: String)? {
        var out = [Float](repeating: 0, count: lengths.count * info.dim)
        guard let error = library.table.encode!(model, ids, lengths, lengths.count, &out) else { return nil }
        return library.consume(error)
    }
}

/// Σ a[i]·w[i] in Double.
func weightedSum(_ a: [Float], _ w: [Float]) -> Double {
    zip(a, w).reduce(0) { $0 + Double($1.0) * Double($1.1) }
}

func randomFloats(_ n: Int, _ rng: inout RNG, scale: Float = 1) -> [Float] {
    (0..<n).map { _ in scale * (2 * rng.uniform() - 1) }
}

func assertClose(_ a: [Float], _ b: [Float], tolerance: Float = 1e-5, _ message: String,
                 file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(a.count, b.count, "\(message): sizes", file: file, line: line)
    let worst = zip(a, b).map { abs($0 - $1) / max(1, abs($0), abs($1)) }.max() ?? 0
    XCTAssertLessThanOrEqual(worst, tolerance, message, file: file, line: line)
}

/// Asserts that `body` throws a `PluginError` of `kind` whose message contains every string of `parts`.
func assertPluginError<T>(_ body: @autoclosure () throws -> T, kind: PluginError.Kind, mentions parts: [String],
                          file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertThrowsError(try body(), file: file, line: line) { error in
        guard let error = error as? PluginError else { return XCTFail("not a PluginError: \(error)", file: file, line: line) }
        XCTAssertEqual(error.kind, kind, "\(error)", file: file, line: line)
        for part in parts {
            XCTAssertTrue(error.description.contains(part), "\"\(error)\" does not mention \(part)", file: file, line: line)
        }
    }
}

/// Results written from several threads, read after they join.
final class ResultSlots: @unchecked Sendable {
    private let lock = NSLock()
    private var slots: [Int: [Float]] = [:]
    private var failures: [String] = []

    func set(_ i: Int, _ value: [Float]) { lock.withLock { slots[i] = value } }
    func fail(_ message: String) { lock.withLock { failures.append(message) } }
    var values: [Int: [Float]] { lock.withLock { slots } }
    var errors: [String] { lock.withLock { failures } }
}
