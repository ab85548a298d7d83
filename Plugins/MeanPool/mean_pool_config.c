/* MeanPool's config_json reader: a JSON object whose only key is "max_len".
 *
 * Deliberately minimal (no general JSON value support): the plugin has one
 * setting, and failing fast on anything else beats silently ignoring a typo. */
#include "mean_pool_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const char *skip_space(const char *p) {
  while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') p++;
  return p;
}

/* Reads a JSON string without escapes into key (truncated to size-1); returns
 * the position after the closing quote, or NULL if malformed. */
static const char *read_key(const char *p, char *key, size_t size) {
  if (*p != '"') return NULL;
  p++;
  size_t n = 0;
  while (*p != '"') {
    if (*p == '\0' || *p == '\\') return NULL;
    if (n + 1 < size) key[n++] = *p;
    p++;
  }
  key[n] = '\0';
  return p + 1;
}

/* Reads max_len's value: a plain integer in 1...MP_MAX_MAX_LEN. */
static SteerSEError *read_max_len(const char **cursor, uint32_t *out) {
  const char *p = *cursor;
  const char *end = p;
  while (*end == '-' || *end == '+' || *end == '.' || *end == 'e' || *end == 'E' ||
         (*end >= '0' && *end <= '9'))
    end++;
  char *parsed_end = NULL;
  errno = 0;
  long long value = (*p >= '0' && *p <= '9') ? strtoll(p, &parsed_end, 10) : -1;
  if (parsed_end != end || errno != 0 || value < 1 || value > (long long)MP_MAX_MAX_LEN) {
    int shown = (int)(end - p);
    if (shown == 0) shown = (int)strcspn(p, ",}");
    return mp_error(STEER_SE_ERROR_INVALID_ARGUMENT,
                    "MeanPool config: \"max_len\" must be an integer in 1...%u, got %.*s",
                    MP_MAX_MAX_LEN, shown, p);
  }
  *out = (uint32_t)value;
  *cursor = end;
  return NULL;
}

SteerSEError *mp_parse_config(const char *config_json, MPConfig *out) {
  out->max_len = MP_DEFAULT_MAX_LEN;
  if (config_json == NULL) return NULL;
  const char *p = skip_space(config_json);
  if (*p == '\0') return NULL;
  if (*p != '{')
    return mp_error(STEER_SE_ERROR_INVALID_ARGUMENT, "MeanPool config: expected a JSON object");
  p = skip_space(p + 1);
  int seen_max_len = 0;
  if (*p == '}') {
    if (*skip_space(p + 1) == '\0') return NULL;
    return mp_error(STEER_SE_ERROR_INVALID_ARGUMENT, "MeanPool config: text after the object");
  }
  for (;;) {
    char key[64];
    p = read_key(p, key, sizeof key);
    if (p == NULL)
      return mp_error(STEER_SE_ERROR_INVALID_ARGUMENT,
                      "MeanPool config: expected a key as a plain JSON string");
    if (strcmp(key, "max_len") != 0)
      return mp_error(STEER_SE_ERROR_INVALID_ARGUMENT,
                      "MeanPool config: unknown key \"%s\" (allowed: max_len)", key);
    if (seen_max_len)
      return mp_error(STEER_SE_ERROR_INVALID_ARGUMENT,
                      "MeanPool config: duplicate key \"max_len\"");
    seen_max_len = 1;
    p = skip_space(p);
    if (*p != ':')
      return mp_error(STEER_SE_ERROR_INVALID_ARGUMENT,
                      "MeanPool config: expected ':' after \"%s\"", key);
    p = skip_space(p + 1);
    SteerSEError *error = read_max_len(&p, &out->max_len);
    if (error != NULL) return error;
    p = skip_space(p);
    if (*p == ',') {
      p = skip_space(p + 1);
      continue;
    }
    if (*p == '}' && *skip_space(p + 1) == '\0') return NULL;
    return mp_error(STEER_SE_ERROR_INVALID_ARGUMENT,
                    "MeanPool config: expected ',' or a final '}' after \"%s\"", key);
  }
}
