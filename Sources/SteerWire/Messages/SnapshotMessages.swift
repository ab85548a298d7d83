// SaveSnapshot and LoadSnapshot: the item index to and from the snapshot directory.
import CSteerProto

public struct SaveSnapshotRequest: CBackedMessage, Equatable {
    /// A file name inside the snapshot directory; never a path.
    public var name: String
    /// Replace an existing state snapshot of that name (false: an existing name is refused). No
    /// other kind of file is ever replaced.
    public var overwrite: Bool

    public init(name: String, overwrite: Bool = false) {
        self.name = name
        self.overwrite = overwrite
    }

    static let cType = CMessageType(steer__v1__save_snapshot_request__init)

    init(reading m: Steer__V1__SaveSnapshotRequest) {
        self.init(name: swiftString(m.name), overwrite: m.overwrite != 0)
    }

    func fill(_ m: inout Steer__V1__SaveSnapshotRequest, _ arena: CArena) {
        m.name = arena.string(name)
        m.overwrite = cBool(overwrite)
    }
}

public struct SaveSnapshotResponse: CBackedMessage, Equatable, Codable {
    public var path: String
    public var bytes: UInt64
    /// The active backbone saved with its checkpoint; empty when none was loaded.
    public var backbone: String
    /// Cached prompt embeddings and token states saved.
    public var promptCacheEntries: UInt32

    public init(path: String, bytes: UInt64, backbone: String = "", promptCacheEntries: UInt32 = 0) {
        self.path = path
        self.bytes = bytes
        self.backbone = backbone
        self.promptCacheEntries = promptCacheEntries
    }

    static let cType = CMessageType(steer__v1__save_snapshot_response__init)

    init(reading m: Steer__V1__SaveSnapshotResponse) {
        self.init(path: swiftString(m.path), bytes: m.bytes, backbone: swiftString(m.backbone),
                  promptCacheEntries: m.prompt_cache_entries)
    }

    func fill(_ m: inout Steer__V1__SaveSnapshotResponse, _ arena: CArena) {
        m.path = arena.string(path)
        m.bytes = bytes
        m.backbone = arena.string(backbone)
        m.prompt_cache_entries = promptCacheEntries
    }
}

public struct LoadSnapshotRequest: CBackedMessage, Equatable {
    /// A file name inside the snapshot directory; never a path.
    public var name: String

    public init(name: String) { self.name = name }

    static let cType = CMessageType(steer__v1__load_snapshot_request__init)

    init(reading m: Steer__V1__LoadSnapshotRequest) {
        self.init(name: swiftString(m.name))
    }

    func fill(_ m: inout Steer__V1__LoadSnapshotRequest, _ arena: CArena) {
        m.name = arena.string(name)
    }
}

public struct LoadSnapshotResponse: CBackedMessage, Equatable, Codable {
    public var nItems: UInt32
    public var dim: UInt32
    public var nCategories: UInt32
    /// A state snapshot: the backbone it made active; empty when it held none.
    public var backbone: String
    /// A state snapshot: prompt-cache entries restored (those of the current encoder).
    public var promptCacheEntries: UInt32

    public init(nItems: UInt32, dim: UInt32, nCategories: UInt32, backbone: String = "", promptCacheEntries: UInt32 = 0) {
        self.nItems = nItems
        self.dim = dim
        self.nCategories = nCategories
        self.backbone = backbone
        self.promptCacheEntries = promptCacheEntries
    }

    static let cType = CMessageType(steer__v1__load_snapshot_response__init)

    init(reading m: Steer__V1__LoadSnapshotResponse) {
        self.init(nItems: m.n_items, dim: m.dim, nCategories: m.n_categories, backbone: swiftString(m.backbone),
                  promptCacheEntries: m.prompt_cache_entries)
    }

    func fill(_ m: inout Steer__V1__LoadSnapshotResponse, _ arena: CArena) {
        m.n_items = nItems
        m.dim = dim
        m.n_categories = nCategories
        m.backbone = arena.string(backbone)
        m.prompt_cache_entries = promptCacheEntries
    }
}
