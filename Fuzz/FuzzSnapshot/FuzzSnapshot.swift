// libFuzzer target: snapshot files, as `steer serve --index` / `--state` and LoadSnapshot read them.
//
// Every input is decoded twice: as is (the checksums must refuse almost every mutation), and
// with the header CRC and every section CRC recomputed, so mutations reach the table parser,
// the size limits and zstd instead of stopping at the first checksum. Whatever decodes must
// re-encode to a snapshot that decodes equal, and is then given to ItemIndex(snapshot:).
//
// Errors are expected; a crash, a failed precondition, a hang or an ASan report is a bug.
#if canImport(Glibc)
import Glibc
#endif
import SteerCheckpoint
import SteerDaemon
import SteerIndex
import SteerSnapshot

/// Tighter than the default (8 GiB a section): a 64 KiB input may legitimately claim 2 GiB of
/// RLE blocks, which is an allocation the fuzzer's memory limit would report, not a bug.
let limits = SnapshotLimits(maxHeaderBytes: 1 << 20, maxSections: 4_096, maxSectionBytes: 16 << 20,
                            maxTotalBytes: 32 << 20, maxFileBytes: 64 << 20)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSnapshot(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    check(bytes)
    let repaired = repairingChecksums(bytes)
    if repaired != bytes { check(repaired) }
    return 0
}

@_cdecl("LLVMFuzzerInitialize")
public func fuzzSnapshotInitialize(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> CInt {
    if let dir = getenv("STEER_FUZZ_SEEDS") { writeSeeds(to: String(cString: dir)) }
    return 0
}

func check(_ bytes: [UInt8]) {
    guard let snapshot = try? Snapshot(decoding: bytes, limits: limits) else { return }
    // A decoded snapshot is a value the writer can write and the reader read back unchanged.
    let encoded: [UInt8]
    do {
        encoded = try snapshot.encode(compressionLevel: 1)
    } catch {
        preconditionFailure("a decoded snapshot does not encode: \(error)")
    }
    do {
        let again = try Snapshot(decoding: encoded, limits: limits)
        precondition(again == snapshot, "a snapshot re-encoded does not decode equal")
    } catch {
        preconditionFailure("a decoded snapshot, re-encoded, does not decode: \(error)")
    }
    if let index = try? ItemIndex(snapshot: snapshot) {
        precondition(index.embeddings.count == index.count * index.dimension)
        precondition(index.categoryWords.count == index.count * index.wordsPerItem)
    }
    // A model checkpoint (LoadBackbone, `steer train-dpr`, `steer eval`): what reads must write back the same.
    if let checkpoint = try? BackboneCheckpoint(snapshot: snapshot) {
        let again: BackboneCheckpoint
        do { again = try BackboneCheckpoint(snapshot: checkpoint.snapshot) } catch {
            preconditionFailure("a checkpoint that read, written again, does not read: \(error)")
        }
        precondition(again == checkpoint, "a checkpoint does not round-trip")
    }
    // steerd's state (LoadSnapshot, `steer serve --state`): what validates must write back the same.
    if let state = try? DaemonState(snapshot: snapshot) {
        let again: DaemonState
        do { again = try DaemonState(snapshot: state.snapshot()) } catch {
            preconditionFailure("a validated state, written again, does not validate: \(error)")
        }
        precondition(again.promptCache == state.promptCache, "the prompt cache does not round-trip")
        precondition(again.model?.plugin == state.model?.plugin && again.index?.count == state.index?.count)
    }
}

// MARK: Checksum repair

/// `bytes` with the header CRC and each section's CRC recomputed, following the table as far as
/// it parses (see SnapshotFormat.swift for the layout); unchanged when it is not even that.
func repairingChecksums(_ input: [UInt8]) -> [UInt8] {
    var bytes = input
    guard bytes.count >= 22 else { return bytes }
    let h = Int(le(bytes, 12, 4))
    guard h >= 22, h <= bytes.count - 4 else { return bytes }
    var at = 16
    var payload = h + 4
    func take(_ n: Int) -> Int? {
        guard n >= 0, at + n <= h else { return nil }
        defer { at += n }
        return at
    }
    if let k = take(2), take(Int(le(bytes, k, 2))) != nil, let s = take(4) {
        for _ in 0..<min(Int(le(bytes, s, 4)), 4_096) {
            guard let n = take(2), take(Int(le(bytes, n, 2))) != nil,
                  let c = take(8), take(8) != nil, let crc = take(4) else { break }
            let compressed = le(bytes, c, 8)
            guard compressed <= UInt64(bytes.count - payload) else { break }
            let end = payload + Int(compressed)
            let sum = bytes[payload..<end].withUnsafeBytes { CRC32.checksum($0) }
            store(&bytes, sum, at: crc)
            payload = end
        }
    }
    store(&bytes, bytes[0..<h].withUnsafeBytes { CRC32.checksum($0) }, at: h)
    return bytes
}

func le(_ bytes: [UInt8], _ offset: Int, _ width: Int) -> UInt64 {
    (0..<width).reduce(UInt64(0)) { $0 | UInt64(bytes[offset + $1]) << (8 * UInt64($1)) }
}

func store(_ bytes: inout [UInt8], _ value: UInt32, at offset: Int) {
    for i in 0..<4 { bytes[offset + i] = UInt8(truncatingIfNeeded: value >> (8 * UInt32(i))) }
}

// MARK: Seeds

func writeSeeds(to directory: String) {
    var seeds: [String: Snapshot] = [
        "empty": Snapshot(kind: ""),
        "one-section": Snapshot(kind: "weights", sections: ["w": [1, 2, 3, 4, 5, 6, 7, 8]]),
        "empty-section": Snapshot(kind: "x", sections: ["": []]),
        "runs": Snapshot(kind: "runs", sections: ["a": [UInt8](repeating: 0, count: 4_000), "b": Array(0..<200)]),
    ]
    if let index = try? ItemIndex(
        embeddings: (0..<12).map { Float($0) / 4 - 1 }, dimension: 3, itemCategories: [[0], [1, 2], [], [69]],
        categoryCount: 70, categoryNames: (0..<70).map { "c\($0)" }, titles: ["a", "b", "c", "d"]) {
        seeds["item-index"] = index.snapshot()
    }
    if let bare = try? ItemIndex(embeddings: [1, 2], dimension: 2, itemCategories: [[]], categoryCount: 0) {
        seeds["item-index-bare"] = bare.snapshot()
    }
    var checkpoint = BackboneCheckpoint(plugin: "MeanPool", config: "{}", weights: [0, 0, 128, 63], itemTokens: ["1", "2"],
                                        itemTitles: ["One", "Two"], categoryNames: ["Comedy", "Horror"], itemCategories: [[0, 1], []])
    checkpoint.dprHead = [1, 2, 3]
    seeds["backbone-checkpoint"] = checkpoint.snapshot
    let state = DaemonState(
        model: ("MeanPool", BackboneCheckpoint(plugin: "MeanPool", config: "{}", weights: [0, 0, 128, 63]).snapshot),
        index: try? ItemIndex(embeddings: [1, 2, 3, 4], dimension: 2, itemCategories: [[0], [1]], categoryCount: 2),
        promptCache: [.init(encoder: "all-MiniLM-L6-v2", text: "no horror", embedding: [0.5, -1, 2]),
                      .init(encoder: "all-MiniLM-L6-v2#tokens", text: "no horror", embedding: [1, 2, 3, 4, 5, 6])])
    seeds["steerd-state"] = state.snapshot()
    for (name, snapshot) in seeds {
        if let bytes = try? snapshot.encode(compressionLevel: 3) { writeFile(directory + "/seed-" + name, bytes) }
    }
}

func writeFile(_ path: String, _ bytes: [UInt8]) {
    guard let file = fopen(path, "wb") else { return }
    _ = bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) }
    fclose(file)
}
