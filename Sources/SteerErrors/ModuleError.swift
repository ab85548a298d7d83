// The one shape of every Steer library module's error: a stable code and a message naming the cause.

/// What a module's errors have in common, whatever the module.
///
/// Each module declares a domain type holding its codes, states each code once as a case of a
/// `String`-backed enum (`public enum Code: String, ErrorCode { case unreadable, … }`), names its
/// error after the domain (`public typealias DataError = ModuleError<DataErrorDomain>`) and adds
/// its constructors (which word the message) on ``ModuleError`` in an extension constrained to that
/// domain. A module may add a code later, so a `switch` over codes outside it keeps a `default`.
public protocol ErrorDomain: Sendable {
    /// The domain's kinds of failure.
    associatedtype Code: ErrorCode
}

/// A kind of failure, stable for matching (`error.code == .truncated`); its raw value is the case
/// name, as logs and tests print it.
public protocol ErrorCode: RawRepresentable<String>, Hashable, Sendable, CustomStringConvertible {}

extension ErrorCode {
    /// The code's name, as logs and tests print it.
    public var name: String { rawValue }
    public var description: String { rawValue }
}

/// An error of one module (its ``ErrorDomain``): match on ``code``, show ``description``.
///
/// ``description`` is the message, prefixed with `file:line: ` when the problem is in a file
/// (`ml-1m.inter:17: expected 4 columns, found 3`). Two errors are equal when code, message and
/// place are: what a test compares against the module's own constructor.
public struct ModuleError<Domain: ErrorDomain>: Error, Sendable, Equatable, CustomStringConvertible {
    /// The kind of failure, stable for matching (`error.code == .truncated`).
    public typealias Code = Domain.Code

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
