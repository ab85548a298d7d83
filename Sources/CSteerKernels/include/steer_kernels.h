// Hand-written kernels for shapes OpenBLAS serves poorly: linear layers over a few token rows
// (one prompt is ~14 rows), where a general sgemm spends more on set-up than on arithmetic.
#ifndef STEER_KERNELS_H
#define STEER_KERNELS_H

#include <stddef.h>

/// Which implementation `steer_block_linear` runs on this CPU: 1 for AVX-512F, 0 when the CPU
/// lacks it (the caller then keeps its OpenBLAS path).
int steer_block_linear_available(void);

/// out[rows, out_features] (columns of blocks [first_block, end_block) only) =
///     inp[rows, in_features] · W + bias,
/// with W stored in column blocks of 32: block b is [in_features, width_b] row-major at
/// offset b·32·in_features, width_b = min(32, out_features − 32·b). Rows of `inp` and `out`
/// are contiguous (leading dimensions in_features and out_features).
/// Each output is bias + Σ_p inp[r, p]·W[p, j] accumulated in ascending p with fused
/// multiply-adds: the same order on every CPU that runs it. With `gelu` nonzero each output
/// then goes through BERT's erf GELU, 0.5·x·(1 + erf(x/√2)), while still in registers.
/// - Precondition: steer_block_linear_available() returns 1.
void steer_block_linear(const float *inp, size_t rows, size_t in_features,
                        const float *blocks, const float *bias, size_t out_features,
                        size_t first_block, size_t end_block, float *out, int gelu);

/// x[rows, channels] = LayerNorm(x + residual) · gamma + beta, row by row (residual NULL: no
/// residual); the variance is the biased one, as PyTorch's LayerNorm.
/// - Precondition: steer_block_linear_available() returns 1.
void steer_residual_layer_norm(float *x, const float *residual, size_t rows, size_t channels,
                               const float *gamma, const float *beta, float eps);

/// One attention head over one sequence of `length` rows, softmax(scale · Q Kᵀ) V, row by row:
/// ctx_i = Σ_j softmax_j(scale · q_i·k_j) · v_j. q, k and v rows are `head_dim` floats `ld`
/// apart, ctx rows `ldc` apart; `scratch` holds steer_attention_scratch_floats(length, head_dim)
/// floats.
/// - Precondition: steer_block_linear_available() returns 1.
void steer_attention_head(const float *q, const float *k, const float *v, size_t ld, size_t length,
                          size_t head_dim, float scale, float *scratch, float *ctx, size_t ldc);

/// The scratch `steer_attention_head` needs.
size_t steer_attention_scratch_floats(size_t length, size_t head_dim);

#endif
