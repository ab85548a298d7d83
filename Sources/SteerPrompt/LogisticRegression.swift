// Binary logistic regression trained full-batch with Adam: the router's classifier.
import Foundation
import SteerRandom

/// `p(positive | x) = σ(w·x + b)`, trained on a few thousand rows in a second or two.
public struct LogisticRegression: Sendable, Equatable {
    var weights: [Float]
    var bias: Float

    /// `w·x + b`: the log-odds that `x` is positive.
    func logit(_ x: [Float]) -> Double {
        var z = Double(bias)
        for i in weights.indices { z += Double(weights[i]) * Double(x[i]) }
        return z
    }

    /// The probability that `x` is positive.
    func probability(_ x: [Float]) -> Double { 1 / (1 + exp(-logit(x))) }

    /// Training settings. The embedding weights and the cue weights get L2 penalties of their
    /// own. The embedding's was once 100 times stronger, so that it would not learn the generated
    /// templates' wording; with the hand-written corpus in training it is weak enough that the
    /// prompts where the cues are wrong can move it. The defaults are the bundled router's, so
    /// `steer router train` without flags writes the same file.
    public struct Settings: Sendable, Equatable, Codable {
        public var epochs = 30
        public var batchSize = 32
        public var learningRate: Float = 0.03
        public var l2Embedding: Float = 1e-4
        public var l2Cues: Float = 1e-4
        public init() {}
    }

    /// Fits `rows` (each of `embeddingWidth` embedding values then the cue features) to
    /// `labels` (true = positive) with mini-batch Adam, the learning rate decaying linearly to
    /// zero. Starts from zero weights and shuffles with `seed`: deterministic for given inputs.
    /// Mini-batches rather than full-batch steps because tests retrain in debug builds, where
    /// every multiply-add is slow: 30 epochs of mini-batches converge where full-batch needs hundreds.
    static func fit(rows: [[Float]], labels: [Bool], embeddingWidth: Int, settings: Settings, seed: UInt64) -> LogisticRegression {
        let width = rows.first?.count ?? 0
        var w = [Double](repeating: 0, count: width + 1)   // the last slot is the bias
        var m = w, v = w, grad = w
        let (beta1, beta2, eps) = (0.9, 0.999, 1e-8)
        // Balance the classes so the bias is not pulled toward whichever polarity the generator
        // happened to produce more of.
        let n = Double(rows.count), positives = Double(labels.filter { $0 }.count)
        let classWeights = labels.map { $0 ? n / (2 * max(positives, 1)) : n / (2 * max(n - positives, 1)) }
        let flat = rows.flatMap { $0.map(Double.init) }
        let targets = labels.map { $0 ? 1.0 : 0.0 }
        let l2 = (0..<width).map { Double($0 < embeddingWidth ? settings.l2Embedding : settings.l2Cues) }
        var rng = SeededRandom(seed: seed)
        var order = Array(rows.indices)
        let batchesPerEpoch = (rows.count + settings.batchSize - 1) / settings.batchSize
        let totalSteps = Double(settings.epochs * batchesPerEpoch)
        var step = 0
        for _ in 0..<settings.epochs {
            order.shuffle(using: &rng)
            for batchStart in stride(from: 0, to: order.count, by: settings.batchSize) {
                let batch = order[batchStart..<min(batchStart + settings.batchSize, order.count)]
                for i in grad.indices { grad[i] = 0 }
                flat.withUnsafeBufferPointer { X in
                    for r in batch {
                        let row = X.baseAddress! + r * width
                        var z = w[width]
                        for i in 0..<width { z += w[i] * row[i] }
                        let g = (1 / (1 + exp(-z)) - targets[r]) * classWeights[r] / Double(batch.count)
                        for i in 0..<width { grad[i] += g * row[i] }
                        grad[width] += g
                    }
                }
                step += 1
                let lr = Double(settings.learningRate) * (1 - Double(step - 1) / totalSteps)
                let c1 = 1 - pow(beta1, Double(step)), c2 = 1 - pow(beta2, Double(step))
                for i in 0...width {
                    let gi = grad[i] + (i < width ? l2[i] * w[i] : 0)
                    m[i] = beta1 * m[i] + (1 - beta1) * gi
                    v[i] = beta2 * v[i] + (1 - beta2) * gi * gi
                    w[i] -= lr * (m[i] / c1) / ((v[i] / c2).squareRoot() + eps)
                }
            }
        }
        return LogisticRegression(weights: w.prefix(width).map(Float.init), bias: Float(w[width]))
    }
}
