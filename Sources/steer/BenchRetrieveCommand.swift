// `steer bench retrieve`: exact top-K retrieval latency, OpenBLAS vs. the naive Swift loop, in one run.
import ArgumentParser
import Foundation
import SteerIndex
import SteerRandom

/// Benchmarks ``ItemIndex`` retrieval on a random index shaped like MovieLens-1M (3,706 items).
///
/// Reports, side by side: one query through BLAS `sgemv`, a batch through BLAS `sgemm`, and the
/// naive reference (scalar loops and a full sort) for both, as p50/p99 latency in microseconds.
struct BenchRetrieveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retrieve",
        abstract: "Benchmark exact top-K retrieval: OpenBLAS vs. the naive Swift loop.")

    @Option(help: "Number of items V in the random index.") var items = 3706
    @Option(help: "Embedding dimension C.") var dim = 64
    @Option(help: "Results per query.") var k = 10
    @Option(help: "Queries per batch call.") var batch = 64
    @Option(help: "Seconds spent measuring each method (ignored with --iterations).") var seconds = 1.0
    @Option(help: "Fixed number of timed calls per method (overrides --seconds).") var iterations: Int?
    @Option(help: "Seed of the random index and queries.") var seed: UInt64 = 42
    @Flag(help: "Print JSON instead of a markdown table.") var json = false

    mutating func validate() throws {
        guard items > 0, dim > 0, k > 0, batch > 0, seconds > 0 else {
            throw ValidationError("--items, --dim, --k, --batch and --seconds must be positive")
        }
        if let iterations, iterations <= 0 { throw ValidationError("--iterations must be positive") }
    }

    mutating func run() throws {
        LoadAverage.report("before")
        defer { LoadAverage.report("after") }
        var rng = SeededRandom(seed: seed)
        let categories = 18
        let index = try ItemIndex(
            embeddings: (0..<items * dim).map { _ in rng.nextSigned() },
            dimension: dim,
            itemCategories: (0..<items).map { _ in [UInt32(rng.next() % UInt64(categories))] },
            categoryCount: categories)
        let pool = (0..<max(batch, 256)).map { _ in
            RetrievalQuery(vector: (0..<dim).map { _ in rng.nextSigned() }, excludeItems: [UInt32(rng.next() % UInt64(items))])
        }
        let batchQueries = Array(pool.prefix(batch))
        // Both paths must agree before their speed means anything.
        let agree = try index.retrieve(batchQueries, k: k).map { $0.map(\.item) }
            == NaiveRetrieval.retrieve(batchQueries, k: k, in: index).map { $0.map(\.item) }

        var rows: [BenchRow] = []
        var cursor = 0
        rows.append(try measure("BLAS sgemv, 1 query", queries: 1) {
            cursor = (cursor + 1) % pool.count
            _ = try index.retrieve([pool[cursor]], k: k)
        })
        rows.append(try measure("BLAS sgemm, batch", queries: batch) { _ = try index.retrieve(batchQueries, k: k) })
        rows.append(try measure("naive Swift, 1 query", queries: 1) {
            cursor = (cursor + 1) % pool.count
            _ = try NaiveRetrieval.retrieve([pool[cursor]], k: k, in: index)
        })
        rows.append(try measure("naive Swift, batch", queries: batch) {
            _ = try NaiveRetrieval.retrieve(batchQueries, k: k, in: index)
        })
        let report = BenchReport(items: items, dim: dim, k: k, batch: batch, resultsAgree: agree, rows: rows)
        if json {
            try printJSON(report)
        } else {
            print(report.markdown)
        }
        if !agree { throw ExitCode.failure }
    }

    /// Times `body` (after one warm-up call) for `--iterations` calls or `--seconds` seconds.
    private func measure(_ name: String, queries: Int, _ body: () throws -> Void) rethrows -> BenchRow {
        try body()
        var samples: [Double] = []
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: .milliseconds(Int64(seconds * 1000)))
        while iterations.map({ samples.count < $0 }) ?? (clock.now < deadline || samples.count < 3) {
            let elapsed = try clock.measure(body)
            samples.append(Double(elapsed.components.seconds) * 1e6 + Double(elapsed.components.attoseconds) / 1e12)
        }
        samples.sort()
        func percentile(_ p: Double) -> Double { samples[min(samples.count - 1, Int(p * Double(samples.count)))] }
        let p50 = percentile(0.5), p99 = percentile(0.99)
        return BenchRow(
            method: name, queriesPerCall: queries, calls: samples.count,
            p50Micros: p50, p99Micros: p99, p50MicrosPerQuery: p50 / Double(queries))
    }
}

/// One measured method.
struct BenchRow: Codable {
    var method: String
    var queriesPerCall: Int
    var calls: Int
    var p50Micros: Double
    var p99Micros: Double
    var p50MicrosPerQuery: Double
}

/// The whole run, printable as markdown or JSON.
struct BenchReport: Codable {
    var items: Int
    var dim: Int
    var k: Int
    var batch: Int
    var resultsAgree: Bool
    var rows: [BenchRow]

    var markdown: String {
        func f(_ x: Double) -> String { String(format: "%.1f", x) }
        var lines = [
            "retrieve: V=\(items) items, C=\(dim), k=\(k), batch=\(batch); BLAS and naive results agree: \(resultsAgree ? "yes" : "NO")",
            "",
            "| method | queries/call | calls | p50 µs | p99 µs | p50 µs/query |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        for r in rows {
            lines.append("| \(r.method) | \(r.queriesPerCall) | \(r.calls) | \(f(r.p50Micros)) | \(f(r.p99Micros)) | \(f(r.p50MicrosPerQuery)) |")
        }
        return lines.joined(separator: "\n")
    }
}
