// EncodeHistory: the backbone turns interaction histories into user vectors.
import CSteerProto

public struct EncodeHistoryRequest: CBackedMessage, Equatable {
    /// Item ids per history, oldest first.
    public var histories: [[UInt32]]

    public init(histories: [[UInt32]]) { self.histories = histories }

    static let cType = CMessageType(steer__v1__encode_history_request__init)

    init(reading m: Steer__V1__EncodeHistoryRequest) {
        self.init(histories: swiftMessages(m.histories, m.n_histories) { swiftArray($0.item_ids, $0.n_item_ids) })
    }

    func fill(_ m: inout Steer__V1__EncodeHistoryRequest, _ arena: CArena) {
        (m.n_histories, m.histories) = arena.messages(histories, steer__v1__history__init) { h, items in
            (h.n_item_ids, h.item_ids) = arena.counted(items)
        }
    }
}

public struct EncodeHistoryResponse: CBackedMessage, Equatable, Codable {
    public var dim: UInt32
    /// histories × dim, row-major.
    public var userVectors: [Float]

    public init(dim: UInt32, userVectors: [Float]) {
        self.dim = dim
        self.userVectors = userVectors
    }

    static let cType = CMessageType(steer__v1__encode_history_response__init)

    init(reading m: Steer__V1__EncodeHistoryResponse) {
        self.init(dim: m.dim, userVectors: swiftArray(m.user_vectors, m.n_user_vectors))
    }

    func fill(_ m: inout Steer__V1__EncodeHistoryResponse, _ arena: CArena) {
        m.dim = dim
        (m.n_user_vectors, m.user_vectors) = arena.counted(userVectors)
    }
}
