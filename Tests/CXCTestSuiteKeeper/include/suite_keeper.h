// Registers XCTestSuiteKeeper's observer when the test executable loads.
void steer_keep_xctest_suites(void);
