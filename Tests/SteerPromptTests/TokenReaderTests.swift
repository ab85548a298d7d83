// The router's token reader: the convolution against a direct sum, its gradient against finite
// differences, what training it buys (word order), and its weights in the model file.
import Foundation
import XCTest
@testable import SteerPrompt
import SteerRandom
import SteerText

final class TokenReaderTests: XCTestCase {
    private static func randomStates(tokens: Int, dimension: Int, seed: UInt64) -> [Float] {
        var rng = SeededRandom(seed: seed)
        return (0..<(tokens * dimension)).map { _ in rng.nextSigned() }
    }

    /// max_t relu(bias + Σ_k kernel[f, k] · x[t + k − 1]) written out, positions outside the prompt zero.
    private static func directPool(_ c: TokenConvolution, _ x: [Float], tokens: Int) -> [Float] {
        let d = c.dimension, w = TokenConvolution.width
        return (0..<c.filters).map { f in
            var best: Float = 0
            for t in 0..<tokens {
                var r = c.bias[f]
                for k in 0..<w where t + k - 1 >= 0 && t + k - 1 < tokens {
                    for i in 0..<d { r += c.kernel[f * w * d + k * d + i] * x[(t + k - 1) * d + i] }
                }
                best = max(best, r)
            }
            return best
        }
    }

    func testPoolMatchesTheDirectSum() {
        let c = TokenConvolution(dimension: 7, filters: 5, seed: 3)
        for tokens in [0, 1, 2, 6] {
            let x = Self.randomStates(tokens: tokens, dimension: 7, seed: UInt64(tokens))
            let pooled = x.withUnsafeBufferPointer { c.pool($0, tokens: tokens) }
            let direct = Self.directPool(c, x, tokens: tokens)
            for f in 0..<5 { XCTAssertEqual(pooled.values[f], direct[f], accuracy: 1e-5, "tokens \(tokens), filter \(f)") }
            if tokens == 0 { XCTAssertEqual(pooled.positions, [Int](repeating: -1, count: 5)) }
        }
    }

    /// Every kernel, bias and output weight's analytic gradient against a central difference of
    /// the logit, in Double arithmetic through the direct sum (so Float rounding cannot mask a
    /// wrong index). Tolerance 1e-3 relative to the gradient's scale.
    func testGradientMatchesFiniteDifferences() {
        for tokens in [1, 2, 5] {
            let c = TokenConvolution(dimension: 4, filters: 3, seed: 11 + UInt64(tokens))
            let x = Self.randomStates(tokens: tokens, dimension: 4, seed: 5 + UInt64(tokens))
            var gKernel = [Float](repeating: 0, count: c.kernel.count), gBias = [Float](repeating: 0, count: 3), gOutput = gBias
            x.withUnsafeBufferPointer { states in
                let pooled = c.pool(states, tokens: tokens)
                c.accumulateGradient(dLogit: 1, states: states, tokens: tokens, pooled: pooled,
                                     kernelGradient: &gKernel, biasGradient: &gBias, outputGradient: &gOutput)
            }
            func logit(_ m: TokenConvolution) -> Double {
                zip(m.output, Self.directPool(m, x, tokens: tokens)).reduce(0) { $0 + Double($1.0) * Double($1.1) }
            }
            let h: Float = 1e-2
            func check(_ analytic: [Float], _ path: WritableKeyPath<TokenConvolution, [Float]>, _ name: String) {
                for i in analytic.indices {
                    var plus = c, minus = c
                    plus[keyPath: path][i] += h
                    minus[keyPath: path][i] -= h
                    let numeric = (logit(plus) - logit(minus)) / Double(2 * h)
                    XCTAssertEqual(Double(analytic[i]), numeric, accuracy: 1e-3 * max(1, abs(numeric)), "\(name)[\(i)], \(tokens) tokens")
                }
            }
            check(gKernel, \.kernel, "kernel")
            check(gBias, \.bias, "bias")
            check(gOutput, \.output, "output")
            XCTAssertTrue(gKernel.contains { $0 != 0 }, "some filter must be active, or the test checks nothing")
        }
    }

    /// Two prompts with the same tokens in opposite orders have the same mean, so no function of
    /// the pooled row tells them apart; the token reader learns the order.
    func testTheReaderLearnsWordOrderThePooledRowCannotSee() {
        let d = 6
        var rng = SeededRandom(seed: 21)
        var rows: [[Float]] = [], states: [(values: [Float], tokens: Int)] = [], labels: [Bool] = []
        for n in 0..<120 {
            let a = (0..<d).map { _ in rng.nextSigned() }, b = (0..<d).map { _ in rng.nextSigned() }
            // "not" then the topic is negative; the topic then "not" ("not bad") positive.
            let marker: [Float] = [1, 1, 1, 0, 0, 0]
            let positive = n % 2 == 0
            let tokens = positive ? [a, b, marker] : [marker, a, b]
            let mean = (0..<d).map { i in tokens.reduce(0) { $0 + $1[i] } / 3 }
            rows.append(mean)
            states.append((tokens.flatMap { $0 }, 3))
            labels.append(positive)
        }
        var settings = TokenReaderSettings()
        settings.epochs = 60
        settings.batchSize = 16
        settings.learningRate = 1e-2
        settings.filters = 16
        settings.dropout = 0
        let reader = TokenReader.fit(rows: rows, states: states, labels: labels, embeddingWidth: d, dimension: d,
                                     settings: settings, seed: 4)
        let right = rows.indices.filter { (reader.logit(row: rows[$0], states: states[$0].values, tokens: 3) > 0) == labels[$0] }
        XCTAssertGreaterThanOrEqual(right.count, 114, "\(right.count)/120")
        let again = TokenReader.fit(rows: rows, states: states, labels: labels, embeddingWidth: d, dimension: d, settings: settings, seed: 4)
        XCTAssertEqual(reader, again, "training is deterministic for a seed")
    }

    /// The kernel's layout in the file, byte by byte: float32 little-endian, then base64.
    func testKernelEncodingByteByByte() {
        // 1.0 = 00 00 80 3F, -2.5 = 00 00 20 C0.
        XCTAssertEqual(RouterModel.base64([1, -2.5]), "AACAPwAAIMA=")
        XCTAssertEqual(RouterModel.floats(base64: "AACAPwAAIMA="), [1, -2.5])
        XCTAssertEqual(RouterModel.floats(base64: ""), [])
        XCTAssertNil(RouterModel.floats(base64: "AACAPwAAIA=="), "7 bytes are not whole floats")
        XCTAssertNil(RouterModel.floats(base64: "AACAPw AAIMA="), "not base64")
    }

    /// The file keeps the reader exactly (base64 float32), and a damaged reader is refused by name.
    func testModelFileKeepsTheReaderAndRefusesADamagedOne() throws {
        let bundled = try PromptRouter.load()
        XCTAssertTrue(bundled.readsTokens)
        let reader = try XCTUnwrap(try XCTUnwrap(bundled.model).readers(source: "test").first)
        let stored = try XCTUnwrap(bundled.model?.tokenReaders?.first)
        XCTAssertEqual(RouterModel.floats(base64: RouterModel.base64(reader.convolution.kernel)), reader.convolution.kernel)
        XCTAssertEqual(RouterModel.weights(of: reader, settings: stored.settings), stored)

        func refused(_ damage: (inout RouterModel) -> Void, mentioning words: String) throws {
            var model = try XCTUnwrap(bundled.model)
            damage(&model)
            let data = try model.encoded()
            XCTAssertThrowsError(try PromptRouter.decode(data, source: "damaged.json")) { error in
                XCTAssertTrue("\(error)".contains(words), "\(error)")
            }
        }
        try refused({ $0.tokenReaders![0].convolutionKernel = "not base64!" }, mentioning: "kernel")
        try refused({ $0.tokenReaders![0].convolutionKernel = RouterModel.base64([1, 2, 3]) }, mentioning: "kernel")
        try refused({ $0.tokenReaders![0].convolutionOutput.removeLast() }, mentioning: "filters")
        try refused({ $0.tokenReaders![0].width = 5 }, mentioning: "width")
        var poisoned = reader.convolution.kernel
        poisoned[0] = .nan
        try refused({ $0.tokenReaders![0].convolutionKernel = RouterModel.base64(poisoned) }, mentioning: "NaN")
        try refused({ $0.format = RouterModel.linearFormat }, mentioning: "format")
        // Finite weights whose products overflow to +∞ and −∞ give no answer: refused, not a NaN confidence.
        var overflowing = try XCTUnwrap(bundled.model)
        overflowing.tokenReaders![0].weights = overflowing.tokenReaders![0].weights.indices.map { $0 % 2 == 0 ? 3e38 : -3e38 }
        let states = TokenStates(count: 1, dimension: 384, values: [Float](repeating: 1, count: 384), pooled: [Float](repeating: 10, count: 384))
        XCTAssertThrowsError(try PromptRouter(model: overflowing).route(states: states, text: "a comedy")) { error in
            XCTAssertEqual((error as? PromptError)?.code, .malformedModel, "\(error)")
        }
        try refused({ $0.tokenReaders = [] }, mentioning: "at least one reader")
        try refused({ $0.tokenReader = $0.tokenReaders![0] }, mentioning: "single reader")
        // A regression-only file of the first format still loads and routes without readers.
        var linear = try XCTUnwrap(bundled.model)
        linear.format = RouterModel.linearFormat
        linear.tokenReaders = nil
        XCTAssertFalse(try PromptRouter.decode(linear.encoded(), source: "linear.json").readsTokens)
        try refused({ $0.format = RouterModel.oneReaderFormat }, mentioning: "format")
    }

    /// A second-format file (one reader in `tokenReader`) still loads, and routes as a third-format
    /// file holding that reader alone: the mean of one logit is that logit.
    func testAOneReaderFileRoutesAsItsReaderAlone() throws {
        var one = try XCTUnwrap(PromptRouter.load().model)
        let first = try XCTUnwrap(one.tokenReaders?.first)
        one.tokenReaders = [first]
        var second = one
        second.format = RouterModel.oneReaderFormat
        second.tokenReaders = nil
        second.tokenReader = first
        let (a, b) = (try PromptRouter.decode(one.encoded(), source: "3"), try PromptRouter.decode(second.encoded(), source: "2"))
        XCTAssertTrue(b.readsTokens)
        var rng = SeededRandom(seed: 3)
        for tokens in [1, 4, 9] {
            let values = (0..<(tokens * 384)).map { _ in rng.nextSigned() }
            let states = TokenStates(count: tokens, dimension: 384, values: values, pooled: (0..<384).map { _ in rng.nextSigned() / 2 })
            // Bit identity is the contract: the same reader, the same arithmetic.
            XCTAssertEqual(try a.route(states: states, text: "no horror tonight"), try b.route(states: states, text: "no horror tonight"))
        }
    }
}
