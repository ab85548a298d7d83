// The paper's construction rules (§4.1.1) for one (history, future) pair: POS and NEG.

import SteerData
import SteerRandom

/// The POS and NEG rules, as pure functions of a future window and item categories.
///
/// **POS** ("heuristic interest shift"): among the first N future items, those having a genre
/// the FIRST future item lacks; if any, one is drawn as the target and one of its genres the
/// first item lacks is drawn as the prompt's genre g. Compliance list: the window items
/// having g. The first item never has g, so it is never a POS target.
///
/// **NEG**: g is drawn among the first future item's genres; the targets are the window items
/// without g (the first item has g, so it is never one). No task when every window item has g,
/// or when the first item has no genre.
enum TaskRules {
    /// The POS task's (genre, target, compliance list) of `window`, if the window shifts.
    static func positive(
        window: ArraySlice<Int32>, categories: [[Int32]], generator: inout SeededRandom
    ) -> (genre: Int32, target: Int32, compliance: [Int32])? {
        guard let first = window.first else { return nil }
        let firstGenres = categories[Int(first)]
        let novel: (Int32) -> [Int32] = { item in categories[Int(item)].filter { !firstGenres.contains($0) } }
        let shifted = window.filter { !novel($0).isEmpty }
        guard !shifted.isEmpty else { return nil }
        // Target first, then its genre: "identify those possessing a genre different from the
        // first item's and randomly select one as the target … prompt with its category".
        let target = shifted[TaskRandom.index(shifted.count, using: &generator)]
        let genres = novel(target)
        let genre = genres[TaskRandom.index(genres.count, using: &generator)]
        return (genre, target, window.filter { categories[Int($0)].contains(genre) })
    }

    /// The NEG task's (genre, targets) of `window`, if some window item lacks the genre drawn.
    static func negative(
        window: ArraySlice<Int32>, categories: [[Int32]], generator: inout SeededRandom
    ) -> (genre: Int32, targets: [Int32])? {
        guard let first = window.first else { return nil }
        let firstGenres = categories[Int(first)]
        guard !firstGenres.isEmpty else { return nil }
        // A seeded draw among the first item's genres (rather than, say, its first genre in
        // id order): this reproduces the reference NEG task counts (3,956 / 4,374 / 4,698 at
        // N = 3/5/10, published with the reference implementation's setup; see
        // docs/evaluation.md) within noise.
        let genre = firstGenres[TaskRandom.index(firstGenres.count, using: &generator)]
        let targets = window.filter { !categories[Int($0)].contains(genre) }
        return targets.isEmpty ? nil : (genre, targets)
    }
}
