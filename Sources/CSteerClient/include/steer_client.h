/*
 * steer_client.h: a C client for steerd, on protobuf-c.
 *
 * The wire (Protos/steer/v1/steer.proto): a Unix stream socket carrying frames, each a 4-byte
 * big-endian length followed by one protobuf message: a steer.v1.Request from the client, a
 * steer.v1.Response from steerd. A Request names its method, carries a client-chosen id, an
 * optional absolute deadline and the packed <Method>Request; the Response echoes the id, a
 * gRPC status code and message, and when the status is OK the packed <Method>Response.
 * Many requests may be in flight on one connection; responses come back as they complete,
 * in any order, and the caller matches them by id.
 *
 * Two ways to use it:
 *   - pipelined: steer_client_send (or steer_client_send_message) as often as needed, then
 *     steer_client_receive each response and match its id;
 *   - blocking: steer_client_call, or the typed steer_client_<rpc> functions below, which
 *     send one request and wait for its answer, with a timeout.
 *
 * Conventions (every function):
 *   - Errors are values: each call returns a steer_result, STEER_OK (0) meaning success, and
 *     fills the caller's steer_error (when not NULL) with the code, the daemon's status when
 *     there is one, and a message. No call aborts or asserts on bad input: NULL pointers, a
 *     message of the wrong type, an inconsistent message (a count with a NULL array), garbage
 *     or oversized frames from the peer all come back as error values.
 *   - Ownership: pointers the caller passes in stay the caller's and are not kept after the
 *     call returns. Every pointer handed out through an `out` parameter is owned by the caller
 *     and freed with the function named at that call; on failure `*out` is set to NULL.
 *   - Threads: the library has no global state. One steer_client must be used by one thread
 *     at a time (it may move between threads); distinct clients are independent. The
 *     steer_error a call fills is the caller's, so it is as thread-safe as the caller makes it.
 *   - Signals: writes use MSG_NOSIGNAL (SO_NOSIGPIPE on Apple systems), so a daemon that hung
 *     up is STEER_ERR_CLOSED, never a SIGPIPE. Interrupted system calls (EINTR) are retried.
 *
 * Build: compile steer_client.c and Sources/CSteerProto/steer/v1/steer.pb-c.c with
 * -I Sources/CSteerClient/include -I Sources/CSteerProto/include and link libprotobuf-c
 * (`pkg-config --cflags --libs libprotobuf-c`); see Examples/c-client/README.md.
 */
#ifndef STEER_CLIENT_H
#define STEER_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include "steer/v1/steer.pb-c.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------------------------------- */
/* Results and errors                                                                       */
/* ---------------------------------------------------------------------------------------- */

/** The outcome of a library call. */
typedef enum steer_result {
    STEER_OK = 0,
    /** A bad argument to the library itself (NULL handle, wrong message type, unknown
     *  method, inconsistent message): nothing was sent. */
    STEER_ERR_INVALID_ARGUMENT = 1,
    /** The socket could not be created or connected (steerd not running, path too long). */
    STEER_ERR_CONNECT = 2,
    /** A read or write failed; the connection is unusable afterwards. */
    STEER_ERR_IO = 3,
    /** steerd closed the connection (possibly in the middle of a frame); unusable afterwards. */
    STEER_ERR_CLOSED = 4,
    /** The wait ended before a whole response arrived. The connection stays usable: bytes
     *  already read are kept for the next receive. */
    STEER_ERR_TIMEOUT = 5,
    /** A frame announced a body above the client's maximum frame size; the stream cannot be
     *  resynchronised, so the connection is unusable afterwards. */
    STEER_ERR_FRAME_TOO_LARGE = 6,
    /** A whole frame arrived but its body is not a valid steer.v1.Response, or an OK payload
     *  does not parse as the method's response. The frame is consumed; the connection stays
     *  usable. */
    STEER_ERR_DECODE = 7,
    /** Memory allocation failed. */
    STEER_ERR_NO_MEMORY = 8,
    /** steerd answered with a status other than OK: steer_error.status holds it (gRPC
     *  numbering, steer.v1.StatusCode) and steer_error.message the daemon's message. */
    STEER_ERR_STATUS = 9,
    /** The connection was already unusable after an earlier STEER_ERR_IO, STEER_ERR_CLOSED
     *  or STEER_ERR_FRAME_TOO_LARGE (or a write that stopped half-way through a frame). */
    STEER_ERR_BROKEN = 10,
} steer_result;

/** What went wrong, filled by every call that takes one (may be NULL to ignore). Caller-owned;
 *  no allocation, nothing to free. On success `code` is STEER_OK and `message` empty. */
typedef struct steer_error {
    steer_result code;
    /** The daemon's status (Steer__V1__StatusCode numbering) when code is STEER_ERR_STATUS;
     *  0 otherwise. */
    uint32_t status;
    /** NUL-terminated, human-readable; daemon messages longer than the buffer are cut. */
    char message[512];
} steer_error;

/** A static name such as "STEER_ERR_TIMEOUT" ("STEER_ERR_?" for unknown values). Thread-safe. */
const char *steer_result_name(steer_result result);

/** A static gRPC status name such as "INVALID_ARGUMENT" ("UNKNOWN" for numbers this build does
 *  not know, as gRPC reads them). Thread-safe. */
const char *steer_status_name(uint32_t status);

/** A static RPC name such as "Recommend", or NULL when `method` is not a method of
 *  steer.v1.Method (0, or a number this build does not know). Thread-safe. */
const char *steer_method_name(uint32_t method);

/* ---------------------------------------------------------------------------------------- */
/* Connections                                                                              */
/* ---------------------------------------------------------------------------------------- */

/** An open connection to steerd. Opaque. */
typedef struct steer_client steer_client;

/** Largest response frame body accepted by default (4 MiB, steerd's own default). */
#define STEER_CLIENT_DEFAULT_MAX_FRAME_SIZE ((size_t)4 << 20)

/** Pass as a timeout to wait without limit. */
#define STEER_WAIT_FOREVER (-1)

/**
 * Writes steerd's default socket path into `buffer`: $STEER_SOCKET if set and not empty, else
 * $XDG_RUNTIME_DIR/steer/steerd.sock, else /tmp/steer-<uid>/steerd.sock (what `steer` uses).
 * Thread-safe as long as no thread changes the environment meanwhile.
 * @return STEER_OK, or STEER_ERR_INVALID_ARGUMENT when `buffer` is NULL or too small.
 */
steer_result steer_client_default_socket_path(char *buffer, size_t capacity, steer_error *error);

/**
 * Connects to steerd listening on `socket_path` (NULL: the default path, see above).
 * @param out receives the connection, owned by the caller: end it with steer_client_close.
 *        Set to NULL on failure.
 * @return STEER_OK; STEER_ERR_CONNECT naming the path and the reason; STEER_ERR_INVALID_ARGUMENT
 *         for a NULL `out` or a path of 108 bytes or more; STEER_ERR_NO_MEMORY.
 * Thread-safe (each call makes its own connection).
 */
steer_result steer_client_connect(const char *socket_path, steer_client **out, steer_error *error);

/**
 * Closes the socket and frees the connection, with any response it was still holding.
 * NULL is accepted and ignored. The handle is invalid afterwards. Requests still in flight
 * are cancelled by steerd when it sees the connection close.
 * Not to be called concurrently with any other call on the same client.
 */
void steer_client_close(steer_client *client);

/**
 * Sets the largest response frame body this client accepts (default
 * STEER_CLIENT_DEFAULT_MAX_FRAME_SIZE). A frame announcing more is STEER_ERR_FRAME_TOO_LARGE,
 * refused before its body is read or allocated.
 * @return STEER_OK; STEER_ERR_INVALID_ARGUMENT for a NULL client or a size of 0 or above 2^32 - 1.
 */
steer_result steer_client_set_max_frame_size(steer_client *client, size_t max_frame_size, steer_error *error);

/**
 * A fresh request id, unique on this client: 1, 2, 3, ... (the blocking calls draw from the
 * same counter). Returns 0 for a NULL client. Not thread-safe for one client.
 */
uint64_t steer_client_next_id(steer_client *client);

/**
 * An absolute deadline `timeout_ms` from now, in microseconds since the Unix epoch
 * (CLOCK_REALTIME, as steerd reads it), for steer_client_send. Thread-safe.
 */
uint64_t steer_deadline_after_ms(int64_t timeout_ms);

/* ---------------------------------------------------------------------------------------- */
/* Pipelined use: send many, receive many, match by id                                      */
/* ---------------------------------------------------------------------------------------- */

/**
 * Writes one request frame. Blocks until the whole frame is written.
 * @param method a steer.v1.Method number. Any number is sent as given (steerd answers
 *        UNIMPLEMENTED for one it does not know), so this can also probe the daemon.
 * @param id chosen by the caller; steer_client_next_id gives unique ones.
 * @param deadline_unix_micros 0 for none; see steer_deadline_after_ms.
 * @param payload the packed <Method>Request, borrowed for the call; may be NULL when
 *        payload_length is 0 (an empty message).
 * @return STEER_OK; STEER_ERR_INVALID_ARGUMENT (NULL client, NULL payload with a length,
 *         frame above 2^32 - 1 bytes); STEER_ERR_CLOSED / STEER_ERR_IO, after which the
 *         client is unusable; STEER_ERR_BROKEN; STEER_ERR_NO_MEMORY.
 */
steer_result steer_client_send(steer_client *client, uint32_t method, uint64_t id, uint64_t deadline_unix_micros,
                               const uint8_t *payload, size_t payload_length, steer_error *error);

/**
 * Packs `request` and sends it like steer_client_send.
 * @param request a <Method>Request message of the type `method` takes (e.g. a
 *        Steer__V1__RecommendRequest for STEER__V1__METHOD__METHOD_RECOMMEND), borrowed for
 *        the call; NULL sends the empty message. A message of another type, an unknown
 *        method or a message protobuf-c's check refuses (say, a count with a NULL array) is
 *        STEER_ERR_INVALID_ARGUMENT and nothing is sent.
 */
steer_result steer_client_send_message(steer_client *client, uint32_t method, uint64_t id, uint64_t deadline_unix_micros,
                                       const ProtobufCMessage *request, steer_error *error);

/**
 * Reads the next response, whichever request it answers (responses a blocking call set aside
 * come first, in arrival order). A response with a non-OK status is STEER_OK here: its status
 * and message are in the returned envelope. Id 0 with an error status is steerd speaking for
 * the connection (an undecodable or oversized request frame).
 * @param timeout_ms the longest wait for a whole frame; STEER_WAIT_FOREVER (any negative value)
 *        waits without limit; 0 takes only what has already arrived. On STEER_ERR_TIMEOUT the
 *        bytes of a partly received frame are kept, so a later receive continues with it.
 * @param out receives the envelope, owned by the caller: free it with
 *        steer_client_response_free. Its payload is the packed <Method>Response (decode it with
 *        the generated steer__v1__<method>_response__unpack).
 * @return STEER_OK; STEER_ERR_TIMEOUT; STEER_ERR_DECODE (a frame that is not a Response,
 *         consumed; the client stays usable); STEER_ERR_FRAME_TOO_LARGE, STEER_ERR_CLOSED,
 *         STEER_ERR_IO (the client is unusable afterwards); STEER_ERR_BROKEN;
 *         STEER_ERR_INVALID_ARGUMENT; STEER_ERR_NO_MEMORY.
 */
steer_result steer_client_receive(steer_client *client, int timeout_ms, Steer__V1__Response **out, steer_error *error);

/** Frees a response envelope from steer_client_receive. NULL is accepted. Thread-safe. */
void steer_client_response_free(Steer__V1__Response *response);

/* ---------------------------------------------------------------------------------------- */
/* Blocking calls                                                                           */
/* ---------------------------------------------------------------------------------------- */

/**
 * Sends one request with a fresh id and waits for its response. Responses to other requests
 * that arrive meanwhile (pipelined ones) are set aside for steer_client_receive.
 * @param method a steer.v1.Method number other than METHOD_UNSPECIFIED.
 * @param request a <Method>Request of the method's type, borrowed; NULL sends the empty message.
 * @param timeout_ms > 0: sent as the request's deadline (steerd answers DEADLINE_EXCEEDED when
 *        it passes), and the wait ends STEER_ERR_TIMEOUT if no answer came 100 ms after it; a
 *        response arriving later is dropped. STEER_WAIT_FOREVER (any negative value): no
 *        deadline, no limit. 0 is STEER_ERR_INVALID_ARGUMENT.
 * @param out receives the decoded <Method>Response, owned by the caller: free it with
 *        steer_client_message_free (or the generated steer__v1__<method>_response__free_unpacked).
 * @return STEER_OK; STEER_ERR_STATUS with the daemon's status and message (also for an id-0
 *         connection-level error); any error of steer_client_send_message / steer_client_receive.
 */
steer_result steer_client_call(steer_client *client, uint32_t method, const ProtobufCMessage *request, int timeout_ms,
                               ProtobufCMessage **out, steer_error *error);

/** Frees any message handed out by this library (protobuf_c_message_free_unpacked). NULL is
 *  accepted. Thread-safe. */
void steer_client_message_free(void *message);

/*
 * Typed blocking calls, one per RPC: steer_client_call with the method's request and response
 * types. `request` may be NULL (the empty message; what Health, ListBackbones and Stats take).
 * `*out` is the caller's, freed with steer_client_message_free. Same results, ownership and
 * threading as steer_client_call.
 */
#define STEER_CLIENT_RPC(name, Request, Response)                                                                    \
    steer_result steer_client_##name(steer_client *client, const Request *request, int timeout_ms, Response **out, \
                                     steer_error *error)

STEER_CLIENT_RPC(health, Steer__V1__HealthRequest, Steer__V1__HealthResponse);
STEER_CLIENT_RPC(embed_prompt, Steer__V1__EmbedPromptRequest, Steer__V1__EmbedPromptResponse);
STEER_CLIENT_RPC(route, Steer__V1__RouteRequest, Steer__V1__RouteResponse);
STEER_CLIENT_RPC(encode_history, Steer__V1__EncodeHistoryRequest, Steer__V1__EncodeHistoryResponse);
STEER_CLIENT_RPC(fuse, Steer__V1__FuseRequest, Steer__V1__FuseResponse);
STEER_CLIENT_RPC(retrieve, Steer__V1__RetrieveRequest, Steer__V1__RetrieveResponse);
STEER_CLIENT_RPC(recommend, Steer__V1__RecommendRequest, Steer__V1__RecommendResponse);
STEER_CLIENT_RPC(list_backbones, Steer__V1__ListBackbonesRequest, Steer__V1__ListBackbonesResponse);
STEER_CLIENT_RPC(load_backbone, Steer__V1__LoadBackboneRequest, Steer__V1__LoadBackboneResponse);
STEER_CLIENT_RPC(save_snapshot, Steer__V1__SaveSnapshotRequest, Steer__V1__SaveSnapshotResponse);
STEER_CLIENT_RPC(load_snapshot, Steer__V1__LoadSnapshotRequest, Steer__V1__LoadSnapshotResponse);
STEER_CLIENT_RPC(stats, Steer__V1__StatsRequest, Steer__V1__StatsResponse);

#undef STEER_CLIENT_RPC

#ifdef __cplusplus
}
#endif

#endif /* STEER_CLIENT_H */
