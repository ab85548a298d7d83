// The token form the negation-cue features read: lower case, punctuation as clause marks,
// contractions and texting shorthand expanded, common misspellings of cue words repaired.

/// Turns a prompt into the word tokens ``CueFeatures`` matches ``CueLexicon`` phrases against.
enum CueTokens {
    /// Whole-token rewrites: contractions without apostrophes, texting shorthand, slang.
    static let rewrites: [String: [String]] = [
        "dont": ["do", "not"], "dnt": ["do", "not"], "doesnt": ["does", "not"], "didnt": ["did", "not"],
        "cant": ["can", "not"], "cannot": ["can", "not"], "wont": ["will", "not"], "wouldnt": ["would", "not"],
        "shouldnt": ["should", "not"], "couldnt": ["could", "not"], "isnt": ["is", "not"],
        "arent": ["are", "not"], "wasnt": ["was", "not"], "werent": ["were", "not"], "havent": ["have", "not"],
        "hasnt": ["has", "not"], "aint": ["is", "not"], "idc": ["i", "do", "not", "care"],
        "im": ["i", "am"], "ive": ["i", "have"], "ill": ["i", "will"], "youre": ["you", "are"],
        "gimme": ["give", "me"], "lemme": ["let", "me"], "wanna": ["want", "to"], "gonna": ["going", "to"],
        "gotta": ["got", "to"], "pls": ["please"], "plz": ["please"], "plse": ["please"], "smth": ["something"],
        "sth": ["something"], "somethin": ["something"], "anythin": ["anything"], "nothin": ["nothing"],
        "u": ["you"], "ur": ["your"], "r": ["are"], "rly": ["really"], "tho": ["though"], "bc": ["because"],
        "cuz": ["because"], "cos": ["because"], "coz": ["because"], "b4": ["before"], "w": ["with"],
        "n": ["and"], "naw": ["nah"], "nay": ["nah"], "nop": ["nope"],
        "whatevs": ["whatever"], "ya": ["you"], "ppl": ["people"], "flicks": ["movies"], "flick": ["movie"],
        "thx": ["thanks"], "ty": ["thanks"], "romcom": ["rom", "com"], "romcoms": ["rom", "com"],
        "scifi": ["sci", "fi"],
    ]

    /// Cue words a one-edit typo is repaired to (same first letter, length ≥ 5, so "fever"
    /// never becomes "never"; "except" is left out because "expect" is a word).
    static let repairable = ["without", "nothing", "anything", "something", "avoid", "please", "never",
                             "recommend", "rather", "definitely", "tired"]

    static var rewriteFingerprint: [String] {
        rewrites.keys.sorted().map { "\($0)=\(rewrites[$0]!.joined(separator: " "))" } + repairable
    }

    /// The tokens of the first ``PromptText/cueWindow`` characters of `text`; clause
    /// punctuation becomes a "," token.
    static func tokens(_ text: String) -> [String] {
        var cleaned = ""
        let chars = Array(text.prefix(PromptText.cueWindow).lowercased())
        for (i, c) in chars.enumerated() {
            switch c {
            case "’", "‘", "`", "´", "'":
                cleaned.append("'")
            case "-", "/":
                // Inside a word ("rom-com", "w/o") a joiner; between words a clause mark.
                let joins = i > 0 && i + 1 < chars.count && chars[i - 1].isLetter && chars[i + 1].isLetter
                if c == "/" && joins { cleaned.append("/") } else { cleaned.append(joins ? " " : " , ") }
            case ",", ";", ".", "!", "?", ":", "(", ")", "\"", "—", "–", "…", "[", "]":
                cleaned.append(" , ")
            case "&", "+":
                cleaned.append(" and ")
            default:
                cleaned.append(c.isLetter || c.isNumber ? c : " ")
            }
        }
        var out: [String] = []
        for raw in cleaned.split(separator: " ") {
            out.append(contentsOf: expand(String(raw)))
        }
        return out
    }

    /// One raw word to its tokens.
    private static func expand(_ raw: String) -> [String] {
        if raw == "w/o" { return ["without"] }
        if raw == "w/" { return ["with"] }
        if raw.contains("/") { return raw.split(separator: "/").flatMap { expand(String($0)) } }
        var word = raw
        while word.hasPrefix("'") { word.removeFirst() }
        while word.hasSuffix("'") { word.removeLast() }
        if word.isEmpty { return [] }
        if word.hasSuffix("n't") {
            let stem = String(word.dropLast(3))
            let fixed = ["ca": "can", "wo": "will", "sha": "shall", "ai": "is"][stem] ?? stem
            return [fixed, "not"]
        }
        for (suffix, full) in [("'m", "am"), ("'re", "are"), ("'ve", "have"), ("'d", "would"), ("'ll", "will")]
        where word.hasSuffix(suffix) {
            return [String(word.dropLast(suffix.count)), full]
        }
        if word.hasSuffix("'s") {
            let stem = String(word.dropLast(2))
            if stem == "let" { return ["let", "us"] }
            return ["it", "that", "what", "there", "here", "he", "she", "who"].contains(stem) ? [stem, "is"] : [stem]
        }
        word.removeAll { $0 == "'" }
        if let rewritten = rewrites[word] { return rewritten }
        return [repair(word)]
    }

    /// `word`, or the cue word it is one edit (insertion, deletion, substitution, adjacent swap) away from.
    static func repair(_ word: String) -> String {
        guard word.count >= 5 else { return word }
        for cue in repairable where cue != word && cue.first == word.first && abs(cue.count - word.count) <= 1 {
            if withinOneEdit(Array(word), Array(cue)) { return cue }
        }
        return word
    }

    static func withinOneEdit(_ a: [Character], _ b: [Character]) -> Bool {
        if a.count == b.count {
            let diffs = a.indices.filter { a[$0] != b[$0] }
            if diffs.count <= 1 { return true }
            return diffs.count == 2 && diffs[1] == diffs[0] + 1 && a[diffs[0]] == b[diffs[1]] && a[diffs[1]] == b[diffs[0]]
        }
        let (long, short) = a.count > b.count ? (a, b) : (b, a)
        var i = 0
        while i < short.count && long[i] == short[i] { i += 1 }
        return Array(long[(i + 1)...]) == Array(short[i...])
    }

    /// Whether `word` or its singular ("comedies" → "comedy", "heroes" → "hero") is a topic word.
    static func isTopic(_ word: String) -> Bool {
        if CueLexicon.topics.contains(word) { return true }
        if word.count > 4 && word.hasSuffix("ies") && CueLexicon.topics.contains(String(word.dropLast(3)) + "y") { return true }
        if word.count > 4 && word.hasSuffix("es") && CueLexicon.topics.contains(String(word.dropLast(2))) { return true }
        return word.count > 3 && word.hasSuffix("s") && CueLexicon.topics.contains(String(word.dropLast()))
    }
}
