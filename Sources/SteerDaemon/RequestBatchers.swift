// The daemon's dynamic batchers: history encoding (EncodeHistory and Recommend's cache misses),
// prompt embedding (EmbedPrompt's cache misses) and ranking (Recommend's fusion and retrieval).
import Foundation
import SteerDPR
import SteerIndex
import SteerPlugins
import SteerPrompt
import SteerSync
import SteerTransport
import SteerWire

/// Where batch sizes go: the daemon's stats once attached (a service can exist without them).
final class BatchMetrics: Sendable {
    private let stats = Locked<DaemonStats?>(nil)

    func attach(_ stats: DaemonStats) { self.stats.withLock { $0 = stats } }

    /// One computation of `kind` ran over `rows` rows.
    func record(_ kind: String, rows: Int) { stats.withLock { $0 }?.recordBatch(kind, rows: rows) }
}

/// The configuration's batching limits, shared by every batcher of a service.
struct BatchLimits: Sendable {
    let maxBatchSize: Int
    let maxQueueDelay: Duration

    /// A batcher with these limits, running up to `RequestBatchers.concurrentBatches` batches at once.
    func batcher<Key, Item, Output>(_ work: @escaping DynamicBatcher<Key, Item, Output>.Work) -> DynamicBatcher<Key, Item, Output> {
        DynamicBatcher(maxBatchSize: maxBatchSize, maxQueueDelay: maxQueueDelay,
                       maxConcurrentBatches: RequestBatchers.concurrentBatches, work: work)
    }
}

/// One request's histories for one backbone instance (a batch never mixes two: the key is the instance).
struct HistoryJob: Sendable {
    let backbone: Backbone
    let histories: [[UInt32]]
}

/// Head workspaces for ranking batches, reused: a workspace is some forty buffers, too many to
/// allocate and zero for every request. A batch takes one for its head pass and gives it back.
final class WorkspacePool: Sendable {
    /// Kept at most; more only while more batches run at once.
    static let capacity = 8
    private let idle = Locked<[DPRWorkspace]>([])

    /// An idle workspace for heads of `config`, or a new one.
    func take(for config: DPRConfig) -> DPRWorkspace {
        idle.withLock { list in
            guard let i = list.lastIndex(where: { $0.config == config }) else { return nil }
            return list.remove(at: i)
        } ?? DPRWorkspace(config: config)
    }

    func give(back workspace: DPRWorkspace) {
        idle.withLock { list in
            if list.count == Self.capacity { list.removeFirst() }
            list.append(workspace)
        }
    }
}

/// One Recommend after its user vector and prompt are known: fuse through each step, then rank.
struct RankJob: Sendable {
    /// A prompt as the head's towers take it: its projected token states [tokens, d] (for a
    /// pooled head, the projected embedding: tokens = 1), see `PreparedPrompt`.
    struct Steering: Sendable {
        let projected: [Float]
        let tokens: Int
        let polarity: PromptPolarity
        /// A request's nearest training wordings (`PromptMemory`): the step's vector is its own
        /// steered vector mixed with theirs. Empty for a refusal and without a memory.
        var neighbours: [PreparedPrompt.Neighbour] = []
    }
    let index: ItemIndex
    /// Non-nil whenever `steps` is not empty.
    let head: DPRHead?
    let user: [Float]
    /// The applied prompt parts in the steering order (the refusals on both sides of the requests; a refusal is
    /// a step twice): z₁ = Tower(user, step₁), z₂ = Tower(z₁, step₂), …; empty: unsteered.
    let steps: [Steering]
    let exclude: [UInt32]
    /// Categories whose items are left out (Recommend's `drop_refused_categories`).
    var excludeCategories: [UInt32] = []
    let k: Int
}

/// A ranking batch shares one item index and one head (either may be swapped between requests).
struct RankKey: Hashable, Sendable {
    let index: ObjectIdentifier
    let head: ObjectIdentifier?
}

/// The batchers of one service, with the limits of its configuration.
///
/// Up to one batch per core runs at a time per batcher (at most 8): a batch runs on one thread
/// (OpenBLAS is single-threaded by default). With one batch at a time, a stage used one core only:
/// measured with SASRec and distinct 200-item histories on 8 connections, that made EncodeHistory
/// slower than no batching (about 520 against 590 requests/s on two cores). With one per core,
/// requests first take the idle cores and the overflow, arriving while every core is busy, forms
/// the next batches (see `DynamicBatcher` on where batches run).
final class RequestBatchers: Sendable {
    static let concurrentBatches = max(1, min(8, ProcessInfo.processInfo.activeProcessorCount))

    let histories: DynamicBatcher<ObjectIdentifier, HistoryJob, [Float]>
    let ranking: DynamicBatcher<RankKey, RankJob, [ScoredItem]>
    let metrics: BatchMetrics
    /// Head workspaces, shared by the ranking batches and Recommend's answers without a batcher.
    let workspaces = WorkspacePool()

    init(batching: BatchLimits, metrics: BatchMetrics) {
        self.metrics = metrics
        let workspaces = self.workspaces
        histories = batching.batcher { _, jobs in Self.encode(jobs, metrics: metrics) }
        ranking = batching.batcher { _, jobs in Self.rank(jobs, metrics: metrics, workspaces: workspaces) }
    }

    /// Rows waiting in each batcher, by the batcher's kind (the `steer_batch_queue_depth` gauge;
    /// the prompt batcher lives in `PromptServices`).
    var queueDepths: [(kind: String, rows: Int)] {
        [("history_encoding", histories.queueDepth), ("ranking", ranking.queueDepth)]
    }

    /// One `encode` call over every job's histories. A job with an id out of range is answered on
    /// its own (the host refuses it before the plugin runs, naming the history by its place in
    /// that job), and if the joint call fails every job is retried alone, so an error reaches
    /// only the request that caused it.
    static func encode(_ jobs: [HistoryJob], metrics: BatchMetrics) -> [Result<[Float], any Error>] {
        let backbone = jobs[0].backbone
        func alone(_ job: HistoryJob) -> Result<[Float], any Error> {
            Result {
                let vectors = try backbone.encode(histories: job.histories)
                metrics.record("history_encoding", rows: job.histories.count)
                return vectors
            }
        }
        let nItems = UInt32(backbone.info.nItems)
        let joint = jobs.indices.filter { jobs[$0].histories.allSatisfy { $0.allSatisfy { $0 < nItems } } }
        guard joint.count > 1 else { return jobs.map(alone) }
        var results = jobs.map { job -> Result<[Float], any Error>? in nil }
        let all = joint.flatMap { jobs[$0].histories }
        do {
            let vectors = try backbone.encode(histories: all)
            metrics.record("history_encoding", rows: all.count)
            let d = backbone.info.dim
            var row = 0
            for j in joint {
                let n = jobs[j].histories.count
                results[j] = .success(Array(vectors[(row * d)..<((row + n) * d)]))
                row += n
            }
        } catch {
            for j in joint { results[j] = alone(jobs[j]) }
        }
        return jobs.indices.map { results[$0] ?? alone(jobs[$0]) }
    }

    /// One head pass per step over the jobs with that many steps (both polarities: the head routes
    /// rows to their towers), each job's rows from where its previous step left them; then each
    /// job's top-K. A job of one step is fused exactly as alone in the first pass.
    static func rank(_ jobs: [RankJob], metrics: BatchMetrics, workspaces: WorkspacePool) -> [Result<[ScoredItem], any Error>] {
        let index = jobs[0].index, d = index.dimension
        var results = jobs.map { _ -> Result<[ScoredItem], any Error>? in nil }
        var queries = jobs.map(\.user)
        for step in 0..<(jobs.map(\.steps.count).max() ?? 0) {
            let steered = jobs.indices.filter { jobs[$0].steps.count > step && results[$0] == nil }
            guard let first = steered.first, let head = jobs[first].head else { continue }
            let rows = steered.count
            var user = [Float](repeating: 0, count: rows * d)
            for (r, j) in steered.enumerated() { user.replaceSubrange((r * d)..<((r + 1) * d), with: queries[j]) }
            let prompts = steered.map { DPRHead.PromptRows(values: jobs[$0].steps[step].projected, rows: jobs[$0].steps[step].tokens) }
            var fused = [Float](repeating: 0, count: rows * d)
            let workspace = workspaces.take(for: head.config)
            fused.withUnsafeMutableBufferPointer { out in
                head.fuse(users: user, projected: prompts, polarities: steered.map { jobs[$0].steps[step].polarity },
                          workspace: workspace, into: out.baseAddress!)
            }
            // Requests with neighbours: every row's neighbours in one more pass, each from the row's
            // vector before this step, then each row mixed with its own.
            let pairs = steered.indices.flatMap { r in
                jobs[steered[r]].steps[step].neighbours.map { (row: r, weight: $0.weight, prompt: DPRHead.PromptRows(values: $0.projected, rows: $0.tokens)) }
            }
            PromptMemory.mixRows(&fused, from: user, dim: d, pairs: pairs) {
                head.requested(users: $0, prompts: $1, projected: true, workspace: workspace)
            }
            workspaces.give(back: workspace)
            metrics.record("prompt_fusion", rows: rows)
            for (r, j) in steered.enumerated() {
                let z = Array(fused[(r * d)..<((r + 1) * d)])
                if z.allSatisfy(\.isFinite) {
                    queries[j] = z
                } else {
                    results[j] = .failure(RPCError(.internal, "the DPR head produced a non-finite vector"))
                }
            }
        }
        // Each query is ranked on its own (sgemv), not in one sgemm: sgemm rounds the sums differently
        // from the single-query sgemv of Retrieve and of an unbatched Recommend (every row differs in
        // the last bits), and an answer must not depend on which requests it happened to meet.
        for j in jobs.indices where results[j] == nil {
            results[j] = Result { try index.retrieve(RetrievalQuery(vector: queries[j], excludeItems: jobs[j].exclude,
                                                                       excludeCategories: jobs[j].excludeCategories), k: jobs[j].k) }
                .mapError { error in (error as? ItemIndexError).map { RPCError(.internal, "ranking the items failed: \($0)") } ?? error }
        }
        metrics.record("ranking", rows: jobs.count)   // requests per ranking batch (their top-Ks are one sgemv each)
        return results.map { $0! }
    }
}
