// Vectorised row kernels (max, exp-and-sum, scale) for the softmaxes: libm's expf is scalar and
// was a fifth of the cross-entropy's time. Swift code here is built for baseline x86-64 (SSE2),
// so SIMD16 becomes four SSE registers; OpenBLAS picks its own AVX-512 kernels at run time.

typealias F16 = SIMD16<Float>

private let log2e: Float = 1.44269504088896341
private let ln2Hi: Float = 0.693359375
private let ln2Lo: Float = -2.12194440e-4
// 1.5·2²³: adding it rounds to an integer and leaves that integer in the low mantissa bits.
private let roundMagic: Float = 12_582_912

/// e^x for x ≤ 0 (softmax inputs after subtracting the max): Cephes polynomial, relative error ≈ 1e-7;
/// inputs below −87 flush to 0.
@inline(__always)
func fastExp(_ x: F16) -> F16 {
    let xc = x.replacing(with: -87.0, where: x .< -87.0)
    let t = xc * log2e + roundMagic
    let n = t - roundMagic
    let r = xc - n * ln2Hi - n * ln2Lo
    var p = F16(repeating: 1.9875691500e-4)
    p = p * r + 1.3981999507e-3
    p = p * r + 8.3334519073e-3
    p = p * r + 4.1665795894e-2
    p = p * r + 1.6666665459e-1
    p = p * r + 5.0000001201e-1
    let y = p * r * r + r + 1
    let ni = unsafeBitCast(t, to: SIMD16<Int32>.self) &- Int32(bitPattern: roundMagic.bitPattern)
    let twoN = unsafeBitCast((ni &+ 127) &<< 23, to: F16.self)
    return (y * twoN).replacing(with: 0, where: x .< -87.0)
}

/// Scalar twin of the vector kernel so row tails round the same way.
@inline(__always)
func fastExp(_ x: Float) -> Float { fastExp(F16(repeating: x))[0] }

/// erf(z) and the exp(−z²) it is built from (GELU's backward reuses the latter as its Gaussian).
/// Abramowitz & Stegun's formula 7.1.26, erf(a) = 1 − t·P(t)·exp(−a²) with t = 1/(1 + p·a) for
/// a = |z| ≥ 0 and odd symmetry: |error| ≤ 1.5·10⁻⁷ before float rounding, no branches, one exp.
@inline(__always)
func fastErf(_ z: F16) -> (erf: F16, gaussian: F16) {
    let negative = z .< 0
    let a = z.replacing(with: -z, where: negative)
    let t = 1 / (1 + 0.3275911 * a)
    var p = t * 1.061405429 - 1.453152027
    p = p * t + 1.421413741
    p = p * t - 0.284496736
    p = p * t + 0.254829592
    let gaussian = fastExp(-(a * a))
    let erfAbs = 1 - p * t * gaussian
    return (erfAbs.replacing(with: -erfAbs, where: negative), gaussian)
}

/// max_i x[i] over n ≥ 1 floats.
@inline(__always)
func rowMax(_ x: UnsafePointer<Float>, _ n: Int) -> Float {
    var i = 0
    var m = -Float.infinity
    if n >= 16 {
        var acc = UnsafeRawPointer(x).loadUnaligned(as: F16.self)
        i = 16
        while i + 16 <= n {
            // replacing(with:where:) lowers to compare-and-select; pointwiseMax was scalarised.
            let v = UnsafeRawPointer(x + i).loadUnaligned(as: F16.self)
            acc = acc.replacing(with: v, where: v .> acc)
            i += 16
        }
        for k in 0..<16 where acc[k] > m { m = acc[k] }
    }
    while i < n { if x[i] > m { m = x[i] }; i += 1 }
    return m
}

/// x[i] = exp(x[i] − shift) in place; returns Σ x[i].
@inline(__always)
func expShiftSum(_ x: UnsafeMutablePointer<Float>, _ n: Int, shift: Float) -> Float {
    var i = 0
    var acc = F16(repeating: 0)
    while i + 16 <= n {
        let e = fastExp(UnsafeRawPointer(x + i).loadUnaligned(as: F16.self) - shift)
        UnsafeMutableRawPointer(x + i).storeBytes(of: e, as: F16.self)
        acc += e
        i += 16
    }
    var s = acc.sum()
    while i < n { let e = fastExp(x[i] - shift); x[i] = e; s += e; i += 1 }
    return s
}

/// x[i] *= alpha.
@inline(__always)
func scaleRow(_ x: UnsafeMutablePointer<Float>, _ n: Int, _ alpha: Float) {
    var i = 0
    while i + 16 <= n {
        let v = UnsafeRawPointer(x + i).loadUnaligned(as: F16.self) * alpha
        UnsafeMutableRawPointer(x + i).storeBytes(of: v, as: F16.self)
        i += 16
    }
    while i < n { x[i] *= alpha; i += 1 }
}
