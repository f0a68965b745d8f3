/* Classifies one line from a QMP monitor: pure, so it can be fuzzed alone. */
#include <string.h>

#include "drivers/qemu/qmp_message.h"

static struct json_object *parse_json(const char *line, size_t len, struct vb_error *err)
{
    struct json_tokener *tok;
    struct json_object *root;
    enum json_tokener_error jerr;
    size_t used;

    if (len > INT32_MAX)
        return vb_error_set(err, VB_ERR_INTERNAL_ERROR, "QMP message too large"), NULL;
    tok = json_tokener_new_ex(QMP_JSON_MAX_DEPTH);
    if (!tok)
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL), NULL;
    json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
    root = json_tokener_parse_ex(tok, line, (int) len);
    jerr = json_tokener_get_error(tok);
    used = json_tokener_get_parse_end(tok);
    json_tokener_free(tok);
    if (!root || jerr != json_tokener_success) {
        json_object_put(root);
        vb_error_set(err, VB_ERR_INTERNAL_ERROR, "cannot parse QMP message: %s",
                     jerr == json_tokener_continue ? "incomplete JSON" : json_tokener_error_desc(jerr));
        return NULL;
    }
    /* QMP separates messages with "\r\n"; only white space may follow the object. */
    for (; used < len; used++)
        if (line[used] != ' ' && line[used] != '\t' && line[used] != '\r') {
            json_object_put(root);
            vb_error_set(err, VB_ERR_INTERNAL_ERROR, "cannot parse QMP message: text after the JSON object");
            return NULL;
        }
    if (!json_object_is_type(root, json_type_object)) {
        json_object_put(root);
        vb_error_set(err, VB_ERR_INTERNAL_ERROR, "QMP message is not a JSON object");
        return NULL;
    }
    return root;
}

/* A string member, or NULL when absent; -1 when present with another type. */
static int get_string(struct json_object *obj, const char *key, const char **out)
{
    struct json_object *v;

    *out = NULL;
    if (!json_object_object_get_ex(obj, key, &v) || json_object_is_type(v, json_type_null))
        return 0;
    if (!json_object_is_type(v, json_type_string))
        return -1;
    *out = json_object_get_string(v);
    return 0;
}

static int parse_error(struct qmp_message *msg, struct json_object *error, struct vb_error *err)
{
    if (!json_object_is_type(error, json_type_object) || get_string(error, "class", &msg->error_class) < 0 ||
        get_string(error, "desc", &msg->error_desc) < 0 || !msg->error_class)
        return vb_error_set(err, VB_ERR_INTERNAL_ERROR, "QMP error reply lacks a class and description");
    if (!msg->error_desc)
        msg->error_desc = msg->error_class;
    msg->kind = QMP_MESSAGE_ERROR;
    return 0;
}

static uint64_t parse_timestamp(struct json_object *root)
{
    struct json_object *ts, *sec, *usec;
    int64_t s, us;

    if (!json_object_object_get_ex(root, "timestamp", &ts) || !json_object_is_type(ts, json_type_object) ||
        !json_object_object_get_ex(ts, "seconds", &sec) || !json_object_object_get_ex(ts, "microseconds", &usec) ||
        !json_object_is_type(sec, json_type_int) || !json_object_is_type(usec, json_type_int))
        return 0;
    s = json_object_get_int64(sec);
    us = json_object_get_int64(usec);
    if (s < 0 || us < 0 || us >= 1000000 || (uint64_t) s > UINT64_MAX / 1000000u - 1)
        return 0;
    return (uint64_t) s * 1000000u + (uint64_t) us;
}

static int parse_event(struct qmp_message *msg, struct json_object *root, struct vb_error *err)
{
    if (get_string(root, "event", &msg->event) < 0 || !msg->event || !*msg->event)
        return vb_error_set(err, VB_ERR_INTERNAL_ERROR, "QMP event without a name");
    if (json_object_object_get_ex(root, "data", &msg->value) && !json_object_is_type(msg->value, json_type_object))
        return vb_error_set(err, VB_ERR_INTERNAL_ERROR, "QMP event %s has data that is not an object", msg->event);
    msg->timestamp_usec = parse_timestamp(root);
    msg->kind = QMP_MESSAGE_EVENT;
    return 0;
}

static int classify(struct qmp_message *msg, struct json_object *root, struct vb_error *err)
{
    struct json_object *v, *id;

    /* An id qemu echoes back is ours, hence a string; another type cannot match a command. */
    if (json_object_object_get_ex(root, "id", &id) && json_object_is_type(id, json_type_string))
        msg->id = json_object_get_string(id);
    if (json_object_object_get_ex(root, "return", &v)) {
        msg->kind = QMP_MESSAGE_RETURN;
        msg->value = v;
        return 0;
    }
    if (json_object_object_get_ex(root, "error", &v))
        return parse_error(msg, v, err);
    if (json_object_object_get_ex(root, "event", &v))
        return parse_event(msg, root, err);
    if (json_object_object_get_ex(root, "QMP", &v) && json_object_is_type(v, json_type_object)) {
        msg->kind = QMP_MESSAGE_GREETING;
        msg->value = v;
        return 0;
    }
    return vb_error_set(err, VB_ERR_INTERNAL_ERROR, "QMP message of unknown kind");
}

int qmp_message_parse(const char *line, size_t len, struct qmp_message *msg, struct vb_error *err)
{
    struct json_object *root;

    memset(msg, 0, sizeof(*msg));
    root = parse_json(line, len, err);
    if (!root)
        return -1;
    msg->root = root;
    if (classify(msg, root, err) < 0) {
        qmp_message_clear(msg);
        return -1;
    }
    return 0;
}

void qmp_message_clear(struct qmp_message *msg)
{
    json_object_put(msg->root);
    memset(msg, 0, sizeof(*msg));
}
