/*
 * steer_client.c: the C client for steerd (see include/steer_client.h for the contract).
 *
 * I/O is done with poll() plus non-blocking send/recv flags on an otherwise blocking socket,
 * so every wait can be bounded and an interrupted call (EINTR) is simply retried. Received
 * bytes live in one growable inbox; a frame is taken out only when all of it is there, so a
 * timeout in the middle of a frame loses nothing.
 */
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

/* ---------------------------------------------------------------------------------------- */
/* Errors and names                                                                         */
/* ---------------------------------------------------------------------------------------- */

static steer_result fail(steer_error *error, steer_result code, uint32_t status, const char *format, ...)
    __attribute__((format(printf, 4, 5)));

static steer_result fail(steer_error *error, steer_result code, uint32_t status, const char *format, ...) {
    if (error) {
        error->code = code;
        error->status = status;
        va_list arguments;
        va_start(arguments, format);
        vsnprintf(error->message, sizeof error->message, format, arguments);
        va_end(arguments);
    }
    return code;
}

static steer_result succeed(steer_error *error) {
    if (error) {
        error->code = STEER_OK;
        error->status = 0;
        error->message[0] = '\0';
    }
    return STEER_OK;
}

/* Marks the stream unusable and reports why. */
static steer_result break_connection(steer_client *client, steer_error *error, steer_result code, const char *format, ...)
    __attribute__((format(printf, 4, 5)));

static steer_result break_connection(steer_client *client, steer_error *error, steer_result code, const char *format, ...) {
    va_list arguments;
    va_start(arguments, format);
    vsnprintf(client->broken_reason, sizeof client->broken_reason, format, arguments);
    va_end(arguments);
    client->broken = 1;
    return fail(error, code, 0, "%s", client->broken_reason);
}

static steer_result check_usable(steer_client *client, steer_error *error) {
    if (!client) return fail(error, STEER_ERR_INVALID_ARGUMENT, 0, "NULL steer_client");
    if (client->broken) {
        return fail(error, STEER_ERR_BROKEN, 0, "the connection to %s is no longer usable: %s", client->path,
                    client->broken_reason);
    }
    return STEER_OK;
}

const char *steer_result_name(steer_result result) {
    switch (result) {
    case STEER_OK: return "STEER_OK";
    case STEER_ERR_INVALID_ARGUMENT: return "STEER_ERR_INVALID_ARGUMENT";
    case STEER_ERR_CONNECT: return "STEER_ERR_CONNECT";
    case STEER_ERR_IO: return "STEER_ERR_IO";
    case STEER_ERR_CLOSED: return "STEER_ERR_CLOSED";
    case STEER_ERR_TIMEOUT: return "STEER_ERR_TIMEOUT";
    case STEER_ERR_FRAME_TOO_LARGE: return "STEER_ERR_FRAME_TOO_LARGE";
    case STEER_ERR_DECODE: return "STEER_ERR_DECODE";
    case STEER_ERR_NO_MEMORY: return "STEER_ERR_NO_MEMORY";
    case STEER_ERR_STATUS: return "STEER_ERR_STATUS";
    case STEER_ERR_BROKEN: return "STEER_ERR_BROKEN";
    }
    return "STEER_ERR_?";
}

const char *steer_status_name(uint32_t status) {
    static const char *const names[] = {
        "OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND", "ALREADY_EXISTS",
        "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE",
        "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED",
    };
    return status < sizeof names / sizeof names[0] ? names[status] : "UNKNOWN";
}

/* The RPCs: name, request and response types, indexed by steer.v1.Method number. */
static const struct {
    const char *name;
    const ProtobufCMessageDescriptor *request, *response;
} methods[] = {
    [STEER__V1__METHOD__METHOD_HEALTH] = {"Health", &steer__v1__health_request__descriptor,
                                          &steer__v1__health_response__descriptor},
    [STEER__V1__METHOD__METHOD_EMBED_PROMPT] = {"EmbedPrompt", &steer__v1__embed_prompt_request__descriptor,
                                                &steer__v1__embed_prompt_response__descriptor},
    [STEER__V1__METHOD__METHOD_ROUTE] = {"Route", &steer__v1__route_request__descriptor,
                                         &steer__v1__route_response__descriptor},
    [STEER__V1__METHOD__METHOD_ENCODE_HISTORY] = {"EncodeHistory", &steer__v1__encode_history_request__descriptor,
                                                  &steer__v1__encode_history_response__descriptor},
    [STEER__V1__METHOD__METHOD_FUSE] = {"Fuse", &steer__v1__fuse_request__descriptor,
                                        &steer__v1__fuse_response__descriptor},
    [STEER__V1__METHOD__METHOD_RETRIEVE] = {"Retrieve", &steer__v1__retrieve_request__descriptor,
                                            &steer__v1__retrieve_response__descriptor},
    [STEER__V1__METHOD__METHOD_RECOMMEND] = {"Recommend", &steer__v1__recommend_request__descriptor,
                                             &steer__v1__recommend_response__descriptor},
    [STEER__V1__METHOD__METHOD_LIST_BACKBONES] = {"ListBackbones", &steer__v1__list_backbones_request__descriptor,
                                                  &steer__v1__list_backbones_response__descriptor},
    [STEER__V1__METHOD__METHOD_LOAD_BACKBONE] = {"LoadBackbone", &steer__v1__load_backbone_request__descriptor,
                                                 &steer__v1__load_backbone_response__descriptor},
    [STEER__V1__METHOD__METHOD_SAVE_SNAPSHOT] = {"SaveSnapshot", &steer__v1__save_snapshot_request__descriptor,
                                                 &steer__v1__save_snapshot_response__descriptor},
    [STEER__V1__METHOD__METHOD_LOAD_SNAPSHOT] = {"LoadSnapshot", &steer__v1__load_snapshot_request__descriptor,
                                                 &steer__v1__load_snapshot_response__descriptor},
    [STEER__V1__METHOD__METHOD_STATS] = {"Stats", &steer__v1__stats_request__descriptor,
                                         &steer__v1__stats_response__descriptor},
};

const char *steer_method_name(uint32_t method) {
    return method < sizeof methods / sizeof methods[0] ? methods[method].name : NULL;
}

/* ---------------------------------------------------------------------------------------- */
/* Clocks                                                                                   */
/* ---------------------------------------------------------------------------------------- */

static int64_t monotonic_ms(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

uint64_t steer_deadline_after_ms(int64_t timeout_ms) {
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    int64_t micros = (int64_t)now.tv_sec * 1000000 + now.tv_nsec / 1000 + timeout_ms * 1000;
    return micros > 0 ? (uint64_t)micros : 1; /* 0 would mean "no deadline" */
}

/* Milliseconds left until `deadline` (monotonic ms, negative: none) for poll(): -1 forever. */
static int remaining_ms(int64_t deadline) {
    if (deadline < 0) return -1;
    int64_t left = deadline - monotonic_ms();
    if (left <= 0) return 0;
    return left > 1000000000 ? 1000000000 : (int)left;
}

static int64_t deadline_from_timeout(int timeout_ms) {
    return timeout_ms < 0 ? -1 : monotonic_ms() + timeout_ms;
}

/* ---------------------------------------------------------------------------------------- */
/* Connecting                                                                               */
/* ---------------------------------------------------------------------------------------- */

steer_result steer_client_default_socket_path(char *buffer, size_t capacity, steer_error *error) {
    if (!buffer || capacity == 0) return fail(error, STEER_ERR_INVALID_ARGUMENT, 0, "NULL or empty path buffer");
    const char *explicit_path = getenv("STEER_SOCKET");
    const char *runtime = getenv("XDG_RUNTIME_DIR");
    int n;
    if (explicit_path && *explicit_path) n = snprintf(buffer, capacity, "%s", explicit_path);
    else if (runtime && *runtime) n = snprintf(buffer, capacity, "%s/steer/steerd.sock", runtime);
    else n = snprintf(buffer, capacity, "/tmp/steer-%u/steerd.sock", (unsigned)getuid());
    if (n < 0 || (size_t)n >= capacity) {
        buffer[0] = '\0';
        return fail(error, STEER_ERR_INVALID_ARGUMENT, 0, "the default socket path needs %d bytes; the buffer has %zu",
                    n + 1, capacity);
    }
    return succeed(error);
}

/* connect(), finishing a connection an interrupting signal left in progress. */
static int connect_retrying(int fd, const struct sockaddr_un *address) {
    if (connect(fd, (const struct sockaddr *)address, sizeof *address) == 0) return 0;
    if (errno != EINTR && errno != EINPROGRESS) return -1;
    for (;;) {
        struct pollfd p = {.fd = fd, .events = POLLOUT};
        int ready = poll(&p, 1, -1);
        if (ready < 0 && errno == EINTR) continue;
        if (ready < 0) return -1;
        int problem = 0;
        socklen_t size = sizeof problem;
        if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &problem, &size) != 0) return -1;
        if (problem != 0) {
            errno = problem;
            return -1;
        }
        return 0;
    }
}

steer_result steer_client_connect(const char *socket_path, steer_client **out, steer_error *error) {
    if (!out) return fail(error, STEER_ERR_INVALID_ARGUMENT, 0, "NULL out pointer");
    *out = NULL;
    char default_path[sizeof(((struct sockaddr_un *)0)->sun_path) + 64];
    if (!socket_path) {
        steer_result r = steer_client_default_socket_path(default_path, sizeof default_path, error);
        if (r != STEER_OK) return r;
        socket_path = default_path;
    }
    struct sockaddr_un address;
    memset(&address, 0, sizeof address);
    address.sun_family = AF_UNIX;
    size_t length = strlen(socket_path);
    if (length == 0 || length >= sizeof address.sun_path) {
        return fail(error, STEER_ERR_INVALID_ARGUMENT, 0, "socket path of %zu bytes; it must have 1 to %zu: %s", length,
                    sizeof address.sun_path - 1, socket_path);
    }
    memcpy(address.sun_path, socket_path, length);

    steer_client *client = calloc(1, sizeof *client);
    if (!client) return fail(error, STEER_ERR_NO_MEMORY, 0, "out of memory for a steer_client");
    memcpy(client->path, socket_path, length + 1);
    client->next_id = 1;
    client->max_frame_size = STEER_CLIENT_DEFAULT_MAX_FRAME_SIZE;

    client->fd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (client->fd < 0) {
        int e = errno;
        free(client);
        return fail(error, STEER_ERR_CONNECT, 0, "socket(): %s", strerror(e));
    }
    (void)fcntl(client->fd, F_SETFD, FD_CLOEXEC);
#ifdef SO_NOSIGPIPE
    int on = 1;
    (void)setsockopt(client->fd, SOL_SOCKET, SO_NOSIGPIPE, &on, sizeof on);
#endif
    if (connect_retrying(client->fd, &address) != 0) {
        int e = errno;
        close(client->fd);
        free(client);
        return fail(error, STEER_ERR_CONNECT, 0, "cannot connect to steerd at %s: %s (is `steer serve` running?)",
                    socket_path, strerror(e));
    }
    *out = client;
    return succeed(error);
}

void steer_client_close(steer_client *client) {
    if (!client) return;
    if (client->fd >= 0) close(client->fd);
    for (size_t i = 0; i < client->set_aside_count; i++) steer_client_response_free(client->set_aside[i]);
    free(client->set_aside);
    free(client->abandoned);
    free(client->inbox);
    free(client);
}

steer_result steer_client_set_max_frame_size(steer_client *client, size_t max_frame_size, steer_error *error) {
    if (!client) return fail(error, STEER_ERR_INVALID_ARGUMENT, 0, "NULL steer_client");
    if (max_frame_size == 0 || max_frame_size > UINT32_MAX) {
        return fail(error, STEER_ERR_INVALID_ARGUMENT, 0, "max frame size %zu; it must be 1 to %u", max_frame_size,
                    (unsigned)UINT32_MAX);
    }
    client->max_frame_size = max_frame_size;
    return succeed(error);
}

uint64_t steer_client_next_id(steer_client *client) {
    if (!client) return 0;
    uint64_t id = client->next_id++;
    if (client->next_id == 0) client->next_id = 1; /* 0 is the daemon's "the connection" id */
    return id;
}

/* ---------------------------------------------------------------------------------------- */
/* Sending                                                                                  */
/* ---------------------------------------------------------------------------------------- */

/* Writes all of `bytes`, waiting for room until `deadline` (monotonic ms; negative: none). */
static steer_result write_all(steer_client *client, const uint8_t *bytes, size_t count, int64_t deadline,
                              steer_error *error) {
    size_t written = 0;
    while (written < count) {
        ssize_t n = send(client->fd, bytes + written, count - written, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n > 0) {
            written += (size_t)n;
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            struct pollfd p = {.fd = client->fd, .events = POLLOUT};
            int ready = poll(&p, 1, remaining_ms(deadline));
            if (ready < 0 && errno != EINTR) {
                return break_connection(client, error, STEER_ERR_IO, "poll() on %s: %s", client->path, strerror(errno));
            }
            if (ready == 0) {
                if (written == 0) {
                    return fail(error, STEER_ERR_TIMEOUT, 0, "steerd at %s took no data before the timeout", client->path);
                }
                /* Half a frame is on the wire: the stream can never be resynchronised. */
                return break_connection(client, error, STEER_ERR_TIMEOUT,
                                        "the timeout came after %zu of a frame's %zu bytes were written", written, count);
            }
            continue;
        }
        int e = n < 0 ? errno : EPIPE;
        if (e == EPIPE || e == ECONNRESET) {
            return break_connection(client, error, STEER_ERR_CLOSED, "steerd closed the connection (%s)", strerror(e));
        }
        return break_connection(client, error, STEER_ERR_IO, "write to %s failed: %s", client->path, strerror(e));
    }
    return STEER_OK;
}

static steer_result send_frame(steer_client *client, uint32_t method, uint64_t id, uint64_t deadline_unix_micros,
                               const uint8_t *payload, size_t payload_length, int64_t write_deadline,
                               steer_error *error) {
    steer_result r = check_usable(client, error);
    if (r != STEER_OK) return r;
    if (!payload && payload_length > 0) {
        return fail(error, STEER_ERR_INVALID_ARGUMENT, 0, "NULL payload of %zu bytes", payload_length);
    }
    Steer__V1__Request envelope = STEER__V1__REQUEST__INIT;
    envelope.id = id;
    envelope.method = (Steer__V1__Method)method;
    envelope.deadline_unix_micros = deadline_unix_micros;
    envelope.payload.len = payload_length;
    envelope.payload.data = (uint8_t *)payload;
    size_t body = steer__v1__request__get_packed_size(&envelope);
    if (body > UINT32_MAX) return fail(error, STEER_ERR_INVALID_ARGUMENT, 0, "a request of %zu bytes exceeds a frame", body);
    uint8_t *frame = malloc(HEADER_SIZE + body);
    if (!frame) return fail(error, STEER_ERR_NO_MEMORY, 0, "out of memory for a frame of %zu bytes", body);
    frame[0] = (uint8_t)(body >> 24);
    frame[1] = (uint8_t)(body >> 16);
    frame[2] = (uint8_t)(body >> 8);
    frame[3] = (uint8_t)body;
    steer__v1__request__pack(&envelope, frame + HEADER_SIZE);
    r = write_all(client, frame, HEADER_SIZE + body, write_deadline, error);
    free(frame);
    return r == STEER_OK ? succeed(error) : r;
}

steer_result steer_client_send(steer_client *client, uint32_t method, uint64_t id, uint64_t deadline_unix_micros,
                               const uint8_t *payload, size_t payload_length, steer_error *error) {
    return send_frame(client, method, id, deadline_unix_micros, payload, payload_length, -1, error);
}

/* Packs `request` after checking it is the method's type and consistent. `*packed` is malloc'd. */
static steer_result pack_request(uint32_t method, const ProtobufCMessage *request, uint8_t **packed, size_t *length,
                                 steer_error *error) {
    *packed = NULL;
    *length = 0;
    const char *name = steer_method_name(method);
    if (!name) return fail(error, STEER_ERR_INVALID_ARGUMENT, 0, "method %u is not a steer.v1.Method", method);
    if (!request) return STEER_OK; /* the empty message packs to no bytes */
    const ProtobufCMessageDescriptor *expected = methods[method].request;
    if (request->descriptor != expected) {
        return fail(error, STEER_ERR_INVALID_ARGUMENT, 0, "%s takes a %s, not a %s", name, expected->name,
                    request->descriptor && request->descriptor->magic == PROTOBUF_C__MESSAGE_DESCRIPTOR_MAGIC
                        ? request->descriptor->name
                        : "message without a valid descriptor");
    }
    if (!protobuf_c_message_check(request)) {
        return fail(error, STEER_ERR_INVALID_ARGUMENT, 0,
                    "the %s is inconsistent (a repeated field's count with a NULL array, a NULL string or "
                    "sub-message pointer)", expected->name);
    }
    size_t size = protobuf_c_message_get_packed_size(request);
    uint8_t *bytes = malloc(size ? size : 1);
    if (!bytes) return fail(error, STEER_ERR_NO_MEMORY, 0, "out of memory for a %s of %zu bytes", expected->name, size);
    protobuf_c_message_pack(request, bytes);
    *packed = bytes;
    *length = size;
    return STEER_OK;
}

steer_result steer_client_send_message(steer_client *client, uint32_t method, uint64_t id, uint64_t deadline_unix_micros,
                                       const ProtobufCMessage *request, steer_error *error) {
    steer_result r = check_usable(client, error);
    if (r != STEER_OK) return r;
    uint8_t *payload;
    size_t length;
    r = pack_request(method, request, &payload, &length, error);
    if (r != STEER_OK) return r;
    r = send_frame(client, method, id, deadline_unix_micros, payload, length, -1, error);
    free(payload);
    return r;
}

/* ---------------------------------------------------------------------------------------- */
/* Receiving                                                                                */
/* ---------------------------------------------------------------------------------------- */

/* Reads until the inbox holds `needed` bytes or `deadline` passes. */
static steer_result fill(steer_client *client, size_t needed, int64_t deadline, steer_error *error) {
    while (client->end - client->start < needed) {
        if (client->capacity - client->start < needed || client->end == client->capacity) {
            /* Move what is kept to the front, then grow if that is still not enough room. */
            size_t kept = client->end - client->start;
            if (client->start > 0) memmove(client->inbox, client->inbox + client->start, kept);
            client->start = 0;
            client->end = kept;
            size_t wanted = needed > READ_CHUNK ? needed : READ_CHUNK;
            if (client->capacity < wanted) {
                uint8_t *grown = realloc(client->inbox, wanted);
                if (!grown) return fail(error, STEER_ERR_NO_MEMORY, 0, "out of memory for a frame of %zu bytes", needed);
                client->inbox = grown;
                client->capacity = wanted;
            }
        }
        ssize_t n = recv(client->fd, client->inbox + client->end, client->capacity - client->end, MSG_DONTWAIT);
        if (n > 0) {
            client->end += (size_t)n;
            continue;
        }
        if (n == 0) {
            size_t have = client->end - client->start;
            if (have == 0) return break_connection(client, error, STEER_ERR_CLOSED, "steerd closed the connection");
            return break_connection(client, error, STEER_ERR_CLOSED,
                                    "steerd closed the connection in the middle of a frame (%zu of %zu bytes)", have, needed);
        }
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
            struct pollfd p = {.fd = client->fd, .events = POLLIN};
            int ready = poll(&p, 1, remaining_ms(deadline));
            if (ready < 0 && errno != EINTR) {
                return break_connection(client, error, STEER_ERR_IO, "poll() on %s: %s", client->path, strerror(errno));
            }
            if (ready == 0) {
                return fail(error, STEER_ERR_TIMEOUT, 0, "no whole response from steerd before the timeout (%zu bytes waiting)",
                            client->end - client->start);
            }
            continue;
        }
        if (errno == ECONNRESET) {
            return break_connection(client, error, STEER_ERR_CLOSED, "steerd reset the connection");
        }
        return break_connection(client, error, STEER_ERR_IO, "read from %s failed: %s", client->path, strerror(errno));
    }
    return STEER_OK;
}

/* Reads one frame off the wire and decodes its envelope. */
static steer_result read_response(steer_client *client, int64_t deadline, Steer__V1__Response **out, steer_error *error) {
    steer_result r = fill(client, HEADER_SIZE, deadline, error);
    if (r != STEER_OK) return r;
    const uint8_t *h = client->inbox + client->start;
    uint32_t length = (uint32_t)h[0] << 24 | (uint32_t)h[1] << 16 | (uint32_t)h[2] << 8 | (uint32_t)h[3];
    if (length > client->max_frame_size) {
        return break_connection(client, error, STEER_ERR_FRAME_TOO_LARGE,
                                "steerd sent a frame of %u bytes, above this client's limit of %zu", length,
                                client->max_frame_size);
    }
    r = fill(client, HEADER_SIZE + (size_t)length, deadline, error);
    if (r != STEER_OK) return r;
    static const uint8_t empty = 0;
    const uint8_t *body = length ? client->inbox + client->start + HEADER_SIZE : &empty;
    Steer__V1__Response *response = steer__v1__response__unpack(NULL, length, body);
    client->start += HEADER_SIZE + (size_t)length;
    if (client->start == client->end) client->start = client->end = 0;
    if (!response) {
        return fail(error, STEER_ERR_DECODE, 0, "a frame of %u bytes from steerd is not a valid steer.v1.Response", length);
    }
    *out = response;
    return STEER_OK;
}

/* Takes `id` off the abandoned list; 1 when it was there. */
static int forget_abandoned(steer_client *client, uint64_t id) {
    for (size_t i = 0; i < client->abandoned_count; i++) {
        if (client->abandoned[i] == id) {
            client->abandoned[i] = client->abandoned[--client->abandoned_count];
            return 1;
        }
    }
    return 0;
}

/* The next response off the wire that somebody still waits for. */
static steer_result read_wanted_response(steer_client *client, int64_t deadline, Steer__V1__Response **out,
                                         steer_error *error) {
    for (;;) {
        steer_result r = read_response(client, deadline, out, error);
        if (r != STEER_OK) return r;
        if ((*out)->id != 0 && client->abandoned_count > 0 && forget_abandoned(client, (*out)->id)) {
            steer_client_response_free(*out);
            *out = NULL;
            continue;
        }
        return STEER_OK;
    }
}

steer_result steer_client_receive(steer_client *client, int timeout_ms, Steer__V1__Response **out, steer_error *error) {
    if (!out) return fail(error, STEER_ERR_INVALID_ARGUMENT, 0, "NULL out pointer");
    *out = NULL;
    if (!client) return fail(error, STEER_ERR_INVALID_ARGUMENT, 0, "NULL steer_client");
    if (client->set_aside_count > 0) {
        *out = client->set_aside[0];
        memmove(client->set_aside, client->set_aside + 1, --client->set_aside_count * sizeof *client->set_aside);
        return succeed(error);
    }
    steer_result r = check_usable(client, error);
    if (r != STEER_OK) return r;
    r = read_wanted_response(client, deadline_from_timeout(timeout_ms), out, error);
    return r == STEER_OK ? succeed(error) : r;
}

void steer_client_response_free(Steer__V1__Response *response) {
    if (response) steer__v1__response__free_unpacked(response, NULL);
}

/* ---------------------------------------------------------------------------------------- */
/* Blocking calls                                                                           */
/* ---------------------------------------------------------------------------------------- */

static steer_result set_aside(steer_client *client, Steer__V1__Response *response, steer_error *error) {
    if (client->set_aside_count == client->set_aside_capacity) {
        size_t capacity = client->set_aside_capacity ? 2 * client->set_aside_capacity : 16;
        Steer__V1__Response **grown = realloc(client->set_aside, capacity * sizeof *grown);
        if (!grown) {
            steer_client_response_free(response);
            return fail(error, STEER_ERR_NO_MEMORY, 0, "out of memory setting a response aside");
        }
        client->set_aside = grown;
        client->set_aside_capacity = capacity;
    }
    client->set_aside[client->set_aside_count++] = response;
    return STEER_OK;
}

static void abandon(steer_client *client, uint64_t id) {
    if (client->abandoned_count == client->abandoned_capacity) {
        size_t capacity = client->abandoned_capacity ? 2 * client->abandoned_capacity : 8;
        uint64_t *grown = realloc(client->abandoned, capacity * sizeof *grown);
        if (!grown) return; /* the late response will then surface in steer_client_receive */
        client->abandoned = grown;
        client->abandoned_capacity = capacity;
    }
    client->abandoned[client->abandoned_count++] = id;
}

steer_result steer_client_call(steer_client *client, uint32_t method, const ProtobufCMessage *request, int timeout_ms,
                               ProtobufCMessage **out, steer_error *error) {
    if (!out) return fail(error, STEER_ERR_INVALID_ARGUMENT, 0, "NULL out pointer");
    *out = NULL;
    steer_result r = check_usable(client, error);
    if (r != STEER_OK) return r;
    if (timeout_ms == 0) {
        return fail(error, STEER_ERR_INVALID_ARGUMENT, 0, "timeout of 0 ms: give a positive timeout or STEER_WAIT_FOREVER");
    }
    uint8_t *payload;
    size_t length;
    r = pack_request(method, request, &payload, &length, error);
    if (r != STEER_OK) return r;

    uint64_t id = steer_client_next_id(client);
    uint64_t deadline_unix_micros = timeout_ms > 0 ? steer_deadline_after_ms(timeout_ms) : 0;
    int64_t wait_deadline = timeout_ms > 0 ? monotonic_ms() + timeout_ms + CALL_GRACE_MS : -1;
    r = send_frame(client, method, id, deadline_unix_micros, payload, length, wait_deadline, error);
    free(payload);
    if (r != STEER_OK) return r;

    Steer__V1__Response *response = NULL;
    for (;;) {
        r = read_wanted_response(client, wait_deadline, &response, error);
        if (r == STEER_ERR_TIMEOUT) {
            abandon(client, id);
            return fail(error, STEER_ERR_TIMEOUT, 0, "%s: no answer from steerd within %d ms", methods[method].name, timeout_ms);
        }
        if (r != STEER_OK) {
            /* A garbled frame ended the wait: this call's answer may still come, and nobody wants it. */
            if (!client->broken) abandon(client, id);
            return r;
        }
        if (response->id == id) break;
        /* Id 0 with an error is steerd speaking for the whole connection: it concerns this call too. */
        if (response->id == 0 && response->status != STEER__V1__STATUS_CODE__STATUS_OK) break;
        r = set_aside(client, response, error);
        if (r != STEER_OK) return r;
    }

    uint32_t status = (uint32_t)response->status;
    if (status != STEER__V1__STATUS_CODE__STATUS_OK) {
        fail(error, STEER_ERR_STATUS, status, "%s: %s: %s", methods[method].name, steer_status_name(status),
             response->message ? response->message : "");
        steer_client_response_free(response);
        return STEER_ERR_STATUS;
    }
    static const uint8_t empty = 0;
    ProtobufCMessage *decoded = protobuf_c_message_unpack(methods[method].response, NULL, response->payload.len,
                                                          response->payload.len ? response->payload.data : &empty);
    size_t payload_length = response->payload.len;
    steer_client_response_free(response);
    if (!decoded) {
        return fail(error, STEER_ERR_DECODE, 0, "%s: the %zu-byte payload is not a valid %s", methods[method].name,
                    payload_length, methods[method].response->name);
    }
    *out = decoded;
    return succeed(error);
}

void steer_client_message_free(void *message) {
    if (message) protobuf_c_message_free_unpacked((ProtobufCMessage *)message, NULL);
}

#define STEER_CLIENT_RPC_BODY(name, Request, Response, method)                                                        \
    steer_result steer_client_##name(steer_client *client, const Request *request, int timeout_ms, Response **out,  \
                                     steer_error *error) {                                                           \
        return steer_client_call(client, method, (const ProtobufCMessage *)request, timeout_ms,                      \
                                 (ProtobufCMessage **)out, error);                                                   \
    }

STEER_CLIENT_RPC_BODY(health, Steer__V1__HealthRequest, Steer__V1__HealthResponse, STEER__V1__METHOD__METHOD_HEALTH)
STEER_CLIENT_RPC_BODY(embed_prompt, Steer__V1__EmbedPromptRequest, Steer__V1__EmbedPromptResponse,
                      STEER__V1__METHOD__METHOD_EMBED_PROMPT)
STEER_CLIENT_RPC_BODY(route, Steer__V1__RouteRequest, Steer__V1__RouteResponse, STEER__V1__METHOD__METHOD_ROUTE)
STEER_CLIENT_RPC_BODY(encode_history, Steer__V1__EncodeHistoryRequest, Steer__V1__EncodeHistoryResponse,
                      STEER__V1__METHOD__METHOD_ENCODE_HISTORY)
STEER_CLIENT_RPC_BODY(fuse, Steer__V1__FuseRequest, Steer__V1__FuseResponse, STEER__V1__METHOD__METHOD_FUSE)
STEER_CLIENT_RPC_BODY(retrieve, Steer__V1__RetrieveRequest, Steer__V1__RetrieveResponse, STEER__V1__METHOD__METHOD_RETRIEVE)
STEER_CLIENT_RPC_BODY(recommend, Steer__V1__RecommendRequest, Steer__V1__RecommendResponse,
                      STEER__V1__METHOD__METHOD_RECOMMEND)
STEER_CLIENT_RPC_BODY(list_backbones, Steer__V1__ListBackbonesRequest, Steer__V1__ListBackbonesResponse,
                      STEER__V1__METHOD__METHOD_LIST_BACKBONES)
STEER_CLIENT_RPC_BODY(load_backbone, Steer__V1__LoadBackboneRequest, Steer__V1__LoadBackboneResponse,
                      STEER__V1__METHOD__METHOD_LOAD_BACKBONE)
STEER_CLIENT_RPC_BODY(save_snapshot, Steer__V1__SaveSnapshotRequest, Steer__V1__SaveSnapshotResponse,
                      STEER__V1__METHOD__METHOD_SAVE_SNAPSHOT)
STEER_CLIENT_RPC_BODY(load_snapshot, Steer__V1__LoadSnapshotRequest, Steer__V1__LoadSnapshotResponse,
                      STEER__V1__METHOD__METHOD_LOAD_SNAPSHOT)
STEER_CLIENT_RPC_BODY(stats, Steer__V1__StatsRequest, Steer__V1__StatsResponse, STEER__V1__METHOD__METHOD_STATS)
