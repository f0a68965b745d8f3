/* QMFv2 console messages for bridges: encoding requests, decoding answers (pure, fuzzable). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <proton/error.h>

#include "bridges/common/qmf_console.h"

static void put_key(pn_data_t *data, const char *key)
{
    pn_data_put_string(data, pn_bytes(strlen(key), key));
}

static void put_string(pn_data_t *data, const char *key, const char *value)
{
    put_key(data, key);
    pn_data_put_string(data, pn_bytes(strlen(value), value));
}

/* Empties data (and the error pn_message_encode2 leaves behind) and opens a map in it. */
static void begin_map(pn_data_t *data)
{
    pn_data_clear(data);
    pn_error_clear(pn_data_error(data));
    pn_data_put_map(data);
    pn_data_enter(data);
}

static void put_map_entry(pn_data_t *data, const char *key, const char *inner_key, const char *inner_value)
{
    put_key(data, key);
    pn_data_put_map(data);
    pn_data_enter(data);
    if (inner_key)
        put_string(data, inner_key, inner_value);
    pn_data_exit(data);
}

int qmf_console_request(pn_message_t *msg, const char *opcode, const char *subject, const char *reply_to,
                        const char *correlation_id)
{
    pn_data_t *props = pn_message_properties(msg);

    pn_message_clear(msg);
    if (subject)
        pn_message_set_subject(msg, subject);
    pn_message_set_reply_to(msg, reply_to);
    pn_data_put_string(pn_message_correlation_id(msg), pn_bytes(strlen(correlation_id), correlation_id));
    begin_map(props);
    put_string(props, "x-amqp-0-10.app-id", "qmf2");
    put_string(props, "qmf.opcode", opcode);
    put_string(props, "method", "request");
    pn_data_exit(props);
    return pn_data_errno(props) ? -EINVAL : 0;
}

int qmf_console_query_objects(pn_message_t *msg, const char *class_name, const char *object_name)
{
    pn_data_t *body = pn_message_body(msg);

    begin_map(body);
    put_string(body, "_what", "OBJECT");
    put_map_entry(body, "_schema_id", "_class_name", class_name);
    if (object_name)
        put_map_entry(body, "_object_id", "_object_name", object_name);
    pn_data_exit(body);
    return pn_data_errno(body) ? -EINVAL : 0;
}

/* ["OP", property, ["quote", value]] */
static void put_comparison(pn_data_t *data, const char *op, const char *property, const char *value)
{
    pn_data_put_list(data);
    pn_data_enter(data);
    pn_data_put_string(data, pn_bytes(strlen(op), op));
    pn_data_put_string(data, pn_bytes(strlen(property), property));
    pn_data_put_list(data);
    pn_data_enter(data);
    pn_data_put_string(data, pn_bytes(5, "quote"));
    pn_data_put_string(data, pn_bytes(strlen(value), value));
    pn_data_exit(data);
    pn_data_exit(data);
}

int qmf_console_query_range(pn_message_t *msg, const char *class_name, const char *property, const char *low,
                            const char *high)
{
    pn_data_t *body = pn_message_body(msg);

    begin_map(body);
    put_string(body, "_what", "OBJECT");
    put_map_entry(body, "_schema_id", "_class_name", class_name);
    put_key(body, "_where");
    pn_data_put_list(body);
    pn_data_enter(body);
    pn_data_put_string(body, pn_bytes(3, "and"));
    put_comparison(body, "ge", property, low);
    put_comparison(body, "lt", property, high);
    pn_data_exit(body);
    pn_data_exit(body);
    return pn_data_errno(body) ? -EINVAL : 0;
}

int qmf_console_method(pn_message_t *msg, const char *object_name, const char *method)
{
    pn_data_t *body = pn_message_body(msg);

    begin_map(body);
    put_map_entry(body, "_object_id", "_object_name", object_name);
    put_string(body, "_method_name", method);
    put_map_entry(body, "_arguments", NULL, NULL);
    pn_data_exit(body);
    return pn_data_errno(body) ? -EINVAL : 0;
}

void qmf_map_each(pn_data_t *data, qmf_map_visitor each_value, void *userdata)
{
    while (pn_data_next(data)) {
        pn_type_t type = pn_data_type(data);
        pn_bytes_t key = {0, NULL};

        if (type == PN_STRING)
            key = pn_data_get_string(data);
        else if (type == PN_SYMBOL)
            key = pn_data_get_symbol(data);
        if (!pn_data_next(data))
            return;
        if (key.start)
            each_value(key.start, key.size, data, userdata);
    }
}

static bool key_is(const char *key, size_t len, const char *want)
{
    return len == strlen(want) && memcmp(key, want, len) == 0;
}

struct property_lookup {
    const char *name;
    char *out;
    size_t size;
    bool present;
};

static void find_property(const char *key, size_t len, pn_data_t *data, void *userdata)
{
    struct property_lookup *lookup = userdata;

    if (!key_is(key, len, lookup->name))
        return;
    lookup->present = true;
    if (lookup->out && qmf_value_string(data, lookup->out, lookup->size) < 0)
        lookup->out[0] = '\0';
}

/* Looks a name up in the application properties; fills out (if given) with its string value. */
static bool lookup_property(pn_message_t *msg, const char *name, char *out, size_t size)
{
    pn_data_t *props = pn_message_properties(msg);
    struct property_lookup lookup = {name, out, size, false};

    if (out && size)
        out[0] = '\0';
    pn_data_rewind(props);
    if (!pn_data_next(props) || pn_data_type(props) != PN_MAP)
        return false;
    pn_data_enter(props);
    qmf_map_each(props, find_property, &lookup);
    pn_data_exit(props);
    return lookup.present;
}

void qmf_console_reply_opcode(pn_message_t *msg, char *out, size_t size)
{
    lookup_property(msg, "qmf.opcode", out, size);
}

void qmf_console_reply_agent(pn_message_t *msg, char *out, size_t size)
{
    lookup_property(msg, "qmf.agent", out, size);
}

bool qmf_console_reply_partial(pn_message_t *msg)
{
    return lookup_property(msg, "partial", NULL, 0);
}

struct exception_fields {
    int64_t *code;
    char *text;
    size_t size;
};

/* An error text is for a log line: one longer than the buffer is cut at a UTF-8 character
 * boundary rather than lost (libvirt's errors quoting qemu's are often longer than a line). */
static void exception_text(pn_data_t *data, char *out, size_t size)
{
    pn_bytes_t bytes;
    size_t n;

    if (pn_data_type(data) != PN_STRING || size == 0)
        return;
    bytes = pn_data_get_string(data);
    n = bytes.size < size ? bytes.size : size - 1;
    while (n > 0 && n < bytes.size && ((unsigned char) bytes.start[n] & 0xC0) == 0x80)
        n--;
    if (memchr(bytes.start, '\0', n))
        return;
    memcpy(out, bytes.start, n);
    out[n] = '\0';
}

static void exception_value(const char *key, size_t len, pn_data_t *data, void *userdata)
{
    struct exception_fields *fields = userdata;

    if (key_is(key, len, "error_code"))
        qmf_value_int(data, fields->code);
    else if (key_is(key, len, "error_text"))
        exception_text(data, fields->text, fields->size);
}

struct values_visit {
    qmf_map_visitor each;
    void *userdata;
};

static void values_top(const char *key, size_t len, pn_data_t *data, void *userdata)
{
    const struct values_visit *vv = userdata;

    if (!key_is(key, len, "_values") || pn_data_type(data) != PN_MAP)
        return;
    pn_data_enter(data);
    qmf_map_each(data, vv->each, vv->userdata);
    pn_data_exit(data);
}

/* Calls each for every key of the body's _values map (a body that is one map). */
static int each_body_value(pn_message_t *msg, qmf_map_visitor each, void *userdata)
{
    pn_data_t *body = pn_message_body(msg);
    struct values_visit vv = {each, userdata};

    pn_data_rewind(body);
    if (!pn_data_next(body) || pn_data_type(body) != PN_MAP)
        return -EBADMSG;
    pn_data_enter(body);
    qmf_map_each(body, values_top, &vv);
    pn_data_exit(body);
    return 0;
}

void qmf_console_exception(pn_message_t *msg, int64_t *code, char *text, size_t size)
{
    struct exception_fields fields = {code, text, size};

    *code = 0;
    snprintf(text, size, "unknown error");
    each_body_value(msg, exception_value, &fields);
}

struct agent_fields {
    char *name;
    size_t size;
    uint64_t *epoch;
    bool have_name;
    char *uri;
    size_t uri_size;
};

static void agent_value(const char *key, size_t len, pn_data_t *data, void *userdata)
{
    struct agent_fields *fields = userdata;

    if (key_is(key, len, "_name"))
        fields->have_name = qmf_value_string(data, fields->name, fields->size) == 0;
    else if (key_is(key, len, "_epoch"))
        qmf_value_uint(data, fields->epoch);
    else if (key_is(key, len, "uri") && fields->uri && qmf_value_string(data, fields->uri, fields->uri_size) < 0)
        fields->uri[0] = '\0';
}

int qmf_console_agent_values(pn_message_t *msg, char *name, size_t size, uint64_t *epoch, char *uri,
                             size_t uri_size)
{
    struct agent_fields fields = {name, size, epoch, false, uri, uri_size};

    *epoch = 0;
    if (uri && uri_size)
        uri[0] = '\0';
    if (each_body_value(msg, agent_value, &fields) < 0)
        return -EBADMSG;
    return fields.have_name ? 0 : -EBADMSG;
}

struct object_visit {
    qmf_object_visitor visit;
    void *userdata;
};

static void object_top(const char *key, size_t len, pn_data_t *data, void *userdata)
{
    struct object_visit *ov = userdata;

    if (!key_is(key, len, "_values") || pn_data_type(data) != PN_MAP)
        return;
    pn_data_enter(data);
    ov->visit(data, ov->userdata);
    pn_data_exit(data);
}

static void visit_object(pn_data_t *body, struct object_visit *ov)
{
    pn_data_enter(body);
    qmf_map_each(body, object_top, ov);
    pn_data_exit(body);
}

int qmf_console_each_object(pn_message_t *msg, qmf_object_visitor visit, void *userdata)
{
    pn_data_t *body = pn_message_body(msg);
    struct object_visit ov = {visit, userdata};
    int count = 0;

    pn_data_rewind(body);
    if (!pn_data_next(body))
        return -EBADMSG;
    if (pn_data_type(body) == PN_MAP) {
        visit_object(body, &ov);
        return 1;
    }
    if (pn_data_type(body) != PN_LIST)
        return -EBADMSG;
    pn_data_enter(body);
    while (pn_data_next(body)) {
        if (pn_data_type(body) != PN_MAP)
            continue;
        visit_object(body, &ov);
        count++;
    }
    pn_data_exit(body);
    return count;
}

int qmf_value_string(pn_data_t *data, char *out, size_t size)
{
    pn_bytes_t bytes;

    switch (pn_data_type(data)) {
    case PN_STRING:
        bytes = pn_data_get_string(data);
        break;
    case PN_SYMBOL:
        bytes = pn_data_get_symbol(data);
        break;
    case PN_BINARY:
        bytes = pn_data_get_binary(data);
        break;
    default:
        return -EINVAL;
    }
    if (size == 0 || bytes.size >= size || memchr(bytes.start, '\0', bytes.size))
        return -EINVAL;
    memcpy(out, bytes.start, bytes.size);
    out[bytes.size] = '\0';
    return 0;
}

int qmf_value_int(pn_data_t *data, int64_t *out)
{
    switch (pn_data_type(data)) {
    case PN_BYTE: *out = pn_data_get_byte(data); return 0;
    case PN_SHORT: *out = pn_data_get_short(data); return 0;
    case PN_INT: *out = pn_data_get_int(data); return 0;
    case PN_LONG: *out = pn_data_get_long(data); return 0;
    case PN_UBYTE: *out = pn_data_get_ubyte(data); return 0;
    case PN_USHORT: *out = pn_data_get_ushort(data); return 0;
    case PN_UINT: *out = pn_data_get_uint(data); return 0;
    case PN_ULONG:
        if (pn_data_get_ulong(data) > INT64_MAX)
            return -EINVAL;
        *out = (int64_t) pn_data_get_ulong(data);
        return 0;
    default:
        return -EINVAL;
    }
}

int qmf_value_uint(pn_data_t *data, uint64_t *out)
{
    int64_t value;

    if (pn_data_type(data) == PN_ULONG) {
        *out = pn_data_get_ulong(data);
        return 0;
    }
    if (qmf_value_int(data, &value) < 0 || value < 0)
        return -EINVAL;
    *out = (uint64_t) value;
    return 0;
}

int qmf_value_bool(pn_data_t *data, bool *out)
{
    if (pn_data_type(data) != PN_BOOL)
        return -EINVAL;
    *out = pn_data_get_bool(data);
    return 0;
}
