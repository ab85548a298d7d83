// Finite-difference gradient checking shared by the SteerDPR tests.
import SteerNN
import XCTest

/// Result of comparing analytic gradients with central differences.
struct GradCheckResult {
    var maxAbs: Double = 0
    var maxRel: Double = 0
    var checked = 0
    /// The worst pair (numeric, analytic), for diagnosis.
    var worst: (numeric: Double, analytic: Double) = (0, 0)

    mutating func merge(_ o: GradCheckResult) {
        if o.maxRel > maxRel { worst = o.worst }
        maxAbs = max(maxAbs, o.maxAbs); maxRel = max(maxRel, o.maxRel); checked += o.checked
    }
}

/// Compares `grad[i]` with `(loss(x + ε e_i) − loss(x − ε e_i)) / 2ε` for up to `samples` indices of
/// `value` (all when fewer), restoring every value.
///
/// Float32 forwards put noise of about 1e-4 on a numeric gradient at ε = 5e-3 (the loss is O(1), its
/// last bits move by ~1e-6), so an entry that misses the tolerance is re-measured at 4ε, where the
/// noise is four times smaller and the O(ε²) truncation still negligible; the better of the two
/// counts. A wrong analytic gradient disagrees at both step sizes. Relative error uses a floor of
/// 1e-3 on the scale |numeric| + |analytic|.
func gradCheck(
    value: UnsafeMutablePointer<Float>, grad: UnsafePointer<Float>, count: Int, samples: Int = 24, eps: Float = 5e-3,
    tolerance: Double = 2e-2, rng: inout RNG, loss: () -> Double
) -> GradCheckResult {
    var result = GradCheckResult()
    let indices: [Int] = count <= samples ? Array(0..<count) : (0..<samples).map { _ in rng.below(count) }
    func numeric(_ i: Int, _ h: Float) -> Double {
        let x = value[i]
        value[i] = x + h
        let lp = loss()
        value[i] = x - h
        let lm = loss()
        value[i] = x
        return (lp - lm) / Double(2 * h)
    }
    for i in indices {
        let ana = Double(grad[i])
        func errors(_ num: Double) -> (abs: Double, rel: Double) {
            let a = Swift.abs(num - ana)
            return (a, a / max(1e-3, Swift.abs(num) + Swift.abs(ana)))
        }
        var num = numeric(i, eps)
        var (abs, rel) = errors(num)
        if rel >= tolerance {
            let wide = numeric(i, 4 * eps)
            let e = errors(wide)
            if e.rel < rel { (num, abs, rel) = (wide, e.abs, e.rel) }
        }
        if rel > result.maxRel { result.worst = (num, ana) }
        result.maxAbs = max(result.maxAbs, abs)
        result.maxRel = max(result.maxRel, rel)
        result.checked += 1
    }
    return result
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

/// Prints the result and fails when the relative error exceeds `tolerance`.
func assertGradients(_ r: GradCheckResult, _ what: String, tolerance: Double = 2e-2, file: StaticString = #filePath, line: UInt = #line) {
    print("gradcheck \(what): \(r.checked) entries, max abs err \(r.maxAbs), max rel err \(r.maxRel) (worst numeric \(r.worst.numeric) vs analytic \(r.worst.analytic))")
    XCTAssertGreaterThan(r.checked, 0, what, file: file, line: line)
    XCTAssertLessThan(r.maxRel, tolerance, "\(what): max relative error \(r.maxRel)", file: file, line: line)
}
