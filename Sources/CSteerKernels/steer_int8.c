// The encoder's int8 linear layers: weights quantized per output column, activations per row and
// range of 128 inputs, products summed exactly in int32 by AVX-512 VNNI (vpdpbusd), then scaled
// back to float.
#include "steer_kernels.h"
#include "vector_math.h"

#include <math.h>
#include <stdint.h>

#define STEER_HAS_VNNI_PATH STEER_HAS_AVX512_PATH
#if STEER_HAS_VNNI_PATH
#define VNNI __attribute__((target("avx512f,avx512bw,avx512vl,avx512vnni")))
#endif

// GROUP: inputs per VNNI lane sum. RANGE: inputs per activation scale; a row's few large values
// then coarsen only their own 128 inputs. Tiles hold 7 rows: 2 int32 and 2 float accumulators
// per row must fit the 32 vector registers.
enum { BLOCK = 32, GROUP = 4, RANGE = 128, MAX_TILE_ROWS = 7 };

int steer_int8_available(void) {
#if STEER_HAS_VNNI_PATH
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl")
        && __builtin_cpu_supports("avx512vnni");
#else
    return 0;
#endif
}

size_t steer_int8_padded_inputs(size_t in_features) { return (in_features + GROUP - 1) / GROUP * GROUP; }

size_t steer_int8_ranges(size_t in_features) { return (steer_int8_padded_inputs(in_features) + RANGE - 1) / RANGE; }

size_t steer_int8_weight_bytes(size_t in_features, size_t out_features) {
    return (out_features + BLOCK - 1) / BLOCK * BLOCK * steer_int8_padded_inputs(in_features);
}

void steer_int8_quantize_weights(const float *blocks, size_t in, size_t out, const float *input_scales,
                                 int8_t *q, float *scales, int32_t *column_sums) {
    const size_t kp = steer_int8_padded_inputs(in);
    for (size_t first = 0; first < out; first += BLOCK) {
        const size_t width = out - first < BLOCK ? out - first : BLOCK;
        const float *block = blocks + first * in;           // [in, width]
        int8_t *dst = q + first * kp;                        // [kp / 4][32][4]
        for (size_t c = 0; c < BLOCK; c++) {
            float top = 0;
            if (c < width) for (size_t k = 0; k < in; k++) top = fmaxf(top, fabsf(block[k * width + c] * input_scales[k]));
            const float scale = top > 0 ? top / 127.0f : 1.0f;
            for (size_t k = 0; k < kp; k++) {
                int8_t v = 0;
                if (c < width && k < in) v = (int8_t)lrintf(block[k * width + c] * input_scales[k] / scale);
                dst[((k / GROUP) * BLOCK + c) * GROUP + k % GROUP] = v;
                if (c < width) {
                    if (k % RANGE == 0) column_sums[(k / RANGE) * out + first + c] = 0;
                    column_sums[(k / RANGE) * out + first + c] += v;
                }
            }
            if (c < width) scales[first + c] = scale;
        }
    }
}

#if STEER_HAS_VNNI_PATH
VNNI static void quantize_rows_avx512(const float *x, size_t rows, size_t in, const float *inverse_input_scales,
                                     uint8_t *q, float *scales, float *zero_points) {
    const size_t kp = steer_int8_padded_inputs(in), ranges = steer_int8_ranges(in);
    for (size_t r = 0; r < rows; r++) {
        const float *row = x + r * in;
        uint8_t *dst = q + r * kp;
        for (size_t g = 0; g < ranges; g++) {
            const size_t start = g * RANGE, end = start + RANGE < in ? start + RANGE : in;
            // The range's own [lo, hi] ∋ 0, not ±max: after GELU almost every value is ≥ −0.17,
            // and a symmetric range would leave half the 256 levels unused.
            __m512 lo = _mm512_setzero_ps(), hi = _mm512_setzero_ps();
            for (size_t k = start; k < end; k += 16) {
                const __mmask16 m = tail_mask(end - k);
                const __m512 v = _mm512_mul_ps(_mm512_maskz_loadu_ps(m, row + k), _mm512_maskz_loadu_ps(m, inverse_input_scales + k));
                lo = _mm512_min_ps(lo, v);
                hi = _mm512_max_ps(hi, v);
            }
            const float low = _mm512_reduce_min_ps(lo), high = _mm512_reduce_max_ps(hi);
            const float scale = high > low ? (high - low) / 255.0f : 1.0f;
            const float zero = rintf(-low / scale);   // 0 ≤ zero ≤ 255: low ≤ 0 ≤ high
            const __m512 inv = _mm512_set1_ps(1.0f / scale), zv = _mm512_set1_ps(zero);
            const __m512 top = _mm512_set1_ps(255.0f), bottom = _mm512_setzero_ps();
            for (size_t k = start; k < end; k += 16) {
                const __mmask16 m = tail_mask(end - k);
                const __m512 v = _mm512_mul_ps(_mm512_maskz_loadu_ps(m, row + k), _mm512_maskz_loadu_ps(m, inverse_input_scales + k));
                __m512 level = _mm512_add_ps(_mm512_roundscale_ps(_mm512_mul_ps(v, inv), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC), zv);
                level = _mm512_min_ps(_mm512_max_ps(level, bottom), top);
                _mm_mask_storeu_epi8(dst + k, m, _mm512_cvtepi32_epi8(_mm512_cvtps_epi32(level)));
            }
            // Padding inputs (weights 0) take the zero point, so they add nothing after the correction.
            for (size_t k = end; k < (start + RANGE < kp ? start + RANGE : kp); k++) dst[k] = (uint8_t)zero;
            scales[r * ranges + g] = scale;
            zero_points[r * ranges + g] = zero;
        }
    }
}
#endif

void steer_int8_quantize_rows(const float *x, size_t rows, size_t in, const float *inverse_input_scales, uint8_t *q,
                              float *scales, float *zero_points) {
#if STEER_HAS_VNNI_PATH
    quantize_rows_avx512(x, rows, in, inverse_input_scales, q, scales, zero_points);
#else
    (void)x; (void)rows; (void)in; (void)inverse_input_scales; (void)q; (void)scales; (void)zero_points;
#endif
}

#if STEER_HAS_VNNI_PATH

VNNI __attribute__((always_inline)) static inline void qtile(
    const int R, const uint8_t *qx, size_t kp, size_t ranges, const float *xs, const float *xz, const int8_t *w,
    const float *ws, const int32_t *cs, size_t out, const float *bias, __mmask16 m0, __mmask16 m1, float *c,
    size_t ldc, int gelu) {
    __m512 y0[MAX_TILE_ROWS], y1[MAX_TILE_ROWS];
#pragma clang loop unroll(full)
    for (int r = 0; r < R; r++) { y0[r] = _mm512_setzero_ps(); y1[r] = _mm512_setzero_ps(); }
    for (size_t g = 0; g < ranges; g++) {
        __m512i acc0[MAX_TILE_ROWS], acc1[MAX_TILE_ROWS];
#pragma clang loop unroll(full)
        for (int r = 0; r < R; r++) { acc0[r] = _mm512_setzero_si512(); acc1[r] = _mm512_setzero_si512(); }
        const size_t end = (g + 1) * RANGE < kp ? (g + 1) * RANGE : kp;
        for (size_t k = g * RANGE; k < end; k += GROUP) {
            const __m512i w0 = _mm512_loadu_si512(w + k * BLOCK);
            const __m512i w1 = _mm512_loadu_si512(w + k * BLOCK + 64);
#pragma clang loop unroll(full)
            for (int r = 0; r < R; r++) {
                const __m512i x = _mm512_set1_epi32(*(const int32_t *)(qx + r * kp + k));
                acc0[r] = _mm512_dpbusd_epi32(acc0[r], x, w0);
                acc1[r] = _mm512_dpbusd_epi32(acc1[r], x, w1);
            }
        }
        // Σ (q_x − z)·q_w = acc − z·Σ q_w over the range; exact in int32, then scaled by the range's step.
        const __m512 c0 = _mm512_cvtepi32_ps(_mm512_maskz_loadu_epi32(m0, cs + g * out));
        const __m512 c1 = _mm512_cvtepi32_ps(_mm512_maskz_loadu_epi32(m1, cs + g * out + 16));
#pragma clang loop unroll(full)
        for (int r = 0; r < R; r++) {
            const __m512 xr = _mm512_set1_ps(xs[r * ranges + g]), zr = _mm512_set1_ps(xz[r * ranges + g]);
            y0[r] = _mm512_fmadd_ps(_mm512_fnmadd_ps(zr, c0, _mm512_cvtepi32_ps(acc0[r])), xr, y0[r]);
            y1[r] = _mm512_fmadd_ps(_mm512_fnmadd_ps(zr, c1, _mm512_cvtepi32_ps(acc1[r])), xr, y1[r]);
        }
    }
    const __m512 s0 = _mm512_maskz_loadu_ps(m0, ws), s1 = _mm512_maskz_loadu_ps(m1, ws + 16);
    const __m512 b0 = _mm512_maskz_loadu_ps(m0, bias), b1 = _mm512_maskz_loadu_ps(m1, bias + 16);
#pragma clang loop unroll(full)
    for (int r = 0; r < R; r++) {
        __m512 v0 = _mm512_fmadd_ps(y0[r], s0, b0), v1 = _mm512_fmadd_ps(y1[r], s1, b1);
        if (gelu) { v0 = steer_gelu16(v0); v1 = steer_gelu16(v1); }
        _mm512_mask_storeu_ps(c + r * ldc, m0, v0);
        _mm512_mask_storeu_ps(c + r * ldc + 16, m1, v1);
    }
}

#define QTILE_CASE(R) case R: qtile(R, qx, kp, ranges, xs, xz, w, ws, cs, out, bias, m0, m1, c, ldc, gelu); break;

VNNI static void qtile_rows(int rows, const uint8_t *qx, size_t kp, size_t ranges, const float *xs, const float *xz,
                            const int8_t *w, const float *ws, const int32_t *cs, size_t out, const float *bias,
                            __mmask16 m0, __mmask16 m1, float *c, size_t ldc, int gelu) {
    switch (rows) {
        QTILE_CASE(1) QTILE_CASE(2) QTILE_CASE(3) QTILE_CASE(4) QTILE_CASE(5) QTILE_CASE(6) QTILE_CASE(7)
        default: break;
    }
}

VNNI static void int8_linear_vnni(const uint8_t *qx, const float *xs, const float *xz, size_t rows, size_t in, const int8_t *q,
                                  const float *ws, const int32_t *cs, const float *bias, size_t out,
                                  size_t first_block, size_t end_block, float *y, int gelu) {
    const size_t kp = steer_int8_padded_inputs(in), ranges = steer_int8_ranges(in);
    const size_t tiles = (rows + MAX_TILE_ROWS - 1) / MAX_TILE_ROWS;
    for (size_t b = first_block; b < end_block; b++) {
        const size_t first = b * BLOCK;
        const size_t width = out - first < BLOCK ? out - first : BLOCK;
        const __mmask16 m0 = tail_mask(width), m1 = width > 16 ? tail_mask(width - 16) : 0;
        size_t done = 0;
        for (size_t t = 0; t < tiles; t++) {
            const size_t end = rows * (t + 1) / tiles;
            qtile_rows((int)(end - done), qx + done * kp, kp, ranges, xs + done * ranges, xz + done * ranges, q + first * kp,
                       ws + first, cs + first, out, bias + first, m0, m1, y + done * out + first, out, gelu);
            done = end;
        }
    }
}
#endif

void steer_int8_linear(const uint8_t *qx, const float *x_scales, const float *x_zero_points, size_t rows, size_t in_features,
                       const int8_t *weights, const float *weight_scales, const int32_t *column_sums,
                       const float *bias, size_t out_features, size_t first_block, size_t end_block,
                       float *out, int gelu) {
#if STEER_HAS_VNNI_PATH
    int8_linear_vnni(qx, x_scales, x_zero_points, rows, in_features, weights, weight_scales, column_sums, bias, out_features,
                     first_block, end_block, out, gelu != 0);
#else
    (void)qx; (void)x_scales; (void)x_zero_points; (void)rows; (void)in_features; (void)weights; (void)weight_scales;
    (void)column_sums; (void)bias; (void)out_features; (void)first_block; (void)end_block; (void)out; (void)gelu;
#endif
}
