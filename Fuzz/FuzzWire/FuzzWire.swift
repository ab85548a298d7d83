// libFuzzer target: the bytes a connection delivers, decoded the way steerd and the client do.
//
// Server side: the bytes go through FrameDecoder in a NIO pipeline (ByteToMessageHandler, as
// SteerServer installs it), once whole and once in small chunks; both must emit the same frames
// and end the same way. Every frame is parsed as a RequestEnvelope and, for a known method, as
// that method's request message (the switch of SteerService.serve); a Retrieve runs against a
// small fixed index after the daemon's bounds checks. The rows counted on the wire
// (RequestRows) must equal the decoded request's. Client side: the bytes are parsed as a
// ResponseEnvelope and its payload as every response message.
//
// Errors are expected; a crash, a failed invariant (precondition), a hang or an ASan report is a bug.
// Invariant checked on every message that parses: decode∘encode is idempotent, i.e.
// encode(decode(encode(decode(x)))) == encode(decode(x)).
#if canImport(Glibc)
import Glibc
#endif
import NIOCore
import NIOEmbedded
import SteerDaemon
import SteerTransport
import SteerIndex
import SteerWire

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzWire(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))

    // Client side: one response envelope per frame body; the fuzzer supplies the body.
    clientSide(bytes)

    // Server side: the same bytes as a connection's stream.
    let whole = frames(of: bytes, chunk: bytes.count)
    let chunked = frames(of: bytes, chunk: 1 + size % 13)
    precondition(whole == chunked, "FrameDecoder emitted different frames for the same bytes in other chunks")
    for body in whole.frames { serverSide(body) }
    return 0
}

/// Writes the seed corpus when STEER_FUZZ_SEEDS names a directory (Scripts/fuzz sets it).
@_cdecl("LLVMFuzzerInitialize")
public func fuzzWireInitialize(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> CInt {
    if let dir = getenv("STEER_FUZZ_SEEDS") { writeSeeds(to: String(cString: dir)) }
    return 0
}

// MARK: Server side

/// What the decoder did with a stream: the frame bodies it emitted and whether it failed.
struct Outcome: Equatable {
    var frames: [[UInt8]] = []
    var failed = false
}

/// The daemon's default, so oversized frames are refused exactly as steerd refuses them.
let maxFrameSize = Framing.defaultMaxFrameSize

func frames(of bytes: [UInt8], chunk: Int) -> Outcome {
    let channel = EmbeddedChannel(handler: ByteToMessageHandler(FrameDecoder(maxFrameSize: maxFrameSize)))
    var outcome = Outcome()
    var offset = 0
    repeat {
        let end = min(bytes.count, offset + max(1, chunk))
        do {
            try channel.writeInbound(ByteBuffer(bytes: bytes[offset..<end]))
        } catch {
            // steerd answers RESOURCE_EXHAUSTED and closes the connection: nothing more is read.
            outcome.failed = true
        }
        drain(channel, into: &outcome)
        offset = end
    } while offset < bytes.count && !outcome.failed
    // The peer closes: decodeLast runs; a partial frame is dropped.
    do {
        _ = try channel.finish(acceptAlreadyClosed: true)
    } catch {
        outcome.failed = true
    }
    drain(channel, into: &outcome)
    return outcome
}

func drain(_ channel: EmbeddedChannel, into outcome: inout Outcome) {
    while let frame = try? channel.readInbound(as: ByteBuffer.self) {
        outcome.frames.append(Array(frame.readableBytesView))
    }
}

/// A small fixed index for Retrieve: 37 items of dimension 4, 70 categories (two words per item).
let index: ItemIndex = {
    let n = 37, d = 4, categories = 70
    let embeddings = (0..<n * d).map { Float(($0 * 7919) % 23) - 11 }
    let itemCategories = (0..<n).map { item in [UInt32(item % categories), UInt32((item * 5) % categories)] }
    return try! ItemIndex(embeddings: embeddings, dimension: d, itemCategories: itemCategories, categoryCount: categories)
}()

/// RequestHandler: envelope, then SteerService.serve: the method's request message.
func serverSide(_ body: [UInt8]) {
    guard let envelope: RequestEnvelope = roundTrip(body) else { return }
    guard let method = envelope.method else { return }  // UNIMPLEMENTED
    let payload = envelope.payload
    // The rows steerd counts on the wire before decoding (its per-connection bound) must be the
    // decoded message's rows whenever the message decodes.
    let rows = RequestRows.count(method, payload: payload)
    func expectRows(_ decoded: Int?) {
        guard let decoded else { return }
        precondition(rows == decoded, "RequestRows counted \(rows.map(String.init) ?? "nil") rows, the decoded \(method) has \(decoded)")
    }
    switch method {
    case .health: _ = roundTrip(payload) as HealthRequest?
    case .retrieve:
        let request: RetrieveRequest? = roundTrip(payload)
        expectRows(request?.queries.count)
        guard let request else { return }
        retrieve(request)
    case .encodeHistory: expectRows((roundTrip(payload) as EncodeHistoryRequest?)?.histories.count)
    case .listBackbones: _ = roundTrip(payload) as ListBackbonesRequest?
    case .loadBackbone: _ = roundTrip(payload) as LoadBackboneRequest?
    case .saveSnapshot: _ = roundTrip(payload) as SaveSnapshotRequest?
    case .loadSnapshot: _ = roundTrip(payload) as LoadSnapshotRequest?
    case .stats: _ = roundTrip(payload) as StatsRequest?
    case .embedPrompt: expectRows((roundTrip(payload) as EmbedPromptRequest?)?.prompts.count)
    case .route: expectRows((roundTrip(payload) as RouteRequest?)?.prompts.count)
    case .fuse: expectRows((roundTrip(payload) as FuseRequest?)?.polarities.count)
    case .recommend: _ = roundTrip(payload) as RecommendRequest?
    }
}

/// The Retrieve handler's bounds (SteerService.maxRetrieveQueries / maxRetrieveK), then the index.
func retrieve(_ request: RetrieveRequest) {
    guard !request.queries.isEmpty, request.queries.count <= 4_096, request.k >= 1, request.k <= 10_000 else { return }
    let queries = request.queries.map {
        RetrievalQuery(vector: $0.vector, excludeItems: $0.excludeItems,
                       requireCategories: $0.requireCategories, excludeCategories: $0.excludeCategories)
    }
    guard let ranked = try? index.retrieve(queries, k: Int(request.k)) else { return }
    precondition(ranked.count == queries.count, "Retrieve answered \(ranked.count) lists for \(queries.count) queries")
    for items in ranked {
        precondition(items.count <= min(Int(request.k), index.count), "Retrieve returned more than k items")
        precondition(items.allSatisfy { Int($0.item) < index.count }, "Retrieve returned an item id out of range")
    }
    _ = RetrieveResponse(results: ranked.map { items in
        RetrieveResult(itemIDs: items.map(\.item), scores: items.map(\.score))
    }).encoded()
}

// MARK: Client side

func clientSide(_ bytes: [UInt8]) {
    guard let envelope: ResponseEnvelope = roundTrip(bytes) else { return }
    _ = envelope.status
    let p = envelope.payload
    _ = roundTrip(p) as HealthResponse?
    _ = roundTrip(p) as RetrieveResponse?
    _ = roundTrip(p) as EncodeHistoryResponse?
    _ = roundTrip(p) as ListBackbonesResponse?
    _ = roundTrip(p) as LoadBackboneResponse?
    _ = roundTrip(p) as SaveSnapshotResponse?
    _ = roundTrip(p) as LoadSnapshotResponse?
    _ = roundTrip(p) as StatsResponse?
    _ = roundTrip(p) as EmbedPromptResponse?
    _ = roundTrip(p) as RouteResponse?
    _ = roundTrip(p) as FuseResponse?
    _ = roundTrip(p) as RecommendResponse?
}

// MARK: Invariant

/// Decodes `bytes` as `M`; when that works, checks that re-encoding reaches a fixed point.
func roundTrip<M: WireMessage>(_ bytes: [UInt8]) -> M? {
    guard let message = try? M(decoding: bytes) else { return nil }
    let once = message.encoded()
    guard let again = try? M(decoding: once) else {
        preconditionFailure("\(M.self): its own encoding of \(once.count) bytes does not decode")
    }
    let twice = again.encoded()
    precondition(once == twice, "\(M.self): encode(decode(encode(decode(x)))) != encode(decode(x))")
    return message
}

// MARK: Seeds

func writeSeeds(to directory: String) {
    func request(_ method: Method, _ payload: some WireMessage) -> [UInt8] {
        Framing.frame(RequestEnvelope(id: 7, method: method, deadlineUnixMicros: 0, payload: payload.encoded()).encoded())
    }
    let retrieve = RetrieveRequest(k: 5, queries: [
        RetrieveQuery(vector: [0.5, -1, 2, 0.25], excludeItems: [1, 2], requireCategories: [3, 65], excludeCategories: [4]),
        RetrieveQuery(vector: [1, 1, 1, 1]),
    ])
    var seeds: [String: [UInt8]] = [
        "health": request(.health, HealthRequest()),
        "retrieve": request(.retrieve, retrieve),
        "encode-history": request(.encodeHistory, EncodeHistoryRequest(histories: [[1, 2, 3], [], [40_000]])),
        "list-backbones": request(.listBackbones, ListBackbonesRequest()),
        "load-backbone": request(.loadBackbone, LoadBackboneRequest(name: "MeanPool", checkpoint: "meanpool.snap")),
        "save-snapshot": request(.saveSnapshot, SaveSnapshotRequest(name: "items.snap")),
        "load-snapshot": request(.loadSnapshot, LoadSnapshotRequest(name: "items.snap")),
        "stats": request(.stats, StatsRequest()),
        "embed-prompt": request(.embedPrompt, EmbedPromptRequest(prompts: ["I want a comedy", "no horror"])),
        "route": request(.route, RouteRequest(prompts: ["no horror tonight"])),
        "fuse": request(.fuse, FuseRequest(dim: 2, userVectors: [0.5, -1, 2, 0.25], polarities: [.positive, .negative],
                                           prompts: ["a comedy", "no horror"])),
        "fuse-embeddings": request(.fuse, FuseRequest(dim: 1, userVectors: [1], promptEmbeddings: [0.6, 0.8], polarities: [.negative])),
        "recommend": request(.recommend, RecommendRequest(history: [1, 2, 3], prompt: "something light", polarity: .positive,
                                                          k: 10, includeHistory: true)),
        "recommend-parts": request(.recommend, RecommendRequest(history: [4, 5], k: 3, parts: [
            PromptPart(text: "a comedy", polarity: .positive), PromptPart(text: "no romance", polarity: .negative),
        ])),
        "unknown-method": Framing.frame(RequestEnvelope(id: 9, methodNumber: 99, deadlineUnixMicros: 1, payload: [1, 2]).encoded()),
        "oversized": [0x7F, 0xFF, 0xFF, 0xFF, 0x0A],
        "save-snapshot-overwrite": request(.saveSnapshot, SaveSnapshotRequest(name: "state.snap", overwrite: true)),
        // What WireFieldCheck refuses (issue 19): a NUL in a string, bytes that are not UTF-8, an
        // unknown polarity, and a method number beyond 32 bits (field 2 = 2^40).
        "nul-string": Framing.frame(RequestEnvelope(id: 7, method: .saveSnapshot,
                                                    payload: [0x0A, 0x0D] + Array("nul\0tail.snap".utf8)).encoded()),
        "not-utf8": Framing.frame(RequestEnvelope(id: 7, method: .recommend, payload: [0x12, 0x03, 0x61, 0xC3, 0x28]).encoded()),
        "unknown-polarity": Framing.frame(RequestEnvelope(id: 7, method: .fuse, payload: [0x22, 0x02, 0x01, 0x07]).encoded()),
        "method-beyond-32-bits": Framing.frame([0x08, 0x09, 0x10, 0x80, 0x80, 0x80, 0x80, 0x80, 0x20]),
    ]
    // Several requests in one read, as pipelining clients send them.
    seeds["pipelined"] = seeds["health"]! + seeds["retrieve"]! + seeds["stats"]!
    // Client side: responses (an unframed envelope, as the client decodes a body).
    var info = BackboneInfo()
    info.name = "MeanPool"
    info.dim = 64
    info.active = true
    var health = HealthResponse()
    health.live = true
    health.version = "0.1.0"
    var stats = StatsResponse()
    stats.prometheusText = "steer_requests_total 3\n"
    let responses: [String: any WireMessage] = [
        "response-health": health,
        "response-retrieve": RetrieveResponse(results: [RetrieveResult(itemIDs: [3, 1], scores: [2.5, 1])]),
        "response-encode-history": EncodeHistoryResponse(dim: 2, userVectors: [0.1, 0.2, 0.3, 0.4]),
        "response-list-backbones": ListBackbonesResponse(backbones: [info], available: ["MeanPool", "SASRec"]),
        "response-load-backbone": LoadBackboneResponse(backbone: info),
        "response-save-snapshot": SaveSnapshotResponse(path: "/tmp/items.snap", bytes: 4096),
        "response-load-snapshot": LoadSnapshotResponse(nItems: 3706, dim: 64, nCategories: 18),
        "response-stats": stats,
        "response-embed-prompt": EmbedPromptResponse(dim: 2, embeddings: [0.6, 0.8], cacheHits: [true]),
        "response-route": RouteResponse(results: [RouteResult(polarity: .negative, confidence: 0.9)]),
        "response-route-parts": RouteResponse(results: [RouteResult(polarity: .positive, confidence: 0.96, parts: [
            PromptPart(text: "a comedy", polarity: .positive, confidence: 0.96), PromptPart(text: "no romance", polarity: .negative, confidence: 0.7, steered: false),
        ])]),
        "response-fuse": FuseResponse(dim: 2, fused: [0.1, 0.2]),
        "response-recommend": RecommendResponse(itemIDs: [3, 1], scores: [2.5, 1], polarity: .positive, routeConfidence: 0.8,
                                                titles: ["Alien (1979)", "Heat (1995)"], categories: ["Horror|Sci-Fi", "Action"]),
        "response-recommend-parts": RecommendResponse(itemIDs: [3], scores: [2.5], polarity: .positive, routeConfidence: 0.96,
                                                      titles: ["Alien (1979)"], categories: ["Horror"],
                                                      parts: [PromptPart(text: "a comedy", polarity: .positive, confidence: 0.96)]),
    ]
    for (name, message) in responses {
        seeds[name] = ResponseEnvelope(id: 7, status: .ok, payload: message.encoded()).encoded()
    }
    seeds["response-error"] = ResponseEnvelope(id: 0, status: .invalidArgument, message: "bad envelope").encoded()
    for (name, bytes) in seeds { writeFile(directory + "/seed-" + name, bytes) }
}

func writeFile(_ path: String, _ bytes: [UInt8]) {
    guard let file = fopen(path, "wb") else { return }
    _ = bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) }
    fclose(file)
}
