// The one error type of SteerInterop: every way an imported or exported model is refused.
import SteerErrors

/// The errors of SteerInterop and their codes.
public enum InteropErrorDomain: ErrorDomain {
    /// The kinds of failure, stable for matching:
    /// - `unsupportedModel`: the file holds a model Steer has no plugin for.
    /// - `unsupportedSetting`: a config value the plugin cannot compute (another activation,
    ///   loss, a size out of the plugin's range).
    /// - `missingKey`: a config or metadata key the mapping needs is absent.
    /// - `missingTensor`: a tensor the model's config implies is absent.
    /// - `unexpectedTensor`: the file holds a tensor the config does not explain (e.g. more
    ///   layers than `n_layers`).
    /// - `shapeMismatch`: a tensor's shape disagrees with the config.
    /// - `unknownToken`: a model item token the target dataset does not know.
    /// - `missingItem`: a dataset item the model has no embedding for.
    /// - `malformed`: metadata that does not parse (JSON, duplicate tokens, a missing `[PAD]`).
    public enum Code: String, ErrorCode {
        case unsupportedModel, unsupportedSetting, missingKey, missingTensor, unexpectedTensor, shapeMismatch
        case unknownToken, missingItem, malformed
    }
}

/// Why a model could not be imported or exported; the description names the file, the key or
/// tensor, and the value found.
public typealias InteropError = ModuleError<InteropErrorDomain>

extension InteropError where Domain == InteropErrorDomain {
    static func unsupportedModel(_ file: String, _ model: String, supported: [String]) -> Self {
        .init(.unsupportedModel, "model \"\(model)\" is not supported (metadata key \"model\"); supported: \(supported.joined(separator: ", "))",
              file: file)
    }
    static func unsupportedSetting(_ file: String, key: String, _ value: String, _ reason: String) -> Self {
        .init(.unsupportedSetting, "config key \"\(key)\" = \(value): \(reason)", file: file)
    }
    static func missingKey(_ file: String, _ key: String, in place: String) -> Self {
        .init(.missingKey, "\(place) has no key \"\(key)\"", file: file)
    }
    static func missingTensor(_ file: String, _ tensor: String, model: String) -> Self {
        .init(.missingTensor, "no tensor \"\(tensor)\", which \(model) needs", file: file)
    }
    static func unexpectedTensor(_ file: String, _ tensor: String, model: String) -> Self {
        .init(.unexpectedTensor, "tensor \"\(tensor)\" is not part of \(model)", file: file)
    }
    static func shapeMismatch(_ file: String, _ tensor: String, expected: [Int], found: [Int]) -> Self {
        .init(.shapeMismatch, "tensor \"\(tensor)\" has shape \(found); the config implies \(expected)", file: file)
    }
    static func malformed(_ file: String, _ reason: String) -> Self { .init(.malformed, reason, file: file) }
}
