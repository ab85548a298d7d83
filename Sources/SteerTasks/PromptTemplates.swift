// Genre prompt templates: two disjoint pools per polarity, loaded from Resources/templates.json.

public import Foundation
import SteerData

/// The genre prompt templates (appendix B.1): for each polarity a training pool and an
/// evaluation pool of phrasings, each with one `{genre}` slot.
///
/// **Disjoint pools, structurally.** A ``SteeringTask`` carries its ``TemplatePool`` (set by
/// whoever built it: ``TrainingTaskSampler`` gives `.training`, ``TaskBuilder`` gives
/// `.evaluation`), and ``prompt(for:genreName:seed:)`` draws from that pool only, so
/// training code rendering its tasks never sees an evaluation phrasing. Loading checks that
/// the pools share no template and that each template has exactly one slot.
public struct PromptTemplates: Sendable, Equatable {
    /// The slot every template holds once.
    public static let slot = "{genre}"

    /// The header lines of the file (provenance and rules).
    public let about: [String]
    /// Genre display names for the slot.
    public let genreDisplayNames: GenreDisplayNames
    private let pools: [TemplatePool: [TaskPolarity: [String]]]

    /// The templates of `polarity` in `pool`, in file order.
    public func templates(_ polarity: TaskPolarity, _ pool: TemplatePool) -> [String] { pools[pool]![polarity]! }

    /// The templates shipped in this module's Resources/templates.json.
    /// - Throws: ``TasksError`` when the resource is missing or invalid (a packaging error).
    public static func bundled() throws -> PromptTemplates {
        guard let url = Bundle.module.url(forResource: "templates", withExtension: "json", subdirectory: "Resources") else {
            throw TasksError.unreadableTemplates("Resources/templates.json is not in the SteerTasks bundle")
        }
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw TasksError.unreadableTemplates("\(url.path): \(error.localizedDescription)")
        }
        return try PromptTemplates(json: data)
    }

    /// Parses and checks a template file.
    /// - Throws: ``TasksError`` (invalid templates) for malformed JSON, an empty pool, a
    ///   template without exactly one `{genre}`, a duplicate, or a template in both pools.
    public init(json: Data) throws {
        let file: TemplateFile
        do { file = try JSONDecoder().decode(TemplateFile.self, from: json) } catch {
            throw TasksError.invalidTemplates("not a template file: \(error)")
        }
        var pools: [TemplatePool: [TaskPolarity: [String]]] = [.training: [:], .evaluation: [:]]
        for (polarity, entry) in [(TaskPolarity.positive, file.positive), (.negative, file.negative)] {
            pools[.training]![polarity] = entry.training
            pools[.evaluation]![polarity] = entry.evaluation
        }
        var seen: [String: String] = [:]
        for pool in TemplatePool.allCases {
            for polarity in TaskPolarity.allCases {
                let list = pools[pool]![polarity]!
                let place = "\(polarity.rawValue) \(pool.rawValue)"
                guard !list.isEmpty else { throw TasksError.invalidTemplates("the \(place) pool is empty") }
                for template in list {
                    let slots = template.components(separatedBy: Self.slot).count - 1
                    guard slots == 1 else {
                        throw TasksError.invalidTemplates("\(place) template \"\(template)\" has \(slots) \(Self.slot) slots, not 1")
                    }
                    // Compare normalized text, so a change of case or final stop is no escape.
                    let key = Self.normalized(template)
                    if let other = seen[key] {
                        throw TasksError.invalidTemplates("\"\(template)\" is in the \(place) pool and the \(other) pool")
                    }
                    seen[key] = place
                }
            }
        }
        self.pools = pools
        about = file.about
        genreDisplayNames = GenreDisplayNames(file.genreDisplayNames)
    }

    /// The prompt of `task`: a template of its polarity drawn from ITS pool with a generator
    /// seeded by (seed, user, window, genre, history length), the genre's display name in the
    /// slot. Pass the epoch in `seed` to vary a training task's phrasing across epochs.
    /// - Parameter genreName: the data's name of `task.genre` (`dataset.categoryNames[g]`).
    public func prompt(for task: SteeringTask, genreName: String, seed: UInt64) -> String {
        prompt(for: task, genreNames: [genreName], seed: seed)
    }

    /// The prompt of `task` naming `genreNames` (data names, see ``PositivePromptProtocol``):
    /// the template is drawn exactly as for the single-genre prompt (the draw does not depend on
    /// the names), so the protocols differ in the slot's text only.
    public func prompt(for task: SteeringTask, genreNames: [String], seed: UInt64) -> String {
        var generator = TaskRandom.generator(
            seed: seed, TaskRandom.Purpose.template.rawValue, task.polarity == .positive ? 1 : 2, UInt64(task.user),
            UInt64(task.window), UInt64(task.genre), UInt64(task.history.count))
        let list = templates(task.polarity, task.pool)
        return render(list[TaskRandom.index(list.count, using: &generator)], genreNames: genreNames)
    }

    /// The prompt of evaluation task `task` under `positivePrompts`, its genres' names looked up
    /// in `dataset`. A genre-set POS prompt names the genres of `task.targets[0]`, the one item
    /// its ranking is scored on; training, which re-draws the target, goes through
    /// ``prompt(for:genreNames:seed:)`` with the re-drawn target's genres.
    public func prompt(for task: SteeringTask, in dataset: SequenceDataset, seed: UInt64,
                       positivePrompts: PositivePromptProtocol = .default) -> String {
        let genres = positivePrompts.genres(for: task, target: task.targets.first, itemCategories: dataset.itemCategories)
        return prompt(for: task, genreNames: genres.map { dataset.categoryNames[Int($0)] }, seed: seed)
    }

    /// `template` with its slot filled by `genreName`'s display name, its first letter
    /// capitalized (templates may open with the slot).
    public func render(_ template: String, genreName: String) -> String { render(template, genreNames: [genreName]) }

    /// `template` with its slot filled by the list of `genreNames`' display names
    /// (``GenreDisplayNames/phrase(_:)``), its first letter capitalized.
    public func render(_ template: String, genreNames: [String]) -> String {
        let text = template.replacingOccurrences(of: Self.slot, with: genreDisplayNames.phrase(genreNames))
        guard let first = text.first else { return text }
        return first.uppercased() + text.dropFirst()
    }

    static func normalized(_ template: String) -> String {
        template.lowercased().filter { !".!?,;".contains($0) }.split(separator: " ").joined(separator: " ")
    }

    /// The file's layout.
    private struct TemplateFile: Decodable {
        struct Pools: Decodable {
            var training: [String]
            var evaluation: [String]
        }
        var about: [String]
        var version: Int
        var genreDisplayNames: [String: String]
        var positive: Pools
        var negative: Pools
    }
}
