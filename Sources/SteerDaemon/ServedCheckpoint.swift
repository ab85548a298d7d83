// What steerd takes from a "backbone-checkpoint" snapshot: the plugin's config and weights, the
// DPR head when the file holds a promptable model, and the item vocabulary's titles and categories.
import SteerDPR
import SteerSnapshot

/// The sections of a checkpoint that LoadBackbone serves (the layout `steer train` and
/// `steer train-dpr` write; SteerTraining's `BackboneCheckpoint` is the writer).
struct ServedCheckpoint {
    /// The item side of the checkpoint: titles and categories of ids 0..<count.
    struct Items {
        var titles: [String]
        var categoryNames: [String]
        var itemCategories: [[UInt32]]
    }

    var config: String
    var weights: [UInt8]
    /// The promptable head (`dpr_head`), when present.
    var head: DPRHead?
    /// Present when the file carries `item_tokens` (every checkpoint `steer train` writes).
    var items: Items?

    /// - Throws: `SnapshotError` for a wrong kind or malformed sections, `DPRError` for a head
    ///   archive that does not decode.
    init(_ s: Snapshot) throws {
        try s.requireKind("backbone-checkpoint")
        config = String(decoding: try s.section("config"), as: UTF8.self)
        weights = try s.section("weights")
        head = try s.sections["dpr_head"].map { try DPRHead(archive: $0) }
        guard s.sections["item_tokens"] != nil else { return }
        let tokens = try s.strings("item_tokens")
        // Titles fall back to the tokens (the catalog's own ids) when the file has none.
        let titles = s.sections["item_titles"] == nil ? tokens : try s.strings("item_titles")
        let offsets = try s.uint32s("item_category_offsets"), ids = try s.uint32s("item_category_ids")
        guard titles.count == tokens.count, offsets.count == tokens.count + 1, offsets.first == 0,
              offsets.last.map(Int.init) == ids.count, zip(offsets, offsets.dropFirst()).allSatisfy({ $0 <= $1 }) else {
            throw SnapshotError.malformed(
                "item sections do not agree: \(tokens.count) tokens, \(titles.count) titles, \(offsets.count) category offsets for \(ids.count) ids")
        }
        items = Items(titles: titles, categoryNames: try s.strings("category_names"),
                      itemCategories: (0..<tokens.count).map { Array(ids[Int(offsets[$0])..<Int(offsets[$0 + 1])]) })
    }
}
