// Pointwise activations GELU (exact erf or tanh approximation) and ReLU, forward and backward.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Which GELU formula to use; RecBole's SASRec uses the exact erf form, GPT-2 the tanh one.
public enum GELUKind: Sendable {
    /// x · Φ(x) = 0.5 · x · (1 + erf(x / √2)).
    case exact
    /// 0.5 · x · (1 + tanh(√(2/π) · (x + 0.044715 x³))).
    case tanh
}

private let invSqrt2: Float = 0.70710678118654752
private let invSqrt2Pi: Float = 0.39894228040143268
private let sqrt2OverPi: Float = 0.79788456080286536

/// `out[i] = gelu(inp[i])` over `count` floats; `out` may alias `inp`.
public func geluForward(out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, count n: Int, kind: GELUKind = .exact) {
    switch kind {
    case .exact:
        // out[i] = 0.5 * x * (1 + erf(x / sqrt2)), sixteen lanes at a time (libm's erff is scalar)
        var i = 0
        while i + 16 <= n {
            let x = UnsafeRawPointer(inp + i).loadUnaligned(as: F16.self)
            UnsafeMutableRawPointer(out + i).storeBytes(of: 0.5 * x * (1 + fastErf(x * invSqrt2).erf), as: F16.self)
            i += 16
        }
        while i < n { let x = inp[i]; out[i] = 0.5 * x * (1 + fastErf(F16(repeating: x * invSqrt2)).erf[0]); i += 1 }
    case .tanh:
        // out[i] = 0.5 * x * (1 + tanh(sqrt(2/pi) * (x + 0.044715 x^3)))
        for i in 0..<n {
            let x = inp[i]
            out[i] = 0.5 * x * (1 + tanhf(sqrt2OverPi * (x + 0.044715 * x * x * x)))
        }
    }
}

/// Backward of ``geluForward(out:inp:count:kind:)``: `dInp[i] += gelu'(inp[i]) · dOut[i]` (accumulates).
public func geluBackward(
    dInp: UnsafeMutablePointer<Float>, dOut: UnsafePointer<Float>, inp: UnsafePointer<Float>, count n: Int, kind: GELUKind = .exact
) {
    switch kind {
    case .exact:
        // gelu'(x) = Phi(x) + x * phi(x); erf's own exp(-z^2) at z = x / sqrt2 is exp(-x^2 / 2), phi's factor
        @inline(__always) func slope(_ x: F16) -> F16 {
            let (erf, gaussian) = fastErf(x * invSqrt2)
            return 0.5 * (1 + erf) + x * (invSqrt2Pi * gaussian)
        }
        var i = 0
        while i + 16 <= n {
            let x = UnsafeRawPointer(inp + i).loadUnaligned(as: F16.self)
            let g = UnsafeRawPointer(dOut + i).loadUnaligned(as: F16.self)
            let d = UnsafeRawPointer(dInp + i).loadUnaligned(as: F16.self)
            UnsafeMutableRawPointer(dInp + i).storeBytes(of: d + slope(x) * g, as: F16.self)
            i += 16
        }
        while i < n { dInp[i] += slope(F16(repeating: inp[i]))[0] * dOut[i]; i += 1 }
    case .tanh:
        // d/dx of 0.5 x (1 + tanh(u)), u = sqrt(2/pi) (x + 0.044715 x^3)
        for i in 0..<n {
            let x = inp[i]
            let u = sqrt2OverPi * (x + 0.044715 * x * x * x)
            let th = tanhf(u)
            let sech2 = 1 - th * th
            let du = sqrt2OverPi * (1 + 3 * 0.044715 * x * x)
            dInp[i] += (0.5 * (1 + th) + 0.5 * x * sech2 * du) * dOut[i]
        }
    }
}

/// `out[i] = max(inp[i], 0)`; `out` may alias `inp`.
public func reluForward(out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, count n: Int) {
    // out[i] = max(x, 0)
    for i in 0..<n { out[i] = max(inp[i], 0) }
}

/// Backward of ``reluForward(out:inp:count:)``: `dInp[i] += inp[i] > 0 ? dOut[i] : 0` (accumulates).
public func reluBackward(dInp: UnsafeMutablePointer<Float>, dOut: UnsafePointer<Float>, inp: UnsafePointer<Float>, count n: Int) {
    // dInp[i] += x > 0 ? dOut[i] : 0
    for i in 0..<n { dInp[i] += inp[i] > 0 ? dOut[i] : 0 }
}
