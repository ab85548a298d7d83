// Typed section helpers: [Float], [UInt32], [UInt64] as little-endian bytes, and UTF-8 string lists.

extension Snapshot {
    /// Stores `values` as little-endian IEEE-754 binary32 in section `name`.
    public mutating func put(_ values: [Float], as name: String) {
        sections[name] = LittleEndianBytes.encode(values.map(\.bitPattern))
    }

    /// Stores `values` as little-endian u32 in section `name`.
    public mutating func put(_ values: [UInt32], as name: String) {
        sections[name] = LittleEndianBytes.encode(values)
    }

    /// Stores `values` as little-endian u64 in section `name`.
    public mutating func put(_ values: [UInt64], as name: String) {
        sections[name] = LittleEndianBytes.encode(values)
    }

    /// Stores `strings` in section `name` as a u32 count, then per string a u32 byte length and its UTF-8.
    public mutating func put(strings: [String], as name: String) {
        var out: [UInt8] = []
        out.appendLE(UInt32(strings.count))
        for s in strings {
            let utf8 = Array(s.utf8)
            out.appendLE(UInt32(utf8.count))
            out += utf8
        }
        sections[name] = out
    }

    /// Reads section `name` as little-endian binary32 values.
    /// - Throws: ``SnapshotError`` `missingSection`, or `malformed` if its length is not a multiple of 4.
    public func floats(_ name: String) throws -> [Float] {
        let words: [UInt32] = try LittleEndianBytes.decode(try section(name), name)
        return words.map(Float.init(bitPattern:))
    }

    /// Reads section `name` as little-endian u32 values.
    /// - Throws: ``SnapshotError`` `missingSection`, or `malformed` if its length is not a multiple of 4.
    public func uint32s(_ name: String) throws -> [UInt32] {
        try LittleEndianBytes.decode(try section(name), name)
    }

    /// Reads section `name` as little-endian u64 values.
    /// - Throws: ``SnapshotError`` `missingSection`, or `malformed` if its length is not a multiple of 8.
    public func uint64s(_ name: String) throws -> [UInt64] {
        try LittleEndianBytes.decode(try section(name), name)
    }

    /// Reads section `name` as a string list written by ``put(strings:as:)``.
    /// - Throws: ``SnapshotError`` `missingSection`, or `malformed` on bad lengths or invalid UTF-8.
    public func strings(_ name: String) throws -> [String] {
        let bytes = try section(name)
        return try bytes.withUnsafeBytes { raw throws(SnapshotError) -> [String] in
            var reader = ByteReader(raw)
            do {
                let count = Int(try reader.u32())
                // Each string costs at least its 4-byte length, which bounds the reservation.
                guard count <= reader.remaining / 4 else { throw SnapshotError.malformed("") }
                var out: [String] = []
                out.reserveCapacity(count)
                for _ in 0..<count {
                    let n = Int(try reader.u32())
                    guard let s = String(validating: try reader.take(n), as: UTF8.self) else {
                        throw SnapshotError.malformed("")
                    }
                    out.append(s)
                }
                guard reader.remaining == 0 else { throw SnapshotError.malformed("") }
                return out
            } catch {
                throw .malformed("section \"\(name)\" is not a valid string list")
            }
        }
    }
}

/// Fixed-width integers to and from little-endian bytes; a plain copy on little-endian hosts.
enum LittleEndianBytes {
    static func encode<T: FixedWidthInteger>(_ values: [T]) -> [UInt8] {
        let le = values.map(\.littleEndian)
        return le.withUnsafeBytes { Array($0) }
    }

    static func decode<T: FixedWidthInteger>(_ bytes: [UInt8], _ name: String) throws(SnapshotError) -> [T] {
        let width = MemoryLayout<T>.size
        guard bytes.count % width == 0 else {
            throw .malformed("section \"\(name)\" has \(bytes.count) bytes, not a multiple of \(width)")
        }
        var out = [T](repeating: 0, count: bytes.count / width)
        out.withUnsafeMutableBytes { dst in bytes.withUnsafeBytes { dst.copyMemory(from: $0) } }
        return out.map { T(littleEndian: $0) }
    }
}
