// The weights of a post-LayerNorm transformer encoder (BERT, MPNet), loaded from safetensors
import SteerSafeTensors
// by name with every shape checked.
internal import COpenBLAS
internal import SteerNN

/// A PyTorch `nn.Linear`, `y = x · Wᵀ + b`, with `Wᵀ` stored as column blocks.
///
/// Why blocks: a prompt is a dozen rows, so a linear layer is bound by streaming its weights
/// from memory, and OpenBLAS's unpacked small-matrix kernel reads the weight operand in
/// place. Cutting `Wᵀ [in, out]` into blocks of ``blockWidth`` output columns, each stored
/// contiguously as `[in, width]`, turns every small sgemm's weight reads into one sequential
/// stream: 2× faster at 10 rows than a strided `Wᵀ` (and ~15% slower for 300-row batches).
struct Linear: Sendable {
    /// Also the block width `steer_block_linear` (CSteerKernels) reads: two AVX-512 vectors.
    static let blockWidth = 32
    /// Block b (columns b·w ..< b·w + width) is `[in, width]` row-major at offset b·w·in.
    let blocks: FloatBuffer
    let bias: FloatBuffer     // [out]
    let inFeatures: Int
    let outFeatures: Int
    /// The int8 copy the `.int8` kernel reads (see ``quantized()``); nil for the fp32 kernels.
    private(set) var int8: QuantizedLinear?

    /// From PyTorch's `[out, in]` layout.
    init(weight: [Float], bias: [Float], inFeatures: Int, outFeatures: Int) {
        let blocks = FloatBuffer(count: weight.count)
        weight.withUnsafeBufferPointer { w in
            var first = 0
            while first < outFeatures {
                let width = min(Self.blockWidth, outFeatures - first)
                // block[in, width] = W[first ..< first + width, :]ᵀ
                cblas_somatcopy(CblasRowMajor, CblasTrans, Int32(width), Int32(inFeatures), 1,
                                w.baseAddress! + first * inFeatures, Int32(inFeatures),
                                blocks.ptr + first * inFeatures, Int32(width))
                first += width
            }
        }
        self.blocks = blocks
        self.bias = FloatBuffer(bias)
        self.inFeatures = inFeatures
        self.outFeatures = outFeatures
    }

    /// This layer with its int8 copy made (see ``QuantizedLinear``).
    func quantized(inputMaxima: [Float]) -> Linear {
        var copy = self
        copy.int8 = QuantizedLinear(self, inputMaxima: inputMaxima)
        return copy
    }
}

/// A LayerNorm's scale and shift.
struct Norm: Sendable {
    let gamma: FloatBuffer
    let beta: FloatBuffer
}

/// One encoder layer: self-attention then feed-forward, each followed by residual + LayerNorm.
struct TransformerLayer: Sendable {
    /// This layer with the int8 copies of its four linear layers made, from the per-channel input
    /// maxima of each (indexed by ``LinearSlot``).
    func quantized(inputMaxima m: [LinearSlot: [Float]]) -> TransformerLayer {
        TransformerLayer(qkv: qkv.quantized(inputMaxima: m[.qkv]!), attentionOutput: attentionOutput.quantized(inputMaxima: m[.attentionOutput]!),
                         attentionNorm: attentionNorm, intermediate: intermediate.quantized(inputMaxima: m[.intermediate]!),
                         output: output.quantized(inputMaxima: m[.output]!), outputNorm: outputNorm)
    }

    /// Query, key and value projections stacked into one `[3C, C]` matrix, so one sgemm
    /// computes all three.
    let qkv: Linear
    let attentionOutput: Linear
    let attentionNorm: Norm
    let intermediate: Linear
    let output: Linear
    let outputNorm: Norm
}

/// Everything the forward pass reads.
struct TransformerWeights: Sendable {
    let wordEmbeddings: FloatBuffer      // [V, C]
    let positionEmbeddings: FloatBuffer  // [P, C]
    /// Row 0 of BERT's token-type table (single-segment input); nil for MPNet.
    let tokenTypeEmbedding: FloatBuffer?
    let embeddingNorm: Norm
    let layers: [TransformerLayer]
    /// MPNet's relative-attention bias table `[buckets, heads]`; nil for BERT.
    let relativeAttentionBias: FloatBuffer?
}

/// Reads tensors from a safetensors file, checking each shape against the config.
struct WeightLoader {
    let file: SafeTensorsFile
    /// Prepended to every name: "" for sentence-transformers exports, "bert." or "mpnet." for
    /// checkpoints saved from a task model.
    let prefix: String
    /// Added to the linear layers' weights as they load (a fine-tuned router's encoder).
    let adapters: LowRankAdapters?

    /// Picks the prefix under which `probe` exists.
    init(file: SafeTensorsFile, probe: String, candidatePrefixes: [String], adapters: LowRankAdapters? = nil) throws {
        self.file = file
        self.adapters = adapters
        guard let prefix = candidatePrefixes.first(where: { file.entries[$0 + probe] != nil }) else {
            throw SteerTextError.missingTensor(file.path, candidatePrefixes.map { $0 + probe }.joined(separator: "\" or \""))
        }
        self.prefix = prefix
    }

    func tensor(_ name: String, _ shape: [Int]) throws -> FloatBuffer {
        FloatBuffer(try file.floats(prefix + name, shape: shape))
    }

    func linear(_ name: String, out: Int, in inFeatures: Int) throws -> Linear {
        Linear(weight: try weight(name, out: out, in: inFeatures),
               bias: try file.floats(prefix + name + ".bias", shape: [out]), inFeatures: inFeatures, outFeatures: out)
    }

    /// The linear layer `name`'s weight, its adapter (if any) added.
    private func weight(_ name: String, out: Int, in inFeatures: Int) throws -> [Float] {
        let base = try file.floats(prefix + name + ".weight", shape: [out, inFeatures])
        return try adapters?.adapted(base, name: name, out: out, in: inFeatures) ?? base
    }

    /// Several linears with the same input stacked along the output dimension.
    func stacked(_ names: [String], out: Int, in inFeatures: Int) throws -> Linear {
        var weight: [Float] = []
        var bias: [Float] = []
        weight.reserveCapacity(names.count * out * inFeatures)
        for name in names {
            weight += try self.weight(name, out: out, in: inFeatures)
            bias += try file.floats(prefix + name + ".bias", shape: [out])
        }
        return Linear(weight: weight, bias: bias, inFeatures: inFeatures, outFeatures: names.count * out)
    }

    func norm(_ name: String, _ size: Int) throws -> Norm {
        Norm(gamma: try tensor(name + ".weight", [size]), beta: try tensor(name + ".bias", [size]))
    }
}

/// The four linear layers of a transformer layer, in the order the forward pass runs them.
enum LinearSlot: CaseIterable, Sendable {
    case qkv, attentionOutput, intermediate, output
}
