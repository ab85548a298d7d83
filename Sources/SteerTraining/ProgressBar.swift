// A one-line progress bar on standard error: position, rate, loss and time left.
#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Redraws one status line in place when standard error is a terminal, and prints a line
/// every `plainEvery` seconds otherwise (logs and CI stay readable).
public final class ProgressBar {
    private let total: Int
    private let label: String
    private let started = Date()
    private var lastDraw = Date.distantPast
    private let interactive = isatty(STDERR_FILENO) != 0
    private let plainEvery: TimeInterval

    public init(total: Int, label: String, plainEvery: TimeInterval = 15) {
        self.total = max(1, total)
        self.label = label
        self.plainEvery = plainEvery
    }

    /// - Parameters:
    ///   - done: units finished so far.
    ///   - status: extra text, e.g. "loss 7.91  38k targets/s".
    public func update(_ done: Int, status: String) {
        let now = Date()
        guard now.timeIntervalSince(lastDraw) >= (interactive ? 0.2 : plainEvery) || done == total else { return }
        lastDraw = now
        let elapsed = now.timeIntervalSince(started)
        let fraction = Double(done) / Double(total)
        let eta = fraction > 0 ? elapsed / fraction - elapsed : 0
        let width = 24, filled = Int(fraction * Double(width))
        let bar = String(repeating: "=", count: filled) + (filled < width ? ">" : "") + String(repeating: " ", count: max(0, width - filled - 1))
        let line = "\(label) [\(bar)] \(done)/\(total) \(status)  \(Self.clock(elapsed)) elapsed, ETA \(Self.clock(eta))"
        FileHandle.standardError.write(Data(((interactive ? "\r\u{1B}[K" : "") + line + (interactive ? "" : "\n")).utf8))
    }

    /// Ends the interactive line.
    public func finish() {
        if interactive { FileHandle.standardError.write(Data("\n".utf8)) }
    }

    static func clock(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String(format: "%d:%02d", s / 60, s % 60)
    }
}
