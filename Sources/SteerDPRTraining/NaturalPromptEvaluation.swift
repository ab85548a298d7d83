// Natural prompts (labelled part by part with genres) served to real users: does each part get
// what it asks for, and does a refusal ever bring more of what it refuses?
import Foundation
import SteerData
import SteerDPR
import SteerEvaluation
import SteerPlugins
import SteerPrompt
import SteerRandom
import SteerTraining

/// Genre shares of the top 10, with and without each prompt, over a sample of test users.
public struct NaturalPromptReport: Sendable, Codable, Equatable {
    /// One kind of prompt (positive, negative, compound, descriptive) and one polarity of part.
    public struct Share: Sendable, Codable, Equatable {
        public var kind: String
        public var polarity: String
        /// Labelled parts of this kind and polarity, each measured on every sampled user.
        public var parts: Int
        /// Mean share of the top 10 having one of the part's genres: with the prompt, without it.
        public var withPrompt: Double
        public var withoutPrompt: Double
        /// With the prompt and the categories its applied refusals name left out of the ranking
        /// (Recommend's `drop_refused_categories`); nil in reports written before it existed.
        public var withPromptDropped: Double?
    }

    /// A negative part whose genres, averaged over the users, took more of the top 10 with the prompt than without.
    public struct Inversion: Sendable, Codable, Equatable {
        public var prompt: String
        public var genres: [String]
        public var withPrompt: Double
        public var withoutPrompt: Double
        /// With the prompt and the categories its applied refusals name left out of the ranking
        /// (Recommend's `drop_refused_categories`); nil in reports written before it existed.
        public var withPromptDropped: Double?
    }

    public var title: String
    public var users: Int
    public var shares: [Share]
    public var inversions: [Inversion]
    /// The same with the refused categories dropped; nil in reports written before it existed.
    public var droppedInversions: [Inversion]?
    /// Lines printed under the tables (e.g. which router read the prompts).
    public var notes: [String] = []

    public func markdown() -> String {
        var out = "# \(title)\n\n\(users) test users; a part's share: the mean fraction of the top 10 having one of its genres.\n\n"
        out += "| kind | part | parts | share with the prompt | with the prompt, refused categories dropped | share without |\n"
        out += "|---|---|---|---|---|---|\n"
        for share in shares {
            out += String(format: "| %@ | %@ | %d | %.4f | %@ | %.4f |\n", share.kind, share.polarity, share.parts, share.withPrompt,
                          share.withPromptDropped.map { String(format: "%.4f", $0) } ?? "–", share.withoutPrompt)
        }
        let lists = [("", inversions)] + (droppedInversions.map { [(", refused categories dropped", $0)] } ?? [])
        for (variant, list) in lists {
            out += "\nNegative parts whose genres took more of the top 10 with the prompt\(variant) than without (averaged over the users): "
            out += "\(list.count)\n"
            for inversion in list {
                out += String(format: "- %@ (%@): %.4f with, %.4f without\n", inversion.prompt, inversion.genres.joined(separator: "|"),
                              inversion.withPrompt, inversion.withoutPrompt)
            }
        }
        return out + (notes.isEmpty ? "" : "\n" + notes.map { "- \($0)\n" }.joined())
    }
}

/// Serves labelled natural prompts to sampled test users the way Recommend does (read part by
/// part, the sure parts applied in the steering order: the refusals on both sides of the requests;
/// history masked, top 10 of all items), once as steered and once with the categories the applied
/// refusals name dropped from the ranking (Recommend's `drop_refused_categories`).
public enum NaturalPromptEvaluation {
    /// - Throws: when a prompt names a genre the dataset lacks, or what reading and ranking throw.
    public static func measure(prompts: [NaturalPrompt], split: DatasetSplit, name: String, backbone: Backbone, head: DPRHead,
                               bank: PromptBank, router: PromptRouter, users count: Int = 50,
                               seed: UInt64 = 2020, memory: PromptMemory? = nil,
                               minimumConfidence: Double = PromptReading.defaultMinimumConfidence) throws -> NaturalPromptReport {
        let dataset = split.dataset
        let genreID = Dictionary(dataset.categoryNames.enumerated().map { ($1, Int32($0)) }, uniquingKeysWith: { a, _ in a })
        for prompt in prompts {
            for genre in prompt.parts.flatMap(\.genres) where genreID[genre] == nil {
                throw DPRError("\"\(prompt.text)\" names the genre \(genre), which \(name)'s dataset does not have")
            }
        }
        let cases = sample(split.cases(.test), count: count, seed: seed)
        let users = try SequentialEvaluation.userVectors(backbone, cases: cases)
        let queries = SteeringQueries(head: head, bank: bank, router: nil, memory: memory)
        let readings = try queries.read(prompts.map(\.text), router: router)
        let evaluator = try FullRankingEvaluator(cutoffs: [10])
        let items = backbone.itemEmbeddings, d = backbone.info.dim
        let categories = dataset.itemCategories
        let plain = try evaluator.rank(users: users, items: items, dimension: d, excluded: cases.map(\.history),
                                       targets: cases.map { _ in [Int32]() })

        let mentions = CategoryMentions(categoryNames: dataset.categoryNames, descriptions: true)
        var sums: [String: (parts: Int, with: Double, dropped: Double, without: Double)] = [:]
        var inversions: [NaturalPromptReport.Inversion] = [], droppedInversions: [NaturalPromptReport.Inversion] = []
        for prompt in prompts {
            let reading = readings[prompt.text]!
            let z = try queries.steer(rows: users, readings: Array(repeating: reading, count: cases.count), minimumConfidence: minimumConfidence)
            let steered = try evaluator.rank(users: z, items: items, dimension: d, excluded: cases.map(\.history),
                                             targets: cases.map { _ in [Int32]() })
            let refused = Set(mentions.refused(by: reading.steeredParts(minimumConfidence: minimumConfidence)).map(Int32.init))
            let steeredDropped = refused.isEmpty ? steered : try evaluator.rank(
                users: z, items: items, dimension: d, excluded: cases.map(\.history), targets: cases.map { _ in [Int32]() },
                candidates: Array(repeating: ItemBitset(itemCount: dataset.itemCount) { refused.isDisjoint(with: categories[$0]) },
                                  count: cases.count))
            for part in prompt.parts {
                let genres = Set(part.genres.map { genreID[$0]! })
                let share = { (lists: [[Int32]]) in
                    lists.map { list in Double(list.filter { !genres.isDisjoint(with: categories[Int($0)]) }.count) / Double(max(1, list.count)) }
                        .reduce(0, +) / Double(lists.count)
                }
                let (with, dropped, without) = (share(steered), share(steeredDropped), share(plain))
                let key = "\(prompt.kind)\t\(part.polarity)"
                sums[key, default: (0, 0, 0, 0)].parts += 1
                sums[key, default: (0, 0, 0, 0)].with += with
                sums[key, default: (0, 0, 0, 0)].dropped += dropped
                sums[key, default: (0, 0, 0, 0)].without += without
                if part.polarity == .negative && with > without {
                    inversions.append(.init(prompt: prompt.text, genres: part.genres, withPrompt: with, withoutPrompt: without))
                }
                if part.polarity == .negative && dropped > without {
                    droppedInversions.append(.init(prompt: prompt.text, genres: part.genres, withPrompt: dropped, withoutPrompt: without))
                }
            }
        }
        let shares = sums.keys.sorted().map { key -> NaturalPromptReport.Share in
            let (n, with, dropped, without) = sums[key]!
            let fields = key.split(separator: "\t").map(String.init)
            return .init(kind: fields[0], polarity: fields[1], parts: n, withPrompt: with / Double(n), withoutPrompt: without / Double(n),
                         withPromptDropped: dropped / Double(n))
        }
        return NaturalPromptReport(title: "\(name): natural prompts read part by part, top 10 of every item (history masked)",
                                   users: cases.count, shares: shares, inversions: inversions, droppedInversions: droppedInversions)
    }

    /// `count` cases drawn without replacement by a seeded shuffle, in user order.
    static func sample(_ cases: [EvaluationCase], count: Int, seed: UInt64) -> [EvaluationCase] {
        var generator = SeededRandom(seed: seed)
        var order = Array(cases.indices)
        for i in stride(from: order.count - 1, to: 0, by: -1) {
            order.swapAt(i, Int(generator.next() % UInt64(i + 1)))
        }
        return order.prefix(count).sorted().map { cases[$0] }
    }
}
