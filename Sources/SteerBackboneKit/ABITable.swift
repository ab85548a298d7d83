// The C function table of a Swift backbone plugin: C entry points forwarding to a BackboneModel.
import CSequentialEncoder
import SteerSync
#if canImport(Glibc)
import Glibc
#endif

/// The model type this plugin image serves. Each plugin library links its own copy of this
/// module, so the one global is per plugin; it is set by `ABITable.make` from the entry symbol.
nonisolated(unsafe) private var servedType: (any BackboneModel.Type)?
nonisolated(unsafe) private var builtTable: UnsafeMutablePointer<SteerSequentialEncoder>?
private let tableLock = Locked(())

/// Keeps a model alive behind the opaque `SteerSEModel*` handle, with its parameter list in C form.
final class ModelBox {
    let model: any BackboneModel
    var cParameters: UnsafeMutablePointer<SteerSEParameter>?
    var cParameterCount = 0
    private var names: [UnsafeMutablePointer<CChar>] = []

    init(_ model: any BackboneModel) { self.model = model }

    func parameterTable() -> (UnsafePointer<SteerSEParameter>, Int) {
        if cParameters == nil {
            let list = model.parameters
            let table = UnsafeMutablePointer<SteerSEParameter>.allocate(capacity: max(1, list.count))
            for (i, p) in list.enumerated() {
                let name = strdup(p.name)!
                names.append(name)
                table[i] = SteerSEParameter(name: name, value: p.value, grad: p.grad, count: p.count)
            }
            cParameters = table
            cParameterCount = list.count
        }
        return (UnsafePointer(cParameters!), cParameterCount)
    }

    deinit {
        cParameters?.deallocate()
        for name in names { free(name) }
    }
}

/// An error value behind the opaque `SteerSEError*`.
final class ErrorBox {
    let code: Int32
    let message: UnsafeMutablePointer<CChar>
    init(_ code: Int32, _ message: String) {
        self.code = code
        self.message = strdup(message)!
    }
    deinit { free(message) }
}

public enum ABITable {
    /// The plugin's static table for `Model`; call it from the plugin's entry symbol.
    public static func make(for model: any BackboneModel.Type) -> UnsafePointer<SteerSequentialEncoder> {
        tableLock.withLock { _ in
            if let built = builtTable { return UnsafePointer(built) }
            servedType = model
            let table = UnsafeMutablePointer<SteerSequentialEncoder>.allocate(capacity: 1)
            table.initialize(to: SteerSequentialEncoder(
                abi_version_major: UInt32(STEER_SE_ABI_VERSION_MAJOR),
                abi_version_minor: UInt32(STEER_SE_ABI_VERSION_MINOR),
                struct_size: MemoryLayout<SteerSequentialEncoder>.size,
                name: UnsafePointer(strdup(model.name)!),
                plugin_version: UnsafePointer(strdup(model.version)!),
                error_code: { error in box(error).code },
                error_message: { error in UnsafePointer(box(error).message) },
                error_free: { error in if let error { Unmanaged<ErrorBox>.fromOpaque(UnsafeRawPointer(error)).release() } },
                create: abiCreate,
                destroy: { model in if let model { Unmanaged<ModelBox>.fromOpaque(UnsafeRawPointer(model)).release() } },
                dim: { UInt32(modelBox($0).model.dim) },
                max_len: { UInt32(modelBox($0).model.maxLen) },
                n_items: { UInt32(modelBox($0).model.nItems) },
                encode: abiEncode,
                item_embeddings: { model, out, n, d in
                    let m = modelBox(model).model
                    out?.pointee = UnsafePointer(m.itemEmbeddings)
                    n?.pointee = UInt32(m.nItems)
                    d?.pointee = UInt32(m.dim)
                    return nil
                },
                set_training: { model, training in
                    modelBox(model).model.setTraining(training != 0)
                    return nil
                },
                forward_train: abiForwardTrain,
                backward: { model, dHidden in
                    guard let dHidden else { return makeError(STEER_SE_ERROR_INVALID_ARGUMENT, "backward: d_hidden is NULL") }
                    return catching { try modelBox(model).model.backward(dHidden: dHidden) }
                },
                parameters: { model, out, count in
                    let (table, n) = modelBox(model).parameterTable()
                    out?.pointee = table
                    count?.pointee = n
                    return nil
                },
                zero_grad: { model in
                    modelBox(model).model.zeroGrad()
                    return nil
                },
                item_embedding_grad: { model, out in
                    out?.pointee = modelBox(model).model.itemEmbeddingGrad
                    return nil
                },
                save: abiSave,
                free_bytes: { bytes in free(bytes) }))
            builtTable = table
            return UnsafePointer(table)
        }
    }
}

// MARK: C entry points (no captures: @convention(c))

private func box(_ error: OpaquePointer?) -> ErrorBox {
    Unmanaged<ErrorBox>.fromOpaque(UnsafeRawPointer(error!)).takeUnretainedValue()
}

private func modelBox(_ model: OpaquePointer?) -> ModelBox {
    Unmanaged<ModelBox>.fromOpaque(UnsafeRawPointer(model!)).takeUnretainedValue()
}

private func makeError(_ code: SteerSEErrorCode, _ message: String) -> OpaquePointer {
    OpaquePointer(Unmanaged.passRetained(ErrorBox(Int32(code.rawValue), message)).toOpaque())
}

private func catching(_ body: () throws -> Void) -> OpaquePointer? {
    do {
        try body()
        return nil
    } catch let error as BackboneError {
        return makeError(error.code, error.message)
    } catch {
        return makeError(STEER_SE_ERROR_INTERNAL, "\(error)")
    }
}

private let abiCreate: @convention(c) (UnsafePointer<CChar>?, UnsafeRawPointer?, Int, UnsafeMutablePointer<OpaquePointer?>?) -> OpaquePointer? = {
    config, weights, n, out in
    out?.pointee = nil
    guard let type = servedType else { return makeError(STEER_SE_ERROR_INTERNAL, "create called before the entry symbol") }
    let json = config.map { String(cString: $0) } ?? ""
    guard n == 0 || weights != nil else { return makeError(STEER_SE_ERROR_INVALID_ARGUMENT, "weights is NULL but n_bytes is \(n)") }
    return catching {
        let model = try type.init(configJSON: json, weights: UnsafeRawBufferPointer(start: weights, count: n))
        out?.pointee = OpaquePointer(Unmanaged.passRetained(ModelBox(model)).toOpaque())
    }
}

private let abiEncode: @convention(c) (OpaquePointer?, UnsafePointer<UInt32>?, UnsafePointer<UInt32>?, Int, UnsafeMutablePointer<Float>?) -> OpaquePointer? = {
    model, ids, lengths, batch, out in
    let m = modelBox(model).model
    guard let lengths, let out, batch > 0 else {
        return batch == 0 ? nil : makeError(STEER_SE_ERROR_INVALID_ARGUMENT, "encode: NULL lengths or output")
    }
    let lengthBuffer = UnsafeBufferPointer(start: lengths, count: batch)
    let total = lengthBuffer.reduce(0) { $0 + Int($1) }
    guard total == 0 || ids != nil else { return makeError(STEER_SE_ERROR_INVALID_ARGUMENT, "encode: NULL item_ids") }
    return catching {
        try m.encode(itemIDs: UnsafeBufferPointer(start: ids, count: total), lengths: lengthBuffer,
                     into: UnsafeMutableBufferPointer(start: out, count: batch * m.dim))
    }
}

private let abiForwardTrain: @convention(c) (OpaquePointer?, UnsafePointer<UInt32>?, UnsafePointer<UInt32>?, Int, Int, UnsafeMutablePointer<Float>?) -> OpaquePointer? = {
    model, ids, lengths, batch, time, out in
    guard let ids, let lengths, let out else { return makeError(STEER_SE_ERROR_INVALID_ARGUMENT, "forward_train: NULL argument") }
    return catching {
        try modelBox(model).model.forwardTrain(itemIDs: UnsafeBufferPointer(start: ids, count: batch * time),
                                               lengths: UnsafeBufferPointer(start: lengths, count: batch),
                                               batch: batch, time: time, into: out)
    }
}

private let abiSave: @convention(c) (OpaquePointer?, UnsafeMutablePointer<UnsafeMutableRawPointer?>?, UnsafeMutablePointer<Int>?) -> OpaquePointer? = {
    model, outBytes, outCount in
    catching {
        let bytes = try modelBox(model).model.save()
        let buffer = malloc(max(1, bytes.count))!
        if !bytes.isEmpty { bytes.withUnsafeBytes { buffer.copyMemory(from: $0.baseAddress!, byteCount: bytes.count) } }
        outBytes?.pointee = buffer
        outCount?.pointee = bytes.count
    }
}
