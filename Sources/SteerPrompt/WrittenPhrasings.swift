// Hand-written training prompts (Resources/router-written.tsv): wording the generator's templates
// never produce, labelled part by part, so the router learns where the cue features are wrong.
import Foundation

/// The router's hand-written training corpus.
///
/// On generated phrasings the cue features are never wrong (the templates and the lexicon grew
/// together), so a fit on them alone leans on the cues and leaves the embedding weights near zero.
/// Prompts written by people who saw neither the lexicon nor the templates break the cues often
/// enough that the embedding has to carry part of the decision.
public enum WrittenPhrasings {
    /// How many times each hand-written example is repeated in the bundled router's training set:
    /// a few thousand prompts beside 8,000 generated ones would otherwise weigh too little to
    /// correct the cues (1, 3 and 5 were tried on the development sets; 5 read the most right).
    public static let defaultRepeats = 5

    /// The corpus bundled with SteerPrompt, in ``NaturalPrompt`` format.
    /// - Throws: ``PromptError`` `.badTrainingSet` when the resource is missing or malformed.
    public static func bundled() throws -> [NaturalPrompt] {
        guard let url = Bundle.module.url(forResource: "router-written", withExtension: "tsv", subdirectory: "Resources") else {
            throw PromptError.badTrainingSet("Resources/router-written.tsv is not in the SteerPrompt bundle")
        }
        return try NaturalPrompt.read(url)
    }

    /// Training examples from labelled prompts, and how many prompts gave none.
    ///
    /// A prompt of one polarity (its parts all positive or all negative) is one example, the whole
    /// text: that is how ``PromptRouter/read(_:encoder:cache:)`` routes it once its spans join. A
    /// prompt of both polarities is cut as the reader cuts it; when the cut gives exactly the
    /// labelled parts, each span is an example with its part's polarity. A span about no kind of
    /// film (``KindWords``), which the reader routes with a neighbour, joins the span before it
    /// (after it when it comes first): labelled parts are always about a kind of film. Otherwise the
    /// labels cannot be placed on the spans and the prompt is left out rather than guessed.
    public static func examples(_ prompts: [NaturalPrompt]) -> (examples: [TrainingExample], unplaced: Int) {
        var examples: [TrainingExample] = [], unplaced = 0
        for prompt in prompts {
            let polarities = prompt.parts.map(\.polarity)
            if Set(polarities).count == 1 {
                examples.append(TrainingExample(text: prompt.text, polarity: polarities[0]))
                continue
            }
            let spans = Self.describingSpans(PromptRouter.joinContentless(PromptClauses.candidates(prompt.text)), of: prompt.text)
            guard spans.count == polarities.count else { unplaced += 1; continue }
            for (span, polarity) in zip(spans, polarities) {
                examples.append(TrainingExample(text: String(prompt.text[span]), polarity: polarity))
            }
        }
        return (examples, unplaced)
    }

    /// `spans` of `text`, each one about no kind of film joined to its neighbour (the one before,
    /// else the one after); unchanged when none is about a kind of film.
    static func describingSpans(_ spans: [Range<String.Index>], of text: String) -> [Range<String.Index>] {
        let describes = spans.map { KindWords.describesAKind(String(text[$0])) }
        guard let first = describes.firstIndex(of: true) else { return spans }
        var joined: [Range<String.Index>] = []
        for k in first..<spans.count {
            if describes[k] || joined.isEmpty { joined.append(spans[k]) } else {
                joined[joined.count - 1] = joined[joined.count - 1].lowerBound..<spans[k].upperBound
            }
        }
        joined[0] = spans[0].lowerBound..<joined[0].upperBound
        return joined
    }
}

extension WrittenPhrasings {
    /// Lines for the model file's provenance.
    public static func provenance(prompts: Int, examples: Int, unplaced: Int, repeats: Int, source: String) -> [String] {
        ["Plus \(examples) examples from \(prompts) hand-written prompts (\(source), written blind: the writers saw no",
         "template, lexicon, evaluation phrasing or test set), \(unplaced) left out because the reader's cut did not",
         "give their labelled parts; each counted \(repeats) time(s)."]
    }
}

extension WrittenPhrasings {
    /// A hand-written template: a polarity and a sentence with one `{genre}` slot.
    public struct Template: Sendable, Equatable {
        public let polarity: Polarity
        public let text: String
    }

    /// The slot a template's genre goes into.
    public static let slot = "{genre}"

    /// The templates bundled with SteerPrompt (Resources/router-written-templates.tsv).
    ///
    /// Rendered with every genre, they show the router each wording with every genre in both
    /// polarities: free-written prompts name a genre in one polarity only, and a router fitted on
    /// them alone learned to read plain requests for some genres ("Give me action, please") as
    /// refusals.
    /// - Throws: ``PromptError`` `.badTrainingSet` when the resource is missing or a line is malformed.
    public static func bundledTemplates() throws -> [Template] {
        guard let url = Bundle.module.url(forResource: "router-written-templates", withExtension: "tsv", subdirectory: "Resources") else {
            throw PromptError.badTrainingSet("Resources/router-written-templates.tsv is not in the SteerPrompt bundle")
        }
        return try readTemplates(url)
    }

    /// The templates of the file at `url` (the format of ``parseTemplates(_:source:)``).
    public static func readTemplates(_ url: URL) throws -> [Template] {
        try parseTemplates(LabelledPrompts.contents(of: url), source: url.path)
    }

    /// Lines `positive|negative<TAB>template`, each template holding ``slot`` once; `#` starts a comment.
    public static func parseTemplates(_ content: String, source: String) throws -> [Template] {
        var templates: [Template] = []
        for (n, line) in content.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            if line.hasPrefix("#") || line.allSatisfy(\.isWhitespace) { continue }
            let columns = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard columns.count == 2, let polarity = Polarity(rawValue: String(columns[0])),
                  columns[1].components(separatedBy: slot).count == 2 else {
                throw PromptError.badTrainingSet("\(source) line \(n + 1): expected positive|negative<TAB>a sentence with one \(slot), got \"\(line)\"")
            }
            templates.append(Template(polarity: polarity, text: String(columns[1])))
        }
        return templates
    }
}
