// libFuzzer target: a file of low-rank adapters (a fine-tuned router's encoder shipped as its
// change from the base: safetensors of name.lora_a / name.lora_b pairs), through
// LowRankAdapters(contentsOf:), which reads it with SafeTensorsFile (header JSON, dtypes, spans).
// Whatever loads must add each pair to a layer of the pair's own shape, and refuse a shape that
// does not fit.
//
// The reader maps a file, so each input is written to one scratch file first.
// Errors are expected; a crash, a failed precondition, a hang or an ASan report is a bug.
#if canImport(Glibc)
import Glibc
#endif
import Foundation
import SteerText

private let scratch = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("fuzz-adapters-\(getpid()).safetensors")

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzAdapters(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard (try? Data(bytes: data, count: size).write(to: scratch)) != nil,
          let adapters = try? LowRankAdapters(contentsOf: scratch) else { return 0 }
    for name in adapters.names.sorted() {
        guard let shape = adapters.layerShape(name), shape.out * shape.in <= 1 << 20 else { continue }
        let weight = [Float](repeating: 1, count: shape.out * shape.in)
        precondition((try? adapters.adapted(weight, name: name, out: shape.out, in: shape.in))?.count == weight.count,
                     "a loaded pair does not fit its own shape")
        precondition((try? adapters.adapted(weight, name: name, out: shape.out, in: shape.in + 1)) == nil,
                     "a pair was added to a layer of another shape")
    }
    return 0
}

@_cdecl("LLVMFuzzerInitialize")
public func fuzzAdaptersInitialize(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> CInt {
    if let dir = getenv("STEER_FUZZ_SEEDS") { writeSeeds(to: String(cString: dir)) }
    return 0
}

/// Seeds: one layer's pair in F32 and in F16, and two layers of rank 2.
func writeSeeds(to directory: String) {
    func header(_ entries: [(String, String, [Int], Int)]) -> [UInt8] {
        var offset = 0
        let fields = entries.map { name, dtype, shape, width in
            let count = shape.reduce(1, *) * width
            defer { offset += count }
            return "\"\(name)\":{\"dtype\":\"\(dtype)\",\"shape\":[\(shape.map(String.init).joined(separator: ","))],\"data_offsets\":[\(offset),\(offset + count)]}"
        }
        let json = Array("{\(fields.joined(separator: ","))}".utf8)
        var bytes = withUnsafeBytes(of: UInt64(json.count).littleEndian, Array.init) + json
        bytes += (0..<offset).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 60) }
        return bytes
    }
    let seeds: [[UInt8]] = [
        header([("x.lora_a", "F32", [1, 3], 4), ("x.lora_b", "F32", [2, 1], 4)]),
        header([("x.lora_a", "F16", [1, 3], 2), ("x.lora_b", "F16", [2, 1], 2)]),
        header([("l.0.lora_a", "F32", [2, 4], 4), ("l.0.lora_b", "F32", [3, 2], 4), ("l.1.lora_a", "BF16", [2, 3], 2), ("l.1.lora_b", "BF16", [4, 2], 2)]),
    ]
    for (k, seed) in seeds.enumerated() {
        try? Data(seed).write(to: URL(fileURLWithPath: directory).appendingPathComponent("seed-\(k)"))
    }
}
