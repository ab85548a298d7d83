// ListBackbones, LoadBackbone and EncodeHistory: backbone plugins loaded through the C ABI.
import Logging
import SteerCheckpoint
import SteerDPR
import SteerIndex
import SteerPlugins
import SteerSnapshot
import SteerTransport
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

    /// Loads a plugin (and optionally a checkpoint snapshot of kind "backbone-checkpoint") and
    /// makes it the active backbone. From the checkpoint it takes "config" and "weights"; its DPR
    /// head ("dpr_head", written by `steer train-dpr`), which makes Fuse and Recommend steerable;
    /// and its item titles and categories, from which it installs an item index of the loaded
    /// backbone's own item embeddings, so Retrieve and Recommend rank with the table the model was
    /// trained with. A failed load changes nothing: the previous backbone, head and index stay.
    func loadBackbone(_ request: LoadBackboneRequest) throws -> LoadBackboneResponse {
        var snapshot: Snapshot?
        if !request.checkpoint.isEmpty {
            snapshot = try snapshots.read(named: request.checkpoint, role: "checkpoint")
        }
        let backbone = try activate(plugin: request.name, checkpoint: snapshot, label: request.checkpoint)
        return LoadBackboneResponse(backbone: wireInfo(backbone.info, active: true))
    }

    /// Loads plugin `plugin` with `checkpoint` (nil: the plugin's initial weights) and makes it
    /// active with the checkpoint's DPR head and item index, all or nothing. `label` names the
    /// checkpoint in errors. `savedIndex` (a state snapshot's) replaces the checkpoint's index.
    /// Used by LoadBackbone and by restoring a state snapshot.
    @discardableResult
    func activate(plugin: String, checkpoint snapshot: Snapshot?, label: String, savedIndex: ItemIndex? = nil) throws -> Backbone {
        var checkpoint: BackboneCheckpoint?
        var head: DPRHead?
        if let snapshot {
            do {
                checkpoint = try BackboneCheckpoint(snapshot: snapshot)
                head = try checkpoint?.dprHead.map { try DPRHead(archive: $0) }
            } catch let error as SnapshotError {
                throw RPCError(.dataLoss, "checkpoint \(label) refused: \(error)")
            } catch let error as DPRError {
                throw RPCError(.dataLoss, "checkpoint \(label) refused: its DPR head does not load: \(error)")
            }
        }
        let backbone: Backbone
        do {
            backbone = try plugins.load(name: plugin, config: checkpoint?.config ?? "", weights: checkpoint?.weights ?? [])
        } catch let error as PluginError {
            throw RPCError(Self.status(for: error), error.description)
        }
        if let head { try checkFits(head, backbone: backbone, checkpoint: label) }
        var index = try checkpoint.flatMap { $0.hasItems ? try itemIndex(of: backbone, items: $0, checkpoint: label) : nil }
        if let savedIndex {
            guard savedIndex.dimension == backbone.info.dim else {
                throw RPCError(.dataLoss, "\(label): the saved item index is \(savedIndex.dimension)-d but backbone \(plugin) gives "
                    + "\(backbone.info.dim)-d vectors; nothing was changed")
            }
            index = savedIndex
        }
        checkpoints.withLock { $0[backbone.info.name] = .some(snapshot) }  // before install: a save never pairs it with another file
        install(backbone, head: head, index: index)
        var metadata: Logger.Metadata = [
            "name": "\(backbone.info.name)", "sha256": "\(backbone.info.sha256)", "dim": "\(backbone.info.dim)",
        ]
        if let head { metadata["dpr_head"] = "\(head.config.keyValue), \(head.config.towers) towers, \(head.parameterCount) parameters" }
        if let index { metadata["index_items"] = "\(index.count)" }
        logger.info("backbone loaded", metadata: metadata)
        return backbone
    }

    /// A head serves a backbone only when it fuses vectors of the backbone's width and reads
    /// prompts of the loaded encoder's width.
    private func checkFits(_ head: DPRHead, backbone: Backbone, checkpoint: String) throws {
        guard head.config.dim == backbone.info.dim else {
            throw RPCError(.failedPrecondition, "checkpoint \(checkpoint): its DPR head fuses \(head.config.dim)-d vectors "
                + "but backbone \(backbone.info.name) gives \(backbone.info.dim)-d ones; nothing was changed")
        }
        if let encoder = prompts?.encoder, head.config.encoderDim != encoder.dimension {
            throw RPCError(.failedPrecondition, "checkpoint \(checkpoint): its DPR head reads \(head.config.encoderDim)-d prompt "
                + "embeddings but this steerd's encoder \(encoder.name) gives \(encoder.dimension)-d ones; start steerd with the "
                + "encoder the head was trained with (--encoder DIR); nothing was changed")
        }
    }

    /// The backbone's item table with the checkpoint's titles and categories.
    private func itemIndex(of backbone: Backbone, items: BackboneCheckpoint, checkpoint: String) throws -> ItemIndex {
        guard items.itemTitles.count == backbone.info.nItems else {
            throw RPCError(.dataLoss, "checkpoint \(checkpoint): \(items.itemTitles.count) items in its vocabulary but backbone "
                + "\(backbone.info.name) has \(backbone.info.nItems); nothing was changed")
        }
        do {
            return try ItemIndex(embeddings: backbone.itemEmbeddings, dimension: backbone.info.dim,
                                 itemCategories: items.itemCategories.map { $0.map(UInt32.init) },
                                 categoryCount: items.categoryNames.count, categoryNames: items.categoryNames, titles: items.itemTitles)
        } catch let error as ItemIndexError {
            throw RPCError(.dataLoss, "checkpoint \(checkpoint): its item index does not build: \(error); nothing was changed")
        }
    }

    /// User vectors of the request's histories, encoded together with concurrent requests' for
    /// the same backbone instance (the histories batcher).
    func encodeHistory(_ request: EncodeHistoryRequest) async throws -> EncodeHistoryResponse {
        guard let backbone = backbones.withLock({ s in s.active.flatMap { s.byName[$0] } }) else {
            throw RPCError(.failedPrecondition, "no backbone is loaded: call LoadBackbone first (steer load-backbone NAME)")
        }
        guard !request.histories.isEmpty, request.histories.count <= Self.maxHistoriesPerRequest else {
            throw RPCError(.invalidArgument, "\(request.histories.count) histories; send 1 to \(Self.maxHistoriesPerRequest)")
        }
        if let long = request.histories.firstIndex(where: { $0.count > Self.maxHistoryLength }) {
            throw RPCError(.invalidArgument, "history \(long) has \(request.histories[long].count) items; at most \(Self.maxHistoryLength)")
        }
        try admitResponse {
            try $0.admit(payloadBytes: ResponseBudget.floatRowsBytes(rows: request.histories.count, dim: backbone.info.dim),
                         "EncodeHistory of \(request.histories.count) histories with \(backbone.info.name)'s \(backbone.info.dim)-d vectors",
                         advice: "send fewer histories per request")
        }
        do {
            let vectors = try await batchers.histories.submit(HistoryJob(backbone: backbone, histories: request.histories),
                                                              key: ObjectIdentifier(backbone), rows: request.histories.count)
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
