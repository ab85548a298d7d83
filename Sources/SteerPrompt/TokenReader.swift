// The router's second reader: a linear part over [sentence embedding ; cue features] and a
// convolution over the token states, trained together. The router averages its logit with the
// plain logistic regression's: the two err on different prompts.
import Foundation
import SteerRandom

/// `logit = w · [embedding ; cues] + b + TokenConvolution(token states)`.
struct TokenReader: Sendable, Equatable {
    var weights: [Float]
    var bias: Float
    var convolution: TokenConvolution

    typealias Settings = TokenReaderSettings

    func logit(row: [Float], states: [Float], tokens: Int) -> Float {
        linear(row) + convolution.logit(states, tokens: tokens)
    }

    /// `w · row + b`, the linear part's share of the logit.
    func linear(_ row: [Float]) -> Float {
        var z = bias
        for i in weights.indices { z += weights[i] * row[i] }
        return z
    }

    /// Fits `rows` (embedding then cue features) and their token states to `labels` (true =
    /// positive) with mini-batch Adam, the learning rate decaying linearly to zero, classes
    /// balanced as in ``LogisticRegression``. Deterministic for given inputs and `seed`.
    /// - Parameter states: each example's token states (`tokens × dimension`, row-major).
    static func fit(rows: [[Float]], states: [(values: [Float], tokens: Int)], labels: [Bool], embeddingWidth: Int,
                    dimension: Int, settings: Settings, seed: UInt64) -> TokenReader {
        precondition(rows.count == labels.count && states.count == labels.count && !rows.isEmpty, "one row, state and label per example")
        let width = rows[0].count
        var reader = TokenReader(weights: [Float](repeating: 0, count: width), bias: 0,
                                 convolution: TokenConvolution(dimension: dimension, filters: settings.filters, seed: seed ^ 0x70_6b_65_6e))
        let n = Float(rows.count), positives = Float(labels.filter { $0 }.count)
        let classWeights = labels.map { $0 ? n / (2 * max(positives, 1)) : n / (2 * max(n - positives, 1)) }
        let linearL2 = { (i: Int) in i < embeddingWidth ? settings.l2Embedding : settings.l2Cues }
        let convolutionL2 = { (_: Int) in settings.l2Convolution }
        var adam = (weights: AdamState(reader.weights.count), bias: AdamState(1), kernel: AdamState(reader.convolution.kernel.count),
                    convBias: AdamState(settings.filters), output: AdamState(settings.filters))
        var rng = SeededRandom(seed: seed)
        var order = Array(rows.indices)
        let totalSteps = Float(settings.epochs * ((rows.count + settings.batchSize - 1) / settings.batchSize))
        var step = 0
        let keep = 1 - settings.dropout
        for _ in 0..<settings.epochs {
            order.shuffle(using: &rng)
            for batchStart in stride(from: 0, to: order.count, by: settings.batchSize) {
                let batch = order[batchStart..<min(batchStart + settings.batchSize, order.count)]
                var gWeights = [Float](repeating: 0, count: width), gBias: Float = 0
                var gKernel = [Float](repeating: 0, count: reader.convolution.kernel.count)
                var gConvBias = [Float](repeating: 0, count: settings.filters), gOutput = gConvBias
                for r in batch {
                    var dropped = states[r].values
                    if settings.dropout > 0 {
                        for i in dropped.indices { dropped[i] = rng.chance(Double(settings.dropout)) ? 0 : dropped[i] / keep }
                    }
                    let tokens = states[r].tokens
                    dropped.withUnsafeBufferPointer { x in
                        let pooled = reader.convolution.pool(x, tokens: tokens)
                        // The bias, the filters, then the linear terms: the order the bundled file was trained in.
                        var z = reader.bias + reader.convolution.logit(pooled)
                        for i in 0..<width { z += reader.weights[i] * rows[r][i] }
                        let g = (1 / (1 + exp(-z)) - (labels[r] ? 1 : 0)) * classWeights[r] / Float(batch.count)
                        for i in 0..<width { gWeights[i] += g * rows[r][i] }
                        gBias += g
                        reader.convolution.accumulateGradient(dLogit: g, states: x, tokens: tokens, pooled: pooled,
                                                              kernelGradient: &gKernel, biasGradient: &gConvBias, outputGradient: &gOutput)
                    }
                }
                step += 1
                let lr = settings.learningRate * (1 - Float(step - 1) / totalSteps)
                adam.weights.step(&reader.weights, gWeights, l2: linearL2, learningRate: lr, step: step)
                var bias = [reader.bias]
                adam.bias.step(&bias, [gBias], l2: { _ in 0 }, learningRate: lr, step: step)
                reader.bias = bias[0]
                adam.kernel.step(&reader.convolution.kernel, gKernel, l2: convolutionL2, learningRate: lr, step: step)
                adam.convBias.step(&reader.convolution.bias, gConvBias, l2: convolutionL2, learningRate: lr, step: step)
                adam.output.step(&reader.convolution.output, gOutput, l2: convolutionL2, learningRate: lr, step: step)
            }
        }
        return reader
    }
}

/// How a ``TokenReader`` is trained; the defaults are the bundled router's, chosen on the
/// development sets (see Resources/README.md).
public struct TokenReaderSettings: Sendable, Equatable, Codable {
    public var epochs = 3
    public var batchSize = 64
    public var learningRate: Float = 3e-3
    public var filters = 64
    /// Share of token-state values zeroed in training (the rest scaled up to keep the mean).
    public var dropout: Float = 0.2
    public var l2Embedding: Float = 1e-4
    public var l2Cues: Float = 1e-4
    public var l2Convolution: Float = 1e-3
    public init() {}
}

/// Adam's moments for one group of weights (β 0.9 / 0.999, ε 1e-8), with an L2 penalty added to the gradient.
struct AdamState {
    private var m: [Float]
    private var v: [Float]

    init(_ count: Int) {
        m = [Float](repeating: 0, count: count)
        v = m
    }

    /// - Parameter l2: the penalty of weight `i`.
    mutating func step(_ weights: inout [Float], _ gradient: [Float], l2: (Int) -> Float, learningRate: Float, step: Int) {
        let (beta1, beta2): (Float, Float) = (0.9, 0.999)
        let c1 = 1 - pow(beta1, Float(step)), c2 = 1 - pow(beta2, Float(step))
        for i in weights.indices {
            let g = gradient[i] + l2(i) * weights[i]
            m[i] = beta1 * m[i] + (1 - beta1) * g
            v[i] = beta2 * v[i] + (1 - beta2) * g * g
            weights[i] -= learningRate * (m[i] / c1) / ((v[i] / c2).squareRoot() + 1e-8)
        }
    }
}
