// The prompt memory's embeddings kept between starts: embedding its 14,063 wordings takes 16–30 s
// on 2 cores, reading them back a tenth of a second.
import Foundation
import Logging
import SteerPrompt
import SteerSnapshot
import SteerText

/// Where steerd keeps a ``PromptMemory`` it has embedded, and how it gets one back.
///
/// A file per memory, `<directory>/prompt-memory-<key>.snap`, a snapshot of kind
/// ``kind`` (zstd sections: the texts, the dimension, the unit embeddings). The key is an FNV-1a
/// digest of the encoder's name, dimension and precision and of every text, so another encoder or
/// another set of wordings never finds this file. Weights changed under the same name are caught on
/// load: the first ``checkedRows`` wordings are embedded again and must match the file's rows within
/// ``tolerance``. Whatever is wrong with a file (unreadable, corrupt, another memory, other
/// weights), the memory is embedded again and the file replaced: the cache can only cost time.
public enum PromptMemoryStore {
    public static let kind = "steer.prompt-memory"
    /// Wordings embedded again on load to check the file against the encoder.
    static let checkedRows = 4
    /// Largest difference allowed per float between a re-embedded row and the file's: other
    /// OpenBLAS kernels change last bits (about 1e-6), other weights change far more.
    static let tolerance: Float = 1e-3

    /// The memory of `texts` embedded by `encoder`: from `directory` when a file there matches,
    /// else embedded (and written there for the next start). `directory` nil: always embedded.
    public static func memory(texts: [String], encoder: some SentenceEncoder, precision: EncoderPrecision,
                              directory: String?, logger: Logger) throws -> PromptMemory {
        guard let directory else { return try PromptMemory(texts: texts, encoder: encoder) }
        let path = self.path(texts: texts, encoder: encoder, precision: precision, directory: directory)
        if FileManager.default.fileExists(atPath: path) {
            do {
                let memory = try read(path: path, texts: texts, encoder: encoder)
                logger.info("prompt memory read from its cache", metadata: ["path": "\(path)"])
                return memory
            } catch {
                logger.warning("prompt memory cache not used; embedding again", metadata: ["path": "\(path)", "reason": "\(error)"])
            }
        }
        let memory = try PromptMemory(texts: texts, encoder: encoder)
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try snapshot(of: memory).write(to: path)
            logger.info("prompt memory cached", metadata: ["path": "\(path)"])
        } catch {
            logger.warning("prompt memory not cached (the next start embeds it again)", metadata: ["path": "\(path)", "reason": "\(error)"])
        }
        return memory
    }

    /// The file a memory of `texts` embedded by `encoder` at `precision` lives in.
    static func path(texts: [String], encoder: some SentenceEncoder, precision: EncoderPrecision, directory: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325 // FNV-1a: stable across runs, unlike Hasher.
        for part in [encoder.name, "\(encoder.dimension)", "\(precision)"] + texts {
            for byte in part.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
            hash = (hash ^ 0xff) &* 0x100_0000_01b3 // a separator no UTF-8 byte equals
        }
        return (directory as NSString).appendingPathComponent("prompt-memory-\(String(hash, radix: 16)).snap")
    }

    static func snapshot(of memory: PromptMemory) -> Snapshot {
        var snapshot = Snapshot(kind: kind)
        snapshot.put(strings: memory.texts, as: "texts")
        snapshot.put([UInt32(memory.dimension)], as: "dimension")
        snapshot.put(memory.unitEmbeddings, as: "embeddings")
        return snapshot
    }

    /// The memory in the file at `path`, checked against `texts` and `encoder`.
    /// - Throws: ``SnapshotError`` for a file that does not decode, ``PromptMemoryStoreError`` for
    ///   one that holds another memory or was embedded with other weights.
    static func read(path: String, texts: [String], encoder: some SentenceEncoder) throws -> PromptMemory {
        let snapshot = try Snapshot.read(contentsOf: path)
        try snapshot.requireKind(kind)
        let stored = try snapshot.strings("texts"), dimension = try snapshot.uint32s("dimension")
        let embeddings = try snapshot.floats("embeddings")
        var seen = Set<String>()
        guard stored == texts.filter({ seen.insert($0).inserted }) else { throw PromptMemoryStoreError.otherTexts }
        guard dimension == [UInt32(encoder.dimension)], embeddings.count == stored.count * encoder.dimension else {
            throw PromptMemoryStoreError.otherShape
        }
        let checked = min(checkedRows, stored.count)
        let fresh = try encoder.embedFlat(Array(stored.prefix(checked)))
        let largest = zip(fresh, embeddings.prefix(fresh.count)).map { abs($0 - $1) }.max() ?? 0
        guard largest <= tolerance else { throw PromptMemoryStoreError.otherWeights(largest) }
        return PromptMemory(texts: stored, embeddings: embeddings, dimension: encoder.dimension)
    }
}

/// Why a prompt-memory file was not used.
public enum PromptMemoryStoreError: Error, CustomStringConvertible, Equatable {
    case otherTexts
    case otherShape
    case otherWeights(Float)

    public var description: String {
        switch self {
        case .otherTexts: return "the file holds other wordings"
        case .otherShape: return "the file's embeddings do not have the encoder's dimension"
        case .otherWeights(let d): return "the encoder embeds the file's first wordings differently (largest difference \(d)): other weights"
        }
    }
}
