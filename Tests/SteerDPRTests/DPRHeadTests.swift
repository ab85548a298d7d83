// DPRHead as a whole: gradients over mixed-polarity batches, routing, identity at init, save/load.
import SteerNN
import SteerTestSupport
import XCTest
@testable import SteerDPR

final class DPRHeadTests: XCTestCase {
    /// The small two-tower shape of the equality tests, without dropout.
    private func tinyConfig(_ keyValue: KeyValueMode) -> DPRConfig {
        DPRConfig(dim: 8, encoderDim: 10, projectorHidden: 12, heads: 2, ffnDim: 12, keyValue: keyValue, dropout: 0)
    }

    /// A small head with perturbed gates/biases/gains so every path carries gradient.
    private func makeHead(_ cfg: DPRConfig, seed: UInt64) throws -> DPRHead {
        let head = try DPRHead(config: cfg, seed: seed)
        var rng = RNG(seed: seed &+ 100)
        for slot in head.table.slots where slot.count <= max(cfg.dim, cfg.ffnDim, cfg.projectorHidden) {
            let x = head.table.values.ptr + slot.offset
            for i in 0..<slot.count { x[i] += 0.3 * rng.normal() }
        }
        return head
    }

    /// Checks every tensor of the head and dUser for one batch.
    private func checkHead(_ cfg: DPRConfig, keys lk: Int, lengths: [Int32]?, polarities: [PromptPolarity], seed: UInt64) throws -> GradientCheck {
        let head = try makeHead(cfg, seed: seed)
        let b = polarities.count, d = cfg.dim
        var rng = RNG(seed: seed &+ 7)
        let user = randomBuffer(b * d, rng: &rng), prompt = randomBuffer(b * lk * cfg.encoderDim, std: 0.5, rng: &rng)
        let r = randomBuffer(b * d, rng: &rng), z = FloatBuffer(count: b * d)
        func loss() -> Double {
            head.forward(out: z.ptr, user: user.ptr, prompt: prompt.ptr, promptLength: lk, lengths: lengths, polarities: polarities, batch: b)
            return dotLoss(z.ptr, r.ptr, count: b * d)
        }
        _ = loss()
        head.zeroGrad()
        let dUser = FloatBuffer(count: b * d)
        head.backward(dZ: r.ptr, dUser: dUser.ptr)
        var result = GradientCheck("")
        for slot in head.table.slots {
            // The key bias cannot change a softmax over keys: its true gradient is 0 (checked exactly).
            if slot.name.hasSuffix("attn.bk") {
                for i in 0..<slot.count { XCTAssertEqual(head.table.grads[slot.offset + i], 0, accuracy: 1e-5) }
                continue
            }
            result.merge(gradCheck(slot.name, value: head.table.values.ptr + slot.offset, grad: head.table.grads.ptr + slot.offset,
                                   count: slot.count, samples: 12, rng: &rng, loss: loss))
        }
        result.merge(gradCheck("user", value: user.ptr, grad: dUser.ptr, count: b * d, samples: 1000, rng: &rng, loss: loss))
        return result
    }

    func testFullHeadGradientsMixedPolaritiesTokens() throws {
        let cfg = DPRConfig(dim: 8, encoderDim: 10, projectorHidden: 12, heads: 2, ffnDim: 12, keyValue: .tokens, dropout: 0)
        let r = try checkHead(cfg, keys: 4, lengths: [4, 2, 3, 1, 4], polarities: [.positive, .negative, .negative, .positive, .negative], seed: 11)
        assertGradients(r, "head tokens, two towers, mixed polarities")
    }

    func testFullHeadGradientsMixedPolaritiesPooled() throws {
        let cfg = DPRConfig(dim: 8, encoderDim: 10, projectorHidden: 12, heads: 2, ffnDim: 12, keyValue: .pooled, dropout: 0)
        let r = try checkHead(cfg, keys: 1, lengths: nil, polarities: [.negative, .positive, .positive, .negative], seed: 12)
        assertGradients(r, "head pooled, two towers, mixed polarities")
    }

    func testSingleTowerGradients() throws {
        let cfg = DPRConfig(dim: 8, encoderDim: 10, projectorHidden: 12, heads: 2, ffnDim: 12, towers: .single, keyValue: .tokens,
                            norm: .none, gate: .none, dropout: 0)
        let r = try checkHead(cfg, keys: 3, lengths: [3, 1, 2], polarities: [.positive, .negative, .positive], seed: 13)
        assertGradients(r, "head tokens, single tower, paper-literal (no LN, no gate)")
        XCTAssertFalse(try DPRHead(config: cfg).table.slots.contains { $0.name.hasPrefix("pos.") || $0.name.hasPrefix("neg.") })
    }

    func testIdentityAtInit() throws {
        var rng = RNG(seed: 21)
        let b = 6, d = 16, lk = 5
        let user = randomBuffer(b * d, rng: &rng), prompt = randomBuffer(b * lk * 384, std: 0.1, rng: &rng)
        let pol: [PromptPolarity] = [.positive, .negative, .positive, .negative, .positive, .negative]
        for (gate, bound) in [(ResidualGate.layerScale(initial: 0.01), 0.05), (.layerScale(initial: 0), 0.0)] {
            let head = try DPRHead(config: DPRConfig(dim: d, gate: gate), seed: 3)
            let z = FloatBuffer(count: b * d)
            head.forward(out: z.ptr, user: user.ptr, prompt: prompt.ptr, promptLength: lk, lengths: [5, 4, 3, 2, 1, 5], polarities: pol, batch: b)
            var worst = 0.0
            defer { print("identity at init with \(gate): max ‖z − h_u‖/‖h_u‖ = \(worst)") }
            for row in 0..<b {
                var diff = 0.0, norm = 0.0
                for i in 0..<d {
                    let u = Double(user[row * d + i])
                    diff += (Double(z[row * d + i]) - u) * (Double(z[row * d + i]) - u)
                    norm += u * u
                }
                worst = max(worst, (diff / norm).squareRoot())
                XCTAssertLessThanOrEqual((diff / norm).squareRoot(), bound, "row \(row) with \(gate) moved too far from h_u at init")
            }
        }
    }

    func testPolarityRoutingTouchesOnlyItsTower() throws {
        let cfg = DPRConfig(dim: 8, encoderDim: 10, projectorHidden: 12, heads: 2, ffnDim: 12, dropout: 0)
        let head = try makeHead(cfg, seed: 31)
        var rng = RNG(seed: 32)
        let b = 3, lk = 2
        let user = randomBuffer(b * cfg.dim, rng: &rng), prompt = randomBuffer(b * lk * cfg.encoderDim, rng: &rng)
        let z = FloatBuffer(count: b * cfg.dim), dz = randomBuffer(b * cfg.dim, rng: &rng)
        for (polarity, touched, untouched) in [(PromptPolarity.positive, "pos.", "neg."), (.negative, "neg.", "pos.")] {
            head.zeroGrad()
            head.forward(out: z.ptr, user: user.ptr, prompt: prompt.ptr, promptLength: lk, lengths: nil,
                         polarities: Array(repeating: polarity, count: b), batch: b)
            head.backward(dZ: dz.ptr, dUser: nil)
            for slot in head.table.slots {
                let g = UnsafeBufferPointer(start: head.table.grads.ptr + slot.offset, count: slot.count)
                if slot.name.hasPrefix(untouched) { XCTAssertTrue(g.allSatisfy { $0 == 0 }, "\(polarity) rows touched \(slot.name)") }
                if slot.name.hasPrefix(touched) || slot.name.hasPrefix("proj.") {
                    XCTAssertTrue(g.contains { $0 != 0 }, "\(polarity) rows left \(slot.name) without gradient")
                }
            }
        }
    }

    func testRowsAreIndependentOfBatchComposition() throws {
        let cfg = DPRConfig(dim: 8, encoderDim: 10, projectorHidden: 12, heads: 2, ffnDim: 12, dropout: 0)
        let head = try makeHead(cfg, seed: 41)
        var rng = RNG(seed: 42)
        let b = 4, lk = 3, d = cfg.dim, e = cfg.encoderDim
        let user = randomBuffer(b * d, rng: &rng), prompt = randomBuffer(b * lk * e, rng: &rng)
        let lengths: [Int32] = [3, 1, 2, 3]
        let pol: [PromptPolarity] = [.negative, .positive, .negative, .positive]
        let z = FloatBuffer(count: b * d)
        head.forward(out: z.ptr, user: user.ptr, prompt: prompt.ptr, promptLength: lk, lengths: lengths, polarities: pol, batch: b)
        for row in 0..<b {
            // Alone, with garbage in its padded slots: identical output.
            var p = Array(prompt.buffer[(row * lk * e)..<((row + 1) * lk * e)])
            for j in (Int(lengths[row]) * e)..<(lk * e) { p[j] = 1e30 }
            let one = FloatBuffer(count: d)
            head.forward(out: one.ptr, user: user.ptr + row * d, prompt: p, promptLength: lk, lengths: [lengths[row]],
                         polarities: [pol[row]], batch: 1, workspace: DPRWorkspace(config: cfg))
            for i in 0..<d { XCTAssertEqual(one[i], z[row * d + i], accuracy: 1e-5) }
        }
    }

    /// What a server does with a repeated prompt: project it once (alone), then fuse from the
    /// projection. Bit for bit what the whole forward gives, for both key/value modes, with
    /// right-padded rows of different lengths whose padded slots hold garbage.
    func testForwardFromProjectedPromptsEqualsTheWholeForward() throws {
        for keyValue in [KeyValueMode.tokens, .pooled] {
            let cfg = tinyConfig(keyValue)
            let head = try makeHead(cfg, seed: 51)
            var rng = RNG(seed: 52)
            let lk = keyValue == .tokens ? 3 : 1, d = cfg.dim, e = cfg.encoderDim
            let lengths: [Int32] = keyValue == .tokens ? [3, 1, 2] : [1, 1, 1]
            let pol: [PromptPolarity] = [.negative, .positive, .negative]
            let b = lengths.count
            let user = randomBuffer(b * d, rng: &rng)
            var projected = [Float](repeating: 1e30, count: b * lk * d)   // garbage in the padded slots
            for r in 0..<b {
                let real = Int(lengths[r])
                let prompt = (0..<(real * e)).map { _ in rng.normal() }
                let one = FloatBuffer(count: d), whole = FloatBuffer(count: d)
                head.forward(out: whole.ptr, user: user.ptr + r * d, prompt: prompt, promptLength: real, lengths: [lengths[r]],
                             polarities: [pol[r]], batch: 1, workspace: DPRWorkspace(config: cfg))
                let e1 = head.project(prompt, rows: real)
                XCTAssertEqual(e1.count, real * d)
                head.forward(out: one.ptr, user: user.ptr + r * d, projected: e1, promptLength: real, lengths: [lengths[r]],
                             polarities: [pol[r]], batch: 1, workspace: DPRWorkspace(config: cfg))
                XCTAssertEqual(Array(one.buffer), Array(whole.buffer), "\(keyValue) row \(r) alone")
                projected.replaceSubrange((r * lk * d)..<((r * lk + real) * d), with: e1)
            }
            // In a batch of right-padded rows, each row gets what it gets alone.
            let z = FloatBuffer(count: b * d)
            head.forward(out: z.ptr, user: user.ptr, projected: projected, promptLength: lk, lengths: lengths, polarities: pol,
                         batch: b, workspace: DPRWorkspace(config: cfg))
            for r in 0..<b {
                let real = Int(lengths[r])
                let alone = FloatBuffer(count: d)
                head.forward(out: alone.ptr, user: user.ptr + r * d, projected: Array(projected[(r * lk * d)..<((r * lk + real) * d)]),
                             promptLength: real, lengths: [lengths[r]], polarities: [pol[r]], batch: 1, workspace: DPRWorkspace(config: cfg))
                for i in 0..<d { XCTAssertEqual(z[r * d + i], alone[i], accuracy: 1e-5, "\(keyValue) row \(r) in a batch") }
            }
        }
    }

    /// The shared-prompt forward (training: each distinct prompt projected once) gives the
    /// per-row forward's output, parameter gradients and dUser when each row's prompt is copied
    /// in; its gradients also pass a finite-difference check of their own.
    func testSharedPromptForwardAndBackwardEqualThePerRowOnes() throws {
        for keyValue in [KeyValueMode.tokens, .pooled] {
            let cfg = tinyConfig(keyValue)
            let head = try makeHead(cfg, seed: 61)
            var rng = RNG(seed: 62)
            let lk = keyValue == .tokens ? 3 : 1, d = cfg.dim, e = cfg.encoderDim
            let distinctLengths: [Int32] = keyValue == .tokens ? [3, 1] : [1, 1]
            let promptOf: [Int32] = [1, 0, 0, 1, 0]
            let pol: [PromptPolarity] = [.negative, .positive, .negative, .positive, .positive]
            let b = promptOf.count, u = distinctLengths.count
            let distinct = randomBuffer(u * lk * e, std: 0.5, rng: &rng)
            let perRow = FloatBuffer(count: b * lk * e)
            for r in 0..<b { (perRow.ptr + r * lk * e).update(from: distinct.ptr + Int(promptOf[r]) * lk * e, count: lk * e) }
            let rowLengths = promptOf.map { distinctLengths[Int($0)] }
            let user = randomBuffer(b * d, rng: &rng), dz = randomBuffer(b * d, rng: &rng)
            let zRow = FloatBuffer(count: b * d), zShared = FloatBuffer(count: b * d)
            let dRow = FloatBuffer(count: b * d), dShared = FloatBuffer(count: b * d)

            head.zeroGrad()
            head.forward(out: zRow.ptr, user: user.ptr, prompt: perRow.ptr, promptLength: lk, lengths: rowLengths, polarities: pol, batch: b)
            head.backward(dZ: dz.ptr, dUser: dRow.ptr)
            let rowGrads = head.table.grads.array

            head.zeroGrad()
            head.forward(out: zShared.ptr, user: user.ptr, prompts: distinct.ptr, distinct: u, promptLength: lk,
                         promptLengths: distinctLengths, promptOf: promptOf, polarities: pol, batch: b)
            head.backward(dZ: dz.ptr, dUser: dShared.ptr)
            let sharedGrads = head.table.grads.array

            for i in 0..<(b * d) {
                XCTAssertEqual(zShared[i], zRow[i], accuracy: 1e-6, "\(keyValue) z[\(i)]")
                XCTAssertEqual(dShared[i], dRow[i], accuracy: 1e-5, "\(keyValue) dUser[\(i)]")
            }
            for (i, (a, c)) in zip(sharedGrads, rowGrads).enumerated() {
                XCTAssertEqual(a, c, accuracy: 1e-4 * max(1, abs(c)), "\(keyValue) gradient \(i)")
            }

            // Finite differences of the shared path itself.
            func loss() -> Double {
                head.forward(out: zShared.ptr, user: user.ptr, prompts: distinct.ptr, distinct: u, promptLength: lk,
                             promptLengths: distinctLengths, promptOf: promptOf, polarities: pol, batch: b)
                return dotLoss(zShared.ptr, dz.ptr, count: b * d)
            }
            var result = GradientCheck("")
            for slot in head.table.slots where !slot.name.hasSuffix("attn.bk") {
                result.merge(gradCheck(slot.name, value: head.table.values.ptr + slot.offset, grad: head.table.grads.ptr + slot.offset,
                                       count: slot.count, samples: 8, rng: &rng, loss: loss))
            }
            assertGradients(result, "shared prompts, \(keyValue)")
        }
    }

    func testSaveLoadRoundTrip() throws {
        let cfg = DPRConfig(dim: 8, encoderDim: 10, projectorHidden: 12, heads: 2, ffnDim: 12, gate: .layerScale(initial: 0.2))
        let head = try makeHead(cfg, seed: 51)
        let bytes = head.archived()
        let copy = try DPRHead(archive: bytes)
        XCTAssertEqual(copy.config, cfg)
        XCTAssertEqual(copy.table.slots.map(\.name), head.table.slots.map(\.name))
        XCTAssertEqual(copy.table.values.array, head.table.values.array)
        XCTAssertEqual(copy.archived(), bytes)
        let user: [Float] = (0..<8).map { Float($0) / 8 }, prompt: [Float] = (0..<20).map { Float($0 % 7) / 7 - 0.4 }
        XCTAssertEqual(copy.fuse(user: user, prompt: prompt, polarity: .negative), head.fuse(user: user, prompt: prompt, polarity: .negative))

        // load(archive:) into a fresh head of the same config; refusal leaves weights untouched.
        let fresh = try DPRHead(config: cfg, seed: 999)
        try fresh.load(archive: bytes)
        XCTAssertEqual(fresh.table.values.array, head.table.values.array)
        let other = try DPRHead(config: DPRConfig(dim: 8, encoderDim: 10, projectorHidden: 12, heads: 2, ffnDim: 12, keyValue: .pooled))
        let before = other.table.values.array
        XCTAssertThrowsError(try other.load(archive: bytes))
        XCTAssertEqual(other.table.values.array, before)

        // Damaged archives are refused with a message.
        XCTAssertThrowsError(try DPRHead(archive: Array(bytes.dropLast(3)))) { XCTAssertTrue("\($0)".contains("truncated")) }
        var badMagic = bytes; badMagic[0] = 0x41
        XCTAssertThrowsError(try DPRHead(archive: badMagic)) { XCTAssertTrue("\($0)".contains("magic")) }
        XCTAssertThrowsError(try DPRHead(archive: bytes + [0])) { XCTAssertTrue("\($0)".contains("trailing")) }
    }

    func testConfigValidation() {
        XCTAssertThrowsError(try DPRHead(config: DPRConfig(dim: 10, heads: 3))) { XCTAssertTrue("\($0)".contains("heads")) }
        XCTAssertThrowsError(try DPRHead(config: DPRConfig(dim: 8, dropout: 1))) { XCTAssertTrue("\($0)".contains("dropout")) }
    }

    func testDropoutOnlyWhileTraining() throws {
        let cfg = DPRConfig(dim: 8, encoderDim: 10, projectorHidden: 12, heads: 2, ffnDim: 12, gate: .layerScale(initial: 1), dropout: 0.5)
        let head = try DPRHead(config: cfg, seed: 61)
        let user: [Float] = (0..<8).map { Float($0) }, prompt: [Float] = (0..<10).map { Float($0) / 10 }
        let a = head.fuse(user: user, prompt: prompt, polarity: .positive)
        XCTAssertEqual(a, head.fuse(user: user, prompt: prompt, polarity: .positive))
        head.isTraining = true
        XCTAssertNotEqual(a, head.fuse(user: user, prompt: prompt, polarity: .positive))
    }
}
