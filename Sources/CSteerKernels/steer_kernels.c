#include "steer_kernels.h"
#include "vector_math.h"

#include <math.h>

enum { BLOCK = 32, MAX_TILE_ROWS = 14 };

int steer_block_linear_available(void) {
#if STEER_HAS_AVX512_PATH
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") ? 1 : 0;
#else
    return 0;
#endif
}

#if STEER_HAS_AVX512_PATH

// One tile: R rows (a compile-time constant at every call site, so the accumulators live in
// registers: 2·R of the 32 zmm) times one block of up to 32 columns. The block's weights stream
// through once per tile; each weight row is two vector loads and feeds 2·R multiply-adds.
AVX512 __attribute__((always_inline)) static inline void tile(
    const int R, const float *a, size_t lda, size_t k, const float *w, size_t ldw,
    __mmask16 m0, __mmask16 m1, const float *bias, float *c, size_t ldc, int gelu) {
    __m512 acc0[MAX_TILE_ROWS], acc1[MAX_TILE_ROWS];
    const __m512 b0 = _mm512_maskz_loadu_ps(m0, bias), b1 = _mm512_maskz_loadu_ps(m1, bias + 16);
#pragma clang loop unroll(full)
    for (int r = 0; r < R; r++) { acc0[r] = b0; acc1[r] = b1; }
    for (size_t p = 0; p < k; p++) {
        const __m512 w0 = _mm512_maskz_loadu_ps(m0, w + p * ldw);
        const __m512 w1 = _mm512_maskz_loadu_ps(m1, w + p * ldw + 16);
#pragma clang loop unroll(full)
        for (int r = 0; r < R; r++) {
            const __m512 x = _mm512_set1_ps(a[r * lda + p]);
            acc0[r] = _mm512_fmadd_ps(x, w0, acc0[r]);
            acc1[r] = _mm512_fmadd_ps(x, w1, acc1[r]);
        }
    }
    if (gelu) {
#pragma clang loop unroll(full)
        for (int r = 0; r < R; r++) { acc0[r] = steer_gelu16(acc0[r]); acc1[r] = steer_gelu16(acc1[r]); }
    }
#pragma clang loop unroll(full)
    for (int r = 0; r < R; r++) {
        _mm512_mask_storeu_ps(c + r * ldc, m0, acc0[r]);
        _mm512_mask_storeu_ps(c + r * ldc + 16, m1, acc1[r]);
    }
}

#define TILE_CASE(R) case R: tile(R, a, lda, k, w, ldw, m0, m1, bias, c, ldc, gelu); break;

AVX512 static void tile_rows(int rows, const float *a, size_t lda, size_t k, const float *w, size_t ldw,
                             __mmask16 m0, __mmask16 m1, const float *bias, float *c, size_t ldc, int gelu) {
    switch (rows) {
        TILE_CASE(1) TILE_CASE(2) TILE_CASE(3) TILE_CASE(4) TILE_CASE(5) TILE_CASE(6)
        TILE_CASE(7) TILE_CASE(8) TILE_CASE(9) TILE_CASE(10) TILE_CASE(11) TILE_CASE(12) TILE_CASE(13) TILE_CASE(14)
        default: break;
    }
}

AVX512 static void block_linear_avx512(const float *inp, size_t rows, size_t k, const float *blocks,
                                       const float *bias, size_t out_features, size_t first_block,
                                       size_t end_block, float *out, int gelu) {
    // Rows are cut into tiles of equal size (15 rows: 8 + 7, not 14 + 1): a thin tile would
    // stream the whole block for a few multiply-adds.
    const size_t tiles = (rows + MAX_TILE_ROWS - 1) / MAX_TILE_ROWS;
    for (size_t b = first_block; b < end_block; b++) {
        const size_t first = b * BLOCK;
        const size_t width = out_features - first < BLOCK ? out_features - first : BLOCK;
        const __mmask16 m0 = tail_mask(width), m1 = width > 16 ? tail_mask(width - 16) : 0;
        const float *w = blocks + first * k;
        size_t done = 0;
        for (size_t t = 0; t < tiles; t++) {
            const size_t end = rows * (t + 1) / tiles;
            tile_rows((int)(end - done), inp + done * k, k, k, w, width, m0, m1, bias + first,
                      out + done * out_features + first, out_features, gelu);
            done = end;
        }
    }
}

AVX512 static void residual_layer_norm_avx512(float *x, const float *residual, size_t rows, size_t c,
                                              const float *gamma, const float *beta, float eps) {
    for (size_t r = 0; r < rows; r++) {
        float *row = x + r * c;
        const float *res = residual ? residual + r * c : NULL;
        __m512 sum = _mm512_setzero_ps();
        for (size_t i = 0; i < c; i += 16) {
            const __mmask16 m = tail_mask(c - i);
            __m512 v = _mm512_maskz_loadu_ps(m, row + i);
            if (res) {
                v = _mm512_add_ps(v, _mm512_maskz_loadu_ps(m, res + i));
                _mm512_mask_storeu_ps(row + i, m, v);
            }
            sum = _mm512_add_ps(sum, v);
        }
        const float mean = _mm512_reduce_add_ps(sum) / (float)c;
        const __m512 meanv = _mm512_set1_ps(mean);
        __m512 squares = _mm512_setzero_ps();
        for (size_t i = 0; i < c; i += 16) {
            const __mmask16 m = tail_mask(c - i);
            const __m512 d = _mm512_maskz_sub_ps(m, _mm512_maskz_loadu_ps(m, row + i), meanv);
            squares = _mm512_fmadd_ps(d, d, squares);
        }
        const float rstd = 1.0f / sqrtf(_mm512_reduce_add_ps(squares) / (float)c + eps);
        const __m512 rstdv = _mm512_set1_ps(rstd);
        for (size_t i = 0; i < c; i += 16) {
            const __mmask16 m = tail_mask(c - i);
            const __m512 d = _mm512_mul_ps(_mm512_sub_ps(_mm512_maskz_loadu_ps(m, row + i), meanv), rstdv);
            const __m512 y = _mm512_fmadd_ps(d, _mm512_maskz_loadu_ps(m, gamma + i), _mm512_maskz_loadu_ps(m, beta + i));
            _mm512_mask_storeu_ps(row + i, m, y);
        }
    }
}

AVX512 static void attention_head_avx512(const float *q, const float *k, const float *v, size_t ld, size_t t,
                                         size_t d, float scale, float *scratch, float *ctx, size_t ldc) {
    // Kᵀ first (d rows of t, zero-padded to whole vectors), so that 16 scores of a row take d
    // broadcast multiply-adds instead of 16 horizontal sums.
    const size_t tp = (t + 15) / 16 * 16;
    float *row = scratch, *kt = scratch + tp;
    for (size_t e = 0; e < d; e++) {
        for (size_t j = 0; j < t; j++) kt[e * tp + j] = k[j * ld + e];
        for (size_t j = t; j < tp; j++) kt[e * tp + j] = 0.0f;
    }
    const __m512 scalev = _mm512_set1_ps(scale);
    for (size_t i = 0; i < t; i++) {
        const float *qi = q + i * ld;
        // row = scale · q_i Kᵀ, then its softmax (the max over the real lanes only)
        __m512 maxv = _mm512_set1_ps(-INFINITY);
        for (size_t j = 0; j < tp; j += 16) {
            __m512 acc = _mm512_setzero_ps();
            for (size_t e = 0; e < d; e++) acc = _mm512_fmadd_ps(_mm512_set1_ps(qi[e]), _mm512_loadu_ps(kt + e * tp + j), acc);
            acc = _mm512_mul_ps(acc, scalev);
            _mm512_storeu_ps(row + j, acc);
            maxv = _mm512_mask_max_ps(maxv, tail_mask(t - j), acc, maxv);
        }
        const __m512 shift = _mm512_set1_ps(_mm512_reduce_max_ps(maxv));
        __m512 sumv = _mm512_setzero_ps();
        for (size_t j = 0; j < tp; j += 16) {
            const __m512 e = _mm512_maskz_mov_ps(tail_mask(t - j), steer_exp16(_mm512_sub_ps(_mm512_loadu_ps(row + j), shift)));
            _mm512_storeu_ps(row + j, e);
            sumv = _mm512_add_ps(sumv, e);
        }
        const __m512 inv = _mm512_set1_ps(1.0f / _mm512_reduce_add_ps(sumv));
        // ctx_i = Σ_j p_ij · v_j
        for (size_t e = 0; e < d; e += 16) {
            const __mmask16 m = tail_mask(d - e);
            __m512 acc = _mm512_setzero_ps();
            for (size_t j = 0; j < t; j++) acc = _mm512_fmadd_ps(_mm512_set1_ps(row[j]), _mm512_maskz_loadu_ps(m, v + j * ld + e), acc);
            _mm512_mask_storeu_ps(ctx + i * ldc + e, m, _mm512_mul_ps(acc, inv));
        }
    }
}
#endif

size_t steer_attention_scratch_floats(size_t length, size_t head_dim) {
    return (length + 15) / 16 * 16 * (head_dim + 1);
}

void steer_attention_head(const float *q, const float *k, const float *v, size_t ld, size_t length,
                          size_t head_dim, float scale, float *scratch, float *ctx, size_t ldc) {
#if STEER_HAS_AVX512_PATH
    attention_head_avx512(q, k, v, ld, length, head_dim, scale, scratch, ctx, ldc);
#else
    (void)q; (void)k; (void)v; (void)ld; (void)length; (void)head_dim; (void)scale;
    (void)scratch; (void)ctx; (void)ldc;
#endif
}

void steer_residual_layer_norm(float *x, const float *residual, size_t rows, size_t channels,
                               const float *gamma, const float *beta, float eps) {
#if STEER_HAS_AVX512_PATH
    residual_layer_norm_avx512(x, residual, rows, channels, gamma, beta, eps);
#else
    (void)x; (void)residual; (void)rows; (void)channels; (void)gamma; (void)beta; (void)eps;
#endif
}

void steer_block_linear(const float *inp, size_t rows, size_t in_features, const float *blocks,
                        const float *bias, size_t out_features, size_t first_block, size_t end_block,
                        float *out, int gelu) {
#if STEER_HAS_AVX512_PATH
    block_linear_avx512(inp, rows, in_features, blocks, bias, out_features, first_block, end_block, out, gelu != 0);
#else
    (void)inp; (void)rows; (void)in_features; (void)blocks; (void)bias; (void)out_features;
    (void)first_block; (void)end_block; (void)out; (void)gelu;
#endif
}
