// What the Fuse and Recommend tests serve: the MeanPool plugin compiled from source, and
// checkpoints carrying its weights, item titles and categories and a DPR head made here.
import Foundation
import SteerCheckpoint
import SteerDPR

/// A plugin directory holding libSteerBackboneMeanPool.so, built once per test process with the
/// system C compiler, so the tests do not depend on where SwiftPM put its products.
public enum MeanPoolPlugin {
    public static let directory: Result<String, Error> = Result { try build() }

    private static func build() throws -> String {
        let output = NSTemporaryDirectory() + "steerd-test-plugins-\(getpid())"
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

/// A MeanPool "model" of V items in d dimensions, with titles "Movie i" and categories, and the
/// checkpoint files a test writes into a daemon's snapshot directory.
public struct SteeringFixture {
    public static let itemCount = 40
    public static let dim = 8
    public static let categoryNames = ["Comedy", "Horror", "Drama"]

    /// V × d item embeddings.
    public let items: [Float]

    /// The fixture with `items` (default: fixed pseudo-random values in [-1, 1]); a test that
    /// needs a second model with the same titles and categories passes other embeddings.
    public init(items: [Float] = SteeringFixture.defaultItems) {
        precondition(items.count == Self.itemCount * Self.dim, "a fixture holds \(Self.itemCount) × \(Self.dim) floats")
        self.items = items
    }

    public static let defaultItems: [Float] = (0..<(itemCount * dim)).map { i in
        Float((i &* 2_654_435_761) % 2_001) / 1_000 - 1
    }

    /// Item i is in category i % 3, and every fifth item also in (i + 1) % 3.
    public static func categories(of item: Int) -> [UInt32] {
        item % 5 == 0 ? [UInt32(item % 3), UInt32((item + 1) % 3)] : [UInt32(item % 3)]
    }

    /// A head for MeanPool's width whose fusion is far from the identity: gates at 1 (not the
    /// near-identity 0.01) and opposite output biases on the two towers, so polarity matters.
    public static func head(keyValue: KeyValueMode = .tokens, dim: Int = SteeringFixture.dim, encoderDim: Int = 384) throws -> DPRHead {
        let head = try DPRHead(config: DPRConfig(dim: dim, encoderDim: encoderDim, keyValue: keyValue, gate: .layerScale(initial: 1)), seed: 5)
        for (tower, sign) in [("pos", Float(1)), ("neg", Float(-1))] {
            let bias = head.table.value("\(tower).ffn.b2")
            for j in 0..<dim { bias[j] += sign * Float(j % 3) * 0.5 }
        }
        return head
    }

    /// MeanPool's weights: "SMP1", n_items, dim (little-endian u32), then the floats.
    public var weights: [UInt8] {
        var bytes: [UInt8] = []
        for word in [0x3150_4D53, UInt32(Self.itemCount), UInt32(Self.dim)] + items.map(\.bitPattern) {
            withUnsafeBytes(of: word.littleEndian) { bytes.append(contentsOf: $0) }
        }
        return bytes
    }

    /// Writes a MeanPool checkpoint with the items and, when given, `headArchive` as its DPR head.
    public func writeCheckpoint(to path: String, headArchive: [UInt8]?) throws {
        var checkpoint = BackboneCheckpoint(
            plugin: "MeanPool", weights: weights, itemTokens: (0..<Self.itemCount).map { "item\($0)" },
            itemTitles: (0..<Self.itemCount).map { "Movie \($0)" }, categoryNames: Self.categoryNames,
            itemCategories: (0..<Self.itemCount).map { Self.categories(of: $0).map { Int32($0) } })
        if let headArchive {
            checkpoint.dprHead = headArchive
            checkpoint.dprTrainingJSON = "{}"
        }
        try checkpoint.write(to: path)
    }

    /// Exact top-k over the fixture's items by inner product with `query`, best first, ties by
    /// ascending id, `excluded` left out.
    public func rank(_ query: [Float], k: Int, excluding excluded: Set<UInt32> = []) -> [(item: UInt32, score: Float)] {
        Self.rank(query, items: items, k: k, excluding: excluded)
    }

    /// The same over `items` (`itemCount` × `dim`) in place of the fixture's.
    public static func rank(_ query: [Float], items: [Float], k: Int, excluding excluded: Set<UInt32> = []) -> [(item: UInt32, score: Float)] {
        let d = dim
        var scored: [(item: UInt32, score: Float)] = []
        for i in 0..<itemCount where !excluded.contains(UInt32(i)) {
            var score: Float = 0
            for j in 0..<d { score += query[j] * items[i * d + j] }
            scored.append((UInt32(i), score))
        }
        scored.sort { $0.score != $1.score ? $0.score > $1.score : $0.item < $1.item }
        return Array(scored.prefix(k))
    }
}
