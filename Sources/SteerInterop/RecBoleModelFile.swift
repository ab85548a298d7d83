// The file `Scripts/recbole-to-safetensors` writes from a RecBole checkpoint: the model's
// state_dict under RecBole's own tensor names, and in `__metadata__` the config keys that shape
// the model and the item tokens in RecBole's id order.
import Foundation
import SteerSafeTensors

/// A RecBole model converted to safetensors (format `steer-recbole/1`), read and checked.
///
/// Metadata (every value a string, as safetensors requires):
/// - `format`: `steer-recbole/1`;
/// - `model`: RecBole's model class name (`SASRec`, `GRU4Rec`, …);
/// - `config`: a JSON object of the RecBole config keys the mapping reads (`hidden_size`,
///   `n_layers`, `hidden_act`, `loss_type`, `MAX_ITEM_LIST_LENGTH`, …);
/// - `item_tokens`: a JSON array, `dataset.field2id_token[ITEM_ID_FIELD]`: RecBole's item id `i`
///   is the raw token at index `i`, and index 0 is `[PAD]`;
/// - optionally `recbole_version`, `source`, `epoch` (provenance, copied into the checkpoint).
public struct RecBoleModelFile: @unchecked Sendable {
    public static let format = "steer-recbole/1"
    /// RecBole's padding item, row 0 of every item table.
    public static let paddingToken = "[PAD]"

    public let path: String
    /// The file name, for messages.
    public var name: String { URL(fileURLWithPath: path).lastPathComponent }
    public let model: String
    /// RecBole's item tokens by RecBole id; `itemTokens[0]` is `[PAD]`.
    public let itemTokens: [String]
    /// The `config` metadata as a JSON object (immutable after init).
    public let config: [String: Any]
    /// The metadata as the file holds it.
    public let metadata: [String: String]
    let tensors: SafeTensorsFile

    /// - Throws: `SafeTensorsError` for a file that is not valid safetensors; ``InteropError``
    ///   for another format, a missing metadata key, or tokens that do not parse, repeat or lack
    ///   `[PAD]` at 0.
    public init(path: String) throws {
        self.path = path
        let file = try SafeTensorsFile(path: path)
        let metadata = file.metadata
        tensors = file
        self.metadata = metadata
        let name = URL(fileURLWithPath: path).lastPathComponent
        func meta(_ key: String) throws -> String {
            guard let value = metadata[key] else { throw InteropError.missingKey(name, key, in: "the safetensors metadata") }
            return value
        }
        let format = try meta("format")
        guard format == Self.format else {
            throw InteropError.malformed(name, "metadata \"format\" is \"\(format)\"; this build reads \"\(Self.format)\" (written by Scripts/recbole-to-safetensors)")
        }
        let model = try meta("model")
        self.model = model
        let configText = try meta("config"), tokensText = try meta("item_tokens")
        guard let object = try? JSONSerialization.jsonObject(with: Data(configText.utf8)) as? [String: Any] else {
            throw InteropError.malformed(name, "metadata \"config\" is not a JSON object")
        }
        config = object
        guard let tokens = try? JSONSerialization.jsonObject(with: Data(tokensText.utf8)) as? [String] else {
            throw InteropError.malformed(name, "metadata \"item_tokens\" is not a JSON array of strings")
        }
        guard tokens.first == Self.paddingToken else {
            throw InteropError.malformed(name, "item_tokens[0] is \(tokens.first.map { "\"\($0)\"" } ?? "absent"), not RecBole's \"\(Self.paddingToken)\"")
        }
        var seen = Set<String>()
        for token in tokens where !seen.insert(token).inserted {
            throw InteropError.malformed(name, "item token \"\(token)\" appears twice in item_tokens")
        }
        itemTokens = tokens
    }

    /// Every tensor name in the file.
    public var tensorNames: Set<String> { Set(tensors.entries.keys) }

    /// Tensor `name` as floats, checked against the shape the config implies.
    /// - Throws: ``InteropError`` `missingTensor` or `shapeMismatch` naming the tensor.
    public func tensor(_ name: String, shape: [Int]) throws -> [Float] {
        guard let entry = tensors.entries[name] else { throw InteropError.missingTensor(self.name, name, model: model) }
        guard entry.shape == shape else { throw InteropError.shapeMismatch(self.name, name, expected: shape, found: entry.shape) }
        return try tensors.floats(name)
    }

    /// The shape of tensor `name`.
    /// - Throws: ``InteropError`` `missingTensor`.
    public func shape(_ name: String) throws -> [Int] {
        guard let entry = tensors.entries[name] else { throw InteropError.missingTensor(self.name, name, model: model) }
        return entry.shape
    }

    /// Config key `key` as an integer in `range`.
    /// - Throws: ``InteropError`` `missingKey`, or `unsupportedSetting` naming the key and value.
    public func int(_ key: String, in range: ClosedRange<Int>) throws -> Int {
        let raw = try value(key)
        guard let number = raw as? NSNumber, let int = Int(exactly: number.doubleValue) else {
            throw InteropError.unsupportedSetting(name, key: key, "\(raw)", "must be an integer")
        }
        guard range.contains(int) else {
            throw InteropError.unsupportedSetting(name, key: key, "\(int)", "Steer's \(model) takes \(range.lowerBound)...\(range.upperBound)")
        }
        return int
    }

    /// Config key `key` as a number in `range`.
    public func double(_ key: String, in range: ClosedRange<Double>) throws -> Double {
        let raw = try value(key)
        guard let number = raw as? NSNumber else { throw InteropError.unsupportedSetting(name, key: key, "\(raw)", "must be a number") }
        guard range.contains(number.doubleValue) else {
            throw InteropError.unsupportedSetting(name, key: key, "\(number.doubleValue)",
                                                  "Steer's \(model) takes \(range.lowerBound)...\(range.upperBound)")
        }
        return number.doubleValue
    }

    /// Config key `key` as a string among `allowed`.
    public func string(_ key: String, allowed: [String], why: String) throws -> String {
        let raw = try value(key)
        guard let text = raw as? String, allowed.contains(text) else {
            throw InteropError.unsupportedSetting(name, key: key, "\(raw)", "Steer's \(model) supports \(allowed.joined(separator: ", ")) (\(why))")
        }
        return text
    }

    private func value(_ key: String) throws -> Any {
        guard let raw = config[key], !(raw is NSNull) else { throw InteropError.missingKey(name, key, in: "the RecBole config (metadata \"config\")") }
        return raw
    }
}
