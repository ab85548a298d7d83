// The optional training entry points of a plugin, for the host's trainer (not for serving).
import CSequentialEncoder

/// One trainable tensor of a plugin's model, borrowed until the backbone is released.
public struct BackboneParameter {
    public let name: String
    public let value: UnsafeMutablePointer<Float>
    public let grad: UnsafeMutablePointer<Float>
    public let count: Int
}

/// Training access to a backbone whose plugin exposes the training entry points.
///
/// The ABI forbids training calls concurrently with any other call on the model, so a
/// `TrainableBackbone` is meant for one trainer thread and is not `Sendable`. The host owns
/// the loss, the item softmax and the optimizer; the plugin owns its parameters.
public final class TrainableBackbone {
    public let backbone: Backbone
    private var table: SteerSequentialEncoder { backbone.library.table }

    /// - Throws: `PluginError` of kind `badPlugin` when the plugin has no training entry points.
    public init(_ backbone: Backbone) throws {
        guard backbone.info.trainable else {
            throw PluginError(.callFailed(backbone: backbone.info.name, function: "training",
                                          code: Int32(STEER_SE_ERROR_UNSUPPORTED.rawValue),
                                          message: "this plugin has no training entry points; it can only be served frozen"))
        }
        self.backbone = backbone
    }

    public var dim: Int { backbone.info.dim }
    public var nItems: Int { backbone.info.nItems }
    public var maxLen: Int { backbone.info.maxLen }

    private func check(_ error: OpaquePointer?, _ function: String) throws {
        guard let error else { return }
        let (code, message) = backbone.library.consume(error)
        throw PluginError(.callFailed(backbone: backbone.info.name, function: function, code: code, message: message))
    }

    public func setTraining(_ training: Bool) throws {
        try check(table.set_training!(backbone.model, training ? 1 : 0), "set_training")
    }

    /// Hidden states `B × T × d` for left-aligned rows (`lengths[b]` ids at positions `0..<lengths[b]`).
    public func forward(itemIDs: UnsafePointer<UInt32>, lengths: UnsafePointer<UInt32>, batch: Int, time: Int,
                        into hidden: UnsafeMutablePointer<Float>) throws {
        try check(table.forward_train!(backbone.model, itemIDs, lengths, batch, time, hidden), "forward_train")
    }

    /// Accumulates parameter gradients for dLoss/dHidden of the last `forward`.
    public func backward(dHidden: UnsafePointer<Float>) throws {
        try check(table.backward!(backbone.model, dHidden), "backward")
    }

    public func zeroGrad() throws {
        try check(table.zero_grad!(backbone.model), "zero_grad")
    }

    /// Every trainable tensor, the item embedding table among them.
    public func parameters() throws -> [BackboneParameter] {
        var list: UnsafePointer<SteerSEParameter>?
        var count = 0
        try check(table.parameters!(backbone.model, &list, &count), "parameters")
        guard let list else { return [] }
        return (0..<count).map { i in
            let p = list[i]
            return BackboneParameter(name: String(cString: p.name), value: p.value, grad: p.grad, count: p.count)
        }
    }

    /// The item table (`V × d`, changes in place as the optimizer steps) and its gradient.
    public func itemTable() throws -> (values: UnsafePointer<Float>, grad: UnsafeMutablePointer<Float>) {
        var grad: UnsafeMutablePointer<Float>?
        try check(table.item_embedding_grad!(backbone.model, &grad), "item_embedding_grad")
        var values: UnsafePointer<Float>?
        var n: UInt32 = 0
        var d: UInt32 = 0
        try check(table.item_embeddings!(backbone.model, &values, &n, &d), "item_embeddings")
        return (values!, grad!)
    }

    /// The plugin's serialised weights and config, accepted by `create` as weights.
    public func save() throws -> [UInt8] {
        var bytes: UnsafeMutableRawPointer?
        var count = 0
        try check(table.save!(backbone.model, &bytes, &count), "save")
        defer { table.free_bytes!(bytes) }
        guard let bytes else { return [] }
        return Array(UnsafeRawBufferPointer(start: bytes, count: count))
    }
}
