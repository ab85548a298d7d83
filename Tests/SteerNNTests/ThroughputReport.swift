// Micro-benchmark of the hot ops (not a test): run with STEER_NN_BENCH=1, ideally `swift test -c release`.
import Foundation
import SteerNN
import XCTest

final class ThroughputReport: XCTestCase {
    /// Process CPU seconds (all threads): on a shared, loaded machine wall time is noise, CPU time is not.
    func cpuSeconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    /// Mean (wall, CPU) seconds per call of `body` after one warm-up call.
    func time(_ reps: Int, _ body: () -> Void) -> (wall: Double, cpu: Double) {
        body()
        let start = DispatchTime.now().uptimeNanoseconds, cpu0 = cpuSeconds()
        for _ in 0..<reps { body() }
        let wall = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 / Double(reps)
        return (wall, (cpuSeconds() - cpu0) / Double(reps))
    }

    func report(_ what: String, _ t: (wall: Double, cpu: Double), flops: Double) {
        print(String(format: "%@: wall %.1f ms (%.1f GFLOP/s), CPU %.1f ms (%.1f GFLOP/s per CPU-second)",
                     what, t.wall * 1e3, flops / t.wall / 1e9, t.cpu * 1e3, flops / t.cpu / 1e9))
    }

    func testZZZThroughputReport() throws {
        try XCTSkipUnless(ProcessInfo.processInfo.environment["STEER_NN_BENCH"] == "1", "set STEER_NN_BENCH=1 to run")
        var rng = RNG(seed: 60)
        print("BLAS threads: \(ProcessInfo.processInfo.environment["OPENBLAS_NUM_THREADS"] ?? "default"), load: \((try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? "?")")
        do {
            let b = 128, t = 200, c = 64, nh = 2, hs = c / nh
            let qkv = randomBuffer(b * t * 3 * c, &rng), out = FloatBuffer(count: b * t * c), att = FloatBuffer(count: b * nh * t * t)
            let dqkv = FloatBuffer(count: b * t * 3 * c), scratch = FloatBuffer(count: t * t), dOut = randomBuffer(b * t * c, &rng)
            let full = [Int32](repeating: Int32(t), count: b)
            let sec = time(3) {
                attentionForward(out: out.ptr, att: att.ptr, qkv: qkv.ptr, lengths: full, batch: b, time: t, channels: c, heads: nh)
                attentionBackward(dqkv: dqkv.ptr, scratch: scratch.ptr, dOut: dOut.ptr, qkv: qkv.ptr, att: att.ptr, lengths: full, batch: b, time: t, channels: c, heads: nh)
            }
            // 2 matmuls forward + 4 backward, each 2·T·T·hs per (b, h), full blocks as computed.
            let flops = 6.0 * 2 * Double(b * nh * t * t * hs)
            report("attention fwd+bwd B=\(b) T=\(t) C=\(c) NH=\(nh), full length", sec, flops: flops)
        }
        do {
            let n = 25_600, v = 3706, c = 64
            let hidden = randomBuffer(n * c, &rng, scale: 0.1), table = randomBuffer(v * c, &rng, scale: 0.1)
            let dH = FloatBuffer(count: n * c), dT = FloatBuffer(count: v * c)
            let targets = (0..<n).map { _ in Int32(rng.below(v)) }
            let ws = CrossEntropyWorkspace(items: v, channels: c, maxLogitBytes: 32 << 20)
            let sec = time(2) {
                _ = softmaxCrossEntropy(hidden: hidden.ptr, dHidden: dH.ptr, table: table.ptr, dTable: dT.ptr, bias: nil, dBias: nil,
                                        targets: targets, rows: n, items: v, channels: c, workspace: ws)
            }
            let flops = 6.0 * Double(n) * Double(v) * Double(c)
            report("cross-entropy fwd+bwd N=\(n) V=\(v) C=\(c), chunk \(ws.chunkRows) rows", sec, flops: flops)
        }
        do {
            let b = 256, t = 50, ni = 64, h = 128
            let x = randomBuffer(b * t * ni, &rng), wIH = randomBuffer(3 * h * ni, &rng, scale: 0.1), wHH = randomBuffer(3 * h * h, &rng, scale: 0.1)
            let bIH = FloatBuffer(count: 3 * h), bHH = FloatBuffer(count: 3 * h)
            let hs = FloatBuffer(count: b * t * h), gates = FloatBuffer(count: b * t * 4 * h)
            let fs = FloatBuffer(count: gruForwardScratchCount(batch: b, hiddenSize: h))
            let bs = FloatBuffer(count: gruBackwardScratchCount(batch: b, time: t, hiddenSize: h))
            let dx = FloatBuffer(count: b * t * ni), dWIH = FloatBuffer(count: 3 * h * ni), dWHH = FloatBuffer(count: 3 * h * h)
            let dBIH = FloatBuffer(count: 3 * h), dBHH = FloatBuffer(count: 3 * h), dHs = randomBuffer(b * t * h, &rng)
            let full = [Int32](repeating: Int32(t), count: b)
            let sec = time(3) {
                gruForward(hs: hs.ptr, gates: gates.ptr, scratch: fs.ptr, inp: x.ptr, wIH: wIH.ptr, wHH: wHH.ptr, bIH: bIH.ptr, bHH: bHH.ptr,
                           lengths: full, batch: b, time: t, inputSize: ni, hiddenSize: h)
                gruBackward(dInp: dx.ptr, dWIH: dWIH.ptr, dWHH: dWHH.ptr, dBIH: dBIH.ptr, dBHH: dBHH.ptr, scratch: bs.ptr, dHs: dHs.ptr,
                            hs: hs.ptr, gates: gates.ptr, inp: x.ptr, wIH: wIH.ptr, wHH: wHH.ptr, lengths: full, batch: b, time: t, inputSize: ni, hiddenSize: h)
            }
            // forward 2·BT·3H·(I+H); backward twice that.
            let flops = 3.0 * 2 * Double(b * t * 3 * h * (ni + h))
            report("GRU fwd+bwd B=\(b) T=\(t) I=\(ni) H=\(h)", sec, flops: flops)
        }
    }
}
