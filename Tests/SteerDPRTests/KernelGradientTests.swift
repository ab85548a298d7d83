// Finite-difference checks of the projector, the cross-attention kernel and one fusion tower.
import SteerNN
import SteerTestSupport
import XCTest
@testable import SteerDPR

final class KernelGradientTests: XCTestCase {
    func testProjectorGradients() {
        let cfg = DPRConfig(dim: 6, encoderDim: 10, projectorHidden: 8)
        let n = 5
        var rng = RNG(seed: 1)
        let table = ParameterTable(ProjectorTensors.declarations(cfg))
        ProjectorTensors.initialise(table, cfg, rng: &rng)
        rng.fillNormal(table.value("proj.b1"), count: cfg.projectorHidden, std: 0.3)
        rng.fillNormal(table.value("proj.b2"), count: cfg.dim, std: 0.3)
        let w = ProjectorTensors(table, grads: false), g = ProjectorTensors(table, grads: true)
        let acts = ProjectorActivations(rows: n, config: cfg)
        let s = randomBuffer(n * cfg.encoderDim, rng: &rng), r = randomBuffer(n * cfg.dim, rng: &rng)
        func loss() -> Double {
            projectorForward(w, acts, input: s.ptr, rows: n, config: cfg)
            return dotLoss(acts.e.ptr, r.ptr, count: n * cfg.dim)
        }
        _ = loss()
        acts.de.ptr.update(from: r.ptr, count: n * cfg.dim)
        table.zeroGrad()
        projectorBackward(w, g, acts, rows: n, config: cfg)
        var result = GradientCheck("")
        for slot in table.slots {
            result.merge(gradCheck(slot.name, value: table.values.ptr + slot.offset, grad: table.grads.ptr + slot.offset, count: slot.count,
                                   rng: &rng, loss: loss))
        }
        assertGradients(result, "projector")
    }

    func testCrossAttentionGradientsWithMask() {
        let n = 3, lk = 4, c = 6, nh = 2
        var rng = RNG(seed: 2)
        let q = randomBuffer(n * c, rng: &rng), k = randomBuffer(n * lk * c, rng: &rng), v = randomBuffer(n * lk * c, rng: &rng)
        let out = FloatBuffer(count: n * c), att = FloatBuffer(count: n * nh * lk), r = randomBuffer(n * c, rng: &rng)
        let lengths: [Int32] = [4, 2, 1]
        func loss() -> Double {
            crossAttentionForward(out: out.ptr, att: att.ptr, q: q.ptr, k: k.ptr, v: v.ptr, lengths: lengths,
                                  rows: n, keys: lk, channels: c, heads: nh)
            return dotLoss(out.ptr, r.ptr, count: n * c)
        }
        _ = loss()
        let dq = FloatBuffer(count: n * c), dk = FloatBuffer(count: n * lk * c), dv = FloatBuffer(count: n * lk * c)
        let scratch = FloatBuffer(count: lk)
        crossAttentionBackward(dq: dq.ptr, dk: dk.ptr, dv: dv.ptr, scratch: scratch.ptr, dOut: r.ptr, q: q.ptr, k: k.ptr, v: v.ptr,
                               att: att.ptr, lengths: lengths, rows: n, keys: lk, channels: c, heads: nh)
        var result = GradientCheck("")
        for (x, dx, count) in [(q, dq, n * c), (k, dk, n * lk * c), (v, dv, n * lk * c)] {
            result.merge(gradCheck("x", value: x.ptr, grad: dx.ptr, count: count, samples: 1000, rng: &rng, loss: loss))
        }
        assertGradients(result, "cross-attention (masked)")
        // Padded keys: zero probability and exactly zero gradient.
        for row in 1..<n {
            for j in Int(lengths[row])..<lk {
                for h in 0..<nh { XCTAssertEqual(att[(row * nh + h) * lk + j], 0) }
                for i in 0..<c { XCTAssertEqual(dk[(row * lk + j) * c + i], 0); XCTAssertEqual(dv[(row * lk + j) * c + i], 0) }
            }
        }
    }

    /// One tower on its own: parameters, dh and dmem, for a given config and dropout.
    private func checkTower(_ cfg: DPRConfig, keys lk: Int, lengths: [Int32]?, dropout p: Float, seed: UInt64) -> GradientCheck {
        let n = 4, d = cfg.dim
        var rng = RNG(seed: seed)
        let table = ParameterTable(TowerTensors.declarations(prefix: "t", cfg))
        TowerTensors.initialise(table, prefix: "t", cfg, rng: &rng)
        // Non-trivial gates, LN gains and biases so every path carries gradient.
        for slot in table.slots where slot.count <= max(d, cfg.ffnDim) {
            let x = table.values.ptr + slot.offset
            for i in 0..<slot.count { x[i] += 0.3 * rng.normal() }
        }
        let w = TowerTensors(table, prefix: "t", grads: false), g = TowerTensors(table, prefix: "t", grads: true)
        let acts = TowerActivations(rows: n, keys: lk, config: cfg)
        rng.fillNormal(acts.h.ptr, count: n * d, std: 1)
        rng.fillNormal(acts.mem.ptr, count: n * lk * d, std: 1)
        for i in 0..<n { acts.lens[i] = lengths?[i] ?? Int32(lk) }
        let r = randomBuffer(n * d, rng: &rng)
        func loss() -> Double {
            var maskRNG = RNG(seed: 99)   // the same dropout masks on every evaluation
            towerForward(w, acts, rows: n, keys: lk, config: cfg, dropout: p, rng: &maskRNG)
            return dotLoss(acts.z.ptr, r.ptr, count: n * d)
        }
        _ = loss()
        table.zeroGrad()
        acts.dz.ptr.update(from: r.ptr, count: n * d)
        zero(acts.dh.ptr, count: n * d)
        zero(acts.dmem.ptr, count: n * lk * d)
        towerBackward(w, g, acts, rows: n, keys: lk, config: cfg)
        let dh = FloatBuffer(Array(acts.dh.buffer.prefix(n * d))), dmem = FloatBuffer(Array(acts.dmem.buffer.prefix(n * lk * d)))
        var result = GradientCheck("")
        for slot in table.slots {
            // The key bias cannot change a softmax over keys (it adds q·b_k to every logit): its true
            // gradient is 0, which finite differences only see as noise; check it exactly instead.
            if slot.name.hasSuffix("attn.bk") {
                for i in 0..<slot.count { XCTAssertEqual(table.grads[slot.offset + i], 0, accuracy: 1e-5) }
                continue
            }
            result.merge(gradCheck(slot.name, value: table.values.ptr + slot.offset, grad: table.grads.ptr + slot.offset, count: slot.count,
                                   samples: 16, rng: &rng, loss: loss))
        }
        result.merge(gradCheck("h", value: acts.h.ptr, grad: dh.ptr, count: n * d, samples: 1000, rng: &rng, loss: loss))
        result.merge(gradCheck("memory", value: acts.mem.ptr, grad: dmem.ptr, count: n * lk * d, samples: 1000, rng: &rng, loss: loss))
        if let lengths {
            for row in 0..<n where Int(lengths[row]) < lk {
                for j in (Int(lengths[row]) * d)..<(lk * d) { XCTAssertEqual(dmem[row * lk * d + j], 0, "padded slot got gradient") }
            }
        }
        return result
    }

    func testTowerPooledGradients() {
        for norm in NormPlacement.allCases {
            for gate in [ResidualGate.none, .layerScale(initial: 0.5)] {
                let cfg = DPRConfig(dim: 8, encoderDim: 4, heads: 2, ffnDim: 12, keyValue: .pooled, norm: norm, gate: gate, dropout: 0)
                assertGradients(checkTower(cfg, keys: 1, lengths: nil, dropout: 0, seed: 3), "tower pooled \(norm) \(gate)")
            }
        }
    }

    func testTowerTokenGradientsWithLengthMask() {
        for norm in NormPlacement.allCases {
            for gate in [ResidualGate.none, .layerScale(initial: 0.5)] {
                let cfg = DPRConfig(dim: 8, encoderDim: 4, heads: 2, ffnDim: 12, keyValue: .tokens, norm: norm, gate: gate, dropout: 0)
                assertGradients(checkTower(cfg, keys: 5, lengths: [5, 3, 1, 0], dropout: 0, seed: 4), "tower tokens \(norm) \(gate)")
            }
        }
    }

    func testTowerGradientsWithDropout() {
        let cfg = DPRConfig(dim: 8, encoderDim: 4, heads: 2, ffnDim: 12, keyValue: .tokens, dropout: 0.3)
        assertGradients(checkTower(cfg, keys: 3, lengths: [3, 2, 1, 3], dropout: 0.3, seed: 5), "tower tokens with dropout")
    }
}
