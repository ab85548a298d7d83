// A trained backbone on disk: plugin name, its weights, and the id vocabulary it was trained on.
import SteerSnapshot

/// A "backbone-checkpoint" snapshot (zstd, checksummed, written atomically).
///
/// Sections: `plugin` (name), `config` (empty: the weights carry their config), `weights`
/// (the plugin's `save` output), `item_tokens`, `item_titles`, `category_names`,
/// `item_category_offsets` + `item_category_ids` (CSR), `training` (JSON: options and metrics).
/// steerd's LoadBackbone reads `config` and `weights`; the rest maps ids back to items.
/// A DPR model (stages 2–3) is the same file plus `dpr_head` (the head's archive) and
/// `dpr_training` (JSON: encoder, stages, options, validation): one file carries the whole
/// promptable model, and a plain backbone reader still loads its fine-tuned backbone.
public struct BackboneCheckpoint {
    public static let kind = "backbone-checkpoint"
    public var plugin: String
    public var weights: [UInt8]
    public var itemTokens: [String]
    public var itemTitles: [String]
    public var categoryNames: [String]
    public var itemCategories: [[Int32]]
    public var trainingJSON: String
    /// The DPR head's archive (`DPRHead.archived()`), when the file holds a promptable model.
    public var dprHead: [UInt8]?
    /// How the DPR head was trained (JSON), alongside ``dprHead``.
    public var dprTrainingJSON: String?

    public init(plugin: String, weights: [UInt8], itemTokens: [String], itemTitles: [String], categoryNames: [String],
                itemCategories: [[Int32]], trainingJSON: String) {
        self.plugin = plugin
        self.weights = weights
        self.itemTokens = itemTokens
        self.itemTitles = itemTitles
        self.categoryNames = categoryNames
        self.itemCategories = itemCategories
        self.trainingJSON = trainingJSON
    }

    public var snapshot: Snapshot {
        var s = Snapshot(kind: Self.kind, sections: [
            "plugin": Array(plugin.utf8), "config": [], "weights": weights, "training": Array(trainingJSON.utf8),
        ])
        if let dprHead {
            s.sections["dpr_head"] = dprHead
            s.sections["dpr_training"] = Array((dprTrainingJSON ?? "{}").utf8)
        }
        s.put(strings: itemTokens, as: "item_tokens")
        s.put(strings: itemTitles, as: "item_titles")
        s.put(strings: categoryNames, as: "category_names")
        var offsets: [UInt32] = [0]
        var ids: [UInt32] = []
        for list in itemCategories {
            ids += list.map { UInt32($0) }
            offsets.append(UInt32(ids.count))
        }
        s.put(offsets, as: "item_category_offsets")
        s.put(ids, as: "item_category_ids")
        return s
    }

    public init(snapshot s: Snapshot) throws {
        try s.requireKind(Self.kind)
        plugin = String(decoding: try s.section("plugin"), as: UTF8.self)
        weights = try s.section("weights")
        trainingJSON = String(decoding: try s.section("training"), as: UTF8.self)
        itemTokens = try s.strings("item_tokens")
        itemTitles = try s.strings("item_titles")
        categoryNames = try s.strings("category_names")
        let offsets = try s.uint32s("item_category_offsets"), ids = try s.uint32s("item_category_ids")
        guard offsets.count == itemTokens.count + 1, offsets.last.map(Int.init) == ids.count,
              zip(offsets, offsets.dropFirst()).allSatisfy({ $0 <= $1 }) else {
            throw SnapshotError.malformed("item category offsets do not fit \(itemTokens.count) items and \(ids.count) ids")
        }
        dprHead = s.sections["dpr_head"]
        dprTrainingJSON = s.sections["dpr_training"].map { String(decoding: $0, as: UTF8.self) }
        itemCategories = (0..<itemTokens.count).map { i in ids[Int(offsets[i])..<Int(offsets[i + 1])].map { Int32($0) } }
    }

    public func write(to path: String) throws { try snapshot.write(to: path) }

    public static func load(contentsOf path: String) throws -> BackboneCheckpoint {
        try BackboneCheckpoint(snapshot: Snapshot.read(contentsOf: path))
    }
}
