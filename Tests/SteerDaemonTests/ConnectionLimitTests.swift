// Connections: a cap on how many are served, an idle timeout, a listen backlog that takes a burst,
// no spinning at the descriptor limit, and socket folders other users can reach when the mode says so.
import Foundation
import SteerClient
import SteerDaemon
import SteerDaemonTestSupport
import SteerWire
import XCTest

final class ConnectionLimitTests: XCTestCase {
    private func waitUntil(_ condition: () -> Bool, seconds: Double = 5) async throws {
        let limit = ContinuousClock.now + .milliseconds(Int64(seconds * 1000))
        while !condition(), ContinuousClock.now < limit { try await Task.sleep(for: .milliseconds(10)) }
    }

    func testConnectionsBeyondTheLimitAreRefusedAndAFreedPlaceIsReused() async throws {
        let daemon = try await TestDaemon { $0.maxConnections = 3 }
        var served: [SteerConnection] = []
        for _ in 0..<3 {
            let connection = try daemon.connect()
            XCTAssertTrue(try connection.call(.health, HealthRequest(), as: HealthResponse.self).live)
            served.append(connection)
        }
        XCTAssertThrowsError(try daemon.connect().call(.health, HealthRequest(), as: HealthResponse.self)) { error in
            XCTAssertEqual((error as? RPCError)?.status, .resourceExhausted, "\(error)")
            XCTAssertTrue("\(error)".contains("already serves 3 connections"), "\(error)")
            XCTAssertTrue("\(error)".contains("--max-connections"), "\(error)")
        }
        XCTAssertEqual(daemon.server.stats.refusedOverConnectionLimit, 1)
        served.removeLast()   // closes it: its place is free again
        try await waitUntil { daemon.server.connectionsServed == 2 }
        XCTAssertTrue(try daemon.connect().call(.health, HealthRequest(), as: HealthResponse.self).live)
        for connection in served { XCTAssertTrue(try connection.call(.health, HealthRequest(), as: HealthResponse.self).live) }
        try await daemon.stop()
    }

    /// A connection silent for the idle timeout is closed; one that keeps talking is not, and
    /// neither is one waiting for a long answer (a slow EmbedPrompt).
    func testIdleConnectionsAreClosedButTalkingAndWaitingOnesStay() async throws {
        let daemon = try await TestDaemon(encoderDirectory: miniLMDirectory) {
            $0.idleTimeoutSeconds = 0.3
            $0.shutdownGracePeriodSeconds = 0
        }
        let silent = try daemon.connect()
        let talking = try daemon.connect()
        let waiting = try daemon.connect()
        let prompts = (0..<256).map { "idle \($0): " + String(repeating: "a slow comedy with dogs and a heist at night ", count: 40) }
        try waiting.send(RequestEnvelope(id: 1, method: .embedPrompt, payload: EmbedPromptRequest(prompts: prompts).encoded()))
        for _ in 0..<12 {
            XCTAssertTrue(try talking.call(.health, HealthRequest(), as: HealthResponse.self).live)
            try await Task.sleep(for: .milliseconds(100))
        }
        XCTAssertThrowsError(try silent.receive(), "the silent connection was closed") { error in
            XCTAssertTrue("\(error)".contains("closed the connection"), "\(error)")
        }
        XCTAssertGreaterThanOrEqual(daemon.server.stats.idleClosed, 1)
        XCTAssertEqual(daemon.server.requestsInFlight, 1, "the slow request is still being worked on")
        XCTAssertTrue(try waiting.call(.health, HealthRequest(), as: HealthResponse.self).live, "the waiting connection stays open")
        try await daemon.stop()
    }

    /// 1,000 non-blocking connects at once all get into the backlog: with the former fixed
    /// backlog of 256, 358 to 510 of them failed with EAGAIN.
    func testABurstOfAThousandConnectsIsQueued() async throws {
        let daemon = try await TestDaemon()
        let somaxconn = (try? String(contentsOfFile: "/proc/sys/net/core/somaxconn", encoding: .utf8))
            .flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        XCTAssertEqual(daemon.server.listenBacklog, min(4096, somaxconn ?? 4096))
        try XCTSkipIf((somaxconn ?? 4096) < 1_000, "net.core.somaxconn is \(somaxconn!): the kernel clamps the backlog below the burst")
        var descriptors: [Int32] = []
        defer { for fd in descriptors { close(fd) } }
        var refused: [Int32: Int] = [:]
        for _ in 0..<1_000 {
            let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
            XCTAssertGreaterThanOrEqual(fd, 0)
            descriptors.append(fd)
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            withUnsafeMutableBytes(of: &address.sun_path) { raw in
                for (i, byte) in daemon.socketPath.utf8.enumerated() { raw[i] = byte }
            }
            let result = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
            }
            if result != 0 { refused[errno, default: 0] += 1 }
        }
        XCTAssertEqual(refused, [:], "connects refused, by errno (\(EAGAIN) is EAGAIN)")
        for fd in descriptors { close(fd) }
        descriptors = []
        XCTAssertTrue(try daemon.connect().call(.health, HealthRequest(), as: HealthResponse.self).live)
        try await daemon.stop()
    }

    /// The folders steerd creates for its socket let in whom the socket mode lets in (search
    /// permission only); a folder that exists is left as it is.
    func testCreatedSocketFoldersGetTheSearchPermissionTheModeImplies() async throws {
        let peer = SteerProcess.foreignIdentity
        let open = try await TestDaemon { c in
            c.socketPath = (c.socketPath as NSString).deletingLastPathComponent + "/a/b/steerd.sock"
            c.socketMode = 0o666
            c.allowedUIDs = [peer.uid]
        }
        func mode(_ path: String) -> mode_t {
            var info = stat()
            XCTAssertEqual(stat(path, &info), 0, path)
            return info.st_mode & 0o7777
        }
        XCTAssertEqual(mode(open.directory + "/a"), 0o711)
        XCTAssertEqual(mode(open.directory + "/a/b"), 0o711)
        if getuid() == 0 {
            chmod(open.directory, 0o755)
            let served = try SteerProcess.run(["health", "--socket", open.directory + "/a/b/steerd.sock"], asForeignUser: true)
            XCTAssertEqual(served.status, 0, "another user could not reach the 666 socket: \(served.stderr)")
        }
        try await open.stop()

        let group = try await TestDaemon { c in c.socketPath = (c.socketPath as NSString).deletingLastPathComponent + "/g/steerd.sock" }
        XCTAssertEqual(mode(group.directory + "/g"), 0o710, "the default 660 lets the group search")
        try await group.stop()

        let existing = NSTemporaryDirectory() + "steerd-existing-\(UUID().uuidString.prefix(8))"
        XCTAssertEqual(mkdir(existing, 0o700), 0)
        chmod(existing, 0o700)
        defer { try? FileManager.default.removeItem(atPath: existing) }
        let kept = try await TestDaemon { c in
            c.socketPath = existing + "/steerd.sock"
            c.socketMode = 0o666
        }
        XCTAssertEqual(mode(existing), 0o700, "an existing folder is left alone")
        try await kept.stop()
    }

    /// At the descriptor limit (RLIMIT_NOFILE 64, 80 clients) `steer serve` pauses accepting and
    /// says so, instead of spinning a core at 100% in silence; once clients leave it serves again.
    func testServeAtTheDescriptorLimitDoesNotSpinAndLogsIt() throws {
        let directory = NSTemporaryDirectory() + "steer-emfile-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory + "/cache", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let socket = directory + "/steerd.sock"
        let process = SteerProcess.process(["serve", "--socket", socket, "--snapshot-dir", directory + "/snapshots", "--log-level", "warning"],
                                           wrapper: ["/usr/bin/prlimit", "--nofile=64:64"])
        process.environment = ProcessInfo.processInfo.environment.merging(["STEER_CACHE": directory + "/cache"]) { $1 }
        let standardError = Pipe()
        process.standardError = standardError
        try process.run()
        defer { if process.isRunning { process.interrupt(); process.waitUntilExit() } }
        XCTAssertTrue(SteerProcess.waitForSocket(socket, seconds: 30), "steer serve did not listen")

        var clients: [SteerConnection] = []
        for _ in 0..<80 { clients.append(try SteerConnection(socketPath: socket)) }   // the backlog takes them all
        sleep(1)   // steerd reaches its limit
        func cpuSeconds() throws -> Double {
            let stat = try String(contentsOfFile: "/proc/\(process.processIdentifier)/stat", encoding: .utf8)
            let fields = stat[stat.range(of: ")")!.upperBound...].split(separator: " ")
            return (Double(fields[11])! + Double(fields[12])!) / Double(sysconf(Int32(_SC_CLK_TCK)))
        }
        let before = try cpuSeconds()
        sleep(3)
        let used = try cpuSeconds() - before
        XCTAssertLessThan(used, 0.5, "steerd used \(used) s of CPU in 3 s at the descriptor limit")

        clients.removeAll()   // descriptors come back
        var served = false
        for _ in 0..<100 where !served {
            served = (try? SteerConnection(socketPath: socket).call(.health, HealthRequest(), as: HealthResponse.self).live) ?? false
            if !served { usleep(50_000) }
        }
        XCTAssertTrue(served, "steerd serves again once descriptors are free")
        process.terminate()
        process.waitUntilExit()
        let log = String(decoding: standardError.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        XCTAssertTrue(log.contains("steerd cannot accept connections"), log)
        XCTAssertTrue(log.contains("open_files_limit=64"), log)
    }
}
