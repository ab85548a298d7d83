#include "steer_scan.h"

size_t steer_first_block_above(const float *scores, size_t count, size_t start, float threshold) {
    size_t i = start;
    for (; count >= 16 && i <= count - 16; i += 16) {
        // No early exit inside the block: the compiler turns these 16 compares into vector compares.
        int above = 0;
        for (int j = 0; j < 16; j++) above |= scores[i + j] > threshold;
        if (above) return i;
    }
    return i;
}
