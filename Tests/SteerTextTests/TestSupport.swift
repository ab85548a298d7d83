// Shared helpers of the SteerText tests: model folders in the Steer cache, the reference
// fixtures, vector comparisons.
import Foundation
import XCTest
@testable import SteerText

/// The Steer cache: $STEER_CACHE, else ~/.cache/steer (what Scripts/setup fills).
func steerCache() -> URL {
    if let path = ProcessInfo.processInfo.environment["STEER_CACHE"], !path.isEmpty {
        return URL(fileURLWithPath: path)
    }
    return FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/steer")
}

/// A model folder in the cache, or nil when its weights are not there.
func modelFolder(_ name: String) -> URL? {
    let url = steerCache().appendingPathComponent("models").appendingPathComponent(name)
    return FileManager.default.fileExists(atPath: url.appendingPathComponent("model.safetensors").path) ? url : nil
}

/// One reference case: what sentence-transformers produced for `text`.
struct ReferenceCase: Decodable {
    let text: String
    let inputIDs: [Int32]
    let embedding: [Double]

    enum CodingKeys: String, CodingKey {
        case text, embedding
        case inputIDs = "input_ids"
    }
}

struct Reference: Decodable {
    let model: String
    let cases: [ReferenceCase]
}

/// Tests/Fixtures/encoders/<name>.
func loadReference(_ name: String) throws -> Reference {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/encoders").appendingPathComponent(name)
    return try JSONDecoder().decode(Reference.self, from: Data(contentsOf: url))
}

/// Cosine similarity and max absolute difference, in Double.
func compare(_ a: [Float], _ b: [Double]) -> (cosine: Double, maxAbsDiff: Double) {
    precondition(a.count == b.count)
    var dot = 0.0, na = 0.0, nb = 0.0, maxDiff = 0.0
    for (x, y) in zip(a.map(Double.init), b) {
        dot += x * y
        na += x * x
        nb += y * y
        maxDiff = max(maxDiff, abs(x - y))
    }
    return (dot / (na.squareRoot() * nb.squareRoot()), maxDiff)
}

/// The SteerTextError thrown by `body`, failing the test when it throws nothing or another type.
func textError(file: StaticString = #filePath, line: UInt = #line, _ body: () throws -> Void) -> SteerTextError? {
    do {
        try body()
        XCTFail("expected a SteerTextError, nothing was thrown", file: file, line: line)
    } catch let error as SteerTextError {
        return error
    } catch {
        XCTFail("expected a SteerTextError, got \(error)", file: file, line: line)
    }
    return nil
}

/// A temporary directory removed when the test ends.
func temporaryDirectory(_ test: XCTestCase) throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("steer-text-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    test.addTeardownBlock { try? FileManager.default.removeItem(at: url) }
    return url
}
