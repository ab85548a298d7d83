// A Steer checkpoint as a safetensors file that PyTorch loads (`safetensors.torch.load_file`),
// and back: the backbone's tensors under the plugin's own names, the DPR head's under
// `dpr_head.`, and everything else a checkpoint holds in `__metadata__` as JSON text.
import Foundation
import SteerBackboneKit
import SteerCheckpoint
import SteerDPR
import SteerNN
import SteerSafeTensors

/// Metadata (format `steer-checkpoint/1`): `plugin`, `config` (the plugin's config JSON, as the
/// weights carry it), `item_tokens`, `item_titles`, `category_names`, `item_categories` (JSON
/// arrays, by Steer item id), `training` (the checkpoint's training JSON), and for a promptable
/// model `dpr_head_config` and `dpr_training`.
public enum CheckpointExport {
    public static let format = "steer-checkpoint/1"
    static let headPrefix = "dpr_head."

    /// The tensors and metadata of `checkpoint`. SASRec and GRU4Rec tensors get their PyTorch
    /// shapes (from the config); other tensors are written flat.
    /// - Throws: ``InteropError`` for weights that are not a tensor archive (MeanPool's are not).
    public static func contents(of checkpoint: BackboneCheckpoint) throws -> (tensors: [SafeTensorsTensor], metadata: [String: String]) {
        let (config, weights) = try decode(checkpoint.weights, .backboneWeights, what: "\(checkpoint.plugin) weights")
        let shapes = PluginShapes.of(plugin: checkpoint.plugin, config: config)
        var tensors = weights.keys.sorted().map { name in
            let values = weights[name]!
            // A shape that does not hold the values (a config the table disagrees with) is not guessed at: flat.
            let shape = shapes[name].flatMap { $0.reduce(1, *) == values.count ? $0 : nil } ?? [values.count]
            return SafeTensorsTensor(name: name, shape: shape, values: values)
        }
        var metadata = [
            "format": format, "plugin": checkpoint.plugin, "config": config, "training": checkpoint.trainingJSON,
            "item_tokens": try json(checkpoint.itemTokens), "item_titles": try json(checkpoint.itemTitles),
            "category_names": try json(checkpoint.categoryNames), "item_categories": try json(checkpoint.itemCategories.map { $0.map(Int.init) }),
        ]
        if let head = checkpoint.dprHead {
            let (headConfig, headTensors) = try decode(head, .dprHead, what: "DPR head")
            tensors += headTensors.keys.sorted().map { SafeTensorsTensor(name: headPrefix + $0, shape: [headTensors[$0]!.count], values: headTensors[$0]!) }
            metadata["dpr_head_config"] = headConfig
            metadata["dpr_training"] = checkpoint.dprTrainingJSON ?? "{}"
        }
        return (tensors, metadata)
    }

    /// Writes `checkpoint` as a safetensors file at `path`.
    public static func write(_ checkpoint: BackboneCheckpoint, to path: String) throws {
        let (tensors, metadata) = try contents(of: checkpoint)
        try SafeTensorsWriter.write(tensors, metadata: metadata, to: path)
    }

    /// The checkpoint an exported file holds: the same plugin, weights, items and head.
    /// - Throws: `SafeTensorsError` for an invalid file; ``InteropError`` for another format or
    ///   metadata that is missing or does not parse.
    public static func checkpoint(from file: SafeTensorsFile) throws -> BackboneCheckpoint {
        let name = URL(fileURLWithPath: file.path).lastPathComponent
        func meta(_ key: String) throws -> String {
            guard let value = file.metadata[key] else { throw InteropError.missingKey(name, key, in: "the safetensors metadata") }
            return value
        }
        guard try meta("format") == format else {
            throw InteropError.malformed(name, "metadata \"format\" is \"\(file.metadata["format"]!)\"; `steer import safetensors` reads \"\(format)\" (from `steer export safetensors`)")
        }
        func array<T>(_ key: String, as: T.Type) throws -> T {
            let text = try meta(key)
            guard let value = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? T else {
                throw InteropError.malformed(name, "metadata \"\(key)\" is not a JSON array of the expected type")
            }
            return value
        }
        let backbone = file.entries.keys.filter { !$0.hasPrefix(headPrefix) }.sorted()
        var checkpoint = BackboneCheckpoint(
            plugin: try meta("plugin"), weights: try archive(file, names: backbone, strip: "", format: .backboneWeights, config: try meta("config")),
            itemTokens: try array("item_tokens", as: [String].self), itemTitles: try array("item_titles", as: [String].self),
            categoryNames: try array("category_names", as: [String].self),
            itemCategories: try array("item_categories", as: [[Int]].self).map { $0.map { Int32($0) } }, trainingJSON: try meta("training"))
        let head = file.entries.keys.filter { $0.hasPrefix(headPrefix) }.sorted()
        if !head.isEmpty {
            checkpoint.dprHead = try archive(file, names: head, strip: headPrefix, format: .dprHead, config: try meta("dpr_head_config"))
            checkpoint.dprTrainingJSON = try meta("dpr_training")
        }
        return checkpoint
    }

    private static func archive(_ file: SafeTensorsFile, names: [String], strip: String, format: TensorArchiveFormat, config: String) throws -> [UInt8] {
        let values = try names.map { try file.floats($0) }
        let table = ParameterTable(zip(names, values).map { (name: String($0.0.dropFirst(strip.count)), count: $0.1.count, decays: false) })
        for (name, v) in zip(names, values) { table.value(String(name.dropFirst(strip.count))).update(from: v, count: v.count) }
        return TensorArchive.encode(format, config: config, tensors: table.tensors)
    }

    private static func decode(_ bytes: [UInt8], _ format: TensorArchiveFormat, what: String) throws -> (String, [String: [Float]]) {
        do { return try bytes.withUnsafeBytes { try TensorArchive.decode($0, format, label: what) } } catch {
            throw InteropError.malformed(what, "\(error) (only archived weights export: SASRec, GRU4Rec and other Swift plugins)")
        }
    }

    private static func json(_ value: Any) throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: value, options: [.withoutEscapingSlashes]), as: UTF8.self)
    }
}

/// The PyTorch shapes of the Swift plugins' tensors, from their config JSON.
enum PluginShapes {
    static func of(plugin: String, config: String) -> [String: [Int]] {
        guard let c = try? JSONSerialization.jsonObject(with: Data(config.utf8)) as? [String: Any] else { return [:] }
        func int(_ key: String) -> Int { (c[key] as? NSNumber)?.intValue ?? 0 }
        var shapes: [String: [Int]] = [:]
        switch plugin {
        case "SASRec":
            let d = int("hidden"), f = int("inner")
            shapes = ["item_embedding": [int("n_items"), d], "position_embedding": [int("max_len"), d], "embedding_ln.weight": [d], "embedding_ln.bias": [d]]
            for l in 0..<int("layers") {
                for (name, shape) in [("qkv.weight", [3 * d, d]), ("qkv.bias", [3 * d]), ("proj.weight", [d, d]), ("proj.bias", [d]),
                                      ("ln1.weight", [d]), ("ln1.bias", [d]), ("ff1.weight", [f, d]), ("ff1.bias", [f]),
                                      ("ff2.weight", [d, f]), ("ff2.bias", [d]), ("ln2.weight", [d]), ("ln2.bias", [d])] {
                    shapes["block\(l).\(name)"] = shape
                }
            }
        case "GRU4Rec":
            let e = int("embedding"), h = int("hidden")
            shapes = ["item_embedding": [int("n_items"), e], "dense.weight": [e, h], "dense.bias": [e]]
            for l in 0..<int("layers") {
                shapes["gru.weight_ih_l\(l)"] = [3 * h, l == 0 ? e : h]
                shapes["gru.weight_hh_l\(l)"] = [3 * h, h]
                shapes["gru.bias_ih_l\(l)"] = [3 * h]
                shapes["gru.bias_hh_l\(l)"] = [3 * h]
            }
        default: break
        }
        return shapes
    }
}
