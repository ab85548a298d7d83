// `steer import recbole` / `steer import safetensors` / `steer export safetensors`: models in and
// out of Steer's checkpoint format (SteerInterop does the mapping; these parse and report).
import ArgumentParser
import Foundation
import SteerCheckpoint
import SteerData
import SteerInterop
import SteerPlugins
import SteerSafeTensors
import SteerTraining

struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "import", abstract: "Import a model as a Steer checkpoint.",
                                                    subcommands: [ImportRecBoleCommand.self, ImportSafeTensorsCommand.self, CompareRecBoleCommand.self])
}

struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "export", abstract: "Export a Steer checkpoint.",
                                                    subcommands: [ExportSafeTensorsCommand.self])
}

struct ImportRecBoleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "recbole",
        abstract: "A RecBole SASRec or GRU4Rec (converted by Scripts/recbole-to-safetensors) as a Steer stage-1 checkpoint.",
        discussion: """
        Item rows are matched to the dataset's items by raw token. With --split paper, RecBole items the split \
        drops (seen only in validation or test) are left out and counted; a token the dataset does not know is an error.
        """)
    @Option(help: "The .safetensors written by Scripts/recbole-to-safetensors.") var weights: String
    @Option(help: "Dataset the RecBole model was trained on: ml-100k, ml-1m or a folder of atomic files.") var dataset = "ml-100k"
    @Option(help: "Split whose item vocabulary the checkpoint takes: loo (RecBole's leave-one-out) or paper (what train-dpr uses).")
    var split: SplitChoice = .loo
    @Option(help: "Checkpoint to write.") var out: String
    @Option(help: "Directory of backbone plugins (default: next to this executable).") var pluginDir: String?

    func run() throws {
        let file = try RecBoleModelFile(path: weights)
        let data = try DatasetLocator.load(dataset)
        let parts = try DatasetSplit(data, scheme: split.scheme)
        let items = ItemVocabulary(tokens: parts.dataset.itemTokens, titles: parts.dataset.itemTitles,
                                   categoryNames: parts.dataset.categoryNames, itemCategories: parts.dataset.itemCategories)
        let removed = Set(data.itemTokens).subtracting(parts.dataset.itemTokens)
        let (checkpoint, summary) = try RecBoleImport.checkpoint(from: file, items: items, droppable: removed)
        // The plugin must take the weights as they will be served: a failure here is the importer's, not LoadBackbone's later.
        let backbone = try PluginHost(directory: pluginDir ?? ServeCommand.executableDirectory()).load(name: checkpoint.plugin, weights: checkpoint.weights)
        try checkpoint.write(to: out)
        print("imported RecBole \(summary.model) from \(file.name): \(summary.items) items of \(dataset) (\(split.rawValue) split), d = \(backbone.info.dim)")
        if !summary.droppedTokens.isEmpty {
            print("left out \(summary.droppedTokens.count) RecBole items the \(split.rawValue) split drops: \(summary.droppedTokens.prefix(8).joined(separator: ", "))\(summary.droppedTokens.count > 8 ? ", …" : "")")
        }
        print("plugin config: \(summary.pluginConfig)")
        print("wrote \(out)")
    }
}

struct ImportSafeTensorsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "safetensors",
        abstract: "A file written by `steer export safetensors` back as a Steer checkpoint.")
    @Option(help: "The exported .safetensors.") var weights: String
    @Option(help: "Checkpoint to write.") var out: String
    @Option(help: "Directory of backbone plugins (default: next to this executable).") var pluginDir: String?

    func run() throws {
        let checkpoint = try CheckpointExport.checkpoint(from: SafeTensorsFile(path: weights))
        _ = try PluginHost(directory: pluginDir ?? ServeCommand.executableDirectory()).load(name: checkpoint.plugin, weights: checkpoint.weights)
        try checkpoint.write(to: out)
        print("wrote \(out): \(checkpoint.plugin), \(checkpoint.itemTokens.count) items\(checkpoint.dprHead == nil ? "" : ", with its DPR head")")
    }
}

struct ExportSafeTensorsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "safetensors",
        abstract: "A checkpoint's weights (and DPR head) as safetensors, its config, items and training record in the header's metadata.")
    @Option(help: "Checkpoint to export.") var checkpoint: String
    @Option(help: "The .safetensors to write.") var out: String

    func run() throws {
        let saved = try BackboneCheckpoint.load(contentsOf: checkpoint)
        let (tensors, _) = try CheckpointExport.contents(of: saved)
        try CheckpointExport.write(saved, to: out)
        let floats = tensors.reduce(0) { $0 + $1.values.count }
        print("wrote \(out): \(saved.plugin), \(tensors.count) tensors, \(floats) floats, \(saved.itemTokens.count) items")
    }
}
