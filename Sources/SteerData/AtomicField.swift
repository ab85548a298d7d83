// The typed header of a RecBole atomic file: `name:type` fields separated by tabs.

/// A RecBole field type, as declared after the colon in an atomic file's header.
public enum AtomicFieldType: String, Sendable, CaseIterable, Codable {
    /// One discrete value (an id, a name).
    case token
    /// Space-separated discrete values (genres, words of a title).
    case tokenSequence = "token_seq"
    /// One number.
    case float
    /// Space-separated numbers.
    case floatSequence = "float_seq"

    /// Whether every non-empty value must parse as a number.
    var isNumeric: Bool { self == .float || self == .floatSequence }
}

/// One field of an atomic file's header, such as `timestamp:float`.
public struct AtomicField: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The name before the colon (`timestamp`).
    public var name: String
    /// The declared type after the colon.
    public var type: AtomicFieldType

    /// A field named `name` of type `type`.
    public init(name: String, type: AtomicFieldType) {
        self.name = name
        self.type = type
    }

    public var description: String { "\(name):\(type.rawValue)" }

    /// Parses a header line's cells; throws ``DataError`` (missing header, unknown type,
    /// duplicate name) naming `file`.
    static func parseHeader(_ cells: [String], file: String) throws -> [AtomicField] {
        // A header cell always has a colon; a first line without any is data, not a header.
        guard cells.allSatisfy({ $0.contains(":") }) else {
            throw DataError.missingHeader(cells.joined(separator: "\t"), file: file)
        }
        var fields: [AtomicField] = []
        var seen = Set<String>()
        for cell in cells {
            let colon = cell.lastIndex(of: ":")!
            let name = String(cell[..<colon])
            let typeName = String(cell[cell.index(after: colon)...])
            guard !name.isEmpty else { throw DataError.missingHeader(cells.joined(separator: "\t"), file: file) }
            guard let type = AtomicFieldType(rawValue: typeName) else {
                throw DataError.unknownFieldType(field: name, type: typeName, file: file)
            }
            guard seen.insert(name).inserted else { throw DataError.duplicateField(name, file: file) }
            fields.append(AtomicField(name: name, type: type))
        }
        return fields
    }
}
