// Load through SteerAsyncClient against an in-process steerd: many connections with many
// requests in flight each, every answer compared with a reference taken one request at a time;
// and backbone hot swaps (good and failed LoadBackbones) while that load runs.
import Foundation
import SteerClient
import SteerDaemonTestSupport
import SteerWire
import Synchronization
import XCTest

final class LoadTests: XCTestCase {
    let fixture = SteeringFixture()

    /// 16 connections × 300 pipelined requests (up to 64 in flight per connection) of seven
    /// kinds; every answer must be the reference answer of its own request.
    func testSixteenConnectionsOfPipelinedRequestsAreAllAnsweredCorrectly() async throws {
        let daemon = try await TestDaemon(pluginDirectory: try MeanPoolPlugin.directory.get(), encoderDirectory: miniLMDirectory)
        try fixture.writeCheckpoint(to: daemon.directory + "/snapshots/a.snap", headArchive: try SteeringFixture.head(keyValue: .tokens).archived())
        let setup = try daemon.connect()
        _ = try setup.call(.loadBackbone, LoadBackboneRequest(name: "MeanPool", checkpoint: "a.snap"), as: LoadBackboneResponse.self)
        let jobs = LoadJobs.make()
        let references = try LoadJobs.references(jobs, on: setup)
        try checkReferencesLocally(jobs, references, items: fixture.items)

        let connections = 16, perConnection = 300
        let before = try LoadJobs.requestCounts(setup)
        let clients = try (0..<connections).map { _ in
            try SteerAsyncClient(socketPath: daemon.socketPath, configuration: .init(maxInFlight: 64))
        }
        let started = ContinuousClock.now
        // (connection, request, job, failure) for every call.
        let outcomes = await withTaskGroup(of: (Int, Int, Int, String?).self) { group in
            for (c, client) in clients.enumerated() {
                for i in 0..<perConnection {
                    let j = (c * 7_919 + i * 31) % jobs.count
                    group.addTask {
                        do {
                            let response = try await client.response(jobs[j].method, payload: jobs[j].payload)
                            return (c, i, j, LoadJobs.mismatch(response, against: [references[j]], job: jobs[j]))
                        } catch {
                            return (c, i, j, "\(error)")
                        }
                    }
                }
            }
            var all: [(Int, Int, Int, String?)] = []
            for await outcome in group { all.append(outcome) }
            return all
        }
        let elapsed = ContinuousClock.now - started

        var answered = [[Int]](repeating: [Int](repeating: 0, count: perConnection), count: connections)
        var sentPerMethod: [Method: Int] = [:]
        for (c, i, j, failure) in outcomes {
            answered[c][i] += 1
            sentPerMethod[jobs[j].method, default: 0] += 1
            if let failure { XCTFail("connection \(c) request \(i) (\(jobs[j].label)): \(failure)") }
        }
        XCTAssertEqual(outcomes.count, connections * perConnection)
        XCTAssertTrue(answered.allSatisfy { $0.allSatisfy { $0 == 1 } }, "a request was answered more or less than once")
        for client in clients {
            XCTAssertEqual(client.unmatchedResponses, 0, "steerd sent a response no call was waiting for")
            XCTAssertEqual(client.inFlight, 0)
        }
        // steerd answered each request once: its counters grew by exactly what was sent, all OK.
        let after = try LoadJobs.requestCounts(setup)
        for method in Set(sentPerMethod.keys).union(after.keys.map(\.method)) where method != .stats {
            XCTAssertEqual((after[.init(method: method, status: "OK")] ?? 0) - (before[.init(method: method, status: "OK")] ?? 0),
                           sentPerMethod[method] ?? 0, "\(method)")
        }
        XCTAssertEqual(after.filter { $0.key.status != "OK" }, before.filter { $0.key.status != "OK" }, "some requests failed")
        XCTAssertGreaterThanOrEqual(Set(sentPerMethod.keys).count, 6)
        print("LoadTests: \(outcomes.count) requests over \(connections) connections in \(elapsed)")
        for client in clients { client.close() }
        try await daemon.stop()
    }

    /// Load on six connections while LoadBackbone swaps between two MeanPool checkpoints twenty
    /// times and fails on an unknown plugin, a corrupt, a truncated and a missing checkpoint:
    /// no request fails, every answer is the reference answer of one of the two models (never a
    /// mix), both models are seen under load, and a failed load leaves the last model serving.
    func testHotSwapsUnderLoadFailNoRequestAndFailedLoadsKeepTheOldModel() async throws {
        let pluginDirectory = try MeanPoolPlugin.directory.get()
        let daemon = try await TestDaemon(pluginDirectory: pluginDirectory, encoderDirectory: miniLMDirectory)
        let snapshots = daemon.directory + "/snapshots"
        let head = try SteeringFixture.head(keyValue: .tokens).archived()
        try fixture.writeCheckpoint(to: snapshots + "/a.snap", headArchive: head)
        let otherItems = fixture.items.enumerated().map { i, x in (i % 3 == 0 ? -x : x * 0.5) + Float(i % 7) / 10 }
        try SteeringFixture(items: otherItems).writeCheckpoint(to: snapshots + "/b.snap", headArchive: head)
        try Data([0x53, 0x4e, 0x41, 0x50] + [UInt8](repeating: 0xA5, count: 200)).write(to: URL(fileURLWithPath: snapshots + "/corrupt.snap"))
        let whole = try Data(contentsOf: URL(fileURLWithPath: snapshots + "/a.snap"))
        try whole.prefix(whole.count / 2).write(to: URL(fileURLWithPath: snapshots + "/truncated.snap"))

        let control = try daemon.connect()
        let jobs = LoadJobs.make()
        _ = try control.call(.loadBackbone, LoadBackboneRequest(name: "MeanPool", checkpoint: "b.snap"), as: LoadBackboneResponse.self)
        let referencesB = try LoadJobs.references(jobs, on: control)
        try checkReferencesLocally(jobs, referencesB, items: otherItems)
        _ = try control.call(.loadBackbone, LoadBackboneRequest(name: "MeanPool", checkpoint: "a.snap"), as: LoadBackboneResponse.self)
        let referencesA = try LoadJobs.references(jobs, on: control)
        try checkReferencesLocally(jobs, referencesA, items: fixture.items)
        let modelDependent = jobs.indices.filter { LoadJobs.mismatch(referencesA[$0], against: [referencesB[$0]], job: jobs[$0]) != nil }
        XCTAssertGreaterThan(modelDependent.count, jobs.count / 2, "the two checkpoints should answer differently")

        let load = try await runUnderLoad(daemon: daemon, jobs: jobs, references: [referencesA, referencesB]) { swapper in
            let probe = jobs.firstIndex { $0.label.hasPrefix("recommend plain") }!
            var last = 0   // a.snap is loaded
            for swap in 0..<20 {
                let target = swap % 2 == 0 ? 1 : 0
                let loaded = try await swapper.loadBackbone(name: "MeanPool", checkpoint: target == 0 ? "a.snap" : "b.snap")
                XCTAssertTrue(loaded.backbone.active)
                last = target
                if swap % 5 == 2 {
                    // Failed loads in the middle of the load: each is refused and the model stays.
                    for (name, checkpoint, status) in [("NoSuchPlugin", "a.snap", StatusCode.notFound), ("MeanPool", "corrupt.snap", .dataLoss),
                                                       ("MeanPool", "truncated.snap", .dataLoss), ("MeanPool", "missing.snap", .notFound)] {
                        do {
                            _ = try await swapper.loadBackbone(name: name, checkpoint: checkpoint)
                            XCTFail("LoadBackbone \(name) \(checkpoint) succeeded")
                        } catch let error as RPCError {
                            XCTAssertEqual(error.status, status, "\(name) \(checkpoint): \(error)")
                        }
                        let answer = try await swapper.response(jobs[probe].method, payload: jobs[probe].payload)
                        XCTAssertNil(LoadJobs.mismatch(answer, against: [last == 0 ? referencesA[probe] : referencesB[probe]], job: jobs[probe]),
                                     "after the failed load of \(name) \(checkpoint) the model changed")
                    }
                }
                try await Task.sleep(for: .milliseconds(60))
            }
        }
        XCTAssertEqual(load.failures, [], "requests failed during swaps")
        XCTAssertGreaterThan(load.requests, 1_000)
        XCTAssertGreaterThan(load.answeredBy[0], 0, "no answer of the first checkpoint under load")
        XCTAssertGreaterThan(load.answeredBy[1], 0, "no answer of the second checkpoint under load")

        let listed = try control.call(.listBackbones, ListBackbonesRequest(), as: ListBackbonesResponse.self)
        let health = try control.call(.health, HealthRequest(), as: HealthResponse.self)
        XCTAssertEqual(listed.backbones.map(\.name), ["MeanPool"])
        let info = try XCTUnwrap(listed.backbones.first)
        XCTAssertTrue(info.active)
        XCTAssertEqual(info.pluginVersion, "1.0.0")
        XCTAssertEqual(info.abiMajor, health.abiMajor)
        XCTAssertLessThanOrEqual(info.abiMinor, health.abiMinor)
        XCTAssertEqual(info.sha256, try sha256(of: pluginDirectory + "/libSteerBackboneMeanPool.so"))
        print("LoadTests: \(load.requests) requests during 20 swaps, answered by a \(load.answeredBy[0]), by b \(load.answeredBy[1])")
        try await daemon.stop()
    }

    /// The two Swift backbones, which are never unloaded: SASRec and GRU4Rec (the ML-100k
    /// checkpoints in Models/) swapped ten times under load; ListBackbones then shows both with
    /// their ABI versions and the checksums of their libraries.
    func testSwiftBackbonesSwapUnderLoadAndAreListedWithABIAndChecksum() async throws {
        let products = productsDirectory
        for name in ["SASRec", "GRU4Rec"] {
            guard FileManager.default.fileExists(atPath: products + "/libSteerBackbone\(name).so") else {
                return XCTFail("no libSteerBackbone\(name).so in \(products): build the package (swift build) before testing")
            }
        }
        let daemon = try await TestDaemon(pluginDirectory: products)
        let models = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path + "/Models"
        for name in ["sasrec", "gru4rec"] {
            try FileManager.default.copyItem(atPath: models + "/ml-100k-\(name).snap", toPath: daemon.directory + "/snapshots/\(name).snap")
        }
        let control = try daemon.connect()
        let jobs = LoadJobs.makeForBackbones(items: 1_000, dim: 64)
        var references: [[ResponseEnvelope]] = []
        var infos: [String: BackboneInfo] = [:]
        for (plugin, checkpoint) in [("GRU4Rec", "gru4rec.snap"), ("SASRec", "sasrec.snap")] {
            infos[plugin] = try control.call(.loadBackbone, LoadBackboneRequest(name: plugin, checkpoint: checkpoint), as: LoadBackboneResponse.self).backbone
            references.append(try LoadJobs.references(jobs, on: control))
        }
        let loadedInfos = infos
        let load = try await runUnderLoad(daemon: daemon, jobs: jobs, references: references, connections: 4, lanes: 8) { swapper in
            for swap in 0..<10 {
                let (plugin, checkpoint) = swap % 2 == 0 ? ("GRU4Rec", "gru4rec.snap") : ("SASRec", "sasrec.snap")
                let loaded = try await swapper.loadBackbone(name: plugin, checkpoint: checkpoint)
                XCTAssertEqual(loaded.backbone.name, plugin)
                XCTAssertEqual(loaded.backbone.sha256, loadedInfos[plugin]?.sha256)
                try await Task.sleep(for: .milliseconds(100))
            }
        }
        XCTAssertEqual(load.failures, [], "requests failed during swaps")
        XCTAssertGreaterThan(load.answeredBy[0], 0, "no GRU4Rec answer under load")
        XCTAssertGreaterThan(load.answeredBy[1], 0, "no SASRec answer under load")

        let listed = try control.call(.listBackbones, ListBackbonesRequest(), as: ListBackbonesResponse.self)
        let health = try control.call(.health, HealthRequest(), as: HealthResponse.self)
        XCTAssertEqual(listed.backbones.map(\.name), ["GRU4Rec", "SASRec"])
        XCTAssertEqual(listed.backbones.map(\.active), [false, true])   // the last swap loaded SASRec
        XCTAssertEqual(health.activeBackbone, "SASRec")
        for info in listed.backbones {
            XCTAssertEqual(info.abiMajor, health.abiMajor, info.name)
            XCTAssertLessThanOrEqual(info.abiMinor, health.abiMinor, info.name)
            XCTAssertFalse(info.pluginVersion.isEmpty, info.name)
            XCTAssertEqual(info.sha256, try sha256(of: products + "/libSteerBackbone\(info.name).so"), info.name)
        }
        print("LoadTests: \(load.requests) requests during 10 Swift-plugin swaps, GRU4Rec \(load.answeredBy[0]), SASRec \(load.answeredBy[1])")
        try await daemon.stop()
    }

    // MARK: Helpers

    struct LoadResult {
        var requests = 0
        var failures: [String] = []
        /// Answers equal to each model's reference (requests whose answer does not depend on the model count for none).
        var answeredBy: [Int]
    }

    /// Runs `swaps` on its own connection while `connections` × `lanes` loops keep requests in
    /// flight; each answer must equal one of `references` for its job.
    private func runUnderLoad(daemon: TestDaemon, jobs: [LoadJob], references: [[ResponseEnvelope]], connections: Int = 6, lanes: Int = 16,
                              swaps: @escaping @Sendable (SteerAsyncClient) async throws -> Void) async throws -> LoadResult {
        let clients = try (0..<connections).map { _ in try SteerAsyncClient(socketPath: daemon.socketPath) }
        let swapper = try SteerAsyncClient(socketPath: daemon.socketPath)
        let stop = StopFlag()
        let result = try await withThrowingTaskGroup(of: LoadResult.self) { group in
            for (c, client) in clients.enumerated() {
                for lane in 0..<lanes {
                    group.addTask {
                        var local = LoadResult(answeredBy: [Int](repeating: 0, count: references.count))
                        var i = 0
                        while !stop.isSet {
                            let j = (c * 131 + lane * 17 + i * 7) % jobs.count
                            i += 1
                            local.requests += 1
                            do {
                                let response = try await client.response(jobs[j].method, payload: jobs[j].payload)
                                let candidates = references.map { $0[j] }
                                if let failure = LoadJobs.mismatch(response, against: candidates, job: jobs[j]) {
                                    local.failures.append("\(jobs[j].label): \(failure)")
                                } else {
                                    let matching = candidates.indices.filter { LoadJobs.mismatch(response, against: [candidates[$0]], job: jobs[j]) == nil }
                                    if matching.count == 1 { local.answeredBy[matching[0]] += 1 }
                                }
                            } catch {
                                local.failures.append("\(jobs[j].label): \(error)")
                            }
                        }
                        return local
                    }
                }
            }
            group.addTask {
                defer { stop.set() }
                try await Task.sleep(for: .milliseconds(200))   // the load is running before the first swap
                try await swaps(swapper)
                return LoadResult(answeredBy: [Int](repeating: 0, count: references.count))
            }
            var total = LoadResult(answeredBy: [Int](repeating: 0, count: references.count))
            for try await part in group {
                total.requests += part.requests
                total.failures += part.failures.prefix(20)
                for m in total.answeredBy.indices { total.answeredBy[m] += part.answeredBy[m] }
            }
            return total
        }
        for client in clients + [swapper] {
            XCTAssertEqual(client.unmatchedResponses, 0)
            client.close()
        }
        return result
    }

    /// Checks references against the model computed here: Retrieve is the exact top-k over
    /// `items`, and Recommend without a prompt ranks the mean of the history's items.
    private func checkReferencesLocally(_ jobs: [LoadJob], _ references: [ResponseEnvelope], items: [Float]) throws {
        let d = SteeringFixture.dim
        func rank(_ query: [Float], k: Int, excluding: Set<UInt32>) -> [UInt32] {
            SteeringFixture.rank(query, items: items, k: k, excluding: excluding).map(\.item)
        }
        var checked = 0
        for (job, reference) in zip(jobs, references) {
            switch job.method {
            case .retrieve:
                let request = try RetrieveRequest(decoding: job.payload)
                let answer = try reference.result(as: RetrieveResponse.self)
                for (query, result) in zip(request.queries, answer.results) {
                    XCTAssertEqual(result.itemIDs, rank(query.vector, k: Int(request.k), excluding: Set(query.excludeItems)), job.label)
                }
                checked += 1
            case .recommend:
                let request = try RecommendRequest(decoding: job.payload)
                guard request.prompt.isEmpty else { continue }
                var mean = [Float](repeating: 0, count: d)
                for item in request.history { for j in 0..<d { mean[j] += items[Int(item) * d + j] / Float(request.history.count) } }
                XCTAssertEqual(try reference.result(as: RecommendResponse.self).itemIDs, rank(mean, k: Int(request.k), excluding: Set(request.history)), job.label)
                checked += 1
            default:
                continue
            }
        }
        XCTAssertGreaterThan(checked, 10)
    }

    /// Where SwiftPM put the build products (the plugins among them): next to the test binary.
    private var productsDirectory: String {
        let binary = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var products = URL(fileURLWithPath: binary).deletingLastPathComponent()
        if products.lastPathComponent.hasSuffix(".xctest") { products.deleteLastPathComponent() }
        return ProcessInfo.processInfo.environment["STEER_TEST_PLUGIN_DIR"] ?? products.path
    }

    private func sha256(of path: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["sha256sum", path]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return String(text.prefix { !$0.isWhitespace })
    }
}

/// Tells the load loops to finish.
private final class StopFlag: Sendable {
    private let flag = Atomic<Bool>(false)
    var isSet: Bool { flag.load(ordering: .relaxed) }
    func set() { flag.store(true, ordering: .relaxed) }
}
