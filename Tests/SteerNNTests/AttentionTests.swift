// Tests for causal self-attention with left padding: naive reference, padding isolation, gradients.
import SteerNN
import XCTest
import Foundation

final class AttentionTests: XCTestCase {
    let b = 4, t = 5, c = 8, nh = 2
    let lengths: [Int32] = [5, 3, 0, 1]

    /// Straightforward attention in Double over a packed qkv, left padding, causal.
    func naive(_ qkv: FloatBuffer) -> [Float] {
        let hs = c / nh
        var out = [Float](repeating: 0, count: b * t * c)
        for bi in 0..<b {
            let p0 = t - Int(lengths[bi])
            for h in 0..<nh {
                for i in p0..<t {
                    var scores = [Double]()
                    for j in p0...i {
                        var s: Double = 0
                        for d in 0..<hs {
                            s += Double(qkv[(bi * t + i) * 3 * c + h * hs + d]) * Double(qkv[(bi * t + j) * 3 * c + c + h * hs + d])
                        }
                        scores.append(s / Double(hs).squareRoot())
                    }
                    let mx = scores.max()!
                    let e = scores.map { Foundation.exp($0 - mx) }
                    let z = e.reduce(0, +)
                    for d in 0..<hs {
                        var acc: Double = 0
                        for (k, j) in (p0...i).enumerated() { acc += e[k] / z * Double(qkv[(bi * t + j) * 3 * c + 2 * c + h * hs + d]) }
                        out[(bi * t + i) * c + h * hs + d] = Float(acc)
                    }
                }
            }
        }
        return out
    }

    func testForwardMatchesNaiveAndIgnoresPadding() {
        var rng = RNG(seed: 20)
        let qkv = randomBuffer(b * t * 3 * c, &rng)
        let out = FloatBuffer(count: b * t * c), att = FloatBuffer(count: b * nh * t * t)
        attentionForward(out: out.ptr, att: att.ptr, qkv: qkv.ptr, lengths: lengths, batch: b, time: t, channels: c, heads: nh)
        assertClose(out.array, naive(qkv), tolerance: 1e-5, "attention vs naive")
        // Changing padded positions' q, k, v must not change any output.
        let before = out.array
        for bi in 0..<b {
            for i in 0..<(t - Int(lengths[bi])) {
                for j in 0..<(3 * c) { qkv[(bi * t + i) * 3 * c + j] = 100 }
            }
        }
        attentionForward(out: out.ptr, att: att.ptr, qkv: qkv.ptr, lengths: lengths, batch: b, time: t, channels: c, heads: nh)
        XCTAssertEqual(out.array, before, "padded positions leak into real ones")
        for i in 0..<(t * c) { XCTAssertEqual(out[2 * t * c + i], 0, "empty sequence gives zeros") }
    }

    /// The inference shortcut: the last position alone equals row T − 1 of the whole attention
    /// (and of the naive reference), padded and empty sequences included.
    func testLastQueryEqualsTheLastRowOfTheWholeAttention() {
        var rng = RNG(seed: 21)
        let qkv = randomBuffer(b * t * 3 * c, &rng)
        let whole = naive(qkv)
        let last = FloatBuffer(count: b * c), scores = FloatBuffer(count: t)
        last.buffer.update(repeating: 7)   // overwritten, zeros for the empty sequence included
        lastQueryAttentionForward(out: last.ptr, scores: scores.ptr, qkv: qkv.ptr, lengths: lengths, batch: b, time: t, channels: c, heads: nh)
        for bi in 0..<b {
            assertClose(Array(last.array[(bi * c)..<((bi + 1) * c)]), Array(whole[((bi * t + t - 1) * c)..<((bi * t + t) * c)]),
                        tolerance: 1e-5, "sequence \(bi): last query vs the whole attention's last row")
        }
    }

    func testGradientsWithPadding() {
        var rng = RNG(seed: 21)
        let qkv = randomBuffer(b * t * 3 * c, &rng)
        let out = FloatBuffer(count: b * t * c), att = FloatBuffer(count: b * nh * t * t), w = randomBuffer(b * t * c, &rng)
        func forward() -> Double {
            attentionForward(out: out.ptr, att: att.ptr, qkv: qkv.ptr, lengths: lengths, batch: b, time: t, channels: c, heads: nh)
            return weightedSum(out, w)
        }
        _ = forward()
        let dqkv = FloatBuffer(count: b * t * 3 * c), scratch = FloatBuffer(count: t * t)
        attentionBackward(dqkv: dqkv.ptr, scratch: scratch.ptr, dOut: w.ptr, qkv: qkv.ptr, att: att.ptr,
                          lengths: lengths, batch: b, time: t, channels: c, heads: nh)
        checkGradient("attention dqkv", qkv, dqkv, loss: forward)
        for bi in 0..<b {
            for i in 0..<((t - Int(lengths[bi])) * 3 * c) { XCTAssertEqual(dqkv[bi * t * 3 * c + i], 0, "padded rows get no gradient") }
        }
    }

    func testGradientsWithAttentionDropout() {
        var rng = RNG(seed: 22)
        let qkv = randomBuffer(b * t * 3 * c, &rng)
        let out = FloatBuffer(count: b * t * c), att = FloatBuffer(count: b * nh * t * t)
        let dropped = FloatBuffer(count: b * nh * t * t), w = randomBuffer(b * t * c, &rng)
        func forward() -> Double {
            var maskRNG = RNG(seed: 99)  // the same mask on every call: draws do not depend on values
            attentionForward(out: out.ptr, att: att.ptr, attDropped: dropped.ptr, qkv: qkv.ptr, lengths: lengths,
                             batch: b, time: t, channels: c, heads: nh, dropout: 0.3, rng: &maskRNG)
            return weightedSum(out, w)
        }
        _ = forward()
        XCTAssertTrue(dropped.array.contains(0) && dropped.array.contains { $0 > 0 })
        let dqkv = FloatBuffer(count: b * t * 3 * c), scratch = FloatBuffer(count: t * t)
        attentionBackward(dqkv: dqkv.ptr, scratch: scratch.ptr, dOut: w.ptr, qkv: qkv.ptr, att: att.ptr,
                          attDropped: dropped.ptr, dropout: 0.3, lengths: lengths, batch: b, time: t, channels: c, heads: nh)
        checkGradient("attention+dropout dqkv", qkv, dqkv, loss: forward)
    }

    func testSeparateQKVMatchesPacked() {
        var rng = RNG(seed: 23)
        let n = b * t
        let qkv = randomBuffer(n * 3 * c, &rng), dOut = randomBuffer(n * c, &rng)
        let q = FloatBuffer(count: n * c), k = FloatBuffer(count: n * c), v = FloatBuffer(count: n * c)
        for r in 0..<n {
            (q.ptr + r * c).update(from: qkv.ptr + r * 3 * c, count: c)
            (k.ptr + r * c).update(from: qkv.ptr + r * 3 * c + c, count: c)
            (v.ptr + r * c).update(from: qkv.ptr + r * 3 * c + 2 * c, count: c)
        }
        let o1 = FloatBuffer(count: n * c), o2 = FloatBuffer(count: n * c)
        let a1 = FloatBuffer(count: b * nh * t * t), a2 = FloatBuffer(count: b * nh * t * t), scratch = FloatBuffer(count: t * t)
        attentionForward(out: o1.ptr, att: a1.ptr, qkv: qkv.ptr, lengths: lengths, batch: b, time: t, channels: c, heads: nh)
        attentionForward(out: o2.ptr, att: a2.ptr, q: q.ptr, k: k.ptr, v: v.ptr, lengths: lengths, batch: b, time: t, channels: c, heads: nh)
        assertClose(o2.array, o1.array, "separate vs packed forward")
        let dqkv = FloatBuffer(count: n * 3 * c), dq = FloatBuffer(count: n * c), dk = FloatBuffer(count: n * c), dv = FloatBuffer(count: n * c)
        attentionBackward(dqkv: dqkv.ptr, scratch: scratch.ptr, dOut: dOut.ptr, qkv: qkv.ptr, att: a1.ptr, lengths: lengths, batch: b, time: t, channels: c, heads: nh)
        attentionBackward(dq: dq.ptr, dk: dk.ptr, dv: dv.ptr, scratch: scratch.ptr, dOut: dOut.ptr, q: q.ptr, k: k.ptr, v: v.ptr,
                          att: a2.ptr, lengths: lengths, batch: b, time: t, channels: c, heads: nh)
        for r in 0..<n {
            for j in 0..<c {
                XCTAssertEqual(dq[r * c + j], dqkv[r * 3 * c + j], accuracy: 1e-5)
                XCTAssertEqual(dk[r * c + j], dqkv[r * 3 * c + c + j], accuracy: 1e-5)
                XCTAssertEqual(dv[r * c + j], dqkv[r * 3 * c + 2 * c + j], accuracy: 1e-5)
            }
        }
    }
}
