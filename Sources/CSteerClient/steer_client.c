/*
 * steer_client.c: the C client for steerd (see include/steer_client.h for the contract): errors
 * and names, clocks, connecting. Sending and receiving frames: steer_client_io.c; blocking calls:
 * steer_client_calls.c.
 */
#include "steer_client_private.h"

/* ---------------------------------------------------------------------------------------- */
/* Errors and names                                                                         */
/* ---------------------------------------------------------------------------------------- */

steer_result sc_fail(steer_error *error, steer_result code, uint32_t status, const char *format, ...) {
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

steer_result sc_succeed(steer_error *error) {
    if (error) {
        error->code = STEER_OK;
        error->status = 0;
        error->message[0] = '\0';
    }
    return STEER_OK;
}

/* Marks the stream unusable and reports why. */
steer_result sc_break_connection(steer_client *client, steer_error *error, steer_result code, const char *format, ...) {
    va_list arguments;
    va_start(arguments, format);
    vsnprintf(client->broken_reason, sizeof client->broken_reason, format, arguments);
    va_end(arguments);
    client->broken = 1;
    return sc_fail(error, code, 0, "%s", client->broken_reason);
}

steer_result sc_check_usable(steer_client *client, steer_error *error) {
    if (!client) return sc_fail(error, STEER_ERR_INVALID_ARGUMENT, 0, "NULL steer_client");
    if (client->broken) {
        return sc_fail(error, STEER_ERR_BROKEN, 0, "the connection to %s is no longer usable: %s", client->path,
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
const struct sc_method sc_methods[STEER__V1__METHOD__METHOD_STATS + 1] = {
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
    return method < sizeof sc_methods / sizeof sc_methods[0] ? sc_methods[method].name : NULL;
}

/* ---------------------------------------------------------------------------------------- */
/* Clocks                                                                                   */
/* ---------------------------------------------------------------------------------------- */

int64_t sc_monotonic_ms(void) {
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
int sc_remaining_ms(int64_t deadline) {
    if (deadline < 0) return -1;
    int64_t left = deadline - sc_monotonic_ms();
    if (left <= 0) return 0;
    return left > 1000000000 ? 1000000000 : (int)left;
}

int64_t sc_deadline_from_timeout(int timeout_ms) {
    return timeout_ms < 0 ? -1 : sc_monotonic_ms() + timeout_ms;
}

/* ---------------------------------------------------------------------------------------- */
/* Connecting                                                                               */
/* ---------------------------------------------------------------------------------------- */

steer_result steer_client_default_socket_path(char *buffer, size_t capacity, steer_error *error) {
    if (!buffer || capacity == 0) return sc_fail(error, STEER_ERR_INVALID_ARGUMENT, 0, "NULL or empty path buffer");
    const char *explicit_path = getenv("STEER_SOCKET");
    const char *runtime = getenv("XDG_RUNTIME_DIR");
    int n;
    if (explicit_path && *explicit_path) n = snprintf(buffer, capacity, "%s", explicit_path);
    else if (runtime && *runtime) n = snprintf(buffer, capacity, "%s/steer/steerd.sock", runtime);
    else n = snprintf(buffer, capacity, "/tmp/steer-%u/steerd.sock", (unsigned)getuid());
    if (n < 0 || (size_t)n >= capacity) {
        buffer[0] = '\0';
        return sc_fail(error, STEER_ERR_INVALID_ARGUMENT, 0, "the default socket path needs %d bytes; the buffer has %zu",
                    n + 1, capacity);
    }
    return sc_succeed(error);
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
    if (!out) return sc_fail(error, STEER_ERR_INVALID_ARGUMENT, 0, "NULL out pointer");
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
        return sc_fail(error, STEER_ERR_INVALID_ARGUMENT, 0, "socket path of %zu bytes; it must have 1 to %zu: %s", length,
                    sizeof address.sun_path - 1, socket_path);
    }
    memcpy(address.sun_path, socket_path, length);

    steer_client *client = calloc(1, sizeof *client);
    if (!client) return sc_fail(error, STEER_ERR_NO_MEMORY, 0, "out of memory for a steer_client");
    memcpy(client->path, socket_path, length + 1);
    client->next_id = 1;
    client->max_frame_size = STEER_CLIENT_DEFAULT_MAX_FRAME_SIZE;

    client->fd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (client->fd < 0) {
        int e = errno;
        free(client);
        return sc_fail(error, STEER_ERR_CONNECT, 0, "socket(): %s", strerror(e));
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
        return sc_fail(error, STEER_ERR_CONNECT, 0, "cannot connect to steerd at %s: %s (is `steer serve` running?)",
                    socket_path, strerror(e));
    }
    *out = client;
    return sc_succeed(error);
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
    if (!client) return sc_fail(error, STEER_ERR_INVALID_ARGUMENT, 0, "NULL steer_client");
    if (max_frame_size == 0 || max_frame_size > UINT32_MAX) {
        return sc_fail(error, STEER_ERR_INVALID_ARGUMENT, 0, "max frame size %zu; it must be 1 to %u", max_frame_size,
                    (unsigned)UINT32_MAX);
    }
    client->max_frame_size = max_frame_size;
    return sc_succeed(error);
}

uint64_t steer_client_next_id(steer_client *client) {
    if (!client) return 0;
    uint64_t id = client->next_id++;
    if (client->next_id == 0) client->next_id = 1; /* 0 is the daemon's "the connection" id */
    return id;
}
