// A trained backbone on disk: plugin name, its weights, the id vocabulary it was trained on and,
// for a promptable model, its DPR head. The one module that writes and reads this file.
import SteerSnapshot

/// A "backbone-checkpoint" snapshot (zstd, checksummed, written atomically).
///
/// Sections: `plugin` (name), `config` (the plugin's JSON config; empty when the weights carry
/// it), `weights` (the plugin's `save` output), `item_tokens`, `item_titles`, `category_names`,
/// `item_category_offsets` + `item_category_ids` (CSR), `training` (JSON: options and metrics).
/// A DPR model (stages 2–3) is the same file plus `dpr_head` (the head's archive) and
/// `dpr_training` (JSON: encoder, stages, options, validation): one file carries the whole
/// promptable model, and a plain backbone reader still loads its fine-tuned backbone.
///
/// Only `config` and `weights` are required on reading: steerd's LoadBackbone names the plugin in
/// the request, and a checkpoint without item sections (one `steer index --meanpool-checkpoint`
/// writes) serves EncodeHistory but installs no item index.
public struct BackboneCheckpoint: Sendable, Equatable {
    public static let kind = "backbone-checkpoint"
    /// The plugin that wrote the weights; empty when the file does not name it.
    public var plugin: String
    public var config: String
    public var weights: [UInt8]
    /// Item ids 0..<count: their dataset tokens, titles and category ids (into ``categoryNames``).
    /// All empty when the file has no item sections.
    public var itemTokens: [String]
    public var itemTitles: [String]
    public var categoryNames: [String]
    public var itemCategories: [[Int32]]
    public var trainingJSON: String
    /// The DPR head's archive (`DPRHead.archived()`), when the file holds a promptable model.
    public var dprHead: [UInt8]?
    /// How the DPR head was trained (JSON), alongside ``dprHead``.
    public var dprTrainingJSON: String?

    public init(plugin: String, config: String = "", weights: [UInt8], itemTokens: [String] = [], itemTitles: [String] = [],
                categoryNames: [String] = [], itemCategories: [[Int32]] = [], trainingJSON: String = "{}") {
        self.plugin = plugin
        self.config = config
        self.weights = weights
        self.itemTokens = itemTokens
        self.itemTitles = itemTitles
        self.categoryNames = categoryNames
        self.itemCategories = itemCategories
        self.trainingJSON = trainingJSON
    }

    /// Whether the file maps ids back to items (every checkpoint `steer train` writes does).
    public var hasItems: Bool { !itemTokens.isEmpty }

    public var snapshot: Snapshot {
        var s = Snapshot(kind: Self.kind, sections: [
            "plugin": Array(plugin.utf8), "config": Array(config.utf8), "weights": weights, "training": Array(trainingJSON.utf8),
        ])
        if let dprHead { s.sections["dpr_head"] = dprHead }
        if let dprTrainingJSON { s.sections["dpr_training"] = Array(dprTrainingJSON.utf8) }
        guard hasItems else { return s }
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

    /// - Throws: `SnapshotError` for another kind, a missing `config` or `weights`, or item
    ///   sections that do not agree with each other or name categories that do not exist.
    public init(snapshot s: Snapshot) throws {
        try s.requireKind(Self.kind)
        plugin = s.sections["plugin"].map { String(decoding: $0, as: UTF8.self) } ?? ""
        config = String(decoding: try s.section("config"), as: UTF8.self)
        weights = try s.section("weights")
        trainingJSON = s.sections["training"].map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        dprHead = s.sections["dpr_head"]
        dprTrainingJSON = s.sections["dpr_training"].map { String(decoding: $0, as: UTF8.self) }
        guard s.sections["item_tokens"] != nil else {
            (itemTokens, itemTitles, categoryNames, itemCategories) = ([], [], [], [])
            return
        }
        let tokens = try s.strings("item_tokens")
        // Titles fall back to the tokens (the catalog's own ids) when the file has none.
        let titles = s.sections["item_titles"] == nil ? tokens : try s.strings("item_titles")
        let offsets = try s.uint32s("item_category_offsets"), ids = try s.uint32s("item_category_ids")
        guard titles.count == tokens.count, offsets.count == tokens.count + 1, offsets.first == 0,
              offsets.last.map(Int.init) == ids.count, zip(offsets, offsets.dropFirst()).allSatisfy({ $0 <= $1 }) else {
            throw SnapshotError.malformed(
                "item sections do not agree: \(tokens.count) tokens, \(titles.count) titles, \(offsets.count) category offsets for \(ids.count) ids")
        }
        let names = try s.strings("category_names")
        if let stray = ids.first(where: { Int($0) >= names.count }) {
            throw SnapshotError.malformed("item category id \(stray) is not below the \(names.count) category names")
        }
        itemTokens = tokens
        itemTitles = titles
        categoryNames = names
        itemCategories = (0..<tokens.count).map { i in ids[Int(offsets[i])..<Int(offsets[i + 1])].map { Int32($0) } }
    }

    public func write(to path: String) throws { try snapshot.write(to: path) }

    public static func load(contentsOf path: String) throws -> BackboneCheckpoint {
        try BackboneCheckpoint(snapshot: Snapshot.read(contentsOf: path))
    }
}
