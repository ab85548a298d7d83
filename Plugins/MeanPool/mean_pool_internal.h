/* Private declarations shared by the MeanPool plugin's files (not part of any ABI). */
#ifndef MEAN_POOL_INTERNAL_H
#define MEAN_POOL_INTERNAL_H

#include "steer_sequential_encoder.h"

/* Everything here is hidden: the plugin exports only its entry symbol. */
#pragma GCC visibility push(hidden)

/* Used when the config does not set max_len: SASRec's choice for ML-1M. */
#define MP_DEFAULT_MAX_LEN 200u
/* Large enough for any real history, small enough that B x max_len never overflows. */
#define MP_MAX_MAX_LEN 1048576u

/* Builds an error with a printf-style message; never returns NULL (falls back
 * to a static out-of-memory error that mp_error_free knows not to free). */
SteerSEError *mp_error(SteerSEErrorCode code, const char *format, ...)
    __attribute__((format(printf, 2, 3)));
int32_t mp_error_code(const SteerSEError *error);
const char *mp_error_message(const SteerSEError *error);
void mp_error_free(SteerSEError *error);

/* Parsed config_json. */
typedef struct MPConfig {
  uint32_t max_len;
} MPConfig;

/* Fills *out with defaults, then applies config_json (NULL or "" keeps defaults). */
SteerSEError *mp_parse_config(const char *config_json, MPConfig *out);

#pragma GCC visibility pop

#endif /* MEAN_POOL_INTERNAL_H */
