// The open connections: closed together at shutdown, and counted against the connection limit.
import NIOCore
import SteerSync

/// Every accepted connection until it closes, and how many of them are served.
///
/// Served connections are bounded (`maxConnections`) so that clients cannot take every file
/// descriptor of the process: a connection beyond the limit is answered once and closed, and the
/// descriptors it briefly holds come back. Refused connections are tracked too (shutdown closes
/// them) but do not count against the limit.
final class ConnectionTable: Sendable {
    private struct State {
        var channels: [ObjectIdentifier: Channel] = [:]
        var served = 0
    }
    private let state = Locked(State())

    /// Tracks `channel` until it closes; returns whether it may be served (fewer than `limit` are).
    func admit(_ channel: Channel, limit: Int) -> Bool {
        let id = ObjectIdentifier(channel)
        let served = state.withLock { s -> Bool in
            s.channels[id] = channel
            guard s.served < limit else { return false }
            s.served += 1
            return true
        }
        channel.closeFuture.whenComplete { [state] _ in
            state.withLock { s in
                s.channels[id] = nil
                if served { s.served -= 1 }
            }
        }
        return served
    }

    /// Connections being served now.
    var served: Int { state.withLock { $0.served } }

    /// Every open connection, served or refused.
    var all: [Channel] { state.withLock { Array($0.channels.values) } }
}
