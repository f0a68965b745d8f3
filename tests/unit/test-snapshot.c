/* Unit tests for domain snapshots: the <domainsnapshot> parser and formatter, and the test
 * driver's snapshot semantics through the public API (tree, current, delete, revert, errors). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/domain.h"
#include "api/snapshot.h"
#include "conf/domain_obj.h"
#include "conf/snapshot_def.h"
#include "conf/xml_util.h"
#include "events/event.h"
#include "tests/unit/sync_call.h"

#define TEST_UUID "6695eb01-f6a4-8304-79aa-97f2502e193f"

struct fixture {
    struct vb_event_stream *events;
    struct vb_connect *conn;
    unsigned char uuid[VB_UUID_LEN];
    int seen[32][2];
    int n_seen;
};

static void record_event(const struct vb_event *event, void *userdata)
{
    struct fixture *f = userdata;

    if (f->n_seen < 32 && event->id == VB_DOMAIN_EVENT_ID_LIFECYCLE) {
        f->seen[f->n_seen][0] = event->payload.lifecycle.event;
        f->seen[f->n_seen][1] = event->payload.lifecycle.detail;
        f->n_seen++;
    }
}

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    struct vb_driver_env env = { 0 };
    struct vb_error err = VB_ERROR_INIT;

    assert_non_null(f);
    f->events = vb_event_stream_new(0);
    assert_true(vb_event_subscribe(f->events, record_event, f) > 0);
    env.events = f->events;
    if (vb_connect_open("test:///default", &env, &f->conn, &err) < 0)
        fail_msg("open: %s", vb_error_message(&err));
    vb_uuid_parse(TEST_UUID, f->uuid);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;

    vb_connect_close(f->conn);
    vb_event_stream_free(f->events);
    free(f);
    return 0;
}

static void create(struct fixture *f, const char *name, unsigned int flags)
{
    struct vb_error err = VB_ERROR_INIT;
    char xml[256], *out = NULL;

    snprintf(xml, sizeof(xml), "<domainsnapshot><name>%s</name></domainsnapshot>", name);
    if (OP(vb_snapshot_create_xml(f->conn, CALL, f->uuid, xml, flags, &out), &err) < 0)
        fail_msg("create %s: %s", name, vb_error_message(&err));
    assert_string_equal(out, name);
    free(out);
}

/* The names listed with flags, joined by spaces. */
static void expect_list(struct fixture *f, const char *parent, unsigned int flags, const char *expected)
{
    struct vb_error err = VB_ERROR_INIT;
    char **names = NULL, joined[256] = "";
    size_t n = 0;
    int r = parent ? OP(vb_snapshot_list_children(f->conn, CALL, f->uuid, parent, flags, &names, &n), &err)
                   : OP(vb_snapshot_list(f->conn, CALL, f->uuid, flags, &names, &n), &err);

    if (r < 0)
        fail_msg("list: %s", vb_error_message(&err));
    for (size_t i = 0; i < n; i++) {
        strcat(joined, i ? " " : "");
        strcat(joined, names[i]);
    }
    assert_null(names[n]);
    assert_string_equal(joined, expected);
    vb_snapshot_names_free(names, n);
}

static void expect_error(int r, struct vb_error *err, const char *message)
{
    assert_int_equal(r, -1);
    assert_string_equal(vb_error_message(err), message);
    vb_error_clear(err);
}

static void expect_events(struct fixture *f, int n, const int expected[][2])
{
    vb_event_stream_dispatch(f->events);
    assert_int_equal(f->n_seen, n);
    for (int i = 0; i < n; i++) {
        assert_int_equal(f->seen[i][0], expected[i][0]);
        assert_int_equal(f->seen[i][1], expected[i][1]);
    }
    f->n_seen = 0;
}

static void parse_generates_name_from_time_and_round_trips(void **state)
{
    struct vb_error err = VB_ERROR_INIT;
    struct vb_snapshot_def *def = vb_snapshot_def_parse_string("<domainsnapshot><description>a &amp; b</description>"
                                                               "</domainsnapshot>", 0, &err);
    char expected[32], *xml;

    assert_non_null(def);
    snprintf(expected, sizeof(expected), "%lld", def->creation_time);
    assert_string_equal(def->name, expected);
    def->state = VB_SNAPSHOT_SHUTOFF;
    def->parent_name = strdup("p'1");
    xml = vb_snapshot_def_format(def, TEST_UUID, false, &err);
    assert_non_null(xml);
    assert_non_null(strstr(xml, "<description>a &amp; b</description>\n  <state>shutoff</state>\n"
                                "  <parent>\n    <name>p&apos;1</name>\n  </parent>\n"));
    assert_non_null(strstr(xml, "  <domain>\n    <uuid>" TEST_UUID "</uuid>\n  </domain>\n</domainsnapshot>\n"));
    vb_snapshot_def_free(def);
    def = vb_snapshot_def_parse_string(xml, VB_SNAPSHOT_PARSE_REDEFINE, &err);
    assert_non_null(def);
    assert_string_equal(def->parent_name, "p'1");
    assert_int_equal(def->state, VB_SNAPSHOT_SHUTOFF);
    assert_int_equal(def->memory, VB_SNAPSHOT_LOCATION_NO);
    free(xml);
    vb_snapshot_def_free(def);
}

static void parse_errors_use_libvirt_wording(void **state)
{
    static const char *const cases[][3] = {
        { "<domainsnapshot/>", "1", "XML error: a redefined snapshot must have a name" },
        { "<domainsnapshot><name>x</name></domainsnapshot>", "1",
          "internal error: missing creationTime from existing snapshot" },
        { "<domainsnapshot><name>x</name><creationTime>1</creationTime></domainsnapshot>", "1",
          "XML error: missing state from existing snapshot" },
        { "<domainsnapshot><name>x</name><creationTime>1</creationTime><state>bogus</state></domainsnapshot>", "1",
          "unsupported configuration: Invalid state 'bogus' in domain snapshot XML" },
        { "<domainsnapshot><memory file='/m'/></domainsnapshot>", "0", NULL },
        { "<domainsnapshot><memory snapshot='no' file='/m'/></domainsnapshot>", "0",
          "XML error: memory filename '/m' requires external snapshot" },
        { "<domainsnapshot><memory file='rel'/></domainsnapshot>", "0",
          "XML error: memory snapshot file path (rel) must be absolute" },
        { "<domainsnapshot><disks><disk/></disks></domainsnapshot>", "0",
          "internal error: missing name from disk snapshot element" },
        { "<domainsnapshot><memory snapshot='sideways'/></domainsnapshot>", "0",
          "XML error: Invalid value for attribute 'snapshot' in element 'memory': 'sideways'." },
        { "<!DOCTYPE x [<!ENTITY e 'x'>]><domainsnapshot/>", "0", NULL },
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct vb_error err = VB_ERROR_INIT;
        struct vb_snapshot_def *def = vb_snapshot_def_parse_string(cases[i][0], (unsigned int) atoi(cases[i][1]), &err);

        if (!cases[i][2] && i == 4) { /* a file alone means external memory */
            assert_non_null(def);
            assert_int_equal(def->memory, VB_SNAPSHOT_LOCATION_EXTERNAL);
            vb_snapshot_def_free(def);
            continue;
        }
        assert_null(def);
        if (cases[i][2])
            assert_string_equal(vb_error_message(&err), cases[i][2]);
        else
            assert_int_equal(err.code, VB_ERR_XML_ERROR);
        vb_error_clear(&err);
    }
}

static void tree_current_and_filters(void **state)
{
    struct fixture *f = *state;
    struct vb_error err = VB_ERROR_INIT;
    char *name = NULL;
    bool yes = false;

    expect_error(OP(vb_snapshot_current(f->conn, CALL, f->uuid, 0, &name), &err), &err,
                 "Domain snapshot not found: the domain does not have a current snapshot");
    create(f, "a", 0);
    create(f, "b", 0);
    create(f, "c", 0);
    expect_list(f, NULL, 0, "a b c");
    expect_list(f, NULL, VB_SNAPSHOT_LIST_ROOTS, "a");
    expect_list(f, NULL, VB_SNAPSHOT_LIST_LEAVES, "c");
    expect_list(f, NULL, VB_SNAPSHOT_LIST_NO_METADATA, "");
    expect_list(f, NULL, VB_SNAPSHOT_LIST_INACTIVE, "");
    expect_list(f, NULL, VB_SNAPSHOT_LIST_ACTIVE | VB_SNAPSHOT_LIST_TOPOLOGICAL, "a b c");
    expect_list(f, "a", 0, "b");
    expect_list(f, "a", VB_SNAPSHOT_LIST_DESCENDANTS, "b c");
    assert_int_equal(OP(vb_snapshot_current(f->conn, CALL, f->uuid, 0, &name), &err), 0);
    assert_string_equal(name, "c");
    free(name);
    assert_int_equal(OP(vb_snapshot_is_current(f->conn, CALL, f->uuid, "a", 0, &yes), &err), 0);
    assert_false(yes);
    assert_int_equal(OP(vb_snapshot_has_metadata(f->conn, CALL, f->uuid, "a", 0, &yes), &err), 0);
    assert_true(yes);
    assert_int_equal(OP(vb_snapshot_get_parent(f->conn, CALL, f->uuid, "c", 0, &name), &err), 0);
    assert_string_equal(name, "b");
    free(name);
    expect_error(OP(vb_snapshot_get_parent(f->conn, CALL, f->uuid, "a", 0, &name), &err), &err,
                 "Domain snapshot not found: snapshot 'a' does not have a parent");
    expect_error(OP(vb_snapshot_lookup_by_name(f->conn, CALL, f->uuid, "zz", 0), &err), &err,
                 "Domain snapshot not found: no domain snapshot with matching name 'zz'");
    expect_error(OP(vb_snapshot_lookup_by_name(f->conn, CALL, f->uuid, NULL, 0), &err), &err,
                 "invalid argument: name in virDomainSnapshotLookupByName must not be NULL");
}

static void delete_reparents_or_removes_subtrees(void **state)
{
    struct fixture *f = *state;
    struct vb_error err = VB_ERROR_INIT;
    char *name = NULL;

    create(f, "a", 0);
    create(f, "b", 0);
    create(f, "c", 0);
    assert_int_equal(OP(vb_snapshot_delete(f->conn, CALL, f->uuid, "b", 0), &err), 0);
    expect_list(f, "a", 0, "c");
    create(f, "d", 0);
    assert_int_equal(OP(vb_snapshot_delete(f->conn, CALL, f->uuid, "c", VB_SNAPSHOT_DELETE_CHILDREN_ONLY), &err), 0);
    expect_list(f, NULL, 0, "a c");
    assert_int_equal(OP(vb_snapshot_current(f->conn, CALL, f->uuid, 0, &name), &err), 0);
    assert_string_equal(name, "c");
    free(name);
    expect_error(OP(vb_snapshot_delete(f->conn, CALL, f->uuid, "a", VB_SNAPSHOT_DELETE_CHILDREN |
                                    VB_SNAPSHOT_DELETE_CHILDREN_ONLY), &err), &err,
                 "invalid argument: Flags 'VIR_DOMAIN_SNAPSHOT_DELETE_CHILDREN' and "
                 "'VIR_DOMAIN_SNAPSHOT_DELETE_CHILDREN_ONLY' are mutually exclusive");
    assert_int_equal(OP(vb_snapshot_delete(f->conn, CALL, f->uuid, "a", VB_SNAPSHOT_DELETE_CHILDREN), &err), 0);
    expect_list(f, NULL, 0, "");
    expect_error(OP(vb_snapshot_current(f->conn, CALL, f->uuid, 0, &name), &err), &err,
                 "Domain snapshot not found: the domain does not have a current snapshot");
}

static void revert_follows_libvirt_transitions(void **state)
{
    static const int started_paused[][2] = { { VB_EVENT_STARTED, VB_EVENT_STARTED_FROM_SNAPSHOT },
                                             { VB_EVENT_SUSPENDED, VB_EVENT_SUSPENDED_FROM_SNAPSHOT } };
    static const int stopped[][2] = { { VB_EVENT_STOPPED, VB_EVENT_STOPPED_FROM_SNAPSHOT } };
    static const int resumed[][2] = { { VB_EVENT_RESUMED, VB_EVENT_RESUMED_FROM_SNAPSHOT } };
    struct fixture *f = *state;
    struct vb_error err = VB_ERROR_INIT;
    bool yes = false;
    int st, reason;

    create(f, "on", 0);
    assert_int_equal(OP(vb_domain_destroy(f->conn, CALL, f->uuid, 0), &err), 0);
    create(f, "off", 0);
    f->n_seen = 0;
    vb_event_stream_dispatch(f->events);
    f->n_seen = 0;
    assert_int_equal(OP(vb_snapshot_revert(f->conn, CALL, f->uuid, "on", VB_SNAPSHOT_REVERT_PAUSED), &err), 0);
    expect_events(f, 2, started_paused);
    assert_int_equal(vb_domain_get_state(f->conn, f->uuid, &st, &reason, &err), 0);
    assert_int_equal(st, VB_DOMAIN_PAUSED);
    assert_int_equal(reason, VB_PAUSED_FROM_SNAPSHOT);
    assert_int_equal(OP(vb_snapshot_revert(f->conn, CALL, f->uuid, "on", 0), &err), 0);
    expect_events(f, 1, resumed);
    assert_int_equal(OP(vb_snapshot_revert(f->conn, CALL, f->uuid, "off", 0), &err), 0);
    expect_events(f, 1, stopped);
    assert_int_equal(vb_domain_get_state(f->conn, f->uuid, &st, &reason, &err), 0);
    assert_int_equal(st, VB_DOMAIN_SHUTOFF);
    assert_int_equal(reason, VB_SHUTOFF_FROM_SNAPSHOT);
    assert_int_equal(OP(vb_snapshot_is_current(f->conn, CALL, f->uuid, "off", 0, &yes), &err), 0);
    assert_true(yes);
}

static void undefine_rule_and_missing_domain(void **state)
{
    struct fixture *f = *state;
    struct vb_error err = VB_ERROR_INIT;
    unsigned char other[VB_UUID_LEN] = { 1 };
    char *name = NULL;

    expect_error(OP(vb_snapshot_create_xml(f->conn, CALL, other, "<domainsnapshot/>", 0, &name), &err), &err,
                 "Domain not found: no domain with matching uuid '01000000-0000-0000-0000-000000000000'");
    create(f, "s", 0);
    assert_int_equal(OP(vb_domain_destroy(f->conn, CALL, f->uuid, 0), &err), 0);
    assert_int_equal(OP(vb_domain_undefine(f->conn, CALL, f->uuid, VB_UNDEFINE_SNAPSHOTS_METADATA), &err), 0);
    expect_error(OP(vb_snapshot_lookup_by_name(f->conn, CALL, f->uuid, "s", 0), &err), &err,
                 "Domain not found: no domain with matching uuid '" TEST_UUID "'");
}

/* A snapshot of a domain with thousands of disks, naming them all in another order: every disk
 * is matched to its request (the lists are indexed, not searched per request), and a repeated
 * request is reported at its repetition, as a linear search reports it. */
#define MANY_DISKS 5000

static struct vb_snapshot_def *many_disks_snapshot(const char *extra_request)
{
    struct vb_buf buf = { 0 };
    struct vb_error err = VB_ERROR_INIT;
    struct vb_snapshot_def *def;
    char *xml;

    vb_buf_add(&buf, "<domainsnapshot><disks>");
    for (int i = MANY_DISKS - 1; i >= 0; i--)
        vb_buf_addf(&buf, "<disk name='d%d' snapshot='%s'/>", i, i % 2 ? "internal" : "no");
    vb_buf_add(&buf, extra_request);
    vb_buf_add(&buf, "</disks></domainsnapshot>");
    xml = vb_buf_steal(&buf, &err);
    def = vb_snapshot_def_parse_string(xml, 0, &err);
    free(xml);
    assert_non_null(def);
    vb_buf_add(&buf, "<domain type='test'><name>x</name><memory>1024</memory><os><type>hvm</type></os><devices>");
    for (int i = 0; i < MANY_DISKS; i++)
        vb_buf_addf(&buf, "<disk type='file'><source file='/f%d'/><target dev='d%d'/></disk>", i, i);
    vb_buf_add(&buf, "<disk type='file'><source file='/extra'/><target dev='extra'/></disk></devices></domain>");
    xml = vb_buf_steal(&buf, &err);
    def->dom = vb_domain_def_parse_string(xml, &err);
    free(xml);
    assert_non_null(def->dom);
    return def;
}

static void align_many_disks(void **state)
{
    struct vb_snapshot_def *def = many_disks_snapshot("");
    struct vb_error err = VB_ERROR_INIT;

    assert_int_equal(vb_snapshot_def_align_disks(def, VB_SNAPSHOT_LOCATION_INTERNAL, false, &err), 0);
    assert_int_equal(def->n_disks, MANY_DISKS + 1);
    for (size_t i = 0; i < MANY_DISKS; i++) {
        char name[16];

        snprintf(name, sizeof(name), "d%zu", i);
        assert_string_equal(def->disks[i].name, name);
        assert_int_equal(def->disks[i].location, i % 2 ? VB_SNAPSHOT_LOCATION_INTERNAL : VB_SNAPSHOT_LOCATION_NO);
    }
    assert_string_equal(def->disks[MANY_DISKS].name, "extra");
    assert_int_equal(def->disks[MANY_DISKS].location, VB_SNAPSHOT_LOCATION_INTERNAL);
    vb_snapshot_def_free(def);

    def = many_disks_snapshot("<disk name='d17' snapshot='no'/>");
    assert_int_equal(vb_snapshot_def_align_disks(def, VB_SNAPSHOT_LOCATION_INTERNAL, false, &err), -1);
    assert_string_equal(err.message, "unsupported configuration: disk 'd17' specified twice");
    vb_error_clear(&err);
    vb_snapshot_def_free(def);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parse_generates_name_from_time_and_round_trips),
        cmocka_unit_test(parse_errors_use_libvirt_wording),
        cmocka_unit_test(align_many_disks),
        cmocka_unit_test_setup_teardown(tree_current_and_filters, setup, teardown),
        cmocka_unit_test_setup_teardown(delete_reparents_or_removes_subtrees, setup, teardown),
        cmocka_unit_test_setup_teardown(revert_follows_libvirt_transitions, setup, teardown),
        cmocka_unit_test_setup_teardown(undefine_rule_and_missing_domain, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
