// Says which OpenBLAS kernels the numeric suites ran on, and that OPENBLAS_CORETYPE took effect
// (.ci/run runs these suites a second time on another kernel family than the machine's own).
import Foundation
import SteerBLAS
import XCTest

final class BLASKernelsTests: XCTestCase {
    func testTheKernelsAreTheOnesAsked() {
        let core = BLASKernels.coreName
        print("OpenBLAS kernels: \(core)")
        if let asked = ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"], !asked.isEmpty {
            XCTAssertEqual(core.lowercased(), asked.lowercased(), "OPENBLAS_CORETYPE=\(asked) did not take effect")
        }
    }
}
