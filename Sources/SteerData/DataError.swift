// Errors of SteerData: unreadable files, malformed rows and invalid dataset operations.
import SteerErrors

/// The errors of SteerData and their codes.
public enum DataErrorDomain: ErrorDomain {
    /// The kinds of failure, stable for matching:
    /// - `unreadable`: The file could not be opened or read.
    /// - `emptyFile`: The file holds no header (it is empty, or holds only blank lines).
    /// - `missingHeader`: The first line is not a RecBole header of `name:type` fields.
    /// - `unknownFieldType`: A header field declares a type RecBole does not define.
    /// - `duplicateField`: Two header fields share a name.
    /// - `missingField`: A required field (such as `user_id`) is absent from the header.
    /// - `columnCount`: A row has more or fewer columns than the header.
    /// - `notANumber`: A numeric field holds something that is not a number.
    /// - `emptyValue`: A required value (an id, a timestamp) is empty.
    /// - `invalidArgument`: An argument is out of its allowed range (ratios, k, batch size, …).
    public enum Code: String, ErrorCode {
        case unreadable, emptyFile, missingHeader, unknownFieldType, duplicateField, missingField,
            columnCount, notANumber, emptyValue, invalidArgument
    }
}

/// Why a data file could not be read or a dataset operation was refused. Its description names
/// the file and 1-based line when the problem is in a file (`ml-1m.inter:17: expected 4 columns, found 3`).
public typealias DataError = ModuleError<DataErrorDomain>

extension DataError where Domain == DataErrorDomain {
    static func unreadable(_ reason: String, file: String) -> Self {
        .init(.unreadable, "cannot read the file: \(reason)", file: file)
    }
    static func emptyFile(file: String) -> Self { .init(.emptyFile, "the file is empty (no header line)", file: file, line: 1) }
    static func missingHeader(_ first: String, file: String) -> Self {
        .init(.missingHeader,
              "missing header: the first line must list `name:type` fields separated by tabs, found \"\(first.prefix(80))\"",
              file: file, line: 1)
    }
    static func unknownFieldType(field: String, type: String, file: String) -> Self {
        let allowed = AtomicFieldType.allCases.map(\.rawValue).joined(separator: ", ")
        return .init(.unknownFieldType, "field \"\(field)\" has unknown type \"\(type)\" (allowed: \(allowed))",
                     file: file, line: 1)
    }
    static func duplicateField(_ name: String, file: String) -> Self {
        .init(.duplicateField, "the header lists field \"\(name)\" twice", file: file, line: 1)
    }
    static func missingField(_ name: String, available: [String], file: String) -> Self {
        .init(.missingField, "required field \"\(name)\" is missing (fields: \(available.joined(separator: ", ")))",
              file: file, line: 1)
    }
    static func columnCount(expected: Int, found: Int, file: String, line: Int) -> Self {
        .init(.columnCount, "expected \(expected) columns, found \(found)", file: file, line: line)
    }
    static func notANumber(field: String, text: String, file: String, line: Int) -> Self {
        .init(.notANumber, "field \"\(field)\" is not a number: \"\(text.prefix(40))\"", file: file, line: line)
    }
    static func emptyValue(field: String, file: String, line: Int) -> Self {
        .init(.emptyValue, "field \"\(field)\" is empty", file: file, line: line)
    }
    static func invalidArgument(_ what: String) -> Self { .init(.invalidArgument, what) }
}
