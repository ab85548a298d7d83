// When a connection counts as idle, without reading a clock for every frame.
import NIOCore

/// A connection's silence, counted in quarters of the idle timeout.
///
/// A frame only sets a flag, so the hot path reads no clock and adds no pipeline stage (as NIO's
/// `IdleStateHandler` does after every read).
/// A check every quarter of the timeout clears the flag; four quiet checks in a row, with nothing
/// in flight, mean the client sent no frame for at least the timeout (and at most 1.25 times it).
struct IdleWatch {
    static let checksPerTimeout: Int64 = 4

    /// Time between checks.
    let interval: TimeAmount
    private var heardSinceCheck = false
    private var quietChecks: Int64 = 0

    init(timeout: TimeAmount) {
        interval = .nanoseconds(max(1, timeout.nanoseconds / Self.checksPerTimeout))
    }

    /// The client sent a frame.
    mutating func heard() { heardSinceCheck = true }

    /// One check; `busy`: a request of the connection is in flight (a client waiting for a long
    /// answer is not idle). - Returns: whether the connection has been idle for the timeout.
    mutating func check(busy: Bool) -> Bool {
        if heardSinceCheck || busy {
            heardSinceCheck = false
            quietChecks = 0
            return false
        }
        quietChecks += 1
        return quietChecks >= Self.checksPerTimeout
    }
}
