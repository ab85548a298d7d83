// The one shape of every Steer library module's error: a stable code and a message naming the cause.

/// What a module's errors have in common, whatever the module.
///
/// Each module declares an empty domain type and names its error after it
/// (`public typealias DataError = ModuleError<DataErrorDomain>`), then adds its codes as constants
/// on ``ModuleError/Code`` and its constructors (which word the message) on ``ModuleError``, both in
/// extensions constrained to that domain. Codes are a struct of named constants rather than an
/// enum so that a module can add a failure mode without breaking a caller's exhaustive `switch`.
public protocol ErrorDomain: Sendable {}

/// An error of one module (its ``ErrorDomain``): match on ``code``, show ``description``.
///
/// ``description`` is the message, prefixed with `file:line: ` when the problem is in a file
/// (`ml-1m.inter:17: expected 4 columns, found 3`). Two errors are equal when code, message and
/// place are: what a test compares against the module's own constructor.
public struct ModuleError<Domain: ErrorDomain>: Error, Sendable, Equatable, CustomStringConvertible {
    /// The kind of failure, stable for matching (`error.code == .truncated`).
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// The constant's name, as logs and tests print it.
        public let name: String
        package init(_ name: String) { self.name = name }
        public var description: String { name }
    }

    /// The kind of failure.
    public let code: Code
    /// What went wrong, naming the offending value (without the place).
    public let message: String
    /// The file the problem is in (its last path component), if any.
    public let file: String?
    /// The 1-based line the problem is on, if any.
    public let line: Int?

    package init(_ code: Code, _ message: String, file: String? = nil, line: Int? = nil) {
        self.code = code
        self.message = message
        self.file = file
        self.line = line
    }

    public var description: String {
        switch (file, line) {
        case let (file?, line?): "\(file):\(line): \(message)"
        case let (file?, nil): "\(file): \(message)"
        default: message
        }
    }
}
