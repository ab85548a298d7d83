// The one finite-difference gradient check every kernel, head and plugin test uses.
//
// The forwards run in Float32 on OpenBLAS, whose kernels (and so the last bits of every result)
// depend on the CPU: a loss of O(1) carries rounding noise of about 1e-6 whatever the kernels. A
// check must hold on any CPU with a wide margin, so it keeps that noise far below its bound:
// - a fourth-order central difference, (−L(x+2h) + 8L(x+h) − 8L(x−h) + L(x−2h)) / 12h, whose
//   truncation error is O(h⁴), so large steps are usable and the noise (∝ 1/h) stays small;
// - the step is chosen per entry, never by looking at the analytic value: estimates on a ladder of
//   steps h, 2h, ... 32h are compared, and the pair of neighbours that agree best gives the value
//   (noise makes small steps disagree, curvature or a kink such as ReLU's makes large ones disagree);
// - an entry's error is |numeric − analytic| / max(|numeric|, |analytic|, floor · G), G the largest
//   gradient in the whole check: the loss's noise is the same for every entry, so entries below 1%
//   of G are judged against 1% of G, the finest level a Float32 loss resolves.
// Each check prints its worst error, the bound and the margin (bound / worst).
import Foundation
import SteerNN
import XCTest

/// One finite-difference check, over one or more tensors.
public struct GradientCheck {
    /// What is checked, for messages.
    public let name: String
    /// The largest error allowed for any entry.
    public let bound: Double
    /// Entries below `floor` times the check's largest gradient are judged against that level.
    public let floor: Double

    struct Entry {
        var tensor: String
        var index: Int
        var numeric: Double
        var analytic: Double
    }

    private var entries: [Entry] = []
    /// The largest |gradient| of every tensor compared (all entries, not only the sampled ones).
    private var largestGradient = 0.0

    public init(_ name: String, bound: Double = 2e-2, floor: Double = 1e-2) {
        self.name = name
        self.bound = bound
        self.floor = floor
    }

    /// How many entries were compared.
    public var checked: Int { entries.count }

    /// G: the largest gradient seen, analytic or numeric.
    var scale: Double { entries.reduce(largestGradient) { max($0, abs($1.numeric), abs($1.analytic)) } }

    func error(_ e: Entry, scale: Double) -> Double {
        abs(e.numeric - e.analytic) / max(abs(e.numeric), abs(e.analytic), floor * scale, Double.leastNormalMagnitude)
    }

    /// The worst entry's error and a description of it.
    public var worst: (error: Double, entry: String) {
        let g = scale
        var result = (error: 0.0, entry: "none")
        for e in entries {
            let err = error(e, scale: g)
            if err > result.error || result.entry == "none" {
                result = (err, "\(e.tensor)[\(e.index)]: finite difference \(e.numeric), backward \(e.analytic), check scale \(g)")
            }
        }
        return result
    }

    /// bound / worst: how far the check is from failing (∞ when every entry matched exactly).
    public var margin: Double {
        let w = worst.error
        return w > 0 ? bound / w : .infinity
    }

    /// Compares `grad[i]` with the finite difference of `loss` for the entries `indices` of `value`
    /// (every entry when nil), restoring each value afterwards.
    ///
    /// - Parameters:
    ///   - tensor: the tensor's name, for messages.
    ///   - step: the smallest step of the ladder, scaled by max(1, |x|) per entry and rounded down to a
    ///     power of two (so x ± h and x ± 2h are exact in Float for |x| < 2¹⁶). Lower it for inputs
    ///     close to a kink.
    ///   - loss: a scalar function of the values, best accumulated in Double.
    public mutating func compare(
        _ tensor: String, value: UnsafeMutablePointer<Float>, grad: UnsafePointer<Float>, count: Int, indices: [Int]? = nil,
        step: Float = 1.0 / 256, loss: () throws -> Double
    ) rethrows {
        for i in 0..<count { largestGradient = max(largestGradient, abs(Double(grad[i]))) }
        for i in indices ?? Array(0..<count) {
            let numeric = try Self.derivative(value: value, at: i, step: step, loss: loss)
            entries.append(Entry(tensor: tensor, index: i, numeric: numeric, analytic: Double(grad[i])))
        }
    }

    /// Adds another check's entries (the bound and floor stay this one's).
    public mutating func merge(_ other: GradientCheck) {
        entries += other.entries
        largestGradient = max(largestGradient, other.largestGradient)
    }

    /// Prints the margin and fails the test when an entry's error reaches the bound.
    public func assertPasses(file: StaticString = #filePath, line: UInt = #line) {
        let w = worst
        print(summary)
        XCTAssertGreaterThan(checked, 0, "\(name): no entry was checked", file: file, line: line)
        XCTAssertLessThan(w.error, bound, "\(name): \(w.entry)", file: file, line: line)
    }

    /// One line: entries, worst error, bound and margin.
    public var summary: String {
        let w = worst, m = margin
        let shown = m.isFinite ? String(format: "%.1f×", m) : "∞"
        return "gradcheck \(name): \(checked) entries, worst error \(String(format: "%.2e", w.error)) / bound \(bound): margin \(shown) (\(w.entry))"
    }

    /// The finite difference of `loss` along entry `i`, at the step of the ladder where neighbouring
    /// estimates agree best.
    static func derivative(value: UnsafeMutablePointer<Float>, at i: Int, step: Float, loss: () throws -> Double) rethrows -> Double {
        let x = value[i]
        defer { value[i] = x }
        let h0 = powerOfTwoBelow(step * max(1, abs(x)))
        func fourthOrder(_ h: Float) throws -> Double {
            value[i] = x + 2 * h; let p2 = try loss()
            value[i] = x + h; let p1 = try loss()
            value[i] = x - h; let m1 = try loss()
            value[i] = x - 2 * h; let m2 = try loss()
            return (-p2 + 8 * p1 - 8 * m1 + m2) / (12 * Double(h))
        }
        let ladder = try (0..<6).map { try fourthOrder(h0 * Float(1 << $0)) }
        var best = 0, bestGap = Double.infinity
        for k in 0..<(ladder.count - 1) {
            let gap = abs(ladder[k + 1] - ladder[k])
            if gap < bestGap { (best, bestGap) = (k, gap) }
        }
        // Of the agreeing pair, the larger step carries half the noise of the smaller.
        return ladder[best + 1]
    }

    static func powerOfTwoBelow(_ h: Float) -> Float {
        Float(sign: .plus, exponent: h.exponent, significand: 1)
    }
}

/// Σ x[i]·w[i] in Double: a loss whose gradient with respect to x is exactly w.
public func weightedSum(_ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, count: Int) -> Double {
    var s = 0.0
    for i in 0..<count { s += Double(x[i]) * Double(w[i]) }
    return s
}
