/* The SequentialEncoder ABI's version rule and table sizes, shared by host and tests. */
#include "steer_sequential_encoder.h"

/* Hidden: plugins that depend on this target link these objects too, and must
 * export nothing but their entry symbol; the host links them statically. */
#define STEER_SE_INTERNAL __attribute__((visibility("hidden")))

STEER_SE_INTERNAL int steer_se_abi_compatible(uint32_t host_major, uint32_t host_minor,
                                              uint32_t plugin_major, uint32_t plugin_minor) {
  return plugin_major == host_major && plugin_minor <= host_minor;
}

/* The end of a field: what a table must cover to hold that field. */
#define STEER_SE_END_OF(field)                                                             \
  (offsetof(SteerSequentialEncoder, field) + sizeof(((SteerSequentialEncoder *)0)->field))

STEER_SE_INTERNAL size_t steer_se_table_size(uint32_t minor) {
  switch (minor) {
  case 0:
    return STEER_SE_END_OF(free_bytes);
  /* case 1: return STEER_SE_END_OF(<last field added in 1.1>); */
  default:
    return 0;
  }
}
