// The prompt memory's arithmetic on hand-made embeddings: which neighbours, in which order, with
// which weights, and how a request's vector is mixed with theirs.
import Foundation
import SteerPrompt
import XCTest

final class PromptMemoryTests: XCTestCase {
    /// Four unit vectors in 3-d; the query (1, 0, 0) has cosines 1, 0.8, 0.6 and 0 with them.
    private let memory = PromptMemory(texts: ["same", "near", "farther", "orthogonal"],
                                      embeddings: [1, 0, 0, 0.8, 0.6, 0, 0.6, 0.8, 0, 0, 0, 1], dimension: 3)

    func testNeighboursAreTheNearestWithSoftmaxWeights() {
        let near = memory.neighbours(of: [1, 0, 0], count: 3)
        XCTAssertEqual(near.map(\.text), ["same", "near", "farther"])
        // softmax(cosine / 0.05): relative weights 1, e^-4, e^-8.
        let raw = [1, exp(-0.2 / 0.05), exp(-0.4 / 0.05)]
        for (neighbour, expected) in zip(near, raw.map { $0 / raw.reduce(0, +) }) {
            XCTAssertEqual(Double(neighbour.weight), expected, accuracy: 1e-6)
        }
        XCTAssertEqual(memory.neighbours(of: [1, 0, 0], count: 10).count, 4, "never more than the memory holds")
        XCTAssertTrue(memory.neighbours(of: [1, 0, 0], count: 0).isEmpty)
        XCTAssertTrue(PromptMemory(texts: [], embeddings: [], dimension: 3).neighbours(of: [1, 0, 0]).isEmpty)
    }

    func testTiesGoToTheEarlierWording() {
        let twins = PromptMemory(texts: ["first", "second", "third"], embeddings: [0, 1, 0, 0, 1, 0, 1, 0, 0], dimension: 3)
        XCTAssertEqual(twins.neighbours(of: [0, 1, 0], count: 1).map(\.text), ["first"])
        XCTAssertEqual(twins.neighbours(of: [0, 1, 0], count: 2).map(\.text), ["first", "second"])
    }

    func testMixWeighsTheRequestAgainstItsNeighbours() {
        let mixed = PromptMemory.mix(own: [3, 0], neighbours: [([0, 3], 0.75), ([3, 3], 0.25)])
        // (0.5 · (3, 0) + 0.75 · (0, 3) + 0.25 · (3, 3)) / 1.5
        XCTAssertEqual(mixed[0], (1.5 + 0.75) / 1.5, accuracy: 1e-6)
        XCTAssertEqual(mixed[1], (2.25 + 0.75) / 1.5, accuracy: 1e-6)
        let alone = PromptMemory.mix(own: [2, 4], neighbours: [])
        XCTAssertEqual(alone[0], 2, accuracy: 1e-6, "without neighbours: the request's own vector")
        XCTAssertEqual(alone[1], 4, accuracy: 1e-6)
    }
}
