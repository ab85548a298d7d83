// The one error type of SteerSnapshot: every way a snapshot can be refused, with a precise message.
import SteerErrors

/// The errors of SteerSnapshot and their codes.
public enum SnapshotErrorDomain: ErrorDomain {
    /// The kinds of failure, stable for matching.
    public enum Code: String, ErrorCode {
        case badMagic, unsupportedVersion, truncated, trailingBytes, headerChecksumMismatch,
            sectionChecksumMismatch, zstd, missingSection, sizeLimitExceeded, malformed, wrongKind, io,
            notRegularFile, alreadyExists
    }
}

/// Why a snapshot could not be read, decoded or written; the description gives the details
/// (offsets, sizes, section names, zstd's own error name).
public typealias SnapshotError = ModuleError<SnapshotErrorDomain>

extension SnapshotError where Domain == SnapshotErrorDomain {
    // The bytes found are not shown: the file may be anything (a key, a password file) and this
    // message travels to clients.
    static var badMagic: Self { Self(.badMagic, "not a Steer snapshot: bad magic (a snapshot starts with \"STEERSNP\")") }
    static func unsupportedVersion(found: UInt32, supported: UInt32) -> Self {
        .init(.unsupportedVersion, "unsupported snapshot format version \(found); this build reads version \(supported)")
    }
    static func truncated(expected: Int, offset: Int, available: Int) -> Self {
        .init(.truncated, "snapshot truncated: expected \(expected) bytes at offset \(offset), only \(available) available")
    }
    static func trailingBytes(expectedSize: Int, actualSize: Int) -> Self {
        .init(.trailingBytes,
              "snapshot has trailing bytes: its table describes \(expectedSize) bytes but the file has \(actualSize)")
    }
    static func headerChecksumMismatch(stored: UInt32, computed: UInt32) -> Self {
        .init(.headerChecksumMismatch,
              "snapshot header checksum mismatch: stored CRC-32 \(hex32(stored)), computed \(hex32(computed))")
    }
    static func sectionChecksumMismatch(section: String, detail: String) -> Self {
        .init(.sectionChecksumMismatch, "snapshot section \"\(section)\" checksum mismatch: \(detail)")
    }
    static func zstd(section: String, name: String) -> Self {
        .init(.zstd, "zstd error in snapshot section \"\(section)\": \(name)")
    }
    static func sizeLimitExceeded(what: String, size: UInt64, limit: UInt64) -> Self {
        .init(.sizeLimitExceeded, "snapshot \(what) is \(size) bytes, over the limit of \(limit) bytes")
    }
    static func io(operation: String, path: String, errno: Int32, message: String) -> Self {
        .init(.io, "\(operation) \(path) failed: \(message) (errno \(errno))")
    }
    static func notRegularFile(path: String, fileType: String) -> Self {
        .init(.notRegularFile, "\(path) is \(fileType), not a regular file")
    }
    static func alreadyExists(path: String) -> Self { .init(.alreadyExists, "\(path) already exists") }

    /// A required section is absent (public so that readers of specific kinds can report it).
    public static func missingSection(_ name: String) -> Self {
        .init(.missingSection, "snapshot has no section named \"\(name)\"")
    }
    /// A section's content does not have the expected shape (public for readers of specific kinds).
    public static func malformed(_ detail: String) -> Self { .init(.malformed, "malformed snapshot: \(detail)") }
    /// The snapshot's kind is not the one the reader expects.
    public static func wrongKind(found: String, expected: String) -> Self {
        .init(.wrongKind, "snapshot is of kind \"\(found)\", expected \"\(expected)\"")
    }
}

private func hex32(_ v: UInt32) -> String {
    let s = String(v, radix: 16)
    return "0x" + String(repeating: "0", count: 8 - s.count) + s
}
