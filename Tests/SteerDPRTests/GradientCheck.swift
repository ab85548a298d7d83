// Finite-difference gradient checking shared by the SteerDPR tests.
import SteerNN
import SteerTestSupport
import XCTest

/// Compares `grad` with finite differences of `loss` for up to `samples` entries of `value` (every
/// entry when fewer), through the shared ``GradientCheck``; merge the results of a test's tensors and
/// end with ``assertGradients(_:_:)``.
func gradCheck(
    _ name: String = "input", value: UnsafeMutablePointer<Float>, grad: UnsafePointer<Float>, count: Int, samples: Int = 24, eps: Float = 1.0 / 256,
    rng: inout RNG, loss: () -> Double
) -> GradientCheck {
    var check = GradientCheck("")
    let indices: [Int] = count <= samples ? Array(0..<count) : (0..<samples).map { _ in rng.below(count) }
    check.compare(name, value: value, grad: grad, count: count, indices: indices, step: eps, loss: loss)
    return check
}

/// Σ x[i]·r[i] in double: a loss whose gradient with respect to x is exactly r.
func dotLoss(_ x: UnsafePointer<Float>, _ r: UnsafePointer<Float>, count: Int) -> Double {
    var s = 0.0
    for i in 0..<count { s += Double(x[i]) * Double(r[i]) }
    return s
}

/// A buffer of N(0, std²) values.
func randomBuffer(_ count: Int, std: Float = 1, rng: inout RNG) -> FloatBuffer {
    let b = FloatBuffer(count: count)
    rng.fillNormal(b.ptr, count: count, std: std)
    return b
}

/// Prints the margin and fails when an entry's error reaches the shared bound.
func assertGradients(_ r: GradientCheck, _ what: String, file: StaticString = #filePath, line: UInt = #line) {
    var named = GradientCheck(what)
    named.merge(r)
    named.assertPasses(file: file, line: line)
}
