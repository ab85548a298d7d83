// Snapshot: a kind-tagged set of named byte sections, persisted as checksummed zstd frames.
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A container for named binary sections (item embeddings, model weights, caches), tagged
/// with a `kind` saying what it holds.
///
/// The on-disk layout is documented byte by byte in `SnapshotFormat.swift`. Writing is atomic
/// (temporary file, `fsync`, `rename`, directory `fsync`); reading refuses any corrupt,
/// truncated or oversized file with a ``SnapshotError`` before handing out a single section.
public struct Snapshot: Sendable, Equatable {
    /// What the snapshot holds, e.g. `"item-index"`; readers check it before using sections.
    public var kind: String
    /// The payloads by name. Encoding orders them by name, so equal snapshots encode equally.
    public var sections: [String: [UInt8]]

    /// The on-disk format version this build writes and reads.
    public static let formatVersion: UInt32 = SnapshotFormat.version

    /// Creates a snapshot of `kind` holding `sections`.
    public init(kind: String, sections: [String: [UInt8]] = [:]) {
        self.kind = kind
        self.sections = sections
    }

    /// Encodes the snapshot into the file format.
    ///
    /// - Parameter compressionLevel: zstd level (1 fast … 19 small; 3 is zstd's default).
    /// - Throws: ``SnapshotError`` if zstd fails or a name or the kind exceeds 65535 UTF-8 bytes.
    /// - Returns: the complete file contents.
    public func encode(compressionLevel: Int = 3) throws -> [UInt8] {
        try SnapshotFormat.encode(self, level: compressionLevel)
    }

    /// Decodes and fully validates a snapshot from its file contents.
    ///
    /// - Parameters:
    ///   - bytes: the complete file contents.
    ///   - limits: caps on header and decompressed sizes, checked before any allocation.
    /// - Throws: ``SnapshotError`` naming the first problem found.
    public init(decoding bytes: [UInt8], limits: SnapshotLimits = .default) throws {
        self = try bytes.withUnsafeBytes { raw throws(SnapshotError) in
            try SnapshotFormat.decode(raw, limits: limits)
        }
    }

    /// Reads and fully validates the snapshot at `path`.
    ///
    /// - Throws: ``SnapshotError`` (`io` for file-system failures, otherwise as ``init(decoding:limits:)``).
    public static func read(contentsOf path: String, limits: SnapshotLimits = .default) throws -> Snapshot {
        let bytes = try SnapshotFile.readAll(path, maxBytes: limits.maxFileBytes)
        return try Snapshot(decoding: bytes, limits: limits)
    }

    /// Reads and fully validates the snapshot in the file open on `fileDescriptor` (from offset
    /// 0; the descriptor stays open). `path` names the file in errors. The caller decides how the
    /// file is opened (steerd's snapshot folder: relative to the folder, never through a link).
    ///
    /// - Throws: ``SnapshotError``: `notRegularFile` unless it is a regular file, `io`, or as
    ///   ``init(decoding:limits:)``.
    public static func read(fileDescriptor: Int32, path: String, limits: SnapshotLimits = .default) throws -> Snapshot {
        let bytes = try SnapshotFile.readAll(fileDescriptor, path: path, maxBytes: limits.maxFileBytes)
        return try Snapshot(decoding: bytes, limits: limits)
    }

    /// The kind of the snapshot in the file open on `fileDescriptor`, from its header alone (magic,
    /// version and header CRC checked, sections neither read nor verified): what a file is, cheaply.
    ///
    /// - Throws: ``SnapshotError``: `badMagic` for a file that is no snapshot, `notRegularFile`,
    ///   `io`, or another header failure.
    public static func kind(fileDescriptor: Int32, path: String, limits: SnapshotLimits = .default) throws -> String {
        let start = try SnapshotFile.readPrefix(fileDescriptor, path: path, count: SnapshotFormat.headerSizeEnd)
        let h = try start.withUnsafeBytes { raw throws(SnapshotError) in try SnapshotFormat.headerSize(raw, limits: limits) }
        let header = try SnapshotFile.readPrefix(fileDescriptor, path: path, count: h + 4)
        return try header.withUnsafeBytes { raw throws(SnapshotError) in try SnapshotFormat.decodeKind(raw, limits: limits) }
    }

    /// What a file of `mode` (`st_mode`) is, as the errors of this module name it: "a FIFO", ...
    public static func fileTypeName(mode: UInt32) -> String { SnapshotFile.typeName(mode_t(mode)) }

    /// Atomically replaces the file at `path` with this snapshot.
    ///
    /// The bytes go to a uniquely named temporary file in the same directory, which is
    /// `fsync`ed, renamed over `path`, and the directory `fsync`ed: after a crash `path` holds
    /// either the old file or the new one, never a mixture. The temporary file is removed on failure.
    /// - Throws: ``SnapshotError`` (`io` with the failing call and `errno`).
    ///
    /// - Parameter replacing: false: refuse (`alreadyExists`) when `path` exists, atomically (no
    ///   window between the check and the file's creation).
    public func write(to path: String, compressionLevel: Int = 3, replacing: Bool = true) throws {
        try SnapshotFile.writeAtomically(try encode(compressionLevel: compressionLevel), to: path, replacing: replacing)
    }

    /// Returns the section called `name`.
    ///
    /// - Throws: ``SnapshotError`` with code `missingSection` if there is none.
    public func section(_ name: String) throws -> [UInt8] {
        guard let bytes = sections[name] else { throw SnapshotError.missingSection(name) }
        return bytes
    }

    /// Throws `wrongKind` unless this snapshot's kind is `expected`.
    public func requireKind(_ expected: String) throws {
        guard kind == expected else { throw SnapshotError.wrongKind(found: kind, expected: expected) }
    }
}

/// Caps a reader applies before allocating, so a hostile header cannot request terabytes.
public struct SnapshotLimits: Sendable, Equatable {
    /// Largest header (magic through section table) accepted.
    public var maxHeaderBytes: UInt64
    /// Largest number of sections accepted.
    public var maxSections: UInt32
    /// Largest decompressed size of any one section.
    public var maxSectionBytes: UInt64
    /// Largest decompressed size of all sections together.
    public var maxTotalBytes: UInt64
    /// Largest file `read(contentsOf:)` will load.
    public var maxFileBytes: UInt64

    /// Creates limits; the defaults suit item indexes and model weights on one machine.
    public init(
        maxHeaderBytes: UInt64 = 16 << 20,
        maxSections: UInt32 = 65_536,
        maxSectionBytes: UInt64 = 8 << 30,
        maxTotalBytes: UInt64 = 16 << 30,
        maxFileBytes: UInt64 = 16 << 30
    ) {
        self.maxHeaderBytes = maxHeaderBytes
        self.maxSections = maxSections
        self.maxSectionBytes = maxSectionBytes
        self.maxTotalBytes = maxTotalBytes
        self.maxFileBytes = maxFileBytes
    }

    /// 16 MiB header, 8 GiB per section, 16 GiB in total.
    public static let `default` = SnapshotLimits()
}
