// Shared helpers of the SteerText tests: model folders in the Steer cache, the reference
// fixtures, vector comparisons.
import Foundation
import SteerTestSupport
import XCTest
@testable import SteerText

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

/// Encoders loaded by `sharedEncoder`, by model name: each is loaded once per test process.
private enum LoadedEncoders {
    nonisolated(unsafe) static var byName: [String: any SentenceEncoder] = [:]
    static let lock = NSLock()
}

/// The encoder of model `name` from the cache, loaded with `load` once per test process; when the
/// weights are absent, what `absent` throws (a skip or a failure, as the model is optional or not).
func sharedEncoder<E: SentenceEncoder>(_ name: String, load: (URL) throws -> E, absent: () throws -> Never) throws -> E {
    LoadedEncoders.lock.lock()
    defer { LoadedEncoders.lock.unlock() }
    if let encoder = LoadedEncoders.byName[name] as? E { return encoder }
    guard let folder = modelFolder(name) else { try absent() }
    let encoder = try load(folder)
    LoadedEncoders.byName[name] = encoder
    return encoder
}

/// The tokenizer's ids equal the reference's for every case of fixture `fixture`.
func assertTokenIDsMatchReference(_ tokenizer: WordPieceTokenizer, _ fixture: String) throws {
    for reference in try loadReference(fixture).cases {
        XCTAssertEqual(tokenizer.encode(reference.text), reference.inputIDs, "text: \(reference.text.prefix(60))")
    }
}

/// Every case of fixture `fixture` embedded one by one and in one batch matches the reference:
/// cosine at least 0.9999 and no coordinate off by more than 1e-4.
/// - Returns: the worst cosine and largest difference seen, and the number of cases.
@discardableResult
func assertEmbeddingsMatchReference(_ encoder: some SentenceEncoder, _ fixture: String) throws
    -> (worstCosine: Double, worstDiff: Double, cases: Int) {
    let cases = try loadReference(fixture).cases
    let batched = try encoder.embed(cases.map(\.text))
    var worstCosine = 1.0, worstDiff = 0.0
    for (index, reference) in cases.enumerated() {
        for vector in [try encoder.embed(reference.text), batched[index]] {
            let (cosine, diff) = compare(vector, reference.embedding)
            XCTAssertGreaterThanOrEqual(cosine, 0.9999, reference.text)
            XCTAssertLessThanOrEqual(diff, 1e-4, reference.text)
            worstCosine = min(worstCosine, cosine)
            worstDiff = max(worstDiff, diff)
        }
    }
    return (worstCosine, worstDiff, cases.count)
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
    thrownError(SteerTextError.self, file: file, line: line, body)
}
