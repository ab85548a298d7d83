// What each training task is prompted with in stage 2 (genre phrasings) and stage 3 (semantic tags).
import SteerData
import SteerRandom
import SteerTasks

/// The DPR fine-tuning stages after next-item pre-training (paper §3.3.3).
public enum TrainingStage: String, Sendable, Codable, CaseIterable {
    /// Stage 2: coarse genre prompts from the training template pool.
    case genre
    /// Stage 3: fine-grained semantic prompts from the items' training tags.
    case tags
}

/// Renders a training task's prompt text for a stage.
///
/// **Stage 2** renders the task's genre with a training template (``PromptTemplates``).
/// **Stage 3** prompts a POS task with one training tag of its target (facet, and wording when
/// ``TagPhrasings`` gives more than the tag, drawn per epoch);
/// with probability ``tagShare`` only, the other POS tasks keeping their genre prompt, so the
/// coarse alignment of stage 2 is rehearsed instead of forgotten. NEG tasks keep genre prompts
/// in both stages: a tag names one film, so "avoid <tag>" defines no item set to rank against.
/// Targets without tags fall back to the genre prompt.
///
/// **POS prompt protocol.** A genre prompt names what ``positivePrompts`` says
/// (``PositivePromptProtocol``): under `genre-set` a POS prompt names every genre of the target
/// trained on in this epoch (`targets`, re-drawn each epoch), so the prompt follows the target.
///
/// **Compound requests.** With ``compoundShare`` > 0 a POS task may also be trained behind a
/// refusal (``refusal(for:targets:epoch:seed:)``), as Recommend serves "g, but no h".
public struct StagePrompts: Sendable {
    public let templates: PromptTemplates
    public let categoryNames: [String]
    public let tags: ItemTags?
    /// Share of stage-3 POS tasks (with a tagged target) prompted with a tag.
    public let tagShare: Double
    /// Extra genre phrasings per polarity (``ExtraPhrasings``), used for `extraShare` of the
    /// genre prompts; empty = the 20 training templates only.
    public let extra: [TaskPolarity: [String]]
    public let extraShare: Double
    /// What a POS genre prompt names.
    public let positivePrompts: PositivePromptProtocol
    /// `SequenceDataset.itemCategories`: the targets' genres under `genre-set` and for compound
    /// requests (may be empty otherwise).
    public let itemCategories: [[Int32]]
    /// Share of POS tasks trained a second time behind a refusal (0: none, as the paper trains).
    public let compoundShare: Double

    /// - Precondition: `itemCategories` is given (non-empty) when `positivePrompts` is `genre-set`
    ///   or `compoundShare` > 0.
    public init(templates: PromptTemplates, categoryNames: [String], tags: ItemTags?, tagShare: Double = 0.5,
                extra: [TaskPolarity: [String]] = [:], extraShare: Double = 0.5,
                positivePrompts: PositivePromptProtocol = .default, itemCategories: [[Int32]] = [], compoundShare: Double = 0) {
        precondition(positivePrompts == .singleGenre || !itemCategories.isEmpty, "genre-set prompts need the items' genres")
        precondition(compoundShare == 0 || !itemCategories.isEmpty, "compound requests need the items' genres")
        self.compoundShare = compoundShare
        self.templates = templates
        self.categoryNames = categoryNames
        self.tags = tags
        self.tagShare = tagShare
        self.extra = extra
        self.extraShare = extraShare
        self.positivePrompts = positivePrompts
        self.itemCategories = itemCategories
    }

    /// The prompt of `task` in `stage` and `epoch`, whose trained targets are `targets`.
    public func text(for task: SteeringTask, targets: [Int32], stage: TrainingStage, epoch: Int, seed: UInt64) -> String {
        if stage == .tags, task.polarity == .positive, let tags, let target = targets.first, tags.hasTags(target) {
            var generator = SeededRandom(seed: seed ^ 0x7A65_5F54_4147 &+ UInt64(epoch) &* 0x9E37_79B9
                                         &+ UInt64(task.user) &* 0x85EB_CA6B &+ UInt64(task.history.count))
            let draw = Double(generator.next() >> 11) / Double(1 << 53)
            if draw < tagShare {
                let facet = TagFacet.allCases[Int(generator.next() % 3)]
                let wordings = tags.trainingWordings(target, facet)
                return wordings[Int(generator.next() % UInt64(wordings.count))]
            }
        }
        let names = positivePrompts.genres(for: task, target: targets.first, itemCategories: itemCategories)
            .map { categoryNames[Int($0)] }
        if let pool = extra[task.polarity], !pool.isEmpty {
            var generator = SeededRandom(seed: seed ^ 0x4558_5452_41 &+ UInt64(epoch) &* 0x9E37_79B9
                                         &+ UInt64(task.user) &* 0xC2B2_AE35 &+ UInt64(task.history.count) &* 31 &+ UInt64(task.window))
            if Double(generator.next() >> 11) / Double(1 << 53) < extraShare {
                let template = pool[Int(generator.next() % UInt64(pool.count))]
                return templates.render(template, genreNames: names)
            }
        }
        return templates.prompt(for: task, genreNames: names, seed: seed &+ UInt64(epoch))
    }

    /// The refusal a POS task is trained behind this epoch, or nil (a NEG task, or not drawn).
    ///
    /// With probability ``compoundShare``, seeded by (seed, epoch, task), a POS task is trained a
    /// second time as the request of "g, but no h": h is drawn among the genres of the window's
    /// first item that the trained target lacks (the rule of the compound evaluation tasks, so the
    /// target complies with the refusal), and the refusal is a NEG training template of h. The
    /// trainer moves the user vector through the negative tower with it first, as Recommend
    /// applies refusals first, so the positive tower learns to steer from a vector a refusal
    /// already moved; it never sees one otherwise.
    public func refusal(for task: SteeringTask, targets: [Int32], epoch: Int, seed: UInt64) -> String? {
        guard compoundShare > 0, task.polarity == .positive, let target = targets.first, let first = task.windowItems.first,
              first != target else { return nil }
        var generator = SeededRandom(seed: seed ^ 0x434F_4D50_4F55_4E44 &+ UInt64(epoch) &* 0x9E37_79B9
                                     &+ UInt64(task.user) &* 0x85EB_CA6B &+ UInt64(task.history.count) &* 31 &+ UInt64(task.window))
        guard Double(generator.next() >> 11) / Double(1 << 53) < compoundShare else { return nil }
        let lacking = itemCategories[Int(first)].filter { !itemCategories[Int(target)].contains($0) }
        guard !lacking.isEmpty else { return nil }
        let avoided = lacking[Int(generator.next() % UInt64(lacking.count))]
        let list = templates.templates(.negative, task.pool)
        return templates.render(list[Int(generator.next() % UInt64(list.count))], genreName: categoryNames[Int(avoided)])
    }

    /// Every genre text stages 2 and 3 can produce (for the prompt bank): the training templates
    /// for every genre, and under `genre-set` the POS ones also for every item's genre set. The
    /// tags are added by the caller.
    public func allTrainingTexts() -> [String] {
        var texts: [String] = []
        for polarity in TaskPolarity.allCases {
            for template in templates.templates(polarity, .training) + (extra[polarity] ?? []) {
                for name in categoryNames { texts.append(templates.render(template, genreName: name)) }
            }
        }
        if positivePrompts == .genreSet {
            // Sorted so the bank's order, and so its rows, do not depend on Set's hashing.
            let sets = Set(itemCategories.filter { $0.count > 1 }).sorted { $0.lexicographicallyPrecedes($1) }
            for template in templates.templates(.positive, .training) + (extra[.positive] ?? []) {
                for genres in sets { texts.append(templates.render(template, genreNames: genres.map { categoryNames[Int($0)] })) }
            }
        }
        return texts
    }
}
