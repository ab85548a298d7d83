// The compute pool serves connections in turn: one client's queued work does not delay another's.
import Foundation
import SteerSync
import XCTest
@testable import SteerDaemon
@testable import SteerTransport

final class ComputeLaneTests: XCTestCase {
    /// One thread, so the order in which queued jobs run is the pool's choice alone. Never freed:
    /// its thread holds it.
    private static let pool = ComputeExecutor(threads: 1)

    func testLanesTakeTurns() async throws {
        let flood = Self.pool.lane(), other = Self.pool.lane()
        let order = Locked<[String]>([])
        let gate = DispatchSemaphore(value: 0)
        // Hold the thread, queue ten jobs on one lane, then one on another.
        let blocker = Task(executorPreference: flood) { gate.wait() }
        try await Task.sleep(for: .milliseconds(50))
        var tasks: [Task<Void, Never>] = []
        for i in 0..<10 { tasks.append(Task(executorPreference: flood) { order.withLock { $0.append("flood\(i)") } }) }
        try await Task.sleep(for: .milliseconds(50))
        tasks.append(Task(executorPreference: other) { order.withLock { $0.append("other") } })
        try await Task.sleep(for: .milliseconds(50))
        gate.signal()
        await blocker.value
        for task in tasks { await task.value }
        let ran = order.withLock { $0 }
        XCTAssertEqual(ran.count, 11)
        // Round robin: the other lane runs after at most one more job of the flooding lane, not
        // after all ten.
        let position = try XCTUnwrap(ran.firstIndex(of: "other"))
        XCTAssertLessThanOrEqual(position, 1, "\(ran)")
        XCTAssertEqual(ran.filter { $0 != "other" }, (0..<10).map { "flood\($0)" }, "a lane keeps its own order")
    }

    /// Long work that yields on its slice lets a job of another lane in between.
    func testALongTaskGivesItsThreadBack() async throws {
        let long = Self.pool.lane(), short = Self.pool.lane()
        let events = Locked<[String]>([])
        let started = DispatchSemaphore(value: 0)
        let worker = Task(executorPreference: long) {
            var slice = ComputeSlice()
            started.signal()
            let end = ContinuousClock.now + .milliseconds(300)
            while ContinuousClock.now < end {
                try? await slice.yieldIfDue()
            }
            events.withLock { $0.append("long done") }
        }
        started.wait()
        let quick = Task(executorPreference: short) { events.withLock { $0.append("short") } }
        await quick.value
        await worker.value
        XCTAssertEqual(events.withLock { $0 }, ["short", "long done"])
    }
}
