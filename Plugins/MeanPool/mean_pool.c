/* MeanPool: the simplest SequentialEncoder backbone, a C plugin.
 *
 * The user vector is the mean of the embeddings of the last max_len items of the
 * history: h_u = (1/n) sum_{i in last n items} e_i, n = min(len, max_len).
 * It has no trainable parts of its own (the training entry points are NULL), so
 * it is served frozen; it is the baseline and the ABI's reference plugin.
 *
 * Weights blob and config: see include/mean_pool.h.
 *
 * Cold start: an empty history encodes to the zero vector (no evidence, no
 * direction; with a prompt the fusion towers still steer it).
 */
#include "mean_pool.h"
#include "mean_pool_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MP_WEIGHTS_MAGIC MEAN_POOL_WEIGHTS_MAGIC
#define MP_WEIGHTS_HEADER MEAN_POOL_WEIGHTS_HEADER

struct SteerSEModel {
  uint32_t n_items;  /* V */
  uint32_t dim;      /* d */
  uint32_t max_len;
  float *embeddings; /* V x d, owned */
};

static uint32_t read_u32_le(const unsigned char *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static SteerSEError *mp_create(const char *config_json, const void *weights, size_t n_bytes,
                               SteerSEModel **out_model) {
  if (out_model == NULL)
    return mp_error(STEER_SE_ERROR_INVALID_ARGUMENT, "MeanPool: out_model is NULL");
  *out_model = NULL;
  MPConfig config;
  SteerSEError *error = mp_parse_config(config_json, &config);
  if (error != NULL) return error;

  const unsigned char *bytes = weights;
  if (bytes == NULL || n_bytes < MP_WEIGHTS_HEADER)
    return mp_error(STEER_SE_ERROR_INVALID_ARGUMENT,
                    "MeanPool weights: %zu bytes, shorter than the 12-byte header", n_bytes);
  uint32_t magic = read_u32_le(bytes);
  if (magic != MP_WEIGHTS_MAGIC)
    return mp_error(STEER_SE_ERROR_INVALID_ARGUMENT,
                    "MeanPool weights: bad magic 0x%08x (expected 0x%08x, \"SMP1\")", magic,
                    MP_WEIGHTS_MAGIC);
  uint32_t n_items = read_u32_le(bytes + 4), dim = read_u32_le(bytes + 8);
  if (n_items == 0 || dim == 0)
    return mp_error(STEER_SE_ERROR_INVALID_ARGUMENT,
                    "MeanPool weights: n_items (%u) and dim (%u) must be positive", n_items, dim);
  /* 64-bit arithmetic: V, d < 2^32 so V d 4 < 2^66 could overflow; check by division. */
  uint64_t count = (uint64_t)n_items * dim;
  if (count > (SIZE_MAX - MP_WEIGHTS_HEADER) / 4 || n_bytes != MP_WEIGHTS_HEADER + count * 4)
    return mp_error(STEER_SE_ERROR_INVALID_ARGUMENT,
                    "MeanPool weights: %zu bytes, expected 12 + 4 x %u x %u", n_bytes, n_items,
                    dim);

  SteerSEModel *model = calloc(1, sizeof *model);
  float *embeddings = malloc((size_t)count * sizeof(float));
  if (model == NULL || embeddings == NULL) {
    free(model);
    free(embeddings);
    return mp_error(STEER_SE_ERROR_OUT_OF_MEMORY, "MeanPool: cannot allocate %u x %u floats",
                    n_items, dim);
  }
  for (size_t k = 0; k < count; k++) {
    uint32_t word = read_u32_le(bytes + MP_WEIGHTS_HEADER + 4 * k);
    memcpy(&embeddings[k], &word, sizeof word);
    if (!isfinite(embeddings[k])) {
      free(model);
      free(embeddings);
      return mp_error(STEER_SE_ERROR_INVALID_ARGUMENT,
                      "MeanPool weights: embedding of item %zu, component %zu is not finite",
                      k / dim, k % dim);
    }
  }
  model->n_items = n_items;
  model->dim = dim;
  model->max_len = config.max_len;
  model->embeddings = embeddings;
  *out_model = model;
  return NULL;
}

static void mp_destroy(SteerSEModel *model) {
  if (model == NULL) return;
  free(model->embeddings);
  free(model);
}

static uint32_t mp_dim(const SteerSEModel *model) { return model->dim; }
static uint32_t mp_max_len(const SteerSEModel *model) { return model->max_len; }
static uint32_t mp_n_items(const SteerSEModel *model) { return model->n_items; }

/* out[b, :] = mean_{k in last min(len_b, max_len) items of history b} E[ids[k], :]
 * Reads the model only, writes only out_vectors: safe to run concurrently. */
static SteerSEError *mp_encode(const SteerSEModel *model, const uint32_t *item_ids,
                               const uint32_t *lengths, size_t batch, float *out_vectors) {
  if (model == NULL || (batch > 0 && (lengths == NULL || out_vectors == NULL)))
    return mp_error(STEER_SE_ERROR_INVALID_ARGUMENT, "MeanPool encode: NULL argument");
  const uint32_t d = model->dim;
  size_t offset = 0;
  for (size_t b = 0; b < batch; b++) {
    const uint32_t length = lengths[b];
    if (length > 0 && item_ids == NULL)
      return mp_error(STEER_SE_ERROR_INVALID_ARGUMENT, "MeanPool encode: item_ids is NULL");
    /* Every id is checked, even the ones beyond max_len: bad input is an error. */
    for (uint32_t t = 0; t < length; t++) {
      uint32_t id = item_ids[offset + t];
      if (id >= model->n_items)
        return mp_error(STEER_SE_ERROR_INVALID_ARGUMENT,
                        "MeanPool encode: item id %u at history %zu position %u is out of "
                        "range (n_items = %u)",
                        id, b, t, model->n_items);
    }
    float *out = out_vectors + b * d;
    memset(out, 0, d * sizeof(float));
    const uint32_t used = length < model->max_len ? length : model->max_len;
    const uint32_t *recent = item_ids + offset + (length - used);
    for (uint32_t t = 0; t < used; t++) {
      const float *e = model->embeddings + (size_t)recent[t] * d;
      for (uint32_t c = 0; c < d; c++) out[c] += e[c];
    }
    if (used > 0) {
      const float scale = 1.0f / (float)used;
      for (uint32_t c = 0; c < d; c++) out[c] *= scale;
    }
    offset += length;
  }
  return NULL;
}

static SteerSEError *mp_item_embeddings(const SteerSEModel *model, const float **out_embeddings,
                                        uint32_t *out_n, uint32_t *out_d) {
  if (model == NULL || out_embeddings == NULL || out_n == NULL || out_d == NULL)
    return mp_error(STEER_SE_ERROR_INVALID_ARGUMENT, "MeanPool item_embeddings: NULL argument");
  *out_embeddings = model->embeddings;
  *out_n = model->n_items;
  *out_d = model->dim;
  return NULL;
}

static const SteerSequentialEncoder mp_table = {
    .abi_version_major = STEER_SE_ABI_VERSION_MAJOR,
    .abi_version_minor = STEER_SE_ABI_VERSION_MINOR,
    .struct_size = sizeof(SteerSequentialEncoder),
    .name = "MeanPool",
    .plugin_version = "1.0.0",
    .error_code = mp_error_code,
    .error_message = mp_error_message,
    .error_free = mp_error_free,
    .create = mp_create,
    .destroy = mp_destroy,
    .dim = mp_dim,
    .max_len = mp_max_len,
    .n_items = mp_n_items,
    .encode = mp_encode,
    .item_embeddings = mp_item_embeddings,
    /* No training entry points: MeanPool has no parameters besides the item
     * table, which it serves frozen. */
};

STEER_SE_EXPORT const SteerSequentialEncoder *steer_sequential_encoder_entry(void) {
  return &mp_table;
}
