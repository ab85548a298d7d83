// Binary logistic regression trained full-batch with Adam: the router's classifier.
import Foundation

/// `p(positive | x) = σ(w·x + b)`, trained on a few thousand rows in a second or two.
struct LogisticRegression: Sendable, Equatable {
    var weights: [Float]
    var bias: Float

    /// The probability that `x` is positive.
    func probability(_ x: [Float]) -> Double {
        var z = Double(bias)
        for i in weights.indices { z += Double(weights[i]) * Double(x[i]) }
        return 1 / (1 + exp(-z))
    }

    /// Training settings. Embedding weights get a stronger L2 penalty than the cue weights: the
    /// embedding should break ties, not learn the templates' wording (see DESIGN notes in
    /// Resources/README.md).
    struct Settings: Sendable, Equatable, Codable {
        var epochs = 300
        var learningRate: Float = 0.05
        var l2Embedding: Float = 3e-3
        var l2Cues: Float = 1e-4
    }

    /// Fits `rows` (each of `embeddingWidth` embedding values then the cue features) to
    /// `labels` (true = positive), starting from zero weights: deterministic for given inputs.
    static func fit(rows: [[Float]], labels: [Bool], embeddingWidth: Int, settings: Settings) -> LogisticRegression {
        let width = rows.first?.count ?? 0
        var w = [Double](repeating: 0, count: width), b = 0.0
        var m = [Double](repeating: 0, count: width + 1), v = [Double](repeating: 0, count: width + 1)
        let (beta1, beta2, eps) = (0.9, 0.999, 1e-8)
        let n = Double(rows.count)
        // Balance the classes so the bias is not pulled toward whichever polarity the generator
        // happened to produce more of.
        let positives = Double(labels.filter { $0 }.count)
        let weightPos = n / (2 * max(positives, 1)), weightNeg = n / (2 * max(n - positives, 1))
        // Flat row-major copy and raw pointers: this loop runs in debug builds (tests retrain).
        let flat = rows.flatMap { $0.map(Double.init) }
        let targets = labels.map { $0 ? 1.0 : 0.0 }, classWeights = labels.map { ($0 ? weightPos : weightNeg) / n }
        var grad = [Double](repeating: 0, count: width + 1)
        for step in 1...settings.epochs {
            flat.withUnsafeBufferPointer { X in
                w.withUnsafeBufferPointer { W in
                    grad.withUnsafeMutableBufferPointer { G in
                        for i in 0...width { G[i] = 0 }
                        for r in 0..<rows.count {
                            let row = X.baseAddress! + r * width
                            var z = b
                            for i in 0..<width { z += W[i] * row[i] }
                            let g = (1 / (1 + exp(-z)) - targets[r]) * classWeights[r]
                            for i in 0..<width { G[i] += g * row[i] }
                            G[width] += g
                        }
                    }
                }
            }
            for i in 0..<width {
                grad[i] += Double(i < embeddingWidth ? settings.l2Embedding : settings.l2Cues) * w[i]
            }
            let lr = Double(settings.learningRate)
            let c1 = 1 - pow(beta1, Double(step)), c2 = 1 - pow(beta2, Double(step))
            for i in 0...width {
                m[i] = beta1 * m[i] + (1 - beta1) * grad[i]
                v[i] = beta2 * v[i] + (1 - beta2) * grad[i] * grad[i]
                let delta = lr * (m[i] / c1) / ((v[i] / c2).squareRoot() + eps)
                if i < width { w[i] -= delta } else { b -= delta }
            }
        }
        return LogisticRegression(weights: w.map(Float.init), bias: Float(b))
    }
}
