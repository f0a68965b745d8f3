/* Unit tests for the test driver through the public API: libvirt's default node, lifecycle
 * with states, reasons and events, errors in libvirt's words, and persistence of test:///PATH. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/domain.h"
#include "conf/domain_obj.h"
#include "events/event.h"
#include "tests/unit/sync_call.h"

#define TEST_UUID "6695eb01-f6a4-8304-79aa-97f2502e193f"
#define NEW_XML "<domain type='test'><name>fresh</name><uuid>4dea22b3-1d52-d8f3-2516-782e98ab3fa0</uuid>" \
                "<memory unit='MiB'>512</memory><vcpu current='1'>4</vcpu><os><type>hvm</type></os></domain>"

struct fixture {
    struct vb_event_stream *events;
    struct vb_connect *conn;
    int seen[64][2];
    int n_seen;
    unsigned char test_uuid[VB_UUID_LEN];
    unsigned char fresh_uuid[VB_UUID_LEN];
};

static void record_event(const struct vb_event *event, void *userdata)
{
    struct fixture *f = userdata;

    if (f->n_seen < 64) {
        if (event->id != VB_DOMAIN_EVENT_ID_LIFECYCLE)
            return;
        f->seen[f->n_seen][0] = event->payload.lifecycle.event;
        f->seen[f->n_seen][1] = event->payload.lifecycle.detail;
        f->n_seen++;
    }
}

static struct fixture *fixture_open(const char *uri, const char *state_dir)
{
    struct fixture *f = calloc(1, sizeof(*f));
    struct vb_driver_env env = { 0 };
    struct vb_error err = VB_ERROR_INIT;

    assert_non_null(f);
    f->events = vb_event_stream_new(16);
    assert_true(vb_event_subscribe(f->events, record_event, f) > 0);
    env.events = f->events;
    env.state_dir = state_dir;
    if (vb_connect_open(uri, &env, &f->conn, &err) < 0)
        fail_msg("open %s: %s", uri, vb_error_message(&err));
    vb_uuid_parse(TEST_UUID, f->test_uuid);
    vb_uuid_parse("4dea22b3-1d52-d8f3-2516-782e98ab3fa0", f->fresh_uuid);
    return f;
}

static void fixture_close(struct fixture *f)
{
    vb_connect_close(f->conn);
    vb_event_stream_free(f->events);
    free(f);
}

static int setup(void **state)
{
    *state = fixture_open("test:///default", NULL);
    return 0;
}

static int teardown(void **state)
{
    fixture_close(*state);
    return 0;
}

/* Delivers queued events and checks they were exactly the expected (event, detail) pairs. */
static void expect_events(struct fixture *f, int n, const int expected[][2])
{
    f->n_seen = 0;
    vb_event_stream_dispatch(f->events);
    assert_int_equal(f->n_seen, n);
    for (int i = 0; i < n; i++) {
        assert_int_equal(f->seen[i][0], expected[i][0]);
        assert_int_equal(f->seen[i][1], expected[i][1]);
    }
}

static void expect_state(struct fixture *f, vb_uuid_t uuid, int state, int reason)
{
    struct vb_error err = VB_ERROR_INIT;
    int s, r;

    assert_int_equal(vb_domain_get_state(f->conn, uuid, &s, &r, &err), 0);
    assert_int_equal(s, state);
    assert_int_equal(r, reason);
}

static void expect_error(int r, struct vb_error *err, const char *message)
{
    assert_int_equal(r, -1);
    assert_string_equal(err->message, message);
    vb_error_clear(err);
}

static void default_node_has_running_test_domain(void **state)
{
    struct fixture *f = *state;
    struct vb_error err = VB_ERROR_INIT;
    struct vb_domain_ref *refs = NULL, ref = { 0 };
    struct vb_node_info node;
    size_t n = 0;

    assert_int_equal(vb_domain_list(f->conn, 0, &refs, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_string_equal(refs[0].name, "test");
    assert_int_equal(refs[0].id, 1);
    assert_memory_equal(refs[0].uuid, f->test_uuid, VB_UUID_LEN);
    vb_domain_refs_free(refs, n);
    expect_state(f, f->test_uuid, VB_DOMAIN_RUNNING, VB_RUNNING_BOOTED);
    assert_int_equal(vb_domain_lookup_by_id(f->conn, 1, &ref, &err), 0);
    assert_string_equal(ref.name, "test");
    vb_domain_ref_clear(&ref);
    assert_int_equal(OP(vb_connect_node_get_info(f->conn, CALL, &node), &err), 0);
    assert_string_equal(node.model, "i686");
    assert_int_equal(node.cpus, 16);
    assert_int_equal(node.mhz, 1400);
    assert_int_equal(node.memory_kib, 3145728);
    expect_error(vb_domain_lookup_by_name(f->conn, "nope", &ref, &err), &err,
                 "Domain not found: no domain with matching name 'nope'");
}

static void suspend_resume_destroy_start_follow_libvirt(void **state)
{
    struct fixture *f = *state;
    struct vb_error err = VB_ERROR_INIT;

    assert_int_equal(OP(vb_domain_suspend(f->conn, CALL, f->test_uuid), &err), 0);
    expect_state(f, f->test_uuid, VB_DOMAIN_PAUSED, VB_PAUSED_USER);
    expect_error(OP(vb_domain_suspend(f->conn, CALL, f->test_uuid), &err), &err,
                 "internal error: domain 'test' not running");
    assert_int_equal(OP(vb_domain_resume(f->conn, CALL, f->test_uuid), &err), 0);
    expect_error(OP(vb_domain_resume(f->conn, CALL, f->test_uuid), &err), &err, "internal error: domain 'test' not paused");
    assert_int_equal(OP(vb_domain_destroy(f->conn, CALL, f->test_uuid, 0), &err), 0);
    expect_state(f, f->test_uuid, VB_DOMAIN_SHUTOFF, VB_SHUTOFF_DESTROYED);
    expect_error(OP(vb_domain_destroy(f->conn, CALL, f->test_uuid, 0), &err), &err,
                 "Requested operation is not valid: domain is not running");
    assert_int_equal(OP(vb_domain_create(f->conn, CALL, f->test_uuid, 0), &err), 0);
    expect_state(f, f->test_uuid, VB_DOMAIN_RUNNING, VB_RUNNING_BOOTED);
    expect_error(OP(vb_domain_create(f->conn, CALL, f->test_uuid, 0), &err), &err,
                 "Requested operation is not valid: domain is already running");
    assert_int_equal(OP(vb_domain_shutdown(f->conn, CALL, f->test_uuid, 0), &err), 0);
    expect_state(f, f->test_uuid, VB_DOMAIN_SHUTOFF, VB_SHUTOFF_SHUTDOWN);
    expect_events(f, 5, (const int[][2]){ { VB_EVENT_SUSPENDED, VB_EVENT_SUSPENDED_PAUSED },
                                           { VB_EVENT_RESUMED, VB_EVENT_RESUMED_UNPAUSED },
                                           { VB_EVENT_STOPPED, VB_EVENT_STOPPED_DESTROYED },
                                           { VB_EVENT_STARTED, VB_EVENT_STARTED_BOOTED },
                                           { VB_EVENT_STOPPED, VB_EVENT_STOPPED_SHUTDOWN } });
}

static void ids_are_allocated_on_start_and_never_reused(void **state)
{
    struct fixture *f = *state;
    struct vb_error err = VB_ERROR_INIT;
    struct vb_domain_ref ref = { 0 };

    assert_int_equal(OP(vb_domain_destroy(f->conn, CALL, f->test_uuid, 0), &err), 0);
    assert_int_equal(OP(vb_domain_create(f->conn, CALL, f->test_uuid, VB_START_PAUSED), &err), 0);
    expect_state(f, f->test_uuid, VB_DOMAIN_PAUSED, VB_PAUSED_USER);
    assert_int_equal(vb_domain_lookup_by_uuid(f->conn, f->test_uuid, &ref, &err), 0);
    assert_int_equal(ref.id, 2);
    vb_domain_ref_clear(&ref);
    expect_error(vb_domain_lookup_by_id(f->conn, 1, &ref, &err), &err, "Domain not found: no domain with matching id 1");
    expect_events(f, 3, (const int[][2]){ { VB_EVENT_STOPPED, VB_EVENT_STOPPED_DESTROYED },
                                           { VB_EVENT_STARTED, VB_EVENT_STARTED_BOOTED },
                                           { VB_EVENT_SUSPENDED, VB_EVENT_SUSPENDED_PAUSED } });
}

static void define_update_undefine_emit_defined_and_undefined(void **state)
{
    struct fixture *f = *state;
    struct vb_error err = VB_ERROR_INIT;
    struct vb_domain_ref ref = { 0 };
    struct vb_domain_info info = { 0 };

    assert_int_equal(OP(vb_domain_define_xml(f->conn, CALL, NEW_XML, 0, &ref), &err), 0);
    assert_string_equal(ref.name, "fresh");
    assert_int_equal(ref.id, -1);
    vb_domain_ref_clear(&ref);
    assert_int_equal(OP(vb_domain_define_xml(f->conn, CALL, NEW_XML, 0, &ref), &err), 0);
    vb_domain_ref_clear(&ref);
    assert_int_equal(vb_domain_get_info(f->conn, f->fresh_uuid, &info, &err), 0);
    assert_int_equal(info.max_memory_kib, 512 * 1024);
    assert_int_equal(info.vcpus, 1);
    assert_true(info.persistent);
    assert_int_equal(info.state, VB_DOMAIN_SHUTOFF);
    vb_domain_info_clear(&info);
    assert_int_equal(OP(vb_domain_undefine(f->conn, CALL, f->fresh_uuid, 0), &err), 0);
    expect_error(vb_domain_get_info(f->conn, f->fresh_uuid, &info, &err), &err,
                 "Domain not found: no domain with matching uuid '4dea22b3-1d52-d8f3-2516-782e98ab3fa0'");
    expect_events(f, 3, (const int[][2]){ { VB_EVENT_DEFINED, VB_EVENT_DEFINED_ADDED },
                                           { VB_EVENT_DEFINED, VB_EVENT_DEFINED_UPDATED },
                                           { VB_EVENT_UNDEFINED, VB_EVENT_UNDEFINED_REMOVED } });
}

static void bad_definitions_change_nothing(void **state)
{
    struct fixture *f = *state;
    struct vb_error err = VB_ERROR_INIT;
    struct vb_domain_ref ref = { 0 };
    struct vb_domain_ref *refs = NULL;
    size_t n = 0;

    assert_int_equal(OP(vb_domain_define_xml(f->conn, CALL, "<domain type='test'><name>x</name>", 0, &ref), &err), -1);
    assert_int_equal(err.code, VB_ERR_XML_DETAIL);
    vb_error_clear(&err);
    expect_error(OP(vb_domain_define_xml(f->conn, CALL, "<domain type='test'><name>test</name><memory>1</memory>"
                                               "<os><type>hvm</type></os></domain>", 0, &ref), &err), &err,
                 "operation failed: domain 'test' already exists with uuid " TEST_UUID);
    expect_error(OP(vb_domain_define_xml(f->conn, CALL, "<domain type='test'><name>other</name><uuid>" TEST_UUID "</uuid>"
                                               "<memory>1</memory><os><type>hvm</type></os></domain>", 0, &ref), &err),
                 &err, "operation failed: domain 'test' is already defined with uuid " TEST_UUID);
    assert_int_equal(vb_domain_list(f->conn, 0, &refs, &n, &err), 0);
    assert_int_equal(n, 1);
    vb_domain_refs_free(refs, n);
    expect_events(f, 0, NULL);
}

/* libvirt's testDomainDefineXMLFlags refuses a newline in the name (virXMLCheckIllegalChars,
 * whose error has no prefix); its CreateXML does not check. */
static void define_refuses_a_newline_in_the_name(void **state)
{
    struct fixture *f = *state;
    struct vb_error err = VB_ERROR_INIT;
    struct vb_domain_ref ref = { 0 };
    static const char xml[] = "<domain type='test'><name>a\nb</name><memory>1</memory>"
                              "<os><type>hvm</type></os></domain>";

    assert_int_equal(OP(vb_domain_define_xml(f->conn, CALL, xml, 0, &ref), &err), -1);
    assert_int_equal(err.code, VB_ERR_XML_DETAIL);
    assert_string_equal(err.message, "invalid char in name: \n");
    vb_error_clear(&err);
    assert_int_equal(vb_domain_lookup_by_name(f->conn, "a\nb", &ref, &err), -1);
    vb_error_clear(&err);
    expect_events(f, 0, NULL);

    assert_int_equal(OP(vb_domain_create_xml(f->conn, CALL, xml, 0, &ref), &err), 0);
    assert_string_equal(ref.name, "a\nb");
    vb_domain_ref_clear(&ref);
}

static void transient_domain_vanishes_when_stopped(void **state)
{
    struct fixture *f = *state;
    struct vb_error err = VB_ERROR_INIT;
    struct vb_domain_ref ref = { 0 };

    assert_int_equal(OP(vb_domain_create_xml(f->conn, CALL, NEW_XML, 0, &ref), &err), 0);
    assert_int_equal(ref.id, 2);
    vb_domain_ref_clear(&ref);
    expect_error(OP(vb_domain_undefine(f->conn, CALL, f->fresh_uuid, 0), &err), &err,
                 "Requested operation is not valid: cannot undefine transient domain");
    expect_error(OP(vb_domain_managed_save(f->conn, CALL, f->fresh_uuid, 0), &err), &err,
                 "Requested operation is not valid: cannot do managed save for transient domain");
    assert_int_equal(OP(vb_domain_destroy(f->conn, CALL, f->fresh_uuid, 0), &err), 0);
    assert_int_equal(vb_domain_lookup_by_uuid(f->conn, f->fresh_uuid, &ref, &err), -1);
    vb_error_clear(&err);
    expect_events(f, 2, (const int[][2]){ { VB_EVENT_STARTED, VB_EVENT_STARTED_BOOTED },
                                           { VB_EVENT_STOPPED, VB_EVENT_STOPPED_DESTROYED } });
}

static void managed_save_then_start_restores(void **state)
{
    struct fixture *f = *state;
    struct vb_error err = VB_ERROR_INIT;
    bool has_image = false;

    assert_int_equal(OP(vb_domain_managed_save(f->conn, CALL, f->test_uuid, 0), &err), 0);
    expect_state(f, f->test_uuid, VB_DOMAIN_SHUTOFF, VB_SHUTOFF_SAVED);
    assert_int_equal(OP(vb_domain_has_managed_save(f->conn, CALL, f->test_uuid, 0, &has_image), &err), 0);
    assert_true(has_image);
    expect_error(OP(vb_domain_undefine(f->conn, CALL, f->test_uuid, 0), &err), &err,
                 "Requested operation is not valid: Refusing to undefine while domain managed save image exists");
    assert_int_equal(OP(vb_domain_create(f->conn, CALL, f->test_uuid, 0), &err), 0);
    expect_state(f, f->test_uuid, VB_DOMAIN_RUNNING, VB_RUNNING_RESTORED);
    assert_int_equal(OP(vb_domain_has_managed_save(f->conn, CALL, f->test_uuid, 0, &has_image), &err), 0);
    assert_false(has_image);
    expect_error(OP(vb_domain_managed_save(f->conn, CALL, f->test_uuid, VB_SAVE_RUNNING | VB_SAVE_PAUSED), &err), &err,
                 "invalid argument: flags 'running' and 'paused' are mutually exclusive");
    expect_events(f, 2, (const int[][2]){ { VB_EVENT_STOPPED, VB_EVENT_STOPPED_SAVED },
                                           { VB_EVENT_STARTED, VB_EVENT_STARTED_RESTORED } });
}

static void save_to_file_and_restore(void **state)
{
    struct fixture *f = *state;
    struct vb_error err = VB_ERROR_INIT;
    char path[] = "/tmp/vb-save-XXXXXX";
    int fd = mkstemp(path);

    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(OP(vb_domain_suspend(f->conn, CALL, f->test_uuid), &err), 0);
    assert_int_equal(OP(vb_domain_save(f->conn, CALL, f->test_uuid, path, NULL, 0), &err), 0);
    expect_state(f, f->test_uuid, VB_DOMAIN_SHUTOFF, VB_SHUTOFF_SAVED);
    assert_int_equal(OP(vb_domain_restore(f->conn, CALL, path, NULL, 0), &err), 0);
    expect_state(f, f->test_uuid, VB_DOMAIN_PAUSED, VB_PAUSED_USER); /* it was paused when saved */
    expect_error(OP(vb_domain_restore(f->conn, CALL, "relative", NULL, 0), &err), &err,
                 "invalid argument: path 'relative' must be absolute");
    expect_error(OP(vb_domain_restore(f->conn, CALL, "/etc/hostname", NULL, 0), &err), &err,
                 "internal error: mismatched header magic");
    unlink(path);
    expect_events(f, 4, (const int[][2]){ { VB_EVENT_SUSPENDED, VB_EVENT_SUSPENDED_PAUSED },
                                           { VB_EVENT_STOPPED, VB_EVENT_STOPPED_SAVED },
                                           { VB_EVENT_STARTED, VB_EVENT_STARTED_RESTORED },
                                           { VB_EVENT_SUSPENDED, VB_EVENT_SUSPENDED_PAUSED } });
}

static void vcpus_and_memory_live_vs_config(void **state)
{
    struct fixture *f = *state;
    struct vb_error err = VB_ERROR_INIT;
    struct vb_domain_info info = { 0 };
    char *xml;

    assert_int_equal(OP(vb_domain_set_vcpus(f->conn, CALL, f->test_uuid, 1, VB_VCPU_LIVE), &err), 0);
    assert_int_equal(vb_domain_get_info(f->conn, f->test_uuid, &info, &err), 0);
    assert_int_equal(info.vcpus, 1);
    assert_true(info.updated);
    vb_domain_info_clear(&info);
    /* The persistent definition still has 2. */
    assert_int_equal(OP(vb_domain_get_xml_desc(f->conn, CALL, f->test_uuid, VB_DOMAIN_XML_INACTIVE, &xml), &err), 0);
    assert_non_null(xml);
    assert_non_null(strstr(xml, ">2</vcpu>"));
    free(xml);
    expect_error(OP(vb_domain_set_vcpus(f->conn, CALL, f->test_uuid, 3, 0), &err), &err,
                 "invalid argument: requested cpu amount exceeds maximum (3 > 2)");
    expect_error(OP(vb_domain_set_vcpus(f->conn, CALL, f->test_uuid, 4, VB_VCPU_MAXIMUM), &err), &err,
                 "Requested operation is not valid: cannot hotplug vcpus for an active domain");
    assert_int_equal(OP(vb_domain_set_vcpus(f->conn, CALL, f->test_uuid, 4, VB_VCPU_MAXIMUM | VB_VCPU_CONFIG), &err), 0);
    assert_int_equal(OP(vb_domain_set_memory(f->conn, CALL, f->test_uuid, 1024, VB_MEM_LIVE | VB_MEM_CONFIG), &err), 0);
    expect_error(OP(vb_domain_set_memory(f->conn, CALL, f->test_uuid, 99999999, 0), &err), &err,
                 "invalid argument: cannot set memory higher than max memory");
    assert_int_equal(OP(vb_domain_destroy(f->conn, CALL, f->test_uuid, 0), &err), 0);
    assert_int_equal(vb_domain_get_info(f->conn, f->test_uuid, &info, &err), 0);
    assert_int_equal(info.memory_kib, 1024);
    assert_int_equal(info.vcpus, 2); /* config: max 4, current untouched at 2 */
    vb_domain_info_clear(&info);
    expect_error(OP(vb_domain_set_vcpus(f->conn, CALL, f->test_uuid, 1, VB_VCPU_LIVE), &err), &err,
                 "Requested operation is not valid: domain is not running");
}

static void metadata_and_autostart(void **state)
{
    struct fixture *f = *state;
    struct vb_error err = VB_ERROR_INIT;
    char *text = NULL;

    assert_int_equal(OP(vb_domain_set_metadata(f->conn, CALL, f->test_uuid, VB_METADATA_TITLE, "A title", NULL, NULL, 0),
                        &err), 0);
    assert_int_equal(OP(vb_domain_get_metadata(f->conn, CALL, f->test_uuid, VB_METADATA_TITLE, NULL, 0, &text), &err), 0);
    assert_non_null(text);
    assert_string_equal(text, "A title");
    free(text);
    text = NULL;
    assert_int_equal(OP(vb_domain_get_metadata(f->conn, CALL, f->test_uuid, VB_METADATA_DESCRIPTION, NULL, 0, &text),
                        &err), -1);
    assert_null(text);
    assert_int_equal(err.code, VB_ERR_NO_DOMAIN_METADATA);
    vb_error_clear(&err);
    assert_int_equal(OP(vb_domain_set_autostart(f->conn, CALL, f->test_uuid, true), &err), 0);
    {
        struct vb_domain_info info = { 0 };

        assert_int_equal(vb_domain_get_info(f->conn, f->test_uuid, &info, &err), 0);
        assert_true(info.autostart);
        vb_domain_info_clear(&info);
    }
}

static void list_flags_filter(void **state)
{
    struct fixture *f = *state;
    struct vb_error err = VB_ERROR_INIT;
    struct vb_domain_ref *refs = NULL, ref = { 0 };
    size_t n = 0;

    assert_int_equal(OP(vb_domain_define_xml(f->conn, CALL, NEW_XML, 0, &ref), &err), 0);
    vb_domain_ref_clear(&ref);
    assert_int_equal(vb_domain_list(f->conn, VB_LIST_ACTIVE, &refs, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_string_equal(refs[0].name, "test");
    vb_domain_refs_free(refs, n);
    assert_int_equal(vb_domain_list(f->conn, VB_LIST_INACTIVE, &refs, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_string_equal(refs[0].name, "fresh");
    vb_domain_refs_free(refs, n);
    assert_int_equal(vb_domain_list(f->conn, VB_LIST_TRANSIENT, &refs, &n, &err), 0);
    assert_int_equal(n, 0);
    vb_domain_refs_free(refs, n);
    assert_int_equal(vb_domain_list(f->conn, VB_LIST_RUNNING | VB_LIST_SHUTOFF, &refs, &n, &err), 0);
    assert_int_equal(n, 2);
    vb_domain_refs_free(refs, n);
}

static void unknown_flags_are_refused(void **state)
{
    struct fixture *f = *state;
    struct vb_error err = VB_ERROR_INIT;

    expect_error(OP(vb_domain_destroy(f->conn, CALL, f->test_uuid, 0x80), &err), &err,
                 "invalid argument: test_destroy: unsupported flags (0x80)");
    expect_state(f, f->test_uuid, VB_DOMAIN_RUNNING, VB_RUNNING_BOOTED);
}

static void unknown_uri_has_no_driver(void **state)
{
    struct vb_driver_env env = { 0 };
    struct vb_connect *conn = NULL;
    struct vb_error err = VB_ERROR_INIT;

    expect_error(vb_connect_open("bogus:///x", &env, &conn, &err), &err,
                 "no connection driver available for bogus:///x");
    expect_error(vb_connect_open("test://relative", &env, &conn, &err), &err,
                 "invalid argument: testOpen: supplied path must be absolute");
}

/* test:///PATH loads the node file, and its definitions persist across reopen. */
static void node_file_definitions_persist(void **state)
{
    char dir[] = "/tmp/vb-test-driver-XXXXXX";
    char node[256], store[256], cmd[300];
    struct vb_error err = VB_ERROR_INIT;
    struct vb_domain_ref ref = { 0 };
    FILE *fp;

    assert_non_null(mkdtemp(dir));
    snprintf(node, sizeof(node), "%s/node.xml", dir);
    snprintf(store, sizeof(store), "%s/state", dir);
    fp = fopen(node, "w");
    assert_non_null(fp);
    fputs("<node><cpu><mhz>6000</mhz><model>i986</model><active>50</active><nodes>4</nodes>"
          "<sockets>4</sockets><cores>4</cores><threads>2</threads></cpu>"
          "<domain type='test' xmlns:test='http://libvirt.org/schemas/domain/test/1.0'>"
          "<name>off</name><memory>1024</memory><os><type>hvm</type></os><test:runstate>5</test:runstate></domain>"
          "<domain type='test'><name>on</name><memory>1024</memory><os><type>hvm</type></os></domain></node>", fp);
    fclose(fp);
    {
        char uri[300];
        struct fixture *f;

        snprintf(uri, sizeof(uri), "test://%s", node);
        f = fixture_open(uri, store);
        assert_int_equal(vb_domain_lookup_by_name(f->conn, "on", &ref, &err), 0);
        assert_int_equal(ref.id, 1);
        vb_domain_ref_clear(&ref);
        assert_int_equal(vb_domain_lookup_by_name(f->conn, "off", &ref, &err), 0);
        assert_int_equal(ref.id, -1);
        vb_domain_ref_clear(&ref);
        assert_int_equal(OP(vb_domain_define_xml(f->conn, CALL, NEW_XML, 0, &ref), &err), 0);
        vb_domain_ref_clear(&ref);
        assert_int_equal(vb_domain_lookup_by_name(f->conn, "off", &ref, &err), 0);
        assert_int_equal(OP(vb_domain_undefine(f->conn, CALL, ref.uuid, 0), &err), 0);
        vb_domain_ref_clear(&ref);
        fixture_close(f);

        f = fixture_open(uri, store);
        assert_int_equal(vb_domain_lookup_by_name(f->conn, "fresh", &ref, &err), 0);
        vb_domain_ref_clear(&ref);
        assert_int_equal(vb_domain_lookup_by_name(f->conn, "off", &ref, &err), -1);
        vb_error_clear(&err);
        assert_int_equal(vb_domain_lookup_by_name(f->conn, "on", &ref, &err), 0);
        vb_domain_ref_clear(&ref);
        fixture_close(f);
    }
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

/* The node's CPU count sizes the driver's CPU maps: a node file may not make it absurd, and a
 * product of factors that would overflow is caught too. */
static void node_file_cpu_topology_is_bounded(void **state)
{
    static const char *const topologies[] = {
        "<nodes>1073741824</nodes><sockets>1073741824</sockets><cores>4</cores><threads>4</threads>",
        "<nodes>1</nodes><sockets>1</sockets><cores>1073741824</cores><threads>1073741824</threads>",
        "<nodes>2</nodes><sockets>2</sockets><cores>32</cores><threads>33</threads>",
    };
    char dir[] = "/tmp/vb-test-driver-XXXXXX";
    char node[256], uri[300];
    struct vb_driver_env env = { 0 };
    struct vb_error err = VB_ERROR_INIT;
    struct vb_connect *conn = NULL;

    assert_non_null(mkdtemp(dir));
    snprintf(node, sizeof(node), "%s/node.xml", dir);
    snprintf(uri, sizeof(uri), "test://%s", node);
    for (size_t i = 0; i < sizeof(topologies) / sizeof(topologies[0]); i++) {
        FILE *fp = fopen(node, "w");

        assert_non_null(fp);
        fprintf(fp, "<node><cpu>%s</cpu></node>", topologies[i]);
        fclose(fp);
        assert_int_equal(vb_connect_open(uri, &env, &conn, &err), -1);
        assert_int_equal(err.code, VB_ERR_XML_ERROR);
        assert_non_null(strstr(err.message, "a node of more than 4096 CPUs is not supported"));
        vb_error_clear(&err);
    }
    /* At the bound it opens. */
    {
        FILE *fp = fopen(node, "w");

        assert_non_null(fp);
        fputs("<node><cpu><nodes>2</nodes><sockets>2</sockets><cores>32</cores><threads>32</threads></cpu></node>", fp);
        fclose(fp);
        assert_int_equal(vb_connect_open(uri, &env, &conn, &err), 0);
        vb_connect_close(conn);
    }
    assert_int_equal(unlink(node), 0);
    assert_int_equal(rmdir(dir), 0);
}

/* A node file is as untrusted as a domain: the same pre-scan bounds it. */
static void node_file_is_scanned_before_parsing(void **state)
{
    char dir[] = "/tmp/vb-test-driver-XXXXXX";
    char node[256], uri[300];
    struct vb_driver_env env = { 0 };
    struct vb_error err = VB_ERROR_INIT;
    struct vb_connect *conn = NULL;
    FILE *fp;

    assert_non_null(mkdtemp(dir));
    snprintf(node, sizeof(node), "%s/node.xml", dir);
    snprintf(uri, sizeof(uri), "test://%s", node);
    fp = fopen(node, "w");
    assert_non_null(fp);
    fputs("<node", fp);
    for (int i = 0; i <= 1024; i++)
        fprintf(fp, " a%d=''", i);
    fputs("/>", fp);
    fclose(fp);
    assert_int_equal(vb_connect_open(uri, &env, &conn, &err), -1);
    assert_int_equal(err.code, VB_ERR_XML_ERROR);
    assert_non_null(strstr(err.message, "element 'node' in document "));
    assert_non_null(strstr(err.message, "has more than 1024 attributes"));
    vb_error_clear(&err);
    assert_int_equal(unlink(node), 0);
    assert_int_equal(rmdir(dir), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(default_node_has_running_test_domain, setup, teardown),
        cmocka_unit_test_setup_teardown(suspend_resume_destroy_start_follow_libvirt, setup, teardown),
        cmocka_unit_test_setup_teardown(ids_are_allocated_on_start_and_never_reused, setup, teardown),
        cmocka_unit_test_setup_teardown(define_update_undefine_emit_defined_and_undefined, setup, teardown),
        cmocka_unit_test_setup_teardown(bad_definitions_change_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(define_refuses_a_newline_in_the_name, setup, teardown),
        cmocka_unit_test_setup_teardown(transient_domain_vanishes_when_stopped, setup, teardown),
        cmocka_unit_test_setup_teardown(managed_save_then_start_restores, setup, teardown),
        cmocka_unit_test_setup_teardown(save_to_file_and_restore, setup, teardown),
        cmocka_unit_test_setup_teardown(vcpus_and_memory_live_vs_config, setup, teardown),
        cmocka_unit_test_setup_teardown(metadata_and_autostart, setup, teardown),
        cmocka_unit_test_setup_teardown(list_flags_filter, setup, teardown),
        cmocka_unit_test_setup_teardown(unknown_flags_are_refused, setup, teardown),
        cmocka_unit_test(unknown_uri_has_no_driver),
        cmocka_unit_test(node_file_definitions_persist),
        cmocka_unit_test(node_file_cpu_topology_is_bounded),
        cmocka_unit_test(node_file_is_scanned_before_parsing),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
