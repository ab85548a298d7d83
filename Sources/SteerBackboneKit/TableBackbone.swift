// What every Swift backbone whose parameters live in one ParameterTable shares: its config and
// table, restored and saved through BackboneWeights, the training flag and the dropout generator.
import SteerNN

/// A backbone's config as `TableBackbone` reads it: the weights' config plus the two sizes every
/// sequential backbone has.
public protocol SequentialConfig: WeightsConfig {
    /// Items V; ids are 0..<V.
    var nItems: Int { get }
    /// Longest history looked at.
    var maxLen: Int { get }
    /// d: the size of a user vector and of an item embedding.
    var dim: Int { get }
}

extension WeightsConfig {
    /// The config as JSON with snake_case keys, for saving next to the weights.
    public var json: String { "{" + fields.map { "\"\($0.key)\": \($0.json)" }.joined(separator: ", ") + "}" }
}

/// What a Swift backbone shares besides its layers: config, parameters, dropout state and the
/// training step around its `Pass`. A plugin's model subclasses it, adds `name`, `version`, `dim`,
/// its parameters' declaration and initialisation and `encode`, and conforms to ``BackboneModel``.
open class TableBackbone<Pass: BackbonePass> {
    public typealias Config = Pass.Config
    public let config: Config
    /// Every tensor, "item_embedding" (V × d, the table scoring uses) among them.
    public let store: ParameterTable
    /// Whether `forwardTrain` applies dropout.
    public private(set) var training = false
    /// Dropout's masks: the config's seed plus one, so they differ from the initial weights' draws.
    public var rng: RNG
    /// The model's name, for error messages.
    private let model: String
    /// Activations of the last forwardTrain, kept for backward.
    private var saved: Pass?

    /// See ``BackboneWeights/restore(model:configJSON:weights:declare:initialise:)``.
    public init(model: String, configJSON: String, weights: UnsafeRawBufferPointer,
                declare: (Config) -> ParameterTable, initialise: (ParameterTable, Config, inout RNG) -> Void) throws {
        (config, store) = try BackboneWeights.restore(model: model, configJSON: configJSON, weights: weights,
                                                      declare: declare, initialise: initialise)
        rng = RNG(seed: UInt64(config.seed) &+ 1)
        self.model = model
    }

    public var dim: Int { config.dim }
    public var maxLen: Int { config.maxLen }
    public var nItems: Int { config.nItems }
    public var itemEmbeddings: UnsafeMutablePointer<Float> { store.value("item_embedding") }
    public var itemEmbeddingGrad: UnsafeMutablePointer<Float> { store.grad("item_embedding") }
    public var parameters: [NamedParameter] { store.namedParameters }

    public func setTraining(_ training: Bool) { self.training = training }
    public func zeroGrad() { store.zeroGrad() }
    public func save() throws -> [UInt8] { BackboneWeights.encode(config: config.json, table: store) }

    /// `encode`'s histories left-padded, keeping the last `maxLen` items of each.
    /// - Throws: ``BackboneError`` naming the model and the history of an id out of range.
    public func servingRows(_ itemIDs: UnsafeBufferPointer<UInt32>, lengths: UnsafeBufferPointer<UInt32>) throws -> LeftPaddedBatch {
        try LeftPaddedBatch(packed: itemIDs, lengths: lengths, maxTime: config.maxLen, nItems: config.nItems,
                            context: "\(model) encode")
    }

    /// Hidden states for `forward_train`'s left-aligned rows, written left-aligned with padding 0.
    /// - Throws: ``BackboneError`` naming the model for a time outside 1...maxLen, a row longer
    ///   than `time` or an id out of range.
    public func forwardTrain(itemIDs: UnsafeBufferPointer<UInt32>, lengths: UnsafeBufferPointer<UInt32>,
                             batch b: Int, time t: Int, into out: UnsafeMutablePointer<Float>) throws {
        guard t >= 1, t <= config.maxLen else {
            throw BackboneError("\(model) forward_train: time \(t) must be in 1...\(config.maxLen)")
        }
        // A failed forward must not leave stale activations for backward.
        let previous = saved
        saved = nil
        // The ABI's rows are left-aligned; the kernels want them left-padded.
        let rows = try LeftPaddedBatch(aligned: itemIDs, lengths: lengths, batch: b, time: t, nItems: config.nItems,
                                       context: "\(model) forward_train")
        // Reuse the last pass's buffers when the shape repeats (the common case in training).
        let pass = (previous?.fits(batch: b, time: t) ?? false) ? previous! : Pass(config: config, batch: b, time: t, keepForBackward: true)
        pass.setInputs(rows)
        pass.trainingForward(store: store, dropout: training, rng: &rng)
        saved = pass
        LeftPaddedBatch.align(pass.output, into: out, lengths: pass.lengths, batch: b, time: t, channels: config.dim)
    }

    /// Accumulates gradients for dLoss/dHidden of the last `forwardTrain`.
    public func backward(dHidden: UnsafePointer<Float>) throws {
        guard let pass = saved else { throw BackboneError("\(model) backward called before forward_train") }
        pass.backward(store: store, dHiddenLeftAligned: dHidden)
    }
}

/// One forward (and backward) pass of a backbone over a left-padded batch with its activations.
/// It keeps its ids and lengths in its own buffers: backward reads them after the caller's
/// `LeftPaddedBatch` is gone.
public protocol BackbonePass: AnyObject {
    associatedtype Config: SequentialConfig
    /// Buffers for `batch` × `time` positions; without `keepForBackward`, only what a forward needs.
    init(config: Config, batch: Int, time: Int, keepForBackward: Bool)
    var b: Int { get }
    var t: Int { get }
    var ids: UnsafeMutablePointer<Int32> { get }
    var lengths: UnsafeMutablePointer<Int32> { get }
    /// `[B, T, d]`: the hidden state per position, padded rows zero after `trainingForward`.
    var output: UnsafeMutablePointer<Float> { get }
    /// The forward over `ids`/`lengths` that `backward` can follow, with dropout when asked.
    func trainingForward(store: ParameterTable, dropout: Bool, rng: inout RNG)
    /// Accumulates parameter gradients for dLoss/dOutput given in the ABI's left-aligned layout.
    func backward(store: ParameterTable, dHiddenLeftAligned: UnsafePointer<Float>)
}

extension BackbonePass {
    /// Whether the buffers have this shape, so a training step of the same shape can reuse them.
    public func fits(batch: Int, time: Int) -> Bool { batch == b && time == t }

    public func setInputs(_ rows: LeftPaddedBatch) {
        ids.update(from: rows.ids, count: b * t)
        lengths.update(from: rows.lengths, count: b)
    }
}

extension ScratchArena {
    /// `count` Int32 slots (ids or lengths) carved from the float block.
    public func takeInt32(_ count: Int) -> UnsafeMutablePointer<Int32> {
        UnsafeMutableRawPointer(take(count)).bindMemory(to: Int32.self, capacity: count)
    }
}
