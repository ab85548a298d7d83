// Low-rank adapters: a fine-tuned encoder shipped as the few numbers that tell it from its base
// (a rank-r change of each linear layer), added to the base weights as they load.
import Foundation
import SteerSafeTensors

/// A change to an encoder's linear layers of rank r each: the layer `name` loads with weight
/// `W + B · A`, where `name.lora_a` holds A (`[r, in]`) and `name.lora_b` holds B (`[out, r]`, the
/// adapter's scale already multiplied in). Names are those of the base weights file without
/// `.weight` ("encoder.layer.0.attention.self.query"); biases and norms stay as in the base.
///
/// A rank-16 change of all-MiniLM-L6-v2's 36 linear layers is 0.66 M numbers (1.3 MB in F16),
/// against 22.7 M for the whole encoder: small enough for the repository to hold
/// (`Scripts/train-router-encoder --lora-rank`).
public struct LowRankAdapters: Sendable {
    /// One layer's A and B, row-major.
    struct Pair: Sendable {
        let a: [Float]
        let b: [Float]
        let rank: Int
    }
    let pairs: [String: Pair]
    /// The file they came from, for errors.
    let path: String

    /// The adapted layers' names.
    public var names: Set<String> { Set(pairs.keys) }

    /// Reads the adapters in the safetensors file at `url` (F32, F16 or BF16 tensors).
    /// - Throws: ``SteerTextError`` `.tensorMismatch` for a tensor that is not a `.lora_a` /
    ///   `.lora_b` of two dimensions, a layer with only one of the two, ranks that disagree, or a
    ///   value that is not finite; what ``SafeTensorsFile`` throws for a malformed file.
    public init(contentsOf url: URL) throws {
        let file = try SafeTensorsFile(path: url.path)
        path = url.path
        var halves: [String: (a: SafeTensorsEntry?, b: SafeTensorsEntry?)] = [:]
        for (tensor, entry) in file.entries {
            guard entry.shape.count == 2, entry.shape.allSatisfy({ $0 > 0 }) else {
                throw SteerTextError.tensorMismatch(path, tensor, "an adapter half has two dimensions, found \(entry.shape)")
            }
            if tensor.hasSuffix(".lora_a") {
                halves[String(tensor.dropLast(7)), default: (nil, nil)].a = entry
            } else if tensor.hasSuffix(".lora_b") {
                halves[String(tensor.dropLast(7)), default: (nil, nil)].b = entry
            } else {
                throw SteerTextError.tensorMismatch(path, tensor, "not an adapter half (name.lora_a or name.lora_b)")
            }
        }
        guard !halves.isEmpty else { throw SteerTextError.tensorMismatch(path, "(none)", "the file holds no adapters") }
        var pairs: [String: Pair] = [:]
        for (name, half) in halves {
            guard let a = half.a, let b = half.b else {
                throw SteerTextError.tensorMismatch(path, name + (half.a == nil ? ".lora_a" : ".lora_b"), "missing: the layer has only one adapter half")
            }
            let rank = a.shape[0]
            guard b.shape[1] == rank else {
                throw SteerTextError.tensorMismatch(path, name + ".lora_b", "rank \(b.shape[1]), but \(name).lora_a has rank \(rank)")
            }
            let values = (try file.floats(name + ".lora_a"), try file.floats(name + ".lora_b"))
            guard values.0.allSatisfy(\.isFinite), values.1.allSatisfy(\.isFinite) else {
                throw SteerTextError.tensorMismatch(path, name, "an adapter value is NaN or infinite")
            }
            pairs[name] = Pair(a: values.0, b: values.1, rank: rank)
        }
        self.pairs = pairs
    }

    /// The shape `[out, in]` of the layer the adapter `name` fits, or nil when there is none.
    public func layerShape(_ name: String) -> (out: Int, in: Int)? {
        pairs[name].map { (out: $0.b.count / $0.rank, in: $0.a.count / $0.rank) }
    }

    /// `weight` (`[out, in]`, row-major, of the layer `name`) with its adapter added, or as it is
    /// when the layer has none.
    /// - Throws: ``SteerTextError`` `.tensorMismatch` when the adapter's shape does not fit the layer.
    public func adapted(_ weight: [Float], name: String, out: Int, in inFeatures: Int) throws -> [Float] {
        guard let pair = pairs[name] else { return weight }
        guard pair.a.count == pair.rank * inFeatures, pair.b.count == out * pair.rank else {
            throw SteerTextError.tensorMismatch(path, name, "adapter of shapes [\(pair.rank), \(pair.a.count / pair.rank)] and "
                                                + "[\(pair.b.count / pair.rank), \(pair.rank)] for a layer of shape [\(out), \(inFeatures)]")
        }
        var result = weight
        let r = pair.rank
        pair.b.withUnsafeBufferPointer { b in
            pair.a.withUnsafeBufferPointer { a in
                result.withUnsafeMutableBufferPointer { w in
                    for row in 0..<out {
                        for k in 0..<r {
                            let scale = b[row * r + k]
                            if scale == 0 { continue }
                            for column in 0..<inFeatures { w[row * inFeatures + column] += scale * a[k * inFeatures + column] }
                        }
                    }
                }
            }
        }
        return result
    }

    /// - Throws: ``SteerTextError`` `.tensorMismatch` naming an adapted layer that is not among
    ///   `layers` (the linear layers the encoder has): adapters for another model must not load
    ///   as if they had changed nothing.
    func check(covers layers: Set<String>) throws {
        if let stray = pairs.keys.sorted().first(where: { !layers.contains($0) }) {
            throw SteerTextError.tensorMismatch(path, stray + ".lora_a", "the encoder has no linear layer \"\(stray)\"")
        }
    }
}
