// SASRec: causal self-attention over the item history (Kang & McAuley, ICDM 2018), RecBole's layout.
//
//   x  = LN(E[ids] + P[pos]) → dropout
//   per block (post-LN, as RecBole's TransformerLayer):
//     h1 = LN(x + dropout(Wo · MHA_causal(Wqkv · x)))
//     x  = LN(h1 + dropout(W2 · GELU(W1 · h1)))
//   user vector = x at the last position; scores = x · Eᵀ (the item table is shared).
// Positions count from the end: the most recent item is always at position max_len − 1, so
// training windows and served histories of any length see the same position embeddings.
import Foundation
import SteerBackboneKit
import SteerNN

final class SASRecModel: BackboneModel {
    static let name = "SASRec"
    static let version = "1.0.0"

    let config: SASRecConfig
    let store: ParameterStore
    private var training = false
    private var rng: RNG
    /// Activations of the last forwardTrain, kept for backward.
    private var saved: SASRecPass?

    var dim: Int { config.hidden }
    var maxLen: Int { config.maxLen }
    var nItems: Int { config.nItems }
    var itemEmbeddings: UnsafeMutablePointer<Float> { store.value("item_embedding") }
    var itemEmbeddingGrad: UnsafeMutablePointer<Float> { store.grad("item_embedding") }
    var parameters: [NamedParameter] { store.parameters }

    init(configJSON: String, weights: UnsafeRawBufferPointer) throws {
        if weights.isEmpty {
            config = try SASRecConfig(json: configJSON)
            store = Self.makeStore(config)
            var init_ = RNG(seed: UInt64(config.seed))
            Self.initialise(store, config, &init_)
        } else {
            let (savedConfig, tensors) = try TensorArchive.decode(weights, model: "SASRec")
            let base = try SASRecConfig(json: savedConfig)
            let merged = try SASRecConfig(json: configJSON, defaults: base)
            // Name the refused keys (the ABI wants config errors to name the key).
            let changed = zip(merged.fields, base.fields).filter { $0.0.json != $0.1.json && !SASRecConfig.trainingOnlyKeys.contains($0.0.key) }
            guard changed.isEmpty else {
                let list = changed.map { "\"\($0.0.key)\" (\($0.0.json), saved \($0.1.json))" }.joined(separator: ", ")
                throw BackboneError("SASRec config changes \(list) of a saved model; only \(SASRecConfig.trainingOnlyKeys.sorted().joined(separator: ", ")) may change")
            }
            config = merged
            store = Self.makeStore(config)
            try store.load(tensors, model: "SASRec")
        }
        rng = RNG(seed: UInt64(config.seed) &+ 1)
    }

    static func makeStore(_ c: SASRecConfig) -> ParameterStore {
        let d = c.hidden
        var tensors: [(String, Int, Bool)] = [
            ("item_embedding", c.nItems * d, false), ("position_embedding", c.maxLen * d, false),
            ("embedding_ln.weight", d, false), ("embedding_ln.bias", d, false),
        ]
        for l in 0..<c.layers {
            tensors += [
                ("block\(l).qkv.weight", 3 * d * d, true), ("block\(l).qkv.bias", 3 * d, false),
                ("block\(l).proj.weight", d * d, true), ("block\(l).proj.bias", d, false),
                ("block\(l).ln1.weight", d, false), ("block\(l).ln1.bias", d, false),
                ("block\(l).ff1.weight", c.inner * d, true), ("block\(l).ff1.bias", c.inner, false),
                ("block\(l).ff2.weight", d * c.inner, true), ("block\(l).ff2.bias", d, false),
                ("block\(l).ln2.weight", d, false), ("block\(l).ln2.bias", d, false),
            ]
        }
        return ParameterStore(tensors.map { (name: $0.0, count: $0.1, decays: $0.2) })
    }

    /// Normal(0, init_std) for weights and embeddings, 1 and 0 for layer norms, 0 for biases (RecBole).
    static func initialise(_ s: ParameterStore, _ c: SASRecConfig, _ rng: inout RNG) {
        let std = Float(c.initStd)
        for slot in s.slots {
            let p = s.values + slot.offset
            if slot.name.hasSuffix("ln.weight") || slot.name.hasSuffix("ln1.weight") || slot.name.hasSuffix("ln2.weight") {
                p.update(repeating: 1, count: slot.count)
            } else if slot.name.hasSuffix(".bias") {
                p.update(repeating: 0, count: slot.count)
            } else {
                rng.fillNormal(p, count: slot.count, std: std)
            }
        }
    }

    func setTraining(_ training: Bool) { self.training = training }
    func zeroGrad() { store.zeroGrad() }

    func save() throws -> [UInt8] {
        TensorArchive(config: config.json, tensors: store.tensors).encoded()
    }

    // MARK: Serving

    func encode(itemIDs: UnsafeBufferPointer<UInt32>, lengths: UnsafeBufferPointer<UInt32>,
                into out: UnsafeMutableBufferPointer<Float>) throws {
        let b = lengths.count, d = config.hidden
        let time = max(1, min(config.maxLen, lengths.map { Int($0) }.max() ?? 1))
        // Left-pad each history's most recent `time` items.
        var ids = [Int32](repeating: -1, count: b * time)
        var lens = [Int32](repeating: 0, count: b)
        var start = 0
        for row in 0..<b {
            let length = Int(lengths[row])
            let kept = min(length, time)
            for j in 0..<kept {
                let id = itemIDs[start + length - kept + j]
                guard Int(id) < config.nItems else {
                    throw BackboneError("item id \(id) in history \(row) is out of range (n_items \(config.nItems))")
                }
                ids[row * time + time - kept + j] = Int32(id)
            }
            lens[row] = Int32(kept)
            start += length
        }
        let pass = SASRecPass(config: config, batch: b, time: time, keepForBackward: false)
        var noRNG = RNG(seed: 0)
        ids.withUnsafeBufferPointer { idp in
            lens.withUnsafeBufferPointer { lp in
                pass.forward(store: store, ids: idp.baseAddress!, lengths: lp.baseAddress!, dropout: false, rng: &noRNG)
            }
        }
        // The user vector is the state at the last position (zero for an empty history).
        for row in 0..<b {
            (out.baseAddress! + row * d).update(from: pass.output + ((row + 1) * time - 1) * d, count: d)
        }
    }

    // MARK: Training

    func forwardTrain(itemIDs: UnsafeBufferPointer<UInt32>, lengths: UnsafeBufferPointer<UInt32>,
                      batch b: Int, time t: Int, into out: UnsafeMutablePointer<Float>) throws {
        guard t >= 1, t <= config.maxLen else { throw BackboneError("forward_train: time \(t) must be in 1...\(config.maxLen)") }
        let d = config.hidden
        // The ABI's rows are left-aligned; SASRec's kernels want them left-padded.
        var ids = [Int32](repeating: -1, count: b * t)
        var lens = [Int32](repeating: 0, count: b)
        for row in 0..<b {
            let length = Int(lengths[row])
            guard length <= t else { throw BackboneError("forward_train: length \(length) of row \(row) exceeds time \(t)") }
            for j in 0..<length {
                let id = itemIDs[row * t + j]
                guard Int(id) < config.nItems else { throw BackboneError("item id \(id) at row \(row), position \(j) is out of range (n_items \(config.nItems))") }
                ids[row * t + t - length + j] = Int32(id)
            }
            lens[row] = Int32(length)
        }
        let pass = (saved?.fits(batch: b, time: t) ?? false) ? saved! : SASRecPass(config: config, batch: b, time: t, keepForBackward: true)
        pass.setInputs(ids: ids, lengths: lens)
        pass.forward(store: store, ids: pass.ids, lengths: pass.lengths, dropout: training, rng: &rng)
        saved = pass
        // Back to left-aligned rows; padded positions written as 0.
        for row in 0..<b {
            let length = Int(lens[row])
            let dst = out + row * t * d
            dst.update(from: pass.output + (row * t + t - length) * d, count: length * d)
            (dst + length * d).update(repeating: 0, count: (t - length) * d)
        }
    }

    func backward(dHidden: UnsafePointer<Float>) throws {
        guard let pass = saved else { throw BackboneError("backward called before forward_train") }
        pass.backward(store: store, dHiddenLeftAligned: dHidden)
    }
}
