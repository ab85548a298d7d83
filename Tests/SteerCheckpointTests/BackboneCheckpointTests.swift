// The checkpoint file: what is written reads back equal, what is optional may be missing, and
// item sections that contradict each other are refused with the reason.
import SteerCheckpoint
import SteerSnapshot
import XCTest

final class BackboneCheckpointTests: XCTestCase {
    private func sample() -> BackboneCheckpoint {
        var checkpoint = BackboneCheckpoint(plugin: "SASRec", config: #"{"max_len": 50}"#, weights: [1, 2, 3, 4],
                                            itemTokens: ["10", "20", "30"], itemTitles: ["Heat", "Alien", "Big"],
                                            categoryNames: ["Action", "Horror", "Comedy"], itemCategories: [[0], [1, 0], []],
                                            trainingJSON: #"{"epochs": 3}"#)
        checkpoint.dprHead = [9, 8, 7]
        checkpoint.dprTrainingJSON = #"{"stages": "genre,tags"}"#
        return checkpoint
    }

    func testWhatIsWrittenReadsBackEqualThroughTheFile() throws {
        let path = NSTemporaryDirectory() + "checkpoint-\(UUID().uuidString.prefix(8)).snap"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try sample().write(to: path)
        XCTAssertEqual(try BackboneCheckpoint.load(contentsOf: path), sample())
        // The sections other readers see, byte for byte.
        let s = try Snapshot.read(contentsOf: path)
        XCTAssertEqual(s.kind, "backbone-checkpoint")
        XCTAssertEqual(s.sections["plugin"], Array("SASRec".utf8))
        XCTAssertEqual(s.sections["weights"], [1, 2, 3, 4])
        XCTAssertEqual(s.sections["dpr_head"], [9, 8, 7])
        XCTAssertEqual(try s.uint32s("item_category_offsets"), [0, 1, 3, 3])
        XCTAssertEqual(try s.uint32s("item_category_ids"), [0, 1, 0])
    }

    func testOnlyConfigAndWeightsAreRequired() throws {
        let bare = try BackboneCheckpoint(snapshot: Snapshot(kind: "backbone-checkpoint", sections: ["config": [], "weights": [5]]))
        XCTAssertEqual(bare.plugin, "")
        XCTAssertFalse(bare.hasItems)
        XCTAssertEqual(bare.trainingJSON, "{}")
        XCTAssertNil(bare.dprHead)
        XCTAssertEqual(try BackboneCheckpoint(snapshot: bare.snapshot), bare)
        // Titles fall back to the tokens.
        var s = sample().snapshot
        s.sections["item_titles"] = nil
        XCTAssertEqual(try BackboneCheckpoint(snapshot: s).itemTitles, ["10", "20", "30"])
        for missing in ["config", "weights"] {
            var s = sample().snapshot
            s.sections[missing] = nil
            XCTAssertThrowsError(try BackboneCheckpoint(snapshot: s), missing)
        }
    }

    func testContradictoryItemSectionsAreRefused() throws {
        func refusal(_ change: (inout Snapshot) -> Void) -> String {
            var s = sample().snapshot
            change(&s)
            do { _ = try BackboneCheckpoint(snapshot: s); return "read" } catch { return "\(error)" }
        }
        XCTAssertTrue(refusal { $0.put(strings: ["A", "B"], as: "item_titles") }.contains("3 tokens, 2 titles"))
        XCTAssertTrue(refusal { $0.put([UInt32(0), 1, 3], as: "item_category_offsets") }.contains("3 category offsets"))
        XCTAssertTrue(refusal { $0.put([UInt32(0), 2, 1, 3], as: "item_category_offsets") }.contains("do not agree"))
        XCTAssertTrue(refusal { $0.put([UInt32(0), 1, 7], as: "item_category_ids") }.contains("category id 7 is not below the 3"))
        XCTAssertTrue(refusal { $0 = Snapshot(kind: "steerd-state", sections: $0.sections) }.contains("steerd-state"))
    }
}
