// What the Recommend tests serve (the minimal part of SteerDaemonTests/SteeringFixture.swift): the
// MeanPool plugin compiled from source, and a checkpoint with its weights, titles, categories and
// optionally a DPR head.
import Foundation
import SteerDPR
import SteerSnapshot

/// A plugin directory holding libSteerBackboneMeanPool.so, built once per test process with the
/// system C compiler, so the tests do not depend on where SwiftPM put its products.
enum MeanPoolPlugin {
    static let directory: Result<String, Error> = Result { try build() }

    private static func build() throws -> String {
        let output = NSTemporaryDirectory() + "steerd-ctest-plugins-\(getpid())"
        try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
        let sources = try FileManager.default.contentsOfDirectory(atPath: repositoryRoot + "/Plugins/MeanPool")
            .filter { $0.hasSuffix(".c") }.sorted().map { repositoryRoot + "/Plugins/MeanPool/" + $0 }
        let result = try runProcess("/usr/bin/env", ["cc", "-shared", "-fPIC", "-fvisibility=hidden", "-std=c11", "-O1",
                                                     "-I", repositoryRoot + "/Sources/CSequentialEncoder/include",
                                                     "-I", repositoryRoot + "/Plugins/MeanPool/include",
                                                     "-o", output + "/libSteerBackboneMeanPool.so"] + sources)
        guard result.status == 0 else {
            throw NSError(domain: "MeanPoolPlugin", code: 1, userInfo: [NSLocalizedDescriptionKey: result.standardError])
        }
        return output
    }
}

/// A MeanPool "model" of V items in d dimensions with titles "Movie i".
struct SteeringFixture {
    static let itemCount = 40
    static let dim = 8
    static let categoryNames = ["Comedy", "Horror", "Drama"]

    /// V × d, fixed pseudo-random values in [-1, 1].
    let items: [Float] = (0..<(SteeringFixture.itemCount * SteeringFixture.dim)).map { i in
        Float((i &* 2_654_435_761) % 2_001) / 1_000 - 1
    }

    static func categories(of item: Int) -> [UInt32] {
        item % 5 == 0 ? [UInt32(item % 3), UInt32((item + 1) % 3)] : [UInt32(item % 3)]
    }

    /// A head whose two towers move the user vector in opposite directions, so polarity matters.
    static func head(dim: Int = SteeringFixture.dim, encoderDim: Int = 384) throws -> DPRHead {
        let head = try DPRHead(config: DPRConfig(dim: dim, encoderDim: encoderDim, keyValue: .tokens, gate: .layerScale(initial: 1)), seed: 5)
        for (tower, sign) in [("pos", Float(1)), ("neg", Float(-1))] {
            let bias = head.table.value("\(tower).ffn.b2")
            for j in 0..<dim { bias[j] += sign * Float(j % 3) * 0.5 }
        }
        return head
    }

    /// MeanPool's weights: "SMP1", n_items, dim (little-endian u32), then the floats.
    var weights: [UInt8] {
        var bytes: [UInt8] = []
        for word in [0x3150_4D53, UInt32(Self.itemCount), UInt32(Self.dim)] + items.map(\.bitPattern) {
            withUnsafeBytes(of: word.littleEndian) { bytes.append(contentsOf: $0) }
        }
        return bytes
    }

    /// Writes a "backbone-checkpoint" with the items and, when given, `headArchive` as `dpr_head`.
    func writeCheckpoint(to path: String, headArchive: [UInt8]?) throws {
        var s = Snapshot(kind: "backbone-checkpoint", sections: [
            "plugin": Array("MeanPool".utf8), "config": [], "weights": weights, "training": Array("{}".utf8),
        ])
        if let headArchive {
            s.sections["dpr_head"] = headArchive
            s.sections["dpr_training"] = Array("{}".utf8)
        }
        s.put(strings: (0..<Self.itemCount).map { "item\($0)" }, as: "item_tokens")
        s.put(strings: (0..<Self.itemCount).map { "Movie \($0)" }, as: "item_titles")
        s.put(strings: Self.categoryNames, as: "category_names")
        var offsets: [UInt32] = [0], ids: [UInt32] = []
        for item in 0..<Self.itemCount {
            ids += Self.categories(of: item)
            offsets.append(UInt32(ids.count))
        }
        s.put(offsets, as: "item_category_offsets")
        s.put(ids, as: "item_category_ids")
        try s.write(to: path)
    }

    /// Exact top-k by inner product with `query`, best first, ties by ascending id, `excluded` left out.
    func rank(_ query: [Float], k: Int, excluding excluded: Set<UInt32> = []) -> [(item: UInt32, score: Float)] {
        let d = Self.dim
        var scored: [(item: UInt32, score: Float)] = []
        for i in 0..<Self.itemCount where !excluded.contains(UInt32(i)) {
            var score: Float = 0
            for j in 0..<d { score += query[j] * items[i * d + j] }
            scored.append((UInt32(i), score))
        }
        scored.sort { $0.score != $1.score ? $0.score > $1.score : $0.item < $1.item }
        return Array(scored.prefix(k))
    }
}

/// Runs a program to completion and collects its output.
func runProcess(_ executable: String, _ arguments: [String]) throws -> (status: Int32, standardOutput: String, standardError: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    let output = Pipe(), errors = Pipe()
    process.standardOutput = output
    process.standardError = errors
    try process.run()
    // Drain standard error on another thread while this one drains standard output, so neither pipe fills up.
    final class Box: @unchecked Sendable { var data = Data(); let handle: FileHandle; init(_ h: FileHandle) { handle = h } }
    let errorBox = Box(errors.fileHandleForReading)
    let done = DispatchSemaphore(value: 0)
    DispatchQueue.global().async {
        errorBox.data = errorBox.handle.readDataToEndOfFile()
        done.signal()
    }
    let outputData = output.fileHandleForReading.readDataToEndOfFile()
    done.wait()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: outputData, as: UTF8.self), String(decoding: errorBox.data, as: UTF8.self))
}
