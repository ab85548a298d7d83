// Errors of SteerTasks: bad windows, unreadable or inconsistent template files, mismatched vectors.
import SteerErrors

/// The errors of SteerTasks and their codes.
public enum TasksErrorDomain: ErrorDomain {
    /// The kinds of failure, stable for matching:
    /// - `invalidSetting`: A window, count or similar setting is out of range.
    /// - `unreadableTemplates`: The template file could not be found or read.
    /// - `invalidTemplates`: The template file is malformed or breaks a rule (one `{genre}` slot,
    ///   disjoint pools).
    /// - `shapeMismatch`: Vector arrays disagree with the tasks, users or dimension.
    public enum Code: String, ErrorCode {
        case invalidSetting, unreadableTemplates, invalidTemplates, shapeMismatch
    }
}

/// Why a task construction, template load or baseline evaluation was refused; the description
/// names the offending value.
public typealias TasksError = ModuleError<TasksErrorDomain>

extension TasksError where Domain == TasksErrorDomain {
    static func invalidSetting(_ what: String) -> Self { .init(.invalidSetting, what) }
    static func unreadableTemplates(_ what: String) -> Self {
        .init(.unreadableTemplates, "cannot read the prompt templates: \(what)")
    }
    static func invalidTemplates(_ what: String) -> Self { .init(.invalidTemplates, "invalid prompt templates: \(what)") }
    static func shapeMismatch(_ what: String) -> Self { .init(.shapeMismatch, "shape mismatch: \(what)") }
}
