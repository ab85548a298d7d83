// `steer recommend` and `steer fuse`: the Recommend and Fuse RPCs, prompts steering a history.
import ArgumentParser
import Foundation
import SteerWire

/// `--polarity positive|negative`; absent, the daemon's router decides.
enum PolarityOption: String, ExpressibleByArgument, CaseIterable {
    case positive, negative

    var wire: Polarity { self == .positive ? .positive : .negative }
}

/// `--part "+:a comedy"` or `--part "-:romance"`: one stated part, its polarity by sign.
struct PartOption: ExpressibleByArgument {
    let part: PromptPart

    init?(argument: String) {
        guard let colon = argument.firstIndex(of: ":") else { return nil }
        let sign = argument[..<colon], text = String(argument[argument.index(after: colon)...])
        switch sign {
        case "+": part = PromptPart(text: text, polarity: .positive)
        case "-": part = PromptPart(text: text, polarity: .negative)
        default: return nil
        }
    }
}

/// Prints prompt parts under their prompt's line: sign, confidence, text, and whether it steered.
func printParts(_ parts: [PromptPart]) {
    for part in parts {
        let sign = part.polarity == .positive ? "+" : part.polarity == .negative ? "-" : "?"
        let dropped = part.droppedCategories.isEmpty ? "" : "  (dropped: \(part.droppedCategories.joined(separator: ", ")))"
        print("  \(sign) \(String(format: "%.3f", part.confidence))  \(part.text)\(part.steered ? "" : "  (not applied: too unsure)")\(dropped)")
    }
}

struct RecommendCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "recommend",
        abstract: "Top items for a history, optionally steered by a prompt (Recommend RPC).")
    @OptionGroup var client: ClientOptions
    @Option(help: "The history: item ids oldest first, comma-separated.") var history: String
    @Option(help: "What the user asks for or rules out, e.g. \"something light for the kids\".") var prompt: String = ""
    @Option(help: "The prompt's polarity (positive or negative); default: steerd's router decides.") var polarity: PolarityOption?
    // Unconditional: a value starting with "-" ("-:romance") is this option's value, not another flag.
    @Option(name: .customLong("part"), parsing: .unconditionalSingleValue, help: ArgumentHelp(
        "A part of the request with its polarity, \"+:text\" (asks for) or \"-:text\" (rules out); repeat it for each part, "
            + "applied refusals, then requests, then the refusals again (instead of --prompt).", valueName: "sign:text"))
    var parts: [PartOption] = []
    @Option(help: "How many items.") var k: UInt32 = 10
    @Flag(help: "Allow items of the history in the results.") var includeHistory = false
    @Flag(help: "Also leave out every item of a category an applied refusal names or describes (\"no westerns\", \"nothing scary\") and no request names.")
    var dropRefusedCategories = false

    func validate() throws {
        if polarity != nil, prompt.isEmpty { throw ValidationError("--polarity needs --prompt") }
        if !parts.isEmpty, !prompt.isEmpty { throw ValidationError("give --prompt (steerd reads it) or --part (stated), not both") }
    }

    func run() throws {
        let items: [UInt32] = try parseList(history, what: "--history")
        let request = RecommendRequest(history: items, prompt: prompt, polarity: polarity?.wire ?? .unspecified, k: k,
                                       includeHistory: includeHistory, parts: parts.map(\.part),
                                       dropRefusedCategories: dropRefusedCategories)
        let r = try client.call(.recommend, request, as: RecommendResponse.self)
        try client.output(r) {
            if !prompt.isEmpty {
                let how = polarity != nil ? "stated" : r.polarity == .unspecified ? "router: no part sure enough to apply"
                    : String(format: "router, %.3f", r.routeConfidence)
                print("prompt: \"\(prompt)\" (\(r.polarity), \(how))")
            } else if !parts.isEmpty {
                print("stated parts:")
            }
            printParts(r.parts)
            print("rank  item     score    title  [genres]")
            for rank in r.itemIDs.indices {
                let genres = r.categories[rank].split(separator: "|").joined(separator: ", ")
                print(String(format: "%4d  %-7u  %7.3f  ", rank + 1, r.itemIDs[rank], r.scores[rank]) + "\(r.titles[rank])  [\(genres)]")
            }
        }
    }
}

struct FuseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "fuse",
        abstract: "A history's user vector steered by a prompt: EncodeHistory, then Fuse (Route decides the polarity unless given).")
    @OptionGroup var client: ClientOptions
    @Option(help: "The history: item ids oldest first, comma-separated.") var history: String
    @Option(help: "The prompt.") var prompt: String
    @Option(help: "The prompt's polarity (positive or negative); default: steerd's router decides.") var polarity: PolarityOption?

    /// What `--json` prints.
    struct Output: Codable {
        var polarity: Polarity
        var routeConfidence: Float
        var user: [Float]
        var fused: [Float]
        /// ‖fused − user‖₂.
        var distance: Float
    }

    func run() throws {
        let items: [UInt32] = try parseList(history, what: "--history")
        let user = try client.call(.encodeHistory, EncodeHistoryRequest(histories: [items]), as: EncodeHistoryResponse.self)
        var chosen = polarity?.wire ?? .unspecified
        var confidence: Float = 1
        if chosen == .unspecified {
            let routed = try client.call(.route, RouteRequest(prompts: [prompt]), as: RouteResponse.self).results[0]
            (chosen, confidence) = (routed.polarity, routed.confidence)
        }
        let fused = try client.call(.fuse, FuseRequest(dim: user.dim, userVectors: user.userVectors, polarities: [chosen], prompts: [prompt]),
                                    as: FuseResponse.self)
        let distance = zip(fused.fused, user.userVectors).reduce(Float(0)) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }.squareRoot()
        let norm = user.userVectors.reduce(Float(0)) { $0 + $1 * $1 }.squareRoot()
        let output = Output(polarity: chosen, routeConfidence: confidence, user: user.userVectors, fused: fused.fused, distance: distance)
        try client.output(output) {
            print("prompt: \"\(prompt)\" (\(chosen)\(polarity == nil ? String(format: ", router %.3f", confidence) : ", stated"))")
            print(fused.fused.map { String(format: "%.5f", $0) }.joined(separator: ","))
            print(String(format: "‖fused − user‖ = %.5f (‖user‖ = %.5f, %.2f%%)", distance, norm, norm > 0 ? 100 * distance / norm : 0))
        }
    }
}
