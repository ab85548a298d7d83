// The largest response steerd sends, and bounds on a response's size known from its request.
import SteerWire

/// The response-size bound (the daemon configuration's `maxResponseSize`, else `maxFrameSize`) and its checks.
///
/// A small request can ask for a huge answer: a 1.07 MB Retrieve (4,096 queries, k = 10,000)
/// answered an 89.6 MB frame after 9.7 s, and four clients that did not read drove steerd to
/// 947 MB. Where a request states the size of its answer (Retrieve: queries × k; EncodeHistory
/// and Fuse: rows × dim; EmbedPrompt: prompts × dim), `admit` refuses it RESOURCE_EXHAUSTED before
/// any work; every other response is measured once encoded (`checkEncoded`).
///
/// The bounds over-estimate a little (varint lengths at their widest), never under-estimate, so
/// an admitted request's response fits unless the estimate's inputs were wrong, which the check
/// of the encoded response still catches.
public struct ResponseBudget: Sendable {
    /// Largest Response envelope (the frame body), bytes.
    public let maxBytes: Int

    public init(maxBytes: Int) { self.maxBytes = maxBytes }

    /// Answers a connection may leave unread in steerd's memory (beyond what the kernel's socket
    /// buffer holds) before steerd closes it: four of the largest responses, at least 16 MiB. The
    /// response bound alone leaves a client that pipelines requests and never reads a way to pile
    /// up in-flight-limit × bound bytes (256 × 4 MiB); four such clients drove steerd to 947 MB.
    public var unreadLimit: Int { max(16 << 20, 4 * maxBytes) }

    /// Bytes a Response envelope adds around its payload on success: id (≤ 11), status (≤ 3),
    /// the payload's tag and length (≤ 6).
    package static let envelopeOverhead = 20
    /// Bytes around a packed repeated field: its tag and length.
    package static let packedFieldOverhead = 6
    /// Scored items one Retrieve may return in all (queries × min(k, items)), whatever the
    /// response bound: 2^21 results are some 19 MB of answer and 8 MB of scores while ranking.
    public static let maxRetrieveResults = 1 << 21

    /// Refuses RESOURCE_EXHAUSTED when a response of `payloadBytes` would exceed the bound.
    /// - Parameter what: the request and why its answer is that large, for the message.
    package func admit(payloadBytes: Int, _ what: @autoclosure () -> String, advice: String) throws {
        let total = payloadBytes + Self.envelopeOverhead
        guard total > maxBytes else { return }
        throw RPCError(.resourceExhausted, "\(what()) would be answered with about \(total) bytes, more than the "
            + "\(maxBytes)-byte response limit (maxResponseSize in the configuration file, steer serve --max-response-size; "
            + "default --max-frame-size): \(advice)")
    }

    /// The RESOURCE_EXHAUSTED that replaces an encoded `method` response of `payloadBytes`, or nil when it fits.
    package func refusal(of method: Method, payloadBytes: Int) -> RPCError? {
        let total = payloadBytes + Self.envelopeOverhead
        guard total > maxBytes else { return nil }
        return RPCError(.resourceExhausted, "the \(method) response came to \(total) bytes, more than the \(maxBytes)-byte "
            + "response limit (maxResponseSize in the configuration file, steer serve --max-response-size); it was not sent: "
            + "ask for less per request")
    }

    /// Payload bytes of a message holding `rows × dim` packed floats and a `dim` field.
    package static func floatRowsBytes(rows: Int, dim: Int) -> Int {
        let (floats, overflow) = rows.multipliedReportingOverflow(by: dim)
        guard !overflow, floats <= Int.max / 8 else { return .max / 2 }
        return 6 + packedFieldOverhead + floats * 4
    }

    /// Checks Retrieve's answer (at most `min(k, itemCount)` items per query) against the bound
    /// and the results cap. Requests outside Retrieve's own limits pass: its handler refuses them
    /// with the precise INVALID_ARGUMENT.
    package func admitRetrieve(queries: Int, k: Int, itemCount: Int) throws {
        let perQuery = min(k, itemCount)
        guard queries > 0, perQuery > 0 else { return }
        let (results, overflow) = queries.multipliedReportingOverflow(by: perQuery)
        if overflow || results > Self.maxRetrieveResults {
            throw RPCError(.resourceExhausted, "Retrieve of \(queries) queries × \(perQuery) items (k = \(k), \(itemCount) items "
                + "in the index) asks for \(results) scored items; at most \(Self.maxRetrieveResults) per request: "
                + "split the queries over several requests or lower k")
        }
        // Per item: its id (a varint no wider than the largest id's) and its float score; per
        // query: the result's tag and length and two packed fields.
        let idBytes = Self.varintSize(UInt64(max(0, itemCount - 1)))
        let bytes = queries * (6 + 2 * Self.packedFieldOverhead) + results * (idBytes + 4)
        try admit(payloadBytes: bytes, "Retrieve of \(queries) queries × \(perQuery) items (k = \(k))",
                  advice: "split the queries over several requests or lower k")
    }

    package static func varintSize(_ value: UInt64) -> Int {
        var size = 1
        var rest = value >> 7
        while rest != 0 { size += 1; rest >>= 7 }
        return size
    }
}
