// The one error type of SteerPrompt: every way a prompt or the router's model file is refused.
import SteerErrors

/// The errors of SteerPrompt and their codes.
public enum PromptErrorDomain: ErrorDomain {
    /// The kinds of failure, stable for matching:
    /// - `empty`: The prompt is empty or only whitespace.
    /// - `tooLong`: The prompt is longer than ``PromptText/maximumBytes``.
    /// - `malformedModel`: The router's model file is missing, unreadable or inconsistent with this
    ///   code.
    /// - `badEmbedding`: An embedding has the wrong width for the router, or is not finite.
    /// - `badTrainingSet`: Training was asked for with no examples, only one polarity or no token
    ///   reader, or a labelled prompt file is malformed.
    public enum Code: String, ErrorCode {
        case empty, tooLong, malformedModel, badEmbedding, badTrainingSet
    }
}

/// Why a prompt could not be routed or the router could not be loaded or trained.
public typealias PromptError = ModuleError<PromptErrorDomain>

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
