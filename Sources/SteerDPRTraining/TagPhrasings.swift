// More wordings of the stage-3 training tags (Data/ml-1m-tag-phrasings.tsv): stage 3 trains on
// some beside the tag and scores its epochs with the others, so that what it learns from a tag is
// not tied to the tag's exact words.
import Foundation

/// Extra wordings of the training tags of ``ItemTags``, per item and facet.
///
/// One tag wording per facet teaches the head that exact token sequence: the tag-paraphrase row of
/// the evaluation stayed at the level of genre-free steering. More wordings of the same facet make
/// the tag's meaning, not its words, what is rewarded.
///
/// **Leakage guard.** A wording is kept only if every content word it shares with the item's
/// evaluation paraphrase is one the training tag shares with it too: it then carries nothing of
/// the evaluation wording that the training tag did not. Rows the guard refuses are dropped and
/// counted (``dropped``).
public struct TagPhrasings: Sendable {
    /// What a wording is for.
    public enum Use: String, Sendable, CaseIterable {
        /// Stage 3 trains on it beside the training tag.
        case train
        /// Never trained on: validation POS prompted with it scores stage 3's epochs.
        case select
    }

    /// `wordings[item][facet][use]`.
    private let wordings: [Int32: [TagFacet: [Use: [String]]]]
    /// Rows kept.
    public let rows: Int
    /// Rows the leakage guard refused.
    public let dropped: Int
    /// Rows whose item has no tags in ``ItemTags`` (or is not in the dataset).
    public let unknownRows: Int

    /// Parses `text` (tab-separated `item_id, facet, use, phrasing`; `#` comment lines; a header
    /// line starting `item_id`) against `tags` and the item vocabulary `itemTokens`.
    /// - Throws: ``ItemTagsError`` naming the file and line of a malformed row.
    public init(text: String, source: String, itemTokens: [String], tags: ItemTags) throws {
        let index = Dictionary(itemTokens.enumerated().map { ($1, Int32($0)) }, uniquingKeysWith: { first, _ in first })
        var wordings: [Int32: [TagFacet: [Use: [String]]]] = [:]
        var rows = 0, dropped = 0, unknown = 0
        for (line, fields) in try TabSeparatedRows.parse(text, source: source, firstColumn: "item_id",
                                                         header: "item_id\\tfacet\\tuse\\tphrasing") {
            guard fields.count == 4, fields.allSatisfy({ !$0.isEmpty }) else {
                throw ItemTagsError("\(source):\(line): expected 4 non-empty fields item_id, facet, use, phrasing")
            }
            guard let facet = TagFacet(rawValue: fields[1]) else { throw ItemTagsError("\(source):\(line): unknown facet \"\(fields[1])\"") }
            guard let use = Use(rawValue: fields[2]) else { throw ItemTagsError("\(source):\(line): use must be train or select, got \"\(fields[2])\"") }
            guard let item = index[fields[0]], let training = tags.tag(item, facet, .training),
                  let evaluation = tags.tag(item, facet, .evaluation) else { unknown += 1; continue }
            guard Self.passesGuard(fields[3], training: training, evaluation: evaluation) else { dropped += 1; continue }
            wordings[item, default: [:]][facet, default: [:]][use, default: []].append(fields[3])
            rows += 1
        }
        self.wordings = wordings
        self.rows = rows
        self.dropped = dropped
        unknownRows = unknown
    }

    /// Reads the file at `path`.
    public init(contentsOf path: String, itemTokens: [String], tags: ItemTags) throws {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw ItemTagsError("\(path): cannot read: \(error.localizedDescription)")
        }
        try self.init(text: text, source: path, itemTokens: itemTokens, tags: tags)
    }

    /// The wordings of `item`'s `facet` for `use` (empty when there are none).
    public func wordings(_ item: Int32, _ facet: TagFacet, _ use: Use) -> [String] {
        wordings[item]?[facet]?[use] ?? []
    }

    /// Every wording for `use`, in item and facet order (for the prompt bank).
    public func all(_ use: Use) -> [String] {
        wordings.keys.sorted().flatMap { item in TagFacet.allCases.flatMap { wordings(item, $0, use) } }
    }

    /// The repository's file: `Data/ml-1m-tag-phrasings.tsv` under `root`.
    public static func defaultPath(root: String = FileManager.default.currentDirectoryPath) -> String {
        root + "/Data/ml-1m-tag-phrasings.tsv"
    }

    /// Whether `phrasing` shares with `evaluation` only content words that `training` shares with it.
    public static func passesGuard(_ phrasing: String, training: String, evaluation: String) -> Bool {
        contentWords(phrasing).intersection(contentWords(evaluation)).subtracting(contentWords(training)).isEmpty
    }

    /// Lower-case words of three letters or more, less a few function words, with a crude
    /// suffix strip so that "mocking" and "mocks" meet.
    static func contentWords(_ text: String) -> Set<String> {
        let words = text.lowercased().split { !("a"..."z").contains($0) }.map(String.init)
        return Set(words.filter { $0.count > 2 && !stopWords.contains($0) }.map(stem))
    }

    private static func stem(_ word: String) -> String {
        for suffix in ["ing", "ed", "es", "s", "ly"] where word.count > 4 && word.hasSuffix(suffix) {
            return String(word.dropLast(suffix.count))
        }
        return word
    }

    private static let stopWords: Set<String> = [
        "and", "the", "for", "with", "from", "are", "his", "her", "their", "its", "who", "that", "this",
        "into", "about", "over", "after", "something", "movie", "film", "films", "movies", "want", "like", "one", "some",
    ]
}
