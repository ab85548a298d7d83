// Tests for layer norm, GELU (both forms), ReLU, dropout and residual helpers.
import SteerNN
import XCTest
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

final class PointwiseTests: XCTestCase {
    func testLayerNormForwardAndGradients() {
        var rng = RNG(seed: 10)
        let n = 4, c = 6
        let x = randomBuffer(n * c, &rng, scale: 2), g = randomBuffer(c, &rng), b = randomBuffer(c, &rng)
        let out = FloatBuffer(count: n * c), mean = FloatBuffer(count: n), rstd = FloatBuffer(count: n)
        let w = randomBuffer(n * c, &rng)
        func forward() -> Double {
            layerNormForward(out: out.ptr, mean: mean.ptr, rstd: rstd.ptr, inp: x.ptr, weight: g.ptr, bias: b.ptr, rows: n, channels: c, eps: 1e-5)
            return weightedSum(out, w)
        }
        _ = forward()
        // With unit gain and zero bias every row has mean 0 and variance ≈ 1.
        let ones = FloatBuffer([Float](repeating: 1, count: c)), zeros = FloatBuffer(count: c)
        let plain = FloatBuffer(count: n * c)
        layerNormForward(out: plain.ptr, mean: mean.ptr, rstd: rstd.ptr, inp: x.ptr, weight: ones.ptr, bias: zeros.ptr, rows: n, channels: c)
        for r in 0..<n {
            let row = (0..<c).map { plain[r * c + $0] }
            XCTAssertEqual(row.reduce(0, +) / Float(c), 0, accuracy: 1e-5)
            XCTAssertEqual(row.map { $0 * $0 }.reduce(0, +) / Float(c), 1, accuracy: 1e-3)
        }
        _ = forward()
        let dx = FloatBuffer(count: n * c), dg = FloatBuffer(count: c), db = FloatBuffer(count: c)
        layerNormBackward(dInp: dx.ptr, dWeight: dg.ptr, dBias: db.ptr, dOut: w.ptr, inp: x.ptr, weight: g.ptr,
                          mean: mean.ptr, rstd: rstd.ptr, rows: n, channels: c)
        checkGradient("layernorm dInp", x, dx, eps: 5e-3, loss: forward)
        checkGradient("layernorm dWeight", g, dg, loss: forward)
        checkGradient("layernorm dBias", b, db, loss: forward)
    }

    func testGELUExactAndTanhGradients() {
        for kind in [GELUKind.exact, .tanh] {
            var rng = RNG(seed: 11)
            let n = 40
            let x = randomBuffer(n, &rng, scale: 3), out = FloatBuffer(count: n), w = randomBuffer(n, &rng)
            func forward() -> Double {
                geluForward(out: out.ptr, inp: x.ptr, count: n, kind: kind)
                return weightedSum(out, w)
            }
            _ = forward()
            let dx = FloatBuffer(count: n)
            geluBackward(dInp: dx.ptr, dOut: w.ptr, inp: x.ptr, count: n, kind: kind)
            checkGradient("gelu \(kind)", x, dx, eps: 1e-3, loss: forward)
        }
        // Known values: gelu(1) = 0.8413447 (exact), 0.8411920 (tanh).
        var one: Float = 1, y: Float = 0
        geluForward(out: &y, inp: &one, count: 1, kind: .exact)
        XCTAssertEqual(y, 0.8413447, accuracy: 1e-6)
        geluForward(out: &y, inp: &one, count: 1, kind: .tanh)
        XCTAssertEqual(y, 0.8411920, accuracy: 1e-6)
    }

    /// The exact GELU's erf is a polynomial (for speed); it must agree with libm's erff everywhere
    /// to well under the float noise of the layers around it.
    func testExactGELUAgreesWithLibm() {
        let xs = (-1_200...1_200).map { Float($0) / 100 } + [0, -0.0, 1e-30, -1e-30, 30, -30, 1e6, -1e6]
        var out = [Float](repeating: 0, count: xs.count), slope = [Float](repeating: 0, count: xs.count)
        let ones = [Float](repeating: 1, count: xs.count)
        geluForward(out: &out, inp: xs, count: xs.count, kind: .exact)
        geluBackward(dInp: &slope, dOut: ones, inp: xs, count: xs.count, kind: .exact)
        var worstValue: Float = 0, worstSlope: Float = 0
        for (i, x) in xs.enumerated() {
            let cdf = 0.5 * (1 + erff(x * 0.70710678)), pdf = 0.39894228 * expf(-0.5 * x * x)
            worstValue = max(worstValue, abs(out[i] - x * cdf) / max(1, abs(x)))
            worstSlope = max(worstSlope, abs(slope[i] - (cdf + x * pdf)))
        }
        // Measured 2.3e-7 and 2.4e-7: A&S 7.1.26 promises 1.5e-7 on erf, float rounding adds the rest.
        XCTAssertLessThan(worstValue, 4e-7)
        XCTAssertLessThan(worstSlope, 4e-7)
        print("exact GELU against libm: value \(worstValue) (relative to max(1, |x|)), slope \(worstSlope)")
        // A NaN (a diverged layer) must stay visible, in the vector lanes and in the tail.
        var nanIn = [Float](repeating: 0.5, count: 17)
        nanIn[3] = .nan; nanIn[16] = .nan
        var nanOut = [Float](repeating: 0, count: 17)
        geluForward(out: &nanOut, inp: nanIn, count: 17, kind: .exact)
        XCTAssertTrue(nanOut[3].isNaN && nanOut[16].isNaN)
        XCTAssertFalse(nanOut[0].isNaN)
    }

    func testReLUGradient() {
        var rng = RNG(seed: 12)
        let n = 30
        let x = randomBuffer(n, &rng), out = FloatBuffer(count: n), w = randomBuffer(n, &rng)
        for i in 0..<n where abs(x[i]) < 0.05 { x[i] = 0.5 }  // keep away from the kink
        func forward() -> Double { reluForward(out: out.ptr, inp: x.ptr, count: n); return weightedSum(out, w) }
        let dx = FloatBuffer(count: n)
        reluBackward(dInp: dx.ptr, dOut: w.ptr, inp: x.ptr, count: n)
        checkGradient("relu", x, dx, eps: 1e-3, loss: forward)
    }

    func testDropoutMaskStatisticsDeterminismAndGradient() {
        let n = 100_000, p: Float = 0.3
        var rng = RNG(seed: 13)
        let x = FloatBuffer([Float](repeating: 1, count: n)), out = FloatBuffer(count: n), mask = FloatBuffer(count: n)
        dropoutForward(out: out.ptr, mask: mask.ptr, inp: x.ptr, count: n, p: p, rng: &rng)
        let kept = (0..<n).filter { mask[$0] != 0 }.count
        XCTAssertEqual(Double(kept) / Double(n), 0.7, accuracy: 0.01)
        XCTAssertEqual(out.array.reduce(0, +) / Float(n), 1, accuracy: 0.02, "inverted dropout keeps the mean")
        var again = RNG(seed: 13)
        let mask2 = FloatBuffer(count: n)
        dropoutMask(mask2.ptr, count: n, p: p, rng: &again)
        XCTAssertEqual(mask.array, mask2.array, "same seed, same mask")

        // Gradient with the mask held fixed.
        var r2 = RNG(seed: 14)
        let m = 20
        let xs = randomBuffer(m, &r2), ys = FloatBuffer(count: m), fixed = FloatBuffer(count: m), w = randomBuffer(m, &r2)
        dropoutMask(fixed.ptr, count: m, p: 0.5, rng: &r2)
        func forward() -> Double { dropoutApply(out: ys.ptr, mask: fixed.ptr, inp: xs.ptr, count: m); return weightedSum(ys, w) }
        let dx = FloatBuffer(count: m)
        dropoutBackward(dInp: dx.ptr, dOut: w.ptr, mask: fixed.ptr, count: m)
        checkGradient("dropout", xs, dx, loss: forward)
    }

    func testResidualGradient() {
        var rng = RNG(seed: 15)
        let n = 12
        let a = randomBuffer(n, &rng), b = randomBuffer(n, &rng), out = FloatBuffer(count: n), w = randomBuffer(n, &rng)
        func forward() -> Double { residualForward(out: out.ptr, a: a.ptr, b: b.ptr, count: n); return weightedSum(out, w) }
        let da = FloatBuffer(count: n), db = FloatBuffer(count: n)
        residualBackward(dA: da.ptr, dB: db.ptr, dOut: w.ptr, count: n)
        checkGradient("residual a", a, da, loss: forward)
        checkGradient("residual b", b, db, loss: forward)
    }
}
