// ListBackbones and LoadBackbone: which backbone plugins are loaded, and loading one.
import CSteerProto

/// A loaded backbone plugin as the daemon reports it.
public struct BackboneInfo: Sendable, Equatable, Codable {
    public var name = ""
    public var pluginVersion = ""
    public var abiMajor: UInt32 = 0
    public var abiMinor: UInt32 = 0
    /// Hex SHA-256 of the shared library that was loaded.
    public var sha256 = ""
    public var dim: UInt32 = 0
    public var maxLen: UInt32 = 0
    public var nItems: UInt32 = 0
    public var trainable = false
    public var active = false

    public init() {}

    init(_ m: Steer__V1__BackboneInfo) {
        name = swiftString(m.name)
        pluginVersion = swiftString(m.plugin_version)
        abiMajor = m.abi_major
        abiMinor = m.abi_minor
        sha256 = swiftString(m.sha256)
        dim = m.dim
        maxLen = m.max_len
        nItems = m.n_items
        trainable = m.trainable != 0
        active = m.active != 0
    }

    /// Sets the fields of `m`, initialized by `steer__v1__backbone_info__init`.
    func fill(_ m: inout Steer__V1__BackboneInfo, _ arena: CArena) {
        m.name = arena.string(name)
        m.plugin_version = arena.string(pluginVersion)
        m.abi_major = abiMajor
        m.abi_minor = abiMinor
        m.sha256 = arena.string(sha256)
        m.dim = dim
        m.max_len = maxLen
        m.n_items = nItems
        m.trainable = cBool(trainable)
        m.active = cBool(active)
    }
}

public struct ListBackbonesRequest: EmptyCMessage, Equatable {
    static let cType = CMessageType(steer__v1__list_backbones_request__init)

    public init() {}
}

public struct ListBackbonesResponse: CBackedMessage, Equatable, Codable {
    public var backbones: [BackboneInfo]
    /// Plugin names found in the plugin directory, loaded or not.
    public var available: [String]

    public init(backbones: [BackboneInfo], available: [String]) {
        self.backbones = backbones
        self.available = available
    }

    static let cType = CMessageType(steer__v1__list_backbones_response__init)

    init(reading m: Steer__V1__ListBackbonesResponse) {
        self.init(backbones: swiftMessages(m.backbones, m.n_backbones) { BackboneInfo($0) },
                  available: swiftStrings(m.available, m.n_available))
    }

    func fill(_ m: inout Steer__V1__ListBackbonesResponse, _ arena: CArena) {
        (m.n_backbones, m.backbones) = arena.messages(backbones, steer__v1__backbone_info__init) { c, info in
            info.fill(&c, arena)
        }
        (m.n_available, m.available) = arena.strings(available)
    }
}

public struct LoadBackboneRequest: CBackedMessage, Equatable {
    /// A plugin name in the plugin directory; never a path.
    public var name: String
    /// A snapshot name in the snapshot directory holding the weights; empty: none.
    public var checkpoint: String

    public init(name: String, checkpoint: String = "") {
        self.name = name
        self.checkpoint = checkpoint
    }

    static let cType = CMessageType(steer__v1__load_backbone_request__init)

    init(reading m: Steer__V1__LoadBackboneRequest) {
        self.init(name: swiftString(m.name), checkpoint: swiftString(m.checkpoint))
    }

    func fill(_ m: inout Steer__V1__LoadBackboneRequest, _ arena: CArena) {
        m.name = arena.string(name)
        m.checkpoint = arena.string(checkpoint)
    }
}

public struct LoadBackboneResponse: CBackedMessage, Equatable, Codable {
    public var backbone: BackboneInfo

    public init(backbone: BackboneInfo) { self.backbone = backbone }

    static let cType = CMessageType(steer__v1__load_backbone_response__init)

    init(reading m: Steer__V1__LoadBackboneResponse) {
        self.init(backbone: m.backbone.map { BackboneInfo($0.pointee) } ?? BackboneInfo())
    }

    func fill(_ m: inout Steer__V1__LoadBackboneResponse, _ arena: CArena) {
        m.backbone = arena.message(steer__v1__backbone_info__init) { backbone.fill(&$0, arena) }
    }
}
