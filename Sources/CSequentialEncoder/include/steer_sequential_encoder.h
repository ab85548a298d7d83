/* The SequentialEncoder C ABI: the contract between steerd and a backbone plugin.
 *
 * A backbone plugin is a shared library exporting exactly one symbol,
 * STEER_SE_ENTRY_SYMBOL, a function returning a pointer to a static, versioned
 * table of function pointers (SteerSequentialEncoder). Everything else the
 * plugin needs stays hidden behind opaque handles.
 *
 * Versioning (checked by the host at load, before any other call):
 *   - A plugin is compatible iff plugin major == host major and
 *     plugin minor <= host minor (see steer_se_abi_compatible).
 *   - A minor bump only appends fields to the table; a host reads the fields of
 *     the plugin's minor and treats later ones as absent (NULL).
 *   - struct_size must be at least steer_se_table_size(plugin minor).
 *   - Anything else (reordering, changing a signature or a meaning) is a major bump.
 *
 * Errors: every fallible call returns a SteerSEError*, NULL on success. A non-NULL
 * error is owned by the caller, who reads it with error_code/error_message and
 * releases it with the same table's error_free. Errors are values, not per-handle
 * state, so concurrent calls never clobber each other's messages. The three shape
 * queries (dim, max_len, n_items) cannot fail: they return values fixed at create,
 * and the host refuses a model reporting 0.
 *
 * Item ids and histories:
 *   - Item ids are 0..<n_items; there is no padding id. An id >= n_items is an
 *     error (STEER_SE_ERROR_INVALID_ARGUMENT), never clamped or ignored.
 *   - encode takes B histories packed back to back (no padding), oldest first,
 *     with their lengths. A history longer than max_len keeps its most recent
 *     max_len items. An empty history is valid: the plugin returns its cold-start
 *     vector and documents what that is.
 *   - Training batches (forward_train) are B x T, T <= max_len, each row
 *     left-aligned: row b holds lengths[b] valid ids at positions 0..<lengths[b];
 *     later positions are padding whose ids are ignored.
 *
 * Shapes use one legend: B batch, T time (positions), d hidden/embedding size,
 * V n_items. Matrices are row-major float32.
 *
 * Threading: stated per function. "Per model" means calls on distinct models never
 * interfere; plugins keep no unsynchronised global mutable state.
 */
#ifndef STEER_SEQUENTIAL_ENCODER_H
#define STEER_SEQUENTIAL_ENCODER_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define STEER_SE_ABI_VERSION_MAJOR 1
#define STEER_SE_ABI_VERSION_MINOR 0

/* The one symbol a plugin exports (type SteerSEEntryFn). */
#define STEER_SE_ENTRY_SYMBOL "steer_sequential_encoder_entry"

/* Put on the entry function only; build plugins with -fvisibility=hidden (or
 * mark everything else static) so nothing else leaks into the dynamic table. */
#define STEER_SE_EXPORT __attribute__((visibility("default")))

/* Opaque handles. */
typedef struct SteerSEModel SteerSEModel; /* one loaded model (weights + config) */
typedef struct SteerSEError SteerSEError; /* one error: a code and a message */

/* Error codes; new codes may be added in any minor, hosts map unknown ones to UNKNOWN. */
typedef enum SteerSEErrorCode {
  STEER_SE_ERROR_UNKNOWN = 1,
  STEER_SE_ERROR_INVALID_ARGUMENT = 2, /* bad config, bad weights, id out of range, bad shape */
  STEER_SE_ERROR_OUT_OF_MEMORY = 3,
  STEER_SE_ERROR_UNSUPPORTED = 4,      /* valid request this plugin cannot serve */
  STEER_SE_ERROR_INTERNAL = 5          /* a bug in the plugin */
} SteerSEErrorCode;

/* One trainable tensor, flattened. value and grad are borrowed from the model
 * (valid until destroy); the host's optimizer writes value and reads grad. */
typedef struct SteerSEParameter {
  const char *name; /* borrowed, NUL-terminated, stable, unique within the model */
  float *value;     /* count floats */
  float *grad;      /* count floats, accumulated by backward, cleared by zero_grad */
  size_t count;
} SteerSEParameter;

/* The function table. Append-only: new fields go at the end under a version comment. */
typedef struct SteerSequentialEncoder {
  /* ---- ABI 1.0 ------------------------------------------------------------ */

  /* STEER_SE_ABI_VERSION_MAJOR / _MINOR as compiled into the plugin. */
  uint32_t abi_version_major;
  uint32_t abi_version_minor;
  /* sizeof(SteerSequentialEncoder) as compiled into the plugin. */
  size_t struct_size;
  /* Static NUL-terminated strings, valid while the library is loaded (forever:
   * the host never unloads). name is the backbone's short name ("MeanPool"). */
  const char *name;
  const char *plugin_version;

  /* Error accessors. Thread-safe; error must come from this table's plugin.
   * error_message's string is borrowed from the error and lives until error_free.
   * error_free(NULL) is a no-op. */
  int32_t (*error_code)(const SteerSEError *error);
  const char *(*error_message)(const SteerSEError *error);
  void (*error_free)(SteerSEError *error);

  /* Builds a model. config_json: NUL-terminated UTF-8 JSON object, or NULL or ""
   * for defaults; unknown or invalid keys are errors naming the key. weights:
   * n_bytes of plugin-defined data (save's output is always accepted), borrowed
   * for the duration of the call only. On success *out_model is a new model
   * owned by the caller, released with destroy; on error *out_model is NULL.
   * Thread-safe: may run concurrently with any call. */
  SteerSEError *(*create)(const char *config_json, const void *weights, size_t n_bytes,
                          SteerSEModel **out_model);
  /* Releases the model and every pointer borrowed from it. NULL is a no-op.
   * Must not run concurrently with any other call on the same model. */
  void (*destroy)(SteerSEModel *model);

  /* Shape queries; infallible, constant after create, thread-safe. */
  uint32_t (*dim)(const SteerSEModel *model);     /* d */
  uint32_t (*max_len)(const SteerSEModel *model); /* longest history encode looks at */
  uint32_t (*n_items)(const SteerSEModel *model); /* V: ids are 0..<V */

  /* User vectors for B histories.
   * item_ids: sum(lengths) ids, the B histories back to back, oldest first.
   * lengths: B counts. out_vectors: B x d floats written by the plugin.
   * All three are borrowed for the call. On error out_vectors' content is undefined.
   * Thread-safe: concurrent encode calls on the same model are allowed when
   * their out_vectors do not overlap; not concurrently with training calls or destroy. */
  SteerSEError *(*encode)(const SteerSEModel *model, const uint32_t *item_ids,
                          const uint32_t *lengths, size_t batch, float *out_vectors);

  /* The item embedding table e_i used for scoring: *out_embeddings points at
   * V x d floats (*out_n = V, *out_d = d), borrowed, valid until destroy. In
   * training it changes in place when the host's optimizer updates parameters.
   * Thread-safe like encode. */
  SteerSEError *(*item_embeddings)(const SteerSEModel *model, const float **out_embeddings,
                                   uint32_t *out_n, uint32_t *out_d);

  /* Training entry points, all optional: a plugin sets all of them or none
   * (NULL = served frozen). None of them may run concurrently with any other
   * call on the same model; the host serialises training. The host owns the
   * loss, the item softmax and the optimizer; the plugin owns its parameters. */

  /* training != 0 enables dropout and other train-only behaviour. */
  SteerSEError *(*set_training)(SteerSEModel *model, int training);
  /* Hidden states at every position: item_ids B x T (left-aligned rows, see the
   * top of this file), lengths B, out_hidden B x T x d; out_hidden row (b, t)
   * depends on item_ids[b, 0..t] and lengths[b] only (never on later items; a plugin
   * may count positions from the end of the row, as SASRec's left padding does, so
   * that the most recent item always has the same position in training and serving);
   * padded positions are written as 0.
   * Keeps the activations backward needs until the next forward_train. */
  SteerSEError *(*forward_train)(SteerSEModel *model, const uint32_t *item_ids,
                                 const uint32_t *lengths, size_t batch, size_t time,
                                 float *out_hidden);
  /* d_hidden: B x T x d, dLoss/dHidden for the last forward_train (padded
   * positions ignored). Accumulates (+=) into every parameter's grad, including
   * the item embedding gradient. Borrowed for the call. */
  SteerSEError *(*backward)(SteerSEModel *model, const float *d_hidden);
  /* *out_params: *out_count entries, borrowed, valid until destroy. The list
   * includes the item embedding table (value == item_embeddings' pointer). */
  SteerSEError *(*parameters)(SteerSEModel *model, const SteerSEParameter **out_params,
                              size_t *out_count);
  /* Sets every grad to 0. */
  SteerSEError *(*zero_grad)(SteerSEModel *model);
  /* The gradient of the item embedding table, V x d floats, borrowed, valid until
   * destroy: the host adds the item side of the softmax gradient here. */
  SteerSEError *(*item_embedding_grad)(SteerSEModel *model, float **out_grad);
  /* Serialises weights (and the config needed to rebuild) into a buffer owned by
   * the plugin: *out_bytes is released with free_bytes. create accepts it as weights. */
  SteerSEError *(*save)(const SteerSEModel *model, void **out_bytes, size_t *out_n_bytes);
  /* Releases save's buffer; NULL is a no-op. Thread-safe. */
  void (*free_bytes)(void *bytes);

  /* ---- ABI 1.1 and later: append here ------------------------------------- */
} SteerSequentialEncoder;

/* The entry symbol's type: returns the plugin's static table (never freed), or
 * NULL if the plugin cannot run here. Thread-safe; may be called more than once. */
typedef const SteerSequentialEncoder *(*SteerSEEntryFn)(void);

/* 1 iff a plugin speaking plugin_major.plugin_minor can be loaded by a host
 * speaking host_major.host_minor (majors equal, host minor >= plugin minor). */
int steer_se_abi_compatible(uint32_t host_major, uint32_t host_minor, uint32_t plugin_major,
                            uint32_t plugin_minor);

/* The least struct_size a table of the current major at `minor` must report:
 * the end of that minor's last field. 0 for a minor newer than this header. */
size_t steer_se_table_size(uint32_t minor);

#ifdef __cplusplus
}
#endif

#endif /* STEER_SEQUENTIAL_ENCODER_H */
