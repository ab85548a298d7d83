// The categories a prompt part names, and which of them a reading's refusals keep out.
import XCTest
@testable import SteerPrompt

final class CategoryMentionsTests: XCTestCase {
    private let movieLens = ["Action", "Adventure", "Animation", "Children's", "Comedy", "Crime", "Documentary", "Drama",
                             "Fantasy", "Film-Noir", "Horror", "Musical", "Mystery", "Romance", "Sci-Fi", "Thriller", "War", "Western"]
    private var mentions: CategoryMentions { CategoryMentions(categoryNames: movieLens) }

    private func named(_ text: String) -> [String] { mentions.categories(in: text).map { movieLens[$0] } }

    func testNamesPluralsAndOtherNamesAreFound() {
        XCTAssertEqual(named("no horror tonight"), ["Horror"])
        XCTAssertEqual(named("I'm done with westerns"), ["Western"])
        XCTAssertEqual(named("no more COMEDIES!"), ["Comedy"])
        XCTAssertEqual(named("skip the sci-fi"), ["Sci-Fi"])
        XCTAssertEqual(named("no science fiction"), ["Sci-Fi"])
        XCTAssertEqual(named("nothing for kids"), ["Children's"])
        XCTAssertEqual(named("no kids' movies"), ["Children's"])
        XCTAssertEqual(named("not a children's movie"), ["Children's"])
        XCTAssertEqual(named("no cartoons"), ["Animation"])
        XCTAssertEqual(named("steer clear of whodunits"), ["Mystery"])
        XCTAssertEqual(named("keep film noir off"), ["Film-Noir"])
        XCTAssertEqual(named("no noir"), ["Film-Noir"])
        XCTAssertEqual(named("no rom-coms please"), ["Comedy", "Romance"])
        XCTAssertEqual(named("no romcom"), ["Comedy", "Romance"])
        XCTAssertEqual(named("no documentaries or musicals"), ["Documentary", "Musical"])
        XCTAssertEqual(named("ugh not another thriler"), ["Thriller"], "one typo in a long name is repaired")
        XCTAssertEqual(named("a musical that isn't animted"), ["Animation", "Musical"])
        XCTAssertEqual(named("cop movie thats not a comdy"), ["Comedy"], "a dropped letter of a long name is repaired")
        XCTAssertEqual(named("no wat films, no nior"), [], "short names are not repaired")
        XCTAssertEqual(named("no crim, no dram"), [], "nor are words a letter short of short names")
    }

    func testWordsThatOnlyDescribeOrContainANameAreNotMentions() {
        XCTAssertEqual(named("nothing too scary"), [])
        XCTAssertEqual(named("no Star Wars sequels"), [], "\"wars\" is not the War genre's form")
        XCTAssertEqual(named("no kidding, something long"), [])
        XCTAssertEqual(named("no dramatic endings"), [])
        XCTAssertEqual(named("actionable advice"), [])
    }

    func testWithDescriptionsAGenresDescriptionsNameItToo() {
        let described = CategoryMentions(categoryNames: movieLens, descriptions: true)
        let named = { (text: String) in described.categories(in: text).map { self.movieLens[$0] } }
        XCTAssertEqual(named("nothing too scary"), ["Horror"])
        XCTAssertEqual(named("keep the elves and dragons far away from my screen"), ["Fantasy"])
        XCTAssertEqual(named("no more endless car chases and explosions"), ["Action"], "plurals and phrases")
        XCTAssertEqual(named("spare me the spaceships and laser guns"), ["Action", "Sci-Fi"])
        XCTAssertEqual(named("no horror, my kids are watching"), ["Horror"], "names keep their rules")
        XCTAssertEqual(named("no westerns"), ["Western"])
        XCTAssertEqual(named("no horror lol"), ["Horror"], "talk is not a description")
        XCTAssertEqual(named("nothing drawn out"), [], "an idiom is not a description")
        XCTAssertEqual(named("no comic book movies"), [])
        XCTAssertEqual(named("nothing scary, keep it light hearted and family friendly"), ["Horror"],
                       "what is asked for instead drops nothing")
        XCTAssertEqual(named("sick of space operas"), ["Sci-Fi"], "\"operas\" is not Musical's")
        XCTAssertEqual(named("no castels"), [], "descriptions are not repaired")
        XCTAssertEqual(self.named("nothing too scary"), [], "without descriptions, names only")
        XCTAssertEqual(PromptRouter.kindsRead.categories(in: "nothing too scary"), [], "the reader's lookup reads names only")
    }

    func testARefusalByDescriptionDropsItsGenreUnlessARequestNamesIt() {
        let described = CategoryMentions(categoryNames: movieLens, descriptions: true)
        typealias Part = (text: String, refusal: Bool)
        let refused = { (parts: [Part]) in described.refused(by: parts, text: \.text, isRefusal: \.refusal).map { self.movieLens[$0] } }
        XCTAssertEqual(refused([("a mystery", false), ("but no blood and guts", true)]), ["Horror"])
        XCTAssertEqual(refused([("a funny movie", false), ("nothing silly", true)]), [],
                       "the request describes Comedy too: a request keeps what it describes loosely")
        XCTAssertEqual(refused([("nothing funny", true)]), [], "a loose description drops nothing")
        XCTAssertEqual(described.categoriesKept(in: "something light hearted").map { self.movieLens[$0] }, ["Comedy"])
        XCTAssertEqual(described.categories(in: "something light hearted"), [])
        XCTAssertEqual(refused([("nothing too dark", true)]), [], "\"dark\" describes no genre")
    }

    func testWordsForPeopleNameAKindOfFilmOnlyAsOne() {
        XCTAssertEqual(named("no gore, my kids are watching"), [], "the children are the audience, not the genre")
        XCTAssertEqual(named("my children are asleep, so no horror"), ["Horror"])
        XCTAssertEqual(named("no kids movies"), ["Children's"])
        XCTAssertEqual(named("no kid stuff"), ["Children's"])
        XCTAssertEqual(named("fantasy, not for kids"), ["Children's", "Fantasy"])
        XCTAssertEqual(named("nothing for the little ones or for the kids"), ["Children's"])
        XCTAssertEqual(named("no kiddie fare"), ["Children's"])
        XCTAssertEqual(named("no childern's films"), ["Children's"], "a repaired people word needs the same context")
        XCTAssertEqual(named("anything but a children's one"), ["Children's"])
        XCTAssertEqual(named("nothing for toddlers"), ["Children's"])
        XCTAssertEqual(named("no horror, the toddlers are in bed"), ["Horror"])
    }

    func testARefusalDropsWhatNoRequestNames() {
        typealias Part = (text: String, refusal: Bool)
        let refused = { (parts: [Part]) in
            self.mentions.refused(by: parts, text: \.text, isRefusal: \.refusal).map { self.movieLens[$0] }
        }
        XCTAssertEqual(refused([("a comedy", false), ("but please no romance", true)]), ["Romance"])
        XCTAssertEqual(refused([("a comedy", false), ("but not a rom com", true)]), ["Romance"],
                       "a category the request names is never dropped")
        XCTAssertEqual(refused([("a kids movie", false), ("that isn't animated", true)]), ["Animation"])
        XCTAssertEqual(refused([("I want a western", false)]), [], "a request drops nothing")
        XCTAssertEqual(refused([("nothing too dark", true)]), [], "a refusal that names no category drops nothing")
    }

    func testAReadingsPartsUseTheirPolarity() {
        let reading = PromptReading(parts: [
            .init(text: "no horror", decision: RouteDecision(positiveProbability: 0.1)),
            .init(text: "a thriller", decision: RouteDecision(positiveProbability: 0.9)),
        ])
        XCTAssertEqual(mentions.refused(by: reading.parts).map { movieLens[$0] }, ["Horror"])
    }

    func testAnotherCatalogueIsReadByItsOwnNames() {
        let books = CategoryMentions(categoryNames: ["Poetry", "True_Crime", "Self-Help"])
        XCTAssertEqual(books.categories(in: "no self-help books"), [2])
        XCTAssertEqual(books.categories(in: "no poetries, no true crime"), [0, 1])
    }
}
