// SaveSnapshot and LoadSnapshot: steerd's state (served model, item index, prompt cache) to and
// from the snapshot directory; LoadSnapshot also takes a bare item index.
import SteerIndex
import SteerPrompt
import SteerSnapshot
import SteerWire
#if canImport(Glibc)
import Glibc
#endif

extension SteerService {
    /// Writes the state as a "steerd-state" snapshot: temporary file, fsync, rename, fsync of the
    /// directory, so a crash (even `kill -9`) during a save leaves the previous file whole.
    ///
    /// A save never destroys what it was not asked to: an existing name is refused (ALREADY_EXISTS)
    /// unless `overwrite` is set, and even then only a state snapshot is replaced; a checkpoint, an
    /// item index, any other file, a link or a FIFO is FAILED_PRECONDITION naming what it is.
    /// Without `overwrite` the file is created with link(2), so a file appearing between the check
    /// and the write is not replaced either.
    func saveSnapshot(_ request: SaveSnapshotRequest) throws -> SaveSnapshotResponse {
        let path = try snapshots.file(named: request.name)
        switch try snapshots.existing(named: request.name) {
        case .none:
            break
        case .snapshot(kind: DaemonState.kind):
            guard request.overwrite else {
                throw RPCError(.alreadyExists, "\(request.name) already exists in \(snapshots.path) (a steerd state snapshot): "
                    + "set overwrite to replace it (steer save-snapshot --overwrite), or choose another name")
            }
        case .snapshot(let kind):
            throw RPCError(.failedPrecondition, "\(request.name) in \(snapshots.path) is a snapshot of kind \"\(kind)\", not a steerd "
                + "state snapshot: SaveSnapshot never replaces it, even with overwrite; choose another name")
        case .notSnapshot(let reason):
            throw RPCError(.failedPrecondition, "\(request.name) in \(snapshots.path) exists and is not a steerd state snapshot "
                + "(\(reason)): SaveSnapshot never replaces it, even with overwrite; choose another name")
        case .notRegular(let fileType):
            throw RPCError(.failedPrecondition, "\(request.name) in \(snapshots.path) is \(fileType), not a regular file: SaveSnapshot "
                + "never replaces it, even with overwrite; choose another name")
        }
        let state = currentState()
        guard state.model != nil || state.index != nil || !state.promptCache.isEmpty else {
            throw RPCError(.failedPrecondition, "nothing to save: no backbone, no item index and an empty prompt cache")
        }
        if mkdir(snapshots.path, 0o750) != 0 && errno != EEXIST {
            throw RPCError(.internal, "cannot create snapshot directory \(snapshots.path): \(String(cString: strerror(errno)))")
        }
        try Task.checkCancellation()
        do {
            try state.snapshot().write(to: path, replacing: request.overwrite)
        } catch let error as SnapshotError where error.code == .alreadyExists {
            throw RPCError(.alreadyExists, "\(request.name) appeared in \(snapshots.path) while the state was being saved; "
                + "it was left as it is")
        } catch {
            throw RPCError(.internal, "saving \(request.name): \(error)")
        }
        var info = stat()
        let size = stat(path, &info) == 0 ? UInt64(info.st_size) : 0
        logger.info("snapshot saved", metadata: [
            "path": "\(path)", "bytes": "\(size)", "backbone": "\(state.model?.plugin ?? "none")",
            "index_items": "\(state.index?.count ?? 0)", "prompt_cache_entries": "\(state.promptCache.count)",
        ])
        return SaveSnapshotResponse(path: path, bytes: size, backbone: state.model?.plugin ?? "",
                                    promptCacheEntries: UInt32(clamping: state.promptCache.count))
    }

    /// Loads a state snapshot (everything it holds becomes current, all or nothing) or a bare item
    /// index. A corrupt or mismatched file is refused with DATA_LOSS and changes nothing.
    func loadSnapshot(_ request: LoadSnapshotRequest) throws -> LoadSnapshotResponse {
        let path = try snapshots.file(named: request.name)
        let snapshot = try snapshots.read(named: request.name, role: "snapshot")
        if snapshot.kind == DaemonState.kind {
            return try restore(snapshot, label: request.name)
        }
        // The index in use stays; a corrupt file changes nothing.
        let index = try refusingDamaged(request.name) { try ItemIndex(snapshot: snapshot) }
        replaceIndex(index)
        logger.info("item index loaded", metadata: ["path": "\(path)", "items": "\(index.count)"])
        return LoadSnapshotResponse(nItems: UInt32(index.count), dim: UInt32(index.dimension), nCategories: UInt32(index.categoryCount))
    }

    /// What a save writes now: the active backbone with its checkpoint, the index, the prompt cache.
    func currentState() -> DaemonState {
        let model = servingModel()
        var saved: (plugin: String, checkpoint: Snapshot?)?
        if let backbone = model.backbone {
            let checkpoint = checkpoints.withLock { $0[backbone.info.name] } ?? nil
            saved = (backbone.info.name, checkpoint)
        }
        return DaemonState(model: saved, index: model.index, promptCache: prompts?.cache.entries() ?? [])
    }

    /// Applies a "steerd-state" snapshot, validated whole first: the model with its head and the
    /// saved index in one step (a failure changes nothing), then the prompt-cache entries of this
    /// steerd's encoder (another encoder's are skipped).
    func restore(_ snapshot: Snapshot, label: String) throws -> LoadSnapshotResponse {
        let state = try refusingDamaged(label, indexIn: "its item index: ") { try DaemonState(snapshot: snapshot) }
        if let model = state.model {
            try activate(plugin: model.plugin, checkpoint: model.checkpoint, label: "\(label) (saved model)", savedIndex: state.index)
        } else if let index = state.index {
            replaceIndex(index)
        }
        var restored = 0
        if let prompts {
            let mine: Set<String> = [prompts.encoder.name, PromptCache.tokenStatesName(prompts.encoder.name)]
            for entry in state.promptCache where mine.contains(entry.encoder) {
                prompts.cache.put(encoder: entry.encoder, text: entry.text, embedding: entry.embedding)
                restored += 1
            }
        }
        let index = self.index
        logger.info("state snapshot loaded", metadata: [
            "name": "\(label)", "backbone": "\(state.model?.plugin ?? "none")", "index_items": "\(index?.count ?? 0)",
            "prompt_cache_entries": "\(restored) of \(state.promptCache.count)",
        ])
        return LoadSnapshotResponse(nItems: UInt32(index?.count ?? 0), dim: UInt32(index?.dimension ?? 0),
                                    nCategories: UInt32(index?.categoryCount ?? 0), backbone: state.model?.plugin ?? "",
                                    promptCacheEntries: UInt32(clamping: restored))
    }

    /// What `decode` reads from snapshot `label`; a snapshot or item index that does not verify
    /// is DATA_LOSS naming it (`indexIn` says where in the file the index sits).
    private func refusingDamaged<T>(_ label: String, indexIn: String = "", _ decode: () throws -> T) throws -> T {
        do {
            return try decode()
        } catch let error as SnapshotError {
            throw RPCError(.dataLoss, "snapshot \(label) refused: \(error)")
        } catch let error as ItemIndexError {
            throw RPCError(.dataLoss, "snapshot \(label) refused: \(indexIn)\(error)")
        }
    }
}
