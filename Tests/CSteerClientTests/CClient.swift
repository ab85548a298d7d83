// A thin Swift face on the C client for the tests: every call goes straight to steer_client.h and
// turns its steer_result / steer_error into a thrown CClientError.
import CSteerClient
import CSteerProto
import SteerWire
import XCTest

/// A failed C call: the steer_result it returned and the steer_error it filled.
struct CClientError: Error, CustomStringConvertible {
    var code: steer_result
    var status: UInt32
    var message: String

    init(_ error: steer_error, returned: steer_result) {
        XCTAssertEqual(error.code, returned, "the steer_error's code must be the returned result")
        code = returned
        status = error.status
        message = text(of: error)
    }

    init(code: steer_result, status: UInt32 = 0, message: String) {
        self.code = code
        self.status = status
        self.message = message
    }

    var statusName: String { String(cString: steer_status_name(status)) }
    var description: String { "\(String(cString: steer_result_name(code))) [status \(statusName)]: \(message)" }
}

/// The NUL-terminated message of a steer_error.
func text(of error: steer_error) -> String {
    withUnsafeBytes(of: error.message) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
}

/// A response envelope read through steer_client_receive, copied out of the C struct.
struct CResponse {
    var id: UInt64
    var status: UInt32
    var message: String
    var payload: [UInt8]
}

final class CClient {
    let handle: OpaquePointer

    init(socketPath: String) throws {
        var handle: OpaquePointer?
        var error = steer_error()
        let result = steer_client_connect(socketPath, &handle, &error)
        guard result == STEER_OK, let handle else { throw CClientError(error, returned: result) }
        self.handle = handle
    }

    deinit { steer_client_close(handle) }

    func nextID() -> UInt64 { steer_client_next_id(handle) }

    /// steer_client_send with a payload packed by SteerWire.
    func send(_ methodNumber: UInt32, id: UInt64, deadline: UInt64 = 0, payload: [UInt8]) throws {
        var error = steer_error()
        let result = payload.withUnsafeBufferPointer {
            steer_client_send(handle, methodNumber, id, deadline, $0.baseAddress, $0.count, &error)
        }
        guard result == STEER_OK else { throw CClientError(error, returned: result) }
    }

    func send(_ method: SteerWire.Method, id: UInt64, deadline: UInt64 = 0, payload: [UInt8]) throws {
        try send(method.rawValue, id: id, deadline: deadline, payload: payload)
    }

    func send(_ method: SteerWire.Method, id: UInt64, deadline: UInt64 = 0, _ request: some WireMessage) throws {
        try send(method.rawValue, id: id, deadline: deadline, payload: request.encoded())
    }

    /// steer_client_send_message with a C message protobuf-c unpacked from SteerWire's bytes.
    func sendMessage<CRequest>(_ method: SteerWire.Method, id: UInt64, _ request: some WireMessage,
                               unpack: (UnsafeMutablePointer<ProtobufCAllocator>?, Int, UnsafePointer<UInt8>?) -> UnsafeMutablePointer<CRequest>?) throws {
        let message = try cMessage(request, unpack: unpack)
        defer { steer_client_message_free(message) }
        var error = steer_error()
        let result = message.withMemoryRebound(to: ProtobufCMessage.self, capacity: 1) {
            steer_client_send_message(handle, method.rawValue, id, 0, $0, &error)
        }
        guard result == STEER_OK else { throw CClientError(error, returned: result) }
    }

    func receive(timeoutMs: Int32 = 10_000) throws -> CResponse {
        var out: UnsafeMutablePointer<Steer__V1__Response>?
        var error = steer_error()
        let result = steer_client_receive(handle, timeoutMs, &out, &error)
        defer { steer_client_response_free(out) }
        guard result == STEER_OK, let r = out?.pointee else {
            XCTAssertNil(out, "no response may be handed out on failure")
            throw CClientError(error, returned: result)
        }
        return CResponse(id: r.id, status: r.status.rawValue, message: r.message.map { String(cString: $0) } ?? "",
                         payload: Array(UnsafeBufferPointer(start: r.payload.data, count: r.payload.len)))
    }

    /// One typed blocking call (`steer_client_recommend` and so on). The C request is protobuf-c's own
    /// struct, unpacked from SteerWire's encoding of `request` (nil: the function gets NULL); `read`
    /// sees the C response before it is freed.
    func call<CRequest, COut, T>(
        _ function: (OpaquePointer?, UnsafePointer<CRequest>?, Int32, UnsafeMutablePointer<UnsafeMutablePointer<COut>?>?,
                     UnsafeMutablePointer<steer_error>?) -> steer_result,
        _ request: (some WireMessage)?,
        unpack: (UnsafeMutablePointer<ProtobufCAllocator>?, Int, UnsafePointer<UInt8>?) -> UnsafeMutablePointer<CRequest>?,
        timeoutMs: Int32 = 10_000,
        read: (COut) throws -> T
    ) throws -> T {
        let message = try request.map { try cMessage($0, unpack: unpack) }
        defer { steer_client_message_free(message) }
        var out: UnsafeMutablePointer<COut>?
        var error = steer_error()
        let result = function(handle, message, timeoutMs, &out, &error)
        defer { steer_client_message_free(out) }
        guard result == STEER_OK, let out else {
            XCTAssertNil(out, "no response may be handed out on failure")
            throw CClientError(error, returned: result)
        }
        XCTAssertEqual(error.code, STEER_OK)
        return try read(out.pointee)
    }

    func health(timeoutMs: Int32 = 10_000) throws -> Steer__V1__HealthResponse.Copied {
        try call(steer_client_health, HealthRequest?.none, unpack: steer__v1__health_request__unpack, timeoutMs: timeoutMs) {
            Steer__V1__HealthResponse.Copied(live: $0.live != 0, ready: $0.ready != 0, version: string($0.version),
                                             nItems: $0.n_items, dim: $0.dim, activeBackbone: string($0.active_backbone))
        }
    }

    func recommend(_ request: RecommendRequest, timeoutMs: Int32 = 10_000) throws -> RecommendResponse {
        try call(steer_client_recommend, request, unpack: steer__v1__recommend_request__unpack, timeoutMs: timeoutMs) { r in
            var response = RecommendResponse(itemIDs: array(r.item_ids, r.n_item_ids), scores: array(r.scores, r.n_scores))
            response.polarity = Polarity(rawValue: r.polarity.rawValue) ?? .unspecified
            response.routeConfidence = r.route_confidence
            response.titles = strings(r.titles, r.n_titles)
            response.categories = strings(r.categories, r.n_categories)
            return response
        }
    }

    func loadBackbone(_ name: String, checkpoint: String) throws -> UInt32 {
        try call(steer_client_load_backbone, LoadBackboneRequest(name: name, checkpoint: checkpoint),
                 unpack: steer__v1__load_backbone_request__unpack) { $0.backbone.pointee.dim }
    }

    func encodeHistory(_ history: [UInt32]) throws -> [Float] {
        try call(steer_client_encode_history, EncodeHistoryRequest(histories: [history]),
                 unpack: steer__v1__encode_history_request__unpack) { array($0.user_vectors, $0.n_user_vectors) }
    }
}

extension Steer__V1__HealthResponse {
    /// The fields the tests look at, copied out before the C struct is freed.
    struct Copied {
        var live: Bool
        var ready: Bool
        var version: String
        var nItems: UInt32
        var dim: UInt32
        var activeBackbone: String
    }
}

/// protobuf-c's own struct for `message`, unpacked from SteerWire's bytes; free with steer_client_message_free.
func cMessage<CRequest>(_ message: some WireMessage,
                        unpack: (UnsafeMutablePointer<ProtobufCAllocator>?, Int, UnsafePointer<UInt8>?) -> UnsafeMutablePointer<CRequest>?) throws
    -> UnsafeMutablePointer<CRequest> {
    let bytes = message.encoded()
    let padded = bytes + [0]   // never a NULL base address, even for an empty message
    guard let unpacked = padded.withUnsafeBufferPointer({ unpack(nil, bytes.count, $0.baseAddress) }) else {
        throw CClientError(code: STEER_ERR_DECODE, message: "protobuf-c could not unpack the test's own \(type(of: message))")
    }
    return unpacked
}

func array<T>(_ pointer: UnsafeMutablePointer<T>?, _ count: Int) -> [T] {
    count == 0 ? [] : Array(UnsafeBufferPointer(start: pointer, count: count))
}

func strings(_ pointer: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?, _ count: Int) -> [String] {
    array(pointer, count).map(string)
}

func string(_ pointer: UnsafeMutablePointer<CChar>?) -> String { pointer.map { String(cString: $0) } ?? "" }
