/* Unit tests for virtbus-snmp's pure pieces: AMQP URLs, JSON events, the sorted guest table,
 * instance OIDs for GET/GETNEXT, state mapping and the SET decisions. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>

#include "bridges/common/amqp_url.h"
#include "bridges/common/qmf_console.h"
#include "bridges/common/virtbus_event.h"
#include "bridges/snmp/guest_mib.h"
#include "bridges/snmp/guest_oid.h"
#include "bridges/snmp/guest_table.h"

static void url_parses_credentials_host_and_port(void **state)
{
    struct amqp_url url;
    const char *error = NULL;
    char safe[600];

    assert_int_equal(amqp_url_parse("amqp://127.0.0.1", &url, &error), 0);
    assert_string_equal(url.host, "127.0.0.1");
    assert_string_equal(url.port, "5672");
    assert_string_equal(url.user, "");
    assert_int_equal(amqp_url_parse("amqp://ad%40min:p%3Aw@host:5673/", &url, &error), 0);
    assert_string_equal(url.user, "ad@min");
    assert_string_equal(url.password, "p:w");
    assert_string_equal(url.port, "5673");
    amqp_url_format_safe(&url, safe, sizeof(safe));
    assert_string_equal(safe, "amqp://ad@min:***@host:5673");
}

static void url_refuses_what_it_cannot_use(void **state)
{
    static const char *const bad[] = {
        "", "amqps://h", "http://h", "amqp://", "amqp://h:", "amqp://h:0", "amqp://h:65536", "amqp://h:1x",
        "amqp://u@h", "amqp://:p@h", "amqp://u:%4@h", "amqp://u:%00@h", "amqp://h/vhost", "amqp://h?x=1",
    };
    struct amqp_url url;

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        const char *error = NULL;
        assert_int_equal(amqp_url_parse(bad[i], &url, &error), -EINVAL);
        assert_non_null(error);
    }
}

static void event_parses_and_refuses_bad_bodies(void **state)
{
    static const char good[] = "{\"seq\": 12, \"host\": \"host-a\", \"domain\": {\"name\": \"test\", "
                               "\"uuid\": \"6695eb01-f6a4-8304-79aa-97f2502e193f\"}, \"event\": \"suspended\", "
                               "\"detail\": \"paused\"}";
    static const char *const bad[] = {
        "", "[]", "{", "{\"seq\": -1}", "{\"seq\": 1, \"domain\": {\"name\": \"x\"}, \"event\": \"e\"}",
        "{\"seq\": 1, \"domain\": {\"name\": \"x\", \"uuid\": \"nope\"}, \"event\": \"e\"}",
        "{\"seq\": \"1\", \"domain\": {\"name\": \"x\", \"uuid\": \"6695eb01-f6a4-8304-79aa-97f2502e193f\"}}",
    };
    struct virtbus_event event;
    const char *error = NULL;

    assert_int_equal(virtbus_event_parse(good, strlen(good), &event, &error), 0);
    assert_int_equal(event.seq, 12);
    assert_string_equal(event.host, "host-a");
    assert_string_equal(event.event, "suspended");
    assert_string_equal(event.detail, "paused");
    assert_int_equal(event.uuid[0], 0x66);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_int_equal(virtbus_event_parse(bad[i], strlen(bad[i]), &event, &error), -EBADMSG);
}

static struct guest_info info_of(unsigned char first, const char *name, const char *state, bool active)
{
    struct guest_info info;

    memset(&info, 0, sizeof(info));
    info.have_uuid = true;
    memset(info.uuid, first, sizeof(info.uuid));
    strcpy(info.name, name);
    strcpy(info.state_name, state);
    info.active = active;
    info.memory_kib = 2048 * 1024;
    return info;
}

static void table_stays_sorted_and_sweeps_stale_rows(void **state)
{
    struct guest_table table = {0};
    struct guest_info b = info_of(0xbb, "b", "running", true), a = info_of(0xaa, "a", "shutoff", false),
                      c = info_of(0xcc, "c", "paused", true);

    assert_non_null(guest_table_update(&table, &b, "h1"));
    assert_non_null(guest_table_update(&table, &a, "h2"));
    assert_non_null(guest_table_update(&table, &c, "h1"));
    assert_int_equal(table.count, 3);
    assert_string_equal(table.rows[0]->name, "a");
    assert_string_equal(table.rows[2]->name, "c");
    assert_int_equal(table.rows[0]->memory_mib, 2048);
    guest_table_unmark(&table, "h1");
    guest_table_update(&table, &c, "h1");
    assert_int_equal(guest_table_sweep(&table, "h1"), 1); /* b: h1's, not listed again */
    assert_int_equal(table.count, 2);
    assert_null(guest_table_find(&table, b.uuid));
    assert_true(guest_table_remove(&table, a.uuid));
    assert_false(guest_table_remove(&table, a.uuid));
    guest_table_clear(&table);
}

static void states_stay_in_the_mib_range(void **state)
{
    assert_int_equal(guest_state_from_name("running", true), GUEST_STATE_RUNNING);
    assert_int_equal(guest_state_from_name("crashed", false), GUEST_STATE_CRASHED);
    assert_int_equal(guest_state_from_name("pmsuspended", true), GUEST_STATE_PAUSED);
    assert_int_equal(guest_state_from_name("nostate", true), GUEST_STATE_RUNNING);
    assert_int_equal(guest_state_from_name("nostate", false), GUEST_STATE_SHUTOFF);
    assert_int_equal(guest_state_from_name("", false), GUEST_STATE_SHUTOFF);
    assert_int_equal(guest_event_state("stopped"), GUEST_STATE_SHUTOFF);
    assert_int_equal(guest_event_state("defined"), 0);
    assert_true(guest_event_is_lifecycle("undefined"));
    assert_false(guest_event_is_lifecycle("balloon-change"));
}

static void getnext_walks_column_by_column(void **state)
{
    const struct guest_oid_table *t = &libvirt_guest_oids;
    struct guest_table table = {0};
    struct guest_info a = info_of(1, "a", "running", true), b = info_of(2, "b", "running", true);
    oid name[GUEST_INSTANCE_OID_MAX], root[] = {1, 3, 6, 1, 4, 1, 36957};
    unsigned long column;
    unsigned char uuid[GUEST_UUID_LEN];
    size_t row, len;

    assert_int_equal(guest_instance_next(t, &table, root, 7, false, &column, &row), -ENOENT);
    guest_table_update(&table, &b, "");
    guest_table_update(&table, &a, "");
    assert_int_equal(guest_instance_next(t, &table, root, 7, false, &column, &row), 0);
    assert_int_equal(column, GUEST_COL_NAME);
    assert_int_equal(row, 0);
    len = guest_instance_oid(t, name, GUEST_COL_NAME, a.uuid);
    assert_int_equal(guest_instance_next(t, &table, name, len, false, &column, &row), 0);
    assert_int_equal(row, 1); /* next row, same column */
    assert_int_equal(guest_instance_next(t, &table, name, len, true, &column, &row), 0);
    assert_int_equal(row, 0); /* inclusive: the instance itself */
    len = guest_instance_oid(t, name, GUEST_COL_CPU_TIME, b.uuid);
    assert_int_equal(guest_instance_next(t, &table, name, len, false, &column, &row), 0);
    assert_int_equal(column, GUEST_COL_ROW_STATUS); /* column 8 does not exist */
    len = guest_instance_oid(t, name, GUEST_COL_ROW_STATUS, b.uuid);
    assert_int_equal(guest_instance_next(t, &table, name, len, false, &column, &row), -ENOENT);
    assert_int_equal(guest_instance_parse(t, name, len, &column, uuid), 0);
    assert_memory_equal(uuid, b.uuid, GUEST_UUID_LEN);
    name[len - 1] = 256; /* not a byte */
    assert_int_equal(guest_instance_parse(t, name, len, &column, uuid), -ENOENT);
    assert_int_equal(guest_instance_parse(t, name, len - 1, &column, uuid), -ENOENT);
    assert_int_equal(column, GUEST_COL_ROW_STATUS);
    guest_table_clear(&table);
}

static void sets_allow_only_the_listed_transitions(void **state)
{
    struct guest_row row;
    enum guest_action action;

    memset(&row, 0, sizeof(row));
    row.state = GUEST_STATE_RUNNING;
    row.active = true;
    assert_int_equal(guest_set_decide(&row, GUEST_COL_STATE, GUEST_STATE_PAUSED, &action), SNMP_ERR_NOERROR);
    assert_int_equal(action, GUEST_ACTION_SUSPEND);
    assert_int_equal(guest_set_decide(&row, GUEST_COL_STATE, GUEST_STATE_SHUTOFF, &action), SNMP_ERR_NOERROR);
    assert_int_equal(action, GUEST_ACTION_DESTROY);
    assert_int_equal(guest_set_decide(&row, GUEST_COL_STATE, GUEST_STATE_RUNNING, &action),
                     SNMP_ERR_INCONSISTENTVALUE);
    assert_int_equal(guest_set_decide(&row, GUEST_COL_STATE, 7, &action), SNMP_ERR_WRONGVALUE);
    assert_int_equal(guest_set_decide(&row, GUEST_COL_ROW_STATUS, GUEST_ROW_CREATE_AND_WAIT, &action),
                     SNMP_ERR_WRONGVALUE);
    assert_int_equal(guest_set_decide(&row, GUEST_COL_NAME, 1, &action), SNMP_ERR_NOTWRITABLE);
    row.state = GUEST_STATE_PAUSED;
    assert_int_equal(guest_set_decide(&row, GUEST_COL_STATE, GUEST_STATE_RUNNING, &action), SNMP_ERR_NOERROR);
    assert_int_equal(action, GUEST_ACTION_RESUME);
    row.state = GUEST_STATE_SHUTOFF;
    row.active = false;
    assert_int_equal(guest_set_decide(&row, GUEST_COL_ROW_STATUS, GUEST_ROW_CREATE_AND_GO, &action),
                     SNMP_ERR_NOERROR);
    assert_string_equal(guest_action_method(action), "create");
    assert_int_equal(guest_set_decide(&row, GUEST_COL_ROW_STATUS, GUEST_ROW_DESTROY, &action),
                     SNMP_ERR_INCONSISTENTVALUE);
}

/* An _exception whose _values carry text as error_text. */
static pn_message_t *exception_message(const char *text)
{
    pn_message_t *msg = pn_message();
    pn_data_t *body = pn_message_body(msg);

    pn_data_put_map(body);
    pn_data_enter(body);
    pn_data_put_string(body, pn_bytes(strlen("_values"), "_values"));
    pn_data_put_map(body);
    pn_data_enter(body);
    pn_data_put_string(body, pn_bytes(strlen("error_code"), "error_code"));
    pn_data_put_long(body, 1);
    pn_data_put_string(body, pn_bytes(strlen("error_text"), "error_text"));
    pn_data_put_string(body, pn_bytes(strlen(text), text));
    pn_data_exit(body);
    pn_data_exit(body);
    return msg;
}

static void exception_text_too_long_is_cut_not_lost(void **state)
{
    char long_text[400], text[16];
    int64_t code;
    pn_message_t *msg;

    memset(long_text, 'x', sizeof(long_text) - 1);
    long_text[sizeof(long_text) - 1] = '\0';
    msg = exception_message(long_text);
    qmf_console_exception(msg, &code, text, sizeof(text));
    assert_int_equal(code, 1);
    assert_string_equal(text, "xxxxxxxxxxxxxxx");
    pn_message_free(msg);
    /* "é" is two bytes: the cut never splits one. */
    msg = exception_message("aa\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9");
    qmf_console_exception(msg, &code, text, sizeof(text));
    assert_string_equal(text, "aa\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9");
    pn_message_free(msg);
    msg = exception_message("short");
    qmf_console_exception(msg, &code, text, sizeof(text));
    assert_string_equal(text, "short");
    pn_message_free(msg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(url_parses_credentials_host_and_port),
        cmocka_unit_test(url_refuses_what_it_cannot_use),
        cmocka_unit_test(event_parses_and_refuses_bad_bodies),
        cmocka_unit_test(table_stays_sorted_and_sweeps_stale_rows),
        cmocka_unit_test(states_stay_in_the_mib_range),
        cmocka_unit_test(getnext_walks_column_by_column),
        cmocka_unit_test(sets_allow_only_the_listed_transitions),
        cmocka_unit_test(exception_text_too_long_is_cut_not_lost),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
