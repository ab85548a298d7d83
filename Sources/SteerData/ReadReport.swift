// How readers treat bad rows (strict or lenient) and what they report about them.
import SteerErrors

/// How a reader reacts to a malformed row.
public struct ReadOptions: Sendable, Equatable {
    /// Strict: the first bad row throws a ``DataError`` naming its file and line.
    /// Lenient: bad rows are skipped, counted and sampled in the ``ReadReport``.
    public enum Mode: Sendable, Equatable { case strict, lenient }

    /// Strict or lenient handling of bad rows.
    public var mode: Mode
    /// How many problems a lenient read keeps verbatim in ``ReadReport/firstProblems``.
    public var keptProblems: Int

    /// - Parameters:
    ///   - mode: ``Mode/strict`` (the default: data errors should be loud) or ``Mode/lenient``.
    ///   - keptProblems: problems kept verbatim in a lenient read's report (default 10).
    public init(mode: Mode = .strict, keptProblems: Int = 10) {
        self.mode = mode
        self.keptProblems = max(0, keptProblems)
    }

    /// Strict reading, the default.
    public static let strict = ReadOptions()
    /// Lenient reading: skip and count bad rows.
    public static let lenient = ReadOptions(mode: .lenient)
}

/// What a reader saw: rows kept, rows skipped and why.
public struct ReadReport: Sendable, Equatable, CustomStringConvertible {
    /// The file read (its last path component).
    public var file: String
    /// Data rows kept (the header and blank lines are not rows).
    public var rowsKept = 0
    /// Data rows skipped as malformed (lenient mode only; strict mode throws instead).
    public var rowsSkipped = 0
    /// Skipped rows per kind of problem.
    public var problemCounts: [DataError.Code: Int] = [:]
    /// The first few problems, each naming its line.
    public var firstProblems: [DataError] = []

    /// An empty report for `file`.
    public init(file: String) { self.file = file }

    public var description: String {
        var text = "\(file): \(rowsKept) rows kept, \(rowsSkipped) skipped"
        if !problemCounts.isEmpty {
            let counts = problemCounts.sorted { $0.key.description < $1.key.description }
                .map { "\($0.key): \($0.value)" }.joined(separator: ", ")
            text += " (\(counts))"
        }
        for problem in firstProblems { text += "\n  \(problem)" }
        if rowsSkipped > firstProblems.count { text += "\n  … \(rowsSkipped - firstProblems.count) more" }
        return text
    }

    /// Records a bad row: throws it in strict mode, counts and samples it in lenient mode.
    mutating func record(_ problem: DataError, options: ReadOptions) throws {
        guard options.mode == .lenient else { throw problem }
        rowsSkipped += 1
        problemCounts[problem.code, default: 0] += 1
        if firstProblems.count < options.keptProblems { firstProblems.append(problem) }
    }
}
