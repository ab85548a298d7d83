// Assertions on the RPC errors steerd answers, shared by the daemon tests.
import SteerWire
import XCTest

extension XCTestCase {
    /// `body` throws an `RPCError` with `status` whose message holds every fragment.
    func assertRPCError<T>(_ body: @autoclosure () throws -> T, _ status: StatusCode, mentioning fragments: [String],
                           file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try body(), file: file, line: line) { error in
            guard let error = error as? RPCError else { return XCTFail("\(error)", file: file, line: line) }
            XCTAssertEqual(error.status, status, error.message, file: file, line: line)
            for fragment in fragments {
                XCTAssertTrue(error.message.contains(fragment), "\"\(fragment)\" not in: \(error.message)", file: file, line: line)
            }
        }
    }
}
