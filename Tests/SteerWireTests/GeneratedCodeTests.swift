// The committed protobuf-c code must be what protoc-c generates from Protos/ now.
import Foundation
import XCTest

final class GeneratedCodeTests: XCTestCase {
    func testCommittedProtobufCCodeIsNotStale() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let process = Process()
        process.executableURL = root.appendingPathComponent("Scripts/gen-proto")
        process.arguments = ["--check", "Sources/CSteerProto"]
        process.currentDirectoryURL = root
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        XCTAssertEqual(process.terminationStatus, 0, "generated code is stale or protoc-c is missing: \(message)")
    }
}
