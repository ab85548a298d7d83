// `steer bench rpc --against OTHER`: this build's steerd and another build's, measured by the same
// client in alternating rounds, for a before/after check of a change.
import Foundation
import SteerWire

extension BenchRPCCommand {
    /// One measured case, as a table row names it.
    private struct Case {
        var name: String
        var method: Method
        var connections: Int
        var requests: Int
        /// The request bytes for (connection, request); `request` is unique within the whole run.
        var payload: @Sendable (Int, Int) -> [UInt8]
    }

    /// A case's medians over the rounds, for this build ("new") and the other ("old").
    struct ComparedRow: Codable {
        var rpc: String
        var connections: Int
        var requestsPerRound: Int
        var newP50Micros: Double
        var oldP50Micros: Double
        /// Median over rounds of new p50 / old p50 (below 1: this build is faster).
        var p50Ratio: Double
        /// The lower and upper quartile of the per-round ratios: how much the rounds agree.
        var p50RatioQuartiles: [Double]
        /// Geometric mean of the per-round ratios and its 95% interval (normal approximation on the
        /// logarithms). A fresh daemon's p50 at 8 connections varies by up to 3x from one process to
        /// the next (thread placement on few cores), so a median of 20 or 40 ratios can sit 10% off
        /// 1 when a build is compared with itself; the interval says how many rounds a verdict needs.
        var p50RatioGeometricMean: Double
        var p50RatioInterval95: [Double]
        var newRequestsPerSecond: Double
        var oldRequestsPerSecond: Double
        /// Median over rounds of new / old throughput (above 1: this build is faster).
        var throughputRatio: Double
        /// Each round's p50, in the order the rounds ran, for statistics of one's own.
        var newRoundP50Micros: [Double]
        var oldRoundP50Micros: [Double]
    }

    /// Measures every case on each build, round after round, the order alternating, with a fresh
    /// daemon of each build per round and only one daemon running at a time. Drift of the machine
    /// over the run (other jobs, frequency) then falls on both alike, which separate runs minutes
    /// apart do not give (there, one build's p50 varied by ±10%); and so does the luck of one
    /// process's memory layout: with one daemon per build for the whole run, a build compared with
    /// a copy of itself came out up to 8% slower at p50, with tight quartiles.
    func compare(against other: String) throws {
        guard FileManager.default.isExecutableFile(atPath: other) else {
            throw ValidationFailureExit(message: "bench rpc: --against \(other) is not an executable file")
        }
        let sides = [(label: "new", executable: ServeCommand.executableDirectory() + "/steer"), (label: "old", executable: other)]
        var cases: [Case] = []
        var measured: [[[Row]]] = [[], []]   // [side][case][round]
        for round in 0..<rounds {
            for side in (round % 2 == 0 ? [0, 1] : [1, 0]) {
                let daemon = try BenchDaemon(executable: sides[side].executable, label: "\(getpid())-\(sides[side].label)", command: self)
                defer { daemon.stop() }
                cases = try plan(loadingOn: daemon.socket)
                if measured[side].isEmpty { measured[side] = Array(repeating: [], count: cases.count) }
                for (k, c) in cases.enumerated() {
                    // Both sides send the same texts; each round's are new (prompt caches miss on both).
                    let payload: @Sendable (Int, Int) -> [UInt8] = { conn, i in c.payload(conn, round * 100_000 + i) }
                    measured[side][k].append(try measure(c.name, c.method, payload, socket: daemon.socket,
                                                         connections: c.connections, requests: max(1, c.requests / rounds)))
                }
            }
            FileHandle.standardError.write(Data("bench rpc --against: round \(round + 1) of \(rounds) done\n".utf8))
        }
        let newRows = measured[0], oldRows = measured[1]
        let rows = cases.indices.map { k in
            let n = newRows[k], o = oldRows[k]
            let ratios = zip(n, o).map { $0.p50Micros / $1.p50Micros }.sorted()
            return ComparedRow(rpc: cases[k].name, connections: cases[k].connections, requestsPerRound: max(1, cases[k].requests / rounds),
                               newP50Micros: Self.median(n.map(\.p50Micros)), oldP50Micros: Self.median(o.map(\.p50Micros)),
                               p50Ratio: Self.median(ratios),
                               p50RatioQuartiles: [ratios[ratios.count / 4], ratios[(3 * ratios.count) / 4]],
                               p50RatioGeometricMean: Self.geometricMean(ratios).mean,
                               p50RatioInterval95: Self.geometricMean(ratios).interval,
                               newRequestsPerSecond: Self.median(n.map(\.requestsPerSecond)),
                               oldRequestsPerSecond: Self.median(o.map(\.requestsPerSecond)),
                               throughputRatio: Self.median(zip(n, o).map { $0.requestsPerSecond / $1.requestsPerSecond }),
                               newRoundP50Micros: n.map(\.p50Micros), oldRoundP50Micros: o.map(\.p50Micros))
        }
        if json {
            try printJSON(rows)
            return
        }
        print("steerd round trips, this build (new) against \(other) (old), one client, \(rounds) alternating rounds, a fresh daemon per round "
              + "(\(ProcessInfo.processInfo.activeProcessorCount) cores; Retrieve over \(items) × \(dim) random items; steerd --blas-threads \(threads))\n")
        print("| RPC | connections | requests per round | p50 µs new | p50 µs old | p50 new/old, median (quartiles) "
              + "| p50 new/old, geometric mean (95% interval) | requests/s new | requests/s old | throughput new/old |")
        print("|---|---|---|---|---|---|---|---|---|---|")
        for r in rows {
            print("| \(r.rpc) | \(r.connections) | \(r.requestsPerRound) | \(f1(r.newP50Micros)) | \(f1(r.oldP50Micros)) | "
                  + "\(f3(r.p50Ratio)) (\(f3(r.p50RatioQuartiles[0]))–\(f3(r.p50RatioQuartiles[1]))) | "
                  + "\(f3(r.p50RatioGeometricMean)) (\(f3(r.p50RatioInterval95[0]))–\(f3(r.p50RatioInterval95[1]))) | "
                  + "\(f0(r.newRequestsPerSecond)) | \(f0(r.oldRequestsPerSecond)) | \(f3(r.throughputRatio)) |")
        }
    }

    /// The cases of a plain `bench rpc` run (without --peer and --flood), after LoadBackbone of the
    /// checkpoint on the daemon.
    private func plan(loadingOn socket: String) throws -> [Case] {
        let health = healthPayload, query = retrievePayload
        var cases: [Case] = []
        for n in [1, connections] { cases.append(Case(name: "Health", method: .health, connections: n, requests: requests) { _, _ in health }) }
        for n in [1, connections] { cases.append(Case(name: "Retrieve top-10", method: .retrieve, connections: n, requests: requests) { _, _ in query }) }
        guard let checkpoint else { return cases }
        let items = UInt64(max(1, try loadCheckpoint(checkpoint, socket: socket).backbone.nItems))
        let history = Self.history(items: items)
        let plain = RecommendRequest(history: history, k: 10).encoded()
        let cached = RecommendRequest(history: history, prompt: Self.cachedPrompt, k: 10).encoded()
        for n in [1, connections] {
            cases.append(Case(name: "Recommend, no prompt", method: .recommend, connections: n, requests: requests / 4) { _, _ in plain })
        }
        for n in [1, connections] {
            cases.append(Case(name: "Recommend, cached prompt", method: .recommend, connections: n, requests: requests / 4) { _, _ in cached })
        }
        cases.append(Case(name: "Recommend, new prompt", method: .recommend, connections: 1, requests: max(uncachedRequests, 2 * rounds)) { c, i in
            RecommendRequest(history: history, prompt: Self.newPrompt(connection: c, request: i), k: 10).encoded()
        })
        return cases
    }

    /// exp of the mean of the logarithms, and exp of that mean ± 1.96 standard errors.
    static func geometricMean(_ ratios: [Double]) -> (mean: Double, interval: [Double]) {
        let logs = ratios.map { Foundation.log($0) }
        let n = Double(logs.count)
        let mean = logs.reduce(0, +) / n
        let variance = logs.count > 1 ? logs.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / (n - 1) : 0
        let halfWidth = 1.96 * (variance / n).squareRoot()
        return (Foundation.exp(mean), [Foundation.exp(mean - halfWidth), Foundation.exp(mean + halfWidth)])
    }

    private static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        return sorted[sorted.count / 2]
    }
}

private func f0(_ x: Double) -> String { String(format: "%.0f", x) }
private func f1(_ x: Double) -> String { String(format: "%.1f", x) }
private func f3(_ x: Double) -> String { String(format: "%.3f", x) }
