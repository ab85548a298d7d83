// The one error type of SteerSnapshot: every way a snapshot can be refused, with a precise message.

/// Why a snapshot could not be read, decoded or written.
///
/// A public struct wrapping a private enum (the swift-nio pattern), so new failure modes can be
/// added without breaking callers. Match on ``code``; read ``description`` for the details
/// (offsets, sizes, section names, zstd's own error name).
public struct SnapshotError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The kind of failure, stable for matching (`error.code == .truncated`).
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        fileprivate let name: String
        public var description: String { name }

        public static let badMagic = Code(name: "badMagic")
        public static let unsupportedVersion = Code(name: "unsupportedVersion")
        public static let truncated = Code(name: "truncated")
        public static let trailingBytes = Code(name: "trailingBytes")
        public static let headerChecksumMismatch = Code(name: "headerChecksumMismatch")
        public static let sectionChecksumMismatch = Code(name: "sectionChecksumMismatch")
        public static let zstd = Code(name: "zstd")
        public static let missingSection = Code(name: "missingSection")
        public static let sizeLimitExceeded = Code(name: "sizeLimitExceeded")
        public static let malformed = Code(name: "malformed")
        public static let wrongKind = Code(name: "wrongKind")
        public static let io = Code(name: "io")
        public static let notRegularFile = Code(name: "notRegularFile")
        public static let alreadyExists = Code(name: "alreadyExists")
    }

    private enum Base: Equatable, Sendable {
        case badMagic
        case unsupportedVersion(found: UInt32, supported: UInt32)
        case truncated(expected: Int, offset: Int, available: Int)
        case trailingBytes(expectedSize: Int, actualSize: Int)
        case headerChecksumMismatch(stored: UInt32, computed: UInt32)
        case sectionChecksumMismatch(section: String, detail: String)
        case zstd(section: String, name: String)
        case missingSection(String)
        case sizeLimitExceeded(what: String, size: UInt64, limit: UInt64)
        case malformed(String)
        case wrongKind(found: String, expected: String)
        case io(operation: String, path: String, errno: Int32, message: String)
        case notRegularFile(path: String, fileType: String)
        case alreadyExists(path: String)
    }

    private let base: Base
    private init(_ base: Base) { self.base = base }

    /// The kind of failure.
    public var code: Code {
        switch base {
        case .badMagic: .badMagic
        case .unsupportedVersion: .unsupportedVersion
        case .truncated: .truncated
        case .trailingBytes: .trailingBytes
        case .headerChecksumMismatch: .headerChecksumMismatch
        case .sectionChecksumMismatch: .sectionChecksumMismatch
        case .zstd: .zstd
        case .missingSection: .missingSection
        case .sizeLimitExceeded: .sizeLimitExceeded
        case .malformed: .malformed
        case .wrongKind: .wrongKind
        case .io: .io
        case .notRegularFile: .notRegularFile
        case .alreadyExists: .alreadyExists
        }
    }

    public var description: String {
        switch base {
        case .badMagic:
            // The bytes found are not shown: the file may be anything (a key, a password file) and
            // this message travels to clients.
            return "not a Steer snapshot: bad magic (a snapshot starts with \"STEERSNP\")"
        case .unsupportedVersion(let found, let supported):
            return "unsupported snapshot format version \(found); this build reads version \(supported)"
        case .truncated(let expected, let offset, let available):
            return "snapshot truncated: expected \(expected) bytes at offset \(offset), only \(available) available"
        case .trailingBytes(let expectedSize, let actualSize):
            return "snapshot has trailing bytes: its table describes \(expectedSize) bytes but the file has \(actualSize)"
        case .headerChecksumMismatch(let stored, let computed):
            return "snapshot header checksum mismatch: stored CRC-32 \(hex32(stored)), computed \(hex32(computed))"
        case .sectionChecksumMismatch(let section, let detail):
            return "snapshot section \"\(section)\" checksum mismatch: \(detail)"
        case .zstd(let section, let name):
            return "zstd error in snapshot section \"\(section)\": \(name)"
        case .missingSection(let name):
            return "snapshot has no section named \"\(name)\""
        case .sizeLimitExceeded(let what, let size, let limit):
            return "snapshot \(what) is \(size) bytes, over the limit of \(limit) bytes"
        case .malformed(let detail):
            return "malformed snapshot: \(detail)"
        case .wrongKind(let found, let expected):
            return "snapshot is of kind \"\(found)\", expected \"\(expected)\""
        case .io(let operation, let path, let errno, let message):
            return "\(operation) \(path) failed: \(message) (errno \(errno))"
        case .notRegularFile(let path, let fileType):
            return "\(path) is \(fileType), not a regular file"
        case .alreadyExists(let path):
            return "\(path) already exists"
        }
    }

    static let badMagic = Self(.badMagic)
    static func unsupportedVersion(found: UInt32, supported: UInt32) -> Self {
        .init(.unsupportedVersion(found: found, supported: supported))
    }
    static func truncated(expected: Int, offset: Int, available: Int) -> Self {
        .init(.truncated(expected: expected, offset: offset, available: available))
    }
    static func trailingBytes(expectedSize: Int, actualSize: Int) -> Self {
        .init(.trailingBytes(expectedSize: expectedSize, actualSize: actualSize))
    }
    static func headerChecksumMismatch(stored: UInt32, computed: UInt32) -> Self {
        .init(.headerChecksumMismatch(stored: stored, computed: computed))
    }
    static func sectionChecksumMismatch(section: String, detail: String) -> Self {
        .init(.sectionChecksumMismatch(section: section, detail: detail))
    }
    static func zstd(section: String, name: String) -> Self { .init(.zstd(section: section, name: name)) }
    static func sizeLimitExceeded(what: String, size: UInt64, limit: UInt64) -> Self {
        .init(.sizeLimitExceeded(what: what, size: size, limit: limit))
    }
    static func io(operation: String, path: String, errno: Int32, message: String) -> Self {
        .init(.io(operation: operation, path: path, errno: errno, message: message))
    }
    static func notRegularFile(path: String, fileType: String) -> Self { .init(.notRegularFile(path: path, fileType: fileType)) }
    static func alreadyExists(path: String) -> Self { .init(.alreadyExists(path: path)) }

    /// A required section is absent (public so that readers of specific kinds can report it).
    public static func missingSection(_ name: String) -> Self { .init(.missingSection(name)) }
    /// A section's content does not have the expected shape (public for readers of specific kinds).
    public static func malformed(_ detail: String) -> Self { .init(.malformed(detail)) }
    /// The snapshot's kind is not the one the reader expects.
    public static func wrongKind(found: String, expected: String) -> Self {
        .init(.wrongKind(found: found, expected: expected))
    }
}

private func hex32(_ v: UInt32) -> String {
    let s = String(v, radix: 16)
    return "0x" + String(repeating: "0", count: 8 - s.count) + s
}
