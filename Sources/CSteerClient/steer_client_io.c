/*
 * steer_client_io.c: frames to and from steerd.
 *
 * I/O is done with poll() plus non-blocking send/recv flags on an otherwise blocking socket,
 * so every wait can be bounded and an interrupted call (EINTR) is simply retried. Received
 * bytes live in one growable inbox; a frame is taken out only when all of it is there, so a
 * timeout in the middle of a frame loses nothing.
 */
#include "steer_client_private.h"

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
            int ready = poll(&p, 1, sc_remaining_ms(deadline));
            if (ready < 0 && errno != EINTR) {
                return sc_break_connection(client, error, STEER_ERR_IO, "poll() on %s: %s", client->path, strerror(errno));
            }
            if (ready == 0) {
                if (written == 0) {
                    return sc_fail(error, STEER_ERR_TIMEOUT, 0, "steerd at %s took no data before the timeout", client->path);
                }
                /* Half a frame is on the wire: the stream can never be resynchronised. */
                return sc_break_connection(client, error, STEER_ERR_TIMEOUT,
                                        "the timeout came after %zu of a frame's %zu bytes were written", written, count);
            }
            continue;
        }
        int e = n < 0 ? errno : EPIPE;
        if (e == EPIPE || e == ECONNRESET) {
            return sc_break_connection(client, error, STEER_ERR_CLOSED, "steerd closed the connection (%s)", strerror(e));
        }
        return sc_break_connection(client, error, STEER_ERR_IO, "write to %s failed: %s", client->path, strerror(e));
    }
    return STEER_OK;
}

steer_result sc_send_frame(steer_client *client, uint32_t method, uint64_t id, uint64_t deadline_unix_micros,
                               const uint8_t *payload, size_t payload_length, int64_t write_deadline,
                               steer_error *error) {
    steer_result r = sc_check_usable(client, error);
    if (r != STEER_OK) return r;
    if (!payload && payload_length > 0) {
        return sc_fail(error, STEER_ERR_INVALID_ARGUMENT, 0, "NULL payload of %zu bytes", payload_length);
    }
    Steer__V1__Request envelope = STEER__V1__REQUEST__INIT;
    envelope.id = id;
    envelope.method = (Steer__V1__Method)method;
    envelope.deadline_unix_micros = deadline_unix_micros;
    envelope.payload.len = payload_length;
    envelope.payload.data = (uint8_t *)payload;
    size_t body = steer__v1__request__get_packed_size(&envelope);
    if (body > UINT32_MAX) return sc_fail(error, STEER_ERR_INVALID_ARGUMENT, 0, "a request of %zu bytes exceeds a frame", body);
    uint8_t *frame = malloc(HEADER_SIZE + body);
    if (!frame) return sc_fail(error, STEER_ERR_NO_MEMORY, 0, "out of memory for a frame of %zu bytes", body);
    frame[0] = (uint8_t)(body >> 24);
    frame[1] = (uint8_t)(body >> 16);
    frame[2] = (uint8_t)(body >> 8);
    frame[3] = (uint8_t)body;
    steer__v1__request__pack(&envelope, frame + HEADER_SIZE);
    r = write_all(client, frame, HEADER_SIZE + body, write_deadline, error);
    free(frame);
    return r == STEER_OK ? sc_succeed(error) : r;
}

steer_result steer_client_send(steer_client *client, uint32_t method, uint64_t id, uint64_t deadline_unix_micros,
                               const uint8_t *payload, size_t payload_length, steer_error *error) {
    return sc_send_frame(client, method, id, deadline_unix_micros, payload, payload_length, -1, error);
}

/* Packs `request` after checking it is the method's type and consistent. `*packed` is malloc'd. */
steer_result sc_pack_request(uint32_t method, const ProtobufCMessage *request, uint8_t **packed, size_t *length,
                                 steer_error *error) {
    *packed = NULL;
    *length = 0;
    const char *name = steer_method_name(method);
    if (!name) return sc_fail(error, STEER_ERR_INVALID_ARGUMENT, 0, "method %u is not a steer.v1.Method", method);
    if (!request) return STEER_OK; /* the empty message packs to no bytes */
    const ProtobufCMessageDescriptor *expected = sc_methods[method].request;
    if (request->descriptor != expected) {
        return sc_fail(error, STEER_ERR_INVALID_ARGUMENT, 0, "%s takes a %s, not a %s", name, expected->name,
                    request->descriptor && request->descriptor->magic == PROTOBUF_C__MESSAGE_DESCRIPTOR_MAGIC
                        ? request->descriptor->name
                        : "message without a valid descriptor");
    }
    if (!protobuf_c_message_check(request)) {
        return sc_fail(error, STEER_ERR_INVALID_ARGUMENT, 0,
                    "the %s is inconsistent (a repeated field's count with a NULL array, a NULL string or "
                    "sub-message pointer)", expected->name);
    }
    size_t size = protobuf_c_message_get_packed_size(request);
    uint8_t *bytes = malloc(size ? size : 1);
    if (!bytes) return sc_fail(error, STEER_ERR_NO_MEMORY, 0, "out of memory for a %s of %zu bytes", expected->name, size);
    protobuf_c_message_pack(request, bytes);
    *packed = bytes;
    *length = size;
    return STEER_OK;
}

steer_result steer_client_send_message(steer_client *client, uint32_t method, uint64_t id, uint64_t deadline_unix_micros,
                                       const ProtobufCMessage *request, steer_error *error) {
    steer_result r = sc_check_usable(client, error);
    if (r != STEER_OK) return r;
    uint8_t *payload;
    size_t length;
    r = sc_pack_request(method, request, &payload, &length, error);
    if (r != STEER_OK) return r;
    r = sc_send_frame(client, method, id, deadline_unix_micros, payload, length, -1, error);
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
                if (!grown) return sc_fail(error, STEER_ERR_NO_MEMORY, 0, "out of memory for a frame of %zu bytes", needed);
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
            if (have == 0) return sc_break_connection(client, error, STEER_ERR_CLOSED, "steerd closed the connection");
            return sc_break_connection(client, error, STEER_ERR_CLOSED,
                                    "steerd closed the connection in the middle of a frame (%zu of %zu bytes)", have, needed);
        }
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
            struct pollfd p = {.fd = client->fd, .events = POLLIN};
            int ready = poll(&p, 1, sc_remaining_ms(deadline));
            if (ready < 0 && errno != EINTR) {
                return sc_break_connection(client, error, STEER_ERR_IO, "poll() on %s: %s", client->path, strerror(errno));
            }
            if (ready == 0) {
                return sc_fail(error, STEER_ERR_TIMEOUT, 0, "no whole response from steerd before the timeout (%zu bytes waiting)",
                            client->end - client->start);
            }
            continue;
        }
        if (errno == ECONNRESET) {
            return sc_break_connection(client, error, STEER_ERR_CLOSED, "steerd reset the connection");
        }
        return sc_break_connection(client, error, STEER_ERR_IO, "read from %s failed: %s", client->path, strerror(errno));
    }
    return STEER_OK;
}

/* Reads one frame off the wire and decodes its envelope. */
steer_result sc_read_response(steer_client *client, int64_t deadline, Steer__V1__Response **out, steer_error *error) {
    steer_result r = fill(client, HEADER_SIZE, deadline, error);
    if (r != STEER_OK) return r;
    const uint8_t *h = client->inbox + client->start;
    uint32_t length = (uint32_t)h[0] << 24 | (uint32_t)h[1] << 16 | (uint32_t)h[2] << 8 | (uint32_t)h[3];
    if (length > client->max_frame_size) {
        return sc_break_connection(client, error, STEER_ERR_FRAME_TOO_LARGE,
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
        return sc_fail(error, STEER_ERR_DECODE, 0, "a frame of %u bytes from steerd is not a valid steer.v1.Response", length);
    }
    *out = response;
    return STEER_OK;
}

/* Takes `id` off the abandoned list; 1 when it was there. */
int sc_forget_abandoned(steer_client *client, uint64_t id) {
    for (size_t i = 0; i < client->abandoned_count; i++) {
        if (client->abandoned[i] == id) {
            client->abandoned[i] = client->abandoned[--client->abandoned_count];
            return 1;
        }
    }
    return 0;
}

/* The next response off the wire that somebody still waits for. */
steer_result sc_read_wanted_response(steer_client *client, int64_t deadline, Steer__V1__Response **out,
                                         steer_error *error) {
    for (;;) {
        steer_result r = sc_read_response(client, deadline, out, error);
        if (r != STEER_OK) return r;
        if ((*out)->id != 0 && client->abandoned_count > 0 && sc_forget_abandoned(client, (*out)->id)) {
            steer_client_response_free(*out);
            *out = NULL;
            continue;
        }
        return STEER_OK;
    }
}

steer_result steer_client_receive(steer_client *client, int timeout_ms, Steer__V1__Response **out, steer_error *error) {
    if (!out) return sc_fail(error, STEER_ERR_INVALID_ARGUMENT, 0, "NULL out pointer");
    *out = NULL;
    if (!client) return sc_fail(error, STEER_ERR_INVALID_ARGUMENT, 0, "NULL steer_client");
    if (client->set_aside_count > 0) {
        *out = client->set_aside[0];
        memmove(client->set_aside, client->set_aside + 1, --client->set_aside_count * sizeof *client->set_aside);
        return sc_succeed(error);
    }
    steer_result r = sc_check_usable(client, error);
    if (r != STEER_OK) return r;
    r = sc_read_wanted_response(client, sc_deadline_from_timeout(timeout_ms), out, error);
    return r == STEER_OK ? sc_succeed(error) : r;
}

void steer_client_response_free(Steer__V1__Response *response) {
    if (response) steer__v1__response__free_unpacked(response, NULL);
}
