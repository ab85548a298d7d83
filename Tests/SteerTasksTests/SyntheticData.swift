// A tiny hand-made dataset whose POS/NEG tasks are worked out by hand in TaskBuilderTests.

import Foundation
import SteerData
import SteerEvaluation
@testable import SteerTasks

/// Items and genres (category ids: Action 0, Comedy 1, Drama 2, Horror 3; sorted names):
///
///     i0 A   i1 C   i2 A C   i3 D   i4 H   i5 A D   i6 C H   i7 D   i8 A   i9 C D H
///     i10 A  i11 A  i12 (no genre: absent from the catalog)
///
/// Item ids are 0…12 in that order (the filler user u0 meets them first). The split is 1:0:1,
/// so each user's future (test part) is the second half of the sequence.
enum SyntheticData {
    static let genres: [String: [String]] = [
        "i0": ["Action"], "i1": ["Comedy"], "i2": ["Action", "Comedy"], "i3": ["Drama"], "i4": ["Horror"],
        "i5": ["Action", "Drama"], "i6": ["Comedy", "Horror"], "i7": ["Drama"], "i8": ["Action"],
        "i9": ["Comedy", "Drama", "Horror"], "i10": ["Action"], "i11": ["Action"],
    ]

    /// Sequences (history half, then future half).
    static let users: [(String, [String])] = [
        // u0: train i0…i12 (so no item is dropped), future thirteen i0: no POS, no NEG.
        ("u0", (0...12).map { "i\($0)" } + Array(repeating: "i0", count: 13)),
        ("uA", ["i0", "i1", "i2", "i3", "i4"] + ["i0", "i8", "i1", "i10", "i11"]),
        ("uB", ["i0", "i1", "i2", "i3", "i4"] + ["i0", "i8", "i10", "i1", "i3"]),
        ("uC", ["i0", "i1", "i2", "i3", "i4"] + ["i9", "i1", "i3", "i4", "i6"]),
        ("uD", ["i0", "i1", "i2", "i3", "i4"] + ["i3", "i9", "i7", "i2", "i5"]),
        ("uE", ["i0", "i1", "i2", "i3", "i4"] + ["i12", "i12", "i1", "i12", "i12"]),
        ("uF", ["i5", "i6"] + ["i0", "i1"]),
    ]

    static let split: DatasetSplit = {
        var log = InteractionLog(file: "synthetic")
        for (user, items) in users {
            for (t, item) in items.enumerated() { log.append(user: user, item: item, timestamp: Double(t)) }
        }
        var catalog = ItemCatalog(file: "synthetic")
        for (item, names) in genres { catalog.entries[item] = ItemCatalog.Entry(title: item, categories: names) }
        return try! DatasetSplit(SequenceDataset(log: log, catalog: catalog), scheme: .ratio(train: 1, validation: 0, test: 1))
    }()

    /// The dense id of item `token`.
    static func item(_ token: String) -> Int32 { Int32(split.dataset.itemID(token)!) }
    static func items(_ tokens: [String]) -> [Int32] { tokens.map(item) }
    /// The dense id of user `token`.
    static func user(_ token: String) -> Int { split.dataset.userID(token)! }
}

/// A catalogue small enough to rank by hand: one user "u" who met items i0, i1, … in that order,
/// item i with the genres `genres[i]` (item and category ids follow, categories by sorted name).
func oneUserDataset(genres: [[String]]) -> SequenceDataset {
    var log = InteractionLog(file: "tiny")
    for t in genres.indices { log.append(user: "u", item: "i\(t)", timestamp: Double(t)) }
    var catalog = ItemCatalog(file: "tiny")
    for (i, names) in genres.enumerated() { catalog.entries["i\(i)"] = ItemCatalog.Entry(title: "i\(i)", categories: names) }
    return SequenceDataset(log: log, catalog: catalog)
}

/// 1 / log2(x): NDCG's discount of the item at rank x − 1.
func l(_ x: Double) -> Double { 1 / log2(x) }

/// A report of one-user rows at window 3, each `(model, task, NDCG@10)` with Recall@10 the same
/// number: what the relative-gain lines are computed from.
func gainReport(_ rows: [(model: String, task: ControllableReport.Task, ndcg: Double)]) -> ControllableReport {
    var report = ControllableReport(title: "t")
    for row in rows {
        report.append(model: row.model, task: row.task, window: 3,
                      metrics: RankingMetrics(cutoffs: [10], ndcg: [row.ndcg], recall: [row.ndcg], users: 1))
    }
    return report
}
