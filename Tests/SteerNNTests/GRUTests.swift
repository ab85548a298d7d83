// Tests for the GRU: a hand-computed step, left padding equivalence and BPTT gradients.
import Foundation
import SteerNN
import XCTest

final class GRUTests: XCTestCase {
    struct Weights {
        let wIH, wHH, bIH, bHH: FloatBuffer
        init(_ ni: Int, _ h: Int, _ rng: inout RNG) {
            wIH = randomBuffer(3 * h * ni, &rng, scale: 0.8)
            wHH = randomBuffer(3 * h * h, &rng, scale: 0.8)
            bIH = randomBuffer(3 * h, &rng, scale: 0.5)
            bHH = randomBuffer(3 * h, &rng, scale: 0.5)
        }
    }

    func run(_ x: FloatBuffer, _ wt: Weights, _ lengths: [Int32], b: Int, t: Int, ni: Int, h: Int) -> (hs: FloatBuffer, gates: FloatBuffer) {
        let hs = FloatBuffer(count: b * t * h), gates = FloatBuffer(count: b * t * 4 * h)
        let scratch = FloatBuffer(count: gruForwardScratchCount(batch: b, hiddenSize: h))
        gruForward(hs: hs.ptr, gates: gates.ptr, scratch: scratch.ptr, inp: x.ptr, wIH: wt.wIH.ptr, wHH: wt.wHH.ptr,
                   bIH: wt.bIH.ptr, bHH: wt.bHH.ptr, lengths: lengths, batch: b, time: t, inputSize: ni, hiddenSize: h)
        return (hs, gates)
    }

    func testScalarStepsMatchPyTorchEquations() {
        var rng = RNG(seed: 30)
        let wt = Weights(1, 1, &rng)
        let x = FloatBuffer([0.7, -1.2])
        let (hs, _) = run(x, wt, [2], b: 1, t: 2, ni: 1, h: 1)
        func sig(_ v: Double) -> Double { 1 / (1 + Foundation.exp(-v)) }
        var hPrev = 0.0
        for step in 0..<2 {
            let xi = Double(x[step])
            let r = sig(Double(wt.wIH[0]) * xi + Double(wt.bIH[0]) + Double(wt.wHH[0]) * hPrev + Double(wt.bHH[0]))
            let z = sig(Double(wt.wIH[1]) * xi + Double(wt.bIH[1]) + Double(wt.wHH[1]) * hPrev + Double(wt.bHH[1]))
            let n = Foundation.tanh(Double(wt.wIH[2]) * xi + Double(wt.bIH[2]) + r * (Double(wt.wHH[2]) * hPrev + Double(wt.bHH[2])))
            hPrev = (1 - z) * n + z * hPrev
            XCTAssertEqual(Double(hs[step]), hPrev, accuracy: 1e-6)
        }
    }

    func testLeftPaddingEqualsShorterSequence() {
        var rng = RNG(seed: 31)
        let ni = 3, h = 4, t = 6, len = 4
        let wt = Weights(ni, h, &rng)
        let padded = randomBuffer(t * ni, &rng)
        let short = FloatBuffer(count: len * ni)
        short.ptr.update(from: padded.ptr + (t - len) * ni, count: len * ni)
        let (hp, _) = run(padded, wt, [Int32(len)], b: 1, t: t, ni: ni, h: h)
        let (hsShort, _) = run(short, wt, [Int32(len)], b: 1, t: len, ni: ni, h: h)
        assertClose(Array(hp.array[((t - len) * h)...]), hsShort.array, "real steps match the unpadded run")
        XCTAssertEqual(Array(hp.array[..<((t - len) * h)]), [Float](repeating: 0, count: (t - len) * h), "padded states are zero")
    }

    func testBPTTGradientsWithLengths() {
        var rng = RNG(seed: 32)
        let b = 3, t = 5, ni = 3, h = 4
        let lengths: [Int32] = [5, 2, 0]
        let wt = Weights(ni, h, &rng)
        let x = randomBuffer(b * t * ni, &rng), w = randomBuffer(b * t * h, &rng)
        func forward() -> Double { weightedSum(run(x, wt, lengths, b: b, t: t, ni: ni, h: h).hs, w) }
        let (hs, gates) = run(x, wt, lengths, b: b, t: t, ni: ni, h: h)
        let dx = FloatBuffer(count: b * t * ni), dWIH = FloatBuffer(count: 3 * h * ni), dWHH = FloatBuffer(count: 3 * h * h)
        let dBIH = FloatBuffer(count: 3 * h), dBHH = FloatBuffer(count: 3 * h)
        let scratch = FloatBuffer(count: gruBackwardScratchCount(batch: b, time: t, hiddenSize: h))
        gruBackward(dInp: dx.ptr, dWIH: dWIH.ptr, dWHH: dWHH.ptr, dBIH: dBIH.ptr, dBHH: dBHH.ptr, scratch: scratch.ptr,
                    dHs: w.ptr, hs: hs.ptr, gates: gates.ptr, inp: x.ptr, wIH: wt.wIH.ptr, wHH: wt.wHH.ptr,
                    lengths: lengths, batch: b, time: t, inputSize: ni, hiddenSize: h)
        checkGradient("gru dInp", x, dx, loss: forward)
        checkGradient("gru dW_ih", wt.wIH, dWIH, loss: forward)
        checkGradient("gru dW_hh", wt.wHH, dWHH, loss: forward)
        checkGradient("gru db_ih", wt.bIH, dBIH, loss: forward)
        checkGradient("gru db_hh", wt.bHH, dBHH, loss: forward)
        for i in 0..<((t - 2) * ni) { XCTAssertEqual(dx[t * ni + i], 0, "padded inputs get no gradient") }
    }
}
