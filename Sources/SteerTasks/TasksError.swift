// Errors of SteerTasks: bad windows, unreadable or inconsistent template files, mismatched vectors.
import SteerErrors

/// Marks the errors of SteerTasks.
public enum TasksErrorDomain: ErrorDomain {}

/// Why a task construction, template load or baseline evaluation was refused; the description
/// names the offending value.
public typealias TasksError = ModuleError<TasksErrorDomain>

extension TasksError.Code where Domain == TasksErrorDomain {
    /// A window, count or similar setting is out of range.
    public static var invalidSetting: Self { Self("invalidSetting") }
    /// The template file could not be found or read.
    public static var unreadableTemplates: Self { Self("unreadableTemplates") }
    /// The template file is malformed or breaks a rule (one `{genre}` slot, disjoint pools).
    public static var invalidTemplates: Self { Self("invalidTemplates") }
    /// Vector arrays disagree with the tasks, users or dimension.
    public static var shapeMismatch: Self { Self("shapeMismatch") }
}

extension TasksError where Domain == TasksErrorDomain {
    static func invalidSetting(_ what: String) -> Self { .init(.invalidSetting, what) }
    static func unreadableTemplates(_ what: String) -> Self {
        .init(.unreadableTemplates, "cannot read the prompt templates: \(what)")
    }
    static func invalidTemplates(_ what: String) -> Self { .init(.invalidTemplates, "invalid prompt templates: \(what)") }
    static func shapeMismatch(_ what: String) -> Self { .init(.shapeMismatch, "shape mismatch: \(what)") }
}
