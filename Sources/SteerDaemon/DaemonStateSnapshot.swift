// What SaveSnapshot writes and LoadSnapshot (or `steer serve --state`) restores: the served model,
// the item index and the prompt cache, in one snapshot file of kind "steerd-state".
public import SteerIndex
public import SteerPrompt
public import SteerSnapshot

/// steerd's restorable state.
///
/// One snapshot file (zstd-compressed sections, each with its CRC-32, written to a temporary file,
/// fsynced and renamed into place by `Snapshot.write`), so a crash in the middle of a save leaves
/// the previous file whole. Sections:
/// - `state_meta`: the layout version;
/// - `model_plugin`: the active backbone's plugin name (absent: no backbone was loaded);
/// - `checkpoint.*`: the sections of the checkpoint it was loaded from (weights, config, DPR head,
///   item vocabulary), exactly as LoadBackbone read them;
/// - `index.*`: the sections of the item index (kind `item-index`);
/// - `prompt_cache.*`: the cached prompt embeddings and token states, least recently used first.
public struct DaemonState {
    public static let kind = "steerd-state"
    public static let layoutVersion: UInt64 = 1
    static let checkpointPrefix = "checkpoint."
    static let indexPrefix = "index."

    /// The active backbone: its plugin name and the checkpoint it was loaded from (nil: the
    /// plugin's own initial weights).
    public var model: (plugin: String, checkpoint: Snapshot?)?
    public var index: ItemIndex?
    public var promptCache: [PromptCache.Entry]

    public init(model: (plugin: String, checkpoint: Snapshot?)?, index: ItemIndex?, promptCache: [PromptCache.Entry]) {
        self.model = model
        self.index = index
        self.promptCache = promptCache
    }

    public func snapshot() -> Snapshot {
        var s = Snapshot(kind: Self.kind)
        s.put([Self.layoutVersion], as: "state_meta")
        if let model {
            s.put(strings: [model.plugin], as: "model_plugin")
            if let checkpoint = model.checkpoint {
                s.put(strings: [checkpoint.kind], as: "checkpoint_kind")
                for (name, bytes) in checkpoint.sections { s.sections[Self.checkpointPrefix + name] = bytes }
            }
        }
        if let index {
            for (name, bytes) in index.snapshot().sections { s.sections[Self.indexPrefix + name] = bytes }
        }
        s.put(strings: promptCache.map(\.encoder), as: "prompt_cache.encoders")
        s.put(strings: promptCache.map(\.text), as: "prompt_cache.texts")
        s.put(promptCache.map { UInt32($0.embedding.count) }, as: "prompt_cache.dims")
        s.put(promptCache.flatMap(\.embedding), as: "prompt_cache.values")
        return s
    }

    /// Validates every part; nothing is applied here.
    /// - Throws: `SnapshotError` (wrong kind, missing or malformed sections, a layout this build
    ///   does not read) or `ItemIndexError` for an index that does not validate.
    public init(snapshot s: Snapshot) throws {
        try s.requireKind(Self.kind)
        let meta = try s.uint64s("state_meta")
        guard meta == [Self.layoutVersion] else {
            throw SnapshotError.malformed("state layout \(meta); this steerd reads layout \(Self.layoutVersion)")
        }
        if s.sections["model_plugin"] != nil {
            let plugin = try s.strings("model_plugin")
            guard plugin.count == 1, !plugin[0].isEmpty else { throw SnapshotError.malformed("model_plugin must hold one name") }
            var checkpoint: Snapshot?
            if s.sections["checkpoint_kind"] != nil {
                let kind = try s.strings("checkpoint_kind")
                guard kind.count == 1 else { throw SnapshotError.malformed("checkpoint_kind must hold one kind") }
                checkpoint = Snapshot(kind: kind[0], sections: Self.sections(of: s, prefix: Self.checkpointPrefix))
            }
            model = (plugin[0], checkpoint)
        }
        let indexSections = Self.sections(of: s, prefix: Self.indexPrefix)
        index = indexSections.isEmpty ? nil : try ItemIndex(snapshot: Snapshot(kind: ItemIndex.snapshotKind, sections: indexSections))
        let encoders = try s.strings("prompt_cache.encoders"), texts = try s.strings("prompt_cache.texts")
        let dims = try s.uint32s("prompt_cache.dims"), values = try s.floats("prompt_cache.values")
        guard encoders.count == texts.count, texts.count == dims.count,
              dims.reduce(0, { $0 + Int($1) }) == values.count else {
            throw SnapshotError.malformed("prompt cache sections disagree: \(encoders.count) encoders, \(texts.count) texts, "
                + "\(dims.count) sizes summing to \(dims.reduce(0, { $0 + Int($1) })), \(values.count) values")
        }
        var entries: [PromptCache.Entry] = []
        entries.reserveCapacity(texts.count)
        var offset = 0
        for i in texts.indices {
            let n = Int(dims[i])
            entries.append(PromptCache.Entry(encoder: encoders[i], text: texts[i], embedding: Array(values[offset..<(offset + n)])))
            offset += n
        }
        promptCache = entries
    }

    private static func sections(of s: Snapshot, prefix: String) -> [String: [UInt8]] {
        var out: [String: [UInt8]] = [:]
        for (name, bytes) in s.sections where name.hasPrefix(prefix) { out[String(name.dropFirst(prefix.count))] = bytes }
        return out
    }
}
