// The head's serving API: prompts of different lengths handed over as they are; the head pads.
import SteerNN
import SteerTestSupport
import XCTest
@testable import SteerDPR

final class DPRHeadServingTests: XCTestCase {
    /// Each row of a mixed-length fuse equals that prompt fused alone (unpadded), for raw encoder
    /// states and for the projector's outputs of the same prompts.
    func testMixedLengthPromptsFuseAsIfAlone() throws {
        for keyValue in [KeyValueMode.tokens, .pooled] {
            let cfg = DPRConfig(dim: 8, encoderDim: 10, projectorHidden: 12, heads: 2, ffnDim: 12, keyValue: keyValue, dropout: 0)
            let head = try DPRHead(config: cfg, seed: 5)
            var rng = RNG(seed: 6)
            let d = cfg.dim, e = cfg.encoderDim
            let rows = keyValue == .pooled ? [1, 1, 1] : [3, 1, 2]
            let prompts = rows.map { n in DPRHead.PromptRows(values: (0..<(n * e)).map { _ in rng.normal() }, rows: n) }
            let users = (0..<(rows.count * d)).map { _ in rng.normal() }
            let polarities: [PromptPolarity] = [.negative, .positive, .negative]
            var together = [Float](repeating: 0, count: rows.count * d)
            head.fuse(users: users, prompts: prompts, polarities: polarities, into: &together)
            let projected = prompts.map { DPRHead.PromptRows(values: head.project($0.values, rows: $0.rows), rows: $0.rows) }
            var fromProjected = [Float](repeating: 0, count: rows.count * d)
            head.fuse(users: users, projected: projected, polarities: polarities, into: &fromProjected)
            for r in rows.indices {
                var alone = [Float](repeating: 0, count: d)
                Array(users[(r * d)..<((r + 1) * d)]).withUnsafeBufferPointer { user in
                    head.fuse(users: user.baseAddress!, prompts: [prompts[r]], polarities: [polarities[r]], into: &alone)
                }
                for i in 0..<d {
                    XCTAssertEqual(together[r * d + i], alone[i], accuracy: 1e-5, "\(keyValue) row \(r)")
                    XCTAssertEqual(fromProjected[r * d + i], alone[i], accuracy: 1e-5, "\(keyValue) row \(r), projected")
                }
            }
            XCTAssertNotEqual(Array(together[0..<d]), Array(together[d..<(2 * d)]), "rows differ: the check is not vacuous")
        }
    }

    func testPaddingLayout() {
        let (values, keys, lengths) = DPRHead.padded([.init(values: [1, 2, 3, 4], rows: 2), .init(values: [5, 6], rows: 1)], width: 2)
        XCTAssertEqual(keys, 2)
        XCTAssertEqual(lengths, [2, 1])
        XCTAssertEqual(values, [1, 2, 3, 4, 5, 6, 0, 0])
    }
}
