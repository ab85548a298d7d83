// The negation-cue features: tokens, scope, double negatives, "anything but" versus "nothing but".
import XCTest
@testable import SteerPrompt

final class CueFeatureTests: XCTestCase {
    private func feature(_ text: String, _ name: String) -> Float {
        CueFeatures(text: text).values[CueFeatures.names.firstIndex(of: name)!]
    }

    /// Checks the named features of `text` (the others are not looked at); a failure names the text.
    private func assertFeatures(_ text: String, _ expected: KeyValuePairs<String, Float>, _ message: String = "",
                                file: StaticString = #filePath, line: UInt = #line) {
        let values = CueFeatures(text: text).values
        for (name, value) in expected {
            XCTAssertEqual(values[CueFeatures.names.firstIndex(of: name)!], value, "\(text): \(name) \(message)", file: file, line: line)
        }
    }

    func testTokensExpandContractionsAndSlang() {
        XCTAssertEqual(CueTokens.tokens("I don’t want HORROR, gimme rom-coms!"),
                       ["i", "do", "not", "want", "horror", ",", "give", "me", "rom", "coms", ","])
        XCTAssertEqual(CueTokens.tokens("cant stand it w/o subs"), ["can", "not", "stand", "it", "without", "subs"])
        XCTAssertEqual(CueTokens.tokens("i dnt want smth sad"), ["i", "do", "not", "want", "something", "sad"])
        XCTAssertEqual(CueTokens.repair("withot"), "without")
        XCTAssertEqual(CueTokens.repair("fever"), "fever")
        XCTAssertEqual(CueTokens.repair("expect"), "expect")
    }

    func testPlainNegationAndWish() {
        assertFeatures("no horror tonight", ["exclusionOnly": 1, "leadingNegation": 1])
        assertFeatures("I want a comedy", ["noCues": 1, "concreteAsk": 1, "askOutsideScope": 1])
        XCTAssertEqual(feature("spare me the musicals", "exclusionOnly"), 1)
    }

    func testDoubleNegativesCancel() {
        for text in ["I wouldn't say no to a western", "wouldn't mind a thriller", "can't wait for the new one",
                     "I don't want to miss the classics", "never get tired of anime", "no shortage of explosions",
                     "there's no such thing as too many westerns"] {
            assertFeatures(text, ["doubleNegatives": 0.5, "exclusionOnly": 0, "lexicalPositive": 1])
        }
    }

    func testAnythingButVersusNothingBut() {
        XCTAssertEqual(feature("anything but horror", "exclusionOnly"), 1)
        assertFeatures("nothing but horror", ["restrictions": 0.5, "exclusionOnly": 0])
        assertFeatures("not in the mood for anything except comedy", ["restrictions": 0.5, "negationCues": 0])
    }

    func testExclusionRefiningAConcreteAskIsPositiveEvidence() {
        XCTAssertEqual(feature("a thriller, but no gore", "refinement"), 1)
        XCTAssertEqual(feature("an action movie without romance", "refinement"), 1)
        XCTAssertEqual(feature("something without subtitles", "exclusionOnly"), 1, "a generic ask")
        XCTAssertEqual(feature("horror is a hard no", "exclusionOnly"), 1, "a topic then a plain negator")
    }

    /// Scope ends at a clause break: "no horror, a comedy please" has a concrete un-negated ask.
    func testScopeEndsAtClauseBreak() {
        XCTAssertEqual(feature("no horror, a comedy please", "concreteAsk"), 1)
        XCTAssertEqual(feature("no horror or comedy", "concreteAsk"), 0)
    }

    /// A comma inside a list keeps the refusal's scope open up to the list's joiner.
    func testScopeRunsThroughAList() {
        for text in ["no horror, thriller or gore", "don't show me anything with wizards, spells or magic rings",
                     "nothing with zombies, ghosts, and demons", "no horror, gore and jump scares tonight",
                     "anything but horror, slashers or gore"] {
            assertFeatures(text, ["concreteAsk": 0, "exclusionOnly": 1])
        }
        // Not a list: no joiner, a verb or verdict in the item, an item too long, an "and" that opens a clause.
        for text in ["no horror, a comedy please", "no horror, comedy is fine", "no horror, comedy or romance is fine",
                     "no horror, a really long funny comedy or drama", "no horror, and keep it a comedy",
                     "no horror, I want comedy or drama"] {
            XCTAssertEqual(feature(text, "concreteAsk"), 1, text)
        }
        XCTAssertEqual(feature("comedy, romance or drama", "concreteAsk"), 1, "no refusal to extend")
    }

    /// "keep X off", "leave the X out": the verb negates, with the words up to the particle in scope.
    func testSeparableVerbsNegateTheirObject() {
        for text in ["Keep comedy off the list", "leave the westerns out of it", "please take horror off the queue",
                     "cross the musicals off", "put the gore aside"] {
            assertFeatures(text, ["exclusionOnly": 1, "concreteAsk": 0])
            XCTAssertEqual(feature(text, "negationCues"), 1.0 / 3.0, accuracy: 1e-6, text)
        }
        XCTAssertEqual(feature("keep the horror away", "negationCues"), 1.0 / 3.0, accuracy: 1e-6, "the particle is folded in")
        XCTAssertEqual(feature("Kindly keep comedy off the list", "leadingNegation"), 1, "politeness is an opener")
        // Without its particle, or past a clause break or the window, the verb negates nothing.
        for text in ["keep the comedies coming", "put on a comedy", "keep westerns on the list",
                     "keep it light, out of ideas", "keep a really really long scary movie night out",
                     "a comedy to take my mind off work", "something that will knock my socks off"] {
            XCTAssertEqual(feature(text, "exclusionOnly"), 0, text)
        }
    }

    /// "instead of" and "rather than" exclude beside a generic ask and refine a concrete one.
    func testInsteadOfAndRatherThan() {
        XCTAssertEqual(feature("anything instead of horror", "exclusionOnly"), 1)
        XCTAssertEqual(feature("something rather than a western", "exclusionOnly"), 1)
        assertFeatures("a comedy instead of horror", ["refinement": 1, "exclusionOnly": 0])
        XCTAssertEqual(feature("instead of horror, give me a comedy", "concreteAsk"), 1)
    }

    /// Politeness and hedges that contain a negation word negate nothing.
    func testNeutralPhrasesAreIgnored() {
        assertFeatures("if you don't mind, skip the horror", ["doubleNegatives": 0, "exclusionOnly": 1])
        XCTAssertEqual(feature("if it's not too much trouble, a western", "noCues"), 1)
        XCTAssertEqual(feature("not sure, maybe a comedy", "noCues"), 1)
        XCTAssertEqual(feature("I don't mind a comedy", "doubleNegatives"), 0.5, "without 'if you' it is a double negative")
        XCTAssertEqual(feature("westerns or nothing", "noCues"), 1, "insisting, not refusing")
        XCTAssertEqual(feature("give me a comedy or give me nothing", "noCues"), 1)
    }

    /// Refusals without a negation word.
    func testRefusalIdioms() {
        for text in ["thumbs down on musicals", "horror is where I draw the line", "I'm good on westerns, thanks", "downrank romance"] {
            XCTAssertGreaterThan(feature(text, "negationCues"), 0, text)
        }
    }

    /// Only the first ``PromptText/cueWindow`` characters are read.
    func testCueWindow() {
        let padding = String(repeating: "x", count: PromptText.cueWindow)
        XCTAssertEqual(feature(padding + " no horror", "noCues"), 1)
        XCTAssertEqual(feature("no horror " + padding, "noCues"), 0)
    }

    func testFeatureVectorShape() {
        XCTAssertEqual(CueFeatures(text: "anything").values.count, CueFeatures.names.count)
        for v in CueFeatures(text: "no no no no never not nothing but only only").values { XCTAssert((0...1).contains(v)) }
    }
}
