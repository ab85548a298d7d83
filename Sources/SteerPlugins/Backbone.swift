// A backbone model created by a plugin: encodes histories into user vectors.

import CSequentialEncoder

/// A sequential recommender backbone loaded from a plugin (see ``PluginHost``).
///
/// `@unchecked Sendable` because it holds C pointers, which Swift cannot check; it is
/// safe because every stored property is immutable after `init`, and the ABI makes
/// `encode` and `item_embeddings` thread-safe for distinct output buffers (each call
/// here writes its own array). Training calls, which the ABI does not allow to run
/// concurrently, live on ``TrainableBackbone``, which one trainer thread owns.
/// `deinit` destroys the model; the library stays mapped (plugins are never unloaded).
public final class Backbone: @unchecked Sendable {
    /// Identity, version, fingerprint and shapes.
    public let info: BackboneInfo

    let library: PluginLibrary
    let model: OpaquePointer
    /// `V × d` floats borrowed from the model, valid until `deinit`.
    private let embeddings: UnsafePointer<Float>

    /// Creates the plugin's model and checks its shapes against its item table.
    init(library: PluginLibrary, config: String, weights: [UInt8]) throws {
        let table = library.table
        var created: OpaquePointer?
        let error = config.withCString { configPointer in
            weights.withUnsafeBytes { bytes in
                table.create!(configPointer, bytes.baseAddress, bytes.count, &created)
            }
        }
        if let error {
            let (code, message) = library.consume(error)
            throw PluginError(.createFailed(file: library.fileName, code: code, message: message))
        }
        guard let model = created else {
            throw PluginError(
                .badShape(file: library.fileName, detail: "create returned no model and no error"))
        }
        // From here on a failure must destroy the model: no deinit runs for a failed init.
        do {
            let dim = table.dim!(model), maxLen = table.max_len!(model), nItems = table.n_items!(model)
            for (field, value) in [("dim", dim), ("max_len", maxLen), ("n_items", nItems)] where value == 0 {
                throw PluginError(.badShape(file: library.fileName, detail: "\(field)() returned 0"))
            }
            var pointer: UnsafePointer<Float>?
            var n: UInt32 = 0
            var d: UInt32 = 0
            if let error = table.item_embeddings!(model, &pointer, &n, &d) {
                let (code, message) = library.consume(error)
                throw PluginError(.callFailed(
                    backbone: library.name, function: "item_embeddings", code: code, message: message))
            }
            guard let pointer else {
                throw PluginError(
                    .badShape(file: library.fileName, detail: "item_embeddings returned a NULL table"))
            }
            guard n == nItems, d == dim else {
                throw PluginError(.badShape(
                    file: library.fileName,
                    detail: "item_embeddings is \(n) × \(d) but n_items() × dim() is \(nItems) × \(dim)"))
            }
            self.embeddings = pointer
            self.info = BackboneInfo(
                name: library.name, pluginVersion: library.pluginVersion,
                abiMajor: library.abiMajor, abiMinor: library.abiMinor,
                path: library.path, sha256: library.sha256,
                dim: Int(dim), maxLen: Int(maxLen), nItems: Int(nItems), trainable: library.trainable)
        } catch {
            table.destroy!(model)
            throw error
        }
        self.library = library
        self.model = model
    }

    deinit {
        library.table.destroy!(model)
    }

    /// Encodes user histories into user vectors.
    ///
    /// - Parameter histories: `B` histories of item ids in `0..<nItems`, oldest first.
    ///   Histories longer than ``BackboneInfo/maxLen`` keep their most recent items; an
    ///   empty history gets the plugin's cold-start vector.
    /// - Throws: ``PluginError`` of kind `invalidInput` for an id out of range (checked
    ///   here, before the plugin sees it), or `callFailed` with the plugin's message.
    /// - Returns: `B × d` floats, row `b` the user vector of `histories[b]`.
    /// - Complexity: O(total history length + B × d) plus the plugin's work.
    public func encode(histories: [[UInt32]]) throws -> [Float] {
        guard !histories.isEmpty else { return [] }
        let nItems = UInt32(info.nItems)
        var ids: [UInt32] = []
        ids.reserveCapacity(histories.reduce(0) { $0 + $1.count })
        var lengths: [UInt32] = []
        lengths.reserveCapacity(histories.count)
        for (b, history) in histories.enumerated() {
            guard history.count <= Int(UInt32.max) else {
                throw PluginError(.historyTooLong(backbone: info.name, history: b, count: history.count))
            }
            // The host is the memory-safety boundary for client input: never rely on a
            // plugin remembering its own range check.
            if let t = history.firstIndex(where: { $0 >= nItems }) {
                throw PluginError(.itemOutOfRange(
                    backbone: info.name, id: history[t], history: b, position: t, nItems: info.nItems))
            }
            ids.append(contentsOf: history)
            lengths.append(UInt32(history.count))
        }
        var out = [Float](repeating: 0, count: histories.count * info.dim)
        let error = ids.withUnsafeBufferPointer { idPointer in
            lengths.withUnsafeBufferPointer { lengthPointer in
                out.withUnsafeMutableBufferPointer { outPointer in
                    library.table.encode!(
                        model, idPointer.baseAddress, lengthPointer.baseAddress, histories.count,
                        outPointer.baseAddress)
                }
            }
        }
        if let error {
            let (code, message) = library.consume(error)
            throw PluginError(
                .callFailed(backbone: info.name, function: "encode", code: code, message: message))
        }
        return out
    }

    /// Calls `body` with the item embedding table, `nItems × dim` floats, row-major.
    ///
    /// - Parameter body: Reads the table; the pointer must not escape (it is borrowed
    ///   from the model, and in training it changes in place).
    /// - Returns: What `body` returns.
    public func withItemEmbeddings<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        try body(UnsafeBufferPointer(start: embeddings, count: info.nItems * info.dim))
    }

    /// A copy of the item embedding table, `nItems × dim` floats, row-major.
    public var itemEmbeddings: [Float] {
        withItemEmbeddings { Array($0) }
    }
}
