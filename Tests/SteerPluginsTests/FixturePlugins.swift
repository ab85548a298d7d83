// Compiles the test plugins (Tests/Fixtures/plugins, Plugins/MeanPool) into a temp directory.

import Foundation
import XCTest

@testable import SteerPlugins

/// A plugin directory built once per test process with the system C compiler, so the
/// tests never depend on where SwiftPM put its products.
enum FixturePlugins {
    /// The repository root, found from this file's path (Tests/SteerPluginsTests/…).
    static let repoRoot: String = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    /// Fixture plugin name → the `FIXTURE_<MODE>` macro selecting its behaviour.
    static let fixtureModes: [String: String] = [
        "Good": "GOOD", "WrongMajor": "WRONG_MAJOR", "NewerMinor": "NEWER_MINOR",
        "SmallTable": "SMALL_TABLE", "NullEncode": "NULL_ENCODE", "NoEntry": "NO_ENTRY",
        "NullTable": "NULL_TABLE", "Trainable": "TRAINABLE", "PartialTraining": "PARTIAL_TRAINING",
        "ZeroDim": "ZERO_DIM", "LyingTable": "LYING_TABLE", "CreateFails": "CREATE_FAILS",
    ]

    /// Every plugin the directory holds: the fixtures and MeanPool.
    static var allNames: [String] { (Array(fixtureModes.keys) + ["MeanPool"]).sorted() }

    /// The built directory, or the compiler's complaint.
    static let directory: Result<String, FixtureBuildError> = build()

    /// The plugin directory; fails the calling test if the build failed.
    static func pluginDirectory() throws -> String {
        try directory.get()
    }

    struct FixtureBuildError: Error, CustomStringConvertible {
        let description: String
    }

    private static func build() -> Result<String, FixtureBuildError> {
        let output = NSTemporaryDirectory() + "steer-plugin-fixtures-\(getpid())-\(UUID().uuidString)"
        do {
            try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
            let fixture = repoRoot + "/Tests/Fixtures/plugins/fixture_plugin.c"
            for (name, mode) in fixtureModes {
                try compile([fixture], defines: ["FIXTURE_\(mode)"], into: "\(output)/libSteerBackbone\(name).so")
            }
            let meanPool = try FileManager.default.contentsOfDirectory(atPath: repoRoot + "/Plugins/MeanPool")
                .filter { $0.hasSuffix(".c") }.sorted().map { repoRoot + "/Plugins/MeanPool/" + $0 }
            try compile(
                meanPool, defines: [], includes: [repoRoot + "/Plugins/MeanPool/include"],
                into: "\(output)/libSteerBackboneMeanPool.so")
            // Not plugins: must not be listed.
            _ = FileManager.default.createFile(atPath: output + "/README.txt", contents: Data())
            _ = FileManager.default.createFile(atPath: output + "/libSteerBackbone.so", contents: Data())
            _ = FileManager.default.createFile(atPath: output + "/libSteerBackboneBad-Name.so", contents: Data())
            atexit { FixturePlugins.removeDirectory() }
            return .success(output)
        } catch let error as FixtureBuildError {
            return .failure(error)
        } catch {
            return .failure(FixtureBuildError(description: "\(error)"))
        }
    }

    /// Removes the built directory at process exit (the loaded copies are already unlinked).
    private static func removeDirectory() {
        if case .success(let path) = directory { try? FileManager.default.removeItem(atPath: path) }
    }

    private static func compile(
        _ sources: [String], defines: [String], includes: [String] = [], into library: String
    ) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["cc", "-shared", "-fPIC", "-fvisibility=hidden", "-std=c11", "-O1",
                             "-Wall", "-Wextra", "-Werror", "-Wno-unused-function",
                             "-Wno-unused-const-variable",
                             "-I", repoRoot + "/Sources/CSequentialEncoder/include"]
            + includes.flatMap { ["-I", $0] } + defines.map { "-D" + $0 } + ["-o", library] + sources
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        let message = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw FixtureBuildError(
                description: "cc failed for \(library): \(String(decoding: message, as: UTF8.self))")
        }
    }
}

/// Asserts that `body` throws a ``PluginError`` whose description is exactly `message`.
func XCTAssertPluginError<T>(
    _ body: @autoclosure () throws -> T, kind: PluginError.Kind, _ message: String,
    file: StaticString = #filePath, line: UInt = #line
) {
    XCTAssertThrowsError(try body(), file: file, line: line) { error in
        guard let error = error as? PluginError else {
            return XCTFail("not a PluginError: \(error)", file: file, line: line)
        }
        XCTAssertEqual(error.kind, kind, file: file, line: line)
        XCTAssertEqual(error.description, message, file: file, line: line)
    }
}
