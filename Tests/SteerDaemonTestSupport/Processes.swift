// Running a program from a test.
import Foundation

/// Runs a program to completion and collects its output.
public func runProcess(_ executable: String, _ arguments: [String]) throws -> (status: Int32, standardOutput: String, standardError: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    let output = Pipe(), errors = Pipe()
    process.standardOutput = output
    process.standardError = errors
    try process.run()
    // Drain standard error on another thread while this one drains standard output, so neither pipe fills up.
    final class Box: @unchecked Sendable { var data = Data(); let handle: FileHandle; init(_ h: FileHandle) { handle = h } }
    let errorBox = Box(errors.fileHandleForReading)
    let done = DispatchSemaphore(value: 0)
    DispatchQueue.global().async {
        errorBox.data = errorBox.handle.readDataToEndOfFile()
        done.signal()
    }
    let outputData = output.fileHandleForReading.readDataToEndOfFile()
    done.wait()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: outputData, as: UTF8.self), String(decoding: errorBox.data, as: UTF8.self))
}
