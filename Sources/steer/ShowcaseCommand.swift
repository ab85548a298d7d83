// `steer showcase`: real MovieLens users, their recent history, and steerd's recommendations
// without a prompt, with a positive prompt and with a negative one, side by side.
import ArgumentParser
import Foundation
import SteerData
import SteerTraining
import SteerWire

struct ShowcaseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "showcase",
        abstract: "Side by side for real users: Recommend without a prompt, with a positive prompt, with a negative prompt.")
    @OptionGroup var client: ClientOptions
    @Option(help: "Dataset whose users are shown (its item ids must be those of the loaded model).") var dataset = "ml-1m"
    @Option(help: "User tokens to show, comma-separated (default: the first users with at least 30 interactions).") var users: String?
    @Option(help: "How many users when --users is not given.") var count = 2
    @Option(help: "The positive prompt.") var positive = "I'm in the mood for a comedy"
    @Option(help: "The negative prompt.") var negative = "No dramas tonight, please"
    @Option(help: "Items per column.") var k: UInt32 = 5
    @Option(help: "Characters per column.") var width = 44

    func run() throws {
        // The paper split's item vocabulary is the one the shipped models were trained on.
        let data = try DatasetSplit(try DatasetLocator.load(dataset), scheme: .paper).dataset
        let chosen: [Int]
        if let users {
            chosen = try users.split(separator: ",").map { token in
                guard let id = data.userID(String(token)) else { throw ValidationError("no user \(token) in \(dataset)") }
                return id
            }
        } else {
            chosen = Array((0..<data.userCount).filter { data.sequences[$0].count >= 30 }.prefix(count))
        }
        func clip(_ s: String) -> String {
            let t = s.count > width - 1 ? String(s.prefix(width - 2)) + "…" : s
            return t.padding(toLength: width, withPad: " ", startingAt: 0)
        }
        func genres(_ item: Int) -> String {
            data.itemCategories[item].map { data.categoryNames[Int($0)] }.joined(separator: "|")
        }
        for user in chosen {
            let history = data.sequences[user].map { UInt32($0) }
            print("\nuser \(data.userTokens[user]) — \(history.count) ratings; the last five:")
            for item in history.suffix(5) { print("    \(data.itemTitles[Int(item)])  [\(genres(Int(item)))]") }
            let plain = try client.call(.recommend, RecommendRequest(history: history, k: k), as: RecommendResponse.self)
            let pos = try client.call(.recommend, RecommendRequest(history: history, prompt: positive, k: k), as: RecommendResponse.self)
            let neg = try client.call(.recommend, RecommendRequest(history: history, prompt: negative, k: k), as: RecommendResponse.self)
            print(clip("no prompt") + clip("\"\(positive)\" (\(pos.polarity))") + clip("\"\(negative)\" (\(neg.polarity))"))
            for rank in 0..<Int(k) {
                let cells = [plain, pos, neg].map { r -> String in
                    guard rank < r.itemIDs.count else { return clip("") }
                    return clip("\(rank + 1). \(r.titles[rank])")
                }
                print(cells.joined())
                let genreCells = [plain, pos, neg].map { r -> String in
                    guard rank < r.itemIDs.count else { return clip("") }
                    return clip("   " + r.categories[rank])
                }
                print(genreCells.joined())
            }
        }
    }
}
