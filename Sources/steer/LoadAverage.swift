// The machine's load average, printed by benchmarks before and after they run: a figure measured
// while other jobs held the cores is not a result.
import Foundation

enum LoadAverage {
    /// The 1, 5 and 15-minute load averages from /proc/loadavg ("unknown" where there is none).
    static var reading: String {
        guard let text = try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8) else { return "unknown" }
        return text.split(separator: " ").prefix(3).joined(separator: " ")
    }

    /// Prints `when` and the reading to standard error (the tables on standard output stay clean).
    static func report(_ when: String) {
        FileHandle.standardError.write(Data("load average \(when): \(reading) (\(ProcessInfo.processInfo.activeProcessorCount) cores)\n".utf8))
    }
}
