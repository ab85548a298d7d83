// The generator's raw material: prompt templates per kind of phrasing, topics and adjectives.
// `{t}` and `{u}` are two different topics, `{a}` an adjective.

/// Template lists for ``TrainingPhrasings``. Written from general English usage, not from the
/// held-out fixture (Tests/Fixtures/router/heldout.tsv), which a test keeps disjoint.
enum TrainingTemplates {
    /// Plain and indirect wishes.
    static let wishes = [
        "i want {t}", "i want something {a}", "i'd like {t}", "i would love some {t}", "give me {t}", "gimme {t}",
        "gimme something {a}", "show me {t}", "show me something {a}", "recommend {t}", "recommend me something {a}",
        "can you recommend {t}", "suggest some {t}", "looking for {t}", "i'm looking for something {a}",
        "in the mood for {t}", "i'm in the mood for something {a}", "i could go for {t}",
        "could go for some {t} right now", "what about some {t}?", "how about {t}?", "maybe {t}?", "feel like {t}",
        "i feel like watching something {a}", "craving {t}", "i'm craving something {a}", "fancy some {t}",
        "find me {t}", "hook me up with {t}", "hook me up with something {a}", "up for {t}", "down for some {t}",
        "let's watch {t}", "let's do {t} this evening", "put on some {t}", "play {t}", "{t} please", "{t}, please",
        "{t}!", "{t}", "some {t}", "something {a}", "something {a} please", "more {t}", "more {t} like last time",
        "i love {t}", "i'm into {t}", "big fan of {t}", "i really enjoy {t}", "{t} would be great",
        "{t} sounds good", "{t} would be perfect", "definitely {t}", "{t} all the way", "yes please, {t}",
        "any {t}?", "got any {t}?", "do you have {t}?", "is there any good {t}?", "what's some good {t}?",
        "need {t}", "i need something {a}", "surprise me with {t}", "pick {t} for me", "i'm after {t}",
        "tonight calls for {t}", "something {a} with {t}", "{t} with {u}", "{t} or {u}", "{t} and {u}",
        "i'd be happy with {t}", "{t} is fine", "i'm good with {t}", "throw some {t} at me", "lemme see {t}",
        "i wanna see {t}", "wanna watch {t}", "i'm keen on {t}", "keen for {t}", "i'd enjoy {t}",
        "i'm in a {a} mood", "in a {a} mood, {t} maybe", "we're watching {t} tonight", "time for {t}",
        "my kids want {t}", "a {a} one please", "i'd go with {t}", "it has to be {t}",
        "we'd like {t} tonight", "i'd really like to see {t}", "i would very much like {t}", "i'm hoping for {t}",
        "hoping for something {a}", "what i'd like is {t}", "{t} is what i'm after", "{t} is exactly what i need",
        "it's a {t} kind of night", "tonight feels like a {t} night", "we're all in the mood for {t}",
        "i could really use some {t}", "some {t} would be nice", "it would be great to see {t}",
        "i'd be thrilled with {t}", "nothing beats {t}", "you can't go wrong with {t}", "{t}, the more the better",
        "i'm leaning towards {t}", "leaning toward {t} tonight", "my vote goes to {t}", "i vote for {t}",
        "count me in for {t}", "i'm all for {t}", "i'm game for {t}", "i'm really feeling {t}", "feeling {t} today",
        "we want {t} for the kids", "the family wants {t}", "my partner and i want {t}", "i'm in a {t} mood",
        "i've been wanting to watch {t}", "been dying to see {t}", "i miss watching {t}", "i'm overdue for {t}",
        "i'm after something {a} and {a2}", "something {a} would be perfect", "ideally {t}", "preferably {t}",
        "{t}, if you have any", "{t} if there's any", "i'd settle for {t}", "anything {a} would do",
        "what have you got in {t}?", "any {t} you'd suggest?", "which {t} would you pick?",
    ]

    /// Double negatives and restrictions: negation words, positive meaning.
    static let doubleNegatives = [
        "i wouldn't say no to {t}", "wouldn't say no to some {t}", "i'd never say no to {t}", "i wouldn't mind {t}",
        "wouldn't mind something {a}", "i don't mind {t}", "can't wait to watch {t}", "i can't wait for {t}",
        "don't want to miss {t}", "i don't wanna miss out on {t}", "i can't get enough of {t}",
        "can't get enough {t}", "i never get tired of {t}", "never tired of {t}", "i'm never sick of {t}",
        "give me something with no shortage of {t}", "not without {t}", "never without {t}",
        "i'm not against {t}", "wouldn't be opposed to {t}", "i'm not averse to {t}", "i'd never skip {t}",
        "i can't resist {t}", "couldn't resist some {t}", "don't hold back on the {t}", "no objection to {t}",
        "i'd never pass up {t}", "wouldn't turn down {t}", "why not {t}?", "why not some {t}", "i don't hate {t}",
        "not in the mood for anything except {t}", "not in the mood for anything but {t}",
        "i don't want anything but {t}", "i don't want anything except {t}", "don't show me anything other than {t}",
        "nothing but {t}", "nothing but {t} this evening", "nothing except {t}", "only {t}", "only {t} please",
        "just {t}, nothing else", "{t} only", "exclusively {t}", "i want nothing but {t}",
        "don't give me anything that isn't {t}", "no movies except {t}", "nothing other than {t}", "yes to {t}",
        "bring on the {t}", "i never skip {t}", "can't say no to {t}",
        "{t} never bores me", "{t} is never boring", "i'm never bored by {t}", "don't filter out the {t}",
        "don't hold off on the {t}", "i'd never ignore {t}", "i'd never reject {t}", "i won't decline {t}",
    ]

    /// Exclusions, with and without "not".
    static let avoidances = [
        "no {t}", "no {t} please", "please no {t}", "not {t}", "not {t} again", "nothing {a}", "nothing too {a}",
        "nothing with {t}", "i don't want {t}", "i do not want {t}", "don't want anything {a}",
        "i don't feel like {t}", "not in the mood for {t}", "i'm not in the mood for anything {a}",
        "i'm not feeling {t}", "not feeling {t} today", "avoid {t}", "please avoid {t}", "avoid anything with {t}",
        "skip {t}", "skip the {t}", "let's skip {t}", "spare me the {t}", "spare me {t}", "enough with the {t}",
        "enough {t} already", "enough of {t}", "no more {t}", "hold the {t}", "nah to {t}", "nah, no {t}",
        "pass on {t}", "i'll pass on {t}", "hard pass on {t}", "i hate {t}", "i really dislike {t}", "sick of {t}",
        "i'm sick of {t}", "so sick and tired of {t}", "tired of {t}", "i'm tired of {t}", "fed up with {t}",
        "i've had enough of {t}", "had it with {t}", "done with {t}", "anything but {t}", "anything except {t}",
        "anything other than {t}", "anything besides {t}", "i'd rather not watch {t}", "rather not {t}",
        "i can't stand {t}", "can't handle {t}", "keep {t} away from me", "keep the {t} away", "stay away from {t}",
        "steer clear of {t}", "without {t}", "without {t} please", "never {t}", "never show me {t}",
        "don't show me {t}", "don't recommend {t}", "please don't suggest {t}", "exclude {t}", "excluding {t}",
        "no {t} at all", "zero {t}", "ditch the {t}", "cut the {t}", "drop the {t}", "leave out the {t}",
        "minus the {t}", "free of {t}", "keep it free of {t}", "i'm over {t}", "so over {t}", "allergic to {t}",
        "the last thing i want is {t}", "keep {t} to a minimum", "go easy on the {t}", "tone down the {t}",
        "get rid of the {t}", "none of that {t}", "{t}? no thanks", "{t}? nope", "{t}? no way", "{t} is a no for me",
        "{t} is a hard no", "not a fan of {t}", "not into {t}", "don't like {t}", "i don't do {t}", "ugh, no {t}",
        "count me out of {t}", "stop showing me {t}", "less {t}", "fewer {t}", "let's not do {t}",
        "let's not watch {t}", "can we not do {t}", "i refuse to watch {t}", "please, nothing {a}",
        "i'm not up for {t}", "{t} makes me want to leave, so no", "we've seen too much {t}, skip it",
        "i would hate {t}", "no {a} stuff", "nothing {a} or {a2}",
        "not in the mood for {t} tonight", "i'm really not in the mood for {t}", "we're not in the mood for {t}",
        "i'm done with {t} for a while", "i'm so done with {t}", "we're done with {t}", "no more {t} for me",
        "no more {t}, please", "no more {t} this week", "i've seen enough {t}", "i've had my fill of {t}",
        "i need a break from {t}", "we need a break from {t}", "i can do without {t}", "we could do without {t}",
        "i'd prefer no {t}", "i'd prefer to avoid {t}", "i'd prefer not to watch {t}", "not really feeling {t}",
        "{t} isn't my thing", "{t} isn't for me tonight", "{t} turns me off", "{t} puts me off", "{t} doesn't appeal",
        "i don't fancy {t}", "i don't care for {t}", "i have no interest in {t}", "no interest in {t}",
        "i'm not keen on {t}", "{t} is off limits", "{t} off limits tonight", "i'm avoiding {t}",
        "we're avoiding {t} this week", "without any {t}", "anything but {t} please", "everything but {t}",
        "not {t} this time", "not another {t}", "no {t}, no {u}", "neither {t} nor {u}", "no {t} or {u}",
        "please no more {t}", "my kids can't watch {t}", "the kids shouldn't see {t}", "we don't want {t}",
        "we'd rather not have {t}", "i'd rather avoid {t}", "i'd sooner skip {t}", "i'm not up for anything {a}",
        "not in the mood for anything {a}", "i'm staying away from {t}", "no {t} whatsoever", "absolutely no {t}",
        "definitely no {t}", "under no circumstances {t}", "i'm begging you, no {t}", "for the love of god, no {t}",
        "i can't bear {t}", "i can't take any more {t}", "{t} gets on my nerves", "i'm allergic to {t}",
        "{t}, not tonight", "{t}? not tonight", "{t}? hard pass", "{t}? i'll pass", "give {t} a pass",
        "{t} is out of the question", "i'll give {t} a pass tonight", "anything instead of {t}",
        "something else instead of {t}", "anything rather than {t}", "lay off the {t}", "ease up on the {t}",
        "let's cut back on {t}", "cut down on the {t}", "i'll take a rain check on {t}",
        "please refrain from suggesting {t}", "refrain from {t} tonight", "hold off on {t}", "hold off on the {t} for now",
        "filter out {t}", "filter out the {t}", "filter the {t} out", "screen out the {t}", "strip out the {t}",
        "{t} is off the table", "{t} is off the table tonight", "take {t} off the table", "{t} is a no go",
        "i'm finished with {t}", "i'm through with {t}", "we're through with {t} for now", "i'm uninterested in {t}",
        "i'll sit out the {t}", "i'd like to opt out of {t}", "i'll decline the {t}", "reject anything {a}",
        "ignore the {t}", "disregard {t}", "eliminate {t} from the picks", "postpone the {t}", "{t} next time",
        "save {t} for next time", "dump the {t}", "toss the {t}", "shelve the {t}", "shun {t}", "bypass the {t}",
        "sidestep {t}", "dodge the {t}", "keep clear of {t}", "stay off the {t}", "steer away from {t}",
        "{t} bores me", "{t} bore me to tears", "{t} is so boring", "{t} is tedious", "{t} annoys me",
        "{t} is annoying", "{t} irritates me", "{t} grosses me out", "{t} creeps me out", "{t} freaks me out",
        "{t} gives me nightmares", "{t} upsets me", "{t} makes me sick", "{t} makes me cringe", "{t} is overrated",
        "{t} is awful", "{t} is the worst", "i despise {t}", "i abhor {t}",
    ]

    /// Verb-first requests for something, wrapped in ``politeWrappers`` (and used bare).
    static let positiveImperatives = [
        "recommend {t}", "recommend some {t}", "suggest {t}", "suggest something {a}", "find me {t}", "find us some {t}",
        "show me {t}", "show us some {t}", "put on {t}", "put on something {a}", "pick {t}", "pick out some {t}",
        "line up {t}", "line up some {t} for tonight", "queue up {t}", "cue up some {t}", "pull up {t}",
        "go with {t}", "stick with {t}", "stick to {t} tonight", "make it {t}", "keep the {t} coming", "keep it {a}",
        "give me {t}", "give us something {a}", "add {t} to the list", "add some {t} to the queue",
        "put {t} on the list", "put {t} at the top of the list", "include {t}", "include some {t}",
        "throw in some {t}", "load up the {t}", "fill the list with {t}", "get me {t}", "get us some {t}",
        "set up {t} for movie night", "treat me to {t}", "serve up some {t}", "dig out some {t}",
        "track down some {t}", "round up some {t}", "point me to some {t}", "lean into {t}", "go for {t}",
        "play {t}", "start us off with {t}", "make tonight a {t} night", "keep {t} on the list",
        "leave {t} on the list", "keep {t} in the mix", "mix in some {t}", "bring me {t}", "bring on the {t}",
        "choose {t}", "select some {t}", "put together a list of {t}", "help me find {t}", "help us pick {t}",
        "keep the {t} on", "focus on {t}", "stick to {t} only",
    ]

    /// Verb-first requests to avoid something, wrapped in ``politeWrappers`` (and used bare).
    static let negativeImperatives = [
        "skip {t}", "skip the {t}", "skip anything {a}", "leave out {t}", "leave {t} out", "leave the {t} out of it",
        "leave {t} off the list", "keep {t} off the list", "keep {t} off the queue", "keep {t} off tonight's lineup",
        "keep {t} out of it", "keep {t} out of the mix", "keep the {t} away", "keep {t} away from us",
        "take {t} off the list", "cross {t} off", "cross off the {t}", "strike {t} from the list", "rule out {t}",
        "weed out the {t}", "cut out {t}", "cut the {t}", "drop {t}", "drop the {t}", "lose the {t}", "ditch the {t}",
        "nix the {t}", "scrap the {t}", "hold the {t}", "hold back on the {t}", "go easy on the {t}",
        "spare me the {t}", "spare us the {t}", "spare me any {t}", "avoid {t}", "avoid anything {a}",
        "stay clear of {t}", "stay away from {t}", "give {t} a miss", "give {t} a rest", "give the {t} a rest",
        "forget the {t}", "forget about {t}", "don't show {t}", "don't put on {t}", "don't pick {t}",
        "don't give me {t}", "don't include {t}", "don't add {t}", "don't suggest anything {a}",
        "don't bother with {t}", "don't even think about {t}", "hide {t}", "hide anything {a}", "block {t}",
        "remove {t}", "remove the {t} from the list", "exclude {t}", "omit {t}", "banish {t}", "mute {t}",
        "veto {t}", "pass on {t}", "save the {t} for another night", "save {t} for later",
        "leave {t} for another time", "keep it free of {t}", "keep {t} to a minimum", "tone down the {t}",
        "take the {t} away", "put the {t} aside", "count {t} out", "knock {t} off the list",
        "don't go anywhere near {t}", "never put on {t}", "stop suggesting {t}", "quit recommending {t}",
        "filter out {t}", "filter {t} out", "screen out the {t}", "hold off on {t}", "refrain from suggesting {t}",
        "take {t} off the table", "steer away from {t}", "sidestep {t}", "ignore {t}", "block out the {t}",
    ]

    /// Politeness around an imperative (`{x}`), the same for both polarities so that length and
    /// courtesy carry no polarity.
    static let politeWrappers = [
        "{x}", "please {x}", "{x}, please", "could you {x}", "could you please {x}", "would you {x}",
        "would you kindly {x}", "kindly {x}", "can you {x}", "can you please {x}", "i'd appreciate it if you'd {x}",
        "i'd be grateful if you could {x}", "if it's no trouble, {x}", "if you don't mind, {x}",
        "if you wouldn't mind, {x}", "when you get a chance, {x}", "do me a favour and {x}", "be a star and {x}",
        "{x}, if you would", "{x}, thank you", "{x}, thanks a lot", "{x} if possible", "{x}, would you?",
        "would it be possible to {x}?", "i was hoping you could {x}", "i'd love it if you could {x}",
        "it'd be great if you could {x}", "might i ask you to {x}", "may i ask you to {x}", "pretty please {x}",
        "just {x}", "for tonight, {x}", "for me, {x}", "hey, could you {x}?",
        "ok, {x}", "alright, {x} this time", "honestly, just {x}", "{x} for our movie night",
        "for date night, {x}", "sir, {x}", "dear assistant, {x}", "i'd like you to {x}", "i need you to {x}",
        "can i ask you to {x}", "would you be able to {x}?", "{x} and we're good", "{x} and i'll be happy",
    ]

    /// An exclusion beside a generic ask: the exclusion is the main intent (negative).
    static let genericExclusions = [
        "anything that isn't {t}", "something that's not {t}", "got anything that isn't {t}?",
        "whatever, just no {t}", "anything, just not {t}", "something to watch, minus the {t}",
        "a movie, but not {t}", "any film as long as it's not {t}", "whatever you pick, but no {t}",
        "surprise me, but no {t}", "something, anything, but not {t}", "i don't care what, just no {t}",
        "something without {t}", "something, but without {t}", "a movie without {t}", "anything without {t}",
        "find me something with no {t}", "any movie is fine except {t}", "show me whatever, no {t}",
        "give me something, but nothing {a}", "recommend a film that doesn't have {t}",
    ]

    /// A concrete ask refined by an exclusion: the ask is the main intent (positive).
    static let refinedWishes = [
        "{t}, but no {u}", "{t} but without {u}", "{t} without {u}", "{t} with no {u}", "i want {t}, just not {u}",
        "{t} please, skip the {u}", "{t}, nothing with {u}", "give me {t} but not {u}",
        "in the mood for {t}, no {u} though", "no {u}, but {t} would be great", "not {u}, more like {t}",
        "skip the {u}, give me {t}", "{t} minus the {u}", "{t} that isn't {u}", "some {t}, hold the {u}",
        "i'd love {t}, but spare me the {u}", "{t} except {u}", "{t} - no {u}", "something {a}, but not {u}",
        "avoid {u}; i want {t}", "i hate {u}, show me {t}", "{t}, just nothing too {a}",
        "i'm craving {t}, not {u}", "not {u} tonight, i want {t}", "{t} that's not too {a}",
        "{t} instead of {u}", "i'd like {t} rather than {u}", "instead of {u}, give me {t}", "{t} rather than {u}",
    ]

    /// Topics: noun phrases that read naturally after "no", "want" and "avoid".
    static let topics = [
        "comedy", "comedies", "horror", "horror movies", "romance", "sci-fi", "science fiction", "documentaries",
        "movies with dogs", "long films", "subtitles", "violence", "sad endings", "westerns", "musicals",
        "war movies", "jump scares", "gore", "anime", "superhero movies", "rom-coms", "true crime", "period dramas",
        "heist films", "zombie flicks", "cartoons", "thrillers", "murder mysteries", "black and white films",
        "kung fu movies", "space operas", "courtroom dramas", "spy films", "slow burners", "feel-good films",
        "tearjerkers", "found footage", "slashers", "christmas movies", "foreign films", "dubbed movies",
        "sequels", "remakes", "romantic comedies", "psychological horror", "french cinema", "80s action",
        "disaster movies", "sports films", "biopics", "cheesy stuff", "dark stuff", "animated films",
        "vampire films", "nudity", "swearing", "political films", "films about war", "tom hanks movies",
        "nolan films", "movies set in paris", "stuff with robots", "films with talking animals", "musicals",
        "teen dramas", "mafia movies", "kids' films", "bollywood", "korean thrillers", "silent films",
        "three-hour epics", "mindless action", "cult classics", "oscar winners", "low-budget indies",
        "movies about cooking", "space movies", "alien invasions", "time travel", "ghost stories",
        "fantasy adventures", "family movies", "road trip movies", "dance movies", "monster movies",
        "shark movies", "creepy clowns", "spiders", "needles", "blood", "car chases", "explosions",
        "love triangles", "dream sequences", "twist endings", "cliffhangers", "political stuff",
        "action", "adventure", "animation", "crime", "drama", "dramas", "fantasy", "film noir", "mystery",
        "mysteries", "children's movies", "action movies", "crime films", "adventure films", "fantasy films",
        "noir", "kids' movies", "war films", "science-fiction", "animated movies", "scary movies",
    ]

    /// Adjectives for "something {a}" and "nothing too {a}".
    static let adjectives = [
        "scary", "funny", "romantic", "sad", "violent", "long", "dark", "gory", "depressing", "cheesy", "silly",
        "slow", "light", "heavy", "intense", "weird", "uplifting", "wholesome", "bloody", "creepy", "upbeat",
        "short", "old", "animated", "tense", "gritty", "cute", "mindless", "epic", "quirky",
    ]

    /// Fillers put before and after a template.
    static let prefixes = ["", "", "", "", "hey ", "ok ", "hmm, ", "honestly ", "um ", "so ", "yo ", "well, ",
                           "ok so ", "right, ", "alright "]
    static let suffixes = ["", "", "", "", " please", " tonight", " thanks", " tbh", " lol", "!", ".", " pls",
                           " for movie night", " with my friends", " this weekend", " today", " for date night"]
}

/// The router's one-topic phrasings, as extra genre-prompt templates for DPR training: the
/// plain wishes (positive) and exclusions (negative) with exactly one `{t}` slot and no other.
public enum RouterPhrasingTemplates {
    /// Positive phrasings (`{t}` = the topic).
    public static var positive: [String] { oneTopic(TrainingTemplates.wishes + TrainingTemplates.doubleNegatives) }
    /// Negative phrasings (`{t}` = the topic).
    public static var negative: [String] { oneTopic(TrainingTemplates.avoidances) }

    static func oneTopic(_ list: [String]) -> [String] {
        list.filter { $0.components(separatedBy: "{t}").count == 2 && !$0.contains("{a") && !$0.contains("{u}") }
    }
}
