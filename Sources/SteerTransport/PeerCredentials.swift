// Who is on the other end of a connection (SO_PEERCRED), and whether steerd serves them.
import NIOCore
#if canImport(Glibc)
import Glibc
#endif

/// The process at the other end of a Unix socket, as the kernel recorded it at `connect`.
///
/// Only the peer's effective uid and gid are known this way: supplementary groups are not.
public struct PeerCredentials: Sendable, Equatable, CustomStringConvertible {
    public var pid: Int32
    public var uid: UInt32
    public var gid: UInt32

    public init(pid: Int32, uid: UInt32, gid: UInt32) {
        self.pid = pid
        self.uid = uid
        self.gid = gid
    }

    public var description: String { "pid \(pid), uid \(uid), gid \(gid)" }

    /// `struct ucred` from `<sys/socket.h>` (hidden behind `_GNU_SOURCE` in Glibc's module).
    private struct UCred: Sendable {
        var pid: Int32
        var uid: UInt32
        var gid: UInt32
    }

    /// Reads SO_PEERCRED from an accepted connection.
    /// - Returns: a future that fails when the channel is not a socket or `getsockopt` fails.
    static func of(_ channel: Channel) -> EventLoopFuture<PeerCredentials> {
        guard let provider = channel as? SocketOptionProvider else {
            return channel.eventLoop.makeFailedFuture(PeerCredentialsError("the connection is not a socket"))
        }
        let future: EventLoopFuture<UCred> = provider.unsafeGetSocketOption(
            level: SocketOptionLevel(SOL_SOCKET), name: SocketOptionName(SO_PEERCRED))
        return future.map { PeerCredentials(pid: $0.pid, uid: $0.uid, gid: $0.gid) }
    }
}

struct PeerCredentialsError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Which peers steerd serves: root, and any peer whose uid or (effective) gid is listed.
public struct PeerAccessPolicy: Sendable, Equatable {
    public var allowedUIDs: Set<UInt32>
    public var allowedGIDs: Set<UInt32>

    public init(allowedUIDs: some Sequence<UInt32>, allowedGIDs: some Sequence<UInt32>) {
        self.allowedUIDs = Set(allowedUIDs)
        self.allowedGIDs = Set(allowedGIDs)
    }

    /// Root may always connect: it could read the daemon's memory anyway.
    public func allows(_ peer: PeerCredentials) -> Bool {
        peer.uid == 0 || allowedUIDs.contains(peer.uid) || allowedGIDs.contains(peer.gid)
    }

    /// The message a refused peer receives, naming its ids and how to let it in.
    func refusal(of peer: PeerCredentials) -> String {
        "uid \(peer.uid) (gid \(peer.gid)) may not use this steerd; allow it in the daemon's configuration with "
            + "--allowed-uids \(peer.uid) (allowedUIDs) or --allowed-gids \(peer.gid) (allowedGIDs)"
    }
}
