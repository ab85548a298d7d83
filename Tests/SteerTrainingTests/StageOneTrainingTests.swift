// Stage 1 end to end on a tiny synthetic dataset: both backbone plugins learn a pattern.
import Foundation
import SteerCheckpoint
import SteerData
import SteerPlugins
import SteerTraining
import XCTest

final class StageOneTrainingTests: XCTestCase {
    /// The plugins SwiftPM built next to this test binary.
    static var pluginDirectory: String {
        let testBinary = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var directory = URL(fileURLWithPath: testBinary).deletingLastPathComponent()
        if directory.lastPathComponent.hasSuffix(".xctest") { directory.deleteLastPathComponent() }
        return directory.path
    }

    /// 60 users walking a cycle of 30 items from different starts: the next item is always
    /// the current one plus 1 (mod 30), so a sequential model can learn it and popularity cannot.
    static func cycleDataset() throws -> SequenceDataset {
        var lines = ""
        for user in 0..<60 {
            for step in 0..<16 {
                let item = (user * 7 + step) % 30
                lines += "\(user + 1)::\(item + 1)::5::\(1_000_000 + step)\n"
            }
        }
        let log = try MovieLensDat.parseRatings(Array(lines.utf8), file: "cycle.dat")
        return SequenceDataset(log: log)
    }

    func train(_ plugin: String, config: String) throws -> (before: Double, after: Double, loss: [Double]) {
        let split = try DatasetSplit(Self.cycleDataset(), scheme: .leaveOneOut)
        let backbone = try PluginHost(directory: Self.pluginDirectory).load(name: plugin, config: config, weights: [])
        let before = try SequentialEvaluation.evaluate(backbone, cases: split.cases(.test)).ndcg[0]
        var options = TrainingOptions()
        options.epochs = 25
        options.batchSize = 16
        options.learningRate = 0.01
        options.patience = 25
        let trainer = try StageOneTrainer(model: TrainableBackbone(backbone), split: split, options: options)
        trainer.showProgress = false
        let result = try trainer.run()
        let best = try PluginHost(directory: Self.pluginDirectory).load(name: plugin, weights: result.bestWeights)
        let after = try SequentialEvaluation.evaluate(best, cases: split.cases(.test)).ndcg[0]
        return (before, after, result.history.map(\.trainLoss))
    }

    func testSASRecLearnsTheCycle() throws {
        let r = try train("SASRec", config: #"{"n_items": 30, "max_len": 8, "hidden": 16, "layers": 1, "heads": 2, "inner": 32, "dropout": 0.1, "attention_dropout": 0.1}"#)
        XCTAssertLessThan(r.loss.last!, r.loss.first! * 0.5, "loss \(r.loss)")
        XCTAssertGreaterThan(r.after, 0.8, "NDCG@10 before \(r.before), after \(r.after)")
    }

    func testGRU4RecLearnsTheCycle() throws {
        let r = try train("GRU4Rec", config: #"{"n_items": 30, "max_len": 8, "embedding": 16, "hidden": 16, "dropout": 0.1}"#)
        XCTAssertLessThan(r.loss.last!, r.loss.first! * 0.5, "loss \(r.loss)")
        XCTAssertGreaterThan(r.after, 0.8, "NDCG@10 before \(r.before), after \(r.after)")
    }

    func testCheckpointRoundTrip() throws {
        let data = try Self.cycleDataset()
        let backbone = try PluginHost(directory: Self.pluginDirectory).load(
            name: "SASRec", config: #"{"n_items": 30, "max_len": 8, "hidden": 8, "layers": 1, "heads": 1, "inner": 8}"#, weights: [])
        let weights = try TrainableBackbone(backbone).save()
        let path = NSTemporaryDirectory() + "steer-checkpoint-\(UUID().uuidString).snap"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let saved = BackboneCheckpoint(plugin: "SASRec", weights: weights, itemTokens: data.itemTokens, itemTitles: data.itemTitles,
                                       categoryNames: ["a", "b"], itemCategories: data.itemTokens.indices.map { [Int32($0 % 2)] },
                                       trainingJSON: "{}")
        try saved.write(to: path)
        let loaded = try BackboneCheckpoint.load(contentsOf: path)
        XCTAssertEqual(loaded.weights, weights)
        XCTAssertEqual(loaded.itemTokens, data.itemTokens)
        XCTAssertEqual(loaded.itemCategories, saved.itemCategories)
        let reloaded = try PluginHost(directory: Self.pluginDirectory).load(name: loaded.plugin, weights: loaded.weights)
        XCTAssertEqual(try reloaded.encode(histories: [[1, 2, 3]]), try backbone.encode(histories: [[1, 2, 3]]))
    }
}
