// What many test targets share besides the gradient check: the Steer cache, temporary
// directories, and catching an error of one type.
import Foundation
import XCTest

/// The Steer cache: $STEER_CACHE, else ~/.cache/steer (what Scripts/setup fills).
public func steerCache() -> URL {
    if let path = ProcessInfo.processInfo.environment["STEER_CACHE"], !path.isEmpty {
        return URL(fileURLWithPath: path)
    }
    return FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/steer")
}

/// The `E` thrown by `body`, failing the test when it throws nothing or an error of another type.
public func thrownError<E: Error>(_ type: E.Type, file: StaticString = #filePath, line: UInt = #line,
                                  _ body: () throws -> Void) -> E? {
    do {
        try body()
        XCTFail("expected a \(E.self), nothing was thrown", file: file, line: line)
    } catch let error as E {
        return error
    } catch {
        XCTFail("expected a \(E.self), got \(error)", file: file, line: line)
    }
    return nil
}

extension XCTestCase {
    /// A fresh directory `<prefix>-<8 hex digits>` in the system's temporary directory, removed when
    /// the test ends. The name is short so that Unix socket paths inside it fit `sun_path` (104
    /// bytes on macOS, whose temporary directory is long already).
    public func temporaryDirectory(_ prefix: String = "steer-test") throws -> String {
        let path = NSTemporaryDirectory() + "\(prefix)-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
        return path
    }
}
