// The rows of compute work a request carries, counted on its wire bytes before it is decoded.

/// How many rows a request asks steerd to compute: Fuse rows (its polarities), the prompts of
/// EmbedPrompt and Route, the histories of EncodeHistory, the queries of Retrieve. steerd bounds
/// these per connection when a request arrives, on the event loop, so the count is read from the
/// bytes (one pass over the top-level fields, no allocation) rather than from a decoded message.
public enum RequestRows {
    /// The rows of `method`'s request in `payload`: 0 for methods not counted in rows, nil when
    /// the bytes are not the wire format (the request's decoder then answers the precise error).
    /// A count from bytes that decode equals the decoded message's count.
    public static func count(_ method: Method, payload: [UInt8]) -> Int? {
        let field: UInt64
        switch method {
        case .embedPrompt, .route, .encodeHistory: field = 1
        case .retrieve: field = 2
        case .fuse: field = 4   // polarities: one per row, packed (proto3's default) or not
        default: return 0
        }
        return payload.withUnsafeBufferPointer { bytes -> Int? in
            var reader = WireReader(bytes)
            var rows = 0
            do {
                while let f = try reader.next() {
                    guard f.number == field else { continue }
                    // A value of the wrong wire type for the field counts nothing: the decoder refuses it.
                    switch (f.value, method) {
                    case (.varint, .fuse):
                        rows += 1
                    case (.lengthDelimited(let range), .fuse):
                        // Packed enums: one varint per value; each ends with a byte below 0x80.
                        guard range.isEmpty || bytes[range.upperBound - 1] < 0x80 else { return nil }
                        for i in range where bytes[i] < 0x80 { rows += 1 }
                    case (.lengthDelimited, _):
                        rows += 1
                    default:
                        break
                    }
                }
            } catch {
                return nil
            }
            return rows
        }
    }
}
