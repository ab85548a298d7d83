// Where one prompt holds several requests: the candidate clauses a compound prompt is read in
// ("a comedy, but no romance" → "a comedy" | "but no romance").

/// Cuts a prompt into candidate clauses at sentence ends and at the words that open a new
/// request or a negation. Cutting too eagerly costs little: a candidate without a content word
/// ("I really do", "please") is joined to its neighbour, and neighbours the router reads with the
/// same polarity are joined again (``PromptReader``). Cutting too little is what inverts
/// requests, so where a comma or a joiner may start a new request, it cuts.
enum PromptClauses {
    /// A word of the prompt: its range in the text, its lower-case form, and whether a sentence
    /// end (`. ! ? ;` or a line break) or a softer mark (`, : – —` or a spaced hyphen) precedes it.
    struct Word {
        let range: Range<String.Index>
        let lower: String
        var afterSentenceEnd = false
        var afterComma = false
    }

    /// The candidate clauses of `text`, in order: substrings from a cut to the next, trimmed of
    /// spaces and of the punctuation between them. A text with no cut gives itself, trimmed.
    static func candidates(_ text: String) -> [Substring] {
        let words = self.words(text)
        guard !words.isEmpty else { return [] }
        var starts = [0]
        for i in 1..<words.count where cutsBefore(i, words) { starts.append(i) }
        return starts.indices.map { n in
            let first = words[starts[n]].range.lowerBound
            let last = words[(n + 1 < starts.count ? starts[n + 1] : words.count) - 1].range.upperBound
            return text[first..<last]
        }
    }

    /// Whether a clause starts at word `i`.
    static func cutsBefore(_ i: Int, _ words: [Word]) -> Bool {
        let word = words[i].lower
        let previous = words[i - 1].lower
        let next = i + 1 < words.count ? words[i + 1].lower : ""
        if words[i].afterSentenceEnd { return true }
        if contrastive.contains(word) { return !idiomsBeforeContrast.contains(previous) }
        if let seconds = pairOpeners[word], seconds.contains(next) { return true }
        // "sci fi yes, horror no", "comedy yes cartoons no": a verdict ends the clause it judges.
        if verdicts.contains(previous), !closers.contains(word) { return true }
        // "a western that isn't a comedy": the relative clause refuses what it qualifies; "monsters
        // that aren't too scary" only tempers it.
        if relatives.contains(word), negatedAuxiliaries.contains(next) { return i + 2 >= words.count || words[i + 2].lower != "too" }
        if negationOpeners.contains(word) {
            // "comedy no romance", "a war film without the gore", "a thriller, not a horror";
            // "I do not", "there is no" stay whole.
            return words[i].afterComma || !functionWords.contains(previous) || CueLexicon.mediaNouns.contains(previous)
                || closers.contains(previous)
        }
        return words[i].afterComma && clauseOpeners.contains(word)
    }

    /// The words of `text` (letters, digits and inner apostrophes), each knowing the marks before it.
    static func words(_ text: String) -> [Word] {
        var words: [Word] = []
        var sentenceEnd = false
        var comma = false
        var index = text.startIndex
        while index < text.endIndex {
            let c = text[index]
            if c.isLetter || c.isNumber {
                var end = text.index(after: index)
                while end < text.endIndex, text[end].isLetter || text[end].isNumber
                    || (isApostrophe(text[end]) && text.index(after: end) < text.endIndex && text[text.index(after: end)].isLetter) {
                    end = text.index(after: end)
                }
                let lower = String(text[index..<end].lowercased().map { isApostrophe($0) ? "'" : $0 })
                words.append(Word(range: index..<end, lower: lower, afterSentenceEnd: sentenceEnd, afterComma: comma))
                sentenceEnd = false
                comma = false
                index = end
                continue
            }
            switch c {
            case ".", "!", "?", ";", "\n", "\r\n": sentenceEnd = true
            case ",", ":", "–", "—", "(", ")": comma = true
            case "-":
                // Between words a dash ("comedy - no romance"); inside a word a hyphen ("sci-fi").
                let before = index > text.startIndex && text[text.index(before: index)] == " "
                if before { comma = true }
            default: break
            }
            index = text.index(after: index)
        }
        return words
    }

    private static func isApostrophe(_ c: Character) -> Bool { c == "'" || c == "’" || c == "‘" || c == "`" }

    /// Joiners that start a contrasting clause ("… but no romance", "… though nothing too long").
    static let contrastive: Set<String> = ["but", "though", "although", "however", "whereas", "except", "unless", "provided",
                                           "providing"]
    /// Words before a contrastive joiner that make it part of one idiom: "anything but horror"
    /// and "anything except horror" are one negative request, "nothing but comedies" one positive.
    static let idiomsBeforeContrast: Set<String> = ["anything", "everything", "nothing", "all", "anyone", "any",
                                                    "genre", "kind", "type"]
    /// Words that open a relative clause, and the negated verbs after which it refuses.
    static let relatives: Set<String> = ["that", "which", "who", "that's", "thats", "where"]
    static let negatedAuxiliaries: Set<String> = ["isn't", "isnt", "aren't", "arent", "doesn't", "doesnt", "don't", "dont",
                                                  "wasn't", "wasnt", "won't", "wont", "not", "no", "has", "hasn't",
                                                  "without", "never", "lacks", "avoids", "skips"]
    /// Two-word openers of a new clause: "instead of", "rather than", "as long as", "and no", "with
    /// no", "and keep …", "and give me …", "just want", "so something".
    static let pairOpeners: [String: Set<String>] = [
        "instead": ["of"], "rather": ["than"], "as": ["long"], "how": ["about"], "what": ["about"],
        "and": ["no", "not", "nothing", "never", "without", "keep", "skip", "avoid", "spare", "leave", "hold", "drop", "ditch",
                "lose", "forget", "give", "gimme", "show", "bring"],
        "or": ["no", "not", "nothing", "without"],
        "with": ["no", "nothing", "zero"], "also": ["no", "not", "nothing"],
        "just": ["not", "no", "nothing", "want", "need", "give", "gimme"],
        // "i dont want drama i want romance": a new wish, even without a comma.
        "i": ["want", "need", "wanna", "prefer"], "i'd": ["like", "love", "prefer", "rather"],
        "so": ["something", "maybe", "give", "gimme", "how", "what", "let's", "just", "long"],
        "preferably": ["no", "not", "nothing", "without"], "ideally": ["no", "not", "nothing", "without"],
    ]
    /// Words that negate what follows and may open a clause of their own.
    static let negationOpeners: Set<String> = ["no", "not", "nothing", "never", "without", "minus", "none", "sans", "zero"]
    /// Words that open a new request after a comma ("no horror, something funny"; "a western, i love those").
    static let clauseOpeners: Set<String> = [
        "i", "i'm", "i'd", "i'll", "im", "id", "we", "we're", "we'd", "give", "show", "find", "get", "make", "let's",
        "something", "anything", "maybe", "preferably", "ideally", "definitely", "please", "avoid", "skip", "spare",
        "keep", "leave", "hold", "drop", "forget", "don't", "dont", "do", "let", "and", "plus", "also", "rather",
        "instead", "perhaps", "more", "less", "only", "just", "how", "what", "any", "some", "so", "though",
        "a", "an", "want", "need", "rather", "give", "something",
        // "a mystery - not a horror - with a good twist": the aside ends, the request goes on.
        "with",
        // "love a good mystery, hate horror", "drop the musicals, bring on the westerns".
        "hate", "love", "bring", "ditch", "toss", "cut",
        // "drama is fine, my limit is war dramas".
        "my",
    ]
    /// A verdict on the clause before it; the next word starts a new clause.
    static let verdicts: Set<String> = ["yes", "yeah", "yep", "yess"]
    /// Courtesies and times that close a request: a negation after one opens a clause of its own
    /// ("crime drama pls no comedy", "a western tonight nothing with singing").
    static let closers: Set<String> = ["please", "pls", "plz", "thanks", "thx", "tonight", "today", "now", "tomorrow"]
    /// Words that carry no request of their own: a candidate made only of these is joined to a
    /// neighbour; a negation opener after one of them ("I do not", "there is no") does not cut.
    static let functionWords: Set<String> = [
        "i", "i'm", "i'd", "i'll", "i've", "im", "id", "me", "my", "we", "we're", "we'd", "us", "our", "you", "your",
        "it", "it's", "its", "that", "this", "these", "those", "there", "there's", "here", "they", "them",
        "a", "an", "the", "some", "any", "one", "ones", "of", "to", "for", "with", "in", "on", "at", "about", "from",
        "by", "as", "and", "or", "but", "so", "if", "then", "than", "too", "very", "really", "just", "only",
        "quite", "pretty", "rather", "also", "even", "still", "more", "less", "much", "many", "lot", "lots",
        "do", "does", "did", "don't", "dont", "doesn't", "didn't", "is", "are", "am", "was", "were", "be", "been",
        "being", "have", "has", "had", "would", "could", "should", "will", "can", "may", "might", "must", "shall",
        "no", "not", "nothing", "never", "none", "without", "please", "pls", "thanks", "thank", "kindly",
        "want", "wanna", "like", "love", "need", "prefer", "watch", "see", "show", "give", "recommend", "suggest",
        "find", "get", "pick", "fancy", "feel", "feeling", "mood", "looking", "look", "after", "seeking", "put",
        "movie", "movies", "film", "films", "flick", "flicks", "something", "anything", "everything", "stuff",
        "tonight", "today", "now", "maybe", "perhaps", "ideally", "preferably", "definitely", "honestly",
        "kind", "sort", "type", "what", "how", "which", "where", "whatever", "ok", "okay", "yes", "yeah", "hey", "hi", "um",
        "well", "oh", "again", "time", "this", "evening", "night", "weekend", "let's", "let", "instead", "though",
        "although", "however", "whereas", "except", "unless", "long", "rather", "zero", "minus", "sans", "plus",
        "up", "into", "some", "sure", "mind", "would've", "could've", "go", "going", "else", "all",
        "absolutely", "certainly", "totally", "seriously", "literally", "positively", "strictly", "especially",
        "simply", "actually", "frankly", "obviously",
        // "can't say no to a western", "without fail, a western": no request of their own.
        "say", "fail",
    ]

    /// Whether a sentence ends between `clause` and `next` (two candidates of one text, in order).
    static func endsSentence(_ clause: Substring, before next: Substring) -> Bool {
        clause.base[clause.endIndex..<next.startIndex].contains { ".!?;\n\r".contains($0) }
    }

    /// Whether `clause` is only a refusal ("No.", "nope", "hard pass"), in the router's own
    /// reading of the words (``CueLexicon/refusalWords``).
    static func isBareRefusal(_ clause: Substring) -> Bool {
        let tokens = CueTokens.tokens(String(clause)).filter { $0 != "," }
        return !tokens.isEmpty && tokens.allSatisfy(CueLexicon.refusalWords.contains)
    }

    /// Whether `clause` names anything to ask for or avoid (a word outside ``functionWords``).
    static func hasContent(_ clause: Substring) -> Bool {
        words(String(clause)).contains { !functionWords.contains($0.lower) }
    }
}
