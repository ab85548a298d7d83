// Which catalogue categories a prompt part names ("no more westerns" → Western), so that a refusal
// the router read can also be kept out of the ranking by the item index, not only steered away from.

/// Finds a catalogue's categories named in prompt text, by their names and a few common other names.
///
/// A category is named when the text's tokens (``CueTokens``: lower case, contractions and
/// "romcom"/"scifi" expanded, "children's" → "children") hold one of its forms as consecutive words:
/// - its name in that token form ("Sci-Fi" → "sci fi", "Film-Noir" → "film noir"), and the
///   plural of its last word ("westerns", "comedies");
/// - the other names in ``otherNames`` for the MovieLens genres ("science fiction", "kids",
///   "cartoons", "noir", "rom com" for both Romance and Comedy, …), and "kids movies" and the
///   like (``filmNouns``).
///
/// A word one typo away from a one-word form of at least ``minimumRepairLength`` letters, with the
/// same first letter, counts as that form ("thriler", "animted", "comdy"), as the router's cue words
/// are repaired.
///
/// Words that also name people ("kids", "children") name a category only as a kind of film: before
/// a film noun ("kids movies", "children's films", "kid stuff") or after "for" ("not for kids",
/// "nothing for the children"). "no gore, my kids are watching" refuses gore for the children's
/// sake; dropping children's films would turn it around.
///
/// Built with `descriptions`, the MovieLens genres are also named by the descriptions in
/// ``KindWords`` ("scary" → Horror, "elves" → Fantasy, "car chases" → Action), less those in
/// ``notDescriptiveEnough``. Recommend's drop and the evaluations of it build it so: a refusal by
/// description ("spare me the spaceships and laser guns") then drops its genre as a refusal by name
/// does. The prompt reader's own lookup (``PromptRouter/kindsRead``) uses names only. Descriptions
/// are not repaired for typos: many are short and common words with neighbours ("castle", "cattle").
public struct CategoryMentions: Sendable {
    /// The catalogue's category names; a category's id is its index here.
    public let names: [String]
    /// Each form (token sequence) with the categories it names, by the form's first token.
    private let forms: [String: [(tokens: [String], categories: [Int])]]
    /// The descriptions of ``notDescriptiveEnough`` the same way: a request holding one keeps its genre.
    private let askedForms: [String: [(tokens: [String], categories: [Int])]]
    /// The one-word forms a typo may be repaired to: their letters and categories.
    private let repairable: [(letters: [Character], categories: [Int])]

    /// Other names of the MovieLens genres, in ``CueTokens`` form, by the genre's data name.
    /// Written from the genre names and common English usage, not from any prompt set.
    static let otherNames: [String: [String]] = [
        "Sci-Fi": ["science fiction", "scifi"],
        "Children's": ["kids", "kid", "child", "childrens", "kiddie", "kiddies", "toddler", "toddlers"],
        "Animation": ["animated", "cartoon", "cartoons", "anime"],
        "Film-Noir": ["noir", "noirs"],
        "Romance": ["romantic", "rom com", "rom coms", "love story", "love stories"],
        "Comedy": ["comedic", "rom com", "rom coms"],
        "Documentary": ["docs", "docudrama", "docudramas"],
        "Horror": ["slasher", "slashers"],
        "Western": ["cowboy", "cowboys"],
        "Mystery": ["whodunit", "whodunits", "whodunnit", "whodunnits"],
    ]

    /// Descriptions in ``KindWords`` that a refusal may hold without refusing their genre: talk
    /// ("no horror lol"), idioms ("nothing drawn out", "no clue", "a crush"), words of other kinds
    /// ("comic book", "space opera", "soundtrack"), and the moods and audiences people ask for
    /// instead, which a refusal the reader did not cut holds ("nothing scary, keep it light hearted
    /// and family friendly"): dropping those would take away what the user asked for. A request
    /// holding one still keeps its genre (``categoriesKept(in:)``: "a funny movie, nothing silly").
    static let notDescriptiveEnough: Set<String> = [
        "lol", "comic", "drawn", "clue", "clues", "crush", "opera", "soundtrack", "spell",
        "fun", "funny", "hilarious", "laugh", "laughs", "laughing", "laugh out loud", "giggle", "upbeat", "cheerful",
        "lighthearted", "light hearted", "feel good", "humor", "humour", "humorous", "witty",
        "family friendly", "family film", "family movie", "kid friendly", "for the whole family", "little ones",
    ]

    /// Forms that also name people, and the nouns after which they name a kind of film.
    static let peopleWords: Set<String> = ["kid", "kids", "child", "children", "childrens", "toddler", "toddlers"]
    static let filmNouns: Set<String> = CueLexicon.mediaNouns.union(["show", "shows", "content", "fare", "tv", "program", "programs",
                                                                     "programme", "programmes", "entertainment", "cartoon", "cartoons",
                                                                     "one"])

    /// - Parameters:
    ///   - categoryNames: the catalogue's category names (an item index's or a dataset's).
    ///   - descriptions: whether the ``KindWords`` descriptions of the MovieLens genres name them too.
    public init(categoryNames: [String], descriptions: Bool = false) {
        names = categoryNames
        var byForm: [[String]: [Int]] = [:]
        var described: [[String]: [Int]] = [:], asked: [[String]: [Int]] = [:]
        for (id, name) in categoryNames.enumerated() where descriptions {
            for text in KindWords.descriptions[name] ?? [] {
                // One-word descriptions also name by their plurals, as the reader matches them.
                for form in text.contains(" ") ? [text] : [text, text + "s", text + "es"] {
                    let tokens = CueTokens.tokens(form)
                    // A plural may be a listed description too ("laugh" + "s"): each genre once per form.
                    let asks = Self.notDescriptiveEnough.contains(text)
                    guard !tokens.isEmpty, !((asks ? asked : described)[tokens] ?? []).contains(id) else { continue }
                    if asks { asked[tokens, default: []].append(id) } else { described[tokens, default: []].append(id) }
                }
            }
        }
        for (id, name) in categoryNames.enumerated() {
            var texts = [name]
            let words = CueTokens.tokens(name)
            if let last = words.last, last.count > 3 {
                let plural = last.hasSuffix("y") ? String(last.dropLast()) + "ies" : last + "s"
                texts.append((words.dropLast() + [plural]).joined(separator: " "))
            }
            texts += Self.otherNames[name] ?? []
            for text in texts {
                let tokens = CueTokens.tokens(text)
                guard !tokens.isEmpty, !(byForm[tokens] ?? []).contains(id) else { continue }
                byForm[tokens, default: []].append(id)
            }
        }
        let all = byForm.merging(described) { names, more in names + more.filter { !names.contains($0) } }
        forms = Dictionary(grouping: all.map { (tokens: $0.key, categories: $0.value) }, by: { $0.tokens[0] })
        askedForms = Dictionary(grouping: asked.map { (tokens: $0.key, categories: $0.value) }, by: { $0.tokens[0] })
        repairable = byForm.filter { $0.key.count == 1 && $0.key[0].count >= Self.minimumRepairLength }
            .map { (letters: Array($0.key[0]), categories: $0.value) }
    }

    /// Shorter forms are not repaired: "war", "noir", "kids" and "crime" have too many neighbours.
    static let minimumRepairLength = 6

    /// The ids of the categories `text` names, ascending: what a refusal holding it drops.
    public func categories(in text: String) -> [Int] {
        named(CueTokens.tokens(text)).sorted()
    }

    /// The categories `tokens` name (``categories(in:)``), unordered.
    private func named(_ tokens: [String]) -> Set<Int> {
        var found = Set<Int>()
        for (start, token) in tokens.enumerated() {
            found.formUnion(Self.matches(forms, at: start, in: tokens))
            // A typo may drop a letter: "comdy" is a comedy, as "comedi" is.
            guard token.count >= Self.minimumRepairLength - 1 else { continue }
            let letters = Array(token)
            for form in repairable where form.letters.first == letters.first && abs(form.letters.count - letters.count) <= 1
                && CueTokens.withinOneEdit(letters, form.letters) && Self.namesAKind([String(form.letters)], at: start, in: tokens) {
                found.formUnion(form.categories)
            }
        }
        return found
    }

    /// The ids of the categories `text` names or describes in any way ``KindWords`` knows,
    /// ``notDescriptiveEnough`` included, ascending: what a request holding it keeps.
    public func categoriesKept(in text: String) -> [Int] {
        let tokens = CueTokens.tokens(text)
        var found = named(tokens)
        for start in tokens.indices { found.formUnion(Self.matches(askedForms, at: start, in: tokens)) }
        return found.sorted()
    }

    /// What a part counts for the drop: ``categories(in:)`` for a refusal, ``categoriesKept(in:)`` for a request.
    public func categories(in text: String, refusal: Bool) -> [Int] {
        refusal ? categories(in: text) : categoriesKept(in: text)
    }

    /// The categories of the `forms` that start at `start` of `tokens`.
    private static func matches(_ forms: [String: [(tokens: [String], categories: [Int])]], at start: Int, in tokens: [String]) -> [Int] {
        (forms[tokens[start]] ?? []).filter { tokens[start...].starts(with: $0.tokens) && namesAKind($0.tokens, at: start, in: tokens) }
            .flatMap(\.categories)
    }

    /// Whether `form`, found at `start` of `tokens`, names a kind of film: always, unless it is a
    /// word that also names people (``peopleWords``), which must stand before a film noun or after "for".
    private static func namesAKind(_ form: [String], at start: Int, in tokens: [String]) -> Bool {
        guard form.count == 1, peopleWords.contains(form[0]) else { return true }
        if start + 1 < tokens.count, filmNouns.contains(tokens[start + 1]) { return true }
        if start >= 1, tokens[start - 1] == "for" { return true }
        return start >= 2 && tokens[start - 2] == "for" && ["the", "little", "young", "small"].contains(tokens[start - 1])
    }

    /// The categories to keep out of the ranking for a prompt's applied parts: those a refusal
    /// names and no request names ("a comedy, but not a rom com" drops Romance and keeps Comedy),
    /// ascending. Parts left out as unsure drop nothing: only what steered may filter.
    public func refused<Part>(by parts: [Part], text: (Part) -> String, isRefusal: (Part) -> Bool) -> [Int] {
        Self.refused(parts.map { (named: categories(in: text($0), refusal: isRefusal($0)), isRefusal: isRefusal($0)) })
    }

    /// The same rule for parts whose categories were looked up already (``categories(in:refusal:)``).
    public static func refused(_ parts: [(named: [Int], isRefusal: Bool)]) -> [Int] {
        var refused = Set<Int>(), requested = Set<Int>()
        for part in parts {
            if part.isRefusal { refused.formUnion(part.named) } else { requested.formUnion(part.named) }
        }
        return refused.subtracting(requested).sorted()
    }

    /// ``refused(by:text:isRefusal:)`` for a reading's parts (pass the applied ones: ``PromptReading/steeredParts(minimumConfidence:)``).
    public func refused(by parts: [PromptReading.Part]) -> [Int] {
        refused(by: parts, text: \.text, isRefusal: { $0.decision.polarity == .negative })
    }
}
