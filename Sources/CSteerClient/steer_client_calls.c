/*
 * steer_client_calls.c: blocking calls: send one request, wait for its answer, set aside the
 * answers of pipelined requests that arrive first, and drop the late answers of calls that gave up.
 */
#include "steer_client_private.h"

/* ---------------------------------------------------------------------------------------- */
/* Blocking calls                                                                           */
/* ---------------------------------------------------------------------------------------- */

static steer_result set_aside(steer_client *client, Steer__V1__Response *response, steer_error *error) {
    if (client->set_aside_count == client->set_aside_capacity) {
        size_t capacity = client->set_aside_capacity ? 2 * client->set_aside_capacity : 16;
        Steer__V1__Response **grown = realloc(client->set_aside, capacity * sizeof *grown);
        if (!grown) {
            steer_client_response_free(response);
            return sc_fail(error, STEER_ERR_NO_MEMORY, 0, "out of memory setting a response aside");
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
    if (!out) return sc_fail(error, STEER_ERR_INVALID_ARGUMENT, 0, "NULL out pointer");
    *out = NULL;
    steer_result r = sc_check_usable(client, error);
    if (r != STEER_OK) return r;
    if (timeout_ms == 0) {
        return sc_fail(error, STEER_ERR_INVALID_ARGUMENT, 0, "timeout of 0 ms: give a positive timeout or STEER_WAIT_FOREVER");
    }
    uint8_t *payload;
    size_t length;
    r = sc_pack_request(method, request, &payload, &length, error);
    if (r != STEER_OK) return r;

    uint64_t id = steer_client_next_id(client);
    uint64_t deadline_unix_micros = timeout_ms > 0 ? steer_deadline_after_ms(timeout_ms) : 0;
    int64_t wait_deadline = timeout_ms > 0 ? sc_monotonic_ms() + timeout_ms + CALL_GRACE_MS : -1;
    r = sc_send_frame(client, method, id, deadline_unix_micros, payload, length, wait_deadline, error);
    free(payload);
    if (r != STEER_OK) return r;

    Steer__V1__Response *response = NULL;
    for (;;) {
        r = sc_read_wanted_response(client, wait_deadline, &response, error);
        if (r == STEER_ERR_TIMEOUT) {
            abandon(client, id);
            return sc_fail(error, STEER_ERR_TIMEOUT, 0, "%s: no answer from steerd within %d ms", sc_methods[method].name, timeout_ms);
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
        sc_fail(error, STEER_ERR_STATUS, status, "%s: %s: %s", sc_methods[method].name, steer_status_name(status),
             response->message ? response->message : "");
        steer_client_response_free(response);
        return STEER_ERR_STATUS;
    }
    static const uint8_t empty = 0;
    ProtobufCMessage *decoded = protobuf_c_message_unpack(sc_methods[method].response, NULL, response->payload.len,
                                                          response->payload.len ? response->payload.data : &empty);
    size_t payload_length = response->payload.len;
    steer_client_response_free(response);
    if (!decoded) {
        return sc_fail(error, STEER_ERR_DECODE, 0, "%s: the %zu-byte payload is not a valid %s", sc_methods[method].name,
                    payload_length, sc_methods[method].response->name);
    }
    *out = decoded;
    return sc_succeed(error);
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
