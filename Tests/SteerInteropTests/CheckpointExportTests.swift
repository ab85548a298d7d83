// `steer export safetensors` and back: the same plugin, config, tensors, items and DPR head, so
// the model scores bit for bit as before.
import SteerCheckpoint
import SteerDPR
import SteerInterop
import SteerNN
import SteerSafeTensors
import SteerTestSupport
import XCTest

final class CheckpointExportTests: XCTestCase {
    func imported(_ stem: String) throws -> BackboneCheckpoint {
        let file = try RecBoleModelFile(path: recboleFixtureFile(stem))
        return try RecBoleImport.checkpoint(from: file, items: shuffledVocabulary(file.itemTokens)).checkpoint
    }

    func decoded(_ bytes: [UInt8], _ format: TensorArchiveFormat) throws -> (String, [String: [Float]]) {
        try bytes.withUnsafeBytes { try TensorArchive.decode($0, format, label: "test") }
    }

    func testExportThenImportKeepsEverything() throws {
        for stem in ["sasrec-tiny", "gru4rec-tiny"] {
            var checkpoint = try imported(stem)
            let backbone = try BuiltPlugins.load(checkpoint.plugin, weights: checkpoint.weights)
            checkpoint.dprHead = try DPRHead(config: DPRConfig(dim: backbone.info.dim, encoderDim: 16), seed: 3).archived()
            checkpoint.dprTrainingJSON = #"{"stages": ["genre"]}"#
            let path = try temporaryDirectory("steer-interop") + "/\(stem).safetensors"
            try CheckpointExport.write(checkpoint, to: path)
            let file = try SafeTensorsFile(path: path)
            XCTAssertEqual(file.metadata["plugin"], checkpoint.plugin)
            let back = try CheckpointExport.checkpoint(from: file)
            XCTAssertEqual(back.plugin, checkpoint.plugin)
            XCTAssertEqual(back.itemTokens, checkpoint.itemTokens)
            XCTAssertEqual(back.itemTitles, checkpoint.itemTitles)
            XCTAssertEqual(back.categoryNames, checkpoint.categoryNames)
            XCTAssertEqual(back.itemCategories, checkpoint.itemCategories)
            XCTAssertEqual(back.trainingJSON, checkpoint.trainingJSON)
            XCTAssertEqual(back.dprTrainingJSON, checkpoint.dprTrainingJSON)
            // Tensor order inside the archives may differ; names, config and values may not.
            let (config, tensors) = try decoded(back.weights, .backboneWeights), (config0, tensors0) = try decoded(checkpoint.weights, .backboneWeights)
            XCTAssertEqual(config, config0)
            XCTAssertEqual(tensors, tensors0)
            let (headConfig, head) = try decoded(back.dprHead!, .dprHead), (headConfig0, head0) = try decoded(checkpoint.dprHead!, .dprHead)
            XCTAssertEqual(headConfig, headConfig0)
            XCTAssertEqual(head, head0)
            _ = try DPRHead(archive: back.dprHead!)
            // Same weights, same process and kernels: the plugin gives the same user vector, bit for bit
            // (the contract of a lossless round trip, so no tolerance).
            let again = try BuiltPlugins.load(back.plugin, weights: back.weights)
            XCTAssertEqual(try again.encode(histories: [[0, 3, 5]]), try backbone.encode(histories: [[0, 3, 5]]))
        }
    }

    /// PyTorch reads shapes from the header: the plugin's layout, not flat vectors.
    func testExportHasPyTorchShapes() throws {
        let path = try temporaryDirectory("steer-interop") + "/sasrec.safetensors"
        try CheckpointExport.write(try imported("sasrec-tiny"), to: path)
        let file = try SafeTensorsFile(path: path)
        XCTAssertEqual(try file.entry("item_embedding").shape, [12, 8])
        XCTAssertEqual(try file.entry("position_embedding").shape, [6, 8])
        XCTAssertEqual(try file.entry("block1.qkv.weight").shape, [24, 8])
        XCTAssertEqual(try file.entry("block0.ff2.weight").shape, [8, 16])
        XCTAssertTrue(file.metadata["config"]?.contains("\"positions\": \"from_start\"") ?? false, file.metadata["config"] ?? "")
    }

    func testImportRefusesOtherFormats() throws {
        let error = interopError { _ = try CheckpointExport.checkpoint(from: SafeTensorsFile(path: recboleFixtureFile("sasrec-tiny"))) }
        XCTAssertEqual(error?.code, .malformed)
        XCTAssertTrue(error?.description.contains("\"steer-recbole/1\"") ?? false, error?.description ?? "")
    }

    func testMeanPoolWeightsDoNotExport() {
        let checkpoint = BackboneCheckpoint(plugin: "MeanPool", config: #"{"max_len": 5}"#, weights: [0x53, 0x4D, 0x50, 0x31, 0, 0, 0, 0])
        let error = interopError { _ = try CheckpointExport.contents(of: checkpoint) }
        XCTAssertEqual(error?.code, .malformed)
    }
}
