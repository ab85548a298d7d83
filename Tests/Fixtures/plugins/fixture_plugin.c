/* Test fixture plugins for the SequentialEncoder ABI: one well-behaved backbone and,
 * selected with -DFIXTURE_<MODE>, the ways a plugin can be broken. SteerPluginsTests
 * compiles each mode into libSteerBackbone<Mode>.so at test time:
 *   cc -shared -fPIC -fvisibility=hidden -I Sources/CSequentialEncoder/include -DFIXTURE_<MODE>
 *
 * The good backbone ("Fixture"): V = 5 items, d = 3, e_i = (i, i + 0.5, -i), and the
 * user vector is the embedding of the most recent item (zero for an empty history).
 * It ignores its weights; config_json "{\"fail\":true}" makes create fail.
 */
#include "steer_sequential_encoder.h"

#include <stdlib.h>
#include <string.h>

#define N_ITEMS 5u
#define DIM 3u

struct SteerSEError {
  int32_t code;
  const char *message; /* static */
};

struct SteerSEModel {
  float embeddings[N_ITEMS * DIM];
};

static SteerSEError *make_error(int32_t code, const char *message) {
  SteerSEError *error = malloc(sizeof *error);
  error->code = code;
  error->message = message;
  return error;
}

static int32_t fx_error_code(const SteerSEError *e) { return e->code; }
static const char *fx_error_message(const SteerSEError *e) { return e->message; }
static void fx_error_free(SteerSEError *e) { free(e); }

static SteerSEError *fx_create(const char *config_json, const void *weights, size_t n_bytes,
                               SteerSEModel **out_model) {
  (void)weights;
  (void)n_bytes;
  *out_model = NULL;
#ifdef FIXTURE_CREATE_FAILS
  (void)config_json;
  return make_error(STEER_SE_ERROR_INVALID_ARGUMENT, "fixture: weights are not a fixture model");
#else
  if (config_json != NULL && strstr(config_json, "fail") != NULL)
    return make_error(STEER_SE_ERROR_INVALID_ARGUMENT, "fixture: config asked to fail");
#endif
  SteerSEModel *model = malloc(sizeof *model);
  for (uint32_t i = 0; i < N_ITEMS; i++) {
    model->embeddings[i * DIM + 0] = (float)i;
    model->embeddings[i * DIM + 1] = (float)i + 0.5f;
    model->embeddings[i * DIM + 2] = -(float)i;
  }
  *out_model = model;
  return NULL;
}

static void fx_destroy(SteerSEModel *model) { free(model); }

static uint32_t fx_dim(const SteerSEModel *model) {
  (void)model;
#ifdef FIXTURE_ZERO_DIM
  return 0;
#else
  return DIM;
#endif
}
static uint32_t fx_max_len(const SteerSEModel *model) { (void)model; return 8; }
static uint32_t fx_n_items(const SteerSEModel *model) { (void)model; return N_ITEMS; }

static SteerSEError *fx_encode(const SteerSEModel *model, const uint32_t *item_ids,
                               const uint32_t *lengths, size_t batch, float *out) {
  size_t offset = 0;
  for (size_t b = 0; b < batch; b++) {
    for (uint32_t t = 0; t < lengths[b]; t++)
      if (item_ids[offset + t] >= N_ITEMS)
        return make_error(STEER_SE_ERROR_INVALID_ARGUMENT, "fixture: item id out of range");
    if (lengths[b] == 0) {
      memset(out + b * DIM, 0, DIM * sizeof(float));
    } else {
      uint32_t last = item_ids[offset + lengths[b] - 1];
      memcpy(out + b * DIM, model->embeddings + last * DIM, DIM * sizeof(float));
    }
    offset += lengths[b];
  }
  return NULL;
}

static SteerSEError *fx_item_embeddings(const SteerSEModel *model, const float **out,
                                        uint32_t *out_n, uint32_t *out_d) {
  *out = model->embeddings;
#ifdef FIXTURE_LYING_TABLE
  *out_n = N_ITEMS - 1; /* disagrees with n_items() */
#else
  *out_n = N_ITEMS;
#endif
  *out_d = DIM;
  return NULL;
}

#if defined(FIXTURE_TRAINABLE) || defined(FIXTURE_PARTIAL_TRAINING)
/* Stubs: the host only checks that the training group is complete. */
static SteerSEError *fx_set_training(SteerSEModel *m, int on) { (void)m; (void)on; return NULL; }
#endif
#ifdef FIXTURE_TRAINABLE
static SteerSEError *fx_forward_train(SteerSEModel *m, const uint32_t *ids, const uint32_t *lengths,
                                      size_t batch, size_t time, float *out) {
  (void)m; (void)ids; (void)lengths;
  memset(out, 0, batch * time * DIM * sizeof(float));
  return NULL;
}
static SteerSEError *fx_backward(SteerSEModel *m, const float *d) { (void)m; (void)d; return NULL; }
static SteerSEError *fx_parameters(SteerSEModel *m, const SteerSEParameter **p, size_t *n) {
  (void)m; *p = NULL; *n = 0; return NULL;
}
static SteerSEError *fx_zero_grad(SteerSEModel *m) { (void)m; return NULL; }
static SteerSEError *fx_item_embedding_grad(SteerSEModel *m, float **g) { (void)m; *g = NULL; return NULL; }
static SteerSEError *fx_save(const SteerSEModel *m, void **bytes, size_t *n) {
  (void)m; *bytes = NULL; *n = 0; return NULL;
}
static void fx_free_bytes(void *bytes) { free(bytes); }
#endif

static const SteerSequentialEncoder fx_table = {
#if defined(FIXTURE_WRONG_MAJOR)
    .abi_version_major = STEER_SE_ABI_VERSION_MAJOR + 1,
#else
    .abi_version_major = STEER_SE_ABI_VERSION_MAJOR,
#endif
#if defined(FIXTURE_NEWER_MINOR)
    .abi_version_minor = STEER_SE_ABI_VERSION_MINOR + 1,
#else
    .abi_version_minor = STEER_SE_ABI_VERSION_MINOR,
#endif
#if defined(FIXTURE_SMALL_TABLE)
    .struct_size = 16, /* as if built against a truncated header */
#else
    .struct_size = sizeof(SteerSequentialEncoder),
#endif
    .name = "Fixture",
    .plugin_version = "0.1.0-test",
    .error_code = fx_error_code,
    .error_message = fx_error_message,
    .error_free = fx_error_free,
    .create = fx_create,
    .destroy = fx_destroy,
    .dim = fx_dim,
    .max_len = fx_max_len,
    .n_items = fx_n_items,
#if !defined(FIXTURE_NULL_ENCODE)
    .encode = fx_encode,
#endif
    .item_embeddings = fx_item_embeddings,
#if defined(FIXTURE_TRAINABLE) || defined(FIXTURE_PARTIAL_TRAINING)
    .set_training = fx_set_training,
#endif
#ifdef FIXTURE_TRAINABLE
    .forward_train = fx_forward_train,
    .backward = fx_backward,
    .parameters = fx_parameters,
    .zero_grad = fx_zero_grad,
    .item_embedding_grad = fx_item_embedding_grad,
    .save = fx_save,
    .free_bytes = fx_free_bytes,
#endif
};

#if defined(FIXTURE_NO_ENTRY)
/* Exported, but under the wrong name. */
STEER_SE_EXPORT const SteerSequentialEncoder *steer_sequential_encoder_entry_v0(void) {
  return &fx_table;
}
#elif defined(FIXTURE_NULL_TABLE)
STEER_SE_EXPORT const SteerSequentialEncoder *steer_sequential_encoder_entry(void) {
  return NULL;
}
#else
STEER_SE_EXPORT const SteerSequentialEncoder *steer_sequential_encoder_entry(void) {
  return &fx_table;
}
#endif
