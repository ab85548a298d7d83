// What each training task is prompted with in stage 2 (genre phrasings) and stage 3 (semantic tags).
import SteerData
import SteerPrompt
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
/// **Compound prompts.** With ``compoundShare`` > 0 a task may also be trained behind the steps
/// of a "g, but no h" prompt that serving applies before it (``compoundLead(for:text:targets:epoch:seed:)``).
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
    /// prompts (may be empty otherwise).
    public let itemCategories: [[Int32]]
    /// Share of tasks trained a second time behind the steps of a compound prompt that serving
    /// applies before them (0: none, as the paper trains).
    public let compoundShare: Double

    /// - Precondition: `itemCategories` is given (non-empty) when `positivePrompts` is `genre-set`
    ///   or `compoundShare` > 0.
    public init(templates: PromptTemplates, categoryNames: [String], tags: ItemTags?, tagShare: Double = 0.5,
                extra: [TaskPolarity: [String]] = [:], extraShare: Double = 0.5,
                positivePrompts: PositivePromptProtocol = .default, itemCategories: [[Int32]] = [], compoundShare: Double = 0) {
        precondition(positivePrompts == .singleGenre || !itemCategories.isEmpty, "genre-set prompts need the items' genres")
        precondition(compoundShare == 0 || !itemCategories.isEmpty, "compound prompts need the items' genres")
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

    /// The steps of a compound prompt ("g, but no h") that a task is trained behind this epoch,
    /// or nil: with probability ``compoundShare``, seeded by (seed, epoch, task), a task is
    /// trained a second time from the vector its lead steps give (the trainer applies them
    /// through their towers first), so each tower learns to steer a vector the other already
    /// moved; it never sees one otherwise. The prompt's other part follows the rule of the
    /// compound evaluation tasks:
    /// - beside a POS task of genre g, a refusal of a genre h that the window's first item has
    ///   and the trained target lacks (so the target complies with it);
    /// - beside a NEG task of genre h (a genre of the first item), a request of a genre g that
    ///   a target has and the first item lacks; the task's targets become those with g.
    /// The other part is a training template of its polarity, from the task's pool; the task's
    /// own part is `text`, its prompt. The lead is every step that serving applies before the
    /// task's part is applied for the last time (``PromptReading/steeringOrder(_:isRefusal:)``),
    /// so training sees the vectors serving gives each tower.
    public func compoundLead(for task: SteeringTask, text: String, targets: [Int32], epoch: Int, seed: UInt64) -> CompoundLead? {
        guard compoundShare > 0, let first = task.windowItems.first, !targets.isEmpty else { return nil }
        var generator = SeededRandom(seed: seed ^ 0x434F_4D50_4F55_4E44 &+ UInt64(epoch) &* 0x9E37_79B9
                                     &+ UInt64(task.user) &* 0x85EB_CA6B &+ UInt64(task.history.count) &* 31 &+ UInt64(task.window)
                                     &+ (task.polarity == .positive ? 0 : 0x5BD1_E995))
        guard Double(generator.next() >> 11) / Double(1 << 53) < compoundShare else { return nil }
        let firstGenres = itemCategories[Int(first)]
        let has = { (item: Int32, genre: Int32) in self.itemCategories[Int(item)].contains(genre) }
        // The prompt's other part: its genre and tower, and the targets the task keeps beside it.
        let part: (genre: Int32, polarity: TaskPolarity, targets: [Int32])
        switch task.polarity {
        case .positive:
            let avoidable = firstGenres.filter { !has(targets[0], $0) }
            guard !avoidable.isEmpty else { return nil }
            part = (avoidable[Int(generator.next() % UInt64(avoidable.count))], .negative, targets)
        case .negative:
            let novel = Set(targets.flatMap { itemCategories[Int($0)] }).subtracting(firstGenres).sorted()
            guard !novel.isEmpty else { return nil }
            let genre = novel[Int(generator.next() % UInt64(novel.count))]
            part = (genre, .positive, targets.filter { has($0, genre) })
        }
        let list = templates.templates(part.polarity, task.pool)
        let other = CompoundStep(text: templates.render(list[Int(generator.next() % UInt64(list.count))], genreName: categoryNames[Int(part.genre)]),
                                 polarity: part.polarity)
        let own = CompoundStep(text: text, polarity: task.polarity)
        let written = task.polarity == .positive ? [own, other] : [other, own]
        let order = PromptReading.steeringOrder(written) { $0.polarity == .negative }
        guard let last = order.lastIndex(of: own), last > 0 else { return nil }
        return CompoundLead(steps: Array(order[..<last]), targets: part.targets)
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

/// What a task of a compound prompt is trained behind: the steps applied before it, in order,
/// each through its own tower.
public struct CompoundLead: Sendable, Equatable {
    public let steps: [CompoundStep]
    /// The targets of the task behind it: a POS task's own; a NEG task's that have the requested genre.
    public let targets: [Int32]
}

/// One part of a compound prompt as a step of training: its phrasing and its tower.
public struct CompoundStep: Sendable, Equatable {
    public let text: String
    public let polarity: TaskPolarity
}

extension PromptMemory {
    /// The requests the positive tower was trained on (single-genre protocol): every positive
    /// training template with every genre name (stage 2), then every training wording of every
    /// tagged item (stage 3). The genre prompts are there so that a genre request finds genre
    /// requests among its neighbours, not the tags of a few films of that genre.
    public static func trainingRequests(templates: PromptTemplates, categoryNames: [String], tags: ItemTags, itemCount: Int) -> [String] {
        let genres = templates.templates(.positive, .training).flatMap { template in categoryNames.map { templates.render(template, genreName: $0) } }
        return genres + tags.trainingTexts(itemCount: itemCount)
    }
}
