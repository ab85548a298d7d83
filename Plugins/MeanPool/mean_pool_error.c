/* The MeanPool plugin's SteerSEError: a code and a heap-allocated message. */
#include "mean_pool_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

struct SteerSEError {
  int32_t code;
  char message[]; /* NUL-terminated */
};

/* Returned when the error itself cannot be allocated; never freed. */
static struct {
  int32_t code;
  char message[32];
} mp_out_of_memory = {STEER_SE_ERROR_OUT_OF_MEMORY, "MeanPool: out of memory"};

#define MP_OOM ((SteerSEError *)&mp_out_of_memory)

SteerSEError *mp_error(SteerSEErrorCode code, const char *format, ...) {
  va_list args;
  va_start(args, format);
  int length = vsnprintf(NULL, 0, format, args);
  va_end(args);
  if (length < 0) return MP_OOM;
  SteerSEError *error = malloc(sizeof(SteerSEError) + (size_t)length + 1);
  if (error == NULL) return MP_OOM;
  error->code = (int32_t)code;
  va_start(args, format);
  vsnprintf(error->message, (size_t)length + 1, format, args);
  va_end(args);
  return error;
}

int32_t mp_error_code(const SteerSEError *error) {
  return error == NULL ? 0 : error->code;
}

const char *mp_error_message(const SteerSEError *error) {
  return error == NULL ? "" : error->message;
}

void mp_error_free(SteerSEError *error) {
  if (error != NULL && error != MP_OOM) free(error);
}
