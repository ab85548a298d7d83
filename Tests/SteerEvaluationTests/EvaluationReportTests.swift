// The report's markdown table and JSON round trip.

import SteerEvaluation
import XCTest

final class EvaluationReportTests: XCTestCase {
    func testMarkdownAndJSON() throws {
        var report = EvaluationReport(title: "ML-1M, 8:1:1, test")
        report.append(model: "Popularity", task: "SEQ",
                      metrics: RankingMetrics(cutoffs: [10, 20], ndcg: [0.0185, 0.025], recall: [0.039, 0.0661], users: 6040))
        report.append(model: "Top-10 only", task: "NEG N=3",
                      metrics: RankingMetrics(cutoffs: [10], ndcg: [0.5], recall: [0.25], users: 2))
        let expected = """
            ### ML-1M, 8:1:1, test

            | Model | Task | Users | NDCG@10 | Recall@10 | NDCG@20 | Recall@20 |
            |---|---|---|---|---|---|---|
            | Popularity | SEQ | 6040 | 0.0185 | 0.0390 | 0.0250 | 0.0661 |
            | Top-10 only | NEG N=3 | 2 | 0.5000 | 0.2500 | – | – |

            - \(EvaluationReport.historyMaskedNote)

            """
        XCTAssertEqual(report.markdown(), expected)
        let decoded = try EvaluationReport.decode(report.json())
        XCTAssertEqual(decoded, report)
        XCTAssertTrue(String(decoding: try report.json(), as: UTF8.self).contains("\"model\" : \"Popularity\""))
    }
}
