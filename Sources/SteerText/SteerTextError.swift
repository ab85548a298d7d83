// The one error type of SteerText: every way a vocabulary, a weights file or a model folder is refused.

/// Why a tokenizer, a safetensors file or a sentence encoder could not be loaded.
///
/// A public struct wrapping a private enum (the swift-nio pattern), so new failure modes can be
/// added without breaking callers. Match on ``code``; read ``description`` for the details
/// (file, tensor name, offsets, shapes).
public struct SteerTextError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The kind of failure, stable for matching (`error.code == .malformedSafetensors`).
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        fileprivate let name: String
        public var description: String { name }

        /// A file could not be opened, read or mapped.
        public static let io = Code(name: "io")
        /// `vocab.txt` is empty, has duplicate or empty tokens, or lacks a special token.
        public static let malformedVocabulary = Code(name: "malformedVocabulary")
        /// A safetensors file's header or data layout is invalid.
        public static let malformedSafetensors = Code(name: "malformedSafetensors")
        /// The model needs a tensor the weights file does not hold.
        public static let missingTensor = Code(name: "missingTensor")
        /// A tensor has a shape or element type the model cannot use.
        public static let tensorMismatch = Code(name: "tensorMismatch")
        /// A JSON configuration file is missing, unreadable or describes an unsupported model.
        public static let malformedConfig = Code(name: "malformedConfig")
    }

    private enum Base: Equatable, Sendable {
        case io(path: String, reason: String)
        case malformedVocabulary(path: String, reason: String)
        case malformedSafetensors(path: String, tensor: String?, reason: String)
        case missingTensor(path: String, tensor: String)
        case tensorMismatch(path: String, tensor: String, reason: String)
        case malformedConfig(path: String, reason: String)
    }

    private let base: Base
    private init(_ base: Base) { self.base = base }

    /// The kind of failure.
    public var code: Code {
        switch base {
        case .io: .io
        case .malformedVocabulary: .malformedVocabulary
        case .malformedSafetensors: .malformedSafetensors
        case .missingTensor: .missingTensor
        case .tensorMismatch: .tensorMismatch
        case .malformedConfig: .malformedConfig
        }
    }

    public var description: String {
        switch base {
        case .io(let path, let reason):
            return "cannot read \(path): \(reason)"
        case .malformedVocabulary(let path, let reason):
            return "malformed vocabulary \(path): \(reason)"
        case .malformedSafetensors(let path, let tensor?, let reason):
            return "malformed safetensors file \(path): tensor \"\(tensor)\": \(reason)"
        case .malformedSafetensors(let path, nil, let reason):
            return "malformed safetensors file \(path): \(reason)"
        case .missingTensor(let path, let tensor):
            return "safetensors file \(path) has no tensor \"\(tensor)\" (is this the right model folder?)"
        case .tensorMismatch(let path, let tensor, let reason):
            return "tensor \"\(tensor)\" in \(path): \(reason)"
        case .malformedConfig(let path, let reason):
            return "bad model configuration \(path): \(reason)"
        }
    }

    static func io(_ path: String, _ reason: String) -> Self { Self(.io(path: path, reason: reason)) }
    static func vocabulary(_ path: String, _ reason: String) -> Self {
        Self(.malformedVocabulary(path: path, reason: reason))
    }
    static func safetensors(_ path: String, tensor: String? = nil, _ reason: String) -> Self {
        Self(.malformedSafetensors(path: path, tensor: tensor, reason: reason))
    }
    static func missingTensor(_ path: String, _ tensor: String) -> Self {
        Self(.missingTensor(path: path, tensor: tensor))
    }
    static func tensorMismatch(_ path: String, _ tensor: String, _ reason: String) -> Self {
        Self(.tensorMismatch(path: path, tensor: tensor, reason: reason))
    }
    static func config(_ path: String, _ reason: String) -> Self { Self(.malformedConfig(path: path, reason: reason)) }
}
