// DPRWorkspace: the activations a DPR head saves between forward and backward, grown on demand.
import SteerNN

/// Scratch and saved activations for one ``DPRHead`` forward/backward pair.
///
/// A head owns a default workspace; pass your own to run forwards concurrently (one workspace per
/// thread, parameters untouched meanwhile). Buffers grow to the largest batch and prompt length seen
/// and are reused afterwards, so a steady training loop allocates nothing.
///
/// `@unchecked Sendable`: a workspace has no tie to a thread, so it may be handed from one to
/// another (a server's pool does), but only one forward or backward may use it at a time.
public final class DPRWorkspace: @unchecked Sendable {
    /// The configuration this workspace is laid out for.
    public let config: DPRConfig
    var projector: ProjectorActivations
    var towers: [TowerActivations]
    /// Row indices of the batch routed to each tower, from the last forward.
    var routes: [[Int]]
    /// Shape of the last forward: B rows, L memory slots per row (0 before any forward).
    var batch = 0, keys = 0
    /// With a shared-prompt forward: row → distinct prompt, and how many distinct prompts (U).
    var promptOf: [Int32]?
    var distinct = 0

    /// An empty workspace for heads of `config`.
    public init(config: DPRConfig) {
        self.config = config
        projector = ProjectorActivations(rows: 0, config: config)
        towers = (0..<config.towerCount).map { _ in TowerActivations(rows: 0, keys: 0, config: config) }
        routes = Array(repeating: [], count: config.towerCount)
    }

    /// Makes room for `b` rows of `lk` memory slots (reallocating only when something is too small);
    /// the projector's activations only when `projector` (a forward from projected prompts needs none).
    func reserve(batch b: Int, keys lk: Int, projector needed: Bool) {
        if needed { reserveProjector(rows: b * lk) }
        if towers[0].rows < b || towers[0].keys < lk {
            let rows = max(b, towers[0].rows), keys = max(lk, towers[0].keys)
            towers = (0..<config.towerCount).map { _ in TowerActivations(rows: rows, keys: keys, config: config) }
        }
    }

    /// Makes room for `rows` projector rows (a shared-prompt forward projects U·L, not B·L).
    func reserveProjector(rows: Int) {
        if projector.capacity < rows { projector = ProjectorActivations(rows: rows, config: config) }
    }
}
