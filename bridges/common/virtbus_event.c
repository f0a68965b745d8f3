/* Parsing of virtbus's JSON events for bridges (pure: no I/O, fuzzable). */
#include <errno.h>
#include <string.h>

#include <json-c/json.h>

#include "bridges/common/virtbus_event.h"
#include "util/uuid.h"

static int copy_string(json_object *parent, const char *key, char *out, size_t size)
{
    json_object *value;
    const char *text;

    if (!json_object_object_get_ex(parent, key, &value) || !json_object_is_type(value, json_type_string))
        return -EBADMSG;
    text = json_object_get_string(value);
    if (strlen(text) >= size)
        return -EBADMSG;
    strcpy(out, text);
    return 0;
}

static int parse_object(json_object *root, struct virtbus_event *event, const char **error)
{
    json_object *seq, *domain;
    char uuid[VB_UUID_STRING_LEN];

    if (!json_object_object_get_ex(root, "seq", &seq) || !json_object_is_type(seq, json_type_int) ||
        json_object_get_int64(seq) < 0) {
        *error = "no seq";
        return -EBADMSG;
    }
    event->seq = (uint64_t) json_object_get_int64(seq);
    if (!json_object_object_get_ex(root, "domain", &domain) || !json_object_is_type(domain, json_type_object) ||
        copy_string(domain, "name", event->name, sizeof(event->name)) < 0 ||
        copy_string(domain, "uuid", uuid, sizeof(uuid)) < 0 || vb_uuid_parse(uuid, event->uuid) < 0) {
        *error = "no domain name and uuid";
        return -EBADMSG;
    }
    if (copy_string(root, "event", event->event, sizeof(event->event)) < 0) {
        *error = "no event";
        return -EBADMSG;
    }
    if (copy_string(root, "detail", event->detail, sizeof(event->detail)) < 0)
        event->detail[0] = '\0';
    if (copy_string(root, "host", event->host, sizeof(event->host)) < 0)
        event->host[0] = '\0';
    if (copy_string(root, "uri", event->uri, sizeof(event->uri)) < 0)
        event->uri[0] = '\0';
    return 0;
}

int virtbus_event_parse(const char *body, size_t len, struct virtbus_event *event, const char **error)
{
    json_tokener *tok = json_tokener_new();
    json_object *root;
    int r;

    memset(event, 0, sizeof(*event));
    if (!tok) {
        *error = "out of memory";
        return -ENOMEM;
    }
    root = len > 0 && len < (1u << 20) ? json_tokener_parse_ex(tok, body, (int) len) : NULL;
    if (!root || json_tokener_get_error(tok) != json_tokener_success || !json_object_is_type(root, json_type_object)) {
        *error = "not a JSON object";
        r = -EBADMSG;
    } else {
        r = parse_object(root, event, error);
    }
    json_object_put(root);
    json_tokener_free(tok);
    return r;
}
