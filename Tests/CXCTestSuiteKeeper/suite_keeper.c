// A constructor runs before XCTMain, so the observer sees the root suite start.
#include "suite_keeper.h"

__attribute__((constructor)) static void register_suite_keeper(void) {
    steer_keep_xctest_suites();
}
