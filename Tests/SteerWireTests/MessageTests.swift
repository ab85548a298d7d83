// Every typed RPC message survives encoding and decoding unchanged.
import XCTest
@testable import SteerWire

final class MessageTests: XCTestCase {
    func roundTrip<M: WireMessage & Equatable>(_ message: M, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(try M(decoding: message.encoded()), message, file: file, line: line)
    }

    func testHealth() {
        roundTrip(HealthRequest())
        var h = HealthResponse()
        h.live = true; h.ready = true; h.version = "0.1.0"; h.uptimeMicros = 123_456
        h.abiMajor = 1; h.abiMinor = 0; h.nItems = 3706; h.dim = 64; h.activeBackbone = "MeanPool"
        roundTrip(h)
    }

    func testRetrieve() {
        roundTrip(RetrieveRequest(k: 10, queries: [
            RetrieveQuery(vector: [0.5, -1, .greatestFiniteMagnitude], excludeItems: [1, 2, UInt32.max]),
            RetrieveQuery(vector: [], requireCategories: [3], excludeCategories: [4, 5]),
        ]))
        roundTrip(RetrieveRequest(k: 0, queries: []))
        roundTrip(RetrieveResponse(results: [RetrieveResult(itemIDs: [3, 1], scores: [2.5, 2.5]), RetrieveResult(itemIDs: [], scores: [])]))
    }

    func testEncodeHistory() {
        roundTrip(EncodeHistoryRequest(histories: [[1, 2, 3], [], [42]]))
        roundTrip(EncodeHistoryResponse(dim: 2, userVectors: [1, 2, 3, 4]))
    }

    func testBackbones() {
        roundTrip(ListBackbonesRequest())
        var info = BackboneInfo()
        info.name = "MeanPool"; info.pluginVersion = "1.0.0"; info.abiMajor = 1; info.sha256 = String(repeating: "ab", count: 32)
        info.dim = 64; info.maxLen = 200; info.nItems = 3706; info.trainable = true; info.active = true
        roundTrip(ListBackbonesResponse(backbones: [info, BackboneInfo()], available: ["MeanPool", "SASRec"]))
        roundTrip(LoadBackboneRequest(name: "SASRec", checkpoint: "sasrec-ml1m.snap"))
        roundTrip(LoadBackboneResponse(backbone: info))
    }

    func testSnapshotsAndStats() {
        roundTrip(SaveSnapshotRequest(name: "index.snap"))
        roundTrip(SaveSnapshotResponse(path: "/tmp/x/index.snap", bytes: 1 << 40))
        roundTrip(SaveSnapshotResponse(path: "/tmp/x/state.snap", bytes: 9, backbone: "SASRec", promptCacheEntries: 70_000))
        roundTrip(LoadSnapshotRequest(name: "index.snap"))
        roundTrip(LoadSnapshotResponse(nItems: 3706, dim: 64, nCategories: 18))
        roundTrip(LoadSnapshotResponse(nItems: 3706, dim: 64, nCategories: 18, backbone: "GRU4Rec", promptCacheEntries: 12))
        roundTrip(StatsRequest())
        var s = StatsResponse()
        s.prometheusText = "steer_requests_total 1\n"; s.requestsTotal = 5; s.errorsTotal = 1; s.inFlight = 2; s.connections = 3
        roundTrip(s)
    }

    func testPrompts() {
        roundTrip(EmbedPromptRequest(prompts: ["I want a comedy", "", "no horror ✓"], encoder: "all-MiniLM-L6-v2"))
        roundTrip(EmbedPromptResponse(dim: 2, embeddings: [0.6, 0.8, 1, 0], cacheHits: [true, false]))
        roundTrip(RouteRequest(prompts: ["no horror tonight"]))
        roundTrip(RouteResponse(results: [RouteResult(polarity: .negative, confidence: 0.97),
                                          RouteResult(polarity: .positive, confidence: 0.5)]))
    }

    func testFuse() {
        roundTrip(FuseRequest(dim: 2, userVectors: [1, -0.5, 0, .greatestFiniteMagnitude], promptEmbeddings: [0.6, 0.8, 1, 0],
                              polarities: [.positive, .negative]))
        roundTrip(FuseRequest(dim: 2, userVectors: [1, 2], polarities: [.negative], prompts: ["no horror ✓"]))
        roundTrip(FuseRequest(dim: 0, userVectors: [], polarities: [.unspecified, .positive], prompts: ["", "a comedy"]))
        roundTrip(FuseResponse(dim: 2, fused: [0.25, -1, 3, 4]))
        roundTrip(FuseResponse(dim: 0, fused: []))
    }

    func testRecommend() {
        roundTrip(RecommendRequest(history: [1, 2, UInt32.max], prompt: "something light for the kids", polarity: .positive,
                                   k: 20, includeHistory: true))
        roundTrip(RecommendRequest(history: [], prompt: "", polarity: .unspecified, k: 0))
        roundTrip(RecommendResponse(itemIDs: [3, 1], scores: [2.5, 2.5], polarity: .negative, routeConfidence: 0.97,
                                    titles: ["Alien (1979)", ""], categories: ["Horror|Sci-Fi", ""]))
        roundTrip(RecommendResponse(itemIDs: [], scores: []))
    }

    /// The bytes protobuf itself defines for these messages (proto3: packed repeated scalars,
    /// default values omitted), so the structs fill the right fields with the right wire types.
    func testFuseRequestBytes() {
        let request = FuseRequest(dim: 2, userVectors: [1, 0.5], polarities: [.negative], prompts: ["hi"])
        XCTAssertEqual(request.encoded(), [
            0x08, 0x02,                                                  // dim = 2
            0x12, 0x08, 0x00, 0x00, 0x80, 0x3F, 0x00, 0x00, 0x00, 0x3F,  // user_vectors, packed: 1.0, 0.5
            0x22, 0x01, 0x02,                                            // polarities, packed: NEGATIVE
            0x2A, 0x02, 0x68, 0x69,                                      // prompts: "hi"
        ])
        let pooled = FuseRequest(dim: 1, userVectors: [], promptEmbeddings: [-2], polarities: [.positive])
        XCTAssertEqual(pooled.encoded(), [
            0x08, 0x01,                                                  // dim = 1
            0x1A, 0x04, 0x00, 0x00, 0x00, 0xC0,                          // prompt_embeddings, packed: -2.0
            0x22, 0x01, 0x01,                                            // polarities, packed: POSITIVE
        ])
    }

    func testFuseResponseBytes() {
        XCTAssertEqual(FuseResponse(dim: 1, fused: [2]).encoded(), [
            0x08, 0x01,                                                  // dim = 1
            0x12, 0x04, 0x00, 0x00, 0x00, 0x40,                          // fused, packed: 2.0
        ])
    }

    func testRecommendRequestBytes() {
        let request = RecommendRequest(history: [3, 300], prompt: "no", polarity: .positive, k: 5, includeHistory: true)
        XCTAssertEqual(request.encoded(), [
            0x0A, 0x05, 0x0A, 0x03, 0x03, 0xAC, 0x02,                    // history { item_ids, packed: 3, 300 }
            0x12, 0x02, 0x6E, 0x6F,                                      // prompt = "no"
            0x18, 0x01,                                                  // polarity = POSITIVE
            0x20, 0x05,                                                  // k = 5
            0x28, 0x01,                                                  // include_history = true
        ])
        // An empty history is left out, like every default.
        XCTAssertEqual(RecommendRequest(history: [], k: 1).encoded(), [0x20, 0x01])
    }

    func testRecommendResponseBytes() {
        let response = RecommendResponse(itemIDs: [7], scores: [1], polarity: .negative, routeConfidence: 0.5,
                                         titles: ["A"], categories: ["x|y"])
        XCTAssertEqual(response.encoded(), [
            0x0A, 0x01, 0x07,                                            // item_ids, packed: 7
            0x12, 0x04, 0x00, 0x00, 0x80, 0x3F,                          // scores, packed: 1.0
            0x18, 0x02,                                                  // polarity = NEGATIVE
            0x25, 0x00, 0x00, 0x00, 0x3F,                                // route_confidence = 0.5 (fixed32)
            0x2A, 0x01, 0x41,                                            // titles: "A"
            0x32, 0x03, 0x78, 0x7C, 0x79,                                // categories: "x|y"
        ])
    }

    func testUnknownPolarityNumbersAreRefusedInRequestsAndKeptInResponses() throws {
        // polarities = [7], polarity = 9: numbers this version does not know. A request is refused
        // (serving it as "unspecified" would answer another question); WireFieldCheckTests has the rest.
        XCTAssertThrowsError(try FuseRequest(decoding: [0x22, 0x01, 0x07]))
        XCTAssertThrowsError(try RecommendRequest(decoding: [0x18, 0x09]))
        // A newer daemon's polarity in a response reads as unspecified.
        XCTAssertEqual(try RecommendResponse(decoding: [0x18, 0x09]).polarity, .unspecified)
        XCTAssertEqual(try RouteResponse(decoding: [0x0A, 0x02, 0x08, 0x09]).results.map(\.polarity), [.unspecified])
    }

    func testUnicodeStrings() {
        roundTrip(LoadBackboneRequest(name: "Ünïcødé ✓ 映画", checkpoint: ""))
    }

    func testFramingIsBigEndian() {
        XCTAssertEqual(Framing.frame([9, 8, 7]), [0, 0, 0, 3, 9, 8, 7])
        XCTAssertEqual(Framing.readLength([0x01, 0x02, 0x03, 0x04, 0xFF]), 0x0102_0304)
        var out: [UInt8] = []
        Framing.appendLength(0xFFFF_FFFF, to: &out)
        XCTAssertEqual(out, [0xFF, 0xFF, 0xFF, 0xFF])
    }
}
