// The one error type of SteerText: every way a vocabulary or a model folder is refused.
import SteerErrors

/// The errors of SteerText and their codes.
public enum SteerTextErrorDomain: ErrorDomain {
    /// The kinds of failure, stable for matching:
    /// - `io`: A file could not be opened, read or mapped.
    /// - `malformedVocabulary`: `vocab.txt` is empty, has duplicate or empty tokens, or lacks a special
    ///   token.
    /// - `missingTensor`: The model needs a tensor the weights file does not hold.
    /// - `tensorMismatch`: A tensor has a shape or element type the model cannot use.
    /// - `malformedConfig`: A JSON configuration file is missing, unreadable or describes an
    ///   unsupported model.
    public enum Code: String, ErrorCode {
        case io, malformedVocabulary, missingTensor, tensorMismatch, malformedConfig
    }
}

/// Why a tokenizer or a sentence encoder could not be loaded; the description gives the details
/// (file, tensor name, shapes). A malformed weights file is a `SafeTensorsError` (SteerSafeTensors).
public typealias SteerTextError = ModuleError<SteerTextErrorDomain>

extension SteerTextError where Domain == SteerTextErrorDomain {
    static func io(_ path: String, _ reason: String) -> Self { .init(.io, "cannot read \(path): \(reason)") }
    static func vocabulary(_ path: String, _ reason: String) -> Self {
        .init(.malformedVocabulary, "malformed vocabulary \(path): \(reason)")
    }
    static func missingTensor(_ path: String, _ tensor: String) -> Self {
        .init(.missingTensor, "safetensors file \(path) has no tensor \"\(tensor)\" (is this the right model folder?)")
    }
    static func tensorMismatch(_ path: String, _ tensor: String, _ reason: String) -> Self {
        .init(.tensorMismatch, "tensor \"\(tensor)\" in \(path): \(reason)")
    }
    static func config(_ path: String, _ reason: String) -> Self {
        .init(.malformedConfig, "bad model configuration \(path): \(reason)")
    }
}
