// A tiny end-to-end check that the head can learn to steer: "prompt k" → "rank item cluster k first".
import SteerNN
import XCTest
@testable import SteerDPR

final class LearningSanityTests: XCTestCase {
    /// Synthetic world: K item clusters; prompt k is a fixed random sentence embedding (pooled) or
    /// a few token states of which one carries the cluster word (tokens). Positive prompt k: target
    /// a random item of cluster k. Negative prompt k: targets are all items outside cluster k.
    private func trainAndEvaluate(keyValue: KeyValueMode) throws -> (positiveTop1: Double, negativeLeak: Double) {
        let clusters = 4, perCluster = 6, v = clusters * perCluster, d = 16, e = 24, users = 64
        let lk = keyValue == .tokens ? 3 : 1
        var rng = RNG(seed: 81)
        // Items: cluster centre + noise. Users: random vectors (their own preferences).
        let centres = randomBuffer(clusters * d, std: 1, rng: &rng)
        let items = FloatBuffer(count: v * d)
        for i in 0..<v { for c in 0..<d { items[i * d + c] = centres[(i / perCluster) * d + c] + 0.3 * rng.normal() } }
        let userVecs = randomBuffer(users * d, std: 1, rng: &rng)
        let words = randomBuffer(clusters * e, std: 1, rng: &rng)       // the "genre word" of each cluster
        let fillers = randomBuffer(5 * e, std: 1, rng: &rng)            // "I'm in the mood for", "tonight", ...
        let cfg = DPRConfig(dim: d, encoderDim: e, projectorHidden: 32, heads: 2, ffnDim: 32, keyValue: keyValue, dropout: 0)
        let head = try DPRHead(config: cfg, seed: 82)
        let opt = AdamW(parameters: head.parameters, learningRate: 2e-2, weightDecay: 0)
        let ws = CrossEntropyWorkspace(items: v, channels: d, chunkRows: 64)
        let b = 32

        /// Fills a batch: half positive, half negative rows; returns the clusters and polarities.
        func batch(_ user: FloatBuffer, _ prompt: FloatBuffer, _ lengths: inout [Int32], rng: inout RNG) -> ([Int], [PromptPolarity]) {
            var ks: [Int] = [], pols: [PromptPolarity] = []
            for row in 0..<b {
                let k = rng.below(clusters), u = rng.below(users)
                ks.append(k); pols.append(row % 2 == 0 ? .positive : .negative)
                (user.ptr + row * d).update(from: userVecs.ptr + u * d, count: d)
                if lk == 1 {
                    (prompt.ptr + row * e).update(from: words.ptr + k * e, count: e)
                } else {
                    // [filler, word, filler] or [word, filler] (length 2, padded): position varies.
                    let len = 2 + rng.below(2), at = rng.below(len)
                    zero(prompt.ptr + row * lk * e, count: lk * e)
                    for j in 0..<len {
                        let src = j == at ? words.ptr + k * e : fillers.ptr + rng.below(5) * e
                        (prompt.ptr + (row * lk + j) * e).update(from: src, count: e)
                    }
                    lengths[row] = Int32(len)
                }
            }
            return (ks, pols)
        }

        let user = FloatBuffer(count: b * d), prompt = FloatBuffer(count: b * lk * e), z = FloatBuffer(count: b * d)
        let dZ = FloatBuffer(count: b * d)
        var lengths = [Int32](repeating: Int32(lk), count: b)
        head.isTraining = true
        for _ in 0..<150 {
            let (ks, pols) = batch(user, prompt, &lengths, rng: &rng)
            head.forward(out: z.ptr, user: user.ptr, prompt: prompt.ptr, promptLength: lk, lengths: lengths, polarities: pols, batch: b)
            var targets = TargetSets()
            for (k, p) in zip(ks, pols) {
                if p == .positive { targets.append([Int32(k * perCluster + rng.below(perCluster))]) } else {
                    targets.append((0..<v).filter { $0 / perCluster != k }.map { Int32($0) })
                }
            }
            head.zeroGrad()
            dZ.zero()
            promptLoss(z: z.ptr, dZ: dZ.ptr, items: items.ptr, dItems: nil, targets: targets, itemCount: v, dim: d,
                       temperature: 1, workspace: ws)
            head.backward(dZ: dZ.ptr, dUser: nil)
            opt.update()
        }
        head.isTraining = false

        // Evaluate on fresh batches.
        var posHits = 0, posRows = 0, negLeak = 0, negRows = 0
        let scores = FloatBuffer(count: b * v)
        for _ in 0..<4 {
            let (ks, pols) = batch(user, prompt, &lengths, rng: &rng)
            head.forward(out: z.ptr, user: user.ptr, prompt: prompt.ptr, promptLength: lk, lengths: lengths, polarities: pols, batch: b)
            promptScores(out: scores.ptr, z: z.ptr, items: items.ptr, rows: b, itemCount: v, dim: d)
            for row in 0..<b {
                let ranked = (0..<v).sorted { scores[row * v + $0] > scores[row * v + $1] }
                if pols[row] == .positive {
                    posRows += 1
                    if ranked[0] / perCluster == ks[row] { posHits += 1 }
                } else {
                    // Leak: avoided-cluster items among the top quarter (chance level 1/4 of the slots).
                    negRows += 1
                    negLeak += ranked.prefix(perCluster).filter { $0 / perCluster == ks[row] }.count
                }
            }
        }
        return (Double(posHits) / Double(posRows), Double(negLeak) / Double(negRows * perCluster))
    }

    func testHeadLearnsToSteerPooled() throws {
        let (pos, neg) = try trainAndEvaluate(keyValue: .pooled)
        print("learning sanity (pooled): positive top-1 in cluster \(pos); avoided-cluster share of the top 6 \(neg) (chance 0.25)")
        XCTAssertGreaterThan(pos, 0.8)
        XCTAssertLessThan(neg, 0.1)
    }

    func testHeadLearnsToSteerTokens() throws {
        let (pos, neg) = try trainAndEvaluate(keyValue: .tokens)
        print("learning sanity (tokens): positive top-1 in cluster \(pos); avoided-cluster share of the top 6 \(neg) (chance 0.25)")
        XCTAssertGreaterThan(pos, 0.8)
        XCTAssertLessThan(neg, 0.1)
    }
}
