// Train on tiny synthetic data, write the checkpoint as `steer train-dpr` does, load it into an
// in-process steerd and ask Recommend over the socket: the product path end to end.
import Foundation
import Logging
import ServiceLifecycle
import SteerCheckpoint
import SteerClient
import SteerDaemon
import SteerTransport
import SteerDPR
import SteerPlugins
import SteerTasks
import SteerTraining
import SteerWire
import XCTest

final class TrainThenServeTests: XCTestCase {
    func testTrainedCheckpointServesSteeredRecommendations() async throws {
        let r = try SteeringTrainingTests.trained()
        let data = r.split.dataset
        let directory = NSTemporaryDirectory() + "steer-e2e-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory + "/snapshots", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var checkpoint = BackboneCheckpoint(
            plugin: "SASRec", weights: try TrainableBackbone(r.tuned).save(), itemTokens: data.itemTokens,
            itemTitles: data.itemTitles, categoryNames: data.categoryNames, itemCategories: data.itemCategories, trainingJSON: "{}")
        checkpoint.dprHead = r.queries.head.archived()
        try checkpoint.write(to: directory + "/snapshots/dpr.snap")

        let logger = Logger(label: "steerd-e2e", factory: { _ in SwiftLogNoOpLogHandler() })
        let server = try SteerServer(configuration: DaemonConfiguration(
            socketPath: directory + "/steerd.sock", pluginDirectory: SteeringTrainingTests.pluginDirectory,
            snapshotDirectory: directory + "/snapshots", encoderDirectory: SteeringTrainingTests.miniLMDirectory,
            encoderRequired: true, shutdownGracePeriodSeconds: 5), logger: logger)
        let group = ServiceGroup(configuration: .init(services: [server], logger: logger))
        let running = Task { try await group.run() }
        try await server.waitUntilListening()

        let connection = try SteerConnection(socketPath: directory + "/steerd.sock")
        _ = try connection.call(.loadBackbone, LoadBackboneRequest(name: "SASRec", checkpoint: "dpr.snap"), as: LoadBackboneResponse.self)
        let history = (10..<20).map { UInt32(data.itemID("m\($0)")!) }   // ten horror movies
        let plain = try connection.call(.recommend, RecommendRequest(history: history, k: 5), as: RecommendResponse.self)
        let prompt = r.templates.render(r.templates.templates(TaskPolarity.positive, TemplatePool.evaluation)[0], genreName: "Western")
        let asked = try connection.call(.recommend, RecommendRequest(history: history, prompt: prompt, polarity: SteerWire.Polarity.positive, k: 5),
                                        as: RecommendResponse.self)
        let westerns = asked.categories.filter { $0.split(separator: "|").contains("Western") }.count
        XCTAssertGreaterThanOrEqual(westerns, 4, "\"\(prompt)\" → \(asked.titles) \(asked.categories); no prompt → \(plain.titles)")
        XCTAssertEqual(asked.polarity, SteerWire.Polarity.positive)
        XCTAssertFalse(asked.itemIDs.contains { history.contains($0) }, "history items are not recommended")

        await group.triggerGracefulShutdown()
        try await running.value
    }
}
