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
        roundTrip(LoadSnapshotRequest(name: "index.snap"))
        roundTrip(LoadSnapshotResponse(nItems: 3706, dim: 64, nCategories: 18))
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
