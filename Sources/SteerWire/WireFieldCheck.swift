// The rules every decoded message's bytes must follow beyond what protobuf-c checks: strings are
// valid UTF-8 without NUL, and enum fields hold values the schema names.
import CSteerProto

/// What to do with an enum value the schema does not name.
enum UnknownEnumValues {
    /// Refuse the message (requests: a client must not be served as if it had sent another value).
    case refuse
    /// Keep it for the reader to interpret (envelopes, where an unknown method is UNIMPLEMENTED and
    /// an unknown status UNKNOWN; responses of a newer daemon).
    case keep
}

/// Checks a message's wire bytes against its protobuf-c descriptor, recursing into sub-messages.
///
/// Why on the bytes and not on the unpacked struct: protobuf-c copies a string field into a
/// NUL-terminated C string, so "comedy\0 no horror" reads back as "comedy" and its length is lost;
/// and it parses an enum varint as int32, so 2^40 reads back as 0. The wire bytes still hold both.
/// `unpackMessage` runs this after protobuf-c has parsed the bytes, so every message type is
/// checked in this one place. Cost: one pass over the tags; packed numeric fields and bytes are
/// skipped whole, strings are scanned once.
enum WireFieldCheck {
    static func check(_ bytes: UnsafeBufferPointer<UInt8>, as descriptor: UnsafePointer<ProtobufCMessageDescriptor>,
                      unknownEnums: UnknownEnumValues) throws(RPCError) {
        // Names are built only for an error: a valid message costs no allocation here.
        let message = { String(cString: descriptor.pointee.name) }
        do {
            try check(bytes, 0..<bytes.count, descriptor, unknownEnums, message: message, path: { "" })
        } catch let error as RPCError {
            throw error
        } catch {
            // A WireFormatError: unreachable after protobuf-c accepted the bytes, but never trusted to be.
            throw RPCError(.invalidArgument, "payload of \(bytes.count) bytes is not a valid \(message()): \(error)")
        }
    }

    private static func check(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>,
                              _ descriptor: UnsafePointer<ProtobufCMessageDescriptor>, _ unknownEnums: UnknownEnumValues,
                              message: () -> String, path: () -> String) throws {
        var reader = WireReader(bytes, range: range)
        // Occurrences so far of each repeated field, to name the element in an error.
        var seen: [UInt64: Int] = [:]
        while let field = try reader.next() {
            guard field.number <= UInt64(UInt32.max),
                  let fieldDescriptor = protobuf_c_message_descriptor_get_field(descriptor, UInt32(field.number)) else {
                continue   // unknown fields are skipped, as protobuf-c does
            }
            let f = fieldDescriptor.pointee
            let checked = f.type == PROTOBUF_C_TYPE_STRING || f.type == PROTOBUF_C_TYPE_MESSAGE
                || (f.type == PROTOBUF_C_TYPE_ENUM && unknownEnums == .refuse)
            guard checked else { continue }
            let repeated = f.label == PROTOBUF_C_LABEL_REPEATED
            /// The next element's index (a packed field holds several).
            func nextIndex() -> Int {
                let i = seen[field.number, default: 0]
                seen[field.number] = i + 1
                return i
            }
            func name(_ i: Int) -> String { path() + String(cString: f.name) + (repeated ? "[\(i)]" : "") }
            switch (f.type, field.value) {
            case (PROTOBUF_C_TYPE_STRING, .lengthDelimited(let span)):
                let i = repeated ? nextIndex() : 0
                try checkString(UnsafeBufferPointer(rebasing: bytes[span]), field: { name(i) }, message: message)
            case (PROTOBUF_C_TYPE_MESSAGE, .lengthDelimited(let span)):
                let i = repeated ? nextIndex() : 0
                let sub = f.descriptor!.assumingMemoryBound(to: ProtobufCMessageDescriptor.self)
                try check(bytes, span, sub, unknownEnums, message: message, path: { name(i) + "." })
            case (PROTOBUF_C_TYPE_ENUM, .varint(let value)):
                let i = repeated ? nextIndex() : 0
                try checkEnum(value, f, field: { name(i) }, message: message)
            case (PROTOBUF_C_TYPE_ENUM, .lengthDelimited(let span)):
                var packed = WireReader(bytes, range: span)   // a packed repeated enum: varints back to back
                while !packed.atEnd {
                    let value = try packed.varint()
                    let i = nextIndex()
                    try checkEnum(value, f, field: { name(i) }, message: message)
                }
            default:
                break
            }
        }
    }

    /// - Throws: INVALID_ARGUMENT naming the field and the byte offset of the first NUL or of the
    ///   first byte that is not UTF-8 (never echoing the bytes themselves).
    static func checkString(_ text: UnsafeBufferPointer<UInt8>, field: () -> String, message: () -> String) throws(RPCError) {
        if let nul = text.firstIndex(of: 0) {
            throw RPCError(.invalidArgument, "\(message()) field \(field()) holds a NUL byte at byte \(nul) of its \(text.count): "
                + "strings must be UTF-8 without NUL (protobuf-c would cut the string there)")
        }
        if let bad = firstInvalidUTF8(text) {
            throw RPCError(.invalidArgument, "\(message()) field \(field()) is not valid UTF-8 (byte \(bad) of its \(text.count)): "
                + "strings must be UTF-8 without NUL")
        }
    }

    private static func checkEnum(_ value: UInt64, _ f: ProtobufCFieldDescriptor, field: () -> String,
                                  message: () -> String) throws(RPCError) {
        let enumDescriptor = f.descriptor!.assumingMemoryBound(to: ProtobufCEnumDescriptor.self)
        // Enums are int32 on the wire, sent as a sign-extended varint: read the whole 64 bits.
        let number = Int64(bitPattern: value)
        if let small = Int32(exactly: number), protobuf_c_enum_descriptor_get_value(enumDescriptor, small) != nil { return }
        let e = enumDescriptor.pointee
        let known = (0..<Int(e.n_values)).map { "\(e.values[$0].value) \(String(cString: e.values[$0].name))" }
        throw RPCError(.invalidArgument, "\(message()) field \(field()) is \(number), not a value of \(String(cString: e.name)) "
            + "(known: \(known.joined(separator: ", ")))")
    }

    /// The offset of the first byte that does not belong to a well-formed UTF-8 sequence (no
    /// overlongs, no surrogates, nothing above U+10FFFF), or nil.
    static func firstInvalidUTF8(_ s: UnsafeBufferPointer<UInt8>) -> Int? {
        var i = 0
        while i < s.count {
            let b0 = s[i]
            if b0 < 0x80 { i += 1; continue }
            let length: Int, low: UInt8, high: UInt8   // the allowed range of the second byte
            switch b0 {
            case 0xC2...0xDF: (length, low, high) = (2, 0x80, 0xBF)
            case 0xE0: (length, low, high) = (3, 0xA0, 0xBF)
            case 0xE1...0xEC, 0xEE...0xEF: (length, low, high) = (3, 0x80, 0xBF)
            case 0xED: (length, low, high) = (3, 0x80, 0x9F)
            case 0xF0: (length, low, high) = (4, 0x90, 0xBF)
            case 0xF1...0xF3: (length, low, high) = (4, 0x80, 0xBF)
            case 0xF4: (length, low, high) = (4, 0x80, 0x8F)
            default: return i
            }
            guard i + length <= s.count else { return i }
            guard s[i + 1] >= low, s[i + 1] <= high else { return i }
            for j in 2..<length where s[i + j] & 0xC0 != 0x80 { return i }
            i += length
        }
        return nil
    }
}
