// What a DPR checkpoint's `dpr_training` section holds: how its head was trained, and under which
// POS prompt protocol, so `steer eval` measures the model under the protocol it was trained for.
import Foundation
import SteerCheckpoint
import SteerDPR
import SteerTasks
import SteerTraining

/// The `dpr_training` JSON of a checkpoint written by `steer train-dpr`.
public struct DPRSummary: Codable, Sendable {
    public var stage1: String
    public var encoder: String
    public var stages: [String]
    public var head: DPRConfig
    public var options: [String: DPRTrainingOptions]
    public var records: [DPREpochRecord]
    public var wallSeconds: Double
    /// The POS prompt protocol of stages 2–3 (and of their validation). Absent from checkpoints
    /// written before the option existed, which trained single-genre: see ``positivePrompts(of:)``.
    public var positivePrompts: PositivePromptProtocol?
    /// The share of tasks trained again behind the steps of a compound prompt served before them
    /// (``StagePrompts/compoundShare``); absent when none were.
    public var compoundShare: Double?

    public init(stage1: String, encoder: String, stages: [String], head: DPRConfig, options: [String: DPRTrainingOptions],
                records: [DPREpochRecord], wallSeconds: Double, positivePrompts: PositivePromptProtocol) {
        self.stage1 = stage1
        self.encoder = encoder
        self.stages = stages
        self.head = head
        self.options = options
        self.records = records
        self.wallSeconds = wallSeconds
        self.positivePrompts = positivePrompts
    }

    /// The POS prompt protocol `checkpoint` was trained with: its recorded one, or single-genre
    /// when it records none (older checkpoints; a plain stage-1 checkpoint has no prompts at all).
    /// Only that key is read, so a section from another version still answers.
    /// - Throws: ``DPRError`` when the section is not JSON or names a protocol this build does not know.
    public static func positivePrompts(of checkpoint: BackboneCheckpoint) throws -> PositivePromptProtocol {
        guard let json = checkpoint.dprTrainingJSON else { return .default }
        struct Key: Decodable { var positivePrompts: String? }
        let key: Key
        do { key = try JSONDecoder().decode(Key.self, from: Data(json.utf8)) } catch {
            throw DPRError("the checkpoint's dpr_training section is not readable JSON: \(error)")
        }
        guard let name = key.positivePrompts else { return .default }
        guard let known = PositivePromptProtocol(rawValue: name) else {
            throw DPRError("the checkpoint was trained with POS prompts \"\(name)\", which this build does not know "
                + "(known: \(PositivePromptProtocol.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        return known
    }
}
