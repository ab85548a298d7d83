// The snapshot file format, version 1: layout, encoder and validating decoder.
//
// All integers are little-endian. Offsets are in bytes from the start of the file.
//
//   offset   size  field
//   0        8     magic, ASCII "STEERSNP"
//   8        4     format version, u32 (currently 1)
//   12       4     header size H, u32: bytes from offset 0 up to (not including) the header CRC
//   16       2     kind length K, u16
//   18       K     kind, UTF-8 (e.g. "item-index")
//   18+K     4     section count S, u32
//   then S section entries, in the order their payloads follow:
//            2     name length N, u16
//            N     name, UTF-8 (unique within the file)
//            8     compressed size C, u64 (bytes of the zstd frame)
//            8     uncompressed size U, u64
//            4     CRC-32 of the C compressed bytes
//   H        4     CRC-32 of bytes [0, H)
//   H+4      ...   payloads: S zstd frames back to back, C bytes each; every frame records its
//                  content size (== U) and zstd's content checksum
//   The file is exactly H + 4 + ΣC bytes long; anything else is refused.
//
// Why two layers of checksums: the header CRC makes every size and name trustworthy before we
// allocate anything; the per-section CRC over compressed bytes catches any flipped bit in a
// payload (a zstd frame has bits decoders must ignore), and the zstd content checksum catches
// a decompressor or memory fault on the way out.

/// Compatibility rule: a reader accepts exactly its own `formatVersion`; a change to the layout
/// bumps it, and the error names both versions.
enum SnapshotFormat {
    static let magic: [UInt8] = Array("STEERSNP".utf8)
    static let version: UInt32 = 1
    /// Bytes before the kind string: magic, version, header size, kind length.
    static let fixedPrefix = 18
    /// zstd blocks decompress to at most 128 KiB and cost at least 4 bytes each (3-byte header
    /// plus one byte of RLE), which bounds U by C before we trust U enough to allocate it.
    static let maxExpansionPerFourBytes: UInt64 = 128 * 1024

    static func encode(_ snapshot: Snapshot, level: Int) throws(SnapshotError) -> [UInt8] {
        let names = snapshot.sections.keys.sorted()
        var frames: [[UInt8]] = []
        frames.reserveCapacity(names.count)
        for name in names {
            frames.append(try ZstdFrame.compress(snapshot.sections[name]!, level: level, section: name))
        }
        var out: [UInt8] = magic
        out.appendLE(version)
        out.appendLE(UInt32(0))  // header size, patched below
        let kind = Array(snapshot.kind.utf8)
        guard kind.count <= Int(UInt16.max) else { throw .malformed("kind is longer than 65535 bytes") }
        out.appendLE(UInt16(kind.count))
        out += kind
        out.appendLE(UInt32(names.count))
        for (name, frame) in zip(names, frames) {
            let utf8 = Array(name.utf8)
            guard utf8.count <= Int(UInt16.max) else { throw .malformed("section name is longer than 65535 bytes") }
            out.appendLE(UInt16(utf8.count))
            out += utf8
            out.appendLE(UInt64(frame.count))
            out.appendLE(UInt64(snapshot.sections[name]!.count))
            out.appendLE(CRC32.checksum(frame))
        }
        guard out.count <= Int(UInt32.max) else { throw .malformed("header is larger than 4 GiB") }
        out.storeLE(UInt32(out.count), at: 12)
        out.appendLE(CRC32.checksum(out))
        for frame in frames { out += frame }
        return out
    }

    private struct Entry {
        var name: String
        var compressed: UInt64
        var uncompressed: UInt64
        var crc: UInt32
    }

    /// Bytes to read from the start of a file to know its header size (magic, version, size).
    static let headerSizeEnd = 16

    /// The header size H of the snapshot whose file starts with `bytes` (at least `headerSizeEnd`
    /// bytes of it), once magic, version and the size's bounds check.
    static func headerSize(_ bytes: UnsafeRawBufferPointer, limits: SnapshotLimits) throws(SnapshotError) -> Int {
        // Magic first, on whatever prefix exists, so a non-snapshot says so instead of "truncated".
        let seen = min(bytes.count, magic.count)
        guard bytes.prefix(seen).elementsEqual(magic.prefix(seen)) else { throw .badMagic }
        var reader = ByteReader(bytes)
        _ = try reader.take(magic.count)
        let found = try reader.u32()
        guard found == version else { throw .unsupportedVersion(found: found, supported: version) }
        let headerSize = UInt64(try reader.u32())
        guard headerSize >= UInt64(fixedPrefix + 4) else { throw .malformed("header size \(headerSize) is too small") }
        guard headerSize <= limits.maxHeaderBytes else {
            throw .sizeLimitExceeded(what: "header", size: headerSize, limit: limits.maxHeaderBytes)
        }
        return Int(headerSize)
    }

    /// Checks magic, version, header size and the header CRC; returns the header size H.
    private static func checkedHeaderSize(_ bytes: UnsafeRawBufferPointer, limits: SnapshotLimits) throws(SnapshotError) -> Int {
        let h = try headerSize(bytes, limits: limits)
        guard h + 4 <= bytes.count else {
            throw .truncated(expected: h + 4, offset: 0, available: bytes.count)
        }
        let stored = UInt32(bytes[h]) | UInt32(bytes[h + 1]) << 8 | UInt32(bytes[h + 2]) << 16 | UInt32(bytes[h + 3]) << 24
        let computed = CRC32.checksum(UnsafeRawBufferPointer(rebasing: bytes[0..<h]))
        guard stored == computed else { throw .headerChecksumMismatch(stored: stored, computed: computed) }
        return h
    }

    /// The kind of the snapshot whose file starts with `bytes` (its header and header CRC,
    /// `headerSize` + 4 bytes, at least), once the header checks; the sections are not read.
    static func decodeKind(_ bytes: UnsafeRawBufferPointer, limits: SnapshotLimits) throws(SnapshotError) -> String {
        let h = try checkedHeaderSize(bytes, limits: limits)
        var table = ByteReader(bytes, from: 16, end: h)
        return try table.string("kind")
    }

    static func decode(_ bytes: UnsafeRawBufferPointer, limits: SnapshotLimits) throws(SnapshotError) -> Snapshot {
        let h = try checkedHeaderSize(bytes, limits: limits)

        // The header is now trusted to be what the writer wrote; it may still be hostile.
        var table = ByteReader(bytes, from: 16, end: h)
        let kind = try table.string("kind")
        let count = try table.u32()
        guard count <= limits.maxSections else {
            throw .sizeLimitExceeded(what: "section count", size: UInt64(count), limit: UInt64(limits.maxSections))
        }
        var entries: [Entry] = []
        var names = Set<String>()
        var totalCompressed: UInt64 = 0
        var totalUncompressed: UInt64 = 0
        for _ in 0..<count {
            let name = try table.string("section name")
            let entry = Entry(name: name, compressed: try table.u64(), uncompressed: try table.u64(), crc: try table.u32())
            guard names.insert(name).inserted else { throw .malformed("section \"\(name)\" appears twice") }
            guard entry.uncompressed <= limits.maxSectionBytes else {
                throw .sizeLimitExceeded(what: "section \"\(name)\"", size: entry.uncompressed, limit: limits.maxSectionBytes)
            }
            let (c, o1) = totalCompressed.addingReportingOverflow(entry.compressed)
            let (u, o2) = totalUncompressed.addingReportingOverflow(entry.uncompressed)
            guard !o1, !o2, u <= limits.maxTotalBytes else {
                throw .sizeLimitExceeded(what: "total uncompressed size", size: o2 ? .max : u, limit: limits.maxTotalBytes)
            }
            // A forged compressed size near 2^64 must not overflow the bound (found by FuzzSnapshot).
            let (cap, capOverflow) = (entry.compressed / 4 + 1).multipliedReportingOverflow(by: maxExpansionPerFourBytes)
            guard capOverflow || entry.uncompressed <= cap else {
                throw .malformed("section \"\(name)\" claims \(entry.uncompressed) bytes from only \(entry.compressed) compressed")
            }
            totalCompressed = c
            totalUncompressed = u
            entries.append(entry)
        }
        guard table.remaining == 0 else { throw .malformed("\(table.remaining) unexplained bytes at the end of the header") }

        let expectedSize = UInt64(h + 4).addingReportingOverflow(totalCompressed)
        guard !expectedSize.overflow, expectedSize.partialValue <= UInt64(Int.max) else {
            throw .malformed("section sizes overflow")
        }
        var payloads = ByteReader(bytes, from: h + 4)
        var sections: [String: [UInt8]] = [:]
        // Every frame must be present before any is decompressed: truncation is reported as such.
        if Int(expectedSize.partialValue) < bytes.count {
            throw .trailingBytes(expectedSize: Int(expectedSize.partialValue), actualSize: bytes.count)
        }
        var frames: [UnsafeRawBufferPointer] = []
        for entry in entries { frames.append(try payloads.take(Int(entry.compressed))) }
        for (entry, frame) in zip(entries, frames) {
            let crc = CRC32.checksum(frame)
            guard crc == entry.crc else {
                throw .sectionChecksumMismatch(section: entry.name, detail: "CRC-32 of the compressed bytes does not match")
            }
            sections[entry.name] = try ZstdFrame.decompress(frame, expectedSize: Int(entry.uncompressed), section: entry.name)
        }
        return Snapshot(kind: kind, sections: sections)
    }
}
