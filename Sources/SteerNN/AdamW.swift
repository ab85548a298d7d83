// AdamW (decoupled weight decay, bias-corrected), global-norm gradient clipping and zero_grad.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One trainable tensor as raw pointers, so the optimizer can drive parameters owned by anyone
/// (a plugin behind a C ABI included). The pointers must stay valid while the optimizer uses them.
public struct Parameter {
    /// The values, updated in place.
    public var value: UnsafeMutablePointer<Float>
    /// The gradient, same length as `value`.
    public var grad: UnsafeMutablePointer<Float>
    /// Number of floats.
    public var count: Int
    /// Whether weight decay applies (false for biases, layer-norm gains, usually embeddings).
    public var decay: Bool

    /// Describes one tensor.
    public init(value: UnsafeMutablePointer<Float>, grad: UnsafeMutablePointer<Float>, count: Int, decay: Bool) {
        self.value = value
        self.grad = grad
        self.count = count
        self.decay = decay
    }
}

/// AdamW exactly as PyTorch's `torch.optim.AdamW` (non-amsgrad): per step t,
/// `p ← p·(1 − lr·wd)` (decay tensors only), `m ← β1·m + (1−β1)·g`, `v ← β2·v + (1−β2)·g²`,
/// `p ← p − lr/(1−β1ᵗ) · m / (√v / √(1−β2ᵗ) + ε)`.
///
/// Owns its moment buffers, laid out in the order of the parameter list given at init.
public final class AdamW {
    /// The tensors this optimizer updates.
    public let parameters: [Parameter]
    /// Learning rate; may be changed between steps (schedules).
    public var learningRate: Float
    /// β1, β2.
    public var beta1: Float, beta2: Float
    /// ε added to the denominator.
    public var epsilon: Float
    /// Decoupled weight decay coefficient (applied to tensors with `decay == true`).
    public var weightDecay: Float
    /// Steps taken so far.
    public private(set) var step = 0
    let m: FloatBuffer, v: FloatBuffer

    /// An optimizer over `parameters` with zeroed moments (PyTorch defaults except the learning rate).
    public init(parameters: [Parameter], learningRate: Float, beta1: Float = 0.9, beta2: Float = 0.999,
                epsilon: Float = 1e-8, weightDecay: Float = 0.01) {
        self.parameters = parameters
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        let total = parameters.reduce(0) { $0 + $1.count }
        m = FloatBuffer(count: total)
        v = FloatBuffer(count: total)
    }

    /// Applies one update from the current gradients (which it leaves untouched).
    public func update() {
        step += 1
        let bc1 = 1 - powf(beta1, Float(step)), bc2 = 1 - powf(beta2, Float(step))
        let stepSize = learningRate / bc1, invSqrtBC2 = 1 / sqrtf(bc2)
        let b1 = beta1, b2 = beta2, eps = epsilon
        var offset = 0
        for p in parameters {
            let x = p.value, g = p.grad, mm = m.ptr + offset, vv = v.ptr + offset
            let shrink: Float = p.decay ? 1 - learningRate * weightDecay : 1
            for i in 0..<p.count {
                let gi = g[i]
                let mi = b1 * mm[i] + (1 - b1) * gi
                let vi = b2 * vv[i] + (1 - b2) * gi * gi
                mm[i] = mi
                vv[i] = vi
                x[i] = x[i] * shrink - stepSize * mi / (sqrtf(vi) * invSqrtBC2 + eps)
            }
            offset += p.count
        }
    }
}

/// Sets every gradient to zero (the only op in this module that clears gradients).
public func zeroGrad(_ parameters: [Parameter]) {
    for p in parameters { p.grad.update(repeating: 0, count: p.count) }
}

/// Scales all gradients so their global L2 norm is at most `maxNorm` (PyTorch `clip_grad_norm_`).
///
/// - Returns: the global norm before clipping.
@discardableResult
public func clipGradNorm(_ parameters: [Parameter], maxNorm: Float) -> Float {
    var sq: Double = 0
    for p in parameters {
        var s: Float = 0
        for i in 0..<p.count { s += p.grad[i] * p.grad[i] }
        sq += Double(s)
    }
    let norm = Float(sq.squareRoot())
    let coef = maxNorm / (norm + 1e-6)
    if coef < 1 {
        for p in parameters { for i in 0..<p.count { p.grad[i] *= coef } }
    }
    return norm
}
