// `steer serve --config FILE`: keys mirror the flags, flags win, bad keys and types name key and file.
import Foundation
import Logging
import SteerClient
import SteerDaemon
import SteerText
import SteerWire
import XCTest

final class ServeSettingsTests: XCTestCase {
    private var directory = ""

    override func setUpWithError() throws {
        directory = NSTemporaryDirectory() + "steer-settings-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: directory)
    }

    private func file(_ json: String) throws -> String {
        let path = directory + "/steerd.json"
        try json.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func testEveryKeyIsReadAndRelativePathsAreTakenFromTheFilesDirectory() throws {
        let path = try file("""
        {"socket": "run/steerd.sock", "socketMode": "0600", "maxFrameSize": 1048576, "pluginDir": "/opt/steer/lib",
         "snapshotDir": "snapshots", "index": "/srv/items.snap", "encoder": "models/minilm", "promptCacheMB": 8, "minPartConfidence": 0.9,
         "maxInFlightPerConnection": 16, "maxInFlight": 64, "maxQueuedRowsPerConnection": 512, "shutdownGrace": 2.5, "maxResponseSize": 65536,
         "maxConnections": 100, "idleTimeout": 30.5, "listenBacklog": 512, "blasThreads": 2, "logLevel": "debug", "allowedUIDs": [1000, 1001], "allowedGIDs": [],
         "encoderPrecision": "fp32", "router": "models/router-encoder/router-head.json"}
        """)
        let settings = try ServeSettings.load(path: path)
        XCTAssertEqual(settings.socket, directory + "/run/steerd.sock")
        XCTAssertEqual(settings.snapshotDir, directory + "/snapshots")
        XCTAssertEqual(settings.encoder, directory + "/models/minilm")
        XCTAssertEqual(settings.router, directory + "/models/router-encoder/router-head.json")
        XCTAssertEqual(settings.pluginDir, "/opt/steer/lib")
        let resolved = try settings.resolve(executableDirectory: "/bin", cacheDirectory: "/cache")
        let c = resolved.configuration
        XCTAssertEqual(c.socketMode, 0o600)
        XCTAssertEqual(c.maxFrameSize, 1 << 20)
        XCTAssertEqual(c.indexSnapshotPath, "/srv/items.snap")
        XCTAssertTrue(c.encoderRequired)
        XCTAssertEqual(c.promptCacheBytes, 8 << 20)
        XCTAssertEqual(c.minimumPartConfidence, 0.9)
        XCTAssertEqual(c.shutdownGracePeriodSeconds, 2.5)
        XCTAssertEqual(c.maxInFlightPerConnection, 16)
        XCTAssertEqual(c.maxInFlightTotal, 64)
        XCTAssertEqual(c.maxQueuedRowsPerConnection, 512)
        XCTAssertEqual(c.maxResponseSize, 65536)
        XCTAssertEqual(c.responseSizeLimit, 65536)
        XCTAssertEqual(c.maxConnections, 100)
        XCTAssertEqual(c.idleTimeoutSeconds, 30.5)
        XCTAssertEqual(c.listenBacklog, 512)
        XCTAssertEqual(c.allowedUIDs, [1000, 1001])
        XCTAssertEqual(c.allowedGIDs, [])
        XCTAssertEqual(resolved.blasThreads, 2)
        XCTAssertEqual(resolved.logLevel, .debug)
        XCTAssertEqual(resolved.configuration.encoderPrecision, .fp32)
        XCTAssertEqual(c.routerFile, directory + "/models/router-encoder/router-head.json")
    }

    func testTheDeployExampleLoads() throws {
        let example = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Deploy/steerd.json").path
        let settings = try ServeSettings.load(path: example)
        XCTAssertEqual(settings.socket, "/run/steer/steerd.sock")
        XCTAssertEqual(try settings.resolve(executableDirectory: "/", cacheDirectory: "/").configuration.socketMode, 0o660)
    }

    func testFlagsWinOverTheFileKeyByKey() throws {
        let fromFile = try ServeSettings.load(path: try file("""
        {"socket": "/run/a.sock", "socketMode": "600", "logLevel": "debug", "allowedUIDs": [1000], "shutdownGrace": 3}
        """))
        var flags = ServeSettings()
        flags.socket = "/run/b.sock"
        flags.allowedUIDs = [2000]
        flags.logLevel = "error"
        let merged = flags.overriding(fromFile)
        XCTAssertEqual(merged.socket, "/run/b.sock")
        XCTAssertEqual(merged.allowedUIDs, [2000])
        XCTAssertEqual(merged.logLevel, "error")
        XCTAssertEqual(merged.socketMode, "600", "not given as a flag: the file's value stands")
        XCTAssertEqual(merged.shutdownGrace, 3)
        XCTAssertNil(merged.maxFrameSize, "in neither: left to the default")
    }

    func testDefaultsFillWhatNeitherGives() throws {
        let resolved = try ServeSettings().resolve(executableDirectory: "/opt/steer/bin", cacheDirectory: "/cache")
        let c = resolved.configuration
        XCTAssertEqual(c.socketPath, SocketPaths.defaultSocketPath)
        XCTAssertEqual(c.socketMode, 0o660)
        XCTAssertEqual(c.maxFrameSize, Framing.defaultMaxFrameSize)
        XCTAssertEqual(c.pluginDirectory, "/opt/steer/bin")
        XCTAssertEqual(c.snapshotDirectory, "/cache/snapshots")
        XCTAssertEqual(c.encoderDirectory, "/cache/models/all-MiniLM-L6-v2")
        XCTAssertFalse(c.encoderRequired)
        XCTAssertEqual(c.promptCacheBytes, 32 << 20)
        XCTAssertEqual(c.minimumPartConfidence, 0.75)
        XCTAssertEqual(c.shutdownGracePeriodSeconds, 10)
        XCTAssertNil(c.maxResponseSize)
        XCTAssertEqual(c.responseSizeLimit, c.maxFrameSize, "the response bound defaults to the frame bound")
        XCTAssertEqual(c.maxConnections, 4096)
        XCTAssertEqual(c.idleTimeoutSeconds, 300)
        XCTAssertEqual(c.listenBacklog, 4096)
        XCTAssertEqual(c.allowedUIDs, [getuid()])
        XCTAssertEqual(c.allowedGIDs, [getgid()])
        XCTAssertEqual(resolved.logLevel, .info)
        XCTAssertEqual(resolved.blasThreads, 1)
        XCTAssertEqual(c.encoderPrecision, .int8, "steer serve runs the int8 encoder unless told otherwise")
    }

    private func assertLoadFails(_ json: String, mentioning fragments: [String], line: UInt = #line) throws {
        let path = try file(json)
        XCTAssertThrowsError(try ServeSettings.load(path: path), line: line) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains(path), "the file is not named: \(text)", line: line)
            for fragment in fragments {
                XCTAssertTrue(text.contains(fragment), "\"\(fragment)\" not in: \(text)", line: line)
            }
        }
    }

    func testUnknownKeysAreErrorsNamingKeyAndFile() throws {
        try assertLoadFails(#"{"socket": "/s", "sokcetMode": "660"}"#, mentioning: ["unknown key \"sokcetMode\"", "socketMode"])
        try assertLoadFails(#"{"prompt-cache-mb": 8}"#, mentioning: ["unknown key \"prompt-cache-mb\""])
    }

    func testWrongTypesAreErrorsNamingKeyAndFile() throws {
        try assertLoadFails(#"{"socket": 3}"#, mentioning: ["\"socket\" must be a string"])
        try assertLoadFails(#"{"socketMode": 660}"#, mentioning: ["\"socketMode\" must be a string of octal digits"])
        try assertLoadFails(#"{"maxFrameSize": "4M"}"#, mentioning: ["\"maxFrameSize\" must be an integer"])
        try assertLoadFails(#"{"maxFrameSize": 1.5}"#, mentioning: ["\"maxFrameSize\" must be an integer"])
        try assertLoadFails(#"{"shutdownGrace": "10"}"#, mentioning: ["\"shutdownGrace\" must be a number"])
        try assertLoadFails(#"{"maxInFlight": 0}"#, mentioning: ["\"maxInFlight\"", "1...1048576"])
        try assertLoadFails(#"{"maxInFlightPerConnection": "8"}"#, mentioning: ["\"maxInFlightPerConnection\" must be an integer"])
        try assertLoadFails(#"{"blasThreads": true}"#, mentioning: ["\"blasThreads\" must be an integer"])
        try assertLoadFails(#"{"allowedUIDs": 1000}"#, mentioning: ["\"allowedUIDs\" must be an array"])
        try assertLoadFails(#"{"allowedGIDs": [-1]}"#, mentioning: ["\"allowedGIDs\" must be an array"])
        try assertLoadFails(#"{"index": null}"#, mentioning: ["\"index\" must be a string"])
    }

    func testBadValuesNameKeyAndFile() throws {
        try assertLoadFails(#"{"socketMode": "999"}"#, mentioning: ["\"socketMode\"", "octal"])
        try assertLoadFails(#"{"logLevel": "loud"}"#, mentioning: ["\"logLevel\"", "trace"])
        try assertLoadFails(#"{"encoderPrecision": "fp16"}"#, mentioning: ["encoderPrecision", "fp32 or int8", "fp16"])
        try assertLoadFails(#"{"maxFrameSize": 10}"#, mentioning: ["\"maxFrameSize\"", "64..."])
        try assertLoadFails(#"{"maxResponseSize": 10}"#, mentioning: ["\"maxResponseSize\"", "64..."])
        try assertLoadFails(#"{"maxConnections": 0}"#, mentioning: ["\"maxConnections\"", "1...1048576"])
        try assertLoadFails(#"{"idleTimeout": -1}"#, mentioning: ["\"idleTimeout\"", "0...86400"])
        try assertLoadFails(#"{"listenBacklog": 0}"#, mentioning: ["\"listenBacklog\"", "1...1048576"])
        try assertLoadFails(#"{"idleTimeout": "5"}"#, mentioning: ["\"idleTimeout\" must be a number"])
        try assertLoadFails(#"{"minPartConfidence": 1.5}"#, mentioning: ["\"minPartConfidence\"", "0...1"])
        try assertLoadFails(#"{"minPartConfidence": "high"}"#, mentioning: ["\"minPartConfidence\" must be a number"])
        try assertLoadFails(#"["socket"]"#, mentioning: ["one JSON object"])
        try assertLoadFails(#"{"socket": "/s""#, mentioning: ["not valid JSON"])
        XCTAssertThrowsError(try ServeSettings.load(path: directory + "/missing.json")) {
            XCTAssertTrue("\($0)".contains("missing.json"), "\($0)")
        }
    }

    func testBadFlagValuesNameTheFlag() {
        var flags = ServeSettings()
        flags.socketMode = "rw"
        XCTAssertThrowsError(try flags.resolve(executableDirectory: "/", cacheDirectory: "/")) {
            XCTAssertTrue("\($0)".contains("--socket-mode"), "\($0)")
        }
        flags = ServeSettings()
        flags.minPartConfidence = -0.1
        XCTAssertThrowsError(try flags.resolve(executableDirectory: "/", cacheDirectory: "/")) {
            XCTAssertTrue("\($0)".contains("--min-part-confidence"), "\($0)")
        }
    }

    /// The real command: the file's socket is overridden by --socket; a bad file stops the start.
    func testServeReadsTheFileAndItsFlagsWin() throws {
        let fromFile = directory + "/file.sock"
        let fromFlag = directory + "/flag.sock"
        let config = try file("""
        {"socket": "file.sock", "socketMode": "0600", "snapshotDir": "snapshots", "logLevel": "error"}
        """)
        let process = SteerProcess.process(["serve", "--config", config, "--socket", fromFlag])
        try process.run()
        defer { if process.isRunning { process.terminate(); process.waitUntilExit() } }
        XCTAssertTrue(SteerProcess.waitForSocket(fromFlag), "steer serve did not listen on the --socket path")
        XCTAssertTrue(try SteerConnection(socketPath: fromFlag).call(.health, HealthRequest(), as: HealthResponse.self).live)
        XCTAssertFalse(FileManager.default.fileExists(atPath: fromFile), "the file's socket was used despite --socket")
        var info = stat()
        XCTAssertEqual(stat(fromFlag, &info), 0)
        XCTAssertEqual(info.st_mode & 0o777, 0o600, "socketMode from the file")
        process.terminate()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0)

        let bad = try file(#"{"socket": "/tmp/x.sock", "allowedUids": [1000]}"#)
        let refused = try SteerProcess.run(["serve", "--config", bad])
        XCTAssertEqual(refused.status, 1)
        XCTAssertTrue(refused.stderr.contains(bad) && refused.stderr.contains("unknown key \"allowedUids\""), refused.stderr)
    }
}
