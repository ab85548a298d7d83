// The word lists behind the router's negation-cue features: negators, double-negative partners,
// restrictions, ask phrases and the topic words that make an ask concrete.

/// The router's lexicon. Phrases are written in the token form ``CueTokens`` produces
/// (lower case, contractions expanded: "don't" → "do not", "can't" → "can not").
///
/// Changing any list changes the features, so ``RouterModel`` stores ``fingerprint`` and
/// refuses a model file trained against a different lexicon.
enum CueLexicon {
    /// Cues that mark what follows as something to avoid.
    static let negators: [String] = [
        "no", "not", "never", "nothing", "none", "nobody", "without", "nah", "nope", "ugh", "zero",
        "neither", "nor", "minus", "sans", "except", "avoid", "avoiding", "avoids", "skip", "skipping",
        "skips", "hate", "hates", "hated", "dislike", "dislikes", "detest", "loathe", "exclude",
        "excluding", "ditch", "ban", "stop", "less", "fewer", "spare me", "sick of", "tired of",
        "bored of", "bored with", "fed up", "enough of", "enough with", "enough already", "had it with",
        "done with", "rather not", "away from", "stay away", "keep away", "steer clear", "pass on",
        "hard pass", "will pass", "hold the", "leave out", "leave off", "cut out", "cut the",
        "drop the", "lose the", "say no", "over it", "am over", "so over", "allergic to", "last thing",
        "free of", "to a minimum", "go easy on", "tone down", "get rid of", "none of", "no thanks",
        "no way", "count me out", "refuse", "refuses", "refusing", "enough", "too much", "too many", "away", "other than", "apart from", "aside from",
        "spare us", "stay clear", "clear of", "a miss", "a rest", "break from", "rule out", "weed out", "cross off",
        "off limits", "turn off", "turns me off", "put me off", "puts me off", "nix", "scrap", "veto", "omit", "remove",
        "hide", "block", "mute", "banish", "another time", "another night", "another day", "some other time",
        "for later", "forget about", "forget", "drop", "strike", "quit", "cancel", "hold back", "had my fill",
        "on my nerves", "put off", "turned off", "leave aside", "set aside", "a pass", "out of the question",
        "instead of", "rather than", "lay off", "ease up on", "cut back on", "cut down on", "rain check",
        // Refusing, filtering, postponing, and judging a kind of film badly ("westerns bore me").
        "refrain", "hold off", "filter out", "screen out", "strip out", "off the table", "off the list", "off my list",
        "no go", "finished with", "through with", "over with", "uninterested", "opt out", "sit out", "decline",
        "reject", "ignore", "disregard", "eliminate", "postpone", "next time", "dump", "toss", "shelve", "shun",
        "eschew", "bypass", "sidestep", "dodge", "keep clear", "stay off", "steer away", "bore", "bores",
        "boring", "tedious", "annoy", "annoys", "annoying", "irritate", "irritates", "irritating", "gross",
        "grosses me out", "creeps me out", "creep me out", "freak me out", "freaks me out", "nightmares",
        "upsets me", "makes me sick", "cringe", "cringey", "overrated", "awful", "terrible", "the worst",
        "despise", "despises", "abhor", "draw the line", "thumbs down", "am good on", "downrank",
        // Having had enough ("we've had our fill of crime", "we hit our limit on heists"), and
        // limits ("not too much romance": right after "not", "too much" caps the thing instead of
        // cancelling the negation as in "you can't have too much comedy").
        "had our fill", "had their fill", "hit our limit", "hit my limit", "reached my limit", "reached our limit",
        "not too much", "not too many",
        // "Not tonight, cowboys": the comma is part of the refusal, so the negation scopes the
        // words after it instead of ending at the clause break.
        "not tonight ,", "not today ,", "not now ,", "not this time ,",
    ]

    /// Verbs that negate with a particle a few words later ("keep comedy off", "leave the gore
    /// out"): the verb becomes a negator whose scope holds the words up to the particle.
    static let separableVerbs: Set<String> = ["keep", "keeps", "keeping", "kept", "leave", "leaves", "leaving", "left",
                                              "take", "takes", "taking", "took", "cross", "strike", "rule", "cut",
                                              "weed", "count", "shut", "knock", "wipe", "scratch", "put", "puts",
                                              "filter", "screen", "block", "tune", "phase", "sit", "hold"]
    /// Objects right after a separable verb that make it no negation ("take my mind off things").
    static let separableSelfObjects: Set<String> = ["me", "my", "us", "our", "myself", "ourselves"]
    /// The particles that close a ``separableVerbs`` negation.
    static let separableParticles: Set<String> = ["off", "out", "away", "aside"]
    /// How many words may stand between a separable verb and its particle.
    static let separableWindow = 4

    /// Politeness and hedges that hold a negation word but negate nothing ("if you don't mind,
    /// …", "I'm not picky"): matched like cues and then ignored.
    static let neutralPhrases: [String] = [
        "if you do not mind", "if you would not mind", "if it is not too much trouble", "if it is no trouble",
        "if that is not too much trouble", "no worries", "no rush", "no pressure", "no problem", "not sure",
        "not picky", "not fussy", "no preference", "i do not know", "do not know", "not that it matters",
        "without fail", "no matter what", "no doubt", "no question",
        // Insisting on one thing: "westerns or nothing", "give me a comedy or give me nothing".
        "or nothing", "or give me nothing",
    ]

    /// Words that only negate; a following partner from ``cancellable`` turns the pair into a
    /// double negative ("would not mind", "never get tired of", "no shortage of").
    static let cancellingNegators: Set<String> = ["no", "not", "never", "nothing"]

    /// Partners that a preceding negator (within ``cancelWindow`` tokens, same clause) flips
    /// to a wish. Some are negators themselves ("not without", "never skip").
    static let cancellable: [String] = [
        "mind", "miss", "missing", "resist", "wait", "shortage", "lack", "object", "complain",
        "against", "opposed", "averse", "refuse", "hold back", "say no", "turn down", "pass up",
        "enough", "without", "hate", "dislike", "skip", "avoid", "stop", "sick of", "tired of",
        "bored of", "problem with", "objection", "shy away", "get enough", "enough of", "forget", "drop", "quit",
        "bore", "bores", "boring", "filter out", "hold off", "ignore", "reject", "decline", "dodge",
        // Idioms of enthusiasm: "nothing beats", "no better night for", "never a bad time",
        // "can't go wrong with", "never tire of", "never gets old", "never pass on", "don't leave out".
        "beats", "tops", "better", "bad time", "go wrong", "tire", "tires", "get old", "gets old", "grow old",
        "pass on", "leave out", "leave off", "too much", "complete without",
        // "There is no such thing as too many westerns": the negator stands four words before "too many".
        "such thing as too much", "such thing as too many",
    ]

    /// How far a double-negative partner may follow its negator ("do not want to miss": 3).
    static let cancelWindow = 3

    /// "anything but X": an exclusion, unless a negator precedes it in the clause
    /// ("not in the mood for anything but X" asks for X).
    static let anythingBut: [String] = [
        "anything but", "anything except", "anything other than", "anything besides", "anything apart from",
        "anything aside from", "anything save", "everything but", "everything except", "whatever but",
        "anything that is not", "anything that isnt", "something that is not", "anything which is not",
        "any genre but", "any genre except", "any kind but", "any kind except", "any type but", "any type except",
        "anything else but", "every genre but", "every genre except",
    ]

    /// Restrictions that ask for exactly one thing ("nothing but westerns", "only comedies").
    static let restrictions: [String] = [
        "nothing but", "nothing except", "nothing other than", "nothing besides", "nothing apart from",
        "none but", "only", "exclusively", "strictly", "nothing else", "why not", "yes to", "bring on",
        "nothing like a", "nothing like an", "nothing like the", "nothing quite like",
    ]

    /// Ways to ask for something.
    static let asks: [String] = [
        "want", "wanna", "give me", "show me", "recommend", "suggest", "looking for", "look for",
        "in the mood for", "go for", "feel like", "craving", "crave", "fancy", "find me", "hook me up",
        "up for", "down for", "how about", "what about", "into", "love", "like", "need", "let us",
        "surprise me", "pick", "play", "put on", "would be", "sounds good", "could use",
        "prefer", "hit the spot", "any good", "got any", "sucker for", "more",
    ]

    /// Words and phrases that end one clause and start the next; a negator's scope stops here.
    static let clauseBreaks: [String] = [
        ",", "but", "though", "although", "however", "just", "so", "because", "as long as",
        "provided", "yet", "whereas", "while", "instead",
    ]

    /// A comma inside a list does not end a negator's scope: "no horror, thriller or gore" refuses
    /// all three. A list runs on from the comma through items of at most ``listItemWords`` words
    /// and ends with one of ``listJoiners`` ("…, spells or magic rings"); an item that holds a
    /// cue, or one of ``listStoppers``, is a clause of its own ("no horror, comedy is fine").
    /// ``listClosers`` do not count as item words ("…, gore or jump scares tonight please").
    static let listJoiners: Set<String> = ["or", "and"]
    static let listItemWords = 3
    /// The courtesies and times that close a request, as the prompt reader knows them.
    static var listClosers: Set<String> { PromptClauses.closers }
    static let listStoppers: Set<String> = [
        "is", "are", "was", "were", "be", "fine", "welcome", "ok", "okay", "good", "great", "instead", "yes",
    ]

    /// Negators that attach an exclusion to a concrete ask inside one clause
    /// ("an action movie without gore"); elsewhere a negator leads its clause.
    static let refinementConnectors: Set<String> = [
        "without", "minus", "sans", "except", "other than", "apart from", "aside from", "less", "fewer",
        "instead of", "rather than",
    ]

    /// Content words that make an ask concrete: genres, moods, themes, formats (singular forms;
    /// ``CueTokens/singular(_:)`` maps plurals onto them). An ask made only of "something", "anything",
    /// "a movie" is generic, and an exclusion next to it decides the prompt.
    static let topics: Set<String> = [
        "comedy", "funny", "laugh", "horror", "scary", "scare", "thriller", "romance", "romantic",
        "rom", "com", "drama", "action", "sci", "fi", "science", "fiction", "documentary", "docu",
        "anime", "animated", "animation", "cartoon", "western", "musical", "mystery", "crime",
        "heist", "war", "zombie", "vampire", "superhero", "fantasy", "adventure", "family",
        "noir", "classic", "indie", "foreign", "korean", "french", "japanese", "italian", "bollywood",
        "spy", "detective", "courtroom", "disaster", "sport", "biopic", "period", "historical", "epic",
        "dark", "sad", "tearjerker", "gore", "gory", "violence", "violent", "bloody",
        "explosion", "dog", "cat", "animal", "space", "travel", "robot", "alien", "dinosaur",
        "pirate", "ghost", "witch", "monster", "shark", "clown", "christmas", "holiday", "teen",
        "slasher", "psychological", "dystopian", "cyberpunk", "martial", "kung", "fu", "samurai",
        "cowboy", "gangster", "mafia", "political", "satire", "parody", "mockumentary", "silent",
        "subtitle", "subtitled", "dubbed", "long", "short", "slow", "burn", "twist", "ending", "happy",
        "cozy", "cosy", "wholesome", "mindless", "cheesy", "campy", "quirky", "weird", "surreal", "artsy",
        "oscar", "blockbuster", "cult", "remake", "sequel", "trilogy", "friendship", "heartwarming",
        "uplifting", "tragedy", "suspense", "tense", "nature", "history", "music", "dance", "cooking",
        "murder", "serial", "killer", "jump", "nudity", "swearing", "politics", "religion", "depressing",
        "tear", "cry", "costume", "medieval", "magic", "wizard", "dragon", "fairy", "princess",
        "superpower", "hero", "heroine", "noir", "thrilling", "romcom", "scifi", "feelgood", "standup",
        "black", "white", "light", "heavy", "silly", "intense", "creepy", "upbeat", "gritty", "cute", "old",
        "blood", "spider", "needle", "chase", "footage", "triangle", "kid", "children", "fun", "lighthearted",
    ]

    /// Nouns for "a kind of film": with a content word before them ("tom hanks movies",
    /// "road trip films") they make an ask concrete even when the words are not ``topics``.
    static let mediaNouns: Set<String> = ["movie", "movies", "film", "films", "flick", "flicks",
                                          "cinema", "ones", "stuff", "classics", "picture", "pictures"]

    /// Words that do not make an ask concrete before a media noun ("a good movie", "any film").
    static let genericWords: Set<String> = [
        "a", "an", "the", "some", "any", "good", "great", "nice", "other", "another", "this", "that", "these",
        "those", "my", "your", "our", "of", "with", "for", "to", "me", "i", "you", "we", "and", "or", "watch",
        "see", "few", "couple", "more", "decent", "random", "whatever", "something", "anything", "one", "is",
        "it", "am", "are", "do", "have", "like", "want", "give", "show", "recommend", "find", "please", "just",
    ]

    /// A clause made only of these is a bare refusal ("horror? no thanks", "we've seen too much
    /// of that, skip it"): it negates the clause before it instead of refining it.
    static let refusalWords: Set<String> = [
        "no", "thanks", "thank", "you", "nope", "way", "nah", "hard", "pass", "i", "will", "ugh", "not",
        "for", "me", "please", "lol", "tbh", "never", "this", "weekend", "tonight", "today", "again",
        "skip", "it", "seriously", "hell", "sorry", "that", "one", "definitely", "oh", "with", "my", "friends",
        "date", "night", "movie", "evening", "so", "thx", "really", "just", "ok", "okay", "haha",
    ]

    /// Fillers skipped when deciding whether a prompt opens with a negator ("hey, no horror").
    static let openers: Set<String> = [
        "hey", "hi", "ok", "okay", "so", "hmm", "um", "uh", "well", "honestly", "please", "and", "oh",
        "yeah", "right", "listen", "look", "alright", "kindly", "could", "would", "can", "you", "we", "i", "do",
        "just", "maybe", "perhaps", "really", "seriously", "pretty",
    ]

    /// A digest of every list, stored in the model file.
    static var fingerprint: String {
        let parts = [negators, cancellingNegators.sorted(), cancellable, anythingBut, restrictions, asks,
                     clauseBreaks, refinementConnectors.sorted(), topics.sorted(), openers.sorted(),
                     mediaNouns.sorted(), genericWords.sorted(), refusalWords.sorted(),
                     CueTokens.rewriteFingerprint, ["window=\(cancelWindow)"],
                     separableVerbs.sorted(), separableParticles.sorted(), separableSelfObjects.sorted(), ["separable=\(separableWindow)"], neutralPhrases,
                     listJoiners.sorted(), listStoppers.sorted(), listClosers.sorted(), ["list=\(listItemWords)"]]
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325 // FNV-1a: stable across runs, unlike Hasher.
        for byte in parts.map({ $0.joined(separator: "|") }).joined(separator: "#").utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
        }
        return String(hash, radix: 16)
    }
}
