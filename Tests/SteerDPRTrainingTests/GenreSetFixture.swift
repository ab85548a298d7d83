// A small catalogue whose movies carry one to three genres, for the POS prompt protocol tests
// (no encoder, no download).
import SteerData

enum GenreSetFixture {
    /// Twelve genre lists as MovieLens spells them; movie m has `genres[m % 12]`.
    static let genres: [[String]] = [
        ["Action"], ["Action", "Adventure", "Sci-Fi"], ["Comedy", "Romance"], ["Drama"], ["Adventure", "Children's"],
        ["Comedy"], ["Horror", "Sci-Fi"], ["Action", "Thriller"], ["Drama", "Romance", "War"], ["Comedy", "Drama"],
        ["Sci-Fi"], ["Western"],
    ]

    /// 24 movies; twelve users watch twenty distinct movies each, in a user-dependent stride
    /// (coprime with 24) through the catalogue. The paper split leaves each user two test items.
    static func dataset() -> SequenceDataset {
        var log = InteractionLog(file: "genre-set")
        var catalog = ItemCatalog(file: "genre-set")
        for m in 0..<24 { catalog.entries["m\(m)"] = .init(title: "Movie \(m)", categories: genres[m % 12]) }
        for user in 0..<12 {
            let stride = [1, 5, 7, 11][user % 4]
            for t in 0..<20 { log.append(user: "u\(user)", item: "m\((user + t * stride) % 24)", timestamp: Double(t)) }
        }
        return SequenceDataset(log: log, catalog: catalog)
    }
}
