// `steer import compare-recbole`: an imported RecBole model against what RecBole itself measured
// with it (Benchmarks/peers/recbole_checkpoint_peer.py dump): test NDCG/Recall under RecBole's
// protocol and the top-10 of the users the dump holds.
import ArgumentParser
import Foundation
import SteerCheckpoint
import SteerData
import SteerEvaluation
import SteerPlugins
import SteerTraining

/// The peer's dump: RecBole's test metrics and, for some test users, the history it fed the
/// model, the target and its full-sort top-K with scores (all as raw tokens).
struct RecBoleDump: Decodable {
    struct User: Decodable {
        var user: String
        var history: [String]
        var target: String
        var top: [String]
        var scores: [Double]
    }
    var model: String
    var test: [String: Double]
    var users: [User]
    var history_masked: Bool
}

struct CompareRecBoleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "compare-recbole",
        abstract: "Compare an imported RecBole model with RecBole's own test metrics and top-10 (leave-one-out, RecBole's full-sort protocol).")
    @Option(help: "Checkpoint written by `steer import recbole --split loo`.") var checkpoint: String
    @Option(help: "Dataset: ml-100k, ml-1m or a folder of atomic files.") var dataset = "ml-100k"
    @Option(help: "JSON written by `recbole_checkpoint_peer.py dump`.") var recbole: String
    @Option(help: "Largest accepted |Steer − RecBole| of a test metric.") var tolerance = 0.001
    @Option(help: "Directory of backbone plugins (default: next to this executable).") var pluginDir: String?

    func run() throws {
        let saved = try BackboneCheckpoint.load(contentsOf: checkpoint)
        let dump = try JSONDecoder().decode(RecBoleDump.self, from: Data(contentsOf: URL(fileURLWithPath: recbole)))
        // RecBole's protocol in full: its time order (normalised float32 keys) decides what is held out and what precedes it.
        let parts = try DatasetSplit(try DatasetLocator.load(dataset, timeOrder: .recbole), scheme: .leaveOneOut)
        guard parts.dataset.itemTokens == saved.itemTokens else {
            throw ValidationError("\(checkpoint) is not over \(dataset)'s leave-one-out items (import it with --split loo)")
        }
        let backbone = try PluginHost(directory: pluginDir ?? ServeCommand.executableDirectory()).load(name: saved.plugin, weights: saved.weights)
        let cases = parts.cases(.test)
        let vectors = try SequentialEvaluation.userVectors(backbone, cases: cases)
        let items = backbone.itemEmbeddings, d = backbone.info.dim
        let evaluator = try FullRankingEvaluator(cutoffs: [10, 20])
        // RecBole 1.2.1 masks no history for sequential models (FullSortEvalDataLoader passes
        // history_index None); the dump says which protocol it ran.
        let excluded = cases.map { dump.history_masked ? $0.history : ArraySlice<Int32>() }
        let metrics = try evaluator.evaluate(users: vectors, items: items, dimension: d, excluded: excluded, targets: cases.map { [$0.target] }).mean
        print("\(saved.plugin) imported from RecBole, \(dataset) leave-one-out test (RecBole's time order), \(cases.count) users, history masked: \(dump.history_masked)")
        print("metric        RecBole     Steer       |diff|")
        var worst = 0.0
        for (c, k) in metrics.cutoffs.enumerated() {
            for (name, steer) in [("ndcg", metrics.ndcg[c]), ("recall", metrics.recall[c])] {
                guard let reference = dump.test["\(name)@\(k)"] else { continue }
                worst = max(worst, abs(steer - reference))
                print("\(name)@\(k)".padding(toLength: 12, withPad: " ", startingAt: 0) + String(format: "  %.6f    %.6f    %.6f", reference, steer, abs(steer - reference)))
            }
        }
        // The dumped users' top-10, as raw tokens, and Steer's score of each item RecBole ranked.
        var same = 0, sameSet = 0, historyDiffers = 0
        var worstScore = 0.0
        let caseOf = Dictionary(uniqueKeysWithValues: cases.enumerated().map { ($1.user, $0) })
        for user in dump.users {
            guard let u = parts.dataset.userID(user.user), let row = caseOf[u] else { throw ValidationError("user \(user.user) has no test case in \(dataset)") }
            let fed = cases[row].history.suffix(backbone.info.maxLen).map { parts.dataset.itemTokens[Int($0)] }
            if fed != user.history { historyDiffers += 1 }
            let vector = Array(vectors[(row * d)..<((row + 1) * d)])
            let top = try evaluator.rank(users: vector, items: items, dimension: d, excluded: [excluded[row]], targets: [[Int32]()])[0]
            let tokens = top.prefix(user.top.count).map { parts.dataset.itemTokens[Int($0)] }
            if tokens == user.top { same += 1 }
            if Set(tokens) == Set(user.top) { sameSet += 1 }
            for (token, score) in zip(user.top, user.scores) {
                guard let item = parts.dataset.itemID(token) else { continue }
                let steer = (0..<d).reduce(Float(0)) { $0 + vector[$1] * items[item * d + $1] }
                worstScore = max(worstScore, abs(Double(steer) - score))
            }
        }
        print("top-\(dump.users.first?.top.count ?? 10) of \(dump.users.count) users: \(same) identical in order, \(sameSet) as sets; "
              + String(format: "largest |score diff| on RecBole's top items %.2e; histories fed differently: %d", worstScore, historyDiffers))
        guard worst <= tolerance, same == dump.users.count, historyDiffers == 0 else {
            print("FAILED: tolerance \(tolerance), \(dump.users.count - same) top lists differ")
            throw ExitCode.failure
        }
        print("OK: every metric within \(tolerance), every top list identical")
    }
}
