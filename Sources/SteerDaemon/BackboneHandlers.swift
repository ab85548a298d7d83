// ListBackbones, LoadBackbone and EncodeHistory: backbone plugins loaded through the C ABI.
import SteerPlugins
import SteerSnapshot
import SteerWire
#if canImport(Glibc)
import Glibc
#endif

extension SteerService {
    /// Request bounds for EncodeHistory.
    static let maxHistoriesPerRequest = 4_096
    static let maxHistoryLength = 100_000

    func listBackbones(_ request: ListBackbonesRequest) throws -> ListBackbonesResponse {
        let state = backbones.withLock { $0 }
        let infos = state.byName.keys.sorted().map { name in
            wireInfo(state.byName[name]!.info, active: name == state.active)
        }
        return ListBackbonesResponse(backbones: infos, available: plugins.availablePlugins())
    }

    /// Loads a plugin (and optionally a checkpoint snapshot of kind "backbone-checkpoint" with
    /// sections "config" and "weights") and makes it the active backbone. A failed load leaves
    /// the previous backbone active.
    func loadBackbone(_ request: LoadBackboneRequest) throws -> LoadBackboneResponse {
        var config = ""
        var weights: [UInt8] = []
        if !request.checkpoint.isEmpty {
            let path = try snapshots.file(named: request.checkpoint)
            guard access(path, F_OK) == 0 else {
                throw RPCError(.notFound, "no checkpoint named \"\(request.checkpoint)\" in \(snapshots.path)")
            }
            do {
                let snapshot = try Snapshot.read(contentsOf: path)
                try snapshot.requireKind("backbone-checkpoint")
                config = String(decoding: try snapshot.section("config"), as: UTF8.self)
                weights = try snapshot.section("weights")
            } catch let error as SnapshotError {
                throw RPCError(.dataLoss, "checkpoint \(request.checkpoint) refused: \(error)")
            }
        }
        let backbone: Backbone
        do {
            backbone = try plugins.load(name: request.name, config: config, weights: weights)
        } catch let error as PluginError {
            throw RPCError(Self.status(for: error), error.description)
        }
        backbones.withLock { state in
            state.byName[backbone.info.name] = backbone
            state.active = backbone.info.name
        }
        logger.info("backbone loaded", metadata: [
            "name": "\(backbone.info.name)", "sha256": "\(backbone.info.sha256)", "dim": "\(backbone.info.dim)",
        ])
        return LoadBackboneResponse(backbone: wireInfo(backbone.info, active: true))
    }

    func encodeHistory(_ request: EncodeHistoryRequest) throws -> EncodeHistoryResponse {
        guard let backbone = backbones.withLock({ s in s.active.flatMap { s.byName[$0] } }) else {
            throw RPCError(.failedPrecondition, "no backbone is loaded: call LoadBackbone first (steer load-backbone NAME)")
        }
        guard !request.histories.isEmpty, request.histories.count <= Self.maxHistoriesPerRequest else {
            throw RPCError(.invalidArgument, "\(request.histories.count) histories; send 1 to \(Self.maxHistoriesPerRequest)")
        }
        if let long = request.histories.firstIndex(where: { $0.count > Self.maxHistoryLength }) {
            throw RPCError(.invalidArgument, "history \(long) has \(request.histories[long].count) items; at most \(Self.maxHistoryLength)")
        }
        do {
            let vectors = try backbone.encode(histories: request.histories)
            return EncodeHistoryResponse(dim: UInt32(backbone.info.dim), userVectors: vectors)
        } catch let error as PluginError {
            throw RPCError(Self.status(for: error), error.description)
        }
    }

    private func wireInfo(_ info: SteerPlugins.BackboneInfo, active: Bool) -> SteerWire.BackboneInfo {
        var wire = SteerWire.BackboneInfo()
        wire.name = info.name
        wire.pluginVersion = info.pluginVersion
        wire.abiMajor = info.abiMajor
        wire.abiMinor = info.abiMinor
        wire.sha256 = info.sha256
        wire.dim = UInt32(info.dim)
        wire.maxLen = UInt32(info.maxLen)
        wire.nItems = UInt32(info.nItems)
        wire.trainable = info.trainable
        wire.active = active
        return wire
    }

    static func status(for error: PluginError) -> StatusCode {
        switch error.kind {
        case .invalidName, .invalidInput: .invalidArgument
        case .notFound: .notFound
        case .incompatibleABI, .badPlugin, .createFailed, .loadFailed: .failedPrecondition
        default: .internal
        }
    }
}
