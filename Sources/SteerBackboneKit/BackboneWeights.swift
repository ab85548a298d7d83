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

extension ParameterTable {
    /// Every tensor with its name, for the ABI's parameter table.
    public var namedParameters: [NamedParameter] {
        slots.map {
            NamedParameter(name: $0.name, value: values.ptr + $0.offset, grad: grads.ptr + $0.offset, count: $0.count, decays: $0.decays)
        }
    }
}
