// Assertions the daemon tests share.
import XCTest

func XCTAssertClose(_ a: [Float], _ b: [Float], accuracy: Float, _ message: String = "", file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(a.count, b.count, message, file: file, line: line)
    for (i, (x, y)) in zip(a, b).enumerated() where abs(x - y) > accuracy {
        XCTFail("\(message) [\(i)]: \(x) vs \(y)", file: file, line: line)
        return
    }
}
