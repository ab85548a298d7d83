// Who may connect: each peer's SO_PEERCRED checked at accept; the others get PERMISSION_DENIED.
import Foundation
import NIOCore
import NIOEmbedded
import SteerClient
import SteerDaemonTestSupport
import SteerWire
import XCTest
@testable import SteerDaemon
@testable import SteerTransport

final class PeerCredentialsTests: XCTestCase {
    func testPolicyAllowsRootAndListedIDsOnly() {
        let policy = PeerAccessPolicy(allowedUIDs: [1000], allowedGIDs: [2000])
        XCTAssertTrue(policy.allows(PeerCredentials(pid: 1, uid: 0, gid: 0)), "root is always allowed")
        XCTAssertTrue(policy.allows(PeerCredentials(pid: 1, uid: 1000, gid: 5)))
        XCTAssertTrue(policy.allows(PeerCredentials(pid: 1, uid: 7, gid: 2000)))
        XCTAssertFalse(policy.allows(PeerCredentials(pid: 1, uid: 7, gid: 5)))
        XCTAssertTrue(PeerAccessPolicy(allowedUIDs: [], allowedGIDs: []).allows(PeerCredentials(pid: 1, uid: 0, gid: 9)))
        let message = policy.refusal(of: PeerCredentials(pid: 1, uid: 7, gid: 5))
        XCTAssertTrue(message.contains("uid 7") && message.contains("--allowed-uids 7") && message.contains("allowedGIDs"), message)
    }

    func testDefaultsAllowTheDaemonsOwnUserAndGroup() {
        let configuration = DaemonConfiguration(pluginDirectory: "/p", snapshotDirectory: "/s")
        XCTAssertEqual(configuration.allowedUIDs, [getuid()])
        XCTAssertEqual(configuration.allowedGIDs, [getgid()])
        XCTAssertNil(configuration.inheritedSocket)
    }

    func testRefusalHandlerAnswersPermissionDeniedWithIDZeroAndCloses() throws {
        let channel = EmbeddedChannel(handler: RefusalHandler(message: "uid 7 (gid 5) may not use this steerd"))
        // An IPv4 address: EmbeddedChannel never frees the box of a Unix-domain address (LeakSanitizer).
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        var frame = try XCTUnwrap(channel.readOutbound(as: ByteBuffer.self))
        let length = try XCTUnwrap(frame.readInteger(endianness: .big, as: UInt32.self))
        XCTAssertEqual(Int(length), frame.readableBytes)
        let response = try ResponseEnvelope(decoding: Array(frame.readableBytesView))
        XCTAssertEqual(response.id, 0)
        XCTAssertEqual(response.status, .permissionDenied)
        XCTAssertEqual(response.message, "uid 7 (gid 5) may not use this steerd")
        XCTAssertNil(try channel.readOutbound(as: ByteBuffer.self), "one frame only")
        XCTAssertFalse(channel.isActive, "closed after the answer")
        // Tears the embedded pipeline down (its objects hold each other until then).
        _ = try channel.finish(acceptAlreadyClosed: true)
    }

    func testThisProcessIsServedWithTheDefaults() async throws {
        let daemon = try await TestDaemon()
        XCTAssertTrue(try daemon.connect().call(.health, HealthRequest(), as: HealthResponse.self).live)
        XCTAssertEqual(daemon.server.stats.refusedPeers, 0)
        try await daemon.stop()
    }

    /// A peer outside the allowed ids is answered PERMISSION_DENIED and disconnected; the daemon
    /// keeps serving, and a daemon that allows it serves it. As root (always allowed) the peer is a
    /// `steer health` run as nobody; otherwise it is this process.
    func testExcludedPeerIsRefusedAndAnAllowingDaemonServesIt() async throws {
        let peer = SteerProcess.foreignIdentity
        let refusing = try await TestDaemon { configuration in
            configuration.allowedUIDs = [peer.uid &+ 1]
            configuration.allowedGIDs = [peer.gid &+ 1]
            configuration.socketMode = 0o666  // the file's mode must not be what keeps nobody out
        }
        let allowing = try await TestDaemon { configuration in
            configuration.allowedUIDs = [peer.uid]
            configuration.allowedGIDs = []
            configuration.socketMode = 0o666
        }
        if getuid() == 0 {
            for daemon in [refusing, allowing] { chmod(daemon.directory, 0o755) }
            let refused = try SteerProcess.run(["health", "--socket", refusing.socketPath], asForeignUser: true)
            XCTAssertEqual(refused.status, 1, refused.stderr)
            XCTAssertTrue(refused.stderr.contains("PERMISSION_DENIED"), refused.stderr)
            XCTAssertTrue(refused.stderr.contains("uid \(peer.uid) (gid \(peer.gid))"), refused.stderr)
            XCTAssertTrue(refused.stderr.contains("--allowed-uids \(peer.uid)"), refused.stderr)
            // Root, always allowed, is still served by the daemon that refused nobody.
            XCTAssertTrue(try refusing.connect().call(.health, HealthRequest(), as: HealthResponse.self).live)
            let served = try SteerProcess.run(["health", "--socket", allowing.socketPath], asForeignUser: true)
            XCTAssertEqual(served.status, 0, served.stderr)
        } else {
            let connection = try refusing.connect()
            XCTAssertThrowsError(try connection.call(.health, HealthRequest(), as: HealthResponse.self)) { error in
                XCTAssertEqual((error as? RPCError)?.status, .permissionDenied, "\(error)")
                XCTAssertTrue("\(error)".contains("uid \(peer.uid) (gid \(peer.gid))"), "\(error)")
            }
            XCTAssertThrowsError(try connection.receive(), "the connection is closed")
            XCTAssertTrue(try allowing.connect().call(.health, HealthRequest(), as: HealthResponse.self).live)
        }
        XCTAssertEqual(refusing.server.stats.refusedPeers, 1)
        XCTAssertEqual(allowing.server.stats.refusedPeers, 0)
        let metrics = try XCTUnwrap(refusing.server.service as? SteerService).stats(StatsRequest()).prometheusText
        XCTAssertTrue(metrics.contains("steer_connections_refused_total 1"), metrics)
        try await refusing.stop()
        try await allowing.stop()
    }
}
