// libFuzzer target: ItemIndex(snapshot:) on section sets taken straight from the input.
//
// FuzzSnapshot reaches ItemIndex only through zstd frames with content checksums, which random
// mutations rarely survive; here the sections come from the input directly, so the fuzzer works
// on the index's own validation (meta, shapes, bitsets, string lists). Input: records of
//   1 byte  section selector (mod 6: meta, embeddings, categories, category_names, titles, other)
//   2 bytes length L, little-endian
//   L bytes the section (cut short at the end of the input)
// The snapshot's kind is "item-index". An index that loads must answer a filtered retrieval and
// survive a snapshot round trip unchanged.
//
// Errors are expected; a crash, a failed precondition, a hang or an ASan report is a bug.
#if canImport(Glibc)
import Glibc
#endif
import SteerIndex
import SteerSnapshot

let names = ["meta", "embeddings", "categories", "category_names", "titles", "other"]

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzItemIndex(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    var snapshot = Snapshot(kind: ItemIndex.snapshotKind)
    var at = 0
    while at + 3 <= size {
        let name = names[Int(bytes[at]) % names.count]
        let length = Int(bytes[at + 1]) | Int(bytes[at + 2]) << 8
        let end = min(size, at + 3 + length)
        snapshot.sections[name] = Array(bytes[(at + 3)..<end])
        at = end
    }
    guard let index = try? ItemIndex(snapshot: snapshot) else { return 0 }
    exercise(index)
    return 0
}

@_cdecl("LLVMFuzzerInitialize")
public func fuzzItemIndexInitialize(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> CInt {
    if let dir = getenv("STEER_FUZZ_SEEDS") { writeSeeds(to: String(cString: dir)) }
    return 0
}

func exercise(_ index: ItemIndex) {
    precondition(index.embeddings.count == index.count * index.dimension)
    precondition(index.categoryWords.count == index.count * index.wordsPerItem)
    for item in 0..<UInt32(min(index.count, 64)) {
        precondition(index.embedding(of: item).count == index.dimension)
        for category in index.categories(of: item) {
            precondition(Int(category) < index.categoryCount, "item \(item) has category \(category) of \(index.categoryCount)")
            precondition(index.item(item, hasCategory: category))
        }
    }
    if index.count > 0 {
        let query = RetrievalQuery(
            vector: (0..<index.dimension).map { Float($0 % 3) - 1 }, excludeItems: [0],
            requireCategories: index.categoryCount > 0 ? [0, UInt32(index.categoryCount - 1)] : [],
            excludeCategories: index.categoryCount > 1 ? [1] : [])
        let k = min(index.count, 10)
        do {
            let ranked = try index.retrieve(query, k: k)
            precondition(ranked.count <= k)
            precondition(ranked.allSatisfy { Int($0.item) < index.count && $0.item != 0 })
        } catch let error as ItemIndexError where error.code == .outOfRange {
            // Items so large that even this small query could overflow a score are refused, not scored.
            // (the rule: ‖q‖ · the largest item norm must stay within half of Float's range)
            let norm = query.vector.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
            precondition(norm * index.maxItemNorm > Double(Float.greatestFiniteMagnitude) / 2, "a query within range was refused: \(error)")
        } catch {
            preconditionFailure("a valid query over a loaded index failed: \(error)")
        }
    }
    // Persisting a loaded index and loading it back gives the same index.
    do {
        let again = try ItemIndex(snapshot: index.snapshot())
        precondition(again.embeddings == index.embeddings && again.categoryWords == index.categoryWords
                     && again.categoryCount == index.categoryCount && again.dimension == index.dimension
                     && again.categoryNames == index.categoryNames && again.titles == index.titles,
                     "an item index changed through its own snapshot")
    } catch {
        preconditionFailure("the snapshot of a loaded index does not load: \(error)")
    }
}

// MARK: Seeds

func record(_ selector: Int, _ bytes: [UInt8]) -> [UInt8] {
    [UInt8(selector), UInt8(bytes.count & 0xFF), UInt8(bytes.count >> 8)] + bytes
}

func writeSeeds(to directory: String) {
    let indexes: [String: ItemIndex?] = [
        "full": try? ItemIndex(
            embeddings: (0..<12).map { Float($0) / 4 - 1 }, dimension: 3, itemCategories: [[0], [1, 2], [], [69]],
            categoryCount: 70, categoryNames: (0..<70).map { "c\($0)" }, titles: ["a", "b", "c", "d"]),
        "no-categories": try? ItemIndex(embeddings: [1, 2, 3, 4], dimension: 2, itemCategories: [[], []], categoryCount: 0),
        "empty": try? ItemIndex(embeddings: [], dimension: 8, itemCategories: [], categoryCount: 3),
    ]
    for case let (name, index?) in indexes {
        let snapshot = index.snapshot()
        var out: [UInt8] = []
        for (selector, section) in names.enumerated() {
            if let bytes = snapshot.sections[section], bytes.count <= 0xFFFF { out += record(selector, bytes) }
        }
        writeFile(directory + "/seed-" + name, out)
    }
}

func writeFile(_ path: String, _ bytes: [UInt8]) {
    guard let file = fopen(path, "wb") else { return }
    _ = bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) }
    fclose(file)
}
