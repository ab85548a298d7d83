// The one error type of SteerPrompt: every way a prompt or the router's model file is refused.

/// Why a prompt could not be routed or the router could not be loaded or trained.
///
/// A public struct wrapping a private enum, so new failure modes can be added without breaking
/// callers. Match on ``code``; read ``description`` for the details.
public struct PromptError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The kind of failure, stable for matching (`error.code == .empty`).
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        fileprivate let name: String
        public var description: String { name }

        /// The prompt is empty or only whitespace.
        public static let empty = Code(name: "empty")
        /// The prompt is longer than ``PromptText/maximumBytes``.
        public static let tooLong = Code(name: "tooLong")
        /// The router's model file is missing, unreadable or inconsistent with this code.
        public static let malformedModel = Code(name: "malformedModel")
        /// An embedding has the wrong width for the router, or is not finite.
        public static let badEmbedding = Code(name: "badEmbedding")
        /// Training was asked for with no examples or only one polarity, or a labelled prompt file is malformed.
        public static let badTrainingSet = Code(name: "badTrainingSet")
    }

    private enum Base: Equatable, Sendable {
        case empty
        case tooLong(bytes: Int, limit: Int)
        case malformedModel(source: String, reason: String)
        case badEmbedding(expected: Int, got: Int)
        case nonFiniteEmbedding
        case badTrainingSet(reason: String)
    }

    private let base: Base
    private init(_ base: Base) { self.base = base }

    /// The kind of failure.
    public var code: Code {
        switch base {
        case .empty: .empty
        case .tooLong: .tooLong
        case .malformedModel: .malformedModel
        case .badEmbedding, .nonFiniteEmbedding: .badEmbedding
        case .badTrainingSet: .badTrainingSet
        }
    }

    public var description: String {
        switch base {
        case .empty:
            return "the prompt is empty (or only whitespace): say what you want or want to avoid"
        case .tooLong(let bytes, let limit):
            return "the prompt is \(bytes) bytes of UTF-8, over the \(limit)-byte limit"
        case .malformedModel(let source, let reason):
            return "malformed router model \(source): \(reason)"
        case .badEmbedding(let expected, let got):
            return "the router needs a \(expected)-dimensional embedding, got \(got) values"
        case .nonFiniteEmbedding:
            return "the prompt embedding holds a NaN or an infinity"
        case .badTrainingSet(let reason):
            return "bad labelled prompts for the router: \(reason)"
        }
    }

    static let empty = PromptError(.empty)
    static func tooLong(bytes: Int, limit: Int) -> PromptError { PromptError(.tooLong(bytes: bytes, limit: limit)) }
    static func malformedModel(_ source: String, _ reason: String) -> PromptError {
        PromptError(.malformedModel(source: source, reason: reason))
    }
    static func badEmbedding(expected: Int, got: Int) -> PromptError { PromptError(.badEmbedding(expected: expected, got: got)) }
    static let nonFiniteEmbedding = PromptError(.nonFiniteEmbedding)
    static func badTrainingSet(_ reason: String) -> PromptError { PromptError(.badTrainingSet(reason: reason)) }
}
