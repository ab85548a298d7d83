// The requests the load tests send, their reference answers, and the check of an answer.
import Foundation
import SteerClient
import SteerDaemonTestSupport
import SteerWire

/// One request of a load: an RPC and its payload, with a label for failure messages.
struct LoadJob: Sendable {
    var method: Method
    var payload: [UInt8]
    var label: String
}

enum LoadJobs {
    static let prompts = ["something light and funny for the kids", "no horror tonight", "I want a comedy", "nothing too long please"]

    /// About 80 distinct requests against the steering fixture (40 items, d = 8, a DPR head, MiniLM).
    static func make() -> [LoadJob] {
        var rng = LCG(seed: 42)
        let items = UInt32(SteeringFixture.itemCount)
        func history() -> [UInt32] { (0..<(1 + rng.next() % 6)).map { _ in rng.next() % items } }
        var jobs: [LoadJob] = []
        for n in 0..<24 {
            jobs.append(LoadJob(method: .recommend, payload: RecommendRequest(history: history(), k: 3 + rng.next() % 8).encoded(),
                                label: "recommend plain \(n)"))
        }
        for (p, prompt) in prompts.enumerated() {
            for n in 0..<4 {
                let polarity: Polarity = n == 3 ? .negative : .unspecified
                jobs.append(LoadJob(method: .recommend, payload: RecommendRequest(history: history(), prompt: prompt, polarity: polarity,
                                                                                  k: 5 + rng.next() % 6).encoded(),
                                    label: "recommend prompt \(p).\(n)"))
            }
            jobs.append(LoadJob(method: .route, payload: RouteRequest(prompts: [prompt]).encoded(), label: "route \(p)"))
            jobs.append(LoadJob(method: .embedPrompt, payload: EmbedPromptRequest(prompts: [prompt]).encoded(), label: "embed \(p)"))
        }
        jobs.append(LoadJob(method: .route, payload: RouteRequest(prompts: prompts).encoded(), label: "route all"))
        for n in 0..<16 {
            let vector = (0..<SteeringFixture.dim).map { _ in Float(rng.next() % 2_001) / 1_000 - 1 }
            let query = RetrieveQuery(vector: vector, excludeItems: n % 2 == 0 ? [] : history())
            jobs.append(LoadJob(method: .retrieve, payload: RetrieveRequest(k: 1 + rng.next() % 10, queries: [query]).encoded(),
                                label: "retrieve \(n)"))
        }
        for n in 0..<8 {
            jobs.append(LoadJob(method: .encodeHistory, payload: EncodeHistoryRequest(histories: (0..<(1 + n % 3)).map { _ in history() }).encoded(),
                                label: "encode \(n)"))
        }
        for n in 0..<4 { jobs.append(LoadJob(method: .health, payload: HealthRequest().encoded(), label: "health \(n)")) }
        return jobs
    }

    /// Requests without prompts for a backbone of `dim` and at least `items` items.
    static func makeForBackbones(items: UInt32, dim: Int) -> [LoadJob] {
        var rng = LCG(seed: 7)
        func history() -> [UInt32] { (0..<(3 + rng.next() % 20)).map { _ in 1 + rng.next() % (items - 1) } }
        var jobs: [LoadJob] = []
        for n in 0..<24 {
            jobs.append(LoadJob(method: .recommend, payload: RecommendRequest(history: history(), k: 10).encoded(), label: "recommend plain \(n)"))
        }
        for n in 0..<8 {
            let vector = (0..<dim).map { _ in Float(rng.next() % 2_001) / 1_000 - 1 }
            jobs.append(LoadJob(method: .retrieve, payload: RetrieveRequest(k: 10, queries: [RetrieveQuery(vector: vector)]).encoded(),
                                label: "retrieve \(n)"))
            jobs.append(LoadJob(method: .encodeHistory, payload: EncodeHistoryRequest(histories: [history(), history()]).encoded(),
                                label: "encode \(n)"))
        }
        for n in 0..<4 { jobs.append(LoadJob(method: .health, payload: HealthRequest().encoded(), label: "health \(n)")) }
        return jobs
    }

    /// Each job's answer, one request at a time on a blocking connection.
    static func references(_ jobs: [LoadJob], on connection: SteerConnection) throws -> [ResponseEnvelope] {
        try jobs.map { job in
            let id = connection.makeID()
            try connection.send(RequestEnvelope(id: id, method: job.method, payload: job.payload))
            let response = try connection.receive()
            guard response.id == id, response.status == .ok else {
                throw RPCError(response.status, "reference for \(job.label): id \(response.id), \(response.message)")
            }
            return response
        }
    }

    /// Why `response` is none of `candidates` (nil when it equals one). Answers are compared
    /// decoded, whole, except what legitimately varies: EmbedPrompt's cache-hit flags, and
    /// Health's uptime and active backbone.
    static func mismatch(_ response: ResponseEnvelope, against candidates: [ResponseEnvelope], job: LoadJob) -> String? {
        guard response.status == .ok else { return "\(response.status): \(response.message)" }
        func same<M: WireMessage, K: Equatable>(_ type: M.Type, _ key: (M) -> K) -> String? {
            guard let answer = try? M(decoding: response.payload) else { return "the payload is not a \(M.self)" }
            for candidate in candidates {
                if let expected = try? M(decoding: candidate.payload), key(expected) == key(answer) { return nil }
            }
            return "\(M.self) differs from the reference: \(String(describing: answer).prefix(300))"
        }
        switch job.method {
        case .recommend: return same(RecommendResponse.self) { $0 }
        case .route: return same(RouteResponse.self) { $0 }
        case .retrieve: return same(RetrieveResponse.self) { $0 }
        case .encodeHistory: return same(EncodeHistoryResponse.self) { $0 }
        case .fuse: return same(FuseResponse.self) { $0 }
        case .embedPrompt: return same(EmbedPromptResponse.self) { [$0.dim] + $0.embeddings.map(\.bitPattern) }
        case .health: return same(HealthResponse.self) { [$0.live ? 1 : 0, $0.ready ? 1 : 0, $0.nItems, $0.dim, $0.abiMajor] }
        default: return same(StatsResponse.self) { _ in true }
        }
    }

    struct CounterKey: Hashable {
        var method: Method
        var status: String
    }

    /// steerd's `steer_requests_total` counters, by method and status.
    static func requestCounts(_ connection: SteerConnection) throws -> [CounterKey: Int] {
        let text = try connection.call(.stats, StatsRequest(), as: StatsResponse.self).prometheusText
        var counts: [CounterKey: Int] = [:]
        let methods = Dictionary(uniqueKeysWithValues: Method.allCases.map { ($0.description, $0) })
        for line in text.split(separator: "\n") where line.hasPrefix("steer_requests_total{") {
            // steer_requests_total{method="Recommend",status="OK"} 12 (labels in any order)
            guard let close = line.lastIndex(of: "}"), let n = Int(line[line.index(after: close)...].trimmingCharacters(in: .whitespaces)) else { continue }
            var labels: [String: String] = [:]
            for pair in line[line.index(after: line.firstIndex(of: "{")!)..<close].split(separator: ",") {
                let kv = pair.split(separator: "=", maxSplits: 1)
                if kv.count == 2 { labels[String(kv[0])] = kv[1].trimmingCharacters(in: CharacterSet(charactersIn: "\"")) }
            }
            guard let name = labels["method"], let method = methods[name], let status = labels["status"] else { continue }
            counts[CounterKey(method: method, status: status), default: 0] += n
        }
        return counts
    }
}

/// A small deterministic generator (Knuth's MMIX constants), so the loads are the same every run.
struct LCG {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt32 {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return UInt32(truncatingIfNeeded: state >> 33)
    }
}
