/*
 * What the C client's source files share and keep from its users: the client's state, the
 * method table and the helpers every file calls. Not installed: include/steer_client.h is the
 * contract. The helpers' names start with sc_, so they do not clash with a program's own names
 * when the client is linked in, and are hidden from a shared library's exported symbols.
 */
#ifndef STEER_CLIENT_PRIVATE_H
#define STEER_CLIENT_PRIVATE_H

#if !defined(_GNU_SOURCE) && defined(__linux__)
#define _GNU_SOURCE
#endif

#include "steer_client.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#ifndef MSG_NOSIGNAL
#define MSG_NOSIGNAL 0 /* Apple systems: SO_NOSIGPIPE is set on the socket instead. */
#endif

enum { HEADER_SIZE = 4, READ_CHUNK = 64 * 1024, CALL_GRACE_MS = 100 };

struct steer_client {
    int fd;
    /* Set once the stream is unusable; every later I/O call fails with STEER_ERR_BROKEN. */
    int broken;
    char broken_reason[200];
    uint64_t next_id;
    size_t max_frame_size;
    char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
    /* Received bytes: [start, end) of a buffer of `capacity`. */
    uint8_t *inbox;
    size_t start, end, capacity;
    /* Responses a blocking call read but did not want, oldest first. */
    Steer__V1__Response **set_aside;
    size_t set_aside_count, set_aside_capacity;
    /* Ids of blocking calls that gave up waiting: their late responses are dropped. */
    uint64_t *abandoned;
    size_t abandoned_count, abandoned_capacity;
};

#define SC_INTERNAL __attribute__((visibility("hidden")))

/* The RPCs: name, request and response types, indexed by steer.v1.Method number. */
struct sc_method {
    const char *name;
    const ProtobufCMessageDescriptor *request, *response;
};
SC_INTERNAL extern const struct sc_method sc_methods[STEER__V1__METHOD__METHOD_STATS + 1];

/* Errors: fill `error` (when not NULL) and return `code`. */
SC_INTERNAL steer_result sc_fail(steer_error *error, steer_result code, uint32_t status, const char *format, ...)
    __attribute__((format(printf, 4, 5)));
SC_INTERNAL steer_result sc_succeed(steer_error *error);
/* Marks the stream unusable and reports why. */
SC_INTERNAL steer_result sc_break_connection(steer_client *client, steer_error *error, steer_result code,
                                             const char *format, ...) __attribute__((format(printf, 4, 5)));
SC_INTERNAL steer_result sc_check_usable(steer_client *client, steer_error *error);

/* Clocks: monotonic milliseconds; deadlines in them (negative: none). */
SC_INTERNAL int64_t sc_monotonic_ms(void);
SC_INTERNAL int sc_remaining_ms(int64_t deadline);
SC_INTERNAL int64_t sc_deadline_from_timeout(int timeout_ms);

/* Frames on the wire (steer_client_io.c). */
SC_INTERNAL steer_result sc_send_frame(steer_client *client, uint32_t method, uint64_t id, uint64_t deadline_unix_micros,
                                       const uint8_t *payload, size_t payload_length, int64_t write_deadline,
                                       steer_error *error);
SC_INTERNAL steer_result sc_pack_request(uint32_t method, const ProtobufCMessage *request, uint8_t **packed, size_t *length,
                                         steer_error *error);
SC_INTERNAL steer_result sc_read_response(steer_client *client, int64_t deadline, Steer__V1__Response **out,
                                          steer_error *error);
SC_INTERNAL int sc_forget_abandoned(steer_client *client, uint64_t id);
SC_INTERNAL steer_result sc_read_wanted_response(steer_client *client, int64_t deadline, Steer__V1__Response **out,
                                                 steer_error *error);

#endif
