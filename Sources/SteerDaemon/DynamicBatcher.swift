// Dynamic batching as Triton's dynamic batcher does it: concurrent requests each submit an item
// and await its result; the items waiting together run as one batch, so BLAS sees matrices.
import Dispatch
import SteerSync
import Synchronization

/// Gathers items submitted concurrently into batches and runs each batch with one call of `work`.
///
/// - Batch formation: a batch is formed when `maxBatchSize` rows of one key are waiting, or when
///   the oldest waiting item has waited `maxQueueDelay`. A delay of zero takes whatever is queued
///   at that moment, so a lone request pays no added latency; under load, items arriving while a
///   batch runs wait and form the next one.
/// - Concurrency: at most `maxConcurrentBatches` batches run at a time (the daemon: one per core,
///   see `RequestBatchers`); the queue is first come, first served.
/// - Keys: a batch holds items of one key only (one backbone instance, one item index and head).
///   The batch is started by the oldest waiting item; waiting items of other keys go to later batches.
/// - Rows: an item may carry several rows (one EncodeHistory request's histories). A batch holds at
///   most `maxBatchSize` rows, except that an item with more rows than that runs alone (never split).
/// - Errors: `work` returns one `Result` per item, in item order; a failing item fails its own caller only.
/// - Cancellation: a waiting item whose task is cancelled leaves the queue at once and its caller
///   gets `CancellationError`; an item already in a running batch finishes with it, so a cancelled
///   caller never holds a batch back nor fails the others.
/// - Execution: the caller whose item starts a batch runs it: `work` runs in that caller's task when
///   no other batch of this batcher is running there (a lone request has no thread hop), else on a
///   Dispatch worker thread while the caller waits. Work is CPU-bound and blocks its thread, and
///   Swift's cooperative pool has one thread per core: were every batch run on the pool, requests
///   could not even reach `submit` while the batches ran, so they would never queue up and batch.
///   When a batch ends, the first item of the next batch is woken to run it. A timer task exists
///   only while a delay is pending.
/// - Off: with `maxBatchSize` 1, `submit` runs `work` on its item at once, concurrently with other
///   callers, exactly as if there were no batcher.
final class DynamicBatcher<Key: Hashable & Sendable, Item: Sendable, Output: Sendable>: Sendable {
    /// Runs one batch: `items` all have `key`; returns one result per item, in order. It runs on
    /// behalf of one of the callers, whose task may be cancelled meanwhile: it must not stop on cancellation.
    typealias Work = @Sendable (_ key: Key, _ items: [Item]) -> [Result<Output, any Error>]

    /// Rows per batch (≥ 1; 1 turns batching off).
    let maxBatchSize: Int
    /// Longest wait of the oldest queued item before a batch that is not full is formed.
    let maxQueueDelay: Duration
    /// Batches that may run at the same time.
    let maxConcurrentBatches: Int
    private let work: Work
    private let state = Locked(State())
    private let nextID = Atomic<UInt64>(0)

    /// - Parameters:
    ///   - maxBatchSize: rows per batch; 1 runs every item on its own at once (batching off).
    ///   - maxQueueDelay: how long the oldest waiting item may wait for others; zero: not at all.
    ///   - maxConcurrentBatches: batches running at a time.
    ///   - work: runs one batch.
    init(maxBatchSize: Int, maxQueueDelay: Duration, maxConcurrentBatches: Int = 1, work: @escaping Work) {
        precondition(maxBatchSize >= 1 && maxConcurrentBatches >= 1 && maxQueueDelay >= .zero, "invalid batcher limits")
        self.maxBatchSize = maxBatchSize
        self.maxQueueDelay = maxQueueDelay
        self.maxConcurrentBatches = maxConcurrentBatches
        self.work = work
    }

    /// Rows waiting for a batch (not counting batches running).
    var queueDepth: Int { state.withLock { $0.queuedRows } }

    /// Batches running now.
    var runningBatches: Int { state.withLock { $0.running } }

    /// Runs `item` alone on the caller's thread, now, as `submit` does with batching off; for a
    /// caller that must not suspend (a request answered on the event loop that read it).
    func runAlone(_ item: Item, key: Key) throws -> Output {
        try Self.only(work(key, [item])).get()
    }

    /// Submits one item and waits for its result.
    ///
    /// - Parameters:
    ///   - item: what `work` gets.
    ///   - key: items of different keys never share a batch.
    ///   - rows: how many rows the item counts for against `maxBatchSize` (≥ 1).
    /// - Throws: `CancellationError` when the calling task is cancelled before the item joins a
    ///   batch; otherwise what `work` gave this item.
    /// - Returns: what `work` gave this item.
    func submit(_ item: Item, key: Key, rows: Int = 1) async throws -> Output {
        precondition(rows >= 1, "an item counts for at least one row")
        guard maxBatchSize > 1 else { return try Self.only(work(key, [item])).get() }
        let id = nextID.add(1, ordering: .relaxed).newValue
        let turn = try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Turn, any Error>) in
                let now = ContinuousClock.now
                let plan = state.withLock { s -> Plan? in
                    // Checked under the lock: a cancellation either comes before this (refused here)
                    // or finds the entry queued (removed by the handler).
                    if Task.isCancelled { return nil }
                    s.enqueue(Entry(id: id, key: key, item: item, rows: rows, enqueued: now, continuation: continuation))
                    return schedule(&s, now: now)
                }
                guard let plan else { return continuation.resume(throwing: CancellationError()) }
                carry(plan)
            }
        } onCancel: {
            state.withLock { $0.remove(id: id) }?.continuation.resume(throwing: CancellationError())
        }
        switch turn {
        case .finished(let result): return try result.get()
        case .lead(let key, let batch, let inline): return try await lead(key, batch, inline: inline).get()
        }
    }

    // MARK: - Internals

    private struct Entry: Sendable {
        let id: UInt64
        let key: Key
        let item: Item
        let rows: Int
        let enqueued: ContinuousClock.Instant
        let continuation: CheckedContinuation<Turn, any Error>
    }

    /// How a waiting caller is woken: with its result, or to run a batch (its own item first),
    /// in its own task or on a worker thread.
    private enum Turn: Sendable {
        case finished(Result<Output, any Error>)
        case lead(Key, [Entry], inline: Bool)
    }

    /// What to do once the lock is released: batches to start, a timer to arm.
    private struct Plan: Sendable {
        var starts: [(key: Key, batch: [Entry], inline: Bool)] = []
        var timer: ContinuousClock.Instant?
    }

    private struct State {
        var queue: [Entry] = []
        var rowsByKey: [Key: Int] = [:]
        var queuedRows = 0
        var running = 0
        /// Whether a running batch runs in its caller's task (on the cooperative pool).
        var inlineRunning = false
        /// When the armed timer fires, if one is armed.
        var timer: ContinuousClock.Instant?

        mutating func enqueue(_ entry: Entry) {
            queue.append(entry)
            rowsByKey[entry.key, default: 0] += entry.rows
            queuedRows += entry.rows
        }

        mutating func remove(id: UInt64) -> Entry? {
            guard let i = queue.firstIndex(where: { $0.id == id }) else { return nil }
            let entry = queue.remove(at: i)
            forget(entry)
            return entry
        }

        private mutating func forget(_ entry: Entry) {
            let left = rowsByKey[entry.key, default: 0] - entry.rows
            rowsByKey[entry.key] = left > 0 ? left : nil
            queuedRows -= entry.rows
        }

        /// Takes the oldest entries of `key`, in order, while they fit in `maxRows` (the first always).
        mutating func take(key: Key, maxRows: Int) -> [Entry] {
            var batch: [Entry] = [], kept: [Entry] = [], rows = 0, full = false
            kept.reserveCapacity(queue.count)
            for entry in queue {
                if entry.key == key, !full, batch.isEmpty || rows + entry.rows <= maxRows {
                    batch.append(entry)
                    rows += entry.rows
                } else {
                    if entry.key == key { full = true }   // first come, first served: no overtaking within a key
                    kept.append(entry)
                }
            }
            queue = kept
            for entry in batch { forget(entry) }
            return batch
        }
    }

    /// Starts what may start now; arms the timer for the oldest entry when it must wait.
    private func schedule(_ s: inout State, now: ContinuousClock.Instant) -> Plan {
        var plan = Plan()
        while s.running < maxConcurrentBatches, let head = s.queue.first {
            let due = head.enqueued + maxQueueDelay
            guard s.rowsByKey[head.key, default: 0] >= maxBatchSize || now >= due else {
                if s.timer.map({ $0 > due }) ?? true {
                    s.timer = due
                    plan.timer = due
                }
                break
            }
            s.running += 1
            let inline = !s.inlineRunning
            if inline { s.inlineRunning = true }
            plan.starts.append((head.key, s.take(key: head.key, maxRows: maxBatchSize), inline))
        }
        return plan
    }

    /// Wakes each batch's first caller to run it; arms the timer.
    private func carry(_ plan: Plan) {
        for start in plan.starts { start.batch[0].continuation.resume(returning: .lead(start.key, start.batch, inline: start.inline)) }
        if let due = plan.timer {
            Task { [self] in
                try? await Task.sleep(until: due, clock: .continuous)
                let plan = state.withLock { s in
                    if s.timer == due { s.timer = nil }
                    return schedule(&s, now: .now)
                }
                carry(plan)
            }
        }
    }

    /// Runs `batch` (whose first entry is the caller's), in this task or on a worker thread, hands
    /// the others their results, starts the next batch, and returns the caller's own result.
    private func lead(_ key: Key, _ batch: [Entry], inline: Bool) async -> Result<Output, any Error> {
        let items = batch.map(\.item), work = self.work
        var results = if inline {
            work(key, items)
        } else {
            await withCheckedContinuation { (done: CheckedContinuation<[Result<Output, any Error>], Never>) in
                Self.workers.async { done.resume(returning: work(key, items)) }
            }
        }
        if results.count != batch.count {
            results = Array(repeating: .failure(BatchingError(expected: batch.count, got: results.count)), count: batch.count)
        }
        let plan = state.withLock { s in
            s.running -= 1
            if inline { s.inlineRunning = false }
            return schedule(&s, now: .now)
        }
        carry(plan)
        for (entry, result) in zip(batch, results).dropFirst() { entry.continuation.resume(returning: .finished(result)) }
        return results[0]
    }

    /// Where batches that do not run in their caller's task run.
    private static var workers: DispatchQueue { DispatchQueue.global(qos: .userInitiated) }

    private static func only(_ results: [Result<Output, any Error>]) -> Result<Output, any Error> {
        results.count == 1 ? results[0] : .failure(BatchingError(expected: 1, got: results.count))
    }
}

/// A batch's work returned a number of results other than its number of items (a bug in the work).
struct BatchingError: Error, CustomStringConvertible {
    var expected: Int
    var got: Int
    var description: String { "a batch of \(expected) items produced \(got) results" }
}
