// Counts requests being worked on, so shutdown can wait for them to finish.
import SteerSync

/// Tracks requests in flight across all connections and lets shutdown wait until none are left.
public final class InFlightGauge: Sendable {
    private struct State {
        var count = 0
        var draining = false
        var waiters: [CheckedContinuation<Void, Never>] = []
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
        let waiters = state.withLock { s -> [CheckedContinuation<Void, Never>] in
            s.count -= 1
            guard s.count == 0 else { return [] }
            defer { s.waiters = [] }
            return s.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    public var count: Int { state.withLock { $0.count } }

    /// Refuses new requests from now on and returns when the ones in flight have finished.
    public func drain() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let idle = state.withLock { s -> Bool in
                s.draining = true
                if s.count == 0 { return true }
                s.waiters.append(continuation)
                return false
            }
            if idle { continuation.resume() }
        }
    }
}
