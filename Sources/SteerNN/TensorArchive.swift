// Named float tensors and a config text in one little-endian byte string: the saved form of a
// backbone's weights ("STA1") and of a DPR head ("SDPR", which adds a format version).
//
// Layout: magic (4 bytes) | u32 format version, when the format has one | u32 config bytes |
//         config UTF-8 | u32 tensor count |
//         per tensor: u32 name bytes | name UTF-8 | u64 count | count × f32.
// Checkpoint files wrap it in a zstd snapshot, which adds the checksums.

/// What tells one archive format from another.
public struct TensorArchiveFormat: Sendable {
    /// Four ASCII bytes at the start.
    public let magic: String
    /// The version word after the magic; nil for a format that has none.
    public let version: UInt32?
    /// What errors call a file of this format ("tensor archive", "DPR head archive").
    public let name: String

    public init(magic: String, version: UInt32?, name: String) {
        precondition(magic.utf8.count == 4, "an archive magic is 4 bytes")
        self.magic = magic
        self.version = version
        self.name = name
    }
}

/// A malformed archive or saved tensors that do not fit a model; the message says what and where.
public struct WeightsError: Error, CustomStringConvertible, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

public enum TensorArchive {
    /// The archive bytes of `config` (JSON text) and `tensors`, in order.
    public static func encode(_ format: TensorArchiveFormat, config: String,
                              tensors: [(name: String, values: UnsafeBufferPointer<Float>)]) -> [UInt8] {
        var out = Array(format.magic.utf8)
        func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) } }
        func u64(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) } }
        if let version = format.version { u32(version) }
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

    /// Reads an archive of `format` into its config text and a name → values map. `label` names
    /// the bytes in errors ("SASRec weights", "DPR archive").
    /// - Throws: ``WeightsError`` naming what is wrong and at which byte.
    public static func decode(_ bytes: UnsafeRawBufferPointer, _ format: TensorArchiveFormat,
                              label: String) throws(WeightsError) -> (config: String, tensors: [String: [Float]]) {
        var offset = 0
        func need(_ n: Int, _ what: String) throws(WeightsError) {
            guard n >= 0, offset + n <= bytes.count else {
                throw WeightsError("\(label) truncated reading \(what) at byte \(offset) of \(bytes.count)")
            }
        }
        func u32(_ what: String) throws(WeightsError) -> UInt32 {
            try need(4, what)
            defer { offset += 4 }
            return (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[offset + $1]) << (8 * UInt32($1)) }
        }
        func u64(_ what: String) throws(WeightsError) -> UInt64 {
            try need(8, what)
            defer { offset += 8 }
            return (0..<8).reduce(UInt64(0)) { $0 | UInt64(bytes[offset + $1]) << (8 * UInt64($1)) }
        }
        func text(_ n: Int, _ what: String) throws(WeightsError) -> String {
            try need(n, what)
            defer { offset += n }
            return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + n)]), as: UTF8.self)
        }
        guard bytes.count >= 4, Array(bytes[0..<4]) == Array(format.magic.utf8) else {
            throw WeightsError("\(label): not a \(format.name) (magic \"\(format.magic)\" missing)")
        }
        offset = 4
        if let version = format.version {
            let v = try u32("format version")
            guard v == version else { throw WeightsError("\(label): format version \(v); this build reads version \(version)") }
        }
        let config = try text(Int(try u32("config length")), "config")
        let count = try u32("tensor count")
        var tensors: [String: [Float]] = [:]
        for i in 0..<Int(count) {
            let name = try text(Int(try u32("name length of tensor \(i)")), "name of tensor \(i)")
            let n = try u64("size of \(name)")
            guard n <= UInt64(bytes.count / 4) else { throw WeightsError("\(label): tensor \(name) claims \(n) values, more than the file holds") }
            try need(Int(n) * 4, "values of \(name)")
            // Little-endian floats, unaligned in the byte string: copy the bytes, then fix the order.
            var values = [Float](repeating: 0, count: Int(n))
            values.withUnsafeMutableBytes { $0.copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + Int(n) * 4)])) }
            for j in values.indices { values[j] = Float(bitPattern: UInt32(littleEndian: values[j].bitPattern)) }
            offset += Int(n) * 4
            guard tensors.updateValue(values, forKey: name) == nil else { throw WeightsError("\(label): tensor \(name) appears twice") }
        }
        guard offset == bytes.count else { throw WeightsError("\(label): \(bytes.count - offset) trailing bytes") }
        return (config, tensors)
    }
}
