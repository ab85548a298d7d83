// The one error type of SteerPrompt: every way a prompt or the router's model file is refused.
import SteerErrors

/// Marks the errors of SteerPrompt.
public enum PromptErrorDomain: ErrorDomain {}

/// Why a prompt could not be routed or the router could not be loaded or trained.
public typealias PromptError = ModuleError<PromptErrorDomain>

extension PromptError.Code where Domain == PromptErrorDomain {
    /// The prompt is empty or only whitespace.
    public static var empty: Self { Self("empty") }
    /// The prompt is longer than ``PromptText/maximumBytes``.
    public static var tooLong: Self { Self("tooLong") }
    /// The router's model file is missing, unreadable or inconsistent with this code.
    public static var malformedModel: Self { Self("malformedModel") }
    /// An embedding has the wrong width for the router, or is not finite.
    public static var badEmbedding: Self { Self("badEmbedding") }
    /// Training was asked for with no examples or only one polarity, or a labelled prompt file is malformed.
    public static var badTrainingSet: Self { Self("badTrainingSet") }
}

extension PromptError where Domain == PromptErrorDomain {
    static var empty: Self { Self(.empty, "the prompt is empty (or only whitespace): say what you want or want to avoid") }
    static func tooLong(bytes: Int, limit: Int) -> Self {
        .init(.tooLong, "the prompt is \(bytes) bytes of UTF-8, over the \(limit)-byte limit")
    }
    static func malformedModel(_ source: String, _ reason: String) -> Self {
        .init(.malformedModel, "malformed router model \(source): \(reason)")
    }
    static func badEmbedding(expected: Int, got: Int) -> Self {
        .init(.badEmbedding, "the router needs a \(expected)-dimensional embedding, got \(got) values")
    }
    static var nonFiniteEmbedding: Self { Self(.badEmbedding, "the prompt embedding holds a NaN or an infinity") }
    static func badTrainingSet(_ reason: String) -> Self { .init(.badTrainingSet, "bad labelled prompts for the router: \(reason)") }
}
