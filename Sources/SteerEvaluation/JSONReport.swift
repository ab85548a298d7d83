// The JSON form of Steer's results reports: pretty-printed with sorted keys, so that a report
// written twice reads the same and two runs' files compare line by line.
import Foundation

/// A results report written as JSON and read back (``EvaluationReport``; SteerTasks'
/// `ControllableReport`).
public protocol JSONReport: Codable {}

extension JSONReport {
    /// The report as pretty-printed JSON with sorted keys.
    /// - Throws: an `EncodingError` if a value cannot be encoded (NaN metrics).
    public func json() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try encoder.encode(self)
    }

    /// Decodes a report written by ``json()``.
    /// - Throws: a `DecodingError` when `data` is not such a report.
    public static func decode(_ data: Data) throws -> Self {
        try JSONDecoder().decode(Self.self, from: data)
    }
}
