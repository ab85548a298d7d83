// Errors of SteerEvaluation: inconsistent shapes, bad ids and invalid settings.
import SteerErrors

/// Marks the errors of SteerEvaluation.
public enum EvaluationErrorDomain: ErrorDomain {}

/// Why an evaluation was refused; the description names the offending user, item or size.
public typealias EvaluationError = ModuleError<EvaluationErrorDomain>

extension EvaluationError.Code where Domain == EvaluationErrorDomain {
    /// Array sizes disagree with the declared counts and dimension.
    public static var shapeMismatch: Self { Self("shapeMismatch") }
    /// An item id is negative or not below the item count.
    public static var unknownItem: Self { Self("unknownItem") }
    /// A user has no targets.
    public static var noTargets: Self { Self("noTargets") }
    /// A vector or bias holds NaN or an infinity.
    public static var nonFinite: Self { Self("nonFinite") }
    /// Cutoffs, chunk sizes or similar settings are out of range.
    public static var invalidSetting: Self { Self("invalidSetting") }
}

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
