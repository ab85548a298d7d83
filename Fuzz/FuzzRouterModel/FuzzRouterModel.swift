// libFuzzer target: the prompt router's model file (router.json: JSON whose token-reader kernels are
// base64 little-endian float32), through PromptRouter.decode. Whatever decodes must route a
// prompt (token states of its width) to a probability in 0...1, and encode to bytes that decode.
// A fine-tuned router's head file goes through its own checks there, then is refused (it needs
// its encoder folder); a seed of one keeps that path fuzzed.
//
// Errors are expected; a crash, a failed precondition, a hang or an ASan report is a bug.
#if canImport(Glibc)
import Glibc
#endif
import Foundation
import SteerPrompt
import SteerText

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRouterModel(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard let router = try? PromptRouter.decode(Data(bytes: data, count: size), source: "input") else { return 0 }
    let d = router.dimension
    let states = TokenStates(count: 3, dimension: d, values: (0..<(3 * d)).map { Float($0 % 7) / 7 - 0.4 },
                             pooled: [Float](repeating: 0.1, count: d))
    let decision = try? router.route(states: states, text: "no horror, a comedy please")
    if let decision {
        precondition(decision.confidence >= 0.5 && decision.confidence <= 1, "confidence \(decision.confidence) out of 0.5...1")
    }
    let again = try? router.encoded()
    precondition(again.flatMap { try? PromptRouter.decode($0, source: "again") } != nil, "a decoded router does not round-trip")
    return 0
}

@_cdecl("LLVMFuzzerInitialize")
public func fuzzRouterModelInitialize(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> CInt {
    if let dir = getenv("STEER_FUZZ_SEEDS") { writeSeeds(to: String(cString: dir)) }
    return 0
}

/// Router files of width 4: two two-filter token readers (format 3), one (format 2), and none
/// (format 1); the bundled file's header (cue features, lexicon fingerprint) with small weights.
func writeSeeds(to directory: String) {
    let bundled = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Sources/SteerPrompt/Resources/router.json")
    guard let data = try? Data(contentsOf: bundled),
          var model = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any],
          let cues = model["cueFeatures"] as? [String], var reader = (model["tokenReaders"] as? [[String: Any]])?.first else { return }
    let width = 4 + cues.count
    func floats(_ n: Int, _ scale: Float) -> [Float] { (0..<n).map { Float($0 % 5) * scale - scale } }
    func base64(_ values: [Float]) -> String {
        var bytes: [UInt8] = []
        for v in values { withUnsafeBytes(of: v.bitPattern.littleEndian) { bytes += $0 } }
        return Data(bytes).base64EncodedString()
    }
    model["dimension"] = 4
    model["weights"] = floats(width, 0.5)
    model["provenance"] = ["fuzz seed"]
    reader["filters"] = 2
    reader["weights"] = floats(width, 0.25)
    reader["convolutionKernel"] = base64(floats(2 * 3 * 4, 0.3))
    reader["convolutionBias"] = [Float(0.1), -0.1]
    reader["convolutionOutput"] = [Float(1), -1]
    var second = reader
    second["convolutionOutput"] = [Float(-0.5), 2]
    model["tokenReaders"] = [reader, second]
    if let json = try? JSONSerialization.data(withJSONObject: model) { write(directory + "/seed-router", json) }
    model["tokenReaders"] = nil
    model["tokenReader"] = reader
    model["format"] = "steer-router/2"
    if let json = try? JSONSerialization.data(withJSONObject: model) { write(directory + "/seed-router-one-reader", json) }
    model["tokenReader"] = nil
    model["format"] = "steer-router/1"
    if let json = try? JSONSerialization.data(withJSONObject: model) { write(directory + "/seed-router-linear", json) }
    var head: [String: Any] = ["format": "steer-router-encoder-head/1", "base": "all-MiniLM-L6-v2", "weights": floats(4, 0.5),
                               "bias": Float(0.25), "provenance": ["fuzz seed"]]
    if let json = try? JSONSerialization.data(withJSONObject: head) { write(directory + "/seed-router-head", json) }
    head["bundledRouterWeight"] = Float(0.65)
    if let json = try? JSONSerialization.data(withJSONObject: head) { write(directory + "/seed-router-head-blended", json) }
}

func write(_ path: String, _ data: Data) {
    guard let file = fopen(path, "wb") else { return }
    _ = data.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) }
    fclose(file)
}
