// RecBole SASRec / GRU4Rec → a Steer stage-1 checkpoint that the Swift plugin of the same name
// serves and trains: tensors renamed (and SASRec's q, k, v packed), item rows reordered by token,
// and the plugin config set so the plugin computes RecBole's function.
import Foundation
import SteerBackboneKit
import SteerCheckpoint
import SteerNN

/// A Steer plugin's weights before they are archived: config JSON and named tensors with shapes.
public struct PluginWeights: Sendable {
    public var plugin: String
    /// The plugin's config JSON (its own key names).
    public var config: String
    public var tensors: [(name: String, shape: [Int], values: [Float])]

    /// The STA1 archive the plugin's `create` reads (the checkpoint's `weights` section).
    public func archive() -> [UInt8] {
        let table = ParameterTable(tensors.map { (name: $0.name, count: $0.values.count, decays: false) })
        for tensor in tensors { table.value(tensor.name).update(from: tensor.values, count: tensor.values.count) }
        return BackboneWeights.encode(config: config, table: table)
    }
}

/// What an import produced besides the checkpoint.
public struct ImportSummary: Sendable, Equatable {
    public var model: String
    /// Items in the checkpoint (Steer's vocabulary).
    public var items: Int
    /// RecBole item tokens left out because the target split dropped those items.
    public var droppedTokens: [String]
    /// The plugin config written, as JSON.
    public var pluginConfig: String
}

public enum RecBoleImport {
    public static let supportedModels = ["SASRec", "GRU4Rec"]

    /// The checkpoint for `file` over `items`.
    /// - Parameters:
    ///   - items: the target dataset's items in Steer's id order (titles and categories are copied).
    ///   - droppable: RecBole tokens that may be absent from `items` (items of the dataset that
    ///     the chosen split removed); every other RecBole token must be one of `items`.
    /// - Throws: ``InteropError`` naming the model, key, tensor or token that cannot be mapped.
    public static func checkpoint(from file: RecBoleModelFile, items: ItemVocabulary,
                                  droppable: Set<String> = []) throws -> (checkpoint: BackboneCheckpoint, summary: ImportSummary) {
        let mapping = try TokenMapping(foreign: file.itemTokens, skipping: [0], steer: items.tokens, droppable: droppable, file: file.name)
        let weights: PluginWeights
        switch file.model {
        case "SASRec": weights = try RecBoleSASRec.weights(file, mapping: mapping)
        case "GRU4Rec": weights = try RecBoleGRU4Rec.weights(file, mapping: mapping)
        default: throw InteropError.unsupportedModel(file.name, file.model, supported: supportedModels)
        }
        var provenance: [String: Any] = ["format": RecBoleModelFile.format, "model": file.model, "source": file.name,
                                         "recbole_config": file.config, "dropped_items": mapping.dropped.count]
        for key in ["recbole_version", "source", "epoch"] { if let value = file.metadata[key] { provenance[key == "source" ? "recbole_checkpoint" : key] = value } }
        let training = try JSONSerialization.data(withJSONObject: ["imported_from": provenance], options: [.sortedKeys])
        let checkpoint = BackboneCheckpoint(
            plugin: weights.plugin, weights: weights.archive(), itemTokens: items.tokens, itemTitles: items.titles,
            categoryNames: items.categoryNames, itemCategories: items.itemCategories, trainingJSON: String(decoding: training, as: UTF8.self))
        return (checkpoint, ImportSummary(model: file.model, items: items.count, droppedTokens: mapping.dropped, pluginConfig: weights.config))
    }

    /// RecBole scores items with `seq_output · item_embeddingᵀ` under both of its losses (CE over
    /// all items, BPR on pairs), so either trains a model Steer serves; anything else is refused.
    static func checkLoss(_ file: RecBoleModelFile) throws {
        _ = try file.string("loss_type", allowed: ["CE", "BPR"], why: "both score items by the dot product with the item table")
    }

    /// Refuses tensors the mapping does not read: a state_dict with more layers than `n_layers`
    /// (or extra modules) is another model, not one to import silently in part.
    static func checkNoOthers(_ file: RecBoleModelFile, expected: Set<String>) throws {
        if let extra = file.tensorNames.subtracting(expected).sorted().first {
            throw InteropError.unexpectedTensor(file.name, extra, model: "\(file.model) as its config describes it")
        }
    }
}

/// A JSON number for a plugin config: integers without a fraction, others as Swift prints them.
func jsonNumber(_ value: Double) -> String {
    value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : "\(value)"
}
