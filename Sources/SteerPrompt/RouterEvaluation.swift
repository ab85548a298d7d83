// The router's accuracy on a labelled set: the hand-written fixtures (text TAB polarity) or any
// other labelled prompts (`steer router eval`).
import Foundation
import SteerText

/// Accuracy of a ``PromptRouter`` on labelled prompts, per polarity, with the misses.
public struct RouterAccuracy: Sendable, Equatable {
    /// One misrouted prompt.
    public struct Miss: Sendable, Equatable {
        public let text: String
        public let expected: Polarity
        /// The router's probability that the prompt is positive.
        public let positiveProbability: Double
    }

    public let total: Int
    public let correct: Int
    public let positives: Int
    public let positivesCorrect: Int
    public var negatives: Int { total - positives }
    public var negativesCorrect: Int { correct - positivesCorrect }
    /// Misrouted prompts, in input order.
    public let misses: [Miss]

    public var accuracy: Double { total == 0 ? 0 : Double(correct) / Double(total) }
    public var positiveAccuracy: Double { positives == 0 ? 0 : Double(positivesCorrect) / Double(positives) }
    public var negativeAccuracy: Double { negatives == 0 ? 0 : Double(negativesCorrect) / Double(negatives) }

    /// Scores `decisions` against `examples` (same order and count).
    public init(examples: [TrainingExample], decisions: [RouteDecision]) {
        precondition(examples.count == decisions.count, "\(examples.count) examples, \(decisions.count) decisions")
        var correct = 0, positives = 0, positivesCorrect = 0
        var misses: [Miss] = []
        for (example, decision) in zip(examples, decisions) {
            let right = decision.polarity == example.polarity
            if example.polarity == .positive { positives += 1; if right { positivesCorrect += 1 } }
            if right { correct += 1 } else {
                let p = decision.positiveProbability
                misses.append(Miss(text: example.text, expected: example.polarity, positiveProbability: p))
            }
        }
        total = examples.count
        self.correct = correct
        self.positives = positives
        self.positivesCorrect = positivesCorrect
        self.misses = misses
    }

    /// One line: `label: 146/150 = 0.9733 (positive 75/75, negative 71/75)`.
    public func summary(_ label: String) -> String {
        String(format: "%@: %d/%d = %.4f (positive %d/%d, negative %d/%d)", label, correct, total, accuracy,
               positivesCorrect, positives, negativesCorrect, negatives)
    }
}

extension PromptRouter {
    /// Routes every example (embedded by `encoder`) and scores the decisions.
    /// - Throws: what ``route(texts:encoder:cache:)`` throws.
    public func accuracy(on examples: [TrainingExample], encoder: some SentenceEncoder) throws -> RouterAccuracy {
        RouterAccuracy(examples: examples, decisions: try route(texts: examples.map(\.text), encoder: encoder))
    }
}

/// Labelled prompt files: one `text<TAB>positive|negative` a line; blank lines and lines that
/// start with "#" are skipped.
public enum LabelledPrompts {
    /// The examples of `text`.
    /// - Throws: ``PromptError`` `.badTrainingSet` naming the first malformed line.
    public static func parse(_ text: String, source: String = "input") throws -> [TrainingExample] {
        var out: [TrainingExample] = []
        // Split on any newline: Swift reads "\r\n" as one Character, which "\n" would not match.
        for (n, line) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            if line.hasPrefix("#") || line.allSatisfy(\.isWhitespace) { continue }
            let parts = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[0].allSatisfy(\.isWhitespace),
                  let polarity = Polarity(rawValue: parts[1].trimmingCharacters(in: .whitespaces)) else {
                throw PromptError.badTrainingSet("\(source) line \(n + 1): expected text<TAB>positive|negative, got \"\(line)\"")
            }
            out.append(TrainingExample(text: String(parts[0]), polarity: polarity))
        }
        return out
    }

    /// The examples of the file at `url`.
    public static func read(_ url: URL) throws -> [TrainingExample] {
        try parse(contents(of: url), source: url.path)
    }

    /// The text of a labelled file; a file that cannot be read is a bad training set, named.
    static func contents(of url: URL) throws -> String {
        do { return try String(contentsOf: url, encoding: .utf8) } catch {
            throw PromptError.badTrainingSet("cannot read \(url.path): \(error.localizedDescription)")
        }
    }
}
