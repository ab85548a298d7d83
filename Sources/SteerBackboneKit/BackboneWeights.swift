// A Swift backbone's weights: its config and parameter table in a "STA1" tensor archive, the
// bytes a plugin's `save` returns and its `create` reads back.
import SteerNN

extension TensorArchiveFormat {
    /// A backbone's weights: "STA1", no version word.
    public static let backboneWeights = TensorArchiveFormat(magic: "STA1", version: nil, name: "tensor archive")
}

public enum BackboneWeights {
    /// `config` (JSON) and every tensor of `table`, in declaration order.
    public static func encode(config: String, table: ParameterTable) -> [UInt8] {
        TensorArchive.encode(.backboneWeights, config: config, tensors: table.tensors)
    }

    /// The saved config text and tensors of `model`'s weights.
    /// - Throws: ``BackboneError`` naming what is malformed and where.
    public static func decode(_ bytes: UnsafeRawBufferPointer, model: String) throws -> (config: String, tensors: [String: [Float]]) {
        do { return try TensorArchive.decode(bytes, .backboneWeights, label: "\(model) weights") } catch {
            throw BackboneError(error.description)
        }
    }

    /// Copies `tensors` into `table`, all or nothing.
    /// - Throws: ``BackboneError`` naming the first missing, extra, misshapen or non-finite tensor.
    public static func load(_ tensors: [String: [Float]], into table: ParameterTable, model: String) throws {
        do { try table.load(tensors, label: "\(model) weights") } catch { throw BackboneError(error.description) }
    }
}

/// What a Swift backbone's config offers for ``BackboneWeights/restore(model:configJSON:weights:declare:initialise:)``.
public protocol WeightsConfig {
    /// Parses a JSON object; keys it lacks take `defaults`' values (or the built-in defaults).
    init(json: String, defaults: Self?) throws
    /// Every key with its value as JSON, in the order `json` writes them.
    var fields: [(key: String, json: String)] { get }
    /// The whole config as a JSON object (saved with the weights).
    var json: String { get }
    /// Seed of the initial weights (and, plus one, of dropout).
    var seed: Int { get }
    /// Keys a saved model's config may change when it is loaded again: none of them changes a
    /// tensor's shape or what a weight means.
    static var changeableKeys: Set<String> { get }
}

extension BackboneWeights {
    /// A model's config and parameters. Without `weights`: the config from `configJSON`, its table
    /// from `declare`, filled by `initialise` from the config's seed. With `weights` (what `save`
    /// wrote): the saved config, changed only in ``WeightsConfig/changeableKeys`` by `configJSON`,
    /// and the saved tensors.
    /// - Throws: ``BackboneError`` for a bad config, a config change the weights cannot follow
    ///   (naming each key), or weights that do not decode or fit.
    public static func restore<Config: WeightsConfig>(
        model: String, configJSON: String, weights: UnsafeRawBufferPointer,
        declare: (Config) -> ParameterTable, initialise: (ParameterTable, Config, inout RNG) -> Void
    ) throws -> (config: Config, table: ParameterTable) {
        guard !weights.isEmpty else {
            let config = try Config(json: configJSON, defaults: nil)
            let table = declare(config)
            var rng = RNG(seed: UInt64(config.seed))
            initialise(table, config, &rng)
            return (config, table)
        }
        let (savedConfig, tensors) = try decode(weights, model: model)
        let base = try Config(json: savedConfig, defaults: nil)
        let merged = try Config(json: configJSON, defaults: base)
        // Name the refused keys (the ABI wants config errors to name the key).
        let changed = zip(merged.fields, base.fields).filter { $0.0.json != $0.1.json && !Config.changeableKeys.contains($0.0.key) }
        guard changed.isEmpty else {
            let list = changed.map { "\"\($0.0.key)\" (\($0.0.json), saved \($0.1.json))" }.joined(separator: ", ")
            throw BackboneError("\(model) config changes \(list) of a saved model; only \(Config.changeableKeys.sorted().joined(separator: ", ")) may change")
        }
        let table = declare(merged)
        try load(tensors, into: table, model: model)
        return (merged, table)
    }
}

extension ParameterTable {
    /// Every tensor with its name, for the ABI's parameter table.
    public var namedParameters: [NamedParameter] {
        slots.map {
            NamedParameter(name: $0.name, value: values.ptr + $0.offset, grad: grads.ptr + $0.offset, count: $0.count, decays: $0.decays)
        }
    }
}
