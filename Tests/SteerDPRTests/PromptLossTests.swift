// The scoring loss: temperature, single and multi-target rows, gradients for z and the item table.
import SteerNN
import SteerTestSupport
import XCTest
@testable import SteerDPR

final class PromptLossTests: XCTestCase {
    func testGradientsWithTemperatureAndTargetSets() {
        let n = 4, v = 9, d = 5
        var rng = RNG(seed: 71)
        let z = randomBuffer(n * d, rng: &rng), items = randomBuffer(v * d, rng: &rng)
        // Positive rows: one target; negative rows: a compliance list; one empty row is ignored.
        let targets = TargetSets([[3], [1, 4, 4, 7], [], [8, 0]])
        let ws = CrossEntropyWorkspace(items: v, channels: d, chunkRows: 2)
        let tau: Float = 0.5, lambda: Float = 0.7
        func loss() -> Double {
            Double(promptLoss(z: z.ptr, dZ: nil, items: items.ptr, dItems: nil, targets: targets, itemCount: v, dim: d,
                              temperature: tau, gradScale: lambda, workspace: ws).loss) * Double(lambda)
        }
        let dZ = FloatBuffer(count: n * d), dItems = FloatBuffer(count: v * d)
        let result = promptLoss(z: z.ptr, dZ: dZ.ptr, items: items.ptr, dItems: dItems.ptr, targets: targets, itemCount: v, dim: d,
                                temperature: tau, gradScale: lambda, workspace: ws)
        XCTAssertEqual(result.rows, 3)
        // Reference loss from the definition.
        var ref = 0.0
        for row in [0, 1, 3] {
            var logits = [Double](repeating: 0, count: v)
            for j in 0..<v { for c in 0..<d { logits[j] += Double(z[row * d + c]) * Double(items[j * d + c]) / Double(tau) } }
            let mx = logits.max()!
            let lse = mx + log(logits.reduce(0) { $0 + exp($1 - mx) })
            let set = targets.ids[Int(targets.offsets[row])..<Int(targets.offsets[row + 1])]
            ref += set.reduce(0.0) { $0 + lse - logits[Int($1)] } / Double(set.count)
        }
        XCTAssertEqual(Double(result.loss), ref / 3, accuracy: 1e-4)
        var r = gradCheck("z", value: z.ptr, grad: dZ.ptr, count: n * d, samples: 1000, rng: &rng, loss: loss)
        r.merge(gradCheck("items", value: items.ptr, grad: dItems.ptr, count: v * d, samples: 1000, rng: &rng, loss: loss))
        assertGradients(r, "prompt loss (τ = 0.5, multi-target, λ = 0.7)")
        // The ignored row gets no gradient.
        for c in 0..<d { XCTAssertEqual(dZ[2 * d + c], 0) }
    }

    func testScoresMatchDotProductsOverTemperature() {
        var rng = RNG(seed: 72)
        let z = randomBuffer(2 * 3, rng: &rng), items = randomBuffer(4 * 3, rng: &rng), out = FloatBuffer(count: 8)
        promptScores(out: out.ptr, z: z.ptr, items: items.ptr, rows: 2, itemCount: 4, dim: 3, temperature: 0.25)
        for row in 0..<2 {
            for j in 0..<4 {
                var s: Float = 0
                for c in 0..<3 { s += z[row * 3 + c] * items[j * 3 + c] }
                XCTAssertEqual(out[row * 4 + j], s / 0.25, accuracy: 1e-5)
            }
        }
    }
}
