// What a backbone written in Swift implements; SteerBackboneKit turns it into the C ABI table.
import CSequentialEncoder

/// One trainable tensor owned by a model: `count` values and as many gradients.
public struct NamedParameter {
    public let name: String
    public let value: UnsafeMutablePointer<Float>
    public let grad: UnsafeMutablePointer<Float>
    public let count: Int
    /// Whether AdamW's weight decay applies (not to biases, layer norms or embeddings by default).
    public let decays: Bool

    public init(name: String, value: UnsafeMutablePointer<Float>, grad: UnsafeMutablePointer<Float>, count: Int, decays: Bool) {
        self.name = name
        self.value = value
        self.grad = grad
        self.count = count
        self.decays = decays
    }
}

/// An error a backbone reports through the ABI (`SteerSEError`).
public struct BackboneError: Error, CustomStringConvertible {
    public var code: SteerSEErrorCode
    public var message: String

    public init(_ message: String, code: SteerSEErrorCode = STEER_SE_ERROR_INVALID_ARGUMENT) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}

/// A sequential recommender backbone served and trained through the SequentialEncoder ABI.
///
/// Shapes follow the ABI header: item ids `0..<nItems`; `encode` takes histories back to
/// back with their lengths; training rows are left-aligned (row b holds `lengths[b]` ids at
/// positions `0..<lengths[b]`, the rest is padding).
public protocol BackboneModel: AnyObject {
    /// Short name, e.g. "SASRec"; must match the plugin file `libSteerBackbone<name>.so`.
    static var name: String { get }
    static var version: String { get }

    /// Builds a model from a JSON config ("" for defaults) and weights (empty: fresh
    /// initialisation from the config; otherwise what `save` produced).
    init(configJSON: String, weights: UnsafeRawBufferPointer) throws

    var dim: Int { get }
    var maxLen: Int { get }
    var nItems: Int { get }

    /// `B × d` user vectors for `B` histories (ids checked by the caller of the ABI and again here).
    func encode(itemIDs: UnsafeBufferPointer<UInt32>, lengths: UnsafeBufferPointer<UInt32>,
                into out: UnsafeMutableBufferPointer<Float>) throws

    /// `V × d`, the table scoring uses.
    var itemEmbeddings: UnsafeMutablePointer<Float> { get }
    var itemEmbeddingGrad: UnsafeMutablePointer<Float> { get }

    func setTraining(_ training: Bool)
    /// Hidden states `B × T × d` for left-aligned rows; padded positions written as 0.
    func forwardTrain(itemIDs: UnsafeBufferPointer<UInt32>, lengths: UnsafeBufferPointer<UInt32>,
                      batch: Int, time: Int, into out: UnsafeMutablePointer<Float>) throws
    /// Accumulates gradients given dLoss/dHidden of the last `forwardTrain`.
    func backward(dHidden: UnsafePointer<Float>) throws
    var parameters: [NamedParameter] { get }
    func zeroGrad()
    /// Config and weights in the form `init(configJSON:weights:)` accepts as weights.
    func save() throws -> [UInt8]
}
