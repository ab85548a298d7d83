// Compound tasks ("g, but no h") on the synthetic dataset, worked out by hand.

import SteerData
@testable import SteerTasks
import XCTest

final class CompoundTaskTests: XCTestCase {
    typealias D = SyntheticData
    let (A, C): (Int32, Int32) = (0, 1)

    /// N = 3, by hand (first item's genres F; a target needs a genre outside F and lacks one in F):
    /// - u0, uB: every window item is Action only: nothing outside F. uC: window i9{C,D,H} i1{C} i3{D}:
    ///   nothing outside F. uD: window i3{D} i9{C,D,H} i7{D}: i9 has C and H outside F but also D,
    ///   so it lacks nothing of F. uE: the first item has no genre, so nothing can be ruled out.
    /// - uA: window i0{A} i8{A} i1{C}: target i1, g = C, h = A, compliance [i1].
    /// - uF: future i0{A} i1{C}: the same.
    func testTasksOfWindow3ByHand() throws {
        let tasks = try TaskBuilder(split: D.split, seed: 2020).compoundTasks(window: 3)
        XCTAssertEqual(tasks.map(\.user), [D.user("uA"), D.user("uF")])
        for task in tasks {
            XCTAssertEqual(task.wanted.polarity, .positive)
            XCTAssertEqual(task.wanted.genre, C)
            XCTAssertEqual(task.avoided, A)
            XCTAssertEqual(task.target, D.item("i1"))
            XCTAssertEqual(task.wanted.compliance, [D.item("i1")])
            XCTAssertEqual(task.wanted.pool, .evaluation)
        }
        XCTAssertThrowsError(try TaskBuilder(split: D.split).compoundTasks(window: 1))
    }

    /// Every drawn task keeps the rules whatever the seed: the target has g and lacks h, the first
    /// window item has h and lacks g, and the compliance list is the window items with g and without h.
    func testRulesHoldForOtherSeedsAndWindows() throws {
        let categories = D.split.dataset.itemCategories
        for seed: UInt64 in [1, 7, 2020, 99_999] {
            for window in [2, 3, 5] {
                for task in try TaskBuilder(split: D.split, seed: seed).compoundTasks(window: window) {
                    let (g, h) = (task.wanted.genre, task.avoided)
                    XCTAssert(categories[Int(task.target)].contains(g) && !categories[Int(task.target)].contains(h))
                    let first = task.wanted.windowItems[0]
                    XCTAssert(categories[Int(first)].contains(h) && !categories[Int(first)].contains(g))
                    XCTAssertEqual(task.wanted.compliance,
                                   task.wanted.windowItems.filter { categories[Int($0)].contains(g) && !categories[Int($0)].contains(h) })
                }
            }
        }
    }

    /// The prompt is an evaluation POS phrasing of g followed by an evaluation NEG phrasing of h.
    func testThePromptIsARequestThenARefusalFromTheEvaluationPool() throws {
        let templates = try PromptTemplates.bundled()
        let task = try XCTUnwrap(try TaskBuilder(split: D.split, seed: 2020).compoundTasks(window: 3).first)
        let parts = templates.compoundParts(for: task, in: D.split.dataset, seed: 2020)
        XCTAssert(templates.templates(.positive, .evaluation).map { templates.render($0, genreName: "Comedy") }.contains(parts.wanted))
        XCTAssert(templates.templates(.negative, .evaluation).map { templates.render($0, genreName: "Action") }.contains(parts.avoided))
        XCTAssertEqual(templates.compoundPrompt(for: task, in: D.split.dataset, seed: 2020), parts.wanted + " " + parts.avoided)
        XCTAssertEqual(templates.compoundParts(for: task, in: D.split.dataset, seed: 2020).avoided, parts.avoided, "seeded")
    }
}
