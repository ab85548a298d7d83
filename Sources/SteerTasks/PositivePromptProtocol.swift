// What a POS prompt names: the one genre the task drew (single-genre) or every genre of its target
// (genre-set). One owner for both training and evaluation, so they cannot phrase it differently.

/// The POS prompt protocol of training and evaluation.
///
/// The paper builds the POS prompt "based on the category of the selected target". Read as the
/// one genre g the task draws (``singleGenre``), the prompt says what the Filter baseline knows and
/// nothing more. Read as the target's category in MovieLens's sense, its whole genre list
/// (``genreSet``), the prompt names "action, adventure and science fiction". The template drawn
/// is the same under both: only the slot's text differs, so the two protocols compare the same
/// phrasings. NEG prompts always name the task's genre.
public enum PositivePromptProtocol: String, Sendable, Codable, CaseIterable, CustomStringConvertible {
    /// The POS prompt names the task's genre g (the genre Filter filters on). The default, and
    /// the protocol of every checkpoint written before the option existed.
    case singleGenre = "single-genre"
    /// The POS prompt names every genre of the target, in the dataset's genre order.
    case genreSet = "genre-set"

    /// The protocol of a checkpoint or run that does not say.
    public static let `default` = PositivePromptProtocol.singleGenre

    public var description: String { rawValue }

    /// One sentence for reports: what this protocol's POS prompts name.
    public var summary: String {
        switch self {
        case .singleGenre: "POS prompts name the task's one genre g (the genre Filter filters on)"
        case .genreSet: "POS prompts name every genre of the target (\"action, adventure and science fiction\")"
        }
    }

    /// The category ids the prompt of `task` names when its ranked or trained target is `target`:
    /// the task's genre for NEG and under ``singleGenre``; under ``genreSet`` a POS task's
    /// target's genres (ascending ids, which is alphabetical: `SequenceDataset` sorts them).
    /// - Parameter itemCategories: `SequenceDataset.itemCategories`.
    public func genres(for task: SteeringTask, target: Int32?, itemCategories: [[Int32]]) -> [Int32] {
        guard self == .genreSet, task.polarity == .positive else { return [task.genre] }
        guard let target else { preconditionFailure("a genre-set POS prompt needs its task's target") }
        let genres = itemCategories[Int(target)]
        // A POS target has the task's genre by construction; a target without it is a caller's bug.
        precondition(genres.contains(task.genre), "POS target \(target) lacks the task's genre \(task.genre)")
        return genres
    }
}
