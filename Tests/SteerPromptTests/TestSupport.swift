// Shared helpers of the SteerPrompt tests: the MiniLM encoder from the Steer cache and the
// hand-written held-out fixture.
import Foundation
import XCTest
import SteerPrompt
import SteerTestSupport
import SteerText

/// all-MiniLM-L6-v2 from the cache, loaded once per test process. Fails (never skips) when the
/// model is absent: `make test` runs the set-up that downloads it first.
func miniLM(file: StaticString = #filePath, line: UInt = #line) throws -> MiniLMEncoder {
    let url = steerCache().appendingPathComponent("models/all-MiniLM-L6-v2")
    guard FileManager.default.fileExists(atPath: url.appendingPathComponent("model.safetensors").path) else {
        XCTFail("all-MiniLM-L6-v2 is not in \(url.path): run Scripts/setup (make test does)", file: file, line: line)
        throw CocoaError(.fileNoSuchFile)
    }
    return try SharedEncoder.get(url)
}

private enum SharedEncoder {
    nonisolated(unsafe) private static var encoder: MiniLMEncoder?
    private static let lock = NSLock()
    static func get(_ url: URL) throws -> MiniLMEncoder {
        lock.lock()
        defer { lock.unlock() }
        if let encoder { return encoder }
        let loaded = try MiniLMEncoder(directory: url, threads: 1)
        encoder = loaded
        return loaded
    }
}

/// Tests/Fixtures/router/<name>.
func routerFixture(_ name: String) -> URL {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/router").appendingPathComponent(name)
}

/// The hand-written held-out prompts (text TAB positive|negative; "#" lines are comments).
func heldOut(_ name: String = "heldout.tsv") throws -> [TrainingExample] {
    let text = try String(contentsOf: routerFixture(name), encoding: .utf8)
    return try text.split(separator: "\n").compactMap { line -> TrainingExample? in
        if line.hasPrefix("#") || line.allSatisfy(\.isWhitespace) { return nil }
        let parts = line.split(separator: "\t")
        guard parts.count == 2, let polarity = Polarity(rawValue: String(parts[1])) else {
            throw CocoaError(.fileReadCorruptFile, userInfo: [NSDebugDescriptionErrorKey: "bad held-out line: \(line)"])
        }
        return TrainingExample(text: String(parts[0]), polarity: polarity)
    }
}

/// The PromptError thrown by `body`, failing the test when it throws nothing or another type.
func promptError(file: StaticString = #filePath, line: UInt = #line, _ body: () throws -> Void) -> PromptError? {
    thrownError(PromptError.self, file: file, line: line, body)
}
