// The shared gradient check itself: it passes a right gradient with a wide margin in Float32 and
// catches a wrong one, even one entry a few percent off.
import Foundation
import SteerNN
import SteerTestSupport
import XCTest

final class GradientCheckTests: XCTestCase {
    /// L = Σ w_i · tanh(x_i) + ½ (Σ x_i)², evaluated in Float32 like every kernel (so it carries
    /// the same kind of rounding noise), with its exact gradient.
    private func setUp(count: Int) -> (x: FloatBuffer, w: FloatBuffer, grad: FloatBuffer, loss: () -> Double) {
        var rng = RNG(seed: 77)
        let x = randomBuffer(count, &rng, scale: 2), w = randomBuffer(count, &rng)
        let loss = { () -> Double in
            var s: Float = 0, t: Float = 0
            for i in 0..<count { s += w.ptr[i] * tanhf(x.ptr[i]); t += x.ptr[i] }
            return Double(s + 0.5 * t * t)
        }
        let grad = FloatBuffer(count: count)
        var t: Float = 0
        for i in 0..<count { t += x.ptr[i] }
        for i in 0..<count {
            let th = tanhf(x.ptr[i])
            grad.ptr[i] = w.ptr[i] * (1 - th * th) + t
        }
        return (x, w, grad, loss)
    }

    func testARightGradientPassesWithAWideMargin() {
        let (x, _, grad, loss) = setUp(count: 40)
        var check = GradientCheck("tanh and square")
        check.compare("x", value: x.ptr, grad: UnsafePointer(grad.ptr), count: x.count, loss: loss)
        check.assertPasses()
        XCTAssertGreaterThan(check.margin, 5, check.summary)
    }

    func testOneEntryAFewPercentOffFails() {
        let (x, _, grad, loss) = setUp(count: 40)
        grad.ptr[17] *= 1.05
        var check = GradientCheck("one entry 5% off")
        check.compare("x", value: x.ptr, grad: UnsafePointer(grad.ptr), count: x.count, loss: loss)
        print(check.summary)
        XCTAssertGreaterThan(check.worst.error, check.bound, check.summary)
        XCTAssertTrue(check.worst.entry.hasPrefix("x[17]"), check.worst.entry)
    }

    func testAWrongSignFails() {
        let (x, _, grad, loss) = setUp(count: 8)
        for i in 0..<8 { grad.ptr[i] = -grad.ptr[i] }
        var check = GradientCheck("sign flipped")
        check.compare("x", value: x.ptr, grad: UnsafePointer(grad.ptr), count: x.count, loss: loss)
        XCTAssertGreaterThan(check.worst.error, 0.5, check.summary)
    }

    /// Next to a kink (ReLU at 0) the ladder keeps the small steps that do not cross it.
    func testTheStepAdaptsNearAKink() {
        let x = FloatBuffer(count: 3), grad = FloatBuffer(count: 3)
        x.ptr[0] = 0.01; x.ptr[1] = -0.02; x.ptr[2] = 0.5
        for i in 0..<3 { grad.ptr[i] = x.ptr[i] > 0 ? 1 : 0 }
        var check = GradientCheck("relu near 0")
        check.compare("x", value: x.ptr, grad: UnsafePointer(grad.ptr), count: 3, step: 1.0 / 1024) {
            (0..<3).reduce(0.0) { $0 + Double(max(0, x.ptr[$1])) }
        }
        check.assertPasses()
    }
}
