/*
 * recommend.c: asks a running steerd for recommendations, through the C client.
 *
 *   recommend [-s SOCKET] [-k K] [-p PROMPT] [-n positive|negative] [-t TIMEOUT_MS] ITEM_ID...
 *
 * Checks Health, then sends one Recommend for the history ITEM_ID... (oldest first) with the
 * optional prompt, and prints rank, item id, score, title and categories. Exit status: 0 on
 * success, 1 when steerd answered with an error or could not be reached, 2 for bad arguments.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "steer_client.h"

static void usage(FILE *to) {
    fprintf(to,
            "usage: recommend [-s SOCKET] [-k K] [-p PROMPT] [-n positive|negative] [-t TIMEOUT_MS] ITEM_ID...\n"
            "  -s  steerd's socket (default: $STEER_SOCKET, else $XDG_RUNTIME_DIR/steer/steerd.sock,\n"
            "      else /tmp/steer-<uid>/steerd.sock)\n"
            "  -k  how many items (default 10)\n"
            "  -p  a prompt that steers the recommendation, e.g. \"no horror tonight\"\n"
            "  -n  the prompt's polarity, instead of letting steerd's router read it\n"
            "  -t  timeout of each call in milliseconds (default 5000)\n");
}

/* Parses a decimal number in [min, max]; 0 when `text` is not one. */
static int parse_number(const char *text, unsigned long long min, unsigned long long max, unsigned long long *value) {
    if (!text || !*text || *text == '-') return 0;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(text, &end, 10);
    if (errno || *end || v < min || v > max) return 0;
    *value = v;
    return 1;
}

static const char *polarity_name(Steer__V1__Polarity p) {
    switch (p) {
    case STEER__V1__POLARITY__POLARITY_POSITIVE: return "positive";
    case STEER__V1__POLARITY__POLARITY_NEGATIVE: return "negative";
    default: return "none";
    }
}

int main(int argc, char **argv) {
    const char *socket_path = NULL, *prompt = NULL;
    unsigned long long k = 10, timeout_ms = 5000, number;
    Steer__V1__Polarity polarity = STEER__V1__POLARITY__POLARITY_UNSPECIFIED;
    int i = 1;
    for (; i < argc && argv[i][0] == '-' && argv[i][1] != '\0'; i++) {
        const char *flag = argv[i];
        if (strcmp(flag, "--") == 0) {
            i++;
            break;
        }
        if (strcmp(flag, "-h") == 0 || strcmp(flag, "--help") == 0) {
            usage(stdout);
            return 0;
        }
        if (i + 1 >= argc) {
            fprintf(stderr, "recommend: %s needs a value\n", flag);
            return 2;
        }
        const char *value = argv[++i];
        if (strcmp(flag, "-s") == 0) socket_path = value;
        else if (strcmp(flag, "-p") == 0) prompt = value;
        else if (strcmp(flag, "-k") == 0 && parse_number(value, 1, 100000, &number)) k = number;
        else if (strcmp(flag, "-t") == 0 && parse_number(value, 1, 3600000, &number)) timeout_ms = number;
        else if (strcmp(flag, "-n") == 0 && strcmp(value, "positive") == 0) polarity = STEER__V1__POLARITY__POLARITY_POSITIVE;
        else if (strcmp(flag, "-n") == 0 && strcmp(value, "negative") == 0) polarity = STEER__V1__POLARITY__POLARITY_NEGATIVE;
        else {
            fprintf(stderr, "recommend: bad option %s %s\n", flag, value);
            usage(stderr);
            return 2;
        }
    }
    size_t n_items = (size_t)(argc - i);
    if (n_items == 0) {
        fprintf(stderr, "recommend: give the history as item ids, oldest first\n");
        usage(stderr);
        return 2;
    }
    uint32_t *history_ids = calloc(n_items, sizeof *history_ids);
    if (!history_ids) {
        fprintf(stderr, "recommend: out of memory\n");
        return 1;
    }
    for (size_t j = 0; j < n_items; j++) {
        if (!parse_number(argv[i + (int)j], 0, UINT32_MAX, &number)) {
            fprintf(stderr, "recommend: item id \"%s\" is not a number in 0...%u\n", argv[i + (int)j], (unsigned)UINT32_MAX);
            free(history_ids);
            return 2;
        }
        history_ids[j] = (uint32_t)number;
    }

    steer_error error;
    steer_client *client = NULL;
    int status = 1;
    Steer__V1__HealthResponse *health = NULL;
    Steer__V1__RecommendResponse *answer = NULL;
    if (steer_client_connect(socket_path, &client, &error) != STEER_OK) {
        fprintf(stderr, "recommend: %s\n", error.message);
        goto done;
    }

    if (steer_client_health(client, NULL, (int)timeout_ms, &health, &error) != STEER_OK) {
        fprintf(stderr, "recommend: Health failed: %s\n", error.message);
        goto done;
    }
    printf("steerd %s: %s, %s; %u items x %u; backbone %s\n", health->version, health->live ? "live" : "not live",
           health->ready ? "ready" : "not ready", health->n_items, health->dim,
           health->active_backbone && *health->active_backbone ? health->active_backbone : "(none)");

    Steer__V1__History history = STEER__V1__HISTORY__INIT;
    history.n_item_ids = n_items;
    history.item_ids = history_ids;
    Steer__V1__RecommendRequest request = STEER__V1__RECOMMEND_REQUEST__INIT;
    request.history = &history;
    request.k = (uint32_t)k;
    request.prompt = prompt ? (char *)prompt : "";
    request.polarity = polarity;
    if (steer_client_recommend(client, &request, (int)timeout_ms, &answer, &error) != STEER_OK) {
        /* A daemon status reads "Recommend: INVALID_ARGUMENT: item id ..."; error.status holds its number. */
        fprintf(stderr, "recommend: %s\n", error.message);
        goto done;
    }
    if (prompt && *prompt) {
        printf("prompt \"%s\": polarity %s (confidence %.3f)\n", prompt, polarity_name(answer->polarity),
               answer->route_confidence);
    }
    printf("%4s  %8s  %10s  %s\n", "rank", "item", "score", "title [categories]");
    for (size_t r = 0; r < answer->n_item_ids; r++) {
        const char *title = r < answer->n_titles && *answer->titles[r] ? answer->titles[r] : "-";
        const char *categories = r < answer->n_categories ? answer->categories[r] : "";
        float score = r < answer->n_scores ? answer->scores[r] : 0;
        printf("%4zu  %8u  %10.5f  %s%s%s%s\n", r + 1, answer->item_ids[r], score, title, *categories ? " [" : "",
               categories, *categories ? "]" : "");
    }
    status = 0;

done:
    steer_client_message_free(answer);
    steer_client_message_free(health);
    steer_client_close(client);
    free(history_ids);
    return status;
}
