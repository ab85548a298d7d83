// The router's hand-written training corpus: how its prompts become examples, and that it holds
// no prompt of a set the router is measured on, nor an evaluation phrasing.
import Foundation
import XCTest
import SteerTasks
@testable import SteerPrompt

final class WrittenPhrasingsTests: XCTestCase {
    func testOnePolarityIsOneExampleAndMixedPromptsAreCutAsTheReaderCuts() throws {
        let prompts = try NaturalPrompt.parse("""
            negative\tno horror and no war movies\t-:Horror;-:War
            compound\tI want a comedy, but no romance\t+:Comedy;-:Romance
            compound\tcomedy and romance and a little drama but no war\t+:Comedy;+:Romance;-:War
            """)
        let (examples, unplaced) = WrittenPhrasings.examples(prompts)
        XCTAssertEqual(examples.first, TrainingExample(text: "no horror and no war movies", polarity: .negative))
        let cut = PromptRouter.joinContentless(PromptClauses.candidates(prompts[1].text)).map { String(prompts[1].text[$0]) }
        XCTAssertEqual(cut.count, 2, "\(cut)")
        XCTAssertEqual(Array(examples.dropFirst()), [TrainingExample(text: cut[0], polarity: .positive),
                                                    TrainingExample(text: cut[1], polarity: .negative)])
        XCTAssertEqual(unplaced, 1, "three labelled parts cannot be placed on two spans")
    }

    /// Talk about no kind of film joins the span before it (after it when it leads), as the reader routes it.
    func testTalkAboutNoKindOfFilmIsPlacedWithItsNeighbour() throws {
        let prompts = try NaturalPrompt.parse("compound\tsurprise me, just no horror, I'm home alone, but a thriller is fine\t-:Horror;+:Thriller")
        let (examples, unplaced) = WrittenPhrasings.examples(prompts)
        XCTAssertEqual(unplaced, 0)
        XCTAssertEqual(examples, [TrainingExample(text: "surprise me, just no horror, I'm home alone", polarity: .negative),
                                  TrainingExample(text: "but a thriller is fine", polarity: .positive)])
    }

    /// The bundled corpus: both polarities, most prompts placed, no prompt twice.
    func testTheBundledCorpusIsUsable() throws {
        let prompts = try WrittenPhrasings.bundled()
        XCTAssertGreaterThanOrEqual(prompts.count, 1_000)
        let texts = prompts.map { PromptText.normalize($0.text) }
        XCTAssertEqual(Set(texts).count, texts.count, "a prompt is written twice")
        let (examples, unplaced) = WrittenPhrasings.examples(prompts)
        XCTAssertLessThan(unplaced, prompts.count / 10)
        let positives = examples.filter { $0.polarity == .positive }.count
        XCTAssert((examples.count / 3...2 * examples.count / 3).contains(positives), "\(positives) positives of \(examples.count)")
    }

    /// The router never trains on what it is measured on: no written prompt (nor written template,
    /// rendered) equals (after normalisation) a prompt of a held-out, frozen or development set, nor stands in the frame of
    /// an evaluation template of SteerTasks with one to three words in its slot (a blind writer
    /// can hit a common frame such as "I've had my fill of …" with another genre).
    /// Templates parse with their polarity; a line without exactly one slot, or with an unknown
    /// polarity, is refused with its line number; the bundled file has both polarities.
    func testTemplatesParseAndRefuseMalformedLines() throws {
        let parsed = try WrittenPhrasings.parseTemplates("# c\npositive\tGive me {genre}\nnegative\tno {genre} tonight\n", source: "t.tsv")
        XCTAssertEqual(parsed.map(\.polarity), [.positive, .negative])
        XCTAssertEqual(parsed[1].text, "no {genre} tonight")
        for bad in ["positive\tGive me a film", "positive\t{genre} or {genre}", "maybe\t{genre}", "positive"] {
            XCTAssertThrowsError(try WrittenPhrasings.parseTemplates("# c\n" + bad + "\n", source: "t.tsv")) {
                XCTAssert("\($0)".contains("t.tsv line 2"), "\($0)")
            }
        }
        let bundled = try WrittenPhrasings.bundledTemplates()
        XCTAssertGreaterThan(bundled.filter { $0.polarity == .positive }.count, 100)
        XCTAssertGreaterThan(bundled.filter { $0.polarity == .negative }.count, 100)
    }

    func testTheCorpusHoldsNoMeasuredPrompt() throws {
        let genreNames = try PromptTemplates.bundled().genreDisplayNames.names.values.sorted()
        let written = try WrittenPhrasings.bundled().map { Self.words($0.text) }
            + WrittenPhrasings.bundledTemplates().flatMap { template in
                genreNames.map { Self.words(template.text.replacingOccurrences(of: WrittenPhrasings.slot, with: $0)) }
            }
        let prompts = routerFixture("heldout.tsv").deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("prompts")
        var measured = try ["heldout.tsv", "issue14-frozen.tsv", "issue14-frozen-2.tsv", "issue14-frozen-3.tsv"]
            .flatMap { try heldOut($0) }.map(\.text)
        measured += try ["issue15-frozen.tsv", "issue15-dev.tsv", "issue14-dev.tsv", "descriptive-dev.tsv", "issue15-dev-2.tsv", "issue15-check.tsv"]
            .flatMap { try NaturalPrompt.read(prompts.appendingPathComponent($0)) }.map(\.text)
        // The development templates, rendered as the training templates are.
        measured += try ["dev-templates.tsv", "dev-templates-2.tsv"].flatMap { try WrittenPhrasings.readTemplates(routerFixture($0)) }
            .flatMap { template in genreNames.map { template.text.replacingOccurrences(of: WrittenPhrasings.slot, with: $0) } }
        XCTAssertGreaterThan(measured.count, 4_000)
        let measuredWords = Set(measured.map(Self.words))
        XCTAssertEqual(written.filter(measuredWords.contains), [])

        let templates = try PromptTemplates.bundled()
        let frames = [TaskPolarity.positive, .negative].flatMap { templates.templates($0, .evaluation) }.map { template in
            let parts = Self.words(template.replacingOccurrences(of: "{genre}", with: " zzslot ")).components(separatedBy: "zzslot")
            return (prefix: parts[0], suffix: parts.count > 1 ? parts[1] : "")
        }
        XCTAssertGreaterThanOrEqual(frames.count, 20)
        let inFrames = written.filter { text in
            frames.contains { frame in
                guard text.hasPrefix(frame.prefix), text.hasSuffix(frame.suffix),
                      text.count >= frame.prefix.count + frame.suffix.count else { return false }
                let slot = text.dropFirst(frame.prefix.count).dropLast(frame.suffix.count)
                return (1...3).contains(slot.split(separator: " ").count)
            }
        }
        XCTAssertEqual(inFrames, [])
    }

    /// Lower-case words without punctuation, one space apart.
    private static func words(_ text: String) -> String {
        let kept = PromptText.normalize(text).unicodeScalars.map { CharacterSet.alphanumerics.contains($0) ? Character($0) : " " }
        return String(kept).split(separator: " ").joined(separator: " ")
    }
}
