// Parsing a backbone's JSON config: known keys only, each checked, errors naming the key.
import Foundation

/// A flat JSON object of numbers and booleans, read key by key with validation.
///
/// Every key must be consumed by the model's init; `finish()` reports any left over, so a
/// misspelt hyperparameter is an error, not a silent default.
public struct BackboneConfig {
    private var values: [String: Any]
    private var consumed: Set<String> = []
    private let model: String

    /// - Throws: `BackboneError` when the text is not a JSON object.
    public init(json: String, model: String) throws {
        self.model = model
        let trimmed = json.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.isEmpty {
            values = [:]
            return
        }
        guard let object = try? JSONSerialization.jsonObject(with: Data(trimmed.utf8)) as? [String: Any] else {
            throw BackboneError("\(model) config is not a JSON object: \(trimmed.prefix(80))")
        }
        values = object
    }

    /// JSON true/false: on Linux `raw is Bool` also holds for the numbers 0 and 1, so look at
    /// the NSNumber's type code instead (booleans are char-typed).
    private static func isBoolean(_ raw: Any) -> Bool {
        guard let number = raw as? NSNumber else { return false }
        return String(cString: number.objCType) == "c"
    }

    /// An integer in `range`, or `defaultValue` when absent.
    public mutating func int(_ key: String, default defaultValue: Int, in range: ClosedRange<Int>) throws -> Int {
        consumed.insert(key)
        guard let raw = values[key] else { return defaultValue }
        guard let number = raw as? NSNumber, !Self.isBoolean(raw), number.doubleValue.rounded() == number.doubleValue,
              abs(number.doubleValue) < 1e15 else {
            throw BackboneError("\(model) config key \"\(key)\" must be an integer, got \(raw)")
        }
        let value = number.intValue
        guard range.contains(value) else {
            throw BackboneError("\(model) config key \"\(key)\" must be in \(range.lowerBound)...\(range.upperBound), got \(value)")
        }
        return value
    }

    /// A number in `range`, or `defaultValue` when absent.
    public mutating func double(_ key: String, default defaultValue: Double, in range: ClosedRange<Double>) throws -> Double {
        consumed.insert(key)
        guard let raw = values[key] else { return defaultValue }
        guard let number = raw as? NSNumber, !Self.isBoolean(raw) else {
            throw BackboneError("\(model) config key \"\(key)\" must be a number, got \(raw)")
        }
        guard range.contains(number.doubleValue) else {
            throw BackboneError("\(model) config key \"\(key)\" must be in \(range.lowerBound)...\(range.upperBound), got \(number.doubleValue)")
        }
        return number.doubleValue
    }

    /// A string among `allowed`, or `defaultValue` when absent.
    public mutating func choice(_ key: String, default defaultValue: String, allowed: [String]) throws -> String {
        consumed.insert(key)
        guard let raw = values[key] else { return defaultValue }
        guard let text = raw as? String, allowed.contains(text) else {
            throw BackboneError("\(model) config key \"\(key)\" must be one of \(allowed.joined(separator: ", ")), got \(raw)")
        }
        return text
    }

    /// - Throws: when keys remain that the model did not read, listing the allowed ones.
    public func finish() throws {
        let unknown = Set(values.keys).subtracting(consumed).sorted()
        guard unknown.isEmpty else {
            throw BackboneError("\(model) config has unknown key(s) \(unknown.map { "\"\($0)\"" }.joined(separator: ", ")); allowed: \(consumed.sorted().joined(separator: ", "))")
        }
    }
}
