// Errors of SteerData: unreadable files, malformed rows and invalid dataset operations.

/// Why a data file could not be read or a dataset operation was refused.
///
/// A public struct wrapping a private enum (the swift-nio pattern): match on ``code``, show
/// ``description``, which names the file and 1-based line when the problem is in a file
/// (`ml-1m.inter:17: expected 4 columns, found 3`).
public struct DataError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The kind of failure, stable for matching.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        fileprivate let name: String
        public var description: String { name }

        /// The file could not be opened or read.
        public static let unreadable = Code(name: "unreadable")
        /// The file holds no header (it is empty, or holds only blank lines).
        public static let emptyFile = Code(name: "emptyFile")
        /// The first line is not a RecBole header of `name:type` fields.
        public static let missingHeader = Code(name: "missingHeader")
        /// A header field declares a type RecBole does not define.
        public static let unknownFieldType = Code(name: "unknownFieldType")
        /// Two header fields share a name.
        public static let duplicateField = Code(name: "duplicateField")
        /// A required field (such as `user_id`) is absent from the header.
        public static let missingField = Code(name: "missingField")
        /// A row has more or fewer columns than the header.
        public static let columnCount = Code(name: "columnCount")
        /// A numeric field holds something that is not a number.
        public static let notANumber = Code(name: "notANumber")
        /// A required value (an id, a timestamp) is empty.
        public static let emptyValue = Code(name: "emptyValue")
        /// An argument is out of its allowed range (ratios, k, batch size, …).
        public static let invalidArgument = Code(name: "invalidArgument")
    }

    private enum Base: Equatable, Sendable {
        case unreadable(String)
        case emptyFile
        case missingHeader(String)
        case unknownFieldType(field: String, type: String)
        case duplicateField(String)
        case missingField(String, available: [String])
        case columnCount(expected: Int, found: Int)
        case notANumber(field: String, text: String)
        case emptyValue(field: String)
        case invalidArgument(String)
    }

    private let base: Base
    /// The file the problem is in (its last path component), if any.
    public let file: String?
    /// The 1-based line the problem is on, if any.
    public let line: Int?

    private init(_ base: Base, file: String?, line: Int?) {
        self.base = base
        self.file = file
        self.line = line
    }

    /// The kind of failure.
    public var code: Code {
        switch base {
        case .unreadable: .unreadable
        case .emptyFile: .emptyFile
        case .missingHeader: .missingHeader
        case .unknownFieldType: .unknownFieldType
        case .duplicateField: .duplicateField
        case .missingField: .missingField
        case .columnCount: .columnCount
        case .notANumber: .notANumber
        case .emptyValue: .emptyValue
        case .invalidArgument: .invalidArgument
        }
    }

    public var description: String {
        let place: String
        switch (file, line) {
        case let (file?, line?): place = "\(file):\(line): "
        case let (file?, nil): place = "\(file): "
        default: place = ""
        }
        return place + message
    }

    private var message: String {
        switch base {
        case .unreadable(let reason): "cannot read the file: \(reason)"
        case .emptyFile: "the file is empty (no header line)"
        case .missingHeader(let first):
            "missing header: the first line must list `name:type` fields separated by tabs, found \"\(first)\""
        case .unknownFieldType(let field, let type):
            "field \"\(field)\" has unknown type \"\(type)\" (allowed: \(AtomicFieldType.allCases.map(\.rawValue).joined(separator: ", ")))"
        case .duplicateField(let name): "the header lists field \"\(name)\" twice"
        case .missingField(let name, let available):
            "required field \"\(name)\" is missing (fields: \(available.joined(separator: ", ")))"
        case .columnCount(let expected, let found): "expected \(expected) columns, found \(found)"
        case .notANumber(let field, let text): "field \"\(field)\" is not a number: \"\(text)\""
        case .emptyValue(let field): "field \"\(field)\" is empty"
        case .invalidArgument(let what): what
        }
    }

    static func unreadable(_ reason: String, file: String) -> DataError { .init(.unreadable(reason), file: file, line: nil) }
    static func emptyFile(file: String) -> DataError { .init(.emptyFile, file: file, line: 1) }
    static func missingHeader(_ first: String, file: String) -> DataError {
        .init(.missingHeader(String(first.prefix(80))), file: file, line: 1)
    }
    static func unknownFieldType(field: String, type: String, file: String) -> DataError {
        .init(.unknownFieldType(field: field, type: type), file: file, line: 1)
    }
    static func duplicateField(_ name: String, file: String) -> DataError { .init(.duplicateField(name), file: file, line: 1) }
    static func missingField(_ name: String, available: [String], file: String) -> DataError {
        .init(.missingField(name, available: available), file: file, line: 1)
    }
    static func columnCount(expected: Int, found: Int, file: String, line: Int) -> DataError {
        .init(.columnCount(expected: expected, found: found), file: file, line: line)
    }
    static func notANumber(field: String, text: String, file: String, line: Int) -> DataError {
        .init(.notANumber(field: field, text: String(text.prefix(40))), file: file, line: line)
    }
    static func emptyValue(field: String, file: String, line: Int) -> DataError {
        .init(.emptyValue(field: field), file: file, line: line)
    }
    static func invalidArgument(_ what: String) -> DataError { .init(.invalidArgument(what), file: nil, line: nil) }
}
