// Where steerd's heavy RPCs run: threads of their own, so light ones (Health, Stats) never wait behind them.
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A task executor for CPU-bound request work (encoders, backbones, the head, retrieval, snapshots):
/// one thread per core, taking jobs in arrival order.
///
/// Swift's default executor also has one thread per core, and a request that embeds 256 prompts
/// keeps its thread busy for seconds without an `await`. With every such thread busy, a Health
/// or Stats request waited until one came free: measured in a debug build, 259 s behind a heavy
/// request per core plus one. Work preferring this executor runs on these threads instead, which
/// the kernel time-slices with the default executor's and the event loops', so liveness and
/// readiness probes stay answered under any load.
///
/// The pool has a fixed width on purpose: a concurrent DispatchQueue was tried first, and
/// libdispatch adds worker threads when its jobs run long, so a burst of heavy requests became
/// dozens of runnable threads on two cores and starved the event loops (a 300 ms deadline
/// answered after 6.6 s).
final class ComputeExecutor: TaskExecutor, @unchecked Sendable {
    /// The process's pool, shared by every daemon in it (tests start many).
    static let shared = ComputeExecutor(threads: ProcessInfo.processInfo.activeProcessorCount)

    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let ready = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    /// Jobs waiting, oldest at `next` (guarded by `mutex`).
    private var jobs: [UnownedJob] = []
    private var next = 0

    private init(threads: Int) {
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(ready, nil)
        for i in 0..<max(1, threads) {
            let thread = Thread { [unowned self] in self.work() }
            thread.name = "steerd-compute-\(i)"
            thread.start()
        }
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        pthread_mutex_lock(mutex)
        jobs.append(job)
        pthread_cond_signal(ready)
        pthread_mutex_unlock(mutex)
    }

    /// A pool thread: runs jobs for the life of the process.
    private func work() {
        let executor = asUnownedTaskExecutor()
        while true {
            pthread_mutex_lock(mutex)
            while next == jobs.count { pthread_cond_wait(ready, mutex) }
            let job = jobs[next]
            next += 1
            if next == jobs.count || next >= 1_024 {   // drop what was taken, now and then
                jobs.removeFirst(next)
                next = 0
            }
            pthread_mutex_unlock(mutex)
            job.runSynchronously(on: executor)
        }
    }
}
