// Tests for the chunked full-softmax cross-entropy: naive reference, chunk invariance, gradients, target sets.
import Foundation
import SteerNN
import XCTest

final class CrossEntropyTests: XCTestCase {
    let n = 7, v = 11, c = 4

    /// Full-logits reference in Double: mean over rows of mean over targets of (lse − logit).
    func naiveLoss(_ hidden: FloatBuffer, _ table: FloatBuffer, _ bias: FloatBuffer?, _ sets: [[Int]], tau: Double) -> Double {
        var total = 0.0, rows = 0
        for r in 0..<n where !sets[r].isEmpty {
            var logits = [Double](repeating: 0, count: v)
            for j in 0..<v {
                var s = 0.0
                for k in 0..<c { s += Double(hidden[r * c + k]) * Double(table[j * c + k]) }
                logits[j] = s / tau + Double(bias?[j] ?? 0)
            }
            let mx = logits.max()!
            let lse = mx + Foundation.log(logits.map { Foundation.exp($0 - mx) }.reduce(0, +))
            total += sets[r].map { lse - logits[$0] }.reduce(0, +) / Double(sets[r].count)
            rows += 1
        }
        return total / Double(rows)
    }

    func testSingleTargetMatchesNaiveForEveryChunkSize() {
        var rng = RNG(seed: 40)
        let hidden = randomBuffer(n * c, &rng), table = randomBuffer(v * c, &rng), bias = randomBuffer(v, &rng)
        let targets: [Int32] = [3, -1, 0, 10, -1, 5, 5]
        let expected = naiveLoss(hidden, table, bias, targets.map { $0 < 0 ? [] : [Int($0)] }, tau: 0.7)
        var reference: [Float]?
        for chunk in [1, 2, 3, 7, 50] {
            let ws = CrossEntropyWorkspace(items: v, channels: c, chunkRows: chunk)
            let dH = FloatBuffer(count: n * c), dT = FloatBuffer(count: v * c), dB = FloatBuffer(count: v)
            let result = softmaxCrossEntropy(hidden: hidden.ptr, dHidden: dH.ptr, table: table.ptr, dTable: dT.ptr,
                                             bias: bias.ptr, dBias: dB.ptr, targets: targets, rows: n, items: v, channels: c,
                                             temperature: 0.7, workspace: ws)
            XCTAssertEqual(result.rows, 5)
            XCTAssertEqual(Double(result.loss), expected, accuracy: 1e-5, "chunk \(chunk)")
            let grads = dH.array + dT.array + dB.array
            if let reference { assertClose(grads, reference, tolerance: 1e-5, "chunk \(chunk) changes gradients") } else { reference = grads }
            for k in 0..<c { XCTAssertEqual(dH[1 * c + k], 0, "ignored row gets no gradient") }
        }
        // Loss-only call: no gradients touched, same loss.
        let ws = CrossEntropyWorkspace(items: v, channels: c, maxLogitBytes: 3 * v * 4)
        XCTAssertEqual(ws.chunkRows, 3)
        let lossOnly = softmaxCrossEntropy(hidden: hidden.ptr, dHidden: nil, table: table.ptr, dTable: nil, bias: bias.ptr, dBias: nil,
                                           targets: targets, rows: n, items: v, channels: c, temperature: 0.7, workspace: ws)
        XCTAssertEqual(Double(lossOnly.loss), expected, accuracy: 1e-5)
    }

    func testSingleTargetGradients() {
        var rng = RNG(seed: 41)
        let hidden = randomBuffer(n * c, &rng), table = randomBuffer(v * c, &rng), bias = randomBuffer(v, &rng)
        let targets: [Int32] = [1, 2, -1, 4, 4, 0, 9]
        let ws = CrossEntropyWorkspace(items: v, channels: c, chunkRows: 3)
        func loss() -> Double {
            Double(softmaxCrossEntropy(hidden: hidden.ptr, dHidden: nil, table: table.ptr, dTable: nil, bias: bias.ptr, dBias: nil,
                                       targets: targets, rows: n, items: v, channels: c, temperature: 0.5, gradScale: 1, workspace: ws).loss)
        }
        let dH = FloatBuffer(count: n * c), dT = FloatBuffer(count: v * c), dB = FloatBuffer(count: v)
        _ = softmaxCrossEntropy(hidden: hidden.ptr, dHidden: dH.ptr, table: table.ptr, dTable: dT.ptr, bias: bias.ptr, dBias: dB.ptr,
                                targets: targets, rows: n, items: v, channels: c, temperature: 0.5, workspace: ws)
        checkGradient("ce dHidden", hidden, dH, loss: loss)
        checkGradient("ce dTable", table, dT, loss: loss)
        checkGradient("ce dBias", bias, dB, loss: loss)
        // gradScale scales gradients linearly.
        let dH2 = FloatBuffer(count: n * c)
        _ = softmaxCrossEntropy(hidden: hidden.ptr, dHidden: dH2.ptr, table: table.ptr, dTable: nil, bias: bias.ptr, dBias: nil,
                                targets: targets, rows: n, items: v, channels: c, temperature: 0.5, gradScale: 0.25, workspace: ws)
        assertClose(dH2.array, dH.array.map { $0 * 0.25 }, "gradScale")
    }

    func testMultiTargetMatchesNaiveAndGradients() {
        var rng = RNG(seed: 42)
        let hidden = randomBuffer(n * c, &rng), table = randomBuffer(v * c, &rng)
        let sets: [[Int]] = [[1, 2, 3], [], [0], [10, 10], [4, 7], [], [5, 6, 8, 9]]
        var offsets: [Int32] = [0], ids: [Int32] = []
        for s in sets { ids += s.map(Int32.init); offsets.append(Int32(ids.count)) }
        let expected = naiveLoss(hidden, table, nil, sets, tau: 1)
        for chunk in [1, 4, 16] {
            let ws = CrossEntropyWorkspace(items: v, channels: c, chunkRows: chunk)
            func loss() -> Double {
                Double(softmaxCrossEntropy(hidden: hidden.ptr, dHidden: nil, table: table.ptr, dTable: nil, bias: nil, dBias: nil,
                                           targetOffsets: offsets, targetIDs: ids, rows: n, items: v, channels: c, workspace: ws).loss)
            }
            XCTAssertEqual(loss(), expected, accuracy: 1e-5, "chunk \(chunk)")
            let dH = FloatBuffer(count: n * c), dT = FloatBuffer(count: v * c)
            let r = softmaxCrossEntropy(hidden: hidden.ptr, dHidden: dH.ptr, table: table.ptr, dTable: dT.ptr, bias: nil, dBias: nil,
                                        targetOffsets: offsets, targetIDs: ids, rows: n, items: v, channels: c, workspace: ws)
            XCTAssertEqual(r.rows, 5)
            if chunk == 4 {
                checkGradient("multi-target dHidden", hidden, dH, loss: loss)
                checkGradient("multi-target dTable", table, dT, loss: loss)
            }
        }
    }

    func testSingletonSetsEqualSingleTargetForm() {
        var rng = RNG(seed: 43)
        let hidden = randomBuffer(n * c, &rng), table = randomBuffer(v * c, &rng)
        let targets: [Int32] = [0, 1, -1, 3, 4, -1, 6]
        var offsets: [Int32] = [0], ids: [Int32] = []
        for t in targets { if t >= 0 { ids.append(t) }; offsets.append(Int32(ids.count)) }
        let ws = CrossEntropyWorkspace(items: v, channels: c, chunkRows: 2)
        let d1 = FloatBuffer(count: n * c), d2 = FloatBuffer(count: n * c)
        let a = softmaxCrossEntropy(hidden: hidden.ptr, dHidden: d1.ptr, table: table.ptr, dTable: nil, bias: nil, dBias: nil,
                                    targets: targets, rows: n, items: v, channels: c, workspace: ws)
        let b = softmaxCrossEntropy(hidden: hidden.ptr, dHidden: d2.ptr, table: table.ptr, dTable: nil, bias: nil, dBias: nil,
                                    targetOffsets: offsets, targetIDs: ids, rows: n, items: v, channels: c, workspace: ws)
        XCTAssertEqual(a, b)
        XCTAssertEqual(d1.array, d2.array)
    }
}
