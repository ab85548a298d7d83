// How a dataset's genre names read inside a prompt ("Sci-Fi" → "science fiction"), alone or as a list.

/// Maps category names as the data spells them to noun phrases for prompts.
///
/// The map comes from the template file (``PromptTemplates/genreDisplayNames``); a genre it
/// does not list reads as its name lowercased with hyphens and underscores as spaces
/// ("Film-Noir" would read "film noir"), so another dataset still yields sensible prompts.
public struct GenreDisplayNames: Sendable, Equatable {
    /// Display names by data name.
    public let names: [String: String]

    /// A map of data names to display names.
    public init(_ names: [String: String]) { self.names = names }

    /// The display name of `genre`.
    public func displayName(_ genre: String) -> String {
        if let name = names[genre] { return name }
        return String(genre.lowercased().map { $0 == "-" || $0 == "_" ? " " : $0 })
    }

    /// The display names of `genres` as an English list, the text a template's slot holds: one
    /// genre reads as ``displayName(_:)`` (so a single-genre prompt is unchanged), two as "X and
    /// Y", more as "X, Y and Z" (no serial comma: display names such as "children's movies"
    /// already read as phrases, and the comma-free last pair reads as one request).
    /// - Precondition: `genres` is not empty.
    public func phrase(_ genres: [String]) -> String {
        precondition(!genres.isEmpty, "a prompt names at least one genre")
        let names = genres.map(displayName)
        guard names.count > 1 else { return names[0] }
        return names.dropLast().joined(separator: ", ") + " and " + names[names.count - 1]
    }
}
