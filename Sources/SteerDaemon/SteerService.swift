// The daemon's state (item index, backbones) and the dispatch from method to RPC handler.
import Foundation
import Logging
import SteerDPR
import SteerIndex
import SteerPlugins
import SteerPrompt
import SteerSnapshot
import SteerSync
import SteerText
import SteerTransport
import SteerWire

/// Everything the RPCs read and change, safe to use from many requests at once.
///
/// The item index and the active backbone are swapped whole under a lock; a request takes a
/// reference at its start and finishes on that version even if a newer one is loaded meanwhile.
public final class SteerService: RPCService {
    public static let version = "0.1.0"

    let configuration: DaemonConfiguration
    let logger: Logger
    /// The largest response this daemon sends; requests whose answer is known to exceed it are refused before any work.
    public let responseBudget: ResponseBudget
    let startedAt = ContinuousClock.now
    let plugins: PluginHost
    let snapshots: SnapshotDirectory
    private let currentIndex = Locked<ItemIndex?>(nil)
    let backbones = Locked(LoadedBackbones())
    private let monitors = Locked<(stats: DaemonStats, gauge: InFlightGauge)?>(nil)
    /// The sentence encoder, cache and router; nil when no encoder could be loaded.
    let prompts: PromptServices?
    /// Why `prompts` is nil, for error messages.
    let promptProblem: String?
    /// Dynamic batching of history encoding, prompt embedding and Recommend's fusion and retrieval.
    let batchers: RequestBatchers

    /// Backbones loaded so far, by name, and which one EncodeHistory uses.
    struct LoadedBackbones {
        var byName: [String: Backbone] = [:]
        var active: String?
        /// DPR heads that came in a backbone's checkpoint, by backbone name.
        var heads: [String: DPRHead] = [:]
        /// Each head's prepared prompts, by backbone name (new with every install of a head).
        var prepared: [String: PreparedPrompts] = [:]
        /// Bumped by every install, so cached user vectors of an older model are never served.
        var generation: UInt64 = 0
    }

    /// What one Fuse or Recommend request works with from start to finish, whatever is loaded meanwhile.
    struct ServingModel {
        var backbone: Backbone?
        var head: DPRHead?
        /// Prompts already routed and projected for `head`.
        var prepared: PreparedPrompts?
        var index: ItemIndex?
        var generation: UInt64 = 0
    }

    /// The checkpoint each loaded backbone came from (nil: the plugin's initial weights), by
    /// backbone name, so SaveSnapshot can write the served model back out.
    let checkpoints = Locked<[String: Snapshot?]>([:])

    /// User vectors by (model generation, history): a user who re-asks with another prompt, the
    /// point of a promptable recommender, skips the backbone. 16 MiB ≈ 50,000 vectors of d = 64.
    let userVectors = LRUCache<UserVectorKey, [Float]>(capacity: 16 << 20, cost: UserVectorKey.cost)
    /// The mentions of the catalogue last served with `drop_refused_categories` (built once per
    /// catalogue: building reads every name's forms) and the categories each part text named
    /// as a refusal or a request (a prompt asked again is not read again); see `namedCategories`.
    let categoryMentions = Locked<(mentions: CategoryMentions, named: [NamedPart: [Int]])?>(nil)
    /// A part text and whether it is a refusal: what `CategoryMentions` counts of it depends on both.
    struct NamedPart: Hashable { let text: String; let refusal: Bool }
    /// Part texts whose categories are kept; past this the memo starts over.
    static let maxNamedTexts = 4_096
    /// Recommend's prepared-prompt lookups (see `PreparedPrompts`).
    let preparedPromptCounts = PreparedPromptCounts()
    /// Histories longer than this are encoded every time (their key would cost more than it saves).
    static let maxCachedHistory = 1_000

    /// - Throws: when the configured index snapshot or router file cannot be loaded (steerd
    ///   refuses to start half-configured rather than serve without what it was asked for).
    public init(configuration: DaemonConfiguration, logger: Logger) throws {
        self.configuration = configuration
        self.logger = logger
        self.responseBudget = ResponseBudget(maxBytes: configuration.responseSizeLimit)
        self.plugins = PluginHost(directory: configuration.pluginDirectory)
        self.snapshots = SnapshotDirectory(path: configuration.snapshotDirectory)
        let batching = BatchLimits(maxBatchSize: configuration.maxBatchSize, maxQueueDelay: .microseconds(configuration.maxQueueDelayMicros))
        let metrics = BatchMetrics()
        if let directory = configuration.encoderDirectory {
            do {
                let encoder = try SentenceEncoders.load(directory: URL(fileURLWithPath: directory), precision: configuration.encoderPrecision)
                let router = try Self.namedRouter(configuration.routerFile, for: encoder, precision: configuration.encoderPrecision,
                                                  encoderDirectory: URL(fileURLWithPath: directory))
                let memory = try configuration.promptMemoryTexts.map { texts in
                    let started = ContinuousClock.now
                    logger.info("loading the prompt memory before listening", metadata: ["wordings": "\(texts.count)"])
                    let memory = try PromptMemoryStore.memory(texts: texts, encoder: encoder, precision: configuration.encoderPrecision,
                                                              directory: configuration.promptMemoryCacheDirectory, logger: logger)
                    logger.info("prompt memory ready", metadata: ["wordings": "\(memory.texts.count)", "seconds": "\(started.duration(to: .now))"])
                    return memory
                }
                prompts = PromptServices(encoder: encoder, router: router, memory: memory,
                                         cacheBytes: configuration.promptCacheBytes, batching: batching, metrics: metrics, logger: logger)
                promptProblem = nil
                logger.info("sentence encoder loaded", metadata: ["name": "\(encoder.name)", "dim": "\(encoder.dimension)",
                                                                   "kernels": "\(encoder.kernelDescription)"])
            } catch {
                guard !configuration.encoderRequired, !(error is RouterFileError) else { throw error }
                prompts = nil
                promptProblem = "the encoder at \(directory) did not load (\(error)); run `make setup` or pass --encoder DIR"
                logger.warning("EmbedPrompt and Route unavailable", metadata: ["reason": "\(promptProblem!)"])
            }
        } else {
            prompts = nil
            promptProblem = "no --encoder directory was configured"
        }
        batchers = RequestBatchers(batching: batching, metrics: metrics)
        if let path = configuration.indexSnapshotPath {
            let index = try ItemIndex.load(contentsOf: path)
            currentIndex.withLock { $0 = index }
            logger.info("item index loaded", metadata: ["path": "\(path)", "items": "\(index.count)", "dim": "\(index.dimension)"])
        }
        snapshots.removeInterruptedSaves(logger: logger)
        if let name = configuration.stateSnapshotName {
            // The folder's rules apply: no link, no FIFO; a corrupt file is DATA_LOSS naming it.
            _ = try restore(try snapshots.read(named: name, role: "state snapshot"), label: name)
        }
    }

    func attach(stats: DaemonStats, gauge: InFlightGauge) {
        monitors.withLock { $0 = (stats, gauge) }
        batchers.metrics.attach(stats)
    }

    /// The item index requests should use now, if one is loaded.
    public var index: ItemIndex? { currentIndex.withLock { $0 } }

    func replaceIndex(_ index: ItemIndex) { currentIndex.withLock { $0 = index } }

    /// The active backbone, its head and the item index, read together.
    ///
    /// LoadBackbone swaps a backbone and the index of its checkpoint while holding the backbones
    /// lock, so reading the index under that lock never pairs a new backbone with an old index
    /// (lock order: backbones, then index; nothing takes them the other way round).
    func servingModel() -> ServingModel {
        backbones.withLock { state in
            let name = state.active
            return ServingModel(backbone: name.flatMap { state.byName[$0] }, head: name.flatMap { state.heads[$0] },
                                prepared: name.flatMap { state.prepared[$0] }, index: currentIndex.withLock { $0 },
                                generation: state.generation)
        }
    }

    /// Makes `backbone` active with `head` (nil: not promptable) and, when given, `index` as the item index, in one step.
    func install(_ backbone: Backbone, head: DPRHead?, index: ItemIndex?) {
        backbones.withLock { state in
            state.byName[backbone.info.name] = backbone
            state.heads[backbone.info.name] = head
            state.prepared[backbone.info.name] = head.map { _ in PreparedPrompts() }
            state.active = backbone.info.name
            state.generation += 1
            if let index { currentIndex.withLock { $0 = index } }
        }
    }

    /// Runs one RPC: decodes its request, does the work, encodes its response.
    /// - Throws: `RPCError` with the status to answer.
    public func serve(_ method: Method, payload: [UInt8]) async throws -> [UInt8] {
        switch method {
        case .health: return try health(HealthRequest(decoding: payload)).encoded()
        case .retrieve: return try admitAndRetrieve(RetrieveRequest(decoding: payload)).encoded()
        case .encodeHistory: return try await encodeHistory(EncodeHistoryRequest(decoding: payload)).encoded()
        case .listBackbones: return try listBackbones(ListBackbonesRequest(decoding: payload)).encoded()
        case .loadBackbone: return try loadBackbone(LoadBackboneRequest(decoding: payload)).encoded()
        case .saveSnapshot: return try saveSnapshot(SaveSnapshotRequest(decoding: payload)).encoded()
        case .loadSnapshot: return try loadSnapshot(LoadSnapshotRequest(decoding: payload)).encoded()
        case .stats: return try stats(StatsRequest(decoding: payload)).encoded()
        case .embedPrompt: return try await embedPrompt(EmbedPromptRequest(decoding: payload)).encoded()
        case .route: return try await route(RouteRequest(decoding: payload)).encoded()
        case .fuse:
            let request = try FuseRequest(decoding: payload)
            // Fuse answers one `dim`-wide row per polarity (its handler checks `dim` against the head).
            try admitResponse {
                try $0.admit(payloadBytes: ResponseBudget.floatRowsBytes(rows: request.polarities.count, dim: Int(request.dim)),
                             "Fuse of \(request.polarities.count) rows of dim \(request.dim)", advice: "send fewer rows per request")
            }
            return try await fuse(request).encoded()
        case .recommend: return try await recommend(RecommendRequest(decoding: payload)).encoded()
        }
    }

    /// Runs a response-size check, counting a refusal in the metrics.
    func admitResponse(_ check: (ResponseBudget) throws -> Void) throws {
        do {
            try check(responseBudget)
        } catch let error as RPCError where error.status == .resourceExhausted {
            monitors.withLock { $0 }?.stats.recordOversizedResponse()
            throw error
        }
    }

    func stats(_ request: StatsRequest) throws -> StatsResponse {
        guard let (stats, gauge) = monitors.withLock({ $0 }) else {
            throw RPCError(.unavailable, "statistics are not attached to this service")
        }
        var response = StatsResponse()
        let totals = stats.totals
        response.requestsTotal = totals.requests
        response.errorsTotal = totals.errors
        response.connections = UInt32(max(0, totals.connections))
        response.inFlight = UInt32(max(0, gauge.count))
        if let cache = prompts?.cache.stats {
            stats.mirror(counter: "steer_prompt_cache_hits_total", to: cache.hits)
            stats.mirror(counter: "steer_prompt_cache_misses_total", to: cache.misses)
            stats.mirror(counter: "steer_prompt_cache_evictions_total", to: cache.evictions)
            stats.set(gauge: "steer_prompt_cache_bytes", to: cache.cost)
        }
        if let readings = prompts?.readings.stats {
            stats.mirror(counter: "steer_prompt_reading_hits_total", to: readings.hits)
            stats.mirror(counter: "steer_prompt_reading_misses_total", to: readings.misses)
        }
        let prepared = preparedPromptCounts.values
        stats.mirror(counter: "steer_prepared_prompt_hits_total", to: prepared.hits)
        stats.mirror(counter: "steer_prepared_prompt_misses_total", to: prepared.misses)
        let users = userVectors.stats
        stats.mirror(counter: "steer_user_vector_cache_hits_total", to: users.hits)
        stats.mirror(counter: "steer_user_vector_cache_misses_total", to: users.misses)
        for (kind, rows) in batchers.queueDepths { stats.setBatchQueueDepth(kind, rows: rows) }
        if let prompts { stats.setBatchQueueDepth("prompt_embedding", rows: prompts.batcher.queueDepth) }
        response.prometheusText = stats.prometheusText(inFlight: gauge.count)
        return response
    }
}

extension SteerService {
    /// A router file named in the configuration, loaded and checked against `encoder`; nil when none is named.
    /// A fine-tuned router's own encoder runs at `precision`, the serving encoder's; one shipped as
    /// adapters adds them to the serving encoder's folder, `encoderDirectory`.
    /// - Throws: `RouterFileError` when it does not load or was trained for another encoder.
    static func namedRouter(_ path: String?, for encoder: any SentenceEncoder, precision: EncoderPrecision,
                            encoderDirectory: URL? = nil) throws -> PromptRouter? {
        guard let path else { return nil }
        let router: PromptRouter
        do { router = try PromptRouter.load(named: path, encoderPrecision: precision, baseEncoder: encoderDirectory) } catch {
            throw RouterFileError(description: "the router file \(path) did not load: \(error)")
        }
        if let mismatch = router.mismatch(with: encoder) { throw RouterFileError(description: "the router file \(path) was \(mismatch)") }
        return router
    }
}

/// A router file named at start that cannot serve: steerd does not start.
struct RouterFileError: Error, CustomStringConvertible {
    let description: String
}
