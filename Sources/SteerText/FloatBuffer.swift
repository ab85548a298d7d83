// Owned Float storage with a stable address, for weights and scratch passed to CBLAS.

/// A heap block of Floats that never moves, so kernels can hold raw pointers into it across
/// calls (a Swift array only guarantees its address inside `withUnsafe…` closures).
///
/// `@unchecked Sendable`: weight buffers are written once during loading and only read after;
/// scratch buffers belong to one ``Workspace`` which one thread uses at a time.
final class FloatBuffer: @unchecked Sendable {
    private(set) var pointer: UnsafeMutablePointer<Float>
    private(set) var count: Int

    /// A zero-filled buffer of `count` Floats.
    init(count: Int) {
        self.count = count
        pointer = .allocate(capacity: max(count, 1))
        pointer.initialize(repeating: 0, count: max(count, 1))
    }

    /// A buffer holding `values`.
    init(_ values: [Float]) {
        count = values.count
        pointer = .allocate(capacity: max(count, 1))
        pointer.initialize(repeating: 0, count: max(count, 1))
        values.withUnsafeBufferPointer { pointer.update(from: $0.baseAddress!, count: count) }
    }

    /// Makes room for at least `needed` Floats; contents are not preserved when it grows.
    func reserve(_ needed: Int) {
        guard needed > count else { return }
        pointer.deallocate()
        count = max(needed, count * 3 / 2)
        pointer = .allocate(capacity: count)
        pointer.initialize(repeating: 0, count: count)
    }

    deinit { pointer.deallocate() }
}
