// A tiny SASRec and GRU4Rec built with RecBole 1.2.1's own classes, imported into Steer's plugins:
// the scores match RecBole's forward whatever order Steer numbers the items in.
import SteerCheckpoint
import SteerInterop
import SteerTestSupport
import XCTest

final class RecBoleImportTests: XCTestCase {
    /// float32 in both systems, different summation orders (OpenBLAS vs PyTorch): the scores are
    /// O(1) and agree to about 1e-6; 1e-4 absolute leaves room for other CPUs' kernels.
    static let tolerance = 1e-4

    /// Imports the fixture over `items`, then scores each recorded history through the plugin
    /// and compares every item's score with RecBole's.
    func checkScores(_ stem: String, items: ItemVocabulary) throws {
        let expected = try ExpectedScores.load(stem)
        let file = try RecBoleModelFile(path: recboleFixtureFile(stem))
        XCTAssertEqual(file.itemTokens, expected.item_tokens)
        let (checkpoint, summary) = try RecBoleImport.checkpoint(from: file, items: items)
        XCTAssertEqual(checkpoint.plugin, expected.model)
        XCTAssertEqual(checkpoint.itemTokens, items.tokens)
        XCTAssertEqual(checkpoint.itemTitles, items.titles)
        XCTAssertEqual(summary.droppedTokens, [])
        let backbone = try BuiltPlugins.load(checkpoint.plugin, weights: checkpoint.weights)
        XCTAssertEqual(backbone.info.maxLen, expected.max_len)
        let id = Dictionary(uniqueKeysWithValues: items.tokens.enumerated().map { ($1, UInt32($0)) })
        let vectors = try backbone.encode(histories: expected.cases.map { $0.history.map { id[$0]! } })
        let table = backbone.itemEmbeddings, d = backbone.info.dim
        var worst = 0.0
        for (c, recorded) in expected.cases.enumerated() {
            XCTAssertEqual(recorded.scores.count, items.count)
            for (token, score) in recorded.scores {
                let item = Int(id[token]!)
                let steer = (0..<d).reduce(Float(0)) { $0 + vectors[c * d + $1] * table[item * d + $1] }
                worst = max(worst, abs(Double(steer) - score))
            }
        }
        print("\(stem): largest |Steer − RecBole| score difference \(worst) over \(expected.cases.count) histories (bound \(Self.tolerance))")
        XCTAssertLessThanOrEqual(worst, Self.tolerance)
    }

    func testSASRecReproducesRecBoleWithShuffledIDs() throws {
        try checkScores("sasrec-tiny", items: shuffledVocabulary(try ExpectedScores.load("sasrec-tiny").item_tokens))
    }

    func testGRU4RecReproducesRecBoleWithShuffledIDs() throws {
        try checkScores("gru4rec-tiny", items: shuffledVocabulary(try ExpectedScores.load("gru4rec-tiny").item_tokens))
    }

    func testRecBoleOrderGivesTheSameScores() throws {
        let tokens = try ExpectedScores.load("sasrec-tiny").item_tokens
        try checkScores("sasrec-tiny", items: ItemVocabulary(tokens: Array(tokens.dropFirst())))
    }

    /// The rows really move: Steer item i holds RecBole's row of the same token, not row i + 1.
    func testItemRowsFollowTokens() throws {
        let file = try RecBoleModelFile(path: recboleFixtureFile("gru4rec-tiny"))
        let items = shuffledVocabulary(file.itemTokens)
        let (checkpoint, _) = try RecBoleImport.checkpoint(from: file, items: items)
        let table = try BuiltPlugins.load("GRU4Rec", weights: checkpoint.weights).itemEmbeddings
        let recbole = try file.tensor("item_embedding.weight", shape: [file.itemTokens.count, 8])
        for (id, token) in items.tokens.enumerated() {
            let row = file.itemTokens.firstIndex(of: token)!
            XCTAssertNotEqual(row, id + 1, "the shuffled vocabulary should move \(token)")
            XCTAssertEqual(Array(table[(id * 8)..<((id + 1) * 8)]), Array(recbole[(row * 8)..<((row + 1) * 8)]))
        }
    }

    /// Tokens the split removed may be dropped when the caller says so; they are reported.
    func testDroppableTokensAreLeftOut() throws {
        let file = try RecBoleModelFile(path: recboleFixtureFile("sasrec-tiny"))
        var items = shuffledVocabulary(file.itemTokens)
        let gone = items.tokens.removeLast()
        items = ItemVocabulary(tokens: items.tokens)
        let (checkpoint, summary) = try RecBoleImport.checkpoint(from: file, items: items, droppable: [gone])
        XCTAssertEqual(summary.droppedTokens, [gone])
        XCTAssertEqual(try BuiltPlugins.load("SASRec", weights: checkpoint.weights).info.nItems, items.count)
    }
}
