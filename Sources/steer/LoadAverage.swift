// How quiet the machine is, printed by benchmarks before and after they run: a figure measured
// while other jobs held the cores is not a result.
import Foundation

enum LoadAverage {
    /// Share of all cores that may be busy with other work in the second before a benchmark
    /// before it warns (a fifth of a core on two cores: an editor, a shell, a language server).
    static let quietBusyShare = 0.10

    /// The 1, 5 and 15-minute load averages from /proc/loadavg ("unknown" where there is none).
    static var reading: String {
        guard let text = try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8) else { return "unknown" }
        return text.split(separator: " ").prefix(3).joined(separator: " ")
    }

    /// Prints `when` and the reading to standard error (the tables on standard output stay clean).
    /// Before the run it also measures, over one second, how busy the cores are (this process is
    /// idle then, so all of it is other work) and warns when it is more than ``quietBusyShare``:
    /// the load average alone still carries minutes of earlier work.
    static func report(_ when: String) {
        var line = "load average \(when): \(reading) (\(ProcessInfo.processInfo.activeProcessorCount) cores)"
        if when == "before", let busy = busyShare(over: 1) {
            line += String(format: "; cores busy with other work in the last second: %.0f%%", busy * 100)
            if busy > quietBusyShare {
                line += "\nWARNING: the machine is not quiet (more than \(Int(quietBusyShare * 100))% busy); "
                    + "do not quote these figures, run again when nothing else runs"
            }
        }
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    /// The busy share of all cores over `seconds`, from the aggregate `cpu` line of /proc/stat
    /// (everything but idle and iowait); nil where there is no /proc/stat.
    static func busyShare(over seconds: Double) -> Double? {
        guard let first = cpuTimes() else { return nil }
        Thread.sleep(forTimeInterval: seconds)
        guard let second = cpuTimes(), second.total > first.total else { return nil }
        return Double((second.total - second.idle) - (first.total - first.idle)) / Double(second.total - first.total)
    }

    private static func cpuTimes() -> (total: UInt64, idle: UInt64)? {
        guard let text = try? String(contentsOfFile: "/proc/stat", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("cpu ") }) else { return nil }
        let fields = line.split(separator: " ").dropFirst().compactMap { UInt64($0) }
        guard fields.count >= 5 else { return nil }
        // user nice system idle iowait irq softirq steal, then guest times already counted in
        // user and nice: idle and iowait are the idle time.
        return (fields.prefix(8).reduce(0, +), fields[3] + fields[4])
    }
}
