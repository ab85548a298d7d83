// Natural prompts labelled part by part (the issue-15 frozen set): the file format, and how well
// the prompt reader finds the parts and their polarities.
import Foundation
import SteerText

/// One labelled prompt: its kind, the text, and the parts it states in order, each with a
/// polarity and the genres it names (MovieLens names, e.g. `Sci-Fi`, `Children's`).
public struct NaturalPrompt: Sendable, Equatable {
    public struct Part: Sendable, Equatable {
        public let polarity: Polarity
        public let genres: [String]

        public init(polarity: Polarity, genres: [String]) {
            self.polarity = polarity
            self.genres = genres
        }
    }

    /// `positive`, `negative`, `compound` or `descriptive`.
    public let kind: String
    public let text: String
    public let parts: [Part]

    public init(kind: String, text: String, parts: [Part]) {
        self.kind = kind
        self.text = text
        self.parts = parts
    }

    /// The lines of a file: `kind<TAB>prompt<TAB>parts`, parts separated by `;`, each `+` or `-`,
    /// a colon and genres separated by `|` (`compound	a comedy, no romance	+:Comedy;-:Romance`);
    /// lines starting with "#" are comments.
    /// - Throws: ``PromptError`` `.badTrainingSet` naming the first malformed line.
    public static func parse(_ content: String, source: String = "input") throws -> [NaturalPrompt] {
        var prompts: [NaturalPrompt] = []
        for (n, line) in content.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            if line.hasPrefix("#") || line.allSatisfy(\.isWhitespace) { continue }
            let columns = line.split(separator: "\t", omittingEmptySubsequences: false)
            let parts = columns.count == 3 ? columns[2].split(separator: ";").compactMap(Self.part) : []
            guard columns.count == 3, !parts.isEmpty, parts.count == columns[2].split(separator: ";").count,
                  !columns[1].allSatisfy(\.isWhitespace) else {
                throw PromptError.badTrainingSet("\(source) line \(n + 1): expected kind<TAB>prompt<TAB>+:Genre|Genre;-:Genre, got \"\(line)\"")
            }
            prompts.append(NaturalPrompt(kind: String(columns[0]), text: String(columns[1]), parts: parts))
        }
        return prompts
    }

    /// The prompts of the file at `url`.
    public static func read(_ url: URL) throws -> [NaturalPrompt] {
        try parse(LabelledPrompts.contents(of: url), source: url.path)
    }

    private static func part(_ text: Substring) -> Part? {
        let sides = text.split(separator: ":", maxSplits: 1)
        guard sides.count == 2, let sign = sides[0].first, sides[0].count == 1, "+-".contains(sign) else { return nil }
        let genres = sides[1].split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
        guard !genres.isEmpty, genres.allSatisfy({ !$0.isEmpty }) else { return nil }
        return Part(polarity: sign == "+" ? .positive : .negative, genres: genres)
    }
}

/// How well prompts were read part by part.
///
/// The reader joins neighbouring requests of one polarity into one part ("no westerns, no war"
/// is one refusal), so labelled neighbours of one polarity are first joined the same way: a
/// labelled part counts as read right when the reading has as many parts as the joined label and
/// the part in its place has its polarity ("+:Thriller;-:Western;-:War" read as "+-" is 3 of 3).
/// The strict count, which needs one read part per labelled part, is kept beside it.
public struct PartAccuracy: Sendable, Equatable {
    /// Labelled parts, and those read right.
    public let parts: Int
    public let partsRight: Int
    /// Labelled parts read right when every labelled part must be a part of its own.
    public let strictPartsRight: Int
    /// Prompts, and those whose part count was right (after joining labelled neighbours of one polarity).
    public let prompts: Int
    public let promptsSplitRight: Int
    /// Per kind: (parts, parts read right).
    public let byKind: [String: (parts: Int, right: Int)]
    /// Prompts with a part read wrong: the text, the labelled signs and the signs read.
    public let misses: [(text: String, expected: String, read: String)]

    public var accuracy: Double { parts == 0 ? 0 : Double(partsRight) / Double(parts) }

    public static func == (a: PartAccuracy, b: PartAccuracy) -> Bool {
        a.parts == b.parts && a.partsRight == b.partsRight && a.strictPartsRight == b.strictPartsRight
            && a.prompts == b.prompts && a.promptsSplitRight == b.promptsSplitRight
    }

    /// Scores `readings` against `prompts` (same order and count).
    public init(prompts: [NaturalPrompt], readings: [PromptReading]) {
        precondition(prompts.count == readings.count, "\(prompts.count) prompts, \(readings.count) readings")
        var parts = 0, right = 0, strict = 0, splitRight = 0
        var byKind: [String: (parts: Int, right: Int)] = [:]
        var misses: [(String, String, String)] = []
        for (prompt, reading) in zip(prompts, readings) {
            let expected = prompt.parts.map(\.polarity), read = reading.parts.map(\.decision.polarity)
            let runs = Self.runs(expected)
            let hits = runs.count == read.count ? zip(runs, read).filter { $0.0.polarity == $0.1 }.map { $0.0.length }.reduce(0, +) : 0
            if expected.count == read.count { strict += zip(expected, read).filter { $0 == $1 }.count }
            parts += expected.count
            right += hits
            if runs.count == read.count { splitRight += 1 }
            byKind[prompt.kind, default: (0, 0)].parts += expected.count
            byKind[prompt.kind, default: (0, 0)].right += hits
            if hits < expected.count { misses.append((prompt.text, Self.signs(expected), Self.signs(read))) }
        }
        self.parts = parts
        partsRight = right
        strictPartsRight = strict
        self.prompts = prompts.count
        promptsSplitRight = splitRight
        self.byKind = byKind
        self.misses = misses
    }

    /// Neighbouring polarities joined: each run's polarity and how many labelled parts it holds.
    static func runs(_ polarities: [Polarity]) -> [(polarity: Polarity, length: Int)] {
        var runs: [(polarity: Polarity, length: Int)] = []
        for polarity in polarities {
            if runs.last?.polarity == polarity { runs[runs.count - 1].length += 1 } else { runs.append((polarity, 1)) }
        }
        return runs
    }

    private static func signs(_ polarities: [Polarity]) -> String { polarities.map { $0 == .positive ? "+" : "-" }.joined() }

    /// Lines: the total, then one per kind.
    public func summary(_ label: String) -> String {
        var lines = [String(format: "%@: parts %d/%d = %.4f (strict, a read part per labelled part: %d); prompts split into the right number of parts %d/%d",
                            label, partsRight, parts, accuracy, strictPartsRight, promptsSplitRight, prompts)]
        for kind in byKind.keys.sorted() {
            let (n, r) = byKind[kind]!
            lines.append(String(format: "  %@: %d/%d = %.4f", kind, r, n, n == 0 ? 0 : Double(r) / Double(n)))
        }
        return lines.joined(separator: "\n")
    }
}

extension PromptRouter {
    /// Reads every prompt part by part and scores the readings.
    public func partAccuracy(on prompts: [NaturalPrompt], encoder: some SentenceEncoder) throws -> PartAccuracy {
        PartAccuracy(prompts: prompts, readings: try prompts.map { try read($0.text, encoder: encoder) })
    }
}
