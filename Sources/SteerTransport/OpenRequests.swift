// Requests whose work is still running, so shutdown can answer and cancel them when its grace period ends.
import SteerSync
import SteerWire

/// The requests the dispatcher started in a task of their own whose task has not ended.
///
/// Shutdown waits for requests in flight for the grace period only; then every request here is
/// answered (UNAVAILABLE, unless it was answered already) and its work cancelled, so no client is
/// left waiting for an answer that will never come, and steerd exits on time however long the work
/// would have run. Cancelled work still runs to its next cancellation check: `count` says how many
/// tasks have not ended yet (tests wait for them so they never take the next test's cores).
final class OpenRequests: Sendable {
    private struct State {
        var next: UInt64 = 0
        var aborts: [UInt64: @Sendable (RPCError) -> Void] = [:]
    }
    private let state = Locked(State())

    init() {}

    /// Registers a request; `abort` answers it with the error and cancels its work (a no-op once it
    /// is answered). Returns the key to `remove` it with when its task ends.
    func register(abort: @escaping @Sendable (RPCError) -> Void) -> UInt64 {
        state.withLock { s in
            defer { s.next += 1 }
            s.aborts[s.next] = abort
            return s.next
        }
    }

    func remove(_ key: UInt64) {
        _ = state.withLock { $0.aborts.removeValue(forKey: key) }
    }

    var count: Int { state.withLock { $0.aborts.count } }

    /// Answers every registered request with `error` and cancels its work; returns how many tasks
    /// were running (some may have been answered already, by a deadline).
    @discardableResult
    func abortAll(_ error: RPCError) -> Int {
        let aborts = state.withLock { Array($0.aborts.values) }
        for abort in aborts { abort(error) }
        return aborts.count
    }
}
