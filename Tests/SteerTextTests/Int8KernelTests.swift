// The int8 linear layer against an exact bound: with activation steps Δx per row and range of 128
// inputs and weight steps Δw_j per column (after the input scales move range from activations to
// weights), every output is within Σ_k (|x'_k|·Δw_j/2 + |w'_kj|·Δx/2 + Δx·Δw_j/4) of the exact
// product, whatever the data. Shapes: inputs not a multiple of 4, partial column blocks, 1 to 40 rows. And the int8
// encoder end to end: cosine to the PyTorch fp32 reference at least 0.995.
import Foundation
import SteerNN
import SteerTestSupport
import XCTest
@testable import SteerText

final class Int8KernelTests: XCTestCase {
    override func setUpWithError() throws {
        try XCTSkipUnless(EncoderKernel.isAvailable(.int8), "this CPU has no AVX-512 VNNI; the int8 path is not offered here")
    }

    func testOutputsStayWithinTheQuantizationBound() throws {
        var rng = SystemRandomNumberGenerator()
        for (k, o) in [(7, 17), (33, 40), (384, 96), (129, 63), (1536, 40)] {
            let w = (0..<(o * k)).map { _ in Float.random(in: -1...1, using: &rng) }
            let b = (0..<o).map { _ in Float.random(in: -1...1, using: &rng) }
            // One channel ten times larger than the rest, as a layer norm's outlier channel.
            let maxima = (0..<k).map { $0 == 3 ? Float(10) : 1 }
            let layer = Linear(weight: w, bias: b, inFeatures: k, outFeatures: o).quantized(inputMaxima: maxima)
            let int8 = try XCTUnwrap(layer.int8)
            for rows in [1, 5, 14, 15, 40] {
                let x = (0..<(rows * k)).map { i in Float.random(in: -1...1, using: &rng) * maxima[i % k] }
                for gelu in [false, true] {
                    var y = [Float](repeating: .nan, count: rows * o)
                    x.withUnsafeBufferPointer { xp in
                        y.withUnsafeMutableBufferPointer { yp in
                            Kernels.linear(yp.baseAddress!, xp.baseAddress!, rows: rows, layer, threads: 2, gelu: gelu, kernel: .int8)
                        }
                    }
                    for r in 0..<rows {
                        let xs = (0..<k).map { Double(x[r * k + $0]) / Double(int8.inputScales.ptr[$0]) }
                        // Each range of 128 inputs has its own step.
                        let steps = (0..<int8.ranges).map { g -> Double in
                            let part = xs[(g * 128)..<min(k, (g + 1) * 128)]
                            return (max(part.max()!, 0) - min(part.min()!, 0)) / 255
                        }
                        for j in 0..<o {
                            var exact = Double(b[j]), bound = 0.0
                            let weightStep = Double(int8.scales.ptr[j])
                            for p in 0..<k {
                                let wp = Double(w[j * k + p]) * Double(int8.inputScales.ptr[p])
                                exact += xs[p] * wp
                                let step = steps[p / 128]
                                bound += abs(xs[p]) * weightStep / 2 + abs(wp) * step / 2 + step * weightStep / 4
                            }
                            var expected = exact
                            if gelu {
                                expected = 0.5 * exact * (1 + erf(exact / 2.0.squareRoot()))
                                bound *= 1.13   // |GELU'| ≤ 1.13
                            }
                            let error = abs(Double(y[r * o + j]) - expected)
                            XCTAssertLessThanOrEqual(error, bound + 1e-4 * (1 + abs(expected)),
                                                     "in \(k) out \(o) rows \(rows) row \(r) column \(j) gelu \(gelu)")
                        }
                    }
                }
            }
        }
    }

    func testInt8MiniLMStaysCloseToTheReference() throws {
        guard let folder = modelFolder("all-MiniLM-L6-v2") else { return XCTFail("all-MiniLM-L6-v2 not found") }
        let encoder = try MiniLMEncoder(directory: folder, threads: 1, kernel: .int8)
        XCTAssertEqual(encoder.precision, .int8, "the CPU has VNNI (checked in setUp), so int8 runs")
        let cases = try loadReference("minilm_reference.json").cases
        var worst = 1.0
        for (c, got) in zip(cases, try encoder.embed(cases.map(\.text))) {
            var dot = 0.0, a = 0.0, b = 0.0
            for (x, y) in zip(got.map(Double.init), c.embedding) { dot += x * y; a += x * x; b += y * y }
            worst = min(worst, dot / (a.squareRoot() * b.squareRoot()))
        }
        print("int8 MiniLM over \(cases.count) cases: worst cosine to the fp32 reference \(worst)")
        XCTAssertGreaterThanOrEqual(worst, 0.995)
    }
}
