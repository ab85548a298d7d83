// Files that are not snapshots, read through a descriptor: FIFOs refused without blocking, kinds read
// from the header alone, no-replace writes, and errors that never show a file's bytes.
import Foundation
import XCTest

@testable import SteerSnapshot

final class SnapshotFileTests: XCTestCase {
    private var directory = ""

    override func setUpWithError() throws {
        directory = NSTemporaryDirectory() + "snapshot-file-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: directory) }

    private func catchError(_ body: () throws -> Void) -> SnapshotError? {
        do { try body(); XCTFail("no error"); return nil } catch { return error as? SnapshotError }
    }

    func testAFIFOIsRefusedWithoutWaitingForAWriter() throws {
        let path = directory + "/fifo.snap"
        XCTAssertEqual(mkfifo(path, 0o644), 0)
        let started = ContinuousClock.now
        let error = catchError { _ = try Snapshot.read(contentsOf: path) }
        XCTAssertLessThan(ContinuousClock.now - started, .seconds(1))
        XCTAssertEqual(error?.code, .notRegularFile)
        XCTAssertEqual(error?.description, "\(path) is a FIFO, not a regular file")
        XCTAssertEqual(catchError { _ = try Snapshot.read(contentsOf: directory) }?.description, "\(directory) is a directory, not a regular file")
    }

    func testBadMagicNeverShowsTheBytes() {
        let error = catchError { _ = try Snapshot(decoding: Array("root:*:20000:0:99999:7:::".utf8)) }
        XCTAssertEqual(error?.code, .badMagic)
        XCTAssertEqual(error?.description, "not a Steer snapshot: bad magic (a snapshot starts with \"STEERSNP\")")
    }

    func testKindComesFromTheHeaderAlone() throws {
        let path = directory + "/model.snap"
        try Snapshot(kind: "example-kind", sections: ["weights": Array(repeating: 7, count: 1000)]).write(to: path)
        // Corrupt a payload byte: the header still names the kind, the full read refuses the file.
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        bytes[bytes.count - 3] ^= 0xFF
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let fd = open(path, O_RDONLY)
        defer { close(fd) }
        XCTAssertEqual(try Snapshot.kind(fileDescriptor: fd, path: "model.snap"), "example-kind")
        XCTAssertEqual(catchError { _ = try Snapshot.read(fileDescriptor: fd, path: "model.snap") }?.code, .sectionChecksumMismatch)
        // Not a snapshot, and a snapshot cut inside its header.
        let other = directory + "/other.snap"
        try Data("hello".utf8).write(to: URL(fileURLWithPath: other))
        let ofd = open(other, O_RDONLY)
        defer { close(ofd) }
        XCTAssertThrowsError(try Snapshot.kind(fileDescriptor: ofd, path: "other.snap")) { XCTAssertEqual(($0 as? SnapshotError)?.code, .badMagic) }
        try Data(bytes.prefix(20)).write(to: URL(fileURLWithPath: other))
        XCTAssertThrowsError(try Snapshot.kind(fileDescriptor: ofd, path: "other.snap")) { XCTAssertEqual(($0 as? SnapshotError)?.code, .truncated) }
    }

    func testAWriteThatMustNotReplaceLeavesAnExistingFileAlone() throws {
        let path = directory + "/state.snap"
        try Snapshot(kind: "first").write(to: path, replacing: false)
        let error = catchError { try Snapshot(kind: "second").write(to: path, replacing: false) }
        XCTAssertEqual(error?.code, .alreadyExists)
        XCTAssertEqual(try Snapshot.read(contentsOf: path).kind, "first")
        try Snapshot(kind: "third").write(to: path)   // replacing, the default
        XCTAssertEqual(try Snapshot.read(contentsOf: path).kind, "third")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory), ["state.snap"], "no temporary file is left")
    }
}
