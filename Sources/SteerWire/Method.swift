// The RPC methods of the service contract (steer.proto `Method`).
import CSteerProto

/// One RPC of the service. The raw value is the proto enum number.
public enum Method: UInt32, Sendable, CaseIterable, CustomStringConvertible {
    case health = 1
    case embedPrompt = 2
    case route = 3
    case encodeHistory = 4
    case fuse = 5
    case retrieve = 6
    case recommend = 7
    case listBackbones = 8
    case loadBackbone = 9
    case saveSnapshot = 10
    case loadSnapshot = 11
    case stats = 12

    /// The RPC's name as in the contract, e.g. `EncodeHistory`.
    public var description: String { Self.names[Int(rawValue) - 1] }

    /// Indexed by raw value - 1: the numbers run from 1 without a gap, as the contract's do.
    private static let names = ["Health", "EmbedPrompt", "Route", "EncodeHistory", "Fuse", "Retrieve", "Recommend",
                                "ListBackbones", "LoadBackbone", "SaveSnapshot", "LoadSnapshot", "Stats"]
}
