// Golden evaluation tasks on the synthetic dataset, worked out by hand (seed 2020).

import SteerData
@testable import SteerTasks
import XCTest

final class TaskBuilderTests: XCTestCase {
    typealias D = SyntheticData
    let (A, C, Dr, H): (Int32, Int32, Int32, Int32) = (0, 1, 2, 3)

    func testSyntheticIds() {
        XCTAssertEqual(D.split.dataset.categoryNames, ["Action", "Comedy", "Drama", "Horror"])
        XCTAssertEqual((0...12).map { D.item("i\($0)") }, (0...12).map(Int32.init))
        XCTAssertEqual(D.split.droppedItems, 0)
        XCTAssertEqual(Array(D.split.test(D.user("uA"))), D.items(["i0", "i8", "i1", "i10", "i11"]))
    }

    /// N = 3, by hand:
    /// - u0: window i0 i0 i0, no genre outside {A}: no POS; NEG avoids A, every item has A: none.
    /// - uA: window i0{A} i8{A} i1{C}: POS forced: target i1, genre C, compliance [i1].
    ///       NEG: g = A (i0's only genre), targets [i1].
    /// - uB: window i0 i8 i10, all A: no POS, no NEG.
    /// - uC: window i9{C,D,H} i1{C} i3{D}: nothing outside i9's genres: no POS. NEG: g drawn
    ///       among {C, D, H}; the seed draws C, so the targets are the items without C: [i3].
    /// - uD: window i3{D} i9{C,D,H} i7{D}: POS target forced i9, genre drawn among {C, H}
    ///       (the seed draws C), compliance = window items with C = [i9]. NEG: g = D, every
    ///       window item has D: none.
    /// - uE: window i12{} i12{} i1{C}: POS target i1, genre C, compliance [i1]. NEG: the first
    ///       item has no genre: none.
    /// - uF: future i0 i1 only (shorter than N): POS i1 / C / [i1]; NEG g = A, targets [i1].
    func testGoldenWindow3() throws {
        let set = try TaskBuilder(split: D.split, seed: 2020).tasks(window: 3)
        XCTAssertEqual(set.window, 3)
        assertTasks(set.positive, [
            ("uA", C, ["i1"], ["i1"]),
            ("uD", C, ["i9"], ["i9"]),
            ("uE", C, ["i1"], ["i1"]),
            ("uF", C, ["i1"], ["i1"]),
        ])
        assertTasks(set.negative, [
            ("uA", A, ["i1"], ["i1"]),
            ("uC", C, ["i3"], ["i3"]),
            ("uF", A, ["i1"], ["i1"]),
        ])
        let uF = set.positive.last!
        XCTAssertEqual(uF.windowItems, D.items(["i0", "i1"]))
        XCTAssertEqual(Array(uF.history), D.items(["i5", "i6"]))
        XCTAssertTrue((set.positive + set.negative).allSatisfy { $0.pool == .evaluation && $0.window == 3 })
    }

    /// N = 5, by hand (NEG genres are drawn per user, not per N, so uC still avoids C):
    /// - uA: window i0 i8 i1 i10 i11: POS forced i1 / C / [i1]; NEG A, targets [i1].
    /// - uB: window i0{A} i8{A} i10{A} i1{C} i3{D}: POS target drawn among [i1, i3] (the seed
    ///       draws i3), so genre D, compliance [i3]. NEG: g = A, targets [i1, i3].
    /// - uC: window i9 i1 i3 i4 i6, all within {C, D, H}: no POS. NEG: C, targets [i3, i4].
    /// - uD: window i3{D} i9{C,D,H} i7{D} i2{A,C} i5{A,D}: POS target drawn among [i9, i2,
    ///       i5] (the seed draws i5), so genre A (its only genre i3 lacks), compliance =
    ///       window items with A = [i2, i5]. NEG: D, targets [i2].
    /// - uE: window i12 i12 i1 i12 i12: POS i1 / C / [i1]; no NEG.
    /// - uF: as at N = 3.
    func testGoldenWindow5() throws {
        let set = try TaskBuilder(split: D.split, seed: 2020).tasks(window: 5)
        assertTasks(set.positive, [
            ("uA", C, ["i1"], ["i1"]),
            ("uB", Dr, ["i3"], ["i3"]),
            ("uD", A, ["i5"], ["i2", "i5"]),
            ("uE", C, ["i1"], ["i1"]),
            ("uF", C, ["i1"], ["i1"]),
        ])
        assertTasks(set.negative, [
            ("uA", A, ["i1"], ["i1"]),
            ("uB", A, ["i1", "i3"], ["i1", "i3"]),
            ("uC", C, ["i3", "i4"], ["i3", "i4"]),
            ("uD", Dr, ["i2"], ["i2"]),
            ("uF", A, ["i1"], ["i1"]),
        ])
    }

    /// Another seed changes only the seeded choices, always within the admissible sets above.
    func testOtherSeedsStayAdmissible() throws {
        for seed: UInt64 in 0..<64 {
            let set = try TaskBuilder(split: D.split, seed: seed).tasks(window: 5)
            XCTAssertEqual(set.positive.map(\.user), ["uA", "uB", "uD", "uE", "uF"].map(D.user))
            XCTAssertEqual(set.negative.map(\.user), ["uA", "uB", "uC", "uD", "uF"].map(D.user))
            let uB = set.positive[1], uD = set.positive[2], uC = set.negative[2]
            XCTAssertTrue([D.items(["i1"]), D.items(["i3"])].contains(uB.targets))
            XCTAssertTrue(D.items(["i9", "i2", "i5"]).contains(uD.targets[0]))
            XCTAssertTrue([C, Dr, H].contains(uC.genre))
            let expected: [Int32: [Int32]] = [C: D.items(["i3", "i4"]), Dr: D.items(["i1", "i4", "i6"]), H: D.items(["i1", "i3"])]
            XCTAssertEqual(uC.targets, expected[uC.genre])
        }
    }

    func testSameSeedSameTasksAndWindowBelowTwoRefused() throws {
        let a = try TaskBuilder(split: D.split, seed: 7).taskSets()
        let b = try TaskBuilder(split: D.split, seed: 7).taskSets()
        XCTAssertEqual(a.map(\.positive), b.map(\.positive))
        XCTAssertEqual(a.map(\.negative), b.map(\.negative))
        XCTAssertEqual(a.map(\.window), [3, 5, 10])
        XCTAssertThrowsError(try TaskBuilder(split: D.split).tasks(window: 1)) {
            XCTAssertEqual(($0 as? TasksError)?.code, .invalidSetting)
        }
    }

    /// Asserts `tasks` are exactly `expected` (user, genre, targets, compliance), in order.
    func assertTasks(
        _ tasks: [SteeringTask], _ expected: [(String, Int32, [String], [String])], file: StaticString = #filePath, line: UInt = #line
    ) {
        XCTAssertEqual(tasks.count, expected.count, "task count", file: file, line: line)
        for (task, (user, genre, targets, compliance)) in zip(tasks, expected) {
            XCTAssertEqual(task.user, D.user(user), "user", file: file, line: line)
            XCTAssertEqual(task.genre, genre, "genre of \(user)", file: file, line: line)
            XCTAssertEqual(task.targets, D.items(targets), "targets of \(user)", file: file, line: line)
            XCTAssertEqual(task.compliance, D.items(compliance), "compliance of \(user)", file: file, line: line)
            XCTAssertEqual(task.history, D.split.dataset.sequences[task.user][..<task.history.count], file: file, line: line)
        }
    }
}
