// Examples/c-client/recommend.c compiled with the documented build line and run against a steerd.
import Foundation
import SteerDaemonTestSupport
import SteerWire
import XCTest

final class ExampleProgramTests: XCTestCase {
    /// The example, built once per test process. A missing C compiler or libprotobuf-c fails the
    /// test rather than skipping it: the package itself needs both (the MeanPool fixture, CSteerProto).
    static let program: Result<String, Error> = Result { try build() }

    private struct Missing: Error, CustomStringConvertible { var description: String }

    private static func build() throws -> String {
        guard let cc = which("cc") else { throw Missing(description: "no C compiler `cc` on PATH: the example cannot be built here") }
        guard which("pkg-config") != nil else { throw Missing(description: "no `pkg-config` on PATH: the example's build line needs it") }
        let flags = try runProcess("/usr/bin/env", ["pkg-config", "--cflags", "--libs", "libprotobuf-c"])
        guard flags.status == 0 else { throw Missing(description: "pkg-config knows no libprotobuf-c: \(flags.standardError)") }
        let output = NSTemporaryDirectory() + "steer-c-example-\(getpid())"
        try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
        // The line of Examples/c-client/README.md, warnings as errors.
        let arguments = ["-std=c11", "-O2", "-Wall", "-Wextra", "-Werror",
                         "-I", repositoryRoot + "/Sources/CSteerClient/include", "-I", repositoryRoot + "/Sources/CSteerProto/include",
                         repositoryRoot + "/Examples/c-client/recommend.c"]
            + ["steer_client.c", "steer_client_io.c", "steer_client_calls.c"].map { repositoryRoot + "/Sources/CSteerClient/" + $0 }
            + [repositoryRoot + "/Sources/CSteerProto/steer/v1/steer.pb-c.c"]
            + flags.standardOutput.split(whereSeparator: \.isWhitespace).map(String.init) + ["-o", output + "/recommend"]
        let compiled = try runProcess(cc, arguments)
        guard compiled.status == 0 else {
            throw NSError(domain: "ExampleProgramTests", code: 1,
                          userInfo: [NSLocalizedDescriptionKey: "the example does not compile:\n\(compiled.standardError)"])
        }
        return output + "/recommend"
    }

    private static func which(_ name: String) -> String? {
        for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let path = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }

    private func programPath() throws -> String { try Self.program.get() }

    /// The (item, title) rows of the program's table.
    private func rows(_ output: String) -> [(item: UInt32, score: Float, title: String)] {
        output.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 4, Int(fields[0]) != nil, let item = UInt32(fields[1]), let score = Float(fields[2]) else { return nil }
            return (item, score, fields[3...].joined(separator: " "))
        }
    }

    func testTheExampleRecommendsWhatTheDaemonAnswers() async throws {
        let program = try programPath()
        let fixture = SteeringFixture()
        let daemon = try await TestDaemon(pluginDirectory: try MeanPoolPlugin.directory.get(), encoderDirectory: miniLMDirectory)
        try fixture.writeCheckpoint(to: daemon.directory + "/snapshots/model.snap", headArchive: try SteeringFixture.head().archived())
        let client = try CClient(socketPath: daemon.socketPath)
        _ = try client.loadBackbone("MeanPool", checkpoint: "model.snap")
        let history: [UInt32] = [1, 2, 30]

        // No prompt: the exact ranking of the user vector.
        let plain = try runProcess(program, ["-s", daemon.socketPath, "-k", "5"] + history.map(String.init))
        XCTAssertEqual(plain.status, 0, plain.standardError)
        XCTAssertTrue(plain.standardOutput.contains("live, ready; 40 items x 8; backbone MeanPool"), plain.standardOutput)
        let expected = fixture.rank(try client.encodeHistory(history), k: 5, excluding: Set(history))
        let printed = rows(plain.standardOutput)
        XCTAssertEqual(printed.map(\.item), expected.map(\.item), plain.standardOutput)
        XCTAssertClose(printed.map(\.score), expected.map(\.score), accuracy: 1e-4)
        XCTAssertEqual(printed.map(\.title), expected.map { item, _ in
            "Movie \(item) [" + SteeringFixture.categories(of: Int(item)).sorted().map { SteeringFixture.categoryNames[Int($0)] }.joined(separator: "|") + "]"
        })

        // A prompt, routed, and the same prompt with its polarity stated the other way.
        let steered = try runProcess(program, ["-s", daemon.socketPath, "-k", "5", "-p", "no horror tonight"] + history.map(String.init))
        XCTAssertEqual(steered.status, 0, steered.standardError)
        XCTAssertTrue(steered.standardOutput.contains("prompt \"no horror tonight\": polarity negative"), steered.standardOutput)
        let answer = try client.recommend(RecommendRequest(history: history, prompt: "no horror tonight", k: 5))
        XCTAssertEqual(rows(steered.standardOutput).map(\.item), answer.itemIDs)
        let stated = try runProcess(program, ["-s", daemon.socketPath, "-k", "5", "-p", "no horror tonight", "-n", "positive"]
                                             + history.map(String.init))
        XCTAssertTrue(stated.standardOutput.contains("polarity positive (confidence 1.000)"), stated.standardOutput)

        // The daemon's error, and a daemon that is not there: exit status 1 with the reason.
        let bad = try runProcess(program, ["-s", daemon.socketPath, "3", "999"])
        XCTAssertEqual(bad.status, 1)
        XCTAssertTrue(bad.standardError.contains("INVALID_ARGUMENT") && bad.standardError.contains("item id 999"), bad.standardError)
        let absent = try runProcess(program, ["-s", daemon.directory + "/nobody.sock", "3"])
        XCTAssertEqual(absent.status, 1)
        XCTAssertTrue(absent.standardError.contains("cannot connect to steerd"), absent.standardError)
        let usage = try runProcess(program, ["-s", daemon.socketPath])
        XCTAssertEqual(usage.status, 2)
        try await daemon.stop()
    }
}
