// libFuzzer target: the model-file decoders below the snapshot layer, on bytes taken straight
// from the input (no zstd, no CRC in the way):
//   - the tensor archive in both formats ("STA1" backbone weights, "SDPR" DPR head) and, for
//     the latter, DPRHead(archive:), which also checks the config and every tensor's shape;
//   - BackboneCheckpoint(snapshot:) on a section set built from the input as records of
//       1 byte  section selector (mod 9: config, weights, plugin, item_tokens, item_titles,
//               category_names, item_category_offsets, item_category_ids, dpr_head)
//       2 bytes length L, little-endian; L bytes the section (cut short at the end of the input).
// Whatever decodes must encode to bytes that decode equal.
//
// Errors are expected; a crash, a failed precondition, a hang or an ASan report is a bug.
#if canImport(Glibc)
import Glibc
#endif
import SteerBackboneKit
import SteerCheckpoint
import SteerDPR
import SteerNN
import SteerSnapshot

let names = ["config", "weights", "plugin", "item_tokens", "item_titles", "category_names", "item_category_offsets",
             "item_category_ids", "dpr_head"]

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCheckpoint(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let raw = UnsafeRawBufferPointer(start: data, count: size)
    for format in [TensorArchiveFormat.backboneWeights, .dprHead] {
        guard let (config, tensors) = try? TensorArchive.decode(raw, format, label: "input") else { continue }
        // Names sorted: the archive keeps declaration order, the decoded map has none.
        let table = ParameterTable(tensors.keys.sorted().map { (name: $0, count: tensors[$0]!.count, decays: false) })
        let finite = tensors.values.allSatisfy { $0.allSatisfy(\.isFinite) }
        do {
            try table.load(tensors, label: "input")
            precondition(finite, "non-finite tensors were loaded")
        } catch {
            precondition(!finite, "finite tensors of the declared shapes were refused: \(error)")
            continue
        }
        let again = TensorArchive.encode(format, config: config, tensors: table.tensors)
        let back = again.withUnsafeBytes { try? TensorArchive.decode($0, format, label: "again") }
        precondition(back?.config == config && back?.tensors == tensors, "a tensor archive does not round-trip")
    }
    if let head = try? DPRHead(archive: Array(raw)) {
        precondition((try? DPRHead(archive: head.archived()))?.archived() == head.archived(), "a DPR head does not round-trip")
    }
    var snapshot = Snapshot(kind: BackboneCheckpoint.kind)
    var at = 0
    while at + 3 <= size {
        let name = names[Int(raw[at]) % names.count]
        let length = Int(raw[at + 1]) | Int(raw[at + 2]) << 8
        let end = min(size, at + 3 + length)
        snapshot.sections[name] = Array(raw[(at + 3)..<end])
        at = end
    }
    if let checkpoint = try? BackboneCheckpoint(snapshot: snapshot) {
        precondition(checkpoint.itemCategories.count == checkpoint.itemTokens.count)
        precondition(checkpoint.itemCategories.allSatisfy { $0.allSatisfy { $0 >= 0 && Int($0) < checkpoint.categoryNames.count } })
        precondition((try? BackboneCheckpoint(snapshot: checkpoint.snapshot)) == checkpoint, "a checkpoint does not round-trip")
    }
    return 0
}

@_cdecl("LLVMFuzzerInitialize")
public func fuzzCheckpointInitialize(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> CInt {
    if let dir = getenv("STEER_FUZZ_SEEDS") { writeSeeds(to: String(cString: dir)) }
    return 0
}

/// A small DPR head's archive, backbone weights, and a checkpoint's sections as records.
func writeSeeds(to directory: String) {
    guard let head = try? DPRHead(config: DPRConfig(dim: 4, encoderDim: 6, projectorHidden: 8, heads: 2, ffnDim: 8,
                                                    keyValue: .tokens, dropout: 0)) else { return }
    writeFile(directory + "/seed-dpr-head", head.archived())
    let table = ParameterTable([("item_embedding", 6, false), ("bias", 2, false)])
    writeFile(directory + "/seed-backbone-weights", BackboneWeights.encode(config: #"{"n_items": 3}"#, table: table))
    var checkpoint = BackboneCheckpoint(plugin: "MeanPool", config: "{}", weights: [0, 0, 128, 63], itemTokens: ["1", "2"],
                                        itemTitles: ["One", "Two"], categoryNames: ["Comedy", "Horror"], itemCategories: [[0, 1], []])
    checkpoint.dprHead = head.archived()
    let snapshot = checkpoint.snapshot
    var records: [UInt8] = []
    for (selector, name) in names.enumerated() {
        guard let bytes = snapshot.sections[name], bytes.count <= 0xFFFF else { continue }
        records += [UInt8(selector), UInt8(bytes.count & 0xFF), UInt8(bytes.count >> 8)] + bytes
    }
    writeFile(directory + "/seed-checkpoint", records)
}

func writeFile(_ path: String, _ bytes: [UInt8]) {
    guard let file = fopen(path, "wb") else { return }
    _ = bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) }
    fclose(file)
}
