// BERT's BasicTokenizer: text cleaning, CJK splitting, accent stripping, lower-casing, and the
// whitespace / punctuation split that precedes WordPiece.
import Foundation

/// Normalises text and splits it into words exactly as HF `BertNormalizer` + `BertPreTokenizer`
/// do (the pipeline that produced the parity fixtures).
///
/// Order matters and follows the reference: drop NUL, U+FFFD and control characters and map
/// whitespace to a space; surround CJK ideographs with spaces; NFD-decompose and drop
/// non-spacing marks (accents); lower-case each code point (no context rules, like Rust's
/// `char::to_lowercase`); then split on whitespace and make every punctuation mark a word.
struct BasicTokenizer: Sendable {
    var lowercase: Bool
    var stripAccents: Bool
    var splitCJK: Bool

    /// The normalised code points of `text`, before splitting.
    func normalize(_ text: String) -> [Unicode.Scalar] {
        var cleaned = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            let value = scalar.value
            if value == 0 || value == 0xFFFD || Self.isControl(scalar) { continue }
            if Self.isCleaningWhitespace(scalar) {
                cleaned.append(" ")
            } else if splitCJK && Self.isCJK(value) {
                cleaned.append(" ")
                cleaned.append(scalar)
                cleaned.append(" ")
            } else {
                cleaned.append(scalar)
            }
        }
        var scalars: [Unicode.Scalar] = []
        scalars.reserveCapacity(cleaned.count)
        if stripAccents {
            let decomposed = String(cleaned).decomposedStringWithCanonicalMapping
            for scalar in decomposed.unicodeScalars where scalar.properties.generalCategory != .nonspacingMark {
                scalars.append(scalar)
            }
        } else {
            scalars.append(contentsOf: cleaned)
        }
        guard lowercase else { return scalars }
        var lowered: [Unicode.Scalar] = []
        lowered.reserveCapacity(scalars.count)
        for scalar in scalars {
            if scalar.isASCII {
                let v = scalar.value
                lowered.append(v >= 65 && v <= 90 ? Unicode.Scalar(v + 32)! : scalar)
            } else {
                lowered.append(contentsOf: scalar.properties.lowercaseMapping.unicodeScalars)
            }
        }
        return lowered
    }

    /// Calls `body` with each word of `text` in order until it returns false.
    func forEachWord(in text: String, _ body: (ArraySlice<Unicode.Scalar>) -> Bool) {
        let scalars = normalize(text)
        var start = 0
        for (i, scalar) in scalars.enumerated() {
            if scalar.properties.isWhitespace {
                if start < i, !body(scalars[start..<i]) { return }
                start = i + 1
            } else if Self.isPunctuation(scalar) {
                if start < i, !body(scalars[start..<i]) { return }
                if !body(scalars[i...i]) { return }
                start = i + 1
            }
        }
        if start < scalars.count { _ = body(scalars[start...]) }
    }

    /// BERT's `_is_control`: categories Cc, Cf, Cn, Co, Cs, except tab, newline and return
    /// (those are whitespace).
    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09, 0x0A, 0x0D: return false
        default: break
        }
        switch scalar.properties.generalCategory {
        case .control, .format, .unassigned, .privateUse, .surrogate: return true
        default: return false
        }
    }

    /// The whitespace that cleaning maps to a space: tab, newline, return and the Unicode
    /// `White_Space` property (as `tokenizers`' BertNormalizer does).
    static func isCleaningWhitespace(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09, 0x0A, 0x0D, 0x20: return true
        default: return scalar.properties.isWhitespace
        }
    }

    /// BERT's punctuation: all non-alphanumeric printable ASCII (so `$`, `^`, `` ` `` count even
    /// though Unicode calls them symbols) plus the Unicode P* categories.
    static func isPunctuation(_ scalar: Unicode.Scalar) -> Bool {
        let v = scalar.value
        if (33...47).contains(v) || (58...64).contains(v) || (91...96).contains(v) || (123...126).contains(v) {
            return true
        }
        switch scalar.properties.generalCategory {
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
             .initialPunctuation, .finalPunctuation, .otherPunctuation:
            return true
        default:
            return false
        }
    }

    /// BERT's "Chinese character" blocks: CJK Unified Ideographs and their extensions and
    /// compatibility blocks (not Hiragana, Katakana or Hangul, which WordPiece handles as words).
    static func isCJK(_ v: UInt32) -> Bool {
        (0x4E00...0x9FFF).contains(v) || (0x3400...0x4DBF).contains(v) || (0x20000...0x2A6DF).contains(v)
            || (0x2A700...0x2B73F).contains(v) || (0x2B740...0x2B81F).contains(v)
            || (0x2B820...0x2CEAF).contains(v) || (0xF900...0xFAFF).contains(v)
            || (0x2F800...0x2FA1F).contains(v)
    }
}
