// Scans of score rows that Swift does not vectorize on its own.
#ifndef STEER_SCAN_H
#define STEER_SCAN_H

#include <stddef.h>

/// The start of the first whole block of 16 scores at or after `start` that holds a score above
/// `threshold`, or the first index from which no whole block is left (`start` plus a multiple of
/// 16, at most `count`). NaN is never above anything, as with `>`.
size_t steer_first_block_above(const float *scores, size_t count, size_t start, float threshold);

#endif
