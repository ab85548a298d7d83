// Counts requests being worked on, so shutdown can wait for them to finish.
import SteerSync

/// Tracks requests in flight across all connections and lets shutdown wait until none are left.
public final class InFlightGauge: Sendable {
    private struct State {
        var count = 0
        var draining = false
        /// Shutdown's waits, by a key of their own so a wait that times out can withdraw.
        var waiters: [UInt64: CheckedContinuation<Bool, Never>] = [:]
        var nextWaiter: UInt64 = 0
    }
    private let state = Locked(State())

    public init() {}

    /// Whether a request may start.
    public enum Admission: Sendable, Equatable {
        case admitted
        /// Shutdown has begun.
        case draining
        /// `limit` requests are already in flight.
        case full
    }

    /// Registers a request unless draining has begun or `limit` requests are in flight;
    /// only an admitted request is counted (and must `leave`).
    public func enter(limit: Int = .max) -> Admission {
        state.withLock { s in
            guard !s.draining else { return .draining }
            guard s.count < limit else { return .full }
            s.count += 1
            return .admitted
        }
    }

    /// Unregisters a request; wakes shutdown when it was the last one.
    public func leave() {
        let waiters = state.withLock { s -> [CheckedContinuation<Bool, Never>] in
            s.count -= 1
            guard s.count == 0 else { return [] }
            defer { s.waiters = [:] }
            return Array(s.waiters.values)
        }
        for waiter in waiters { waiter.resume(returning: true) }
    }

    public var count: Int { state.withLock { $0.count } }

    /// Refuses new requests from now on and returns when the ones in flight have finished, or when
    /// `limit` has passed, whichever comes first (nil: no limit).
    /// - Returns: whether every request had finished.
    @discardableResult
    public func drain(within limit: Duration? = nil) async -> Bool {
        await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
            let key = state.withLock { s -> UInt64? in
                s.draining = true
                if s.count == 0 { return nil }
                defer { s.nextWaiter += 1 }
                s.waiters[s.nextWaiter] = continuation
                return s.nextWaiter
            }
            guard let key else { return continuation.resume(returning: true) }
            guard let limit else { return }
            // Not a child task: a task group would wait for the continuation above before returning.
            Task { [self] in
                try? await Task.sleep(for: limit)
                let waiter = state.withLock { $0.waiters.removeValue(forKey: key) }
                waiter?.resume(returning: false)
            }
        }
    }
}
