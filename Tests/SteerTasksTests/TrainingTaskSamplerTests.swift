// Training tasks: cut points inside the train part, seeded per epoch, same rules as evaluation.

import SteerData
@testable import SteerTasks
import XCTest

final class TrainingTaskSamplerTests: XCTestCase {
    typealias D = SyntheticData

    /// uA's train part is i0 i1 i2 i3 i4 (L = 5). With minimumHistory 3 the only valid cut
    /// is 3 (the future needs two items): history i0 i1 i2, window (N = 3) i3{D} i4{H}.
    /// POS: i4 has H, which i3 lacks: target i4, genre H, compliance [i4].
    /// NEG: g = D (i3's only genre), targets [i4].
    func testGoldenSingleCut() throws {
        let sampler = try TrainingTaskSampler(
            split: D.split, configuration: .init(tasksPerUser: 4, windows: [3], minimumHistory: 3, seed: 1))
        let user = D.user("uA")
        XCTAssertEqual(sampler.cuts(user: user, epoch: 0), [3])
        let tasks = sampler.tasks(user: user, epoch: 0)
        XCTAssertEqual(tasks.map(\.polarity), [.positive, .negative])
        XCTAssertEqual(tasks.map(\.genre), [3, 2])
        XCTAssertEqual(tasks.map(\.targets), [D.items(["i4"]), D.items(["i4"])])
        XCTAssertEqual(tasks.map(\.compliance), [D.items(["i4"]), D.items(["i4"])])
        XCTAssertEqual(tasks.map { Array($0.history) }, [D.items(["i0", "i1", "i2"]), D.items(["i0", "i1", "i2"])])
        XCTAssertEqual(tasks[0].windowItems, D.items(["i3", "i4"]))
        XCTAssertTrue(tasks.allSatisfy { $0.pool == .training })
        // uF's train part (i5 i6) is too short for any cut.
        XCTAssertEqual(sampler.tasks(user: D.user("uF"), epoch: 0), [])
    }

    /// u0's train part has 13 items: cuts 3…11 are valid; 4 distinct ones per epoch,
    /// reproducible, varying with the epoch; windows stay inside the train part.
    func testCutsAreDistinctSeededAndInsideTheTrainPart() throws {
        let sampler = try TrainingTaskSampler(split: D.split, configuration: .init(tasksPerUser: 4, seed: 9))
        let user = D.user("u0")
        var seen = Set<[Int]>()
        for epoch in 0..<20 {
            let cuts = sampler.cuts(user: user, epoch: epoch)
            XCTAssertEqual(cuts.count, 4)
            XCTAssertEqual(Set(cuts).count, 4)
            XCTAssertTrue(cuts.allSatisfy { (3...11).contains($0) })
            XCTAssertEqual(cuts, sampler.cuts(user: user, epoch: epoch))
            seen.insert(cuts)
        }
        XCTAssertGreaterThan(seen.count, 10, "cuts should vary across epochs")
        for epoch in 0..<5 {
            for task in sampler.tasks(epoch: epoch) {
                let train = Array(D.split.train(task.user))
                let cut = task.history.count
                XCTAssertEqual(Array(task.history), Array(train[..<cut]))
                XCTAssertEqual(task.windowItems, Array(train[cut...].prefix(task.window)))
                XCTAssertTrue([3, 5, 10].contains(task.window))
            }
        }
    }

    /// The leakage diagnostic draws cuts over the whole sequence, so test windows become
    /// training tasks; by default no window item ever comes from a held-out part.
    func testOnlyTheLeakageDiagnosticReachesTheHeldOutParts() throws {
        let everyCut = Int(Int32.max)
        let honest = try TrainingTaskSampler(split: D.split, configuration: .init(tasksPerUser: everyCut, seed: 9))
        var leaking = TrainingTaskSampler.Configuration(tasksPerUser: everyCut, seed: 9)
        leaking.leaksHeldOutParts = true
        let leaky = try TrainingTaskSampler(split: D.split, configuration: leaking)
        let user = D.user("u0")
        let train = D.split.train(user).count, whole = D.split.dataset.sequences[user].count
        XCTAssertEqual(honest.cuts(user: user, epoch: 0), Array(3...(train - 2)))
        XCTAssertEqual(leaky.cuts(user: user, epoch: 0), Array(3...(whole - 2)))
        for task in honest.tasks(epoch: 0) {
            XCTAssertLessThanOrEqual(task.history.count + task.windowItems.count, D.split.train(task.user).count)
        }
        let testWindowReached = leaky.tasks(epoch: 0).contains { task in
            task.history.count + task.windowItems.count > D.split.train(task.user).count + D.split.validation(task.user).count
        }
        XCTAssertTrue(testWindowReached, "the diagnostic must reach the test part")
    }

    /// The POS target is re-drawn from the compliance list each epoch; NEG keeps all of it.
    func testTrainingTargetsRedraw() throws {
        let set = try TaskBuilder(split: D.split, seed: 2020).tasks(window: 5)
        let uD = set.positive.first { $0.user == D.user("uD") }!
        XCTAssertEqual(uD.compliance.count, 2)
        let drawn = Set((0..<50).map { uD.trainingTargets(epoch: $0, seed: 1) })
        XCTAssertEqual(drawn, Set(uD.compliance.map { [$0] }))
        let neg = set.negative.first { $0.user == D.user("uC") }!
        XCTAssertEqual(neg.trainingTargets(epoch: 3, seed: 1), neg.compliance)
    }

    func testInvalidConfigurationsAreRefused() {
        for configuration in [TrainingTaskSampler.Configuration(tasksPerUser: 0), .init(windows: []), .init(windows: [1]),
                              .init(minimumHistory: 0)] {
            XCTAssertThrowsError(try TrainingTaskSampler(split: D.split, configuration: configuration)) {
                XCTAssertEqual(($0 as? TasksError)?.code, .invalidSetting)
            }
        }
    }
}
