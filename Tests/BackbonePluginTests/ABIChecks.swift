// The ABI contract (steer_sequential_encoder.h) checked against one Swift plugin; each plugin's test class calls these.
import CSequentialEncoder
import Foundation
import SteerNN
import SteerTestSupport
import XCTest

@testable import SteerPlugins

struct ABIChecks: Sendable {
    let spec: PluginSpec
    var name: String { spec.name }

    // MARK: Identity and config

    func info() throws {
        let info = try Plugins.load(name, config: #"{"n_items": 11}"#).info
        XCTAssertEqual(info.name, name)
        XCTAssertEqual(info.pluginVersion, "1.0.0")
        XCTAssertEqual([info.abiMajor, info.abiMinor], [1, 0])
        XCTAssertTrue(info.trainable)
        XCTAssertEqual([info.dim, info.maxLen, info.nItems], [spec.defaultDim, spec.defaultMaxLen, 11])
        XCTAssertTrue(info.path.hasSuffix("/libSteerBackbone\(name).so"))
        let tiny = try Plugins.load(name, config: spec.tiny).info
        XCTAssertEqual([tiny.dim, tiny.maxLen, tiny.nItems], [8, 5, 7])
    }

    func configErrorsNameTheKey() {
        let file = "libSteerBackbone\(name).so"
        assertPluginError(try Plugins.load(name, config: #"{"n_items": 7, "hiden": 3}"#), kind: .createFailed,
                          mentions: [file, "code 2", #""hiden""#])
        assertPluginError(try Plugins.load(name, config: "{\"n_items\": 7, \(spec.badValue.json)}"), kind: .createFailed,
                          mentions: [file, spec.badValue.key])
        assertPluginError(try Plugins.load(name, config: #"{"n_items": 7, "max_len": 0}"#), kind: .createFailed, mentions: [#""max_len""#])
        assertPluginError(try Plugins.load(name, config: #"{"n_items": "7"}"#), kind: .createFailed, mentions: [#""n_items""#])
        assertPluginError(try Plugins.load(name, config: ""), kind: .createFailed, mentions: [#""n_items""#])
        assertPluginError(try Plugins.load(name, config: #"{"max_len": 5}"#), kind: .createFailed, mentions: [#""n_items""#])
        assertPluginError(try Plugins.load(name, config: "[1]"), kind: .createFailed, mentions: ["JSON object"])
        assertPluginError(try Plugins.load(name, config: #"{"n_items": 7}"#, weights: [1, 2, 3, 4, 5]), kind: .createFailed,
                          mentions: ["STA1"])
    }

    /// JSON 0 and 1 are numbers, true/false are not (Linux Foundation bridges every NSNumber equal to
    /// 0 or 1 to Bool, so a config reader testing `is Bool` refuses "layers": 1 and "dropout": 0).
    func zeroAndOneAreNumbers(_ config: String) throws {
        let backbone = try Plugins.load(name, config: config)
        XCTAssertEqual(backbone.info.nItems, 7)
        assertPluginError(try Plugins.load(name, config: #"{"n_items": 7, "seed": true}"#), kind: .createFailed, mentions: [#""seed""#])
        assertPluginError(try Plugins.load(name, config: #"{"n_items": 7, "dropout": false}"#), kind: .createFailed, mentions: [#""dropout""#])
    }

    // MARK: Serving

    func encode() throws {
        let backbone = try Plugins.load(name, config: spec.tiny)
        let histories: [[UInt32]] = [[0, 1, 2], [6], [3, 3, 4, 5, 0], [2, 1]]
        let out = try backbone.encode(histories: histories)
        XCTAssertEqual(out.count, histories.count * 8, "B × d floats")
        XCTAssertTrue(out.allSatisfy(\.isFinite))
        XCTAssertEqual(try backbone.encode(histories: histories), out, "encode is deterministic")
        // Each row is independent of the others it is batched (and padded) with.
        for (b, history) in histories.enumerated() {
            assertClose(try backbone.encode(histories: [history]), Array(out[(b * 8)..<((b + 1) * 8)]), "row \(b) alone")
        }
        XCTAssertNotEqual(Array(out[0..<8]), Array(out[8..<16]), "different histories, different vectors")
        // Same seed, same model; another seed, another model.
        let twin = try Plugins.load(name, config: spec.tiny)
        XCTAssertEqual(twin.itemEmbeddings, backbone.itemEmbeddings)
        let other = try Plugins.load(name, config: String(spec.tiny.dropLast()) + #", "seed": 1234}"#)
        XCTAssertNotEqual(other.itemEmbeddings, backbone.itemEmbeddings)
    }

    /// A history longer than max_len is encoded from its last max_len items. Batched with a short
    /// history the row matches the suffix encoded alone within 1e-5 (BLAS may pick other kernels for
    /// another batch shape, so the last bits may differ); the same call repeated gives the same bits.
    func longHistoriesKeepTheLastMaxLenItems() throws {
        let backbone = try Plugins.load(name, config: spec.tiny)
        let long: [UInt32] = [6, 5, 4, 0, 1, 2, 3, 1]
        let out = try backbone.encode(histories: [long, [2]])
        XCTAssertEqual(try backbone.encode(histories: [long, [2]]), out, "the same call gives the same bits")
        let suffix = try backbone.encode(histories: [Array(long.suffix(5))])
        assertClose(Array(out[0..<8]), suffix, "the long history batched is its last 5 items alone")
        XCTAssertEqual(try backbone.encode(histories: [long]), try backbone.encode(histories: [long]), "deterministic alone")
        let shorter = try backbone.encode(histories: [Array(long.suffix(4))])
        let distance = zip(out[0..<8], shorter).map { abs($0 - $1) }.max() ?? 0
        XCTAssertGreaterThan(distance, 1e-3, "one item fewer is another history")
    }

    /// The empty history's cold-start vector is what the plugin documents, alone or batched.
    func emptyHistory() throws {
        let trainable = try Plugins.trainable(name, config: spec.tiny)
        let backbone = trainable.backbone
        let expected = try spec.coldStart(trainable)
        XCTAssertEqual(try backbone.encode(histories: [[]]), expected)
        XCTAssertEqual(Array(try backbone.encode(histories: [[1, 2], [], [3]])[8..<16]), expected)
    }

    func outOfRangeIdsAreErrors() throws {
        let backbone = try Plugins.load(name, config: spec.tiny)
        assertPluginError(try backbone.encode(histories: [[0], [1, 7]]), kind: .invalidInput, mentions: ["item id 7"])
        // The plugin checks ids itself, below the host's check.
        let error = try XCTUnwrap(backbone.rawEncodeError(ids: [0, 1, 9], lengths: [1, 2]))
        XCTAssertEqual(error.code, Int32(STEER_SE_ERROR_INVALID_ARGUMENT.rawValue))
        XCTAssertTrue(error.message.contains("9"), error.message)
        XCTAssertNil(backbone.rawEncodeError(ids: [0, 1, 6], lengths: [1, 2]))
    }

    // MARK: Training entry points

    /// encode(history) equals forward_train's hidden at the history's last position, in eval mode;
    /// padded positions are written as 0 and their ids ignored (even out-of-range ones).
    func encodeMatchesForwardTrain() throws {
        let trainable = try Plugins.trainable(name, config: spec.tinyWithDropout)
        try trainable.setTraining(false)
        var rng = RNG(seed: 5)
        let batch = TrainingBatch(lengths: [5, 3, 1, 0], time: 5, nItems: 7, padding: 1_000_000, rng: &rng)
        let hidden = try trainable.forward(batch)
        for b in 0..<batch.batch {
            let length = Int(batch.lengths[b])
            let row = Array(hidden[(b * 5 * 8)..<((b + 1) * 5 * 8)])
            XCTAssertTrue(row[(length * 8)...].allSatisfy { $0 == 0 }, "row \(b): padded positions are 0")
            guard length > 0 else { continue }
            let last = Array(row[((length - 1) * 8)..<(length * 8)])
            assertClose(try trainable.backbone.encode(histories: [batch.history(b)]), last, "row \(b): encode = last hidden")
        }
        // All at once (one left-padded batch of mixed lengths, the empty one included): each row as alone.
        let together = try trainable.backbone.encode(histories: (0..<batch.batch).map { batch.history($0) })
        for b in 0..<batch.batch {
            let alone = try trainable.backbone.encode(histories: [batch.history(b)])
            assertClose(Array(together[(b * 8)..<((b + 1) * 8)]), alone, "row \(b): encoded in a batch = alone")
        }
        var repadded = batch
        for i in repadded.ids.indices where i % 5 >= Int(repadded.lengths[i / 5]) { repadded.ids[i] = 3 }
        XCTAssertEqual(try trainable.forward(repadded), hidden, "padding ids are ignored")
        XCTAssertEqual(try trainable.forward(batch), hidden, "eval mode is deterministic")
    }

    func forwardTrainErrors() throws {
        let trainable = try Plugins.trainable(name, config: spec.tiny)
        assertPluginError(try trainable.backward(dHidden: [Float](repeating: 0, count: 40)), kind: .callFailed,
                          mentions: ["backward", "forward_train"])
        var out = [Float](repeating: 0, count: 2 * 6 * 8)
        assertPluginError(try trainable.forward(itemIDs: [UInt32](repeating: 0, count: 12), lengths: [2, 2], batch: 2, time: 6, into: &out),
                          kind: .callFailed, mentions: ["time 6"])
        assertPluginError(try trainable.forward(itemIDs: [UInt32](repeating: 0, count: 8), lengths: [2, 5], batch: 2, time: 4, into: &out),
                          kind: .callFailed, mentions: ["length 5"])
        assertPluginError(try trainable.forward(itemIDs: [0, 7, 0, 0, 1, 2, 3, 4], lengths: [2, 4], batch: 2, time: 4, into: &out),
                          kind: .callFailed, mentions: ["item id 7"])
    }

    /// Dropout draws fresh masks in training mode; eval mode is deterministic and equals encode.
    func dropoutFollowsTrainingMode() throws {
        let trainable = try Plugins.trainable(name, config: spec.tinyWithDropout)
        var rng = RNG(seed: 9)
        let batch = TrainingBatch(lengths: [5, 4], time: 5, nItems: 7, rng: &rng)
        try trainable.setTraining(true)
        let first = try trainable.forward(batch), second = try trainable.forward(batch)
        XCTAssertNotEqual(first, second, "training mode: a new dropout mask per forward")
        try trainable.setTraining(false)
        let eval = try trainable.forward(batch)
        XCTAssertNotEqual(first, eval)
        XCTAssertEqual(try trainable.forward(batch), eval, "eval mode: no dropout")
        assertClose(try trainable.backbone.encode(histories: [batch.history(0)]), Array(eval[(4 * 8)..<(5 * 8)]), "encode = eval hidden")
    }

    func saveRoundTrip() throws {
        let trainable = try Plugins.trainable(name, config: spec.tiny)
        // Move away from the initialisation so the round trip carries trained-looking values.
        for p in try trainable.parameters() { for i in 0..<p.count { p.value[i] += 0.01 * Float(i % 7) - 0.03 } }
        let histories: [[UInt32]] = [[0, 1, 2, 3], [], [6, 6]]
        let expected = try trainable.backbone.encode(histories: histories)
        let saved = try trainable.save()
        let restored = try Plugins.trainable(name, config: "", weights: saved)
        XCTAssertEqual(try restored.backbone.encode(histories: histories), expected, "identical encodes after save → create")
        XCTAssertEqual(restored.backbone.itemEmbeddings, trainable.backbone.itemEmbeddings)
        XCTAssertEqual(try restored.parameters().map(\.name), try trainable.parameters().map(\.name))
        XCTAssertEqual(try restored.save(), saved, "save is stable")
        // Keys that leave the shapes alone may change; shape keys may not.
        let changed = try Plugins.load(name, config: spec.nonShapeChange, weights: saved)
        XCTAssertEqual(try changed.encode(histories: histories), expected)
        assertPluginError(try Plugins.load(name, config: spec.shapeChange.json, weights: saved), kind: .createFailed,
                          mentions: [spec.shapeChange.key])
        assertPluginError(try Plugins.load(name, config: #"{"n_items": 8}"#, weights: saved), kind: .createFailed, mentions: ["n_items"])
        assertPluginError(try Plugins.load(name, weights: Array(saved.dropLast(3))), kind: .createFailed, mentions: ["truncated"])
    }

    func parametersAndGradients() throws {
        let trainable = try Plugins.trainable(name, config: spec.tiny)
        let params = try trainable.parameters()
        XCTAssertEqual(Set(params.map(\.name)).count, params.count, "unique names")
        let item = try trainable.parameter("item_embedding")
        let table = try trainable.itemTable()
        XCTAssertEqual(UnsafePointer(item.value), table.values, "parameters() holds the item table itself")
        XCTAssertEqual(item.grad, table.grad, "and its gradient")
        XCTAssertEqual(item.count, 7 * 8)
        // backward accumulates; zero_grad clears.
        var rng = RNG(seed: 11)
        let batch = TrainingBatch(lengths: [5, 2], time: 5, nItems: 7, rng: &rng)
        let dHidden = randomFloats(2 * 5 * 8, &rng)
        try trainable.setTraining(true)
        _ = try trainable.forward(batch)
        try trainable.backward(dHidden)
        let once = params.map { Array(UnsafeBufferPointer(start: $0.grad, count: $0.count)) }
        for (p, g) in zip(params, once) { XCTAssertTrue(g.contains { $0 != 0 }, "\(p.name) gets a gradient") }
        try trainable.backward(dHidden)
        for (p, g) in zip(params, once) {
            assertClose(Array(UnsafeBufferPointer(start: p.grad, count: p.count)), g.map { 2 * $0 }, "\(p.name): backward accumulates")
        }
        try trainable.zeroGrad()
        for p in params { XCTAssertTrue(UnsafeBufferPointer(start: p.grad, count: p.count).allSatisfy { $0 == 0 }, "\(p.name) cleared") }
    }

    /// Backward's gradient of every parameter tensor against finite differences of
    /// L = Σ hidden · R, through the C ABI only (dropout 0 so the loss is a function), with the
    /// shared ``GradientCheck``; `label` names the check in its printed margin.
    func gradientCheck(config: String, label: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let trainable = try Plugins.trainable(name, config: config, file: file, line: line)
        try trainable.setTraining(true)
        var rng = RNG(seed: 21)
        let batch = TrainingBatch(lengths: [5, 3, 1], time: 5, nItems: 7, rng: &rng)
        let d = trainable.dim
        // R is non-zero at padded positions too: backward must ignore them.
        let r = randomFloats(batch.batch * batch.time * d, &rng)
        func loss() throws -> Double { weightedSum(try trainable.forward(batch), r) }
        try trainable.zeroGrad()
        _ = try trainable.forward(batch)
        try trainable.backward(r)
        let used = Set(batch.ids.enumerated().filter { $0.offset % 5 < Int(batch.lengths[$0.offset / 5]) }.map { Int($0.element) })
        var check = GradientCheck(label)
        for p in try trainable.parameters() {
            // Every coordinate of the item table (the rows the batch uses, and the unused ones, whose
            // gradient must be exactly 0); a sample of the others.
            let indices = p.name == "item_embedding" ? Array(0..<p.count) : Array(Set((0..<min(20, p.count)).map { _ in rng.below(p.count) })).sorted()
            try check.compare(p.name, value: p.value, grad: UnsafePointer(p.grad), count: p.count, indices: indices, loss: loss)
            if p.name == "item_embedding" {
                for i in indices where !used.contains(i / d) {
                    XCTAssertEqual(p.grad[i], 0, "\(p.name)[\(i)]: unused item row gets no gradient", file: file, line: line)
                }
            }
            let largest = indices.map { abs(p.grad[$0]) }.max() ?? 0
            XCTAssertGreaterThan(largest, 1e-3, "\(name) \(p.name): the check saw a non-zero gradient", file: file, line: line)
        }
        check.assertPasses(file: file, line: line)
    }

    /// 8 threads encoding at once (the ABI allows it) get what one thread gets.
    func concurrentEncode(config: String) throws {
        let backbone = try Plugins.load(name, config: config)
        var rng = RNG(seed: 31)
        let batches: [[[UInt32]]] = (0..<8).map { _ in
            (0..<8).map { _ in (0..<(1 + rng.below(40))).map { _ in UInt32(rng.below(backbone.info.nItems)) } }
        }
        let sequential = try batches.map { try backbone.encode(histories: $0) }
        let results = ResultSlots()
        let group = DispatchGroup()
        for (i, histories) in batches.enumerated() {
            group.enter()
            Thread {
                defer { group.leave() }
                do {
                    // Repeat so the calls overlap in time.
                    for _ in 0..<3 {
                        let out = try backbone.encode(histories: histories)
                        if out != sequential[i] { results.fail("thread \(i): result differs from the sequential one") }
                        results.set(i, out)
                    }
                } catch { results.fail("thread \(i): \(error)") }
            }.start()
        }
        group.wait()
        XCTAssertEqual(results.errors, [])
        XCTAssertEqual(results.values.count, 8)
    }
}
