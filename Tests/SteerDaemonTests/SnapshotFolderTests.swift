// The snapshot folder's rules through steerd: FIFOs and other non-regular files are refused without
// blocking, links are never followed, errors never echo a file's bytes, and SaveSnapshot replaces
// nothing but a state snapshot, and that only when asked (issue 19, rows 6 to 8).
import Foundation
import SteerCheckpoint
import SteerClient
import SteerDaemon
import SteerDaemonTestSupport
import SteerSnapshot
import SteerWire
import XCTest
#if canImport(Glibc)
import Glibc
#endif

final class SnapshotFolderTests: XCTestCase {
    private func failure(_ body: () throws -> Any, file: StaticString = #filePath, line: UInt = #line) -> RPCError? {
        do {
            _ = try body()
            XCTFail("answered OK", file: file, line: line)
            return nil
        } catch let error as RPCError {
            return error
        } catch {
            XCTFail("\(error)", file: file, line: line)
            return nil
        }
    }

    private func mkfifo(_ path: String) throws {
        guard Glibc.mkfifo(path, 0o644) == 0 else { throw NSError(domain: "mkfifo", code: Int(errno)) }
    }

    func testAFIFOIsRefusedAtOnceAndNoComputeThreadStaysBlocked() async throws {
        let daemon = try await TestDaemon(index: try smallIndex())
        let connection = try daemon.connect()
        try mkfifo(daemon.directory + "/snapshots/fifo.snap")
        // Twice, as the probe did (two compute threads on this machine), each with a 2 s deadline:
        // before the fix both timed out and both threads stayed blocked in open(2) forever.
        for id in [1, 2] as [UInt64] {
            let started = ContinuousClock.now
            try connection.send(RequestEnvelope(id: id, method: .loadBackbone,
                                                deadlineUnixMicros: UInt64(Date().timeIntervalSince1970 * 1e6) + 2_000_000,
                                                payload: LoadBackboneRequest(name: "SASRec", checkpoint: "fifo.snap").encoded()))
            let response = try connection.receive()
            XCTAssertLessThan(ContinuousClock.now - started, .seconds(1))
            XCTAssertEqual(response.status, .failedPrecondition, response.message)
            XCTAssertEqual(response.message, "checkpoint fifo.snap in \(daemon.directory)/snapshots is a FIFO, not a regular file: "
                + "steerd reads only regular files of its snapshot folder")
        }
        let load = failure { try connection.call(.loadSnapshot, LoadSnapshotRequest(name: "fifo.snap"), as: LoadSnapshotResponse.self) }
        XCTAssertEqual(load?.status, .failedPrecondition)
        XCTAssertTrue(load?.message.contains("is a FIFO, not a regular file") ?? false, "\(String(describing: load))")
        // A directory is no snapshot either.
        try FileManager.default.createDirectory(atPath: daemon.directory + "/snapshots/dir.snap", withIntermediateDirectories: false)
        let directory = failure { try connection.call(.loadSnapshot, LoadSnapshotRequest(name: "dir.snap"), as: LoadSnapshotResponse.self) }
        XCTAssertEqual(directory?.status, .failedPrecondition)
        XCTAssertTrue(directory?.message.contains("is a directory, not a regular file") ?? false, "\(String(describing: directory))")
        // Both compute threads are free: Retrieve runs on them.
        for _ in 0..<4 {
            let r = try connection.call(.retrieve, RetrieveRequest(k: 1, queries: [RetrieveQuery(vector: [1, 0])]), as: RetrieveResponse.self,
                                        timeoutSeconds: 2)
            XCTAssertEqual(r.results[0].itemIDs, [11])
        }
        try await daemon.stop()
    }

    func testLinksAreNeverFollowedAndErrorsNeverEchoTheFile() async throws {
        let daemon = try await TestDaemon(index: try smallIndex())
        let connection = try daemon.connect()
        let folder = daemon.directory + "/snapshots"
        // A secret outside the folder, shaped like /etc/shadow, and a valid item index outside it.
        let secret = daemon.directory + "/shadow"
        try Data("root:*:20000:0:99999:7:::\n".utf8).write(to: URL(fileURLWithPath: secret))
        try smallIndex(count: 5).write(to: daemon.directory + "/outside.snap")
        try FileManager.default.createSymbolicLink(atPath: folder + "/shadow.snap", withDestinationPath: secret)
        try FileManager.default.createSymbolicLink(atPath: folder + "/outside.snap", withDestinationPath: daemon.directory + "/outside.snap")
        // Even a link to a file inside the folder: the rule is simple, no link is read.
        try FileManager.default.createSymbolicLink(atPath: folder + "/alias.snap", withDestinationPath: "index.snap")

        let shadow = failure { try connection.call(.loadBackbone, LoadBackboneRequest(name: "SASRec", checkpoint: "shadow.snap"),
                                                   as: LoadBackboneResponse.self) }
        XCTAssertEqual(shadow?.status, .failedPrecondition)
        XCTAssertEqual(shadow?.message, "checkpoint shadow.snap in \(folder) is a symbolic link: steerd reads only regular files of "
            + "its snapshot folder, never through a link (it could lead outside the folder); copy the file in instead")
        for name in ["outside.snap", "alias.snap"] {
            let error = failure { try connection.call(.loadSnapshot, LoadSnapshotRequest(name: name), as: LoadSnapshotResponse.self) }
            XCTAssertEqual(error?.status, .failedPrecondition, name)
            XCTAssertTrue(error?.message.contains("is a symbolic link") ?? false, "\(String(describing: error))")
        }
        XCTAssertEqual(try connection.call(.health, HealthRequest(), as: HealthResponse.self).nItems, 12, "the outside index was not loaded")

        // A regular file that is not a snapshot: DATA_LOSS, and its bytes are not in the message.
        try Data("root:*:20000:0:99999:7:::\n".utf8).write(to: URL(fileURLWithPath: folder + "/copy.snap"))
        let copy = failure { try connection.call(.loadBackbone, LoadBackboneRequest(name: "SASRec", checkpoint: "copy.snap"),
                                                 as: LoadBackboneResponse.self) }
        XCTAssertEqual(copy?.status, .dataLoss)
        XCTAssertEqual(copy?.message, "checkpoint copy.snap refused: not a Steer snapshot: bad magic (a snapshot starts with \"STEERSNP\")")
        for leak in ["root", "72 6f", "20000"] { XCTAssertFalse(copy?.message.contains(leak) ?? true, leak) }
        try await daemon.stop()
    }

    func testSaveSnapshotReplacesOnlyAStateSnapshotAndOnlyWhenAsked() async throws {
        let daemon = try await TestDaemon(index: try smallIndex())
        let connection = try daemon.connect()
        let folder = daemon.directory + "/snapshots"
        func save(_ name: String, overwrite: Bool = false) throws -> SaveSnapshotResponse {
            try connection.call(.saveSnapshot, SaveSnapshotRequest(name: name, overwrite: overwrite), as: SaveSnapshotResponse.self)
        }
        func bytes(_ name: String) -> Data? { FileManager.default.contents(atPath: folder + "/" + name) }

        // A model checkpoint and an item index (TestDaemon's index.snap): never replaced, overwrite or not.
        try BackboneCheckpoint(plugin: "GRU4Rec", config: "{}", weights: []).write(to: folder + "/gru.snap")
        let checkpoint = bytes("gru.snap"), index = bytes("index.snap")
        for overwrite in [false, true] {
            let refused = failure { try save("gru.snap", overwrite: overwrite) }
            XCTAssertEqual(refused?.status, .failedPrecondition)
            XCTAssertEqual(refused?.message, "gru.snap in \(folder) is a snapshot of kind \"\(BackboneCheckpoint.kind)\", not a steerd state "
                + "snapshot: SaveSnapshot never replaces it, even with overwrite; choose another name")
            XCTAssertEqual(failure { try save("index.snap", overwrite: overwrite) }?.status, .failedPrecondition)
        }
        XCTAssertEqual(bytes("gru.snap"), checkpoint)
        XCTAssertEqual(bytes("index.snap"), index)

        // Any other file, a link, a FIFO: never replaced, and the FIFO does not block the save.
        try Data("notes".utf8).write(to: URL(fileURLWithPath: folder + "/notes.snap"))
        try FileManager.default.createSymbolicLink(atPath: folder + "/link.snap", withDestinationPath: "gru.snap")
        try mkfifo(folder + "/fifo.snap")
        let notes = failure { try save("notes.snap", overwrite: true) }
        XCTAssertEqual(notes?.status, .failedPrecondition)
        XCTAssertEqual(notes?.message, "notes.snap in \(folder) exists and is not a steerd state snapshot (not a Steer snapshot: bad "
            + "magic (a snapshot starts with \"STEERSNP\")): SaveSnapshot never replaces it, even with overwrite; choose another name")
        let link = failure { try save("link.snap", overwrite: true) }
        XCTAssertEqual(link?.status, .failedPrecondition)
        XCTAssertTrue(link?.message.hasPrefix("link.snap in \(folder) is a symbolic link, not a regular file") ?? false, "\(String(describing: link))")
        let fifo = failure { try save("fifo.snap", overwrite: true) }
        XCTAssertEqual(fifo?.status, .failedPrecondition)
        XCTAssertTrue(fifo?.message.hasPrefix("fifo.snap in \(folder) is a FIFO, not a regular file") ?? false, "\(String(describing: fifo))")
        XCTAssertEqual(bytes("notes.snap"), Data("notes".utf8))
        XCTAssertEqual(try FileManager.default.destinationOfSymbolicLink(atPath: folder + "/link.snap"), "gru.snap")

        // A state snapshot: a new name is written; the same name again is ALREADY_EXISTS (also the
        // daemon's own file: a second save must be meant); with overwrite it is replaced.
        XCTAssertGreaterThan(try save("state.snap").bytes, 0)
        let first = bytes("state.snap")
        let again = failure { try save("state.snap") }
        XCTAssertEqual(again?.status, .alreadyExists)
        XCTAssertEqual(again?.message, "state.snap already exists in \(folder) (a steerd state snapshot): set overwrite to replace it "
            + "(steer save-snapshot --overwrite), or choose another name")
        XCTAssertEqual(bytes("state.snap"), first)
        _ = try connection.call(.loadSnapshot, LoadSnapshotRequest(name: "state.snap"), as: LoadSnapshotResponse.self)
        XCTAssertGreaterThan(try save("state.snap", overwrite: true).bytes, 0)
        // No temporary file is left behind by any of it.
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.contains(".tmp-") }
        XCTAssertEqual(leftovers, [])
        try await daemon.stop()
    }
}
