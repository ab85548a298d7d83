// One subcommand per RPC built so far: health, retrieve, encode, backbones, snapshots, stats.
import ArgumentParser
import Foundation
import SteerWire

struct HealthCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "health", abstract: "Ask steerd whether it is live and ready.")
    @OptionGroup var client: ClientOptions
    @Flag(help: "Exit 1 unless steerd is also ready (an item index is loaded), as a readiness probe wants.")
    var requireReady = false

    func run() throws {
        let r = try client.call(.health, HealthRequest(), as: HealthResponse.self)
        try client.output(r) {
            print("steerd \(r.version): live, \(r.ready ? "ready" : "not ready (no item index loaded)"), up \(String(format: "%.1f", Double(r.uptimeMicros) / 1e6)) s")
            print("  SequentialEncoder ABI \(r.abiMajor).\(r.abiMinor); index: \(r.nItems) items × \(r.dim); backbone: \(r.activeBackbone.isEmpty ? "none" : r.activeBackbone)")
        }
        if requireReady && !r.ready { throw ValidationFailureExit(message: "steerd is live but not ready: no item index loaded") }
    }
}

struct RetrieveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "retrieve", abstract: "Exact top-K items for a query vector (Retrieve RPC).")
    @OptionGroup var client: ClientOptions
    @Option(help: "The query vector, comma-separated floats.") var vector: String?
    @Option(help: "A file holding the query vector (floats separated by commas or white space).") var vectorFile: String?
    @Option(help: "How many items.") var k: UInt32 = 10
    @Option(help: "Item ids never returned, comma-separated (e.g. the user's history).") var exclude: String = ""
    @Option(help: "Keep only items in at least one of these category ids.") var requireCategories: String = ""
    @Option(help: "Drop items in any of these category ids.") var excludeCategories: String = ""

    func run() throws {
        let text: String
        switch (vector, vectorFile) {
        case let (v?, nil): text = v
        case let (nil, f?): text = try String(contentsOfFile: f, encoding: .utf8)
        default: throw ValidationError("give exactly one of --vector and --vector-file")
        }
        let query = RetrieveQuery(vector: try parseList(text, what: "the vector"),
                                  excludeItems: try parseList(exclude, what: "--exclude"),
                                  requireCategories: try parseList(requireCategories, what: "--require-categories"),
                                  excludeCategories: try parseList(excludeCategories, what: "--exclude-categories"))
        let r = try client.call(.retrieve, RetrieveRequest(k: k, queries: [query]), as: RetrieveResponse.self)
        try client.output(r) {
            print("rank  item     score")
            for (rank, (item, score)) in zip(r.results[0].itemIDs, r.results[0].scores).enumerated() {
                print(String(format: "%4d  %-7u  %.4f", rank + 1, item, score))
            }
        }
    }
}

struct EncodeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "encode", abstract: "User vectors from histories with the active backbone (EncodeHistory RPC).")
    @OptionGroup var client: ClientOptions
    @Argument(help: "Histories: item ids oldest first, comma-separated; one argument per history.") var histories: [String]

    func run() throws {
        let parsed: [[UInt32]] = try histories.map { try parseList($0, what: "a history") }
        let r = try client.call(.encodeHistory, EncodeHistoryRequest(histories: parsed), as: EncodeHistoryResponse.self)
        try client.output(r) {
            let d = Int(r.dim)
            for row in 0..<(d == 0 ? 0 : r.userVectors.count / d) {
                print(r.userVectors[(row * d)..<((row + 1) * d)].map { String(format: "%.5f", $0) }.joined(separator: ","))
            }
        }
    }
}

struct ListBackbonesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list-backbones", abstract: "Backbones loaded and plugins available.")
    @OptionGroup var client: ClientOptions

    func run() throws {
        let r = try client.call(.listBackbones, ListBackbonesRequest(), as: ListBackbonesResponse.self)
        try client.output(r) {
            print("available plugins: \(r.available.isEmpty ? "none" : r.available.joined(separator: ", "))")
            for b in r.backbones {
                print("\(b.active ? "*" : " ") \(b.name) \(b.pluginVersion)  ABI \(b.abiMajor).\(b.abiMinor)  d=\(b.dim) max_len=\(b.maxLen) items=\(b.nItems)\(b.trainable ? " trainable" : "")  sha256 \(b.sha256.prefix(16))…")
            }
        }
    }
}

struct LoadBackboneCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "load-backbone", abstract: "Load a backbone plugin by name and make it active.")
    @OptionGroup var client: ClientOptions
    @Argument(help: "Plugin name, e.g. MeanPool for libSteerBackboneMeanPool.so.") var name: String
    @Option(help: "A checkpoint snapshot name in steerd's snapshot directory.") var checkpoint: String = ""

    func run() throws {
        let r = try client.call(.loadBackbone, LoadBackboneRequest(name: name, checkpoint: checkpoint), as: LoadBackboneResponse.self)
        try client.output(r) { print("loaded \(r.backbone.name) \(r.backbone.pluginVersion): d=\(r.backbone.dim), \(r.backbone.nItems) items") }
    }
}

struct SaveSnapshotCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "save-snapshot", abstract: "Save steerd's state (active backbone with its checkpoint, item index, prompt cache) into its snapshot directory; `steer serve --state NAME` starts from it.")
    @OptionGroup var client: ClientOptions
    @Argument(help: "File name inside the snapshot directory.") var name: String
    @Flag(help: "Replace an existing state snapshot of that name (without it an existing name is refused); no other kind of file is ever replaced.")
    var overwrite = false

    func run() throws {
        let r = try client.call(.saveSnapshot, SaveSnapshotRequest(name: name, overwrite: overwrite), as: SaveSnapshotResponse.self)
        try client.output(r) {
            print("saved \(r.path) (\(r.bytes) bytes): backbone \(r.backbone.isEmpty ? "none" : r.backbone), \(r.promptCacheEntries) prompt-cache entries")
        }
    }
}

struct LoadSnapshotCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "load-snapshot", abstract: "Load a state snapshot (or a bare item index) from steerd's snapshot directory.")
    @OptionGroup var client: ClientOptions
    @Argument(help: "File name inside the snapshot directory.") var name: String

    func run() throws {
        let r = try client.call(.loadSnapshot, LoadSnapshotRequest(name: name), as: LoadSnapshotResponse.self)
        try client.output(r) {
            print("loaded \(r.nItems) items × \(r.dim), \(r.nCategories) categories"
                + (r.backbone.isEmpty ? "" : "; backbone \(r.backbone), \(r.promptCacheEntries) prompt-cache entries"))
        }
    }
}

struct StatsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "stats", abstract: "steerd's counters (Prometheus text).")
    @OptionGroup var client: ClientOptions

    func run() throws {
        let r = try client.call(.stats, StatsRequest(), as: StatsResponse.self)
        try client.output(r) { print(r.prometheusText, terminator: "") }
    }
}
