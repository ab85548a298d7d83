// Hand-written kernels for shapes OpenBLAS serves poorly: linear layers over a few token rows
// (one prompt is ~14 rows), where a general sgemm spends more on set-up than on arithmetic.
#ifndef STEER_KERNELS_H
#define STEER_KERNELS_H

#include <stddef.h>
#include <stdint.h>

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

// MARK: int8 linear layers (AVX-512 VNNI)

/// 1 when the CPU has AVX-512F, BW, VL and VNNI (the int8 path), else 0.
int steer_int8_available(void);

/// in_features rounded up to a multiple of 4 (VNNI sums four byte products per lane).
size_t steer_int8_padded_inputs(size_t in_features);

/// Input ranges of 128 (the last may be shorter) over the padded inputs: each row of activations
/// has one scale and zero point per range.
size_t steer_int8_ranges(size_t in_features);

/// Bytes of a layer's quantized weights: 32-column blocks × padded inputs.
size_t steer_int8_weight_bytes(size_t in_features, size_t out_features);

/// Quantizes the fp32 column blocks of `steer_block_linear`'s layout, each input row k first
/// multiplied by input_scales[k] (the activations are divided by the same, so the product is
/// unchanged), to int8 per output column j: scales[j] = max_k |W'[k, j]| / 127,
/// q = round(W' / scales[j]); column_sums[g·out_features + j] = Σ_{k in range g} q[k, j]. The
/// bytes are laid out as block b at offset b·32·padded, within it [padded / 4][32][4].
void steer_int8_quantize_weights(const float *blocks, size_t in_features, size_t out_features,
                                 const float *input_scales, int8_t *q, float *scales, int32_t *column_sums);

/// Quantizes each row of x'[rows, in_features] = x · inverse_input_scales (per input channel) to
/// unsigned bytes, each range g of 128 inputs over its own [lo, hi] ∋ 0: scales[r·ranges + g] =
/// (hi − lo) / 255, zero_points[r·ranges + g] = round(−lo / scale), q = round(x' / scale) + zero
/// point; rows of q are padded (with the last range's zero point) to steer_int8_padded_inputs.
/// - Precondition: steer_int8_available() returns 1.
void steer_int8_quantize_rows(const float *x, size_t rows, size_t in_features, const float *inverse_input_scales,
                              uint8_t *q, float *scales, float *zero_points);

/// out[r, j] = weight_scales[j] · Σ_g x_scales[r, g] · (Σ_{k in g} qx[r, k]·q[k, j] − x_zero_points[r, g]·column_sums[g, j]) + bias[j]
/// for the columns of blocks [first_block, end_block), the sums exact in int32; with `gelu`
/// nonzero, then BERT's erf GELU. Layout of `out` as in steer_block_linear.
/// - Precondition: steer_int8_available() returns 1.
void steer_int8_linear(const uint8_t *qx, const float *x_scales, const float *x_zero_points, size_t rows, size_t in_features,
                       const int8_t *weights, const float *weight_scales, const int32_t *column_sums,
                       const float *bias, size_t out_features, size_t first_block, size_t end_block,
                       float *out, int gelu);

#endif
