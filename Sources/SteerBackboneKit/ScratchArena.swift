// One allocation carved into named activation buffers, reused while shapes fit.

/// Hands out zero-initialised float buffers from one block; `reset` starts over.
public final class ScratchArena {
    private var block: UnsafeMutablePointer<Float>
    private var capacity: Int
    private var used = 0

    public init(capacity: Int = 0) {
        self.capacity = max(1, capacity)
        block = .allocate(capacity: self.capacity)
    }

    deinit { block.deallocate() }

    /// Makes room for `total` floats (dropping earlier contents) and starts handing out from 0.
    public func reset(total: Int) {
        if total > capacity {
            block.deallocate()
            capacity = total
            block = .allocate(capacity: capacity)
        }
        used = 0
    }

    /// `count` floats, 16-float aligned; `reset(total:)` must have reserved enough.
    public func take(_ count: Int) -> UnsafeMutablePointer<Float> {
        let start = (used + 15) & ~15
        precondition(start + count <= capacity, "scratch arena overflow: \(start + count) > \(capacity)")
        used = start + count
        return block + start
    }

    /// The size `take` calls of these counts need, with alignment.
    public static func size(_ counts: [Int]) -> Int { counts.reduce(0) { $0 + ($1 + 15) & ~15 } }
}
