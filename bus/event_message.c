/* An internal event as the AMQP messages virtbus publishes. */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bus/amqp_value.h"
#include "bus/amqp_writer.h"
#include "bus/event_message.h"
#include "bus/frontend.h"
#include "bus/qmf_schema.h"

static const char *const severity_names[] = { "emerg", "alert", "crit", "error", "warn", "notice", "info", "debug" };

static void lowercase_into(char *dst, size_t size, const char *src)
{
    size_t i;

    for (i = 0; src && src[i] && i + 1 < size; i++)
        dst[i] = (char) tolower((unsigned char) src[i]);
    if (size)
        dst[i] = '\0';
}

/* Lifecycle: libvirt's event and detail, lowercase. Others: virsh's event name, and the
 * device or namespace the event is about where it has one. */
void bus_event_words(const struct vb_event *event, char *event_word, size_t event_size, char *detail_word,
                     size_t detail_size)
{
    const union vb_event_payload *p = &event->payload;
    const char *detail = "";

    if (event->object != VB_OBJECT_DOMAIN) {
        lowercase_into(event_word, event_size, vb_object_event_to_string(event->object, event->id, p->lifecycle.event));
        snprintf(detail_word, detail_size, "%s", "");
        return;
    }
    if (event->id == VB_DOMAIN_EVENT_ID_LIFECYCLE) {
        lowercase_into(event_word, event_size, vb_domain_event_to_string(p->lifecycle.event));
        lowercase_into(detail_word, detail_size,
                       vb_domain_event_detail_to_string(p->lifecycle.event, p->lifecycle.detail));
        return;
    }
    snprintf(event_word, event_size, "%s", vb_domain_event_id_to_string(event->id));
    switch (event->id) {
    case VB_DOMAIN_EVENT_ID_DEVICE_ADDED:
    case VB_DOMAIN_EVENT_ID_DEVICE_REMOVED:
    case VB_DOMAIN_EVENT_ID_DEVICE_REMOVAL_FAILED: detail = p->device.dev_alias; break;
    case VB_DOMAIN_EVENT_ID_METADATA_CHANGE: detail = p->metadata_change.nsuri; break;
    default: break;
    }
    snprintf(detail_word, detail_size, "%s", detail ? detail : "");
}

bool bus_event_published(const struct vb_event *event)
{
    switch (event->object) {
    case VB_OBJECT_DOMAIN:
        return true;
    case VB_OBJECT_NETWORK:
    case VB_OBJECT_STORAGE_POOL:
    case VB_OBJECT_NODE_DEVICE:
        return event->id != VB_EVENT_ID_CHANGED;
    default:
        return false;
    }
}

/* A node device has no UUID: "". */
static void object_uuid(const struct vb_event *event, char uuid[VB_UUID_STRING_LEN])
{
    if (event->object == VB_OBJECT_NODE_DEVICE)
        uuid[0] = '\0';
    else
        vb_uuid_format(event->uuid, uuid);
}

static void format_timestamp(uint64_t usec, char *buf, size_t size)
{
    time_t secs = (time_t) (usec / 1000000u);
    struct tm tm;

    gmtime_r(&secs, &tm);
    snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02d.%06uZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
             tm.tm_hour, tm.tm_min, tm.tm_sec, (unsigned int) (usec % 1000000u));
}

/* A JSON string: quotes, backslashes and control characters escaped; other bytes (UTF-8) as
 * they are. */
static void json_put_string(struct amqp_writer *w, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    const char *run = s;

    amqp_put_raw(w, "\"", 1);
    for (; s && *s; s++) {
        unsigned char c = (unsigned char) *s;
        char escaped[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 0xfu] };

        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        amqp_put_raw(w, run, (size_t) (s - run));
        if (c == '"' || c == '\\') {
            escaped[1] = (char) c;
            amqp_put_raw(w, escaped, 2);
        } else {
            amqp_put_raw(w, escaped, sizeof(escaped));
        }
        run = s + 1;
    }
    if (s)
        amqp_put_raw(w, run, (size_t) (s - run));
    amqp_put_raw(w, "\"", 1);
}

/* "key":"value" and the separator that follows it ("," or what closes the object) */
static void json_put_member(struct amqp_writer *w, const char *key, const char *value, const char *after)
{
    json_put_string(w, key);
    amqp_put_raw(w, ":", 1);
    json_put_string(w, value);
    amqp_put_raw(w, after, strlen(after));
}

/* {seq, host, uri, domain: {name, uuid}, event, detail, timestamp}: written directly, as every
 * event is encoded once for all its subscribers and json-c's object tree costs more than that. */
static void json_put_event(struct amqp_writer *w, const struct vb_event *event, const char *host)
{
    char uuid[VB_UUID_STRING_LEN], event_word[64], detail_word[256], stamp[96], seq[48];

    object_uuid(event, uuid);
    bus_event_words(event, event_word, sizeof(event_word), detail_word, sizeof(detail_word));
    format_timestamp(event->timestamp_usec, stamp, sizeof(stamp));
    snprintf(seq, sizeof(seq), "{\"seq\":%" PRIu64 ",", event->seq);
    amqp_put_raw(w, seq, strlen(seq));
    json_put_member(w, "host", host, ",");
    if (event->object == VB_OBJECT_DOMAIN) {
        json_put_member(w, "uri", event->uri ? event->uri : "", ",\"domain\":{");
    } else {
        char kind_open[64];

        snprintf(kind_open, sizeof(kind_open), ",\"%s\":{", vb_object_kind_to_string(event->object));
        json_put_member(w, "uri", event->uri ? event->uri : "", ",");
        json_put_member(w, "object", vb_object_kind_to_string(event->object), kind_open);
    }
    json_put_member(w, "name", event->name ? event->name : "", ",");
    json_put_member(w, "uuid", uuid, "},");
    json_put_member(w, "event", event_word, ",");
    json_put_member(w, "detail", detail_word, ",");
    json_put_member(w, "timestamp", stamp, "}");
}

char *bus_event_json(const struct vb_event *event, const char *host)
{
    struct amqp_writer w = { 0 };

    json_put_event(&w, event, host);
    amqp_put_raw(&w, "", 1);
    if (w.failed) {
        amqp_writer_free(&w);
        return NULL;
    }
    return w.data;
}

static void append_word(char *dst, size_t size, const char *word)
{
    size_t len = strlen(dst);

    for (size_t i = 0; word && word[i] && len + 1 < size; i++)
        dst[len++] = word[i] == '.' ? '_' : word[i];
    dst[len] = '\0';
}

char *bus_event_routing_key(const struct vb_event *event, const char *host)
{
    char event_word[64], detail_word[256], key[512] = "";

    bus_event_words(event, event_word, sizeof(event_word), detail_word, sizeof(detail_word));
    append_word(key, sizeof(key), host);
    strncat(key, ".", sizeof(key) - strlen(key) - 1);
    if (event->object != VB_OBJECT_DOMAIN) {
        append_word(key, sizeof(key), vb_object_kind_to_string(event->object));
        strncat(key, ".", sizeof(key) - strlen(key) - 1);
    }
    append_word(key, sizeof(key), event->name);
    strncat(key, ".", sizeof(key) - strlen(key) - 1);
    append_word(key, sizeof(key), event_word);
    return strdup(key);
}

static void put_property_string(pn_data_t *props, const char *key, const char *value)
{
    pn_data_put_string(props, pn_bytes(strlen(key), key));
    pn_data_put_string(props, pn_bytes(strlen(value), value));
}

/* properties: message-id, user-id, to, subject, reply-to, correlation-id, content-type */
static void put_json_properties(struct amqp_writer *w, const char *subject)
{
    size_t list;

    amqp_put_section(w, AMQP_SECTION_PROPERTIES);
    list = amqp_begin_list(w);
    amqp_put_null(w);
    amqp_put_null(w);
    amqp_put_null(w);
    amqp_put_string(w, subject);
    amqp_put_null(w);
    amqp_put_null(w);
    amqp_put_symbol(w, "application/json");
    amqp_end_compound(w, list, 7);
}

static void put_json_application_properties(struct amqp_writer *w, const struct vb_event *event, const char *host,
                                            const char *event_word, uint64_t gap_oldest)
{
    size_t map;

    amqp_put_section(w, AMQP_SECTION_APPLICATION_PROPERTIES);
    map = amqp_begin_map(w);
    amqp_put_string(w, "seq");
    amqp_put_ulong(w, event->seq);
    amqp_put_string(w, "event");
    amqp_put_string(w, event_word);
    if (event->object == VB_OBJECT_DOMAIN) {
        amqp_put_string(w, "domain");
        amqp_put_string(w, event->name ? event->name : "");
    } else {
        amqp_put_string(w, "object");
        amqp_put_string(w, vb_object_kind_to_string(event->object));
        amqp_put_string(w, "name");
        amqp_put_string(w, event->name ? event->name : "");
    }
    amqp_put_string(w, "host");
    amqp_put_string(w, host);
    if (gap_oldest) {
        amqp_put_string(w, "virtbus.gap");
        amqp_put_ulong(w, gap_oldest);
    }
    amqp_end_compound(w, map, (gap_oldest ? 10 : 8) + (event->object == VB_OBJECT_DOMAIN ? 0 : 2));
}

int bus_event_json_encode(const struct vb_event *event, const char *host, uint64_t gap_oldest,
                          struct amqp_writer *w)
{
    char *key = bus_event_routing_key(event, host);
    char event_word[64], detail_word[256];
    size_t body;

    amqp_writer_reset(w);
    if (!key)
        return -1;
    bus_event_words(event, event_word, sizeof(event_word), detail_word, sizeof(detail_word));
    put_json_properties(w, key);
    put_json_application_properties(w, event, host, event_word, gap_oldest);
    amqp_put_section(w, AMQP_SECTION_DATA);
    body = amqp_begin_binary(w);
    json_put_event(w, event, host);
    amqp_end_binary(w, body);
    free(key);
    return w->failed ? -1 : 0;
}

const char *bus_event_qmf_class(const struct vb_event *event)
{
    switch (event->object) {
    case VB_OBJECT_NETWORK:
        return "networkLifecycle";
    case VB_OBJECT_STORAGE_POOL:
        return "poolLifecycle";
    case VB_OBJECT_NODE_DEVICE:
        return "nodeDeviceLifecycle";
    default:
        return event->id == VB_DOMAIN_EVENT_ID_LIFECYCLE ? "domainLifecycle" : "domainEvent";
    }
}

int bus_event_qmf_severity(const struct vb_event *event)
{
    if (event->object != VB_OBJECT_DOMAIN || event->id != VB_DOMAIN_EVENT_ID_LIFECYCLE)
        return 6;
    if (event->payload.lifecycle.event == VB_EVENT_CRASHED ||
        (event->payload.lifecycle.event == VB_EVENT_STOPPED &&
         event->payload.lifecycle.detail == VB_EVENT_STOPPED_CRASHED))
        return 3;
    if (event->payload.lifecycle.event == VB_EVENT_STOPPED && event->payload.lifecycle.detail == VB_EVENT_STOPPED_FAILED)
        return 4;
    return 6;
}

char *bus_event_qmf_subject(const struct vb_event *event)
{
    char *subject = NULL;

    if (asprintf(&subject, "agent.ind.event.org_libvirt.%s.%s.virtbus_org.virtbusd", bus_event_qmf_class(event),
                 severity_names[bus_event_qmf_severity(event)]) < 0)
        return NULL;
    return subject;
}

static void put_values(pn_data_t *body, const struct vb_event *event, const char *host)
{
    char uuid[VB_UUID_STRING_LEN], event_word[64], detail_word[256], stamp[96];

    object_uuid(event, uuid);
    bus_event_words(event, event_word, sizeof(event_word), detail_word, sizeof(detail_word));
    format_timestamp(event->timestamp_usec, stamp, sizeof(stamp));
    bus_put_map(body, "_values");
    bus_put_string(body, "uuid", uuid);
    bus_put_string(body, "name", event->name);
    bus_put_string(body, "event", event_word);
    bus_put_string(body, "detail", detail_word);
    bus_put_uint64(body, "seq", event->seq);
    bus_put_string(body, "host", host);
    bus_put_string(body, "timestamp", stamp);
    pn_data_exit(body);
}

pn_message_t *bus_event_qmf_message(const struct vb_event *event, const char *host, const char *agent_name)
{
    pn_message_t *msg = pn_message();
    char *subject = bus_event_qmf_subject(event);
    pn_data_t *props, *body;

    if (!msg || !subject) {
        pn_message_free(msg);
        free(subject);
        return NULL;
    }
    pn_message_set_subject(msg, subject);
    free(subject);
    props = pn_message_properties(msg);
    pn_data_put_map(props);
    pn_data_enter(props);
    put_property_string(props, "x-amqp-0-10.app-id", "qmf2");
    put_property_string(props, "qmf.opcode", "_data_indication");
    put_property_string(props, "qmf.content", "_event");
    put_property_string(props, "qmf.agent", agent_name);
    put_property_string(props, "method", "indication");
    pn_data_exit(props);
    body = pn_message_body(msg);
    pn_data_put_list(body);
    pn_data_enter(body);
    pn_data_put_map(body);
    pn_data_enter(body);
    pn_data_put_string(body, pn_bytes(10, "_schema_id"));
    bus_qmf_put_schema_id(body, bus_event_qmf_class(event));
    put_values(body, event, host);
    bus_put_uint64(body, "_timestamp", event->timestamp_usec * 1000u);
    bus_put_uint32(body, "_severity", (uint32_t) bus_event_qmf_severity(event));
    pn_data_exit(body);
    pn_data_exit(body);
    return msg;
}

int bus_events_parse_address(const char *address, bool *has_from, uint64_t *from)
{
    size_t len = strlen(BUS_EVENTS_ADDRESS);
    const char *digits;
    char *end = NULL;

    *has_from = false;
    if (!address || strncmp(address, BUS_EVENTS_ADDRESS, len) != 0)
        return -1;
    if (address[len] == '\0')
        return 0;
    if (strncmp(address + len, "?from=", 6) != 0)
        return -1;
    digits = address + len + 6;
    if (*digits < '0' || *digits > '9')
        return -1;
    errno = 0;
    *from = strtoull(digits, &end, 10);
    if (errno || *end)
        return -1;
    *has_from = true;
    return 0;
}
