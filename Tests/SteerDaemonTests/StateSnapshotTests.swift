// SaveSnapshot writes the served model, the item index and the prompt cache; LoadSnapshot (in
// another daemon) brings all three back; corrupt files are refused and change nothing.
import Foundation
import SteerClient
import SteerDaemon
import SteerDPR
import SteerDaemonTestSupport
import SteerPrompt
import SteerSnapshot
import SteerWire
import XCTest

final class StateSnapshotTests: XCTestCase {
    private let fixture = SteeringFixture()
    private let prompts = ["something funny with dogs", "no horror tonight", "a quiet drama"]

    /// A daemon serving the MeanPool fixture with a DPR head, whose cache holds `prompts`.
    private func servingDaemon() async throws -> (TestDaemon, SteerConnection) {
        let daemon = try await TestDaemon(pluginDirectory: try MeanPoolPlugin.directory.get(), encoderDirectory: miniLMDirectory)
        let head = try SteeringFixture.head(keyValue: .tokens)
        try fixture.writeCheckpoint(to: daemon.directory + "/snapshots/model.snap", headArchive: head.archived())
        let connection = try daemon.connect()
        _ = try connection.call(.loadBackbone, LoadBackboneRequest(name: "MeanPool", checkpoint: "model.snap"), as: LoadBackboneResponse.self)
        for prompt in prompts {
            _ = try connection.call(.recommend, RecommendRequest(history: [3, 17, 5], prompt: prompt, k: 5), as: RecommendResponse.self)
        }
        return (daemon, connection)
    }

    private func status(_ body: () throws -> Any) -> StatusCode? {
        do { _ = try body(); return .ok } catch let error as RPCError { return error.status } catch { return nil }
    }

    func testAStateSnapshotRestoresModelIndexAndPromptCacheInAnotherDaemon() async throws {
        let (first, connection) = try await servingDaemon()
        let expected = try prompts.map {
            try connection.call(.recommend, RecommendRequest(history: [3, 17, 5], prompt: $0, k: 5), as: RecommendResponse.self)
        }
        let saved = try connection.call(.saveSnapshot, SaveSnapshotRequest(name: "state.snap"), as: SaveSnapshotResponse.self)
        XCTAssertEqual(saved.backbone, "MeanPool")
        // Each prompt: its pooled embedding and its token states.
        XCTAssertEqual(saved.promptCacheEntries, UInt32(2 * prompts.count))
        let bytes = try Data(contentsOf: URL(fileURLWithPath: saved.path))
        XCTAssertEqual(UInt64(bytes.count), saved.bytes)

        // A fresh daemon with nothing loaded: Recommend is refused until the snapshot is loaded.
        let second = try await TestDaemon(pluginDirectory: try MeanPoolPlugin.directory.get(), encoderDirectory: miniLMDirectory)
        try bytes.write(to: URL(fileURLWithPath: second.directory + "/snapshots/state.snap"))
        let other = try second.connect()
        XCTAssertNotEqual(status { try other.call(.recommend, RecommendRequest(history: [3, 17, 5], k: 5), as: RecommendResponse.self) }, .ok)
        let loaded = try other.call(.loadSnapshot, LoadSnapshotRequest(name: "state.snap"), as: LoadSnapshotResponse.self)
        XCTAssertEqual(loaded.backbone, "MeanPool")
        XCTAssertEqual(loaded.nItems, UInt32(SteeringFixture.itemCount))
        XCTAssertEqual(loaded.dim, UInt32(SteeringFixture.dim))
        XCTAssertEqual(loaded.promptCacheEntries, UInt32(2 * prompts.count))
        // Same answers, and every prompt is served from the restored cache (no new misses).
        for (prompt, answer) in zip(prompts, expected) {
            let again = try other.call(.recommend, RecommendRequest(history: [3, 17, 5], prompt: prompt, k: 5), as: RecommendResponse.self)
            XCTAssertEqual(again.itemIDs, answer.itemIDs, prompt)
            XCTAssertEqual(again.scores, answer.scores, prompt)
            XCTAssertEqual(again.titles, answer.titles, prompt)
        }
        let text = try other.call(.stats, StatsRequest(), as: StatsResponse.self).prometheusText
        XCTAssertTrue(text.contains("steer_prompt_cache_misses_total 0\n"), text)
        try await first.stop()
        try await second.stop()
    }

    func testCorruptOrTruncatedStateIsRefusedAndTheServedModelStays() async throws {
        let (daemon, connection) = try await servingDaemon()
        let saved = try connection.call(.saveSnapshot, SaveSnapshotRequest(name: "state.snap"), as: SaveSnapshotResponse.self)
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: saved.path)))
        let before = try connection.call(.recommend, RecommendRequest(history: [1, 2], k: 5), as: RecommendResponse.self)

        var flipped = bytes
        flipped[flipped.count / 2] ^= 0x40
        try Data(flipped).write(to: URL(fileURLWithPath: daemon.directory + "/snapshots/flipped.snap"))
        try Data(bytes.prefix(bytes.count - 7)).write(to: URL(fileURLWithPath: daemon.directory + "/snapshots/short.snap"))
        for name in ["flipped.snap", "short.snap"] {
            XCTAssertThrowsError(try connection.call(.loadSnapshot, LoadSnapshotRequest(name: name), as: LoadSnapshotResponse.self)) { error in
                XCTAssertEqual((error as? RPCError)?.status, .dataLoss, "\(name): \(error)")
            }
        }
        // A well-formed state naming a plugin this daemon does not have: refused, nothing changes.
        var state = try Snapshot(decoding: bytes)
        state.put(strings: ["NoSuchPlugin"], as: "model_plugin")
        bytes = try state.encode()
        try Data(bytes).write(to: URL(fileURLWithPath: daemon.directory + "/snapshots/other.snap"))
        XCTAssertThrowsError(try connection.call(.loadSnapshot, LoadSnapshotRequest(name: "other.snap"), as: LoadSnapshotResponse.self))
        let after = try connection.call(.recommend, RecommendRequest(history: [1, 2], k: 5), as: RecommendResponse.self)
        XCTAssertEqual(after.itemIDs, before.itemIDs)
        XCTAssertEqual(after.scores, before.scores)
        try await daemon.stop()
    }

    /// The state layout, byte by byte: a one-entry cache and nothing else.
    func testStateSectionsByteByByte() throws {
        let state = DaemonState(model: nil, index: nil,
                                promptCache: [PromptCache.Entry(encoder: "e", text: "ab", embedding: [1.0])])
        let s = state.snapshot()
        XCTAssertEqual(s.kind, "steerd-state")
        XCTAssertEqual(Set(s.sections.keys), ["state_meta", "prompt_cache.encoders", "prompt_cache.texts", "prompt_cache.dims",
                                              "prompt_cache.values"])
        XCTAssertEqual(s.sections["state_meta"], [1, 0, 0, 0, 0, 0, 0, 0])
        XCTAssertEqual(s.sections["prompt_cache.encoders"], [1, 0, 0, 0, 1, 0, 0, 0, 0x65])
        XCTAssertEqual(s.sections["prompt_cache.texts"], [1, 0, 0, 0, 2, 0, 0, 0, 0x61, 0x62])
        XCTAssertEqual(s.sections["prompt_cache.dims"], [1, 0, 0, 0])
        XCTAssertEqual(s.sections["prompt_cache.values"], [0, 0, 0x80, 0x3F])

        // The same sections, written by hand, decode to the same state.
        let handMade = Snapshot(kind: "steerd-state", sections: [
            "state_meta": [1, 0, 0, 0, 0, 0, 0, 0], "prompt_cache.encoders": [1, 0, 0, 0, 1, 0, 0, 0, 0x65],
            "prompt_cache.texts": [1, 0, 0, 0, 2, 0, 0, 0, 0x61, 0x62], "prompt_cache.dims": [1, 0, 0, 0],
            "prompt_cache.values": [0, 0, 0x80, 0x3F],
            "model_plugin": [1, 0, 0, 0, 3, 0, 0, 0, 0x47, 0x52, 0x55],
        ])
        let decoded = try DaemonState(snapshot: handMade)
        XCTAssertEqual(decoded.promptCache, state.promptCache)
        XCTAssertEqual(decoded.model?.plugin, "GRU")
        XCTAssertNil(decoded.model?.checkpoint ?? nil)
        XCTAssertNil(decoded.index)

        // Each inconsistency is refused.
        func refused(_ change: (inout Snapshot) -> Void) -> Bool {
            var bad = handMade
            change(&bad)
            return (try? DaemonState(snapshot: bad)) == nil
        }
        XCTAssertTrue(refused { $0.sections["state_meta"] = [2, 0, 0, 0, 0, 0, 0, 0] }, "an unknown layout")
        XCTAssertTrue(refused { $0.sections["prompt_cache.dims"] = [2, 0, 0, 0] }, "sizes that do not sum to the values")
        XCTAssertTrue(refused { $0.sections["prompt_cache.texts"] = [0, 0, 0, 0] }, "fewer texts than encoders")
        XCTAssertTrue(refused { $0.sections["model_plugin"] = [0, 0, 0, 0] }, "no plugin name")
        XCTAssertTrue(refused { $0.sections["index.meta"] = [1] }, "a malformed index")
        XCTAssertTrue(refused { $0.kind = "item-index" }, "another kind")
    }
}
