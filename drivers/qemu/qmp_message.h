/* One line received from a QMP monitor, classified: greeting, command reply, or event. Pure. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "util/error.h"

/* Deepest JSON nesting accepted from qemu (its largest replies, query-qmp-schema, stay under 10). */
#define QMP_JSON_MAX_DEPTH 64

enum qmp_message_kind {
    QMP_MESSAGE_GREETING, /* {"QMP": {...}} */
    QMP_MESSAGE_RETURN,   /* {"return": ..., "id": ...} */
    QMP_MESSAGE_ERROR,    /* {"error": {"class": ..., "desc": ...}, "id": ...} */
    QMP_MESSAGE_EVENT,    /* {"event": ..., "data": ..., "timestamp": {...}} */
};

/* The fields below point into `root`, which the message owns: valid until qmp_message_clear. */
struct qmp_message {
    enum qmp_message_kind kind;
    struct json_object *root;
    const char *id;            /* RETURN, ERROR: the id echoed back as a string; NULL if none */
    struct json_object *value; /* RETURN: "return"; EVENT: "data" (NULL when absent); GREETING: "QMP" */
    const char *event;         /* EVENT: its name */
    const char *error_class;   /* ERROR: "GenericError", "CommandNotFound", ... */
    const char *error_desc;    /* ERROR: qemu's sentence */
    uint64_t timestamp_usec;   /* EVENT: qemu's wall-clock timestamp (0 when absent) */
};

/* Parses one line (without its newline; it need not be NUL-terminated) as one JSON object and
 * classifies it. Anything else (bad JSON, trailing text, an object of no known kind, fields of
 * the wrong type) is refused with VB_ERR_INTERNAL_ERROR naming what was wrong. On success msg
 * owns what it points to; on failure msg is left cleared. Returns 0 or -1. */
int qmp_message_parse(const char *line, size_t len, struct qmp_message *msg, struct vb_error *err);

void qmp_message_clear(struct qmp_message *msg);

DEFINE_CLEANUP_FUNC(struct json_object, json_object_put)
