// How a dataset's genre names read inside a prompt ("Sci-Fi" → "science fiction").

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
}
