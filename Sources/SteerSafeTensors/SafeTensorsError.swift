// The one error type of SteerSafeTensors: every way a safetensors file is refused.
import SteerErrors

/// The errors of SteerSafeTensors and their codes.
public enum SafeTensorsErrorDomain: ErrorDomain {
    /// The kinds of failure, stable for matching:
    /// - `io`: the file could not be opened, mapped or written.
    /// - `malformed`: the header or data layout is invalid (length, JSON, dtype, spans, metadata).
    /// - `missingTensor`: a tensor the caller asked for is not in the file.
    /// - `tensorMismatch`: a tensor has another shape or a non-floating dtype.
    public enum Code: String, ErrorCode {
        case io, malformed, missingTensor, tensorMismatch
    }
}

/// Why a safetensors file could not be read or written; the description names the file and,
/// where one is at fault, the tensor.
public typealias SafeTensorsError = ModuleError<SafeTensorsErrorDomain>

extension SafeTensorsError where Domain == SafeTensorsErrorDomain {
    static func io(_ path: String, _ reason: String) -> Self { .init(.io, "cannot read \(path): \(reason)") }
    static func malformed(_ path: String, tensor: String? = nil, _ reason: String) -> Self {
        let place = tensor.map { "\(path): tensor \"\($0)\"" } ?? path
        return .init(.malformed, "malformed safetensors file \(place): \(reason)")
    }
    static func missingTensor(_ path: String, _ tensor: String) -> Self {
        .init(.missingTensor, "safetensors file \(path) has no tensor \"\(tensor)\"")
    }
    static func tensorMismatch(_ path: String, _ tensor: String, _ reason: String) -> Self {
        .init(.tensorMismatch, "tensor \"\(tensor)\" in \(path): \(reason)")
    }
}
