// Persisting an ItemIndex as a Snapshot of kind "item-index", and loading it back with full validation.
import SteerSnapshot

// Sections of an "item-index" snapshot (all little-endian):
//   meta            u64 × 4: layout version (1), item count V, dimension C, category count
//   embeddings      f32 × V·C, row-major
//   categories      u64 × V·W, W = ceil(categoryCount / 64)
//   category_names  string list (optional), categoryCount entries
//   titles          string list (optional), V entries
extension ItemIndex {
    /// The snapshot kind of an item index.
    public static let snapshotKind = "item-index"
    /// The layout version inside the snapshot's "meta" section; readers accept only this one.
    public static let snapshotLayoutVersion: UInt64 = 1

    /// Returns this index as a snapshot of kind ``snapshotKind``.
    public func snapshot() -> Snapshot {
        var s = Snapshot(kind: Self.snapshotKind)
        s.put([Self.snapshotLayoutVersion, UInt64(count), UInt64(dimension), UInt64(categoryCount)], as: "meta")
        s.put(embeddings, as: "embeddings")
        s.put(categoryWords, as: "categories")
        if let categoryNames { s.put(strings: categoryNames, as: "category_names") }
        if let titles { s.put(strings: titles, as: "titles") }
        return s
    }

    /// Rebuilds an index from a snapshot, validating kind, layout version, every size and every value.
    ///
    /// - Throws: ``SnapshotError`` (`wrongKind`, `missingSection`, `malformed`) or
    ///   ``ItemIndexError`` (`invalidSnapshot` and the checks of the initializers).
    public convenience init(snapshot: Snapshot) throws {
        try snapshot.requireKind(Self.snapshotKind)
        let meta = try snapshot.uint64s("meta")
        guard meta.count == 4 else { throw ItemIndexError.invalidSnapshot("meta has \(meta.count) values, expected 4") }
        guard meta[0] == Self.snapshotLayoutVersion else {
            throw ItemIndexError.invalidSnapshot(
                "layout version \(meta[0]); this build reads version \(Self.snapshotLayoutVersion)")
        }
        guard meta[1] <= UInt64(Int32.max), meta[2] <= UInt64(Self.maxDimension), meta[3] <= UInt64(Self.maxCategories) else {
            throw ItemIndexError.invalidSnapshot("meta values out of range: \(meta[1]) items, dimension \(meta[2]), \(meta[3]) categories")
        }
        let n = Int(meta[1]), d = Int(meta[2]), categories = Int(meta[3])
        let embeddings = try snapshot.floats("embeddings")
        guard embeddings.count == n * d else {
            throw ItemIndexError.invalidSnapshot("embeddings hold \(embeddings.count) values, meta says \(n) × \(d)")
        }
        let words = try snapshot.uint64s("categories")
        let names = try snapshot.sections["category_names"].map { _ in try snapshot.strings("category_names") }
        let titles = try snapshot.sections["titles"].map { _ in try snapshot.strings("titles") }
        try self.init(
            embeddings: embeddings, dimension: d, categoryWords: words, categoryCount: categories,
            categoryNames: names, titles: titles)
    }

    /// Reads and validates the item-index snapshot at `path`.
    ///
    /// - Throws: ``SnapshotError`` or ``ItemIndexError``.
    public static func load(contentsOf path: String, limits: SnapshotLimits = .default) throws -> ItemIndex {
        try ItemIndex(snapshot: try Snapshot.read(contentsOf: path, limits: limits))
    }

    /// Atomically writes this index to `path` as an item-index snapshot.
    ///
    /// - Throws: ``SnapshotError``.
    public func write(to path: String, compressionLevel: Int = 3) throws {
        try snapshot().write(to: path, compressionLevel: compressionLevel)
    }
}
