// Shared helpers for SteerNN tests: random buffers, weighted-sum losses and the gradient check.
import Foundation
import SteerNN
import SteerTestSupport
import XCTest

/// A buffer of `n` floats drawn from U(−scale, scale).
func randomBuffer(_ n: Int, _ rng: inout RNG, scale: Float = 1) -> FloatBuffer {
    let b = FloatBuffer(count: n)
    rng.fillUniform(b.ptr, count: n, lo: -scale, hi: scale)
    return b
}

/// Σ out[i]·w[i] in Double: a scalar loss under which every output matters, with ∂L/∂out = w.
func weightedSum(_ out: FloatBuffer, _ w: FloatBuffer) -> Double {
    var s: Double = 0
    for i in 0..<out.count { s += Double(out.ptr[i]) * Double(w.ptr[i]) }
    return s
}

/// Compares `analytic` with finite differences of `loss` with respect to every element of `x`
/// (the shared ``GradientCheck``: a step chosen per entry, the margin printed).
func checkGradient(
    _ name: String, _ x: FloatBuffer, _ analytic: FloatBuffer, eps: Float = 1.0 / 256,
    file: StaticString = #filePath, line: UInt = #line, loss: () -> Double
) {
    XCTAssertEqual(x.count, analytic.count, "\(name): gradient size", file: file, line: line)
    var check = GradientCheck(name)
    check.compare(name, value: x.ptr, grad: UnsafePointer(analytic.ptr), count: x.count, step: eps, loss: loss)
    check.assertPasses(file: file, line: line)
    let largest = (0..<analytic.count).map { abs(analytic.ptr[$0]) }.max() ?? 0
    XCTAssertGreaterThan(largest, 0, "\(name): gradient is identically zero; the check proves nothing", file: file, line: line)
}

/// Asserts two float arrays agree elementwise within `tolerance` (absolute, scaled by max(1, |expected|)).
func assertClose(_ actual: [Float], _ expected: [Float], tolerance: Float = 1e-5, _ message: String = "",
                 file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(actual.count, expected.count, message, file: file, line: line)
    for i in 0..<min(actual.count, expected.count) {
        let tol = tolerance * max(1, abs(expected[i]))
        if abs(actual[i] - expected[i]) > tol {
            XCTFail("\(message) [\(i)]: \(actual[i]) vs \(expected[i])", file: file, line: line)
            return
        }
    }
}
