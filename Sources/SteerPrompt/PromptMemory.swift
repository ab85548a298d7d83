// The requests a DPR head was trained on, kept as sentence embeddings: a request worded unlike
// any of them is steered together with the nearest ones, whose meaning the positive tower learnt.
internal import COpenBLAS
import Foundation
import SteerText

/// Training prompts of the positive tower (stage 2's genre prompts and stage 3's tag wordings) and
/// their unit-length embeddings, for steering a request by its nearest neighbours as well as by itself.
///
/// Why: stage 3 teaches the positive tower each film's tags in a few wordings. A user describes a
/// film in other words ("young rural dreamer enlists with insurgents" for "farm boy joins rebels"),
/// and the tower, a smooth function of the prompt's token states, carries much less over to them
/// than it learnt (SASRec: 0.56 NDCG@10 on the training tags against 0.37 on held-out wordings of
/// the same tags, validation part). The nearest training wordings in the encoder's space are often
/// wordings of the same tag, and the tower knows those. So the steered vector of a request is
/// mixed with the steered vectors of its ``neighbourCount`` nearest training wordings:
///
///     z = (selfWeight · z(request) + Σ_j w_j · z(neighbour_j)) / (selfWeight + 1),  (Σ_j w_j = 1)
///     w = softmax(cosine similarity / temperature) over the neighbours.
///
/// The constants were chosen on the validation part's held-out wordings (never on the evaluation
/// paraphrases): NDCG@10 0.3683 alone, 0.4160 (k = 5, τ = 0.05, self 1), 0.4210 (self 0.5), and
/// within 0.003 of that for k = 3 or 10, τ = 0.03 or 0.1, self 0.25. The genre prompts belong in
/// the memory: with tag wordings alone a genre request was mixed with the tags of a few films of
/// its genre (validation, genre phrasings never trained on: POS 0.3890 alone, 0.3846 with tags
/// only, 0.3905 with the genre prompts too).
public struct PromptMemory: Sendable {
    /// Neighbours each request is mixed with.
    public static let neighbourCount = 5
    /// Softmax temperature over the neighbours' cosine similarities.
    public static let temperature: Float = 0.05
    /// The request's own weight beside its neighbours' (whose weights sum to 1).
    public static let selfWeight: Float = 0.5

    /// The training wordings, in the order given.
    public let texts: [String]
    /// Floats per embedding.
    public let dimension: Int
    /// [texts.count, dimension], row-major, unit length.
    private let embeddings: [Float]

    /// A memory of `texts` (duplicates removed, first kept) embedded by `encoder`,
    /// `batch` texts per encoder call; `progress` hears the count embedded so far.
    /// - Throws: what the encoder throws.
    public init(texts: [String], encoder: some SentenceEncoder, batch: Int = 256,
                progress: (Int, Int) -> Void = { _, _ in }) throws {
        var seen = Set<String>()
        let distinct = texts.filter { seen.insert($0).inserted }
        var embeddings = [Float]()
        embeddings.reserveCapacity(distinct.count * encoder.dimension)
        var start = 0
        while start < distinct.count {
            let end = min(distinct.count, start + batch)
            embeddings += try encoder.embedFlat(Array(distinct[start..<end]))
            start = end
            progress(start, distinct.count)
        }
        self.init(texts: distinct, embeddings: embeddings, dimension: encoder.dimension)
    }

    /// A memory of `texts` with their unit-length `embeddings` ([texts.count, dimension]).
    public init(texts: [String], embeddings: [Float], dimension: Int) {
        precondition(embeddings.count == texts.count * dimension, "a memory needs one embedding per text")
        self.texts = texts
        self.dimension = dimension
        self.embeddings = embeddings
    }

    /// The embeddings, [texts.count, dimension], row-major, unit length (to store them: steerd keeps
    /// them between starts).
    public var unitEmbeddings: [Float] { embeddings }

    /// What a report that used the memory says about it.
    public var summary: String {
        "Prompt memory: every request (a part through the positive tower) steered together with its \(Self.neighbourCount) nearest "
            + "of \(texts.count) training requests (self weight \(Self.selfWeight), softmax temperature \(Self.temperature))."
    }

    /// A request's steered vector mixed with its neighbours' (each steered from the same vector):
    /// (``selfWeight`` · `own` + Σ weight · vector) / (``selfWeight`` + Σ weight), the weights from
    /// ``neighbours(of:count:)`` summing to 1; with no neighbours, `own`. The one formula Recommend
    /// and the evaluations share.
    public static func mix(own: some Collection<Float>, neighbours: [(vector: [Float], weight: Float)]) -> [Float] {
        var out = own.map { $0 * selfWeight }
        var total = selfWeight
        for neighbour in neighbours {
            precondition(neighbour.vector.count == out.count, "a neighbour's vector is not the request's width")
            for c in out.indices { out[c] += neighbour.weight * neighbour.vector[c] }
            total += neighbour.weight
        }
        return neighbours.isEmpty ? Array(own) : out.map { $0 / total }
    }

    /// Rows of `steered` ([rows, dim]) mixed with their neighbours: `pairs` names each neighbour's
    /// row, weight and prompt; `steer` takes the pairs' starting vectors (row `row` of `from`) and
    /// prompts and returns their steered vectors, all in one call. Rows without pairs are left as
    /// they are. steerd's Recommend and Fuse both mix this way.
    public static func mixRows<Prompt>(_ steered: inout [Float], from: [Float], dim d: Int,
                                       pairs: [(row: Int, weight: Float, prompt: Prompt)],
                                       steer: (_ from: [Float], _ prompts: [Prompt]) -> [Float]) {
        guard !pairs.isEmpty else { return }
        var start = [Float](repeating: 0, count: pairs.count * d)
        for (i, pair) in pairs.enumerated() { start.replaceSubrange((i * d)..<((i + 1) * d), with: from[(pair.row * d)..<((pair.row + 1) * d)]) }
        let z = steer(start, pairs.map(\.prompt))
        var neighbours: [Int: [(vector: [Float], weight: Float)]] = [:]
        for (i, pair) in pairs.enumerated() { neighbours[pair.row, default: []].append((Array(z[(i * d)..<((i + 1) * d)]), pair.weight)) }
        for (row, mixedWith) in neighbours {
            steered.replaceSubrange((row * d)..<((row + 1) * d), with: mix(own: steered[(row * d)..<((row + 1) * d)], neighbours: mixedWith))
        }
    }

    /// The `count` training wordings nearest to `embedding` (unit length), nearest first, each with
    /// its weight: softmax of the cosine similarities over ``temperature``. Empty for an empty memory.
    public func neighbours(of embedding: [Float], count: Int = neighbourCount) -> [(text: String, weight: Float)] {
        precondition(embedding.count == dimension, "the embedding's width is not the memory's")
        guard !texts.isEmpty, count > 0 else { return [] }
        var similarity = [Float](repeating: 0, count: texts.count)
        embeddings.withUnsafeBufferPointer { m in
            cblas_sgemv(CblasRowMajor, CblasNoTrans, blasint(texts.count), blasint(dimension), 1, m.baseAddress!,
                        blasint(dimension), embedding, 1, 0, &similarity, 1)
        }
        // One pass keeping the best `count`, nearest first; on a tie the lower row wins.
        var nearest: [Int] = []
        for row in similarity.indices where nearest.count < count || similarity[row] > similarity[nearest.last!] {
            var at = nearest.count
            while at > 0, similarity[nearest[at - 1]] < similarity[row] { at -= 1 }
            nearest.insert(row, at: at)
            if nearest.count > count { nearest.removeLast() }
        }
        let top = similarity[nearest.first!]
        let raw = nearest.map { exp((similarity[$0] - top) / Self.temperature) }
        let sum = raw.reduce(0, +)
        return zip(nearest, raw).map { (texts[$0], $1 / sum) }
    }
}
