// Forward kernels of the encoder: linear (sgemm), residual LayerNorm, exact GELU, attention.
// Shapes use the llm.c legend: N token rows (all sequences packed), C channels, T one
// sequence's length, H heads, D = C / H.
internal import COpenBLAS
internal import CSteerKernels
internal import SteerNN
import Foundation
import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Which kernels run the encoder's linear layers, layer norms and attention.
enum EncoderKernel: Sendable {
    /// OpenBLAS sgemm per column block and per attention head, Swift loops for the rest: any CPU.
    case openBLAS
    /// CSteerKernels: a linear layer's bias and GELU fused into its products, vector layer norms,
    /// attention without a general GEMM per head (AVX-512 CPUs only). One prompt is ~12 token
    /// rows: there, sgemm's set-up per call and the passes over memory between ops cost as much
    /// as the arithmetic.
    case avx512
    /// Linear layers in int8 (weights per output column, activations per row and 128 inputs,
    /// int32 sums by AVX-512 VNNI), everything else as ``avx512``. It trades fp32 parity for
    /// speed, so the library asks for it explicitly (``EncoderPrecision/int8``); steerd does by
    /// default.
    case int8

    /// What the encoders use: AVX-512 where the CPU has it, unless STEER_ENCODER_KERNEL=openblas.
    static let preferred: EncoderKernel = {
        if ProcessInfo.processInfo.environment["STEER_ENCODER_KERNEL"] == "openblas" { return .openBLAS }
        return steer_block_linear_available() == 1 ? .avx512 : .openBLAS
    }()

    /// Whether this CPU can run `kernel`.
    static func isAvailable(_ kernel: EncoderKernel) -> Bool {
        switch kernel {
        case .openBLAS: true
        case .avx512: steer_block_linear_available() == 1
        case .int8: steer_int8_available() == 1
        }
    }

    /// The kernel for `precision` on this CPU: int8 needs AVX-512 VNNI, else fp32's preferred.
    static func choose(_ precision: EncoderPrecision) -> EncoderKernel {
        precision == .int8 && isAvailable(.int8) ? .int8 : preferred
    }

    var description: String {
        switch self {
        case .openBLAS: "OpenBLAS"
        case .avx512: "AVX-512 kernels"
        case .int8: "int8, AVX-512 VNNI"
        }
    }

    /// Whether the ops around the linear layers run on CSteerKernels.
    var usesVectorKernels: Bool { self != .openBLAS }
}

enum Kernels {
    /// out[N, O] = inp[N, I] · Wᵀ[I, O] + b, block by block over the column blocks of `Wᵀ`
    /// (see ``Linear`` for why blocks).
    ///
    /// With `threads` > 1 the blocks are split into that many contiguous groups computed
    /// concurrently (each single-threaded): two cores stream weights nearly twice as fast.
    /// With `gelu`, out = gelu(inp · Wᵀ + b): the AVX-512 kernel applies it before storing.
    /// `scratch` holds the int8 path's quantized activations (a fresh one when nil).
    static func linear(_ out: UnsafeMutablePointer<Float>, _ inp: UnsafePointer<Float>, rows: Int, _ layer: Linear,
                       threads: Int = 1, gelu: Bool = false, kernel: EncoderKernel = .preferred, scratch: Int8Scratch? = nil) {
        let blocks = (layer.outFeatures + Linear.blockWidth - 1) / Linear.blockWidth
        if kernel == .int8, let int8 = layer.int8 {
            linearInt8(out, inp, rows: rows, layer, int8, blocks: blocks, threads: threads, gelu: gelu, scratch: scratch ?? Int8Scratch())
            return
        }
        let job = LinearBlocks(out: out, inp: inp, weight: layer.blocks.ptr, bias: layer.bias.ptr,
                               rows: rows, inFeatures: layer.inFeatures, outFeatures: layer.outFeatures, kernel: kernel, gelu: gelu)
        run(job, blocks: blocks, threads: threads)
        if gelu && !kernel.usesVectorKernels { Self.gelu(out, count: rows * layer.outFeatures) }
    }

    /// Runs `job` over column blocks 0..<blocks, cut into `threads` contiguous groups run at once.
    private static func run(_ job: some ColumnBlocksJob, blocks: Int, threads: Int) {
        let parts = min(threads, blocks)
        if parts <= 1 {
            job.run(0..<blocks)
        } else {
            DispatchQueue.concurrentPerform(iterations: parts) { part in
                job.run((blocks * part / parts)..<(blocks * (part + 1) / parts))
            }
        }
    }

    /// ``linear(_:_:rows:_:threads:gelu:kernel:)`` on the layer's int8 copy: the rows quantized
    /// once, then the column blocks split over `threads` as on the fp32 path.
    private static func linearInt8(_ out: UnsafeMutablePointer<Float>, _ inp: UnsafePointer<Float>, rows: Int, _ layer: Linear,
                                   _ int8: QuantizedLinear, blocks: Int, threads: Int, gelu: Bool, scratch: Int8Scratch) {
        let steps = rows * int8.ranges
        scratch.reserve(bytes: rows * int8.paddedInputs, steps: steps)
        let quantizedRows = scratch.rows, rowScales = scratch.steps   // scales, then zero points
        steer_int8_quantize_rows(inp, rows, layer.inFeatures, int8.inverseInputScales.ptr, quantizedRows, rowScales, rowScales + steps)
        let job = Int8Blocks(rows: quantizedRows, scales: rowScales, zeroPoints: rowScales + steps, count: rows, layer: int8, bias: layer.bias.ptr, out: out, gelu: gelu)
        run(job, blocks: blocks, threads: threads)
    }

    /// x[N, C] = LayerNorm(x + residual) · γ + β   (residual nil: LayerNorm(x))
    static func residualLayerNorm(_ x: UnsafeMutablePointer<Float>, _ residual: UnsafePointer<Float>?,
                                  rows: Int, channels c: Int, _ norm: Norm, eps: Float, kernel: EncoderKernel = .preferred) {
        let gamma = norm.gamma.ptr, beta = norm.beta.ptr
        if kernel.usesVectorKernels {
            steer_residual_layer_norm(x, residual, rows, c, gamma, beta, eps)
            return
        }
        for r in 0..<rows {
            let row = x + r * c
            if let residual {
                let res = residual + r * c
                for i in 0..<c { row[i] += res[i] }
            }
            var sum: Float = 0
            for i in 0..<c { sum += row[i] }
            let mean = sum / Float(c)
            var squares: Float = 0
            for i in 0..<c {
                let d = row[i] - mean
                squares += d * d
            }
            let rstd = 1 / (squares / Float(c) + eps).squareRoot()
            for i in 0..<c { row[i] = (row[i] - mean) * rstd * gamma[i] + beta[i] }
        }
    }

    /// x = x · Φ(x) = ½ x (1 + erf(x / √2)), BERT's erf GELU (not the tanh approximation): the
    /// training kernels' vectorized form, shared so the encoder and the heads agree on one erf.
    static func gelu(_ x: UnsafeMutablePointer<Float>, count: Int) {
        geluForward(out: x, inp: x, count: count, kind: .exact)
    }

    /// In-place softmax of each of `rows` rows of length `n`.
    static func softmaxRows(_ s: UnsafeMutablePointer<Float>, rows: Int, n: Int) {
        for r in 0..<rows {
            let row = s + r * n
            var maxValue = -Float.infinity
            for j in 0..<n { maxValue = max(maxValue, row[j]) }
            var sum: Float = 0
            for j in 0..<n {
                let e = expf(row[j] - maxValue)
                row[j] = e
                sum += e
            }
            let inv = 1 / sum
            for j in 0..<n { row[j] *= inv }
        }
    }

    /// Scratch floats ``attention(ctx:qkv:length:channels:heads:scores:bias:kernel:)`` needs for T rows.
    static func attentionScratch(length t: Int, channels c: Int, heads: Int) -> Int {
        max(t * t, steer_attention_scratch_floats(t, c / heads))
    }

    /// Self-attention of one sequence of T rows, every head:
    /// ctx[t, h·D..] = softmax(Q_h K_hᵀ / √D + bias_h) V_h, with Q, K, V read from qkv[T, 3C].
    /// Padding never enters: sequences are packed, so each attends to exactly its own rows.
    /// - Parameters:
    ///   - bias: MPNet's relative bias, `bias(h, i, j)` added to the scaled score; nil for BERT.
    ///   - scores: scratch of at least ``attentionScratch(length:channels:heads:)`` Floats.
    static func attention(ctx: UnsafeMutablePointer<Float>, qkv: UnsafePointer<Float>, length t: Int,
                          channels c: Int, heads: Int, scores: UnsafeMutablePointer<Float>,
                          bias: RelativePositionBias?, kernel: EncoderKernel = .preferred) {
        let d = c / heads
        let scale = 1 / Float(d).squareRoot()
        // MPNet's relative bias stays on the sgemm path: it is added between the two products.
        if kernel.usesVectorKernels && bias == nil {
            for h in 0..<heads {
                let q = qkv + h * d, k = qkv + c + h * d, v = qkv + 2 * c + h * d
                steer_attention_head(q, k, v, 3 * c, t, d, scale, scores, ctx + h * d, c)
            }
            return
        }
        let ld = Int32(3 * c)
        for h in 0..<heads {
            let q = qkv + h * d, k = qkv + c + h * d, v = qkv + 2 * c + h * d
            // scores[T, T] = scale · Q_h K_hᵀ
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(t), Int32(t), Int32(d),
                        scale, q, ld, k, ld, 0, scores, Int32(t))
            bias?.add(to: scores, head: h, length: t)
            softmaxRows(scores, rows: t, n: t)
            // ctx_h[T, D] = scores[T, T] · V_h[T, D]
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(t), Int32(d), Int32(t),
                        1, scores, Int32(t), v, ld, 0, ctx + h * d, Int32(c))
        }
    }
}

/// A linear layer's output computed for a range of its column blocks; the ranges of one layer
/// write disjoint columns, so they may run on different threads.
private protocol ColumnBlocksJob: Sendable {
    func run(_ blocks: Range<Int>)
}

/// An int8 linear layer's output by column blocks. `@unchecked Sendable` as ``LinearBlocks``.
private struct Int8Blocks: ColumnBlocksJob, @unchecked Sendable {
    let rows: UnsafeMutablePointer<UInt8>
    let scales: UnsafeMutablePointer<Float>
    let zeroPoints: UnsafeMutablePointer<Float>
    let count: Int
    let layer: QuantizedLinear
    let bias: UnsafePointer<Float>
    let out: UnsafeMutablePointer<Float>
    let gelu: Bool

    func run(_ blocks: Range<Int>) {
        steer_int8_linear(rows, scales, zeroPoints, count, layer.inFeatures, layer.weights, layer.scales.ptr, layer.columnSums, bias,
                          layer.outFeatures, blocks.lowerBound, blocks.upperBound, out, gelu ? 1 : 0)
    }
}

/// One linear layer's output by column blocks; groups of blocks may run on different threads.
/// `@unchecked Sendable`: concurrent groups write disjoint columns of `out` and only read the rest.
private struct LinearBlocks: ColumnBlocksJob, @unchecked Sendable {
    let out: UnsafeMutablePointer<Float>
    let inp: UnsafePointer<Float>
    let weight: UnsafePointer<Float>
    let bias: UnsafePointer<Float>
    let rows: Int, inFeatures: Int, outFeatures: Int
    let kernel: EncoderKernel
    /// Applied by the AVX-512 kernel only; `Kernels.linear` applies it after the OpenBLAS path.
    let gelu: Bool

    /// out[:, block b] = inp · block_b + b[block b] for each b in `blocks`.
    func run(_ blocks: Range<Int>) {
        let (o, k) = (outFeatures, inFeatures)
        if kernel.usesVectorKernels {
            steer_block_linear(inp, rows, k, weight, bias, o, blocks.lowerBound, blocks.upperBound, out, gelu ? 1 : 0)
            return
        }
        for b in blocks {
            let first = b * Linear.blockWidth, width = min(Linear.blockWidth, o - first)
            // alpha 1, beta 0, NoTrans × NoTrans, small M·N·K: OpenBLAS's unpacked small kernel.
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(rows), Int32(width), Int32(k),
                        1, inp, Int32(k), weight + first * k, Int32(width), 0, out + first, Int32(o))
            for r in 0..<rows {
                let row = out + r * o + first, bias = bias + first
                for j in 0..<width { row[j] += bias[j] }
            }
        }
    }
}
