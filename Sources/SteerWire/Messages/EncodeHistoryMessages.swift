// EncodeHistory: the backbone turns interaction histories into user vectors.
import CSteerProto

public struct EncodeHistoryRequest: WireMessage, Equatable {
    /// Item ids per history, oldest first.
    public var histories: [[UInt32]]

    public init(histories: [[UInt32]]) { self.histories = histories }

    public init(decoding bytes: [UInt8]) throws {
        self = try unpackMessage(bytes, as: "EncodeHistoryRequest", unpack: steer__v1__encode_history_request__unpack,
                                 free: steer__v1__encode_history_request__free_unpacked) { m in
            EncodeHistoryRequest(histories: swiftMessages(m.histories, m.n_histories) { swiftArray($0.item_ids, $0.n_item_ids) })
        }
    }

    public func encoded() -> [UInt8] {
        let arena = CArena()
        let cHistories: [UnsafeMutablePointer<Steer__V1__History>?] = histories.map { items in
            var h = Steer__V1__History()
            steer__v1__history__init(&h)
            h.n_item_ids = items.count
            h.item_ids = arena.array(items)
            return arena.message(h)
        }
        var m = Steer__V1__EncodeHistoryRequest()
        steer__v1__encode_history_request__init(&m)
        m.n_histories = cHistories.count
        m.histories = arena.array(cHistories)
        return packMessage(&m)
    }
}

public struct EncodeHistoryResponse: WireMessage, Equatable, Codable {
    public var dim: UInt32
    /// histories × dim, row-major.
    public var userVectors: [Float]

    public init(dim: UInt32, userVectors: [Float]) {
        self.dim = dim
        self.userVectors = userVectors
    }

    public init(decoding bytes: [UInt8]) throws {
        self = try unpackMessage(bytes, as: "EncodeHistoryResponse", unpack: steer__v1__encode_history_response__unpack,
                                 free: steer__v1__encode_history_response__free_unpacked) { m in
            EncodeHistoryResponse(dim: m.dim, userVectors: swiftArray(m.user_vectors, m.n_user_vectors))
        }
    }

    public func encoded() -> [UInt8] {
        let arena = CArena()
        var m = Steer__V1__EncodeHistoryResponse()
        steer__v1__encode_history_response__init(&m)
        m.dim = dim
        m.n_user_vectors = userVectors.count
        m.user_vectors = arena.array(userVectors)
        return packMessage(&m)
    }
}
