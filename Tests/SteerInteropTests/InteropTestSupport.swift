// What the interop tests share: the committed RecBole fixtures, the SwiftPM-built plugins, and
// rewriting a fixture with one thing changed.
import Foundation
import SteerInterop
import SteerPlugins
import SteerSafeTensors
import SteerTestSupport
import XCTest

/// `Tests/Fixtures/recbole/<name>` (written once by Scripts/recbole-fixtures with RecBole 1.2.1).
func recboleFixture(_ name: String) -> String {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/recbole").appendingPathComponent(name).path
}

extension XCTestCase {
    /// The RecBole fixture `<stem>` as the converter wrote it, rebuilt as a safetensors file in a
    /// temporary folder. The fixture is kept as text (`<stem>.tensors.json`: the file's metadata and
    /// every float32 tensor, exact), so no weight file sits in the repository.
    func recboleFixtureFile(_ stem: String) throws -> String {
        struct Fixture: Decodable {
            struct Tensor: Decodable {
                var name: String
                var shape: [Int]
                var values: [Double]
            }
            var metadata: [String: String]
            var tensors: [Tensor]
        }
        let data = try Data(contentsOf: URL(fileURLWithPath: recboleFixture(stem + ".tensors.json")))
        let fixture = try JSONDecoder().decode(Fixture.self, from: data)
        let path = try temporaryDirectory("steer-recbole-fixture") + "/\(stem).safetensors"
        try SafeTensorsWriter.write(fixture.tensors.map { SafeTensorsTensor(name: $0.name, shape: $0.shape, values: $0.values.map(Float.init)) },
                                    metadata: fixture.metadata, to: path)
        return path
    }
}

/// RecBole's scores for a few histories, as Scripts/recbole-fixtures recorded them.
struct ExpectedScores: Decodable {
    struct Case: Decodable {
        var history: [String]
        var scores: [String: Double]
    }
    var model: String
    var max_len: Int
    var item_tokens: [String]
    var cases: [Case]

    static func load(_ stem: String) throws -> ExpectedScores {
        try JSONDecoder().decode(ExpectedScores.self, from: Data(contentsOf: URL(fileURLWithPath: recboleFixture(stem + ".expected.json"))))
    }
}

enum BuiltPlugins {
    /// The SwiftPM build products next to the test binary (as BackbonePluginTests finds them);
    /// `STEER_TEST_PLUGIN_DIR` overrides it.
    static var directory: String {
        let binary = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var products = URL(fileURLWithPath: binary).deletingLastPathComponent()
        if products.lastPathComponent.hasSuffix(".xctest") { products.deleteLastPathComponent() }
        return ProcessInfo.processInfo.environment["STEER_TEST_PLUGIN_DIR"] ?? products.path
    }

    static func load(_ name: String, weights: [UInt8]) throws -> Backbone {
        try PluginHost(directory: directory).load(name: name, weights: weights)
    }
}

/// Every tensor and the metadata of a safetensors file, to change and write again.
struct EditableSafeTensors {
    var tensors: [SafeTensorsTensor]
    var metadata: [String: String]

    init(path: String) throws {
        let file = try SafeTensorsFile(path: path)
        tensors = try file.entries.keys.sorted().map { SafeTensorsTensor(name: $0, shape: try file.entry($0).shape, values: try file.floats($0)) }
        metadata = file.metadata
    }

    /// The config metadata with `change` applied to its JSON object.
    mutating func editConfig(_ change: (inout [String: Any]) -> Void) throws {
        var object = try JSONSerialization.jsonObject(with: Data(metadata["config"]!.utf8)) as! [String: Any]
        change(&object)
        metadata["config"] = String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
    }

    func write(in directory: String, name: String = "edited.safetensors") throws -> String {
        let path = directory + "/" + name
        try SafeTensorsWriter.write(tensors, metadata: metadata, to: path)
        return path
    }
}

/// The item vocabulary of a fixture in a fixed shuffled order (not RecBole's, not sorted), with
/// made-up titles and categories, as a dataset's split would give them.
func shuffledVocabulary(_ recboleTokens: [String]) -> ItemVocabulary {
    var tokens = Array(recboleTokens.dropFirst())
    // A fixed permutation: reversed, then the halves swapped, so no token keeps its RecBole id − 1.
    tokens.reverse()
    tokens = Array(tokens[(tokens.count / 2)...] + tokens[..<(tokens.count / 2)])
    return ItemVocabulary(tokens: tokens, titles: tokens.map { "Title of \($0)" }, categoryNames: ["Comedy", "Drama"],
                          itemCategories: tokens.indices.map { [Int32($0 % 2)] })
}

/// The InteropError thrown by `body`, failing the test when it throws nothing or another type.
func interopError(file: StaticString = #filePath, line: UInt = #line, _ body: () throws -> Void) -> InteropError? {
    thrownError(InteropError.self, file: file, line: line, body)
}
