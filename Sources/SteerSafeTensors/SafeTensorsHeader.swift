// Parses and validates the JSON header of a safetensors file: dtypes, shapes, byte spans.
import Foundation

/// The element types a safetensors file may declare, with their sizes in bytes.
public enum SafeTensorsDType: String, Sendable, CaseIterable {
    case bool = "BOOL", u8 = "U8", i8 = "I8", f8e5m2 = "F8_E5M2", f8e4m3 = "F8_E4M3"
    case i16 = "I16", u16 = "U16", f16 = "F16", bf16 = "BF16"
    case i32 = "I32", u32 = "U32", f32 = "F32"
    case i64 = "I64", u64 = "U64", f64 = "F64"

    /// Bytes per element.
    public var size: Int {
        switch self {
        case .bool, .u8, .i8, .f8e5m2, .f8e4m3: 1
        case .i16, .u16, .f16, .bf16: 2
        case .i32, .u32, .f32: 4
        case .i64, .u64, .f64: 8
        }
    }
}

/// One tensor's entry in the header.
public struct SafeTensorsEntry: Sendable, Equatable {
    public let name: String
    public let dtype: SafeTensorsDType
    public let shape: [Int]
    /// Byte span relative to the start of the data area (after the header).
    public let span: Range<Int>

    /// The number of elements (1 for a scalar of shape `[]`).
    public var elementCount: Int { shape.reduce(1, *) }
}

enum SafeTensorsHeader {
    /// The safetensors reference implementation's limit; also stops a corrupt length field from
    /// making us parse gigabytes.
    static let maxHeaderLength = 100 << 20

    /// Parses `json` and checks every entry against a data area of `dataLength` bytes.
    /// - Throws: ``SafeTensorsError/Code/malformed`` naming the offending tensor or metadata key.
    static func parse(_ json: UnsafeRawBufferPointer, dataLength: Int, path: String) throws -> (entries: [String: SafeTensorsEntry], metadata: [String: String]) {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: Data(json))
        } catch {
            throw SafeTensorsError.malformed(path, "the header is not valid JSON (\(error.localizedDescription))")
        }
        guard let root = object as? [String: Any] else {
            throw SafeTensorsError.malformed(path, "the header is not a JSON object")
        }
        var entries: [String: SafeTensorsEntry] = [:]
        for (name, value) in root where name != "__metadata__" {
            entries[name] = try entry(name, value, dataLength: dataLength, path: path)
        }
        try checkNoOverlap(entries.values, path: path)
        return (entries, try metadata(root["__metadata__"], path: path))
    }

    /// The format says `__metadata__` maps strings to strings; anything else is refused rather
    /// than guessed at, so a reader never sees a number where it expects text.
    private static func metadata(_ value: Any?, path: String) throws -> [String: String] {
        guard let value else { return [:] }
        guard let object = value as? [String: Any] else { throw SafeTensorsError.malformed(path, "\"__metadata__\" is not a JSON object") }
        var result: [String: String] = [:]
        for (key, raw) in object {
            guard let text = raw as? String else {
                throw SafeTensorsError.malformed(path, "\"__metadata__\" key \"\(key)\" is not a string")
            }
            result[key] = text
        }
        return result
    }

    private static func entry(_ name: String, _ value: Any, dataLength: Int, path: String) throws -> SafeTensorsEntry {
        func fail(_ reason: String) -> SafeTensorsError { .malformed(path, tensor: name, reason) }
        guard let fields = value as? [String: Any] else { throw fail("its entry is not a JSON object") }
        guard let dtypeName = fields["dtype"] as? String else { throw fail("missing or non-string \"dtype\"") }
        guard let dtype = SafeTensorsDType(rawValue: dtypeName) else {
            let known = SafeTensorsDType.allCases.map(\.rawValue).joined(separator: ", ")
            throw fail("unknown dtype \"\(dtypeName)\" (known: \(known))")
        }
        guard let shape = integers(fields["shape"]), shape.allSatisfy({ $0 >= 0 }) else {
            throw fail("\"shape\" must be an array of non-negative integers")
        }
        guard let offsets = integers(fields["data_offsets"]), offsets.count == 2 else {
            throw fail("\"data_offsets\" must be an array of two integers")
        }
        let (begin, end) = (offsets[0], offsets[1])
        guard begin >= 0, begin <= end else { throw fail("data_offsets [\(begin), \(end)] are not an increasing pair") }
        guard end <= dataLength else {
            throw fail("data_offsets [\(begin), \(end)] run past the data area of \(dataLength) bytes (file truncated?)")
        }
        var bytes = dtype.size
        for dimension in shape {
            let (product, overflow) = bytes.multipliedReportingOverflow(by: dimension)
            guard !overflow else { throw fail("shape \(shape) is too large") }
            bytes = product
        }
        guard bytes == end - begin else {
            throw fail("shape \(shape) × \(dtype.rawValue) is \(bytes) bytes but data_offsets span \(end - begin)")
        }
        return SafeTensorsEntry(name: name, dtype: dtype, shape: shape, span: begin..<end)
    }

    /// JSON numbers as Ints; nil unless every element is an exact integer.
    private static func integers(_ value: Any?) -> [Int]? {
        guard let array = value as? [Any] else { return nil }
        var result: [Int] = []
        for element in array {
            guard let number = element as? NSNumber, let int = Int(exactly: number.doubleValue) else { return nil }
            result.append(int)
        }
        return result
    }

    private static func checkNoOverlap(_ entries: some Collection<SafeTensorsEntry>, path: String) throws {
        let sorted = entries.filter { !$0.span.isEmpty }.sorted { $0.span.lowerBound < $1.span.lowerBound }
        for (previous, next) in zip(sorted, sorted.dropFirst()) where next.span.lowerBound < previous.span.upperBound {
            throw SafeTensorsError.malformed(
                path, tensor: next.name,
                "bytes [\(next.span.lowerBound), \(next.span.upperBound)) overlap tensor \"\(previous.name)\" "
                    + "[\(previous.span.lowerBound), \(previous.span.upperBound))")
        }
    }
}
