// Tests for embedding lookup (with a padding id), position embeddings and the linear layer.
import SteerNN
import XCTest

final class EmbeddingLinearTests: XCTestCase {
    func testEmbeddingForwardPaddingAndGradient() {
        var rng = RNG(seed: 1)
        let v = 5, c = 3
        let ids: [Int32] = [2, 0, 4, 2, 0, 1]
        let n = ids.count
        let table = randomBuffer(v * c, &rng), out = FloatBuffer(count: n * c), w = randomBuffer(n * c, &rng)
        let dTable = FloatBuffer(count: v * c)
        func forward() -> Double {
            embeddingForward(out: out.ptr, ids: ids, table: table.ptr, count: n, channels: c, paddingID: 0)
            return weightedSum(out, w)
        }
        _ = forward()
        for j in 0..<c {
            XCTAssertEqual(out[1 * c + j], 0, "padding row must be zero")
            XCTAssertEqual(out[0 * c + j], table[2 * c + j])
        }
        embeddingBackward(dTable: dTable.ptr, dOut: w.ptr, ids: ids, count: n, channels: c, paddingID: 0)
        for j in 0..<c { XCTAssertEqual(dTable[j], 0, "padding id gets no gradient") }
        checkGradient("embedding table", table, dTable, loss: forward)
    }

    func testPositionEmbeddingGradient() {
        var rng = RNG(seed: 2)
        let b = 3, t = 4, c = 2
        let wpe = randomBuffer(t * c, &rng), base = randomBuffer(b * t * c, &rng)
        let out = FloatBuffer(count: b * t * c), w = randomBuffer(b * t * c, &rng), dWpe = FloatBuffer(count: t * c)
        func forward() -> Double {
            out.ptr.update(from: base.ptr, count: b * t * c)
            positionEmbeddingForward(out: out.ptr, wpe: wpe.ptr, batch: b, time: t, channels: c)
            return weightedSum(out, w)
        }
        positionEmbeddingBackward(dWpe: dWpe.ptr, dOut: w.ptr, batch: b, time: t, channels: c)
        checkGradient("wpe", wpe, dWpe, loss: forward)
    }

    /// RecBole's numbering: item j of a left-padded row of length L (at t = T − L + j) gets wpe[j];
    /// padded rows get nothing; and the backward's gradient checks out.
    func testPositionEmbeddingFromStartPlacementAndGradient() {
        var rng = RNG(seed: 4)
        let b = 3, t = 4, c = 2
        let lengths: [Int32] = [4, 2, 0]
        let wpe = randomBuffer(t * c, &rng), base = randomBuffer(b * t * c, &rng)
        let out = FloatBuffer(count: b * t * c), w = randomBuffer(b * t * c, &rng), dWpe = FloatBuffer(count: t * c)
        func forward() -> Double {
            out.ptr.update(from: base.ptr, count: b * t * c)
            positionEmbeddingFromStartForward(out: out.ptr, wpe: wpe.ptr, lengths: lengths, batch: b, time: t, channels: c)
            return weightedSum(out, w)
        }
        _ = forward()
        for row in 0..<b {
            let length = Int(lengths[row])
            for p in 0..<t {
                for j in 0..<c {
                    let i = (row * t + p) * c + j
                    let added = p >= t - length ? wpe[(p - (t - length)) * c + j] : 0
                    XCTAssertEqual(out[i], base[i] + added, accuracy: 1e-6, "row \(row), position \(p)")
                }
            }
        }
        positionEmbeddingFromStartBackward(dWpe: dWpe.ptr, dOut: w.ptr, lengths: lengths, batch: b, time: t, channels: c)
        checkGradient("wpe from start", wpe, dWpe, loss: forward)
    }

    func testLinearMatchesNaiveAndGradients() {
        var rng = RNG(seed: 3)
        let n = 4, ic = 5, oc = 3
        let x = randomBuffer(n * ic, &rng), wt = randomBuffer(oc * ic, &rng), bias = randomBuffer(oc, &rng)
        let out = FloatBuffer(count: n * oc), w = randomBuffer(n * oc, &rng)
        func forward() -> Double {
            linearForward(out: out.ptr, inp: x.ptr, weight: wt.ptr, bias: bias.ptr, rows: n, inChannels: ic, outChannels: oc)
            return weightedSum(out, w)
        }
        _ = forward()
        for r in 0..<n {
            for o in 0..<oc {
                var s = bias[o]
                for i in 0..<ic { s += x[r * ic + i] * wt[o * ic + i] }
                XCTAssertEqual(out[r * oc + o], s, accuracy: 1e-5)
            }
        }
        let dx = FloatBuffer(count: n * ic), dw = FloatBuffer(count: oc * ic), db = FloatBuffer(count: oc)
        linearBackward(dInp: dx.ptr, dWeight: dw.ptr, dBias: db.ptr, dOut: w.ptr, inp: x.ptr, weight: wt.ptr,
                       rows: n, inChannels: ic, outChannels: oc)
        checkGradient("linear dInp", x, dx, loss: forward)
        checkGradient("linear dW", wt, dw, loss: forward)
        checkGradient("linear db", bias, db, loss: forward)
    }

    func testLinearBackwardAccumulates() {
        var rng = RNG(seed: 4)
        let n = 3, ic = 2, oc = 2
        let x = randomBuffer(n * ic, &rng), wt = randomBuffer(oc * ic, &rng), dOut = randomBuffer(n * oc, &rng)
        let dx = FloatBuffer(count: n * ic), dw = FloatBuffer(count: oc * ic)
        linearBackward(dInp: dx.ptr, dWeight: dw.ptr, dBias: nil, dOut: dOut.ptr, inp: x.ptr, weight: wt.ptr, rows: n, inChannels: ic, outChannels: oc)
        let once = dw.array, onceX = dx.array
        linearBackward(dInp: dx.ptr, dWeight: dw.ptr, dBias: nil, dOut: dOut.ptr, inp: x.ptr, weight: wt.ptr, rows: n, inChannels: ic, outChannels: oc)
        assertClose(dw.array, once.map { 2 * $0 }, "dW doubles")
        assertClose(dx.array, onceX.map { 2 * $0 }, "dInp doubles")
    }
}
