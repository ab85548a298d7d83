// Walks the protobuf wire format field by field: what protobuf-c's unpacked C structs no longer
// show (a string's length on the wire, an enum's full varint) is read from the bytes themselves.

/// One field occurrence in a serialized message.
struct WireField {
    /// The field number from the tag.
    var number: UInt64
    var value: Value

    enum Value {
        /// Wire type 0, the full 64-bit varint (protobuf-c keeps only the low 32 bits of an enum).
        case varint(UInt64)
        /// Wire type 2: the bytes of a string, bytes, sub-message or packed repeated field.
        case lengthDelimited(Range<Int>)
        /// Wire types 1 and 5: fixed 64- or 32-bit values, which nothing here inspects.
        case fixed
    }
}

/// Reads the fields of one message level in order; sub-messages are length-delimited fields the
/// caller reads with a reader of their own.
///
/// Every read is bounds-checked: a malformed message throws, it never reads past `end`.
struct WireReader {
    private let bytes: UnsafeBufferPointer<UInt8>
    private(set) var position: Int
    private let end: Int

    init(_ bytes: UnsafeBufferPointer<UInt8>, range: Range<Int>? = nil) {
        self.bytes = bytes
        position = range?.lowerBound ?? 0
        end = range?.upperBound ?? bytes.count
    }

    var atEnd: Bool { position >= end }

    /// The next field, or nil at the end.
    /// - Throws: `WireFormatError` for a truncated field, an overlong varint or a group or
    ///   reserved wire type (proto3 has no groups; protobuf-c refuses them too).
    mutating func next() throws(WireFormatError) -> WireField? {
        guard position < end else { return nil }
        let at = position
        let tag = try varint()
        let number = tag >> 3
        guard number != 0 else { throw WireFormatError(offset: at, "field number 0") }
        switch tag & 7 {
        case 0:
            return WireField(number: number, value: .varint(try varint()))
        case 1:
            try skip(8, at: at)
            return WireField(number: number, value: .fixed)
        case 2:
            let length = try varint()
            guard length <= UInt64(end - position) else {
                throw WireFormatError(offset: at, "field \(number) claims \(length) bytes, \(end - position) remain")
            }
            let start = position
            position += Int(length)
            return WireField(number: number, value: .lengthDelimited(start..<position))
        case 5:
            try skip(4, at: at)
            return WireField(number: number, value: .fixed)
        case let wireType:
            throw WireFormatError(offset: at, "field \(number) has wire type \(wireType), which proto3 does not use")
        }
    }

    /// A base-128 varint of at most 10 bytes.
    mutating func varint() throws(WireFormatError) -> UInt64 {
        let at = position
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard position < end else { throw WireFormatError(offset: at, "varint runs past the end") }
            guard shift < 64 else { throw WireFormatError(offset: at, "varint longer than 10 bytes") }
            let byte = bytes[position]
            position += 1
            value |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return value }
            shift += 7
        }
    }

    private mutating func skip(_ count: Int, at: Int) throws(WireFormatError) {
        guard end - position >= count else { throw WireFormatError(offset: at, "fixed field runs past the end") }
        position += count
    }
}

/// Bytes that are not the protobuf wire format.
struct WireFormatError: Error, CustomStringConvertible {
    var offset: Int
    var detail: String

    init(offset: Int, _ detail: String) {
        self.offset = offset
        self.detail = detail
    }

    var description: String { "at byte \(offset): \(detail)" }
}
