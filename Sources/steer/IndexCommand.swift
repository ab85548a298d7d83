// `steer index random`: writes an item-index snapshot of random vectors, for trying the daemon
// and benchmarking before a model is trained. Its scores mean nothing.
import ArgumentParser
import Foundation
import SteerCheckpoint
import SteerIndex
import SteerRandom
import SteerSnapshot

struct IndexCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "index", abstract: "Make item-index snapshots.",
                                                    subcommands: [RandomIndexCommand.self, CheckpointIndexCommand.self])
}

struct RandomIndexCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "random",
        abstract: "An index of random unit vectors with random categories (a demo and benchmark fixture, not a model).")
    @Option(help: "Items.") var items: Int = 3_706
    @Option(help: "Embedding dimension.") var dim: Int = 64
    @Option(help: "Categories; each item gets one to three.") var categories: Int = 18
    @Option(help: "Random seed.") var seed: UInt64 = 42
    @Option(help: "Output snapshot path.") var out: String
    @Option(help: "Also write a MeanPool backbone checkpoint over the same item vectors to this path.")
    var meanpoolCheckpoint: String?

    func run() throws {
        guard items > 0, dim > 0, categories >= 0 else { throw ValidationError("--items and --dim must be positive") }
        var rng = SeededRandom(seed: seed)
        var embeddings = [Float](repeating: 0, count: items * dim)
        for i in 0..<items {
            var norm: Float = 0
            for j in 0..<dim {
                let v = rng.nextGaussian()
                embeddings[i * dim + j] = v
                norm += v * v
            }
            let scale = 1 / max(norm.squareRoot(), 1e-12)
            for j in 0..<dim { embeddings[i * dim + j] *= scale }
        }
        let itemCategories: [[UInt32]] = (0..<items).map { _ in
            categories == 0 ? [] : (0..<(1 + Int(rng.next() % 3))).map { _ in UInt32(rng.next() % UInt64(categories)) }
        }
        let index = try ItemIndex(embeddings: embeddings, dimension: dim, itemCategories: itemCategories,
                                  categoryCount: categories, categoryNames: (0..<categories).map { "category-\($0)" })
        try index.write(to: out)
        print("wrote \(out): \(items) random items × \(dim), \(categories) categories")
        if let path = meanpoolCheckpoint {
            try Self.meanPoolCheckpoint(embeddings: embeddings, items: items, dim: dim).write(to: path)
            print("wrote \(path): MeanPool checkpoint over the same vectors")
        }
    }

    /// A checkpoint for MeanPool: weights in its "SMP1" layout (Plugins/MeanPool/include/mean_pool.h),
    /// little-endian; no item sections, so loading it installs no item index over this one.
    static func meanPoolCheckpoint(embeddings: [Float], items: Int, dim: Int) -> BackboneCheckpoint {
        var weights: [UInt8] = []
        weights.reserveCapacity(12 + 4 * embeddings.count)
        func put(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { weights.append(contentsOf: $0) } }
        put(0x3150_4D53)  // "SMP1"
        put(UInt32(items))
        put(UInt32(dim))
        for value in embeddings { put(value.bitPattern) }
        return BackboneCheckpoint(plugin: "MeanPool", config: #"{"max_len": 200}"#, weights: weights)
    }
}
