// `steer router train`: retrains the prompt router from the generated phrasings and writes the
// model file that SteerPrompt bundles (Sources/SteerPrompt/Resources/router.json).
// `steer router read`: how prompts are read, part by part, without a daemon.
// `steer router eval`: the router's accuracy on labelled files and on the rendered evaluation
// phrasings (a measurement only: the router never trains on them).
import ArgumentParser
import Foundation
import SteerPrompt
import SteerTasks
import SteerText
import SteerTraining

struct RouterCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "router", abstract: "The prompt router.",
                                                    subcommands: [RouterTrainCommand.self, RouterEvalCommand.self, RouterReadCommand.self])
}

struct RouterTrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "train",
        abstract: "Train the polarity router on generated phrasings and the hand-written corpus (never on a held-out, frozen or dev set) and write its model file.")
    @Option(help: "Model file to write.") var out = "Sources/SteerPrompt/Resources/router.json"
    @Option(help: "Encoder folder (default: $STEER_CACHE/models/all-MiniLM-L6-v2).") var model: String?
    @Option(help: "Generator seed.") var seed: UInt64 = TrainingPhrasings.defaultSeed
    @Option(help: "Generated phrasings.") var count = TrainingPhrasings.defaultCount
    @Option(help: "Hand-written training prompts in the part-labelled format (default: the corpus bundled in SteerPrompt, Resources/router-written.tsv).")
    var written: String?
    @Flag(help: "Train on the generated phrasings only.") var noWritten = false
    @Flag(help: "Leave out the hand-written templates (Resources/router-written-templates.tsv, each rendered with every genre).")
    var noWrittenTemplates = false
    @Option(help: "How many times each hand-written example counts (it is repeated in the training set).")
    var writtenRepeat = WrittenPhrasings.defaultRepeats
    @Option(help: "L2 penalty on the embedding weights (the cue weights keep theirs).")
    var l2Embedding: Float = LogisticRegression.Settings().l2Embedding
    @Flag(help: "Train the logistic regression alone, without token readers (a steer-router/1 file).")
    var noTokenReader = false
    @Option(help: "How many token readers (alike, seeded seed, seed+1, …; their logits averaged).")
    var tokenReaders = PromptRouter.defaultTokenReaders
    @Option(help: "Each token reader's convolution filters.") var readerFilters = TokenReaderSettings().filters
    @Option(help: "Each token reader's training epochs.") var readerEpochs = TokenReaderSettings().epochs
    @Option(help: "The share of token-state values each token reader's training drops.") var readerDropout = TokenReaderSettings().dropout
    @Option(help: "Also write the training examples here as text<TAB>polarity (what `steer router eval --file` reads).")
    var examplesOut: String?

    func validate() throws {
        guard writtenRepeat >= 1 else { throw ValidationError("--written-repeat must be at least 1 (use --no-written to leave the corpus out)") }
        guard l2Embedding >= 0, l2Embedding.isFinite else { throw ValidationError("--l2-embedding must be a finite number ≥ 0") }
        guard readerFilters >= 1, readerEpochs >= 1, tokenReaders >= 1 else {
            throw ValidationError("--reader-filters, --reader-epochs and --token-readers must be at least 1")
        }
        guard readerDropout >= 0, readerDropout < 1 else { throw ValidationError("--reader-dropout must be in [0, 1)") }
    }

    func run() throws {
        let encoder = try MiniLMEncoder(directory: URL(fileURLWithPath: model ?? DatasetLocator.cacheDirectory + "/models/all-MiniLM-L6-v2"))
        let started = Date()
        var examples = TrainingPhrasings.generate(seed: seed, count: count)
        var provenance = TrainingPhrasings.provenance(seed: seed, count: count)
        if !noWritten {
            let prompts = try written.map { try NaturalPrompt.read(URL(fileURLWithPath: $0)) } ?? WrittenPhrasings.bundled()
            let (extra, unplaced) = WrittenPhrasings.examples(prompts)
            examples += (0..<writtenRepeat).flatMap { _ in extra }
            provenance += WrittenPhrasings.provenance(prompts: prompts.count, examples: extra.count, unplaced: unplaced,
                                                      repeats: writtenRepeat, source: written ?? "Resources/router-written.tsv")
        }
        if !noWritten && !noWrittenTemplates {
            let templates = try WrittenPhrasings.bundledTemplates()
            let rendered = Self.rendered(templates, with: try PromptTemplates.bundled())
            examples += rendered
            provenance.append("Plus \(rendered.count) examples from \(templates.count) hand-written templates (Resources/router-written-templates.tsv, written blind), each rendered with every genre, counted once.")
        }
        if let examplesOut {
            try examples.map { "\($0.text)\t\($0.polarity.rawValue)\n" }.joined()
                .write(toFile: examplesOut, atomically: true, encoding: .utf8)
        }
        if !noTokenReader {
            provenance.append("Token readers: \(tokenReaders), trained alike (TokenReader.fit) with seeds \(seed) to \(seed &+ UInt64(tokenReaders - 1)); "
                + "their mean logit is averaged with the regression's.")
        }
        var readerSettings = TokenReaderSettings()
        readerSettings.filters = readerFilters
        readerSettings.epochs = readerEpochs
        readerSettings.dropout = readerDropout
        var settings = LogisticRegression.Settings()
        settings.l2Embedding = l2Embedding
        let router = try PromptRouter.train(encoder: encoder, examples: examples, seed: seed, settings: settings,
                                            tokenReader: noTokenReader ? nil : readerSettings, tokenReaders: tokenReaders,
                                            provenance: provenance)
        try router.write(to: URL(fileURLWithPath: out))
        print(String(format: "trained on %d examples in %.1f s: training accuracy %.4f, validation (seeded 10%%) %.4f; wrote %@",
                     router.trainingExamples, Date().timeIntervalSince(started), router.trainingAccuracy, router.validationAccuracy, out))
        print("rebuild to bundle it; RouterHeldOutTests measures it on the hand-written held-out set")
    }
}

extension RouterTrainCommand {
    /// Every hand-written template with every genre display name in its slot, rendered as the
    /// evaluation phrasings are (so the genre words are the same; the templates are not).
    static func rendered(_ written: [WrittenPhrasings.Template], with templates: PromptTemplates) -> [TrainingExample] {
        let genres = templates.genreDisplayNames.names.keys.sorted()
        return written.flatMap { template in
            genres.map { genre in
                TrainingExample(text: templates.render(template.text.replacingOccurrences(of: WrittenPhrasings.slot, with: PromptTemplates.slot),
                                                       genreName: genre),
                                polarity: template.polarity)
            }
        }
    }
}

struct RouterEvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "eval",
        abstract: "The router's accuracy on labelled prompt files (text<TAB>positive|negative) and on the rendered evaluation phrasings.")
    @Option(help: "Labelled file, one text<TAB>positive|negative a line (repeatable), e.g. Tests/Fixtures/router/heldout.tsv.")
    var file: [String] = []
    @Option(help: "Labelled templates, one positive|negative<TAB>sentence with {genre} a line (repeatable), each rendered with every ML-1M genre, e.g. Tests/Fixtures/router/dev-templates.tsv.")
    var templateFile: [String] = []
    @Flag(help: "Also measure on every evaluation template of SteerTasks rendered with every ML-1M genre (a measurement only).")
    var evaluationTemplates = false
    @Option(help: "Router model file, or \"fine-tuned\" for the fine-tuned router bundled in SteerPrompt (default: the bundled feature router).") var router: String?
    @Option(help: "Encoder folder (default: $STEER_CACHE/models/all-MiniLM-L6-v2).") var model: String?
    @Flag(help: "List the misrouted prompts of the files (never those of the evaluation phrasings).") var showErrors = false
    @Option(help: "The encoder's linear layers, and a fine-tuned router's: fp32 (default) or int8 (AVX-512 VNNI).") var encoderPrecision: EncoderPrecision = .fp32
    @Option(help: "Prompts labelled part by part (kind<TAB>prompt<TAB>+:Genre;-:Genre, repeatable), e.g. Tests/Fixtures/prompts/issue15-frozen.tsv: read part by part and scored per part.")
    var partsFile: [String] = []
    @Option(help: "A fine-tuned router's blend: the bundled feature router's share of the logit, 0…1 (default: what its head file says). For choosing a blend on development sets.")
    var bundledRouterWeight: Double?

    func run() throws {
        guard !file.isEmpty || !templateFile.isEmpty || !partsFile.isEmpty || evaluationTemplates else {
            throw ValidationError("give --file F, --template-file F, --parts-file F and/or --evaluation-templates")
        }
        let encoderDirectory = URL(fileURLWithPath: model ?? DatasetLocator.cacheDirectory + "/models/all-MiniLM-L6-v2")
        let encoder = try MiniLMEncoder(directory: encoderDirectory, precision: encoderPrecision)
        print("encoder: \(encoder.kernelDescription)")
        var loaded = try router.map { try PromptRouter.load(named: $0, encoderPrecision: encoderPrecision, baseEncoder: encoderDirectory) }
            ?? PromptRouter.load()
        if let weight = bundledRouterWeight { loaded = try loaded.blended(bundledRouterWeight: weight) }
        print("router: \(router ?? "bundled Resources/router.json") (\(loaded.summary)"
            + (loaded.ownEncoderKernel.map { ", its encoder on \($0)" } ?? "") + ")")
        let labelled = try file.map { ($0, try LabelledPrompts.read(URL(fileURLWithPath: $0))) }
            + templateFile.map { path in
                let written = try WrittenPhrasings.readTemplates(URL(fileURLWithPath: path))
                return ("\(path) (x genres)", RouterTrainCommand.rendered(written, with: try PromptTemplates.bundled()))
            }
        for (path, examples) in labelled {
            let result = try loaded.accuracy(on: examples, encoder: encoder)
            print(result.summary(path))
            if showErrors {
                for miss in result.misses {
                    print(String(format: "  expected %@, p(positive) %.3f: %@", miss.expected.rawValue, miss.positiveProbability, miss.text))
                }
            }
        }
        for path in partsFile {
            let result = try loaded.partAccuracy(on: NaturalPrompt.read(URL(fileURLWithPath: path)), encoder: encoder)
            print(result.summary(path))
            if showErrors {
                for miss in result.misses { print("  expected \(miss.expected), read \(miss.read): \(miss.text)") }
            }
        }
        if evaluationTemplates {
            let rendered = Self.renderedEvaluationPhrasings(try PromptTemplates.bundled())
            print(try loaded.accuracy(on: rendered, encoder: encoder).summary("evaluation phrasings (templates x genres)"))
            let compound = Self.renderedCompoundPhrasings(try PromptTemplates.bundled())
            print(try loaded.partAccuracy(on: compound, encoder: encoder).summary("compound evaluation phrasings (POS then NEG template)"))
        }
    }

    /// Every evaluation POS template followed by every evaluation NEG template, as the compound
    /// tasks render them, the genres cycling through the display names so that the two differ.
    static func renderedCompoundPhrasings(_ templates: PromptTemplates) -> [NaturalPrompt] {
        let genres = templates.genreDisplayNames.names.keys.sorted()
        let positive = templates.templates(.positive, .evaluation), negative = templates.templates(.negative, .evaluation)
        return positive.indices.flatMap { i in
            negative.indices.map { j in
                let (g, h) = (genres[(i + j) % genres.count], genres[(i + 2 * j + 1) % genres.count])
                let text = templates.render(positive[i], genreName: g) + " " + templates.render(negative[j], genreName: h)
                return NaturalPrompt(kind: "compound", text: text,
                                     parts: [.init(polarity: .positive, genres: [g]), .init(polarity: .negative, genres: [h])])
            }
        }
    }

    /// Every evaluation template of both polarities with every genre display name in its slot.
    static func renderedEvaluationPhrasings(_ templates: PromptTemplates) -> [TrainingExample] {
        let genres = templates.genreDisplayNames.names.keys.sorted()
        return [TaskPolarity.positive, .negative].flatMap { polarity in
            templates.templates(polarity, .evaluation).flatMap { template in
                genres.map { TrainingExample(text: templates.render(template, genreName: $0),
                                             polarity: polarity == .positive ? .positive : .negative) }
            }
        }
    }
}

struct RouterReadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "read",
        abstract: "How prompts are read: their parts, each with its polarity and the router's confidence (no daemon needed).")
    @Option(help: "Router model file, or \"fine-tuned\" for the fine-tuned router bundled in SteerPrompt (default: the bundled feature router).") var router: String?
    @Option(help: "Encoder folder (default: $STEER_CACHE/models/all-MiniLM-L6-v2).") var model: String?
    @Argument(help: "Prompts, one argument each.") var prompts: [String]

    func run() throws {
        let encoderDirectory = URL(fileURLWithPath: model ?? DatasetLocator.cacheDirectory + "/models/all-MiniLM-L6-v2")
        let encoder = try MiniLMEncoder(directory: encoderDirectory)
        let loaded = try router.map { try PromptRouter.load(named: $0, baseEncoder: encoderDirectory) } ?? PromptRouter.load()
        for prompt in prompts {
            print(prompt)
            for part in try loaded.read(prompt, encoder: encoder).parts {
                print("  \(part.decision.polarity == .positive ? "+" : "-") \(String(format: "%.3f", part.decision.confidence))  \(part.text)")
            }
        }
    }
}
