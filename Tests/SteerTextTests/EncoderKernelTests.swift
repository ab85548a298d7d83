// The encoder's two kernel sets (OpenBLAS + Swift, and CSteerKernels' AVX-512) against double-
// precision references, over the shapes they must handle: 1 to 40 rows (one or several tiles,
// tiles of unequal rows), partial last blocks and vectors, column-block ranges as the threaded
// split hands them out. On a CPU without AVX-512F only the OpenBLAS set is checked.
import CSteerKernels
import Foundation
import SteerNN
import XCTest
@testable import SteerText

final class EncoderKernelTests: XCTestCase {
    private var kernels: [EncoderKernel] {
        if EncoderKernel.isAvailable(.avx512) { return [.openBLAS, .avx512] }
        print("EncoderKernelTests: this CPU has no AVX-512F; only the OpenBLAS kernels are checked")
        return [.openBLAS]
    }

    /// y = x · Wᵀ + b in Double from PyTorch's [out, in] layout: the reference both kernels approach.
    private func reference(_ x: [Float], rows: Int, _ w: [Float], _ b: [Float], inFeatures k: Int, outFeatures o: Int) -> [Double] {
        var y = [Double](repeating: 0, count: rows * o)
        for r in 0..<rows {
            for j in 0..<o {
                var sum = Double(b[j])
                for p in 0..<k { sum += Double(x[r * k + p]) * Double(w[j * k + p]) }
                y[r * o + j] = sum
            }
        }
        return y
    }

    private func run(_ kernel: EncoderKernel, _ layer: Linear, _ x: [Float], rows: Int, threads: Int = 1, gelu: Bool = false) -> [Float] {
        var y = [Float](repeating: .nan, count: rows * layer.outFeatures)
        x.withUnsafeBufferPointer { xp in
            y.withUnsafeMutableBufferPointer { yp in
                Kernels.linear(yp.baseAddress!, xp.baseAddress!, rows: rows, layer, threads: threads, gelu: gelu, kernel: kernel)
            }
        }
        return y
    }

    func testBothKernelsMatchTheReferenceOnEveryShape() throws {
        var rng = SystemRandomNumberGenerator()
        let kernels = kernels
        for (k, o) in [(3, 1), (7, 17), (16, 32), (33, 40), (64, 96), (384, 1152), (129, 63)] {
            let w = (0..<(o * k)).map { _ in Float.random(in: -1...1, using: &rng) }
            let b = (0..<o).map { _ in Float.random(in: -1...1, using: &rng) }
            let layer = Linear(weight: w, bias: b, inFeatures: k, outFeatures: o)
            for rows in [1, 2, 5, 11, 12, 13, 14, 24, 25, 40] {
                let x = (0..<(rows * k)).map { _ in Float.random(in: -1...1, using: &rng) }
                let expected = reference(x, rows: rows, w, b, inFeatures: k, outFeatures: o)
                // fp32 sums of k products of magnitude ≤ 1: rounding grows like √k · 2⁻²⁴ · k.
                let tolerance = 1e-5 * Double(k).squareRoot() * 4
                for kernel in kernels {
                    for threads in [1, 3] {
                        let got = run(kernel, layer, x, rows: rows, threads: threads)
                        let worst = zip(got, expected).map { abs(Double($0) - $1) }.max() ?? 0
                        XCTAssertLessThanOrEqual(worst, tolerance, "\(kernel) rows \(rows) in \(k) out \(o) threads \(threads)")
                    }
                    // GELU fused (AVX-512) or applied after (OpenBLAS): erf approximated to 1.5e-7.
                    let activated = run(kernel, layer, x, rows: rows, gelu: true)
                    let worstGELU = zip(activated, expected).map { abs(Double($0) - 0.5 * $1 * (1 + erf($1 / 2.0.squareRoot()))) }.max() ?? 0
                    XCTAssertLessThanOrEqual(worstGELU, tolerance + 1e-6, "\(kernel) GELU rows \(rows) in \(k) out \(o)")
                }
            }
        }
    }

    func testTheKernelWritesOnlyItsColumnsWithinTheBlockRange() throws {
        try XCTSkipUnless(EncoderKernel.isAvailable(.avx512), "this CPU has no AVX-512F")
        let (k, o, rows) = (8, 70, 3)   // blocks of 32, 32 and 6 columns
        let w = (0..<(o * k)).map { Float($0 % 7) - 3 }
        let layer = Linear(weight: w, bias: [Float](repeating: 1, count: o), inFeatures: k, outFeatures: o)
        let x = (0..<(rows * k)).map { Float($0 % 5) - 2 }
        var y = [Float](repeating: .nan, count: rows * o)
        x.withUnsafeBufferPointer { xp in
            y.withUnsafeMutableBufferPointer { yp in
                steer_block_linear(xp.baseAddress!, rows, k, layer.blocks.ptr, layer.bias.ptr, o, 1, 2, yp.baseAddress!, 0)
            }
        }
        for r in 0..<rows {
            for j in 0..<o {
                XCTAssertEqual(y[r * o + j].isNaN, !(32..<64).contains(j), "row \(r) column \(j)")
            }
        }
    }

    func testLayerNormMatchesTheReference() throws {
        var rng = SystemRandomNumberGenerator()
        for channels in [384, 20, 7] {
            let rows = 5
            let x = (0..<(rows * channels)).map { _ in Float.random(in: -3...3, using: &rng) }
            let residual = (0..<(rows * channels)).map { _ in Float.random(in: -3...3, using: &rng) }
            let gamma = (0..<channels).map { _ in Float.random(in: 0.5...1.5, using: &rng) }
            let beta = (0..<channels).map { _ in Float.random(in: -1...1, using: &rng) }
            let norm = Norm(gamma: FloatBuffer(gamma), beta: FloatBuffer(beta))
            for withResidual in [false, true] {
                var expected = [Double](repeating: 0, count: rows * channels)
                for r in 0..<rows {
                    let v = (0..<channels).map { Double(x[r * channels + $0]) + (withResidual ? Double(residual[r * channels + $0]) : 0) }
                    let mean = v.reduce(0, +) / Double(channels)
                    let variance = v.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(channels)
                    for i in 0..<channels {
                        expected[r * channels + i] = (v[i] - mean) / (variance + 1e-12).squareRoot() * Double(gamma[i]) + Double(beta[i])
                    }
                }
                for kernel in kernels {
                    var got = x
                    got.withUnsafeMutableBufferPointer { g in
                        residual.withUnsafeBufferPointer { res in
                            Kernels.residualLayerNorm(g.baseAddress!, withResidual ? res.baseAddress! : nil, rows: rows, channels: channels,
                                                      norm, eps: 1e-12, kernel: kernel)
                        }
                    }
                    let worst = zip(got, expected).map { abs(Double($0) - $1) }.max() ?? 0
                    XCTAssertLessThanOrEqual(worst, 1e-5, "\(kernel) channels \(channels) residual \(withResidual)")
                }
            }
        }
    }

    func testAttentionMatchesTheReference() throws {
        var rng = SystemRandomNumberGenerator()
        for (channels, heads) in [(384, 12), (768, 12), (40, 2)] {
            let d = channels / heads
            for length in [1, 2, 11, 16, 17, 40] {
                let qkv = (0..<(length * 3 * channels)).map { _ in Float.random(in: -2...2, using: &rng) }
                var expected = [Double](repeating: 0, count: length * channels)
                let at = { (row: Int, part: Int, e: Int) -> Double in Double(qkv[row * 3 * channels + part * channels + e]) }
                for h in 0..<heads {
                    for i in 0..<length {
                        var scores = [Double](repeating: 0, count: length)
                        for j in 0..<length {
                            var dot = 0.0
                            for e in 0..<d { dot += at(i, 0, h * d + e) * at(j, 1, h * d + e) }
                            scores[j] = dot / Double(d).squareRoot()
                        }
                        let top = scores.max()!
                        let weights = scores.map { exp($0 - top) }
                        let total = weights.reduce(0, +)
                        for e in 0..<d {
                            var sum = 0.0
                            for j in 0..<length { sum += weights[j] / total * at(j, 2, h * d + e) }
                            expected[i * channels + h * d + e] = sum
                        }
                    }
                }
                for kernel in kernels {
                    var ctx = [Float](repeating: .nan, count: length * channels)
                    var scratch = [Float](repeating: 0, count: Kernels.attentionScratch(length: length, channels: channels, heads: heads))
                    qkv.withUnsafeBufferPointer { q in
                        ctx.withUnsafeMutableBufferPointer { c in
                            scratch.withUnsafeMutableBufferPointer { s in
                                Kernels.attention(ctx: c.baseAddress!, qkv: q.baseAddress!, length: length, channels: channels, heads: heads,
                                                  scores: s.baseAddress!, bias: nil, kernel: kernel)
                            }
                        }
                    }
                    let worst = zip(ctx, expected).map { abs(Double($0) - $1) }.max() ?? .nan
                    XCTAssertLessThanOrEqual(worst, 2e-5, "\(kernel) channels \(channels) heads \(heads) length \(length)")
                }
            }
        }
    }
}
