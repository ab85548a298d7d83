// Tests for AdamW against hand-computed steps, gradient clipping, zero_grad and the RNG.
import Foundation
import SteerNN
import XCTest

final class OptimizerTests: XCTestCase {
    func testAdamWMatchesHandComputedSteps() {
        let x = FloatBuffer([1.0, -2.0]), g = FloatBuffer(count: 2)
        let bias = FloatBuffer([0.5]), gb = FloatBuffer(count: 1)
        let params = [Parameter(value: x.ptr, grad: g.ptr, count: 2, decay: true),
                      Parameter(value: bias.ptr, grad: gb.ptr, count: 1, decay: false)]
        let lr = 0.1, b1 = 0.9, b2 = 0.999, eps = 1e-8, wd = 0.1
        let opt = AdamW(parameters: params, learningRate: Float(lr), beta1: Float(b1), beta2: Float(b2), epsilon: Float(eps), weightDecay: Float(wd))
        var ref: [Double] = [1, -2, 0.5], m = [0.0, 0, 0], v = [0.0, 0, 0]
        let grads: [[Double]] = [[0.3, -0.1, 2.0], [-0.2, 0.4, 1.0]]
        for (step, gs) in grads.enumerated() {
            g[0] = Float(gs[0]); g[1] = Float(gs[1]); gb[0] = Float(gs[2])
            opt.update()
            let t = Double(step + 1)
            for i in 0..<3 {
                if i < 2 { ref[i] *= 1 - lr * wd }
                m[i] = b1 * m[i] + (1 - b1) * gs[i]
                v[i] = b2 * v[i] + (1 - b2) * gs[i] * gs[i]
                let mhat = m[i] / (1 - Foundation.pow(b1, t)), vhat = v[i] / (1 - Foundation.pow(b2, t))
                ref[i] -= lr * mhat / (vhat.squareRoot() + eps)
            }
            XCTAssertEqual(Double(x[0]), ref[0], accuracy: 1e-5)
            XCTAssertEqual(Double(x[1]), ref[1], accuracy: 1e-5)
            XCTAssertEqual(Double(bias[0]), ref[2], accuracy: 1e-5)
        }
        XCTAssertEqual(opt.step, 2)
        XCTAssertEqual(g.array, [-0.2, 0.4], "update leaves gradients alone")
        zeroGrad(params)
        XCTAssertEqual(g.array + gb.array, [0, 0, 0])
    }

    func testClipGradNorm() {
        let a = FloatBuffer([3, 0]), b = FloatBuffer([4])
        let params = [Parameter(value: a.ptr, grad: a.ptr, count: 2, decay: true), Parameter(value: b.ptr, grad: b.ptr, count: 1, decay: true)]
        XCTAssertEqual(clipGradNorm(params, maxNorm: 10), 5, accuracy: 1e-6)
        XCTAssertEqual(a.array + b.array, [3, 0, 4], "below the limit nothing changes")
        XCTAssertEqual(clipGradNorm(params, maxNorm: 1), 5, accuracy: 1e-6)
        XCTAssertEqual(a[0], 0.6, accuracy: 1e-5)
        XCTAssertEqual(b[0], 0.8, accuracy: 1e-5)
    }

    func testRNGIsSeededAndDistributionsAreSane() {
        var r1 = RNG(seed: 7), r2 = RNG(seed: 7), r3 = RNG(seed: 8)
        let s1 = (0..<5).map { _ in r1.next() }, s2 = (0..<5).map { _ in r2.next() }, s3 = (0..<5).map { _ in r3.next() }
        XCTAssertEqual(s1, s2)
        XCTAssertNotEqual(s1, s3)
        let n = 200_000
        let buf = FloatBuffer(count: n)
        var rng = RNG(seed: 9)
        rng.fillNormal(buf.ptr, count: n, mean: 1, std: 2)
        let mean = buf.array.reduce(0, +) / Float(n)
        let varc = buf.array.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Float(n)
        XCTAssertEqual(mean, 1, accuracy: 0.02)
        XCTAssertEqual(varc, 4, accuracy: 0.06)
        rng.fillTruncatedNormal(buf.ptr, count: n, std: 0.02)
        XCTAssertLessThanOrEqual(buf.array.map(abs).max()!, 0.04)
        for _ in 0..<1000 { let u = rng.uniform(); XCTAssertTrue(u >= 0 && u < 1) }
        rng.fillXavierUniform(buf.ptr, fanOut: 100, fanIn: 200)
        XCTAssertLessThanOrEqual(buf.array[..<20_000].map(abs).max()!, Float((6.0 / 300).squareRoot()))
    }
}
