// Stage-3 knowledge: the per-movie semantic tags of Data/ml-1m-tags.tsv, keyed by dense item id.
import Foundation
import SteerData

/// The three tag facets of paper §3.3.3 (appendix B.2).
public enum TagFacet: String, Sendable, Codable, CaseIterable {
    /// Plot and conflict.
    case narrative
    /// Tone and style.
    case atmosphere
    /// Who it suits and why.
    case appeal
}

/// Which wording of a tag: the training tag, its lexically different paraphrase (B.3), which is
/// for evaluation only, or the held-out extra wording that scores stage 3's epochs
/// (``TagPhrasings/Use/select``).
public enum TagWording: String, Sendable, Codable {
    case training
    case evaluation
    case selection
}

/// Tags per item: for a tagged item, one training tag and one evaluation paraphrase per facet.
///
/// Rows whose item is not in the dataset (e.g. dropped by the split) are skipped and counted;
/// items without a row have no tags, and stage 3 falls back to genre prompts for them.
public struct ItemTags: Sendable {
    /// `tags[item]`: nil, or the six strings in `TagFacet` order, training then evaluation.
    private let tags: [[String]?]
    /// Rows of the file whose item the dataset does not hold.
    public let unknownRows: Int
    /// Items with tags.
    public let taggedItems: Int
    /// More wordings of the training tags, if a phrasings file was read.
    public var phrasings: TagPhrasings?

    /// Parses `path` (tab-separated; `#` comment lines; a header line starting `item_id`) for
    /// `dataset`'s item vocabulary.
    /// - Throws: ``ItemTagsError`` naming the file and line of a malformed row or a duplicate.
    public init(contentsOf path: String, dataset: SequenceDataset) throws {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw ItemTagsError("\(path): cannot read: \(error.localizedDescription)")
        }
        try self.init(text: text, source: path, itemTokens: dataset.itemTokens)
    }

    /// Parses tag rows for the item vocabulary `itemTokens` (index = dense item id).
    public init(text: String, source: String, itemTokens: [String]) throws {
        let index = Dictionary(itemTokens.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        var tags = [[String]?](repeating: nil, count: itemTokens.count)
        var unknown = 0, tagged = 0
        for (line, fields) in try TabSeparatedRows.parse(text, source: source, firstColumn: "item_id", header: "item_id\\tnarrative\\t…") {
            guard fields.count == 7 else { throw ItemTagsError("\(source):\(line): \(fields.count) fields, expected 7") }
            guard fields.allSatisfy({ !$0.isEmpty }) else { throw ItemTagsError("\(source):\(line): an empty field") }
            guard let item = index[fields[0]] else { unknown += 1; continue }
            guard tags[item] == nil else { throw ItemTagsError("\(source):\(line): \(fields[0]) appears twice") }
            tags[item] = Array(fields[1...])
            tagged += 1
        }
        self.tags = tags
        unknownRows = unknown
        taggedItems = tagged
    }

    /// The tag of `item` in `facet` and `wording`, or nil when the item has no tags.
    /// `.selection` gives the first held-out wording of `facet`, else of another facet, or nil when
    /// the item has none.
    public func tag(_ item: Int32, _ facet: TagFacet, _ wording: TagWording) -> String? {
        guard item >= 0, Int(item) < tags.count, let row = tags[Int(item)] else { return nil }
        let column = TagFacet.allCases.firstIndex(of: facet)!
        switch wording {
        case .training: return row[column]
        case .evaluation: return row[column + 3]
        case .selection:
            // Another facet's held-out wording rather than none: a task without one would fall back
            // to its genre prompt and blur the score with genre steering.
            let order = [facet] + TagFacet.allCases.filter { $0 != facet }
            return order.lazy.compactMap { self.phrasings?.wordings(item, $0, .select).first }.first
        }
    }

    /// The wordings stage 3 trains on for `item`'s `facet`: the training tag and its extra
    /// training wordings (empty when the item has no tags).
    public func trainingWordings(_ item: Int32, _ facet: TagFacet) -> [String] {
        guard let tag = tag(item, facet, .training) else { return [] }
        return [tag] + (phrasings?.wordings(item, facet, .train) ?? [])
    }

    /// Whether `item` has tags.
    public func hasTags(_ item: Int32) -> Bool { item >= 0 && Int(item) < tags.count && tags[Int(item)] != nil }

    /// The repository's tag file: `Data/ml-1m-tags.tsv` under `root`.
    public static func defaultPath(root: String = FileManager.default.currentDirectoryPath) -> String {
        root + "/Data/ml-1m-tags.tsv"
    }

    /// Every training wording of items `0..<itemCount`, each facet: the texts stage 3 draws its
    /// tag prompts from, for the prompt bank to encode up front.
    public func trainingTexts(itemCount: Int) -> [String] {
        (0..<Int32(itemCount)).flatMap { item in TagFacet.allCases.flatMap { trainingWordings(item, $0) } }
    }
}

/// A tag file that cannot be used, with file and line.
public struct ItemTagsError: Error, CustomStringConvertible, Sendable {
    public let description: String
    init(_ description: String) { self.description = description }
}
