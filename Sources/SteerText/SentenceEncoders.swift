// Picks the encoder class a model folder needs, from its config.json `model_type`.
import Foundation

public enum SentenceEncoders {
    /// Loads the folder's model: `bert` → ``MiniLMEncoder`` (all-MiniLM-L6-v2), `mpnet` →
    /// ``MPNetEncoder`` (all-mpnet-base-v2, the paper's encoder).
    /// - Throws: ``SteerTextError`` when config.json is missing or names another model type.
    public static func load(directory: URL, threads: Int = 1, precision: EncoderPrecision = .fp32) throws -> any SentenceEncoder {
        let config = directory.appendingPathComponent("config.json")
        guard let data = try? Data(contentsOf: config),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw SteerTextError.config(config.path, "missing or not a JSON object")
        }
        switch object["model_type"] as? String {
        case "bert": return try MiniLMEncoder(directory: directory, threads: threads, precision: precision)
        case "mpnet": return try MPNetEncoder(directory: directory, threads: threads, precision: precision)
        case let other:
            throw SteerTextError.config(config.path, "model_type \(other ?? "absent") is not bert or mpnet")
        }
    }
}
