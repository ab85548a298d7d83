// PluginHost: the naming rule, listing, lookups and loading the good fixture plugin.

import Foundation
import XCTest

@testable import SteerPlugins

final class PluginHostTests: XCTestCase {
    func testListsExactlyThePluginFiles() throws {
        let host = PluginHost(directory: try FixturePlugins.pluginDirectory())
        XCTAssertEqual(host.availablePlugins(), FixturePlugins.allNames)
        XCTAssertEqual(PluginHost(directory: "/nonexistent/steer").availablePlugins(), [])
    }

    func testFileNameRule() {
        XCTAssertEqual(PluginFileName.fileName(for: "MeanPool"), "libSteerBackboneMeanPool.so")
        XCTAssertEqual(PluginFileName.name(fromFileName: "libSteerBackboneMeanPool.so"), "MeanPool")
        XCTAssertNil(PluginFileName.name(fromFileName: "libSteerBackbone.so"))
        XCTAssertNil(PluginFileName.name(fromFileName: "libSteerBackboneA.B.so"))
        XCTAssertNil(PluginFileName.name(fromFileName: "libSteerBackboneMeanPool.so.1"))
    }

    func testUnknownNameListsTheAvailableOnes() throws {
        let directory = try FixturePlugins.pluginDirectory()
        let host = PluginHost(directory: directory)
        let available = FixturePlugins.allNames.joined(separator: ", ")
        XCTAssertPluginError(
            try host.load(name: "Nope", weights: []), kind: .notFound,
            "no plugin named \"Nope\": \(directory)/libSteerBackboneNope.so does not exist "
                + "(available: \(available))")
        // Case-sensitive: the file is libSteerBackboneMeanPool.so.
        XCTAssertThrowsError(try host.load(name: "meanpool", weights: [])) { error in
            XCTAssertEqual((error as? PluginError)?.kind, .notFound)
        }
    }

    func testPathLikeNamesAreRefused() throws {
        let host = PluginHost(directory: try FixturePlugins.pluginDirectory())
        for name in ["", "..", "../MeanPool", "a/b", "/etc/passwd", "Mean Pool", "MeanPool.so", "Méan"] {
            XCTAssertPluginError(
                try host.load(name: name, weights: []), kind: .invalidName,
                "invalid plugin name \"\(name)\": names match ^[A-Za-z0-9_]+$ (no paths)")
        }
    }

    func testLoadsTheGoodPlugin() throws {
        let directory = try FixturePlugins.pluginDirectory()
        let backbone = try PluginHost(directory: directory).load(name: "Good", config: "{}", weights: [1, 2, 3])
        let info = backbone.info
        XCTAssertEqual(info.name, "Fixture")
        XCTAssertEqual(info.pluginVersion, "0.1.0-test")
        XCTAssertEqual(info.abiMajor, 1)
        XCTAssertEqual(info.abiMinor, 0)
        XCTAssertEqual(info.path, directory + "/libSteerBackboneGood.so")
        let fileBytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: info.path)))
        XCTAssertEqual(info.sha256, SHA256.hexDigest(fileBytes))
        XCTAssertEqual(info.sha256.count, 64)
        XCTAssertEqual(info.dim, 3)
        XCTAssertEqual(info.maxLen, 8)
        XCTAssertEqual(info.nItems, 5)
        XCTAssertFalse(info.trainable)
        // Fixture: the user vector is the last item's embedding (i, i + 0.5, -i), zero if empty.
        XCTAssertEqual(try backbone.encode(histories: [[1, 4], [], [2]]), [4, 4.5, -4, 0, 0, 0, 2, 2.5, -2])
        XCTAssertEqual(try backbone.encode(histories: []), [])
        XCTAssertEqual(backbone.itemEmbeddings.count, 15)
        backbone.withItemEmbeddings { table in XCTAssertEqual(Array(table[3..<6]), [1, 1.5, -1]) }
    }

    func testTrainingEntryPointsMakeAPluginTrainable() throws {
        let host = PluginHost(directory: try FixturePlugins.pluginDirectory())
        XCTAssertTrue(try host.load(name: "Trainable", weights: []).info.trainable)
    }

    func testLoadingTheSamePluginTwiceGivesIndependentBackbones() throws {
        let host = PluginHost(directory: try FixturePlugins.pluginDirectory())
        var first: Backbone? = try host.load(name: "Good", weights: [])
        let second = try host.load(name: "Good", weights: [])
        XCTAssertEqual(first?.info, second.info)
        XCTAssertEqual(try first?.encode(histories: [[3]]), [3, 3.5, -3])
        first = nil  // destroys its model; the other copy's library and model live on
        XCTAssertNil(first)
        XCTAssertEqual(try second.encode(histories: [[3]]), [3, 3.5, -3])
    }

    /// Loading bytes already mapped reuses their mapping: the process's mappings of private copies
    /// (named after the copy directory, "(deleted)") do not grow with each load. Each load was
    /// 4 more mappings and some 230 KB for the life of the process.
    func testLoadingTheSameFileAgainMapsNothingNew() throws {
        let copies = NSTemporaryDirectory() + "steer-reuse-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: copies, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: copies) }
        func mappings() throws -> Int {
            // Read to the end: procfs files report size 0, and a read by size gets nothing.
            let maps = try XCTUnwrap(FileHandle(forReadingAtPath: "/proc/self/maps")).readDataToEndOfFile()
            return String(decoding: maps, as: UTF8.self).split(separator: "\n").filter { $0.contains(copies) }.count
        }
        let host = PluginHost(directory: try FixturePlugins.pluginDirectory(), copyDirectory: copies)
        let first = try host.load(name: "Good", weights: [])
        let once = try mappings()
        XCTAssertGreaterThan(once, 0, "the first load maps a private copy")
        var backbones = [first]
        for _ in 0..<20 { backbones.append(try host.load(name: "Good", weights: [])) }
        XCTAssertEqual(try mappings(), once, "later loads of the same bytes mapped new copies")
        let other = try host.load(name: "Trainable", weights: [])
        XCTAssertGreaterThan(try mappings(), once, "another file gets its own mapping")
        XCTAssertTrue(other.info.trainable)
        for backbone in backbones { XCTAssertEqual(try backbone.encode(histories: [[3]]), [3, 3.5, -3]) }
    }

    func testPrivateCopiesAreRemovedAfterLoading() throws {
        let copies = NSTemporaryDirectory() + "steer-copies-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: copies, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: copies) }
        let host = PluginHost(directory: try FixturePlugins.pluginDirectory(), copyDirectory: copies)
        let backbone = try host.load(name: "Good", weights: [])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: copies), [])
        XCTAssertEqual(try backbone.encode(histories: [[0]]), [0, 0.5, 0])
    }

    func testBadItemIdsAreRefusedByTheHost() throws {
        let backbone = try PluginHost(directory: try FixturePlugins.pluginDirectory()).load(name: "Good", weights: [])
        XCTAssertPluginError(
            try backbone.encode(histories: [[0, 1], [2, 5, 1]]), kind: .invalidInput,
            "item id 5 in history 1 at position 1 is out of range: backbone Fixture has 5 items (ids 0..<5)")
    }

    func testConcurrentEncodesAgree() throws {
        let backbone = try PluginHost(directory: try FixturePlugins.pluginDirectory()).load(name: "Good", weights: [])
        let expected = try backbone.encode(histories: [[0, 2], [4]])
        let results = DispatchQueue.concurrentResults(64) {
            try? backbone.encode(histories: [[0, 2], [4]])
        }
        XCTAssertEqual(results, Array(repeating: expected, count: 64))
    }
}

extension DispatchQueue {
    /// Runs `body` `count` times concurrently and collects the results in order.
    static func concurrentResults<T: Sendable>(_ count: Int, _ body: @Sendable () -> T) -> [T] {
        let lock = NSLock()
        nonisolated(unsafe) var results = [T?](repeating: nil, count: count)
        concurrentPerform(iterations: count) { index in
            let value = body()
            lock.withLock { results[index] = value }
        }
        return results.map { $0! }
    }
}
