// More ways to say "I want <genre>" and "no <genre>" for stage-2 training: the router's one-topic
// phrasings, minus anything close to an evaluation template.
import SteerPrompt
import SteerTasks

/// Extra training phrasings per polarity, in the template form `…{genre}…`.
///
/// The 20 training templates per polarity are few: a head trained on them alone learns their
/// wording, and the held-out evaluation phrasings cost it (validation POS 0.378 with training
/// phrasings vs test 0.346 with evaluation phrasings, SASRec). The router's generator has ~150
/// one-topic phrasings written for another purpose. **Leakage guard**: a phrasing is dropped when
/// its content words (lower-cased, stop words and the slot removed) are all among the content
/// words of some evaluation template: "craving {t}" goes because of "Craving {genre} at the
/// moment."; so does every phrasing equal to an evaluation template.
public enum ExtraPhrasings {
    static let stopWords: Set<String> = [
        "i", "i'm", "i'd", "me", "my", "a", "an", "the", "some", "any", "to", "for", "of", "on", "in", "at", "with", "and",
        "or", "is", "it", "be", "this", "that", "so", "please", "you", "your", "would", "could", "can", "do", "just",
        "now", "today", "tonight", "all", "up", "out", "off", "what", "something", "anything",
    ]

    /// Content words of a template (slot tokens removed).
    static func contentWords(_ template: String) -> Set<String> {
        let cleaned = template.lowercased().replacingOccurrences(of: "{genre}", with: " ").replacingOccurrences(of: "{t}", with: " ")
        let words = cleaned.split { !$0.isLetter && $0 != "'" && $0 != "-" }.map(String.init)
        return Set(words.filter { !stopWords.contains($0) })
    }

    /// The extra templates of `polarity` (slot `{genre}`) that pass the leakage guard against
    /// every evaluation template of both polarities in `templates`.
    public static func templates(_ polarity: TaskPolarity, guardedBy templates: PromptTemplates) -> [String] {
        let evaluation = TaskPolarity.allCases.flatMap { templates.templates($0, .evaluation) }.map(contentWords)
        let training = Set(TaskPolarity.allCases.flatMap { templates.templates($0, .training) }.map { $0.lowercased() })
        let source = polarity == .positive ? RouterPhrasingTemplates.positive : RouterPhrasingTemplates.negative
        return source.map { $0.replacingOccurrences(of: "{t}", with: "{genre}") }.filter { candidate in
            let words = contentWords(candidate)
            return !training.contains(candidate.lowercased()) && !evaluation.contains { words.isSubset(of: $0) }
        }
    }
}
