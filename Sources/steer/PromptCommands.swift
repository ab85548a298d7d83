// `steer embed` and `steer route`: the EmbedPrompt and Route RPCs from the command line.
import ArgumentParser
import Foundation
import SteerWire

struct EmbedCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "embed", abstract: "Sentence embeddings of prompts (EmbedPrompt RPC).")
    @OptionGroup var client: ClientOptions
    @Argument(help: "Prompts, one argument each.") var prompts: [String]

    func run() throws {
        let r = try client.call(.embedPrompt, EmbedPromptRequest(prompts: prompts), as: EmbedPromptResponse.self)
        try client.output(r) {
            let d = Int(r.dim)
            for (i, prompt) in prompts.enumerated() {
                let head = r.embeddings[(i * d)..<(i * d + min(d, 6))].map { String(format: "%+.4f", $0) }.joined(separator: " ")
                print("\(r.cacheHits[i] ? "cached" : "fresh ")  [\(head) …] (\(d)-d)  \(prompt)")
            }
        }
    }
}

struct RouteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "route", abstract: "Polarity of prompts: asking for, or ruling out (Route RPC).")
    @OptionGroup var client: ClientOptions
    @Argument(help: "Prompts, one argument each.") var prompts: [String]

    func run() throws {
        let r = try client.call(.route, RouteRequest(prompts: prompts), as: RouteResponse.self)
        try client.output(r) {
            for (prompt, result) in zip(prompts, r.results) {
                print("\(result.polarity == .positive ? "positive" : "negative")  \(String(format: "%.3f", result.confidence))  \(prompt)")
                printParts(result.parts)
            }
        }
    }
}
