// FloatBuffer: an owned, zero-filled block of floats that ops read and write through raw pointers.

/// A zero-filled, heap-allocated array of `Float` that never moves and frees itself.
///
/// Kernels take raw pointers so they never allocate or bounds-check in hot loops; `FloatBuffer`
/// is the owner those pointers come from (parameters, gradients, activations, encoder weights,
/// scratch). It is a class so views of it (`ptr`, `ptr + offset`) stay valid while it lives (a
/// Swift array guarantees its address only inside `withUnsafe…` closures).
///
/// `@unchecked Sendable` without a lock of its own: weights are written while loading and only
/// read after, and scratch belongs to one workspace that one thread uses at a time. Anything else
/// shared across threads needs external synchronisation.
public final class FloatBuffer: @unchecked Sendable {
    /// First element; valid for ``count`` floats until the buffer grows (``reserve(_:)``) or is
    /// deinitialised.
    public private(set) var ptr: UnsafeMutablePointer<Float>
    /// Number of floats.
    public private(set) var count: Int

    /// Allocates `count` floats, all zero.
    public init(count: Int) {
        precondition(count >= 0, "FloatBuffer count must be non-negative, got \(count)")
        self.count = count
        ptr = .allocate(capacity: max(count, 1))
        ptr.initialize(repeating: 0, count: max(count, 1))
    }

    /// Allocates a buffer holding a copy of `values`.
    public convenience init(_ values: [Float]) {
        self.init(count: values.count)
        values.withUnsafeBufferPointer { src in
            if let base = src.baseAddress { ptr.update(from: base, count: values.count) }
        }
    }

    deinit { ptr.deallocate() }

    /// Makes room for at least `needed` floats, for scratch that grows with the batch; the
    /// contents (zeros after growing) are not preserved, and earlier pointers become invalid.
    public func reserve(_ needed: Int) {
        guard needed > count else { return }
        ptr.deallocate()
        count = max(needed, count * 3 / 2)
        ptr = .allocate(capacity: count)
        ptr.initialize(repeating: 0, count: count)
    }

    /// The floats as a buffer pointer (same lifetime rule as ``ptr``).
    public var buffer: UnsafeMutableBufferPointer<Float> { UnsafeMutableBufferPointer(start: ptr, count: count) }

    /// Bounds-checked element access, for tests and cold code only.
    public subscript(i: Int) -> Float {
        get { precondition(i >= 0 && i < count); return ptr[i] }
        set { precondition(i >= 0 && i < count); ptr[i] = newValue }
    }

    /// Sets every element to zero.
    public func zero() { ptr.update(repeating: 0, count: count) }

    /// A copy of the contents as an array.
    public var array: [Float] { Array(buffer) }
}
