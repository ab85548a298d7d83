// Errors of SteerEvaluation: inconsistent shapes, bad ids and invalid settings.
import SteerErrors

/// The errors of SteerEvaluation and their codes.
public enum EvaluationErrorDomain: ErrorDomain {
    /// The kinds of failure, stable for matching:
    /// - `shapeMismatch`: Array sizes disagree with the declared counts and dimension.
    /// - `unknownItem`: An item id is negative or not below the item count.
    /// - `noTargets`: A user has no targets.
    /// - `nonFinite`: A vector or bias holds NaN or an infinity.
    /// - `invalidSetting`: Cutoffs, chunk sizes or similar settings are out of range.
    public enum Code: String, ErrorCode {
        case shapeMismatch, unknownItem, noTargets, nonFinite, invalidSetting
    }
}

/// Why an evaluation was refused; the description names the offending user, item or size.
public typealias EvaluationError = ModuleError<EvaluationErrorDomain>

extension EvaluationError where Domain == EvaluationErrorDomain {
    static func shapeMismatch(_ what: String) -> Self { .init(.shapeMismatch, "shape mismatch: \(what)") }
    static func unknownItem(_ id: Int32, user: Int, what: String, itemCount: Int) -> Self {
        .init(.unknownItem, "user \(user): \(what) item id \(id) is not in 0..<\(itemCount)")
    }
    static func noTargets(user: Int) -> Self {
        .init(.noTargets, "user \(user) has no targets (remove such users before evaluating)")
    }
    static func nonFinite(_ what: String) -> Self { .init(.nonFinite, "\(what) holds NaN or an infinity") }
    static func invalidSetting(_ what: String) -> Self { .init(.invalidSetting, what) }
}
