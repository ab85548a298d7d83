// DPRArchive: the head's saved form, its config JSON and named float tensors, little-endian.
//
// Layout: "SDPR" | u32 format version (1) | u32 config bytes | config UTF-8 |
//         u32 tensor count | per tensor: u32 name bytes | name UTF-8 | u64 count | count × f32 LE.
// The daemon's snapshot layer adds compression and checksums around it.

/// Encodes and decodes the archive format above.
public enum DPRArchive {
    static let magic: [UInt8] = Array("SDPR".utf8)
    static let version: UInt32 = 1

    /// The archive bytes of `config` (JSON text) and `tensors`.
    public static func encode(config: String, tensors: [(name: String, values: [Float])]) -> [UInt8] {
        var out = magic
        func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) } }
        func u64(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) } }
        u32(version)
        let configBytes = Array(config.utf8)
        u32(UInt32(configBytes.count)); out += configBytes
        u32(UInt32(tensors.count))
        for (name, values) in tensors {
            let nameBytes = Array(name.utf8)
            u32(UInt32(nameBytes.count)); out += nameBytes
            u64(UInt64(values.count))
            out.reserveCapacity(out.count + 4 * values.count)
            for v in values { u32(v.bitPattern) }
        }
        return out
    }

    /// Reads an archive into its config text and a name → values map.
    /// - Throws: ``DPRError`` naming what is wrong and at which byte.
    public static func decode(_ bytes: [UInt8]) throws -> (config: String, tensors: [String: [Float]]) {
        var offset = 0
        func need(_ n: Int, _ what: String) throws {
            guard n >= 0, offset + n <= bytes.count else {
                throw DPRError("DPR archive truncated reading \(what) at byte \(offset) of \(bytes.count)")
            }
        }
        func u32(_ what: String) throws -> UInt32 {
            try need(4, what)
            defer { offset += 4 }
            return (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[offset + $1]) << (8 * UInt32($1)) }
        }
        func u64(_ what: String) throws -> UInt64 {
            try need(8, what)
            defer { offset += 8 }
            return (0..<8).reduce(UInt64(0)) { $0 | UInt64(bytes[offset + $1]) << (8 * UInt64($1)) }
        }
        func text(_ n: Int, _ what: String) throws -> String {
            try need(n, what)
            defer { offset += n }
            return String(decoding: bytes[offset..<(offset + n)], as: UTF8.self)
        }
        guard bytes.count >= 4, Array(bytes[0..<4]) == magic else {
            throw DPRError("not a DPR head archive (magic \"SDPR\" missing)")
        }
        offset = 4
        let v = try u32("format version")
        guard v == version else { throw DPRError("DPR archive format version \(v); this build reads version \(version)") }
        let config = try text(Int(try u32("config length")), "config")
        let count = try u32("tensor count")
        var tensors: [String: [Float]] = [:]
        for i in 0..<Int(count) {
            let name = try text(Int(try u32("name length of tensor \(i)")), "name of tensor \(i)")
            let n = try u64("size of \(name)")
            guard n <= UInt64(bytes.count / 4) else { throw DPRError("DPR archive: tensor \(name) claims \(n) values, more than the file holds") }
            try need(Int(n) * 4, "values of \(name)")
            var values = [Float](repeating: 0, count: Int(n))
            for j in 0..<Int(n) {
                let o = offset + 4 * j
                let bits = UInt32(bytes[o]) | UInt32(bytes[o + 1]) << 8 | UInt32(bytes[o + 2]) << 16 | UInt32(bytes[o + 3]) << 24
                values[j] = Float(bitPattern: bits)
            }
            offset += Int(n) * 4
            guard tensors.updateValue(values, forKey: name) == nil else { throw DPRError("DPR archive: tensor \(name) appears twice") }
        }
        guard offset == bytes.count else { throw DPRError("DPR archive: \(bytes.count - offset) trailing bytes") }
        return (config, tensors)
    }
}
