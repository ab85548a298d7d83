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
        packMessage(steer__v1__encode_history_request__init) { m, arena in
            (m.n_histories, m.histories) = arena.messages(histories, steer__v1__history__init) { h, items in
                (h.n_item_ids, h.item_ids) = arena.counted(items)
            }
        }
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
        packMessage(steer__v1__encode_history_response__init) { m, arena in
            m.dim = dim
            (m.n_user_vectors, m.user_vectors) = arena.counted(userVectors)
        }
    }
}
