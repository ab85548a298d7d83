// Scratch memory for one forward pass, and the pool that lets several threads embed at once
// without allocating activations on every call.
import Foundation
internal import SteerNN
import SteerSync

/// The activations of one forward pass over N packed token rows. Buffers grow to the largest
/// batch seen and are reused afterwards.
final class Workspace: @unchecked Sendable {
    let x = FloatBuffer(count: 0)        // [N, C]  hidden states
    let qkv = FloatBuffer(count: 0)      // [N, 3C]
    let context = FloatBuffer(count: 0)  // [N, C]  attention output before projection
    let projected = FloatBuffer(count: 0)  // [N, C]
    let hidden = FloatBuffer(count: 0)   // [N, I]  feed-forward activations
    let scores = FloatBuffer(count: 0)   // one head's attention scratch ([T, T] and more)
    let int8 = Int8Scratch()             // the int8 path's quantized activations

    func reserve(rows: Int, longest: Int, _ config: TransformerConfig) {
        x.reserve(rows * config.hidden)
        qkv.reserve(rows * 3 * config.hidden)
        context.reserve(rows * config.hidden)
        projected.reserve(rows * config.hidden)
        hidden.reserve(rows * config.intermediate)
        scores.reserve(Kernels.attentionScratch(length: longest, channels: config.hidden, heads: config.heads))
    }
}

/// Hands each caller a workspace nobody else is using: encoders are safe to call from many
/// threads, and a serving thread reuses its buffers from call to call.
final class WorkspacePool: Sendable {
    private let idle = Locked<[Workspace]>([])
    /// Workspaces kept when returned; more concurrent callers still work, their extra
    /// workspaces are freed afterwards.
    private let keep: Int

    init(keep: Int = 4) { self.keep = keep }

    func withWorkspace<R>(_ body: (Workspace) throws -> R) rethrows -> R {
        let workspace = idle.withLock { $0.popLast() } ?? Workspace()
        defer { idle.withLock { if $0.count < keep { $0.append(workspace) } } }
        return try body(workspace)
    }
}

/// One linear layer's activations quantized for the int8 path: bytes [N, padded inputs] and, per
/// row and range of 128 inputs, a scale and a zero point. Grows like the other buffers.
final class Int8Scratch: @unchecked Sendable {
    private(set) var rows = UnsafeMutablePointer<UInt8>.allocate(capacity: 1)
    private(set) var steps = UnsafeMutablePointer<Float>.allocate(capacity: 1)
    private var rowCapacity = 1, stepCapacity = 1

    /// Room for `bytes` quantized values and `steps` scales plus as many zero points.
    func reserve(bytes: Int, steps count: Int) {
        if bytes > rowCapacity {
            rows.deallocate()
            rowCapacity = max(bytes, rowCapacity * 3 / 2)
            rows = .allocate(capacity: rowCapacity)
        }
        if 2 * count > stepCapacity {
            steps.deallocate()
            stepCapacity = max(2 * count, stepCapacity * 3 / 2)
            steps = .allocate(capacity: stepCapacity)
        }
    }

    deinit {
        rows.deallocate()
        steps.deallocate()
    }
}
