// Each way a plugin can be broken gives its own precise error.

import CSequentialEncoder
import Foundation
import XCTest

@testable import SteerPlugins

final class PluginFailureTests: XCTestCase {
    private func load(_ name: String, config: String = "") throws -> Backbone {
        try PluginHost(directory: try FixturePlugins.pluginDirectory()).load(name: name, config: config, weights: [])
    }

    private static let versionRule = "(majors must match and the plugin's minor must not exceed the host's)"

    func testVersionRule() {
        XCTAssertEqual(steer_se_abi_compatible(1, 0, 1, 0), 1)
        XCTAssertEqual(steer_se_abi_compatible(1, 3, 1, 2), 1)
        XCTAssertEqual(steer_se_abi_compatible(1, 2, 1, 3), 0)
        XCTAssertEqual(steer_se_abi_compatible(1, 0, 2, 0), 0)
        XCTAssertEqual(steer_se_abi_compatible(2, 0, 1, 0), 0)
        // ABI 1.0's table ends with its last field; nothing is known past this header's minor.
        XCTAssertEqual(steer_se_table_size(0), MemoryLayout<SteerSequentialEncoder>.size)
        XCTAssertEqual(steer_se_table_size(UInt32(STEER_SE_ABI_VERSION_MINOR) + 1), 0)
    }

    func testWrongMajor() {
        XCTAssertPluginError(
            try load("WrongMajor"), kind: .incompatibleABI,
            "plugin libSteerBackboneWrongMajor.so speaks SequentialEncoder ABI 2.0, "
                + "this host speaks 1.0 \(Self.versionRule)")
    }

    func testPluginMinorNewerThanHost() {
        XCTAssertPluginError(
            try load("NewerMinor"), kind: .incompatibleABI,
            "plugin libSteerBackboneNewerMinor.so speaks SequentialEncoder ABI 1.1, "
                + "this host speaks 1.0 \(Self.versionRule)")
    }

    func testTableSmallerThanItsMinor() {
        XCTAssertPluginError(
            try load("SmallTable"), kind: .badPlugin,
            "plugin libSteerBackboneSmallTable.so reports a function table of 16 bytes, "
                + "ABI minor 0 needs at least \(steer_se_table_size(0))")
    }

    func testMissingEntrySymbol() {
        XCTAssertPluginError(
            try load("NoEntry"), kind: .badPlugin,
            "plugin libSteerBackboneNoEntry.so does not export the entry symbol steer_sequential_encoder_entry")
    }

    func testEntryReturningNull() {
        XCTAssertPluginError(
            try load("NullTable"), kind: .badPlugin,
            "plugin libSteerBackboneNullTable.so: steer_sequential_encoder_entry() returned NULL")
    }

    func testRequiredFunctionNull() {
        XCTAssertPluginError(
            try load("NullEncode"), kind: .badPlugin,
            "plugin libSteerBackboneNullEncode.so leaves the required function encode NULL")
    }

    func testPartialTrainingEntryPoints() {
        XCTAssertPluginError(
            try load("PartialTraining"), kind: .badPlugin,
            "plugin libSteerBackbonePartialTraining.so sets some training entry points but not "
                + "forward_train, backward, parameters, zero_grad, item_embedding_grad, save, "
                + "free_bytes (set all of them or none)")
    }

    func testCreateFailureCarriesThePluginMessage() {
        XCTAssertPluginError(
            try load("CreateFails"), kind: .createFailed,
            "plugin libSteerBackboneCreateFails.so failed to create its model (code 2): "
                + "fixture: weights are not a fixture model")
        XCTAssertPluginError(
            try load("Good", config: "{\"fail\": true}"), kind: .createFailed,
            "plugin libSteerBackboneGood.so failed to create its model (code 2): fixture: config asked to fail")
    }

    func testZeroDimension() {
        XCTAssertPluginError(try load("ZeroDim"), kind: .badPlugin, "plugin libSteerBackboneZeroDim.so: dim() returned 0")
    }

    func testItemTableDisagreeingWithShapes() {
        XCTAssertPluginError(
            try load("LyingTable"), kind: .badPlugin,
            "plugin libSteerBackboneLyingTable.so: item_embeddings is 4 × 3 but n_items() × dim() is 5 × 3")
    }

    func testNotASharedLibrary() throws {
        let directory = NSTemporaryDirectory() + "steer-garbage-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/libSteerBackboneGarbage.so"
        _ = FileManager.default.createFile(atPath: path, contents: Data(repeating: 0x41, count: 4096))
        XCTAssertThrowsError(try PluginHost(directory: directory).load(name: "Garbage", weights: [])) { error in
            let error = error as? PluginError
            XCTAssertEqual(error?.kind, .loadFailed)
            XCTAssertTrue(error?.description.hasPrefix("dlopen failed for plugin \(path): ") ?? false, "\(String(describing: error))")
            XCTAssertTrue(error?.description.contains("ELF") ?? false, "\(String(describing: error))")
        }
    }

    func testUnusableCopyDirectory() throws {
        let host = PluginHost(directory: try FixturePlugins.pluginDirectory(), copyDirectory: "/nonexistent/steer")
        XCTAssertThrowsError(try host.load(name: "Good", weights: [])) { error in
            let error = error as? PluginError
            XCTAssertEqual(error?.kind, .loadFailed)
            XCTAssertTrue(error?.description.contains("cannot make a private copy of plugin") ?? false)
            XCTAssertTrue(error?.description.hasSuffix("No such file or directory") ?? false)
        }
    }
}
