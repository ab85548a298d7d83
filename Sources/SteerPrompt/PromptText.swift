// Prompt validation and the normal form prompts are cached and compared under.
import Foundation

/// The rules every prompt passes before it is embedded or routed.
public enum PromptText {
    /// The largest prompt accepted, in UTF-8 bytes (1 MiB). The encoder only reads the first
    /// `maxLength` tokens anyway; the bound stops a client from making the daemon normalise and
    /// hash megabytes per request.
    public static let maximumBytes = 1 << 20

    /// How many leading characters of a prompt the negation-cue features read. A cue 2,000
    /// characters in is far past the encoder's 256-token window, so reading further would let
    /// the two halves of the router see different prompts.
    public static let cueWindow = 2_000

    /// Checks `text` is routable.
    /// - Throws: ``PromptError`` `.empty` when it is empty or whitespace only, `.tooLong` when it
    ///   exceeds ``maximumBytes``.
    public static func validate(_ text: String) throws {
        let bytes = text.utf8.count
        guard bytes <= maximumBytes else { throw PromptError.tooLong(bytes: bytes, limit: maximumBytes) }
        guard text.unicodeScalars.contains(where: { !$0.properties.isWhitespace }) else { throw PromptError.empty }
    }

    /// The normal form: Unicode NFC, lower-cased, trimmed, each run of whitespace collapsed to
    /// one space. Two prompts with the same normal form get the same embedding (the uncased
    /// MiniLM tokenizer lower-cases anyway), so the cache and the held-out check key on it.
    public static func normalize(_ text: String) -> String {
        let composed = text.precomposedStringWithCanonicalMapping.lowercased()
        var out = String.UnicodeScalarView()
        var pendingSpace = false
        for scalar in composed.unicodeScalars {
            if scalar.properties.isWhitespace {
                pendingSpace = !out.isEmpty
            } else {
                if pendingSpace { out.append(" ") }
                pendingSpace = false
                out.append(scalar)
            }
        }
        return String(out)
    }
}
