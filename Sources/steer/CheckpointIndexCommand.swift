// `steer index from-checkpoint`: the item index of a trained backbone (its item table, titles and
// genres), so steerd's Retrieve ranks with the model's own item vectors.
import ArgumentParser
import Foundation
import SteerCheckpoint
import SteerIndex
import SteerPlugins
import SteerTraining

struct CheckpointIndexCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "from-checkpoint",
        abstract: "An item-index snapshot from a backbone checkpoint: the model's item embeddings, titles and categories.")
    @Option(help: "Checkpoint written by `steer train`.") var checkpoint: String
    @Option(help: "Output snapshot path.") var out: String
    @Option(help: "Directory of backbone plugins (default: next to this executable).") var pluginDir: String?

    func run() throws {
        let saved = try BackboneCheckpoint.load(contentsOf: checkpoint)
        let backbone = try PluginHost(directory: pluginDir ?? ServeCommand.executableDirectory()).load(name: saved.plugin, weights: saved.weights)
        let index = try ItemIndex(embeddings: backbone.itemEmbeddings, dimension: backbone.info.dim,
                                  itemCategories: saved.itemCategories.map { $0.map { UInt32($0) } },
                                  categoryCount: saved.categoryNames.count, categoryNames: saved.categoryNames,
                                  titles: saved.itemTokens)
        try index.write(to: out)
        print("wrote \(out): \(index.count) items × \(index.dimension) from \(saved.plugin), \(index.categoryCount) categories")
    }
}
