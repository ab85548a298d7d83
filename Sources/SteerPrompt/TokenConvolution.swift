// The router's token reader: a width-3 convolution over the encoder's last-layer token states,
// ReLU, the maximum over positions, one output weight per filter. The mean-pooled embedding has
// averaged word order away; three neighbouring tokens keep "not a bad night" apart from "a bad night".
internal import COpenBLAS
import SteerRandom

/// `logit(x) = Σ_f output[f] · max_t relu(bias[f] + Σ_k kernel[f, k] · x[t + k − 1])`, where
/// `x[t]` is token `t`'s state and positions outside the prompt are zero.
struct TokenConvolution: Sendable, Equatable {
    /// Tokens each filter reads: the token and one on each side.
    static let width = 3

    let dimension: Int
    let filters: Int
    /// `filters × (width · dimension)`, row-major: filter, then tap, then feature.
    var kernel: [Float]
    var bias: [Float]
    var output: [Float]

    /// Seeded uniform weights in ±1/√fan-in, the usual start for a ReLU layer that has to break symmetry.
    init(dimension: Int, filters: Int, seed: UInt64) {
        precondition(dimension > 0 && filters > 0, "a token convolution needs a dimension and filters")
        self.dimension = dimension
        self.filters = filters
        var rng = SeededRandom(seed: seed)
        let inScale = 1 / Float(Self.width * dimension).squareRoot(), outScale = 1 / Float(filters).squareRoot()
        kernel = (0..<(filters * Self.width * dimension)).map { _ in rng.nextSigned() * inScale }
        bias = (0..<filters).map { _ in rng.nextSigned() * inScale }
        output = (0..<filters).map { _ in rng.nextSigned() * outScale }
    }

    init(dimension: Int, filters: Int, kernel: [Float], bias: [Float], output: [Float]) {
        self.dimension = dimension
        self.filters = filters
        self.kernel = kernel
        self.bias = bias
        self.output = output
    }

    /// What the backward pass needs of a forward pass: each filter's maximum and where it was.
    struct Pooled {
        /// `filters` values, each ≥ 0.
        var values: [Float]
        /// The position of each maximum, or -1 when every position was ≤ 0 (no gradient flows).
        var positions: [Int]
    }

    /// The filters' maxima over the `tokens × dimension` row-major `states`.
    func pool(_ states: UnsafeBufferPointer<Float>, tokens: Int) -> Pooled {
        precondition(states.count >= tokens * dimension, "\(states.count) floats for \(tokens) tokens of \(dimension)")
        var pooled = Pooled(values: [Float](repeating: 0, count: filters), positions: [Int](repeating: -1, count: filters))
        guard tokens > 0 else { return pooled }
        // responses[t, f] = bias + the three taps, each one sgemm over the positions it reaches.
        var responses = [Float](repeating: 0, count: tokens * filters)
        for t in 0..<tokens { for f in 0..<filters { responses[t * filters + f] = bias[f] } }
        let rowStride = Self.width * dimension
        kernel.withUnsafeBufferPointer { k in
            responses.withUnsafeMutableBufferPointer { r in
                for tap in 0..<Self.width {
                    // Position t reads token t + tap − 1.
                    let firstPosition = max(0, 1 - tap), lastPosition = min(tokens, tokens + 1 - tap)   // exclusive
                    let rows = lastPosition - firstPosition
                    guard rows > 0 else { continue }
                    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, blasint(rows), blasint(filters), blasint(dimension), 1,
                                states.baseAddress! + (firstPosition + tap - 1) * dimension, blasint(dimension),
                                k.baseAddress! + tap * dimension, blasint(rowStride), 1,
                                r.baseAddress! + firstPosition * filters, blasint(filters))
                }
            }
        }
        for t in 0..<tokens {
            for f in 0..<filters where responses[t * filters + f] > pooled.values[f] {
                pooled.values[f] = responses[t * filters + f]
                pooled.positions[f] = t
            }
        }
        return pooled
    }

    /// The reader's logit for one prompt.
    func logit(_ states: [Float], tokens: Int) -> Float {
        logit(states.withUnsafeBufferPointer { pool($0, tokens: tokens) })
    }

    /// The logit of maxima already pooled (training keeps them for the backward pass).
    func logit(_ pooled: Pooled) -> Float {
        zip(output, pooled.values).reduce(0) { $0 + $1.0 * $1.1 }
    }

    /// Adds `dLogit ×` the gradient of the logit to `kernel`, `bias` and `output` gradients laid out
    /// like the weights. Only each filter's winning position carries gradient (the max passes it on
    /// to one position; ReLU stops it where the maximum was 0).
    func accumulateGradient(dLogit: Float, states: UnsafeBufferPointer<Float>, tokens: Int, pooled: Pooled,
                            kernelGradient: UnsafeMutablePointer<Float>, biasGradient: UnsafeMutablePointer<Float>,
                            outputGradient: UnsafeMutablePointer<Float>) {
        let rowStride = Self.width * dimension
        for f in 0..<filters {
            outputGradient[f] += dLogit * pooled.values[f]
            let t = pooled.positions[f]
            guard t >= 0 else { continue }
            let g = dLogit * output[f]
            biasGradient[f] += g
            for tap in 0..<Self.width {
                let token = t + tap - 1
                guard token >= 0, token < tokens else { continue }
                cblas_saxpy(blasint(dimension), g, states.baseAddress! + token * dimension, 1,
                            kernelGradient + f * rowStride + tap * dimension, 1)
            }
        }
    }
}
