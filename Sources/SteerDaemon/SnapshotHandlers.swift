// SaveSnapshot and LoadSnapshot: the item index to and from the snapshot directory.
import SteerIndex
import SteerSnapshot
import SteerWire
#if canImport(Glibc)
import Glibc
#endif

extension SteerService {
    func saveSnapshot(_ request: SaveSnapshotRequest) throws -> SaveSnapshotResponse {
        let path = try snapshots.file(named: request.name)
        guard let index else { throw RPCError(.failedPrecondition, "no item index is loaded, so there is nothing to save") }
        if mkdir(snapshots.path, 0o750) != 0 && errno != EEXIST {
            throw RPCError(.internal, "cannot create snapshot directory \(snapshots.path): \(String(cString: strerror(errno)))")
        }
        do {
            try index.write(to: path)  // temporary file, fsync, rename: never a half-written snapshot
        } catch {
            throw RPCError(.internal, "saving \(request.name): \(error)")
        }
        var info = stat()
        let size = stat(path, &info) == 0 ? UInt64(info.st_size) : 0
        logger.info("snapshot saved", metadata: ["path": "\(path)", "bytes": "\(size)"])
        return SaveSnapshotResponse(path: path, bytes: size)
    }

    func loadSnapshot(_ request: LoadSnapshotRequest) throws -> LoadSnapshotResponse {
        let path = try snapshots.file(named: request.name)
        guard access(path, F_OK) == 0 else {
            throw RPCError(.notFound, "no snapshot named \"\(request.name)\" in \(snapshots.path)")
        }
        let index: ItemIndex
        do {
            index = try ItemIndex.load(contentsOf: path)
        } catch let error as SnapshotError {
            // The index in use stays; a corrupt file changes nothing.
            throw RPCError(.dataLoss, "snapshot \(request.name) refused: \(error)")
        } catch let error as ItemIndexError {
            throw RPCError(.dataLoss, "snapshot \(request.name) refused: \(error)")
        }
        replaceIndex(index)
        logger.info("item index loaded", metadata: ["path": "\(path)", "items": "\(index.count)"])
        return LoadSnapshotResponse(nItems: UInt32(index.count), dim: UInt32(index.dimension), nCategories: UInt32(index.categoryCount))
    }
}
