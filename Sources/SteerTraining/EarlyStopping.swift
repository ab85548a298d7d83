// Early stopping, shared by the stage-1 and the DPR trainers: keep the best validated epoch,
// stop after `patience` validations without a better one.

/// The best validation score so far and how many validations have passed since it.
///
/// The caller validates an epoch, asks ``improves(_:eligible:)`` whether to keep its weights,
/// and stops when ``shouldStop`` holds. Epochs that are not validated are not counted.
public struct EarlyStopping: Sendable {
    /// Validations without a better score before ``shouldStop``.
    public let patience: Int
    /// The score to beat: the best so far, or the starting point given at creation.
    public private(set) var best: Double
    private var sinceBest = 0

    /// - Parameter best: the score an epoch must beat to be kept; `-infinity` keeps the first.
    public init(patience: Int, best: Double = -.infinity) {
        self.patience = patience
        self.best = best
    }

    /// Records a validated epoch. True when it beats the best so far and is `eligible` (a trainer
    /// may rule out an epoch whatever its score); the caller then keeps its weights.
    public mutating func improves(_ score: Double, eligible: Bool = true) -> Bool {
        if eligible, score > best {
            best = score
            sinceBest = 0
            return true
        }
        sinceBest += 1
        return false
    }

    /// Raises the score to beat without counting a validation (a stage that starts from a model
    /// already scored keeps an epoch only if it beats that score).
    public mutating func require(atLeast score: Double) { best = max(best, score) }

    /// Whether `patience` validations in a row brought nothing better.
    public var shouldStop: Bool { sinceBest >= patience }
}
