// `steer recommend-history`: next items for a history of titles through steerd (no prompt yet).
import ArgumentParser
import Foundation
import SteerCheckpoint
import SteerTraining
import SteerWire

/// `steer recommend-history`: next items for a history given by titles, through steerd's
/// EncodeHistory and Retrieve (the history excluded). Titles and genres come from the checkpoint.
struct RecommendHistoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "recommend-history",
        abstract: "Top items for a history of titles: EncodeHistory then Retrieve on steerd (no prompt).")
    @OptionGroup var client: ClientOptions
    @Option(help: "The checkpoint steerd's backbone came from (maps titles to ids and back).") var checkpoint: String
    @Option(help: "How many items.") var k: UInt32 = 10
    @Argument(help: "The history, oldest first: item ids as in the checkpoint's vocabulary (e.g. \"Toy Story (1995)\").")
    var history: [String]

    func run() throws {
        let saved = try BackboneCheckpoint.load(contentsOf: checkpoint)
        let ids = Dictionary(saved.itemTokens.enumerated().map { ($1, UInt32($0)) }, uniquingKeysWith: { a, _ in a })
        let items: [UInt32] = try history.map {
            guard let id = ids[$0] else { throw ValidationError("\"\($0)\" is not in the checkpoint's vocabulary") }
            return id
        }
        let user = try client.call(.encodeHistory, EncodeHistoryRequest(histories: [items]), as: EncodeHistoryResponse.self)
        let ranked = try client.call(.retrieve, RetrieveRequest(k: k, queries: [RetrieveQuery(vector: user.userVectors, excludeItems: items)]),
                                     as: RetrieveResponse.self)
        let genres = { (item: UInt32) in saved.itemCategories[Int(item)].map { saved.categoryNames[Int($0)] }.joined(separator: ", ") }
        try client.output(ranked) {
            print("history: " + history.joined(separator: " · "))
            for (rank, (item, score)) in zip(ranked.results[0].itemIDs, ranked.results[0].scores).enumerated() {
                print(String(format: "%3d. %6.3f  ", rank + 1, score) + "\(saved.itemTokens[Int(item)])  [\(genres(item))]")
            }
        }
    }
}
