// Prompts ready for a head: the router's decision and the projector's output, kept per prompt text.
import SteerDPR
import SteerPrompt
import SteerSync
import Synchronization

/// One prompt as Recommend needs it after the encoder: its route and its projected token states.
///
/// Everything here follows from the prompt text, the encoder, the router and the head, none of
/// which change while a head is served, so a repeated prompt skips the token-state lookup (and
/// its Unicode normalisation), the router's cue features and the projector, which is most of a
/// head pass (the projector maps every token through an E × P and a P × d matrix; the tower
/// then works on one user row).
struct PreparedPrompt: Sendable {
    /// The router's decision, or nil when no router is loaded.
    let route: (polarity: PromptPolarity, confidence: Float)?
    /// `Projector(token states)`: [tokens, d] (one row for a pooled head).
    let projected: [Float]
    let tokens: Int
    /// With a prompt memory: the nearest training wordings, prepared, each with its weight; as a
    /// request the prompt is steered together with them (`PromptMemory`). Empty without a memory.
    let neighbours: [Neighbour]

    /// A training wording near the prompt, as the towers take it.
    struct Neighbour: Sendable {
        let projected: [Float]
        let tokens: Int
        let weight: Float
    }

    init(route: (polarity: PromptPolarity, confidence: Float)?, projected: [Float], tokens: Int, neighbours: [Neighbour] = []) {
        self.route = route
        self.projected = projected
        self.tokens = tokens
        self.neighbours = neighbours
    }
}

/// The prepared prompts of one served head, by exact prompt text (LRU, bounded in bytes).
///
/// Each installed model gets its own (see `SteerService.ServingModel`), so a swapped head never
/// sees another head's projections. A text that normalises like a cached one but differs still
/// finds its token states in the prompt cache; it is only prepared once more.
final class PreparedPrompts: Sendable {
    /// 8 MiB: about 2,000 prompts of 12 tokens with d = 64.
    static let capacityBytes = 8 << 20
    private let cache = LRUCache<String, PreparedPrompt>(capacity: capacityBytes) { text, prepared in
        4 * (prepared.projected.count + prepared.neighbours.reduce(0) { $0 + $1.projected.count }) + text.utf8.count + 128
    }

    /// Prompt-memory wordings prepared as neighbours (without neighbours of their own), apart from
    /// the prompts: a request worded exactly like a training wording is still mixed with its own.
    /// 4 MiB: about 1,000 wordings.
    private let wordings = LRUCache<String, PreparedPrompt>(capacity: 4 << 20) { text, prepared in
        4 * prepared.projected.count + text.utf8.count + 128
    }

    func get(_ text: String) -> PreparedPrompt? { cache.get(text) }

    func put(_ text: String, _ prepared: PreparedPrompt) { cache.put(text, prepared) }

    func wording(_ text: String) -> PreparedPrompt? { wordings.get(text) }

    func putWording(_ text: String, _ prepared: PreparedPrompt) { wordings.put(text, prepared) }

    var stats: LRUCacheStats { cache.stats }
}

/// How often Recommend found its prompt prepared, across every head served (the prepared caches
/// themselves are replaced with each head, these counts are not).
final class PreparedPromptCounts: Sendable {
    private let hits = Atomic<UInt64>(0)
    private let misses = Atomic<UInt64>(0)

    func hit() { hits.add(1, ordering: .relaxed) }
    func miss() { misses.add(1, ordering: .relaxed) }

    var values: (hits: UInt64, misses: UInt64) { (hits.load(ordering: .relaxed), misses.load(ordering: .relaxed)) }
}
