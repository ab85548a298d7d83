// The lexical half of the router's input: negation cues with scope (clauses, double negatives,
// "anything but" versus "nothing but", exclusions that refine a concrete ask).

/// A handful of features read off a prompt's words (see ``names``), each in 0…1.
///
/// Reads the first ``PromptText/cueWindow`` characters only (the encoder sees even less).
struct CueFeatures: Sendable {
    /// The feature names, in vector order; stored in the model file and checked on load.
    static let names = [
        "negationCues",      // uncancelled negators, capped at 3, / 3
        "doubleNegatives",   // negator + partner pairs ("would not mind"), capped at 2, / 2
        "restrictions",      // "nothing but X", "only X", "not … anything except X", "why not X"
        "concreteAsk",       // a clause asks for a topic outside any negator's scope
        "refinement",        // a concrete ask plus an exclusion ("a comedy, but no romance")
        "exclusionOnly",     // negators and no positive evidence: the lexical verdict "negative"
        "lexicalPositive",   // double negatives, restrictions or a concrete ask
        "askOutsideScope",   // an ask phrase ("give me", "in the mood for") before any negator
        "leadingNegation",   // the prompt opens with a negator (after fillers such as "hey")
        "question",          // a question ("got anything that isn't gory?")
        "noCues",            // no negator, double negative or restriction at all
    ]

    /// The values, in ``names`` order.
    let values: [Float]

    private enum Role { case negator, cancellable, anythingBut, restriction, ask, clauseBreak, topic, neutral }

    private struct Event {
        let start: Int
        let end: Int   // exclusive
        let phrase: String
        let roles: Set<Role>
        var consumed = false
    }

    /// Phrase → roles, and the longest phrase length, built once.
    private static let dictionary: (phrases: [String: Set<Role>], longest: Int) = {
        var table: [String: Set<Role>] = [:]
        func add(_ list: [String], _ role: Role) { for p in list { table[p, default: []].insert(role) } }
        add(CueLexicon.negators, .negator)
        add(CueLexicon.cancellable, .cancellable)
        add(CueLexicon.anythingBut, .anythingBut)
        add(CueLexicon.restrictions, .restriction)
        add(CueLexicon.asks, .ask)
        add(CueLexicon.clauseBreaks, .clauseBreak)
        add(CueLexicon.neutralPhrases, .neutral)
        let longest = table.keys.map { $0.split(separator: " ").count }.max() ?? 1
        return (table, longest)
    }()

    /// Words that, right before a negator, make it attach an exclusion to what precedes it
    /// ("a thriller with no gore", "romance that is not cheesy").
    private static let attachers: Set<String> = ["with", "that", "which", "and", "but"]

    init(text: String) {
        let tokens = CueTokens.tokens(text)
        let events = Self.events(tokens)
        var negations = 0, doubles = 0, restrictions = 0
        var concrete = false, ask = false
        let clauses = Self.clauses(events, tokens)
        for (k, var clause) in clauses.enumerated() {
            Self.resolveScopes(&clause.events)
            let negs = clause.events.filter { !$0.consumed && ($0.roles.contains(.negator) || $0.roles.contains(.anythingBut)) }
            negations += negs.count
            doubles += clause.events.filter { $0.consumed && $0.roles.contains(.cancellable) }.count
            restrictions += clause.events.filter { $0.roles.contains(.restriction) && !$0.roles.contains(.negator) }.count
            let firstNeg = negs.first?.start ?? Int.max
            if clause.events.contains(where: { $0.roles.contains(.ask) && $0.start < firstNeg }) { ask = true }
            let topicBefore = clause.events.contains { $0.roles == [.topic] && $0.start < firstNeg }
                || Self.namesAKind(tokens, clause.range.lowerBound..<min(firstNeg, clause.range.upperBound))
            // "horror? no thanks": a bare refusal right after the clause takes its ask back.
            let refused = k + 1 < clauses.count && clauses[k + 1].range.allSatisfy { CueLexicon.refusalWords.contains(tokens[$0]) }
            if refused { continue }
            if let first = negs.first {
                if topicBefore && Self.attaches(first, tokens) { concrete = true }
            } else if topicBefore {
                concrete = true
            }
        }
        let positive = doubles > 0 || restrictions > 0 || concrete
        let opener = tokens.firstIndex { !CueLexicon.openers.contains($0) && $0 != "," }
        let leading = opener.map { i in events.contains { $0.start == i && $0.roles.contains(.negator) } } ?? false
        values = [
            Float(min(negations, 3)) / 3,
            Float(min(doubles, 2)) / 2,
            Float(min(restrictions, 2)) / 2,
            concrete ? 1 : 0,
            concrete && negations > 0 ? 1 : 0,
            negations > 0 && !positive ? 1 : 0,
            positive ? 1 : 0,
            ask ? 1 : 0,
            leading && !positive ? 1 : 0,
            text.prefix(PromptText.cueWindow).contains("?") ? 1 : 0,
            negations == 0 && doubles == 0 && restrictions == 0 ? 1 : 0,
        ]
    }

    /// Longest-match phrase events over `tokens`; unmatched topic words become `.topic` events.
    private static func events(_ tokens: [String]) -> [Event] {
        let (table, longest) = dictionary
        var events: [Event] = []
        var i = 0
        while i < tokens.count {
            var matched = false
            for length in stride(from: min(longest, tokens.count - i), through: 1, by: -1) {
                let phrase = tokens[i..<(i + length)].joined(separator: " ")
                if let roles = table[phrase] {
                    // Politeness and hedges ("if you don't mind") are consumed and dropped.
                    if !roles.contains(.neutral) {
                        events.append(Event(start: i, end: i + length, phrase: phrase, roles: roles))
                    }
                    i += length
                    matched = true
                    break
                }
            }
            if !matched {
                if CueTokens.isTopic(tokens[i]) {
                    events.append(Event(start: i, end: i + 1, phrase: tokens[i], roles: [.topic]))
                }
                i += 1
            }
        }
        return separableNegations(events, tokens)
    }

    /// "keep comedy off", "leave the gore out": a ``CueLexicon/separableVerbs`` verb with a
    /// particle at most ``CueLexicon/separableWindow`` words later in the same clause becomes a
    /// negator at the verb (so the words between are in its scope); a negator particle
    /// ("away") is folded into it.
    private static func separableNegations(_ events: [Event], _ tokens: [String]) -> [Event] {
        var events = events
        for i in tokens.indices where CueLexicon.separableVerbs.contains(tokens[i]) {
            guard !events.contains(where: { $0.start <= i && i < $0.end }) else { continue }
            // With the user as the object the verb is about the user, not the content:
            // "take my mind off work", "knock my socks off", "take me away".
            if i + 1 < tokens.count, CueLexicon.separableSelfObjects.contains(tokens[i + 1]) { continue }
            let last = min(tokens.count - 1, i + 1 + CueLexicon.separableWindow)
            guard i + 1 <= last else { continue }
            var particle: Int?
            for j in (i + 1)...last {
                if events.contains(where: { $0.start == j && $0.roles.contains(.clauseBreak) }) || tokens[j] == "," { break }
                if CueLexicon.separableParticles.contains(tokens[j]) { particle = j; break }
            }
            guard let j = particle else { continue }
            events.removeAll { $0.start == j && $0.roles.contains(.negator) }
            let event = Event(start: i, end: i + 1, phrase: "\(tokens[i]) … \(tokens[j])", roles: [.negator])
            events.insert(event, at: events.firstIndex { $0.start > i } ?? events.count)
        }
        return events
    }

    /// Events split at clause breaks (a negator's scope ends at "," or "but"), with each
    /// clause's token range. A comma that goes on with a list keeps the clause open.
    private static func clauses(_ events: [Event], _ tokens: [String]) -> [(events: [Event], range: Range<Int>)] {
        var out: [(events: [Event], range: Range<Int>)] = []
        var current: [Event] = [], start = 0
        for event in events {
            let negated = current.contains { $0.roles.contains(.negator) || $0.roles.contains(.anythingBut) }
            if event.roles.contains(.clauseBreak) && !(negated && event.phrase == "," && continuesList(after: event, events, tokens)) {
                out.append((current, start..<event.start))
                current = []
                start = event.end
            } else {
                current.append(event)
            }
        }
        out.append((current, start..<tokens.count))
        return out.filter { !$0.range.isEmpty }
    }

    /// Whether the words after `comma` are list items up to a joiner: "…, thriller or gore",
    /// "…, ghosts, and demons" (an item of its own may only open with "and" after another item).
    private static func continuesList(after comma: Event, _ events: [Event], _ tokens: [String]) -> Bool {
        var start = comma.end, items = 0
        while true {
            let next = events.first { $0.start >= start && $0.roles.contains(.clauseBreak) }
            let end = next?.start ?? tokens.count
            let words = tokens[start..<end]
            let cued = events.contains { $0.start >= start && $0.start < end && $0.roles != [.topic] }
            if words.isEmpty || cued || words.contains(where: CueLexicon.listStoppers.contains) { return false }
            let pieces = words.split(whereSeparator: CueLexicon.listJoiners.contains)
            if pieces.isEmpty || pieces.contains(where: { $0.filter { !CueLexicon.listClosers.contains($0) }.count > CueLexicon.listItemWords }) { return false }
            if words.contains(where: CueLexicon.listJoiners.contains) {
                return items > 0 || !CueLexicon.listJoiners.contains(words.first!) || pieces.count > 1
            }
            guard let next, next.phrase == "," else { return false }
            items += 1
            start = next.end
        }
    }

    /// Whether `range` holds a content word followed by a media noun ("road trip movies").
    private static func namesAKind(_ tokens: [String], _ range: Range<Int>) -> Bool {
        guard range.count >= 2 else { return false }
        for i in (range.lowerBound + 1)..<range.upperBound where CueLexicon.mediaNouns.contains(tokens[i]) {
            let before = tokens[i - 1]
            if !CueLexicon.genericWords.contains(before) && !CueLexicon.mediaNouns.contains(before) && before != "," { return true }
        }
        return false
    }

    /// Pairs double negatives and turns "not … anything but X" into a restriction, marking the
    /// pairs consumed so they no longer count as negators.
    private static func resolveScopes(_ clause: inout [Event]) {
        for i in clause.indices where !clause[i].consumed && CueLexicon.cancellingNegators.contains(clause[i].phrase) {
            for j in (i + 1)..<clause.count where !clause[j].consumed {
                guard clause[j].start - clause[i].end <= CueLexicon.cancelWindow else { break }
                if clause[j].roles.contains(.cancellable) {
                    clause[i].consumed = true
                    clause[j].consumed = true
                    break
                }
            }
        }
        let exceptions: Set<String> = ["except", "other than", "apart from", "aside from", "besides"]
        for j in clause.indices where clause[j].roles.contains(.anythingBut) || exceptions.contains(clause[j].phrase) {
            if let i = clause[..<j].lastIndex(where: { !$0.consumed && $0.roles.contains(.negator) }) {
                clause[i].consumed = true
                clause[j].consumed = true
                clause[j] = Event(start: clause[j].start, end: clause[j].end, phrase: clause[j].phrase,
                                  roles: [.restriction], consumed: true)
            }
        }
    }

    /// Whether negator `event` attaches an exclusion to the ask before it rather than leading
    /// its own clause ("action without gore" yes; "horror is a hard no" no).
    private static func attaches(_ event: Event, _ tokens: [String]) -> Bool {
        if CueLexicon.refinementConnectors.contains(event.phrase) { return true }
        guard ["no", "not", "nothing", "never"].contains(event.phrase), event.start > 0 else { return false }
        if attachers.contains(tokens[event.start - 1]) { return true }
        if event.phrase == "not", event.end < tokens.count, tokens[event.end] == "too" { return true }
        if event.start >= 2, ["that", "which"].contains(tokens[event.start - 2]),
           ["do", "does", "has", "have", "is", "are"].contains(tokens[event.start - 1]) { return true }
        return false
    }
}
