// Where steerd's heavy RPCs run: threads of their own, so light ones (Health, Stats) never wait
// behind them, shared fairly between connections.
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A task executor for CPU-bound request work (encoders, backbones, the head, retrieval, snapshots):
/// one thread per core, taking jobs from the connections' lanes in turn.
///
/// Swift's default executor also has one thread per core, and a request that embeds 256 prompts
/// keeps its thread busy for seconds without an `await`; with every such thread busy, a Health or
/// Stats request would wait until one came free. Work preferring this executor runs on these
/// threads instead, which the kernel time-slices with the default executor's and the event
/// loops', so liveness and readiness probes stay answered under any load.
///
/// The pool has a fixed width on purpose: libdispatch adds worker threads when its jobs run long,
/// so on a concurrent queue a burst of heavy requests would become dozens of runnable threads on
/// a few cores and starve the event loops.
///
/// Fairness: each connection's work goes through a ``ComputeLane`` of its own, and a free thread
/// takes the next job of the next lane with work (round robin), not the oldest job overall. Long
/// work gives its thread back every few milliseconds (``ComputeSlice``) and rejoins its lane's
/// queue, so a client that floods the daemon with heavy requests gets one turn per round like any
/// other, and another client's request waits about one slice, not the flood's whole backlog.
package final class ComputeExecutor: TaskExecutor, @unchecked Sendable {
    /// The process's pool, shared by every daemon in it (tests start many).
    package static let shared = ComputeExecutor(threads: ProcessInfo.processInfo.activeProcessorCount)

    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let ready = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    /// Lanes with waiting jobs, each once, in the order they get their next turn; taken from
    /// `nextTurn` on (guarded by `mutex`, like every lane's queue).
    private var turns: [ComputeLane] = []
    private var nextTurn = 0
    /// Work enqueued on the pool itself rather than on a lane (a lane of its own); set once in init.
    private var poolLane: ComputeLane!

    /// A pool of `threads` threads; tests make small ones of their own.
    package init(threads: Int) {
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(ready, nil)
        poolLane = ComputeLane(pool: self)
        for i in 0..<max(1, threads) {
            let thread = Thread { [unowned self] in self.work() }
            thread.name = "steerd-compute-\(i)"
            thread.start()
        }
    }

    /// A new lane: one per connection.
    package func lane() -> ComputeLane { ComputeLane(pool: self) }

    package func enqueue(_ job: consuming ExecutorJob) {
        enqueue(UnownedJob(job), on: poolLane)
    }

    fileprivate func enqueue(_ job: UnownedJob, on lane: ComputeLane) {
        pthread_mutex_lock(mutex)
        if lane.isIdle { turns.append(lane) }
        lane.waiting.append(job)
        pthread_cond_signal(ready)
        pthread_mutex_unlock(mutex)
    }

    /// A pool thread: runs jobs for the life of the process.
    private func work() {
        while true {
            pthread_mutex_lock(mutex)
            while nextTurn == turns.count { pthread_cond_wait(ready, mutex) }
            let lane = turns[nextTurn]
            nextTurn += 1
            let job = lane.takeOldest()
            if !lane.isIdle { turns.append(lane) }   // its next job waits for the other lanes' turns
            if nextTurn == turns.count || nextTurn >= 1_024 {   // drop the turns taken, now and then
                turns.removeFirst(nextTurn)
                nextTurn = 0
            }
            pthread_mutex_unlock(mutex)
            job.runSynchronously(on: lane.asUnownedTaskExecutor())
        }
    }
}

/// One connection's queue on the ``ComputeExecutor``: tasks preferring it run on the pool's
/// threads, taking turns with the other lanes.
public final class ComputeLane: TaskExecutor, @unchecked Sendable {
    private unowned let pool: ComputeExecutor
    /// Jobs waiting, oldest at `next` (guarded by the pool's mutex). The storage is kept when the
    /// lane empties, so a connection's requests allocate nothing here after its first.
    fileprivate var waiting: [UnownedJob] = []
    private var next = 0

    fileprivate init(pool: ComputeExecutor) { self.pool = pool }

    public func enqueue(_ job: consuming ExecutorJob) {
        pool.enqueue(UnownedJob(job), on: self)
    }

    /// No job waiting (the pool's mutex held).
    fileprivate var isIdle: Bool { next == waiting.count }

    /// The oldest waiting job (the pool's mutex held, the lane not idle).
    fileprivate func takeOldest() -> UnownedJob {
        let job = waiting[next]
        next += 1
        if next == waiting.count {
            waiting.removeAll(keepingCapacity: true)
            next = 0
        } else if next >= 1_024 {
            waiting.removeFirst(next)
            next = 0
        }
        return job
    }
}

/// A time slice of long compute work: call ``yieldIfDue()`` between steps, and every `length` the
/// task gives its thread back to the other lanes' work (and stops if it was cancelled).
package struct ComputeSlice {
    /// Short enough that a request waiting for a thread waits little (a slice plus its own work),
    /// long enough that the hop back through the queue (a few microseconds) costs nothing.
    package static let length: Duration = .milliseconds(5)

    private var started = ContinuousClock.now

    package init() {}

    /// - Throws: `CancellationError` when the task was cancelled.
    package mutating func yieldIfDue() async throws {
        try Task.checkCancellation()
        guard ContinuousClock.now - started >= Self.length else { return }
        await Task.yield()
        try Task.checkCancellation()
        started = ContinuousClock.now
    }
}
