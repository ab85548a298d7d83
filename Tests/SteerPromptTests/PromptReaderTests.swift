// Compound prompts read part by part: where the clauses are cut, which fragments are joined,
// and that a one-part prompt is routed exactly as before.
import XCTest
import SteerText
@testable import SteerPrompt

final class PromptClausesTests: XCTestCase {
    private func cut(_ text: String) -> [String] { PromptClauses.candidates(text).map(String.init) }
    private func spans(_ text: String) -> [String] {
        PromptRouter.joinContentless(PromptClauses.candidates(text)).map { String(text[$0]) }
    }

    func testContrastAndNegationOpenANewClause() {
        XCTAssertEqual(cut("a comedy, but please no romance"), ["a comedy", "but please", "no romance"],
                       "a negation after a courtesy opens a clause; the contentless \"but please\" then leads into it")
        XCTAssertEqual(spans("a comedy, but please no romance"), ["a comedy", "but please no romance"])
        XCTAssertEqual(cut("crime drama pls no comedy"), ["crime drama pls", "no comedy"])
        XCTAssertEqual(cut("comedy no romance"), ["comedy", "no romance"])
        XCTAssertEqual(cut("a thriller instead of a horror film"), ["a thriller", "instead of a horror film"])
        XCTAssertEqual(cut("westerns are fine as long as there's no singing"), ["westerns are fine", "as long as there's no singing"])
        XCTAssertEqual(cut("I don’t want horror, give me a western"), ["I don’t want horror", "give me a western"])
        XCTAssertEqual(cut("Horror? Nope. Something funny!"), ["Horror", "Nope", "Something funny"])
        XCTAssertEqual(cut("A mystery - not a horror - with a good twist"), ["A mystery", "not a horror", "with a good twist"])
        XCTAssertEqual(cut("love a good mystery, hate horror"), ["love a good mystery", "hate horror"])
        XCTAssertEqual(cut("action movie, zero romance"), ["action movie", "zero romance"])
        XCTAssertEqual(cut("I have zero interest in horror"), ["I have zero interest in horror"], "after a function word it negates inside")
    }

    /// Read as spans (cut, then contentless fragments joined), as the reader routes them.
    func testVerdictsJoinersAndRelativeClausesOpenANewClause() {
        let cases: [(String, [String])] = [
            ("sci fi yes, horror no", ["sci fi yes", "horror no"]),   // the bare "no" refuses what comes before it
            ("comedy yes cartoons no", ["comedy yes", "cartoons no"]),
            ("comedy yes please", ["comedy yes please"]),              // a courtesy after a verdict stays with it
            ("Give me a documentary and keep the war stuff away", ["Give me a documentary", "and keep the war stuff away"]),
            ("Skip the prestige drama and give me pure, dumb action", ["Skip the prestige drama", "and give me pure, dumb action"]),
            ("im done with superheroes just want a mystery", ["im done with superheroes", "just want a mystery"]),
            ("nightmares from horror so something funny instead", ["nightmares from horror", "so something funny instead"]),
            ("Drama is fine, my limit is war dramas", ["Drama is fine", "my limit is war dramas"]),
            ("a western where no one sings", ["a western", "where no one sings"]),
            // A relative clause that only tempers what it qualifies stays with it.
            ("an adventure with monsters that aren't too scary", ["an adventure with monsters that aren't too scary"]),
            ("anything thrilling, provided there's no romance", ["anything thrilling", "provided there's no romance"]),
            ("i dont want drama i want romance", ["i dont want drama", "i want romance"]),
            ("find a western tonight nothing with singing", ["find a western tonight", "nothing with singing"]),
        ]
        for (text, expected) in cases { XCTAssertEqual(spans(text), expected, text) }
    }

    func testIdiomsListsAndAuxiliariesStayWhole() {
        XCTAssertEqual(cut("anything but horror"), ["anything but horror"])
        XCTAssertEqual(cut("nothing but comedies please"), ["nothing but comedies please"])
        XCTAssertEqual(cut("I really do not want horror"), ["I really do not want horror"])
        XCTAssertEqual(cut("no horror, thriller or gore"), ["no horror, thriller or gore"], "a list after a negation is one part")
        XCTAssertEqual(cut("some sci-fi please"), ["some sci-fi please"], "a hyphen inside a word is no clause mark")
        XCTAssertEqual(cut("  "), [])
    }

    func testFragmentsWithoutContentJoinANeighbour() {
        XCTAssertEqual(spans("a movie without violence"), ["a movie without violence"])
        XCTAssertEqual(spans("A documentary? No. Give me fiction."), ["A documentary? No", "Give me fiction"],
                       "a bare refusal refuses the clause before it")
        XCTAssertEqual(spans("please, something funny"), ["please, something funny"])
        XCTAssertEqual(spans("no, no, no"), ["no, no, no"])
        XCTAssertEqual(spans("wizards? dragons? no thank you"), ["wizards? dragons? no thank you"],
                       "a bare refusal answers every bare question before it")
        XCTAssertEqual(spans("Any good westerns? Horror? No."), ["Any good westerns", "Horror? No"],
                       "a question that asks for something is no bare topic")
        XCTAssertEqual(spans("A comedy. Horror? Zombies? Nope."), ["A comedy", "Horror? Zombies? Nope"])
    }
}

final class PromptReaderTests: XCTestCase {
    /// A one-part reading carries the decision `route(texts:)` gives the whole prompt: the same
    /// polarity, and the same confidence up to 1e-9 (the same call on the same one-text batch;
    /// the tolerance only keeps the test from depending on the BLAS kernels being deterministic).
    private func assertRoutedWhole(_ reading: PromptReading, _ prompt: String, _ router: PromptRouter, _ encoder: some SentenceEncoder,
                                   file: StaticString = #filePath, line: UInt = #line) throws {
        let whole = try router.route(texts: [prompt], encoder: encoder)[0]
        XCTAssertEqual(reading.parts[0].decision.polarity, whole.polarity, prompt, file: file, line: line)
        XCTAssertEqual(reading.parts[0].decision.confidence, whole.confidence, accuracy: 1e-9, prompt, file: file, line: line)
    }

    func testAOnePartPromptIsRoutedAsBefore() throws {
        let (router, encoder) = (try PromptRouter.load(), try miniLM())
        for prompt in ["I want a comedy", "no horror tonight", "anything but musicals", "something funny, and romantic too"] {
            let reading = try router.read(prompt, encoder: encoder)
            XCTAssertEqual(reading.parts.count, 1, prompt)
            XCTAssertEqual(reading.parts[0].text, prompt)
            try assertRoutedWhole(reading, prompt, router, encoder)
        }
    }

    func testACompoundPromptGivesOnePartPerPolarityInOrder() throws {
        let (router, encoder) = (try PromptRouter.load(), try miniLM())
        let cases: [(String, [(String, Polarity)])] = [
            ("a comedy, but please no romance", [("a comedy", .positive), ("but please no romance", .negative)]),
            ("no war movies, i want something light and funny",
             [("no war movies", .negative), ("i want something light and funny", .positive)]),
        ]
        try assertReads(cases, router, encoder)
    }

    /// A request that names no kind of film elaborates the one that does: one part, one step.
    /// (With no request naming a kind there is nothing to join: "no war movies, i want something
    /// light and funny" above keeps its two parts.)
    func testARequestNamingNoKindOfFilmJoinsTheRequestThatNamesOne() throws {
        let (router, encoder) = (try PromptRouter.load(), try miniLM())
        try assertReads([("musical, no drama please, just fun", [("musical just fun", .positive), ("no drama please", .negative)])],
                        router, encoder)
        // Once the elaboration has joined, the two refusals are neighbours, and join too.
        try assertReads([("In the mood for a mystery, ideally without a gritty crime angle. Think puzzle, not police procedural.",
                          [("In the mood for a mystery Think puzzle", .positive),
                           ("ideally without a gritty crime angle not police procedural", .negative)])], router, encoder)
    }

    /// Talk about no kind of film (reasons, greetings, generic asks) is no part of its own: it goes
    /// with the request or refusal it explains, and a prompt about no kind of film reads whole.
    func testTalkAboutNoKindOfFilmGoesWithTheRequestItExplains() throws {
        let (router, encoder) = (try PromptRouter.load(), try miniLM())
        for prompt in ["anything but horror, I'm home alone tonight", "surprise me, just not a horror",
                       "a time traveler who can't change the past"] {
            let reading = try router.read(prompt, encoder: encoder)
            XCTAssertEqual(reading.parts.map(\.text), [prompt], prompt)
            try assertRoutedWhole(reading, prompt, router, encoder)
        }
        try assertReads([("no war movies, i want something light and funny",
                          [("no war movies", .negative), ("i want something light and funny", .positive)])], router, encoder)
    }

    /// Which candidate one about no kind of film goes with: a neighbour about a kind of film read
    /// with its own polarity, else the one before, else the one after.
    func testTalkTakesTheNeighbourOfItsOwnPolarityElseTheOneBefore() {
        let yes = RouteDecision(positiveProbability: 0.9), no = RouteDecision(positiveProbability: 0.1)
        XCTAssertEqual(PromptRouter.anchor(of: 1, describes: [true, false, true], decisions: [no, yes, yes]), 2)
        XCTAssertEqual(PromptRouter.anchor(of: 1, describes: [true, false, true], decisions: [yes, yes, yes]), 0)
        XCTAssertEqual(PromptRouter.anchor(of: 1, describes: [true, false, true], decisions: [no, yes, no]), 0)
        XCTAssertEqual(PromptRouter.anchor(of: 0, describes: [false, false, true], decisions: [yes, yes, no]), 2)
        XCTAssertEqual(PromptRouter.anchor(of: 2, describes: [true, false, false], decisions: [no, yes, yes]), 0)
    }

    func testKindWordsTellAKindOfFilmFromTheTalkAroundIt() {
        for text in ["no horror", "nothing with blood and guts", "explosions and car chases", "a sheriff riding into town",
                     "something adventurous", "no kissing scenes", "without the swords and sorcery stuff", "not another whodunnit"] {
            XCTAssertTrue(KindWords.describesAKind(text), text)
        }
        for text in ["I'm home alone tonight", "don't judge", "surprise me", "my grandpa was a vet", "thank you in advance"] {
            XCTAssertFalse(KindWords.describesAKind(text), text)
        }
    }

    private func assertReads(_ cases: [(String, [(String, Polarity)])], _ router: PromptRouter, _ encoder: some SentenceEncoder,
                             file: StaticString = #filePath, line: UInt = #line) throws {
        for (prompt, expected) in cases {
            let parts = try router.read(prompt, encoder: encoder).parts
            XCTAssertEqual(parts.map(\.text), expected.map(\.0), prompt, file: file, line: line)
            XCTAssertEqual(parts.map(\.decision.polarity), expected.map(\.1), prompt, file: file, line: line)
        }
    }

    /// The never-invert policy: a part the router is unsure of is left out, whatever its polarity.
    func testUnsurePartsAreNotSteeredWith() {
        let reading = PromptReading(parts: [
            .init(text: "a comedy", decision: RouteDecision(positiveProbability: 0.9)),
            .init(text: "but no romance", decision: RouteDecision(positiveProbability: 0.4)),   // negative, 0.6 sure
            .init(text: "nothing sad", decision: RouteDecision(positiveProbability: 0.05)),
        ])
        XCTAssertEqual(reading.steeredParts().map(\.text), ["nothing sad", "a comedy", "nothing sad"], "refusals on both sides")
        XCTAssertEqual(reading.steeredParts(minimumConfidence: 0.5).map(\.text),
                       ["but no romance", "nothing sad", "a comedy", "but no romance", "nothing sad"])
        XCTAssertEqual(reading.steeredParts(minimumConfidence: 0.99).count, 0)
    }

    func testInvalidPromptsAreRefusedBeforeAnythingIsRead() throws {
        let (router, encoder) = (try PromptRouter.load(), try miniLM())
        XCTAssertThrowsError(try router.read("   ", encoder: encoder)) { XCTAssertEqual(($0 as? PromptError)?.code, .empty) }
        XCTAssertThrowsError(try router.read(String(repeating: "a", count: PromptText.maximumBytes + 1), encoder: encoder)) {
            XCTAssertEqual(($0 as? PromptError)?.code, .tooLong)
        }
    }
}
