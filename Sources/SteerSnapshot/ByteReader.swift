// A bounds-checked little-endian cursor over a byte buffer, used to parse the snapshot header.

/// Reads little-endian integers and byte runs, throwing `truncated` instead of reading past the end.
struct ByteReader {
    let bytes: UnsafeRawBufferPointer
    /// Absolute offset of `bytes[0]` in the file, so errors name file offsets.
    let base: Int
    private(set) var index: Int
    /// One past the last readable byte (may be less than `bytes.count` to fence off a region).
    let end: Int

    init(_ bytes: UnsafeRawBufferPointer, from start: Int = 0, end: Int? = nil, base: Int = 0) {
        self.bytes = bytes
        self.index = start
        self.end = end ?? bytes.count
        self.base = base
    }

    var remaining: Int { end - index }

    mutating func take(_ n: Int) throws(SnapshotError) -> UnsafeRawBufferPointer {
        guard n >= 0, n <= remaining else {
            throw .truncated(expected: n, offset: base + index, available: max(0, remaining))
        }
        defer { index += n }
        return UnsafeRawBufferPointer(rebasing: bytes[index..<index + n])
    }

    mutating func u16() throws(SnapshotError) -> UInt16 {
        let b = try take(2)
        return UInt16(b[0]) | UInt16(b[1]) << 8
    }

    mutating func u32() throws(SnapshotError) -> UInt32 {
        let b = try take(4)
        return (0..<4).reduce(UInt32(0)) { $0 | UInt32(b[$1]) << (8 * UInt32($1)) }
    }

    mutating func u64() throws(SnapshotError) -> UInt64 {
        let b = try take(8)
        return (0..<8).reduce(UInt64(0)) { $0 | UInt64(b[$1]) << (8 * UInt64($1)) }
    }

    /// A length-prefixed (u16) UTF-8 string; invalid UTF-8 is `malformed`, naming `what`.
    mutating func string(_ what: String) throws(SnapshotError) -> String {
        let n = Int(try u16())
        let raw = try take(n)
        guard let s = String(validating: raw, as: UTF8.self) else {
            throw .malformed("\(what) is not valid UTF-8")
        }
        return s
    }
}

extension Array where Element == UInt8 {
    mutating func appendLE(_ v: UInt16) { for i in 0..<2 { append(UInt8(truncatingIfNeeded: v >> (8 * UInt16(i)))) } }
    mutating func appendLE(_ v: UInt32) { for i in 0..<4 { append(UInt8(truncatingIfNeeded: v >> (8 * UInt32(i)))) } }
    mutating func appendLE(_ v: UInt64) { for i in 0..<8 { append(UInt8(truncatingIfNeeded: v >> (8 * UInt64(i)))) } }

    mutating func storeLE(_ v: UInt32, at offset: Int) {
        for i in 0..<4 { self[offset + i] = UInt8(truncatingIfNeeded: v >> (8 * UInt32(i))) }
    }
}
