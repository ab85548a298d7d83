// Shared helpers for SteerNN tests: random buffers, weighted-sum losses and finite-difference checks.
import Foundation
import SteerNN
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

/// Compares `analytic` with central differences of `loss` with respect to every element of `x`.
///
/// The error is measured on the whole tensor, ‖a − n‖ / max(‖a‖, ‖n‖), so tiny entries with
/// large relative noise in Float do not dominate.
func checkGradient(
    _ name: String, _ x: FloatBuffer, _ analytic: FloatBuffer, eps: Float = 1e-2, tolerance: Double = 2e-3,
    file: StaticString = #filePath, line: UInt = #line, loss: () -> Double
) {
    XCTAssertEqual(x.count, analytic.count, "\(name): gradient size", file: file, line: line)
    var diff: Double = 0, na: Double = 0, nn: Double = 0
    for i in 0..<x.count {
        let original = x.ptr[i]
        let up = original + eps, down = original - eps
        x.ptr[i] = up
        let lp = loss()
        x.ptr[i] = down
        let lm = loss()
        x.ptr[i] = original
        let numeric = (lp - lm) / (Double(up) - Double(down))
        let a = Double(analytic.ptr[i])
        diff += (a - numeric) * (a - numeric)
        na += a * a
        nn += numeric * numeric
    }
    let rel = diff.squareRoot() / max(na.squareRoot(), nn.squareRoot(), 1e-12)
    if ProcessInfo.processInfo.environment["STEER_NN_GRADLOG"] != nil { print("gradcheck \(name): \(rel)") }
    XCTAssertLessThan(rel, tolerance, "\(name): relative gradient error \(rel) (|analytic| \(na.squareRoot()), |numeric| \(nn.squareRoot()))", file: file, line: line)
    XCTAssertGreaterThan(max(na, nn), 0, "\(name): gradient is identically zero; the check proves nothing", file: file, line: line)
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
