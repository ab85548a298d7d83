// systemd socket activation: the LISTEN_* rules, and a real `steer serve` handed a socket as fd 3.
import Foundation
import SteerClient
import SteerDaemon
import SteerDaemonTestSupport
import SteerTestSupport
import SteerTransport
import SteerWire
import XCTest

final class SocketActivationTests: XCTestCase {
    func testListenVariablesNameTheDescriptorOnlyForThisProcess() throws {
        XCTAssertNil(try SocketActivation.descriptor(listenPID: nil, listenFDs: nil, pid: 42))
        XCTAssertEqual(try SocketActivation.descriptor(listenPID: "42", listenFDs: "1", pid: 42), 3)
        XCTAssertNil(try SocketActivation.descriptor(listenPID: "41", listenFDs: "1", pid: 42), "inherited from a parent: not ours")
        XCTAssertNil(try SocketActivation.descriptor(listenPID: "42", listenFDs: "0", pid: 42))
        XCTAssertThrowsError(try SocketActivation.descriptor(listenPID: "42", listenFDs: "2", pid: 42)) {
            XCTAssertTrue("\($0)".contains("LISTEN_FDS=2"), "\($0)")
        }
        XCTAssertThrowsError(try SocketActivation.descriptor(listenPID: "42", listenFDs: "one", pid: 42))
        XCTAssertThrowsError(try SocketActivation.descriptor(listenPID: nil, listenFDs: "1", pid: 42))
    }

    func testTakingTheSocketUnsetsTheVariablesSoChildrenDoNotInheritThem() throws {
        // Meant for another process (as a child of an activated one would see them): ignored, and still unset.
        setenv("LISTEN_PID", "\(getpid() + 1)", 1)
        setenv("LISTEN_FDS", "1", 1)
        setenv("LISTEN_FDNAMES", "steerd.socket", 1)
        XCTAssertNil(try SocketActivation.takeListeningSocket())
        for name in ["LISTEN_PID", "LISTEN_FDS", "LISTEN_FDNAMES"] {
            XCTAssertNil(getenv(name), "\(name) left in the environment")
        }
    }

    /// As systemd would: bind and listen, pass the socket as fd 3 with LISTEN_FDS=1 and LISTEN_PID
    /// set to steerd's pid (the shell's `$$`, kept across `exec`). steerd must serve on it, not
    /// bind --socket, and leave the file's mode and existence alone.
    func testServeUsesThePassedSocketAndLeavesItsFileAlone() throws {
        let exe = SteerProcess.executable
        XCTAssertTrue(FileManager.default.isExecutableFile(atPath: exe), "build the package first: no \(exe)")
        let directory = try temporaryDirectory("steer-activation")
        let passed = directory + "/passed.sock"
        let flagged = directory + "/flag.sock"  // given as --socket: must never be bound
        let listener = try Self.listeningSocket(at: passed)
        XCTAssertEqual(chmod(passed, 0o640), 0)

        let script = "LISTEN_PID=$$ exec \"$0\" serve --socket \"$1\" --snapshot-dir \"$2\" --log-level error 2>>\"$3\""
        let pid = try Self.spawn("/bin/sh", ["-c", script, exe, flagged, directory + "/snapshots", directory + "/steerd.log"],
                                 environment: ["LISTEN_FDS": "1"], passing: listener)
        close(listener)  // only steerd holds it now: if steerd dies, connecting fails instead of hanging
        var status: Int32 = 0
        var reaped = false
        defer { if !reaped { kill(pid, SIGKILL); waitpid(pid, &status, 0) } }

        // The socket listens from the start, so a steerd that ignored fd 3 would leave this call
        // queued forever: give up after 30 s by killing steerd, which fails the call.
        let health = try Self.health(at: passed, within: 30) { kill(pid, SIGKILL) }
        XCTAssertTrue(health.live)
        XCTAssertFalse(FileManager.default.fileExists(atPath: flagged), "steerd bound --socket although it was given one")
        var info = stat()
        XCTAssertEqual(stat(passed, &info), 0)
        XCTAssertEqual(info.st_mode & 0o777, 0o640, "steerd changed the mode of a socket it did not create")

        XCTAssertEqual(kill(pid, SIGTERM), 0)
        XCTAssertEqual(waitpid(pid, &status, 0), pid)
        reaped = true
        // An empty log is not handed to Foundation, whose reader keeps (leaks) a 4 KB buffer for it.
        var logInfo = stat()
        let logPath = directory + "/steerd.log"
        let log = stat(logPath, &logInfo) == 0 && logInfo.st_size > 0 ? (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" : ""
        XCTAssertTrue(status & 0x7f == 0 && (status >> 8) & 0xff == 0, "steerd exited with wait status \(status): \(log)")
        XCTAssertTrue(FileManager.default.fileExists(atPath: passed), "steerd removed a socket it did not create")
    }

    /// Health over `path`, calling `giveUp` (which must make the call fail) when no answer comes in time.
    private static func health(at path: String, within seconds: Int, giveUp: () -> Void) throws -> HealthResponse {
        final class Outcome: @unchecked Sendable { var result: Result<HealthResponse, Error>? }
        let outcome = Outcome()
        let done = DispatchSemaphore(value: 0)
        Thread {
            outcome.result = Result { try SteerConnection(socketPath: path).call(.health, HealthRequest(), as: HealthResponse.self) }
            done.signal()
        }.start()
        if done.wait(timeout: .now() + .seconds(seconds)) == .timedOut {
            giveUp()
            done.wait()
            XCTFail("no answer on \(path) within \(seconds) s")
        }
        return try outcome.result!.get()
    }

    /// A bound, listening Unix stream socket, never on descriptor 3 (so dup2 onto 3 is a real copy).
    private static func listeningSocket(at path: String) throws -> Int32 {
        var fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.init(rawValue: errno)!) }
        if fd == SocketActivation.firstDescriptor {
            let moved = fcntl(fd, F_DUPFD_CLOEXEC, 4)
            close(fd)
            fd = moved
        }
        let bound = withUnixSocketAddress(path) { bind(fd, $0, $1) }
        guard bound == 0, listen(fd, 16) == 0 else {
            let error = POSIXError(.init(rawValue: errno)!)
            close(fd)
            throw error
        }
        return fd
    }

    /// posix_spawn with `descriptor` duplicated onto fd 3 in the child (Foundation's Process cannot place descriptors).
    private static func spawn(_ path: String, _ arguments: [String], environment extra: [String: String],
                              passing descriptor: Int32) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, descriptor, SocketActivation.firstDescriptor)
        var environment = ProcessInfo.processInfo.environment
        for (key, value) in extra { environment[key] = value }
        environment["LISTEN_PID"] = nil
        let argv: [UnsafeMutablePointer<CChar>?] = ([path] + arguments).map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for p in argv + envp { free(p) } }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, path, &actions, nil, argv, envp)
        guard result == 0 else { throw POSIXError(.init(rawValue: result)!) }
        return pid
    }
}
