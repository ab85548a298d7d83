// The fine-tuned router's folder (Scripts/train-router-encoder): how it loads, what it computes,
// and what it refuses.
import Foundation
import XCTest
@testable import SteerPrompt
import SteerRandom
import SteerSafeTensors
import SteerTestSupport
import SteerText

final class FineTunedRouterTests: XCTestCase {
    /// A router folder made of the base MiniLM files (linked, not copied: the test reads them
    /// only) and a head file with `weights`.
    private func routerFolder(weights: [Float], bias: Float, format: String = FineTunedRouter.format,
                              baseName: String = "all-MiniLM-L6-v2", bundledRouterWeight: Float? = nil) throws -> URL {
        let base = steerCache().appendingPathComponent("models/all-MiniLM-L6-v2")
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("router-encoder-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: folder) }
        for name in try FileManager.default.contentsOfDirectory(atPath: base.path) {
            try FileManager.default.createSymbolicLink(at: folder.appendingPathComponent(name), withDestinationURL: base.appendingPathComponent(name))
        }
        let head = FineTunedRouter.Head(format: format, base: baseName, weights: weights, bias: bias, provenance: ["a test head"],
                                        bundledRouterWeight: bundledRouterWeight)
        try JSONEncoder().encode(head).write(to: folder.appendingPathComponent(FineTunedRouter.headFile))
        return folder
    }

    private func seededWeights(_ count: Int) -> [Float] {
        var rng = SeededRandom(seed: 11)
        return (0..<count).map { _ in rng.nextSigned() }
    }

    /// It routes by its own encoder's token-state mean through its head, whatever states it is handed.
    func testRoutesByTheMeanOfItsOwnTokenStates() throws {
        let encoder = try miniLM()
        let weights = seededWeights(encoder.dimension)
        let folder = try routerFolder(weights: weights, bias: 0.25)
        let router = try PromptRouter.load(from: folder.appendingPathComponent(FineTunedRouter.headFile))
        XCTAssertTrue(router.isFineTuned)
        XCTAssertFalse(router.readsTokens)
        XCTAssertEqual(router.encoderName, "all-MiniLM-L6-v2")
        XCTAssertEqual(router.dimension, encoder.dimension)
        XCTAssertEqual(router.provenance, ["a test head"])
        let unrelated = TokenStates(count: 1, dimension: encoder.dimension, values: [Float](repeating: 0, count: encoder.dimension),
                                    pooled: [Float](repeating: 0, count: encoder.dimension))
        for text in ["no horror tonight", "I want a comedy", "anything but westerns, please"] {
            let states = try XCTUnwrap(encoder.tokenStates([text]).first)
            var z = Double(0.25)
            for c in 0..<encoder.dimension {
                let mean = (0..<states.count).reduce(0.0) { $0 + Double(states.values[$1 * encoder.dimension + c]) } / Double(states.count)
                z += Double(weights[c]) * mean
            }
            let expected = 1 / (1 + exp(-z))
            // Another encoder instance on the same weights: equal up to summation order.
            let decision = try router.route(states: unrelated, text: text)
            XCTAssertEqual(decision.polarity == .positive ? decision.confidence : 1 - decision.confidence, expected, accuracy: 1e-5, text)
        }
        // Several texts: one batched pass of its encoder, kept, and the same decisions as one by one.
        let texts = ["a western, please", "no musicals", "something scary but not gory"]
        let batched = try router.route(texts: texts, encoder: encoder)
        let fresh = try PromptRouter.load(from: folder.appendingPathComponent(FineTunedRouter.headFile))
        for (text, decision) in zip(texts, batched) {
            XCTAssertNotNil(router.fineTuned?.recent.get(text), text)
            let single = try fresh.route(states: unrelated, text: text)
            XCTAssertEqual(decision.polarity, single.polarity, text)
            XCTAssertEqual(decision.confidence, single.confidence, accuracy: 1e-5, text)   // padded batch vs one text
        }
        // Its file is the head it was loaded from: a JSON round trip of Float values, which is
        // exact by contract (shortest round-tripping decimal), whatever the CPU.
        let written = try JSONDecoder().decode(FineTunedRouter.Head.self, from: router.encoded())
        XCTAssertEqual(written.weights, weights)
        XCTAssertEqual(written.bias, 0.25)
    }

    /// Loaded at int8 (as steerd loads it beside an int8 serving encoder) it reads as at fp32, within
    /// the quantisation's error (fp32 on a CPU without AVX-512 VNNI).
    func testLoadsItsEncoderAtTheGivenPrecision() throws {
        let encoder = try miniLM()
        let folder = try routerFolder(weights: seededWeights(encoder.dimension), bias: 0.25)
        let head = folder.appendingPathComponent(FineTunedRouter.headFile)
        let fp32 = try PromptRouter.load(from: head)
        let int8 = try PromptRouter.load(from: head, encoderPrecision: .int8)
        let base = steerCache().appendingPathComponent("models/all-MiniLM-L6-v2")
        XCTAssertEqual(int8.ownEncoderKernel, try MiniLMEncoder(directory: base, precision: .int8).kernelDescription)
        XCTAssertEqual(fp32.ownEncoderKernel, try MiniLMEncoder(directory: base, precision: .fp32).kernelDescription)
        XCTAssertNil(try PromptRouter.load().ownEncoderKernel)
        let states = try XCTUnwrap(encoder.tokenStates(["unused"]).first)
        for text in ["no horror tonight", "I want a comedy", "anything but westerns, please"] {
            let exact = try fp32.route(states: states, text: text), quantised = try int8.route(states: states, text: text)
            func p(_ d: RouteDecision) -> Double { d.polarity == .positive ? d.confidence : 1 - d.confidence }
            XCTAssertEqual(p(quantised), p(exact), accuracy: 0.05, text)
        }
    }

    /// With a `bundledRouterWeight` w it decides by `(1 − w) · its own logit + w · the bundled
    /// feature router's logit` on the states it is handed.
    func testBlendsItsLogitWithTheBundledRoutersOnTheStatesItIsHanded() throws {
        let encoder = try miniLM()
        let folder = try routerFolder(weights: seededWeights(encoder.dimension), bias: 0.25, bundledRouterWeight: 0.65)
        let blended = try PromptRouter.load(from: folder.appendingPathComponent(FineTunedRouter.headFile))
        let w = blended.bundledRouterWeight
        XCTAssertEqual(w, 0.65, accuracy: 1e-6)   // stored as a Float
        let alone = try blended.blended(bundledRouterWeight: 0)
        XCTAssertEqual(alone.bundledRouterWeight, 0)   // set, not computed: exact
        XCTAssertTrue(blended.summary.hasSuffix("blended with the bundled router at weight 0.65"), blended.summary)
        XCTAssertTrue(alone.summary.hasPrefix("a fine-tuned encoder (a test head)"), alone.summary)
        XCTAssertFalse(alone.summary.contains("blended"), alone.summary)
        let bundled = try PromptRouter.load()
        func logit(_ decision: RouteDecision) -> Double {
            let p = decision.polarity == .positive ? decision.confidence : 1 - decision.confidence
            return log(p / (1 - p))
        }
        for text in ["no horror tonight", "I want a comedy", "anything but westerns, please", "a quiet drama would be nice"] {
            let states = try XCTUnwrap(encoder.tokenStates([text]).first)
            let expected = (1 - w) * logit(try alone.route(states: states, text: text)) + w * logit(try bundled.route(states: states, text: text))
            // The logits come back through probabilities (none of these saturates): 1e-6 relative slack.
            XCTAssertEqual(logit(try blended.route(states: states, text: text)), expected, accuracy: 1e-6 * max(1, abs(expected)), text)
        }
    }

    /// A blend is refused by name when it cannot be made: a head fine-tuned from another encoder
    /// than the bundled router reads, a weight outside 0…1, or a feature router asked to blend.
    func testRefusesABlendThatCannotBeMade() throws {
        let encoder = try miniLM()
        let other = try routerFolder(weights: seededWeights(encoder.dimension), bias: 0, baseName: "another-encoder", bundledRouterWeight: 0.5)
        XCTAssertThrowsError(try PromptRouter.load(from: other.appendingPathComponent(FineTunedRouter.headFile))) { error in
            XCTAssertEqual((error as? PromptError)?.code, .malformedModel)
            XCTAssertTrue("\(error)".contains("blends with the bundled router, trained on all-MiniLM-L6-v2"), "\(error)")
        }
        // The same head without a blend loads: it decides alone and never needs the bundled router.
        let unblended = try routerFolder(weights: seededWeights(encoder.dimension), bias: 0, baseName: "another-encoder")
        let alone = try PromptRouter.load(from: unblended.appendingPathComponent(FineTunedRouter.headFile))
        XCTAssertEqual(alone.encoderName, "another-encoder")
        XCTAssertThrowsError(try alone.blended(bundledRouterWeight: 0.5)) { XCTAssertTrue("\($0)".contains("blends with the bundled router"), "\($0)") }
        XCTAssertThrowsError(try alone.blended(bundledRouterWeight: 1.5)) { XCTAssertTrue("\($0)".contains("not in 0…1"), "\($0)") }
        XCTAssertThrowsError(try PromptRouter.load().blended(bundledRouterWeight: 0.5)) {
            XCTAssertTrue("\($0)".contains("only a fine-tuned router blends"), "\($0)")
        }
    }

    /// A head that does not fit its encoder, or an encoder that is not there, is refused by name;
    /// a head's bytes without their folder are refused too.
    func testRefusesABadHeadOrAMissingEncoder() throws {
        let encoder = try miniLM()
        let short = try routerFolder(weights: seededWeights(encoder.dimension - 1), bias: 0)
        XCTAssertThrowsError(try PromptRouter.load(from: short.appendingPathComponent(FineTunedRouter.headFile))) { error in
            XCTAssertEqual((error as? PromptError)?.code, .malformedModel)
            XCTAssertTrue("\(error)".contains("\(encoder.dimension - 1) weights for an encoder of dimension \(encoder.dimension)"), "\(error)")
        }
        let lonely = FileManager.default.temporaryDirectory.appendingPathComponent("router-head-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: lonely, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: lonely) }
        let head = FineTunedRouter.Head(format: FineTunedRouter.format, base: "all-MiniLM-L6-v2", weights: seededWeights(encoder.dimension),
                                        bias: 0, provenance: [])
        let data = try JSONEncoder().encode(head)
        try data.write(to: lonely.appendingPathComponent(FineTunedRouter.headFile))
        XCTAssertThrowsError(try PromptRouter.load(from: lonely.appendingPathComponent(FineTunedRouter.headFile))) { error in
            XCTAssertEqual((error as? PromptError)?.code, .malformedModel)
            XCTAssertTrue("\(error)".contains("fine-tuned encoder in"), "\(error)")
        }
        XCTAssertThrowsError(try PromptRouter.decode(data, source: "head.json")) { error in
            XCTAssertTrue("\(error)".contains("loads only from its encoder folder"), "\(error)")
        }
    }

    /// The head file alone: what its decoder refuses, each by name, before any encoder is looked for.
    func testTheHeadDecoderNamesWhatIsWrong() throws {
        func refused(_ json: String, mentioning words: String, file: StaticString = #filePath, line: UInt = #line) {
            XCTAssertThrowsError(try FineTunedRouter.decodeHead(Data(json.utf8), source: "head.json"), file: file, line: line) { error in
                XCTAssertEqual((error as? PromptError)?.code, .malformedModel, file: file, line: line)
                XCTAssertTrue("\(error)".contains(words), "\(error)", file: file, line: line)
            }
        }
        let good = #"{"format": "steer-router-encoder-head/1", "base": "m", "weights": [0.5, -1], "bias": 0.25, "provenance": []}"#
        XCTAssertEqual(try FineTunedRouter.decodeHead(Data(good.utf8), source: "head.json").weights, [0.5, -1])
        refused(#"{"format": "steer-router-encoder-head/2", "base": "m", "weights": [0.5], "bias": 0, "provenance": []}"#, mentioning: "format")
        refused(#"{"format": "steer-router-encoder-head/1", "base": "m", "weights": [], "bias": 0, "provenance": []}"#, mentioning: "no weights")
        refused(#"{"format": "steer-router-encoder-head/1", "base": "m", "weights": [0.5], "provenance": []}"#, mentioning: "not a steer-router-encoder-head/1 file")
        refused(#"{"format": "steer-router-encoder-head/1", "base": "m", "weights": [1e39], "bias": 0, "provenance": []}"#, mentioning: "head.json")
        refused("[1, 2", mentioning: "not a steer-router-encoder-head/1 file")
        refused(#"{"format": "steer-router-encoder-head/1", "base": "m", "weights": [0.5], "bias": 0, "provenance": [], "bundledRouterWeight": 1.5}"#,
                mentioning: "bundledRouterWeight 1.5 is not in 0…1")
        refused(#"{"format": "steer-router-encoder-head/1", "base": "m", "weights": [0.5], "bias": 0, "provenance": [], "bundledRouterWeight": -0.25}"#,
                mentioning: "bundledRouterWeight -0.25 is not in 0…1")
        let blended = #"{"format": "steer-router-encoder-head/1", "base": "m", "weights": [0.5], "bias": 0, "provenance": [], "bundledRouterWeight": 0.5}"#
        // 0.5 is exact in binary, so the decoded weight is exactly 0.5 on any CPU.
        XCTAssertEqual(try FineTunedRouter.decodeHead(Data(blended.utf8), source: "head.json").blendWeight, 0.5)
        // Through PromptRouter.decode, a damaged head is named as one; a sound head needs its folder.
        XCTAssertThrowsError(try PromptRouter.decode(Data(#"{"format": "steer-router-encoder-head/1", "weights": []}"#.utf8), source: "h")) {
            XCTAssertTrue("\($0)".contains("steer-router-encoder-head/1"), "\($0)")
        }
        XCTAssertThrowsError(try PromptRouter.decode(Data(good.utf8), source: "h")) {
            XCTAssertTrue("\($0)".contains("loads only from its encoder folder"), "\($0)")
        }
    }
    /// A head shipped with adapters instead of a whole encoder: loaded beside the serving encoder's
    /// folder, it routes by that encoder with the adapters added; without that folder, or with
    /// another model's, it refuses to load.
    func testAHeadWithAdaptersRunsTheServingEncoderWithThemAdded() throws {
        let base = steerCache().appendingPathComponent("models/all-MiniLM-L6-v2")
        let plain = try miniLM()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("router-adapters-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: folder) }
        var rng = SeededRandom(seed: 3)
        let layer = "encoder.layer.2.attention.output.dense"
        try SafeTensorsWriter.write([
            SafeTensorsTensor(name: layer + ".lora_a", shape: [2, 384], values: (0..<768).map { _ in rng.nextSigned() * 0.1 }),
            SafeTensorsTensor(name: layer + ".lora_b", shape: [384, 2], values: (0..<768).map { _ in rng.nextSigned() * 0.1 }),
        ], to: folder.appendingPathComponent("adapters.safetensors").path)
        let weights = seededWeights(plain.dimension)
        let head = FineTunedRouter.Head(format: FineTunedRouter.format, base: "all-MiniLM-L6-v2", weights: weights, bias: -0.5,
                                        provenance: ["a test head"], adapters: "adapters.safetensors")
        let headFile = folder.appendingPathComponent(FineTunedRouter.headFile)
        try JSONEncoder().encode(head).write(to: headFile)

        let router = try PromptRouter.load(from: headFile, baseEncoder: base)
        let adapted = try MiniLMEncoder(directory: base, adapters: LowRankAdapters(contentsOf: folder.appendingPathComponent("adapters.safetensors")))
        let unrelated = TokenStates(count: 1, dimension: plain.dimension, values: [Float](repeating: 0, count: plain.dimension),
                                    pooled: [Float](repeating: 0, count: plain.dimension))
        for text in ["no horror tonight", "I want a comedy"] {
            let expected = FineTunedRouter.logit(states: try XCTUnwrap(adapted.tokenStates([text]).first), weights: weights, bias: -0.5)
            let unadapted = FineTunedRouter.logit(states: try XCTUnwrap(plain.tokenStates([text]).first), weights: weights, bias: -0.5)
            XCTAssertGreaterThan(abs(expected - unadapted), 1e-3, "the adapters change the logit")
            XCTAssertEqual(try router.route(states: unrelated, text: text).positiveProbability, 1 / (1 + exp(-expected)), accuracy: 1e-6, text)
        }
        XCTAssertThrowsError(try PromptRouter.load(from: headFile)) { XCTAssertTrue("\($0)".contains("need the base encoder"), "\($0)") }
        XCTAssertThrowsError(try PromptRouter.load(from: headFile, baseEncoder: folder)) {
            XCTAssertTrue("\($0)".contains("trained on all-MiniLM-L6-v2"), "\($0)")
        }
        try Data("not safetensors".utf8).write(to: folder.appendingPathComponent("adapters.safetensors"))
        XCTAssertThrowsError(try PromptRouter.load(from: headFile, baseEncoder: base)) {
            XCTAssertTrue("\($0)".contains("its adapters adapters.safetensors did not load"), "\($0)")
        }
    }
    /// The fine-tuned router bundled with SteerPrompt (`--router fine-tuned`): it loads beside the
    /// serving MiniLM, blends with the bundled router at 0.5, was trained on the bundled router's
    /// own examples (retraining that router means retraining this one), and reads a plain refusal
    /// and a plain request as such. Without the serving encoder's folder it does not load.
    func testTheBundledFineTunedRouter() throws {
        let base = steerCache().appendingPathComponent("models/all-MiniLM-L6-v2")
        let router = try PromptRouter.load(named: PromptRouter.bundledFineTunedName, baseEncoder: base)
        XCTAssertTrue(router.isFineTuned)
        XCTAssertEqual(router.bundledRouterWeight, 0.5)
        XCTAssertEqual(router.encoderName, "all-MiniLM-L6-v2")
        let bundled = try PromptRouter.load()
        XCTAssertTrue(router.provenance.contains { $0.hasPrefix("\(bundled.trainingExamples) examples") }, "\(router.provenance)")
        let decisions = try router.route(texts: ["no horror tonight", "I want a comedy"], encoder: try miniLM())
        XCTAssertEqual(decisions.map(\.polarity), [.negative, .positive])
        XCTAssertThrowsError(try PromptRouter.load(named: PromptRouter.bundledFineTunedName)) {
            XCTAssertTrue("\($0)".contains("need the base encoder"), "\($0)")
        }
    }
}
