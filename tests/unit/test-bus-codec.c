/* The AMQP front end's pure pieces: topic bindings, broker URLs, event addresses, QMF
 * predicates, value depth and copy, and the JSON event body and message. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <json-c/json.h>
#include <proton/message.h>

#include "bus/amqp_value.h"
#include "bus/broker_url.h"
#include "bus/event_message.h"
#include "bus/frontend.h"
#include "bus/qmf.h"

static void test_topic_matching(void **state)
{
    assert_true(bus_topic_matches("#", "agent.ind.event.x"));
    assert_true(bus_topic_matches("agent.ind.#", "agent.ind.heartbeat.virtbus_org.virtbusd"));
    assert_true(bus_topic_matches("agent.ind.#", "agent.ind"));
    assert_true(bus_topic_matches("agent.*.event.#", "agent.ind.event.a.b"));
    assert_true(bus_topic_matches("#.virtbusd", "agent.ind.heartbeat.virtbus_org.virtbusd"));
    assert_true(bus_topic_matches("a.#.b.#.c", "a.x.b.y.z.c"));
    assert_false(bus_topic_matches("agent.*", "agent.ind.event"));
    assert_false(bus_topic_matches("agent.ind.heartbeat.#", "agent.ind.event.x"));
    assert_false(bus_topic_matches("a.#.b", "a.x.c"));
    assert_false(bus_topic_matches(NULL, "a"));
}

/* A binding of 100 '#' words against a long subject: a backtracking matcher never ends. */
static void test_topic_matching_pathological_binding_is_fast(void **state)
{
    char binding[256] = "", subject[256] = "";

    for (int i = 0; i < 100; i++)
        strcat(binding, i ? ".#" : "#");
    strcat(binding, ".x");
    for (int i = 0; i < 60; i++)
        strcat(subject, i ? ".a" : "a");
    assert_false(bus_topic_matches(binding, subject));
}

static void test_broker_urls(void **state)
{
    struct bus_broker_url url;

    assert_int_equal(bus_broker_url_parse("amqp://guest:secret@127.0.0.1:5673", &url), 0);
    assert_string_equal(url.user, "guest");
    assert_string_equal(url.password, "secret");
    assert_string_equal(url.host, "127.0.0.1");
    assert_string_equal(url.port, "5673");
    assert_false(url.tls);
    assert_int_equal(bus_broker_url_parse("amqps://broker.example/", &url), 0);
    assert_true(url.tls);
    assert_string_equal(url.port, "5671");
    assert_int_equal(bus_broker_url_parse("amqp://[::1]:99", &url), 0);
    assert_string_equal(url.host, "::1");
    assert_int_equal(bus_broker_url_parse("http://x", &url), -1);
    assert_int_equal(bus_broker_url_parse("amqp://", &url), -1);
    assert_int_equal(bus_broker_url_parse("amqp://h:port", &url), -1);
    assert_int_equal(bus_broker_url_parse("amqp://h/vhost/extra", &url), -1);
}

static void test_event_addresses(void **state)
{
    bool has_from;
    uint64_t from = 0;

    assert_int_equal(bus_events_parse_address("virtbus.events", &has_from, &from), 0);
    assert_false(has_from);
    assert_int_equal(bus_events_parse_address("virtbus.events?from=42", &has_from, &from), 0);
    assert_true(has_from);
    assert_int_equal(from, 42);
    assert_int_equal(bus_events_parse_address("virtbus.events?from=", &has_from, &from), -1);
    assert_int_equal(bus_events_parse_address("virtbus.events?from=-1", &has_from, &from), -1);
    assert_int_equal(bus_events_parse_address("virtbus.events?from=99999999999999999999999", &has_from, &from),
                     -1);
    assert_int_equal(bus_events_parse_address("virtbus.eventsX", &has_from, &from), -1);
}

/* {name: "vm1", vcpus: 2, active: true} as a QMF _values map. */
static pn_data_t *values_map(void)
{
    pn_data_t *values = pn_data(0);

    pn_data_put_map(values);
    pn_data_enter(values);
    bus_put_string(values, "name", "vm1");
    bus_put_uint32(values, "vcpus", 2);
    bus_put_bool(values, "active", true);
    pn_data_exit(values);
    pn_data_rewind(values);
    pn_data_next(values);
    return values;
}

/* Builds a predicate from a tiny prefix notation: "[" opens a list, "]" closes it, 'q:x' a
 * quoted string, 'n:5' a number, other words strings. */
static pn_data_t *predicate(const char *text)
{
    pn_data_t *p = pn_data(0);
    char *copy = strdup(text), *save = NULL;

    for (char *w = strtok_r(copy, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
        if (strcmp(w, "[") == 0) {
            pn_data_put_list(p);
            pn_data_enter(p);
        } else if (strcmp(w, "]") == 0) {
            pn_data_exit(p);
        } else if (strncmp(w, "q:", 2) == 0) {
            pn_data_put_list(p);
            pn_data_enter(p);
            pn_data_put_string(p, pn_bytes(5, "quote"));
            pn_data_put_string(p, pn_bytes(strlen(w + 2), w + 2));
            pn_data_exit(p);
        } else if (strncmp(w, "n:", 2) == 0) {
            pn_data_put_long(p, atol(w + 2));
        } else {
            pn_data_put_string(p, pn_bytes(strlen(w), w));
        }
    }
    free(copy);
    pn_data_rewind(p);
    pn_data_next(p);
    return p;
}

static int where(const char *text)
{
    pn_data_t *p = predicate(text), *v = values_map();
    char err[128];
    int r = bus_qmf_where(p, v, err, sizeof(err));

    pn_data_free(p);
    pn_data_free(v);
    return r;
}

static void test_where_predicates(void **state)
{
    assert_int_equal(where("[ eq name q:vm1 ]"), 1);
    assert_int_equal(where("[ eq name q:vm2 ]"), 0);
    assert_int_equal(where("[ gt vcpus n:1 ]"), 1);
    assert_int_equal(where("[ le vcpus n:1 ]"), 0);
    assert_int_equal(where("[ and [ exists active ] [ ne name q:x ] ]"), 1);
    assert_int_equal(where("[ or [ false ] [ re_match name q:^vm[0-9]$ ] ]"), 1);
    assert_int_equal(where("[ not [ true ] ]"), 0);
    assert_int_equal(where("[ eq missing q:x ]"), 0);
    assert_int_equal(where("[ ne missing q:x ]"), 1);
    assert_int_equal(where("[ bogus name q:x ]"), -1);
    assert_int_equal(where("[ not [ true ] [ true ] ]"), -1);
    assert_int_equal(where("[ re_match name q:(a)\\1 ]"), -1);
    assert_int_equal(where("[ re_match name q:[ ]"), -1);
}

static void test_where_refuses_deep_nesting(void **state)
{
    pn_data_t *p = pn_data(0), *v = values_map();
    char err[128];

    for (int i = 0; i < 100; i++) {
        pn_data_put_list(p);
        pn_data_enter(p);
        pn_data_put_string(p, pn_bytes(3, "not"));
    }
    pn_data_put_list(p);
    pn_data_enter(p);
    pn_data_put_string(p, pn_bytes(4, "true"));
    pn_data_rewind(p);
    pn_data_next(p);
    assert_int_equal(bus_qmf_where(p, v, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "too deeply"));
    pn_data_free(p);
    pn_data_free(v);
}

static void test_value_copy_keeps_position_and_depth_is_bounded(void **state)
{
    pn_data_t *src = values_map(), *dst = pn_data(0);
    char *name;

    assert_true(bus_map_find(src, "name"));
    pn_data_exit(src);
    assert_int_equal(bus_value_copy(dst, src), 0); /* the whole map, from where src points */
    pn_data_rewind(dst);
    pn_data_next(dst);
    assert_true(bus_map_find(dst, "name"));
    name = bus_value_dup_string(dst);
    assert_string_equal(name, "vm1");
    free(name);
    assert_int_equal(bus_value_depth(src, 32), 1);
    pn_data_free(src);
    pn_data_free(dst);
}

static void test_event_json_and_routing_key(void **state)
{
    struct vb_event ev;
    const unsigned char uuid[VB_UUID_LEN] = { 1, 2, 3 };
    json_object *root, *field;
    char *text, *key;

    vb_event_init_domain(&ev, "test", "test:///default", uuid, "web.1", VB_DOMAIN_EVENT_ID_LIFECYCLE);
    ev.payload.lifecycle.event = VB_EVENT_STOPPED;
    ev.payload.lifecycle.detail = VB_EVENT_STOPPED_DESTROYED;
    ev.seq = 7;
    ev.timestamp_usec = 1700000000123456ull;
    text = bus_event_json(&ev, "host.example");
    root = json_tokener_parse(text);
    assert_non_null(root);
    assert_true(json_object_object_get_ex(root, "event", &field));
    assert_string_equal(json_object_get_string(field), "stopped");
    assert_true(json_object_object_get_ex(root, "detail", &field));
    assert_string_equal(json_object_get_string(field), "destroyed");
    assert_true(json_object_object_get_ex(root, "seq", &field));
    assert_int_equal(json_object_get_int64(field), 7);
    assert_true(json_object_object_get_ex(root, "timestamp", &field));
    assert_string_equal(json_object_get_string(field), "2023-11-14T22:13:20.123456Z");
    json_object_put(root);
    free(text);
    key = bus_event_routing_key(&ev, "host.example");
    assert_string_equal(key, "host_example.web_1.stopped");
    free(key);
    assert_string_equal(bus_event_qmf_class(&ev), "domainLifecycle");
}

static const char *property_string(pn_data_t *props, const char *key)
{
    pn_data_rewind(props);
    pn_data_next(props);
    if (!bus_map_find(props, key))
        return NULL;
    return pn_data_type(props) == PN_STRING ? pn_data_get_string(props).start : NULL;
}

static uint64_t property_ulong(pn_data_t *props, const char *key)
{
    pn_data_rewind(props);
    pn_data_next(props);
    return bus_map_find(props, key) && pn_data_type(props) == PN_ULONG ? pn_data_get_ulong(props) : 0;
}

static void assert_json_field(json_object *obj, const char *key, const char *expected)
{
    json_object *field;

    assert_true(json_object_object_get_ex(obj, key, &field));
    assert_string_equal(json_object_get_string(field), expected);
}

/* The JSON event message is written byte by byte (bus/amqp_writer.c): proton must read it back
 * as the message it stands for, names needing JSON escapes and 32-bit lengths included. */
static void test_event_json_message_decodes(void **state)
{
    static const char awkward[] = "q\"uote\\back\nline\x01ctl-\xc3\xa9t\xc3\xa9";
    const unsigned char uuid[VB_UUID_LEN] = { 0xab };
    struct amqp_writer w = { 0 };
    pn_message_t *msg = pn_message();
    char long_name[300], host[] = "h.example";
    const char *names[] = { awkward, long_name };

    memset(long_name, 'n', sizeof(long_name) - 1);
    long_name[sizeof(long_name) - 1] = '\0';
    for (size_t i = 0; i < 2; i++) {
        struct vb_event ev;
        pn_bytes_t body;
        char *json;
        pn_data_t *props;
        json_object *root, *domain;

        vb_event_init_domain(&ev, "test", "test:///default", uuid, names[i], VB_DOMAIN_EVENT_ID_LIFECYCLE);
        ev.payload.lifecycle.event = VB_EVENT_SUSPENDED;
        ev.payload.lifecycle.detail = VB_EVENT_SUSPENDED_PAUSED;
        ev.seq = 4000000000ull + i;
        ev.timestamp_usec = 1700000000000001ull;
        assert_int_equal(bus_event_json_encode(&ev, host, i ? 0 : 17, &w), 0);
        pn_message_clear(msg);
        assert_int_equal(pn_message_decode(msg, w.data, w.len), 0);
        json = bus_event_routing_key(&ev, host);
        assert_string_equal(pn_message_get_subject(msg), json);
        free(json);
        assert_string_equal(pn_message_get_content_type(msg), "application/json");
        props = pn_message_properties(msg);
        assert_int_equal(property_ulong(props, "seq"), ev.seq);
        assert_string_equal(property_string(props, "event"), "suspended");
        assert_string_equal(property_string(props, "domain"), names[i]);
        assert_string_equal(property_string(props, "host"), host);
        assert_int_equal(property_ulong(props, "virtbus.gap"), i ? 0 : 17);
        pn_data_rewind(pn_message_body(msg));
        assert_true(pn_data_next(pn_message_body(msg)));
        assert_int_equal(pn_data_type(pn_message_body(msg)), PN_BINARY);
        body = pn_data_get_binary(pn_message_body(msg));
        json = strndup(body.start, body.size);
        root = json_tokener_parse(json);
        assert_non_null(root);
        assert_true(json_object_object_get_ex(root, "domain", &domain));
        assert_json_field(domain, "name", names[i]);
        assert_json_field(domain, "uuid", "ab000000-0000-0000-0000-000000000000");
        assert_json_field(root, "uri", "test:///default");
        assert_json_field(root, "host", host);
        assert_json_field(root, "detail", "paused");
        assert_json_field(root, "timestamp", "2023-11-14T22:13:20.000001Z");
        assert_true(json_object_object_get_ex(root, "seq", &domain));
        assert_int_equal(json_object_get_int64(domain), (int64_t) ev.seq);
        json_object_put(root);
        free(json);
    }
    pn_message_free(msg);
    amqp_writer_free(&w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_topic_matching),
        cmocka_unit_test(test_topic_matching_pathological_binding_is_fast),
        cmocka_unit_test(test_broker_urls),
        cmocka_unit_test(test_event_addresses),
        cmocka_unit_test(test_where_predicates),
        cmocka_unit_test(test_where_refuses_deep_nesting),
        cmocka_unit_test(test_value_copy_keeps_position_and_depth_is_bounded),
        cmocka_unit_test(test_event_json_and_routing_key),
        cmocka_unit_test(test_event_json_message_decodes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
