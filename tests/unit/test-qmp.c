/* Unit tests for the QMP client (drivers/qemu/qmp.c) against a peer this test scripts on a
 * socketpair: handshake, replies matched by id, events in order between replies, qemu's errors,
 * timeouts and late replies, end of file, garbage, oversized lines, freeing from callbacks. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <systemd/sd-event.h>

#include "drivers/qemu/qmp.h"
#include "drivers/qemu/qmp_message.h"
#include "drivers/qemu/qmp_private.h" /* the retry timer's accuracy */

#define GREETING "{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 0, \"minor\": 2, \"major\": 7}}, \"capabilities\": []}}\r\n"
#define SECOND (1000u * 1000u)
#define MAX_LOG 16

struct fixture {
    sd_event *loop;
    int peer;                     /* the test's end: plays qemu */
    struct qmp_monitor *mon;
    char log[MAX_LOG][160];       /* what the client reported, in order */
    int n_log;
    int n_ready, n_closed;
    char closed_message[256];
    bool free_in_callback;        /* a reply callback frees the monitor */
    char peer_in[8192];
    size_t peer_in_len;
};

static void record(struct fixture *f, const char *fmt, ...) _printf_(2, 3);

static void record(struct fixture *f, const char *fmt, ...)
{
    va_list ap;

    assert_true(f->n_log < MAX_LOG);
    va_start(ap, fmt);
    vsnprintf(f->log[f->n_log++], sizeof(f->log[0]), fmt, ap);
    va_end(ap);
}

static void on_ready(struct qmp_monitor *mon, void *userdata)
{
    struct fixture *f = userdata;

    f->n_ready++;
}

static void on_event(struct qmp_monitor *mon, const struct qmp_event *event, void *userdata)
{
    record(userdata, "event %s %s", event->name,
           event->data ? json_object_to_json_string_ext(event->data, JSON_C_TO_STRING_PLAIN) : "-");
}

static void on_closed(struct qmp_monitor *mon, const struct vb_error *err, void *userdata)
{
    struct fixture *f = userdata;

    f->n_closed++;
    snprintf(f->closed_message, sizeof(f->closed_message), "%s", vb_error_message(err));
    record(f, "closed");
}

static const struct qmp_callbacks callbacks = {
    .ready = on_ready,
    .event = on_event,
    .closed = on_closed,
};

/* A reply callback's userdata: the fixture and a tag naming the command in the log. */
struct tag {
    struct fixture *f;
    char name[24];
};

static void on_reply(struct qmp_monitor *mon, const struct qmp_reply *reply, void *userdata)
{
    const struct tag *t = userdata;
    struct fixture *f = t->f;

    if (reply->result == 0)
        record(f, "%s ok %s", t->name, json_object_to_json_string_ext(reply->ret, JSON_C_TO_STRING_PLAIN));
    else
        record(f, "%s fail %s [%s]", t->name, vb_error_message(&reply->err),
               reply->error_class ? reply->error_class : "-");
    if (f->free_in_callback) {
        qmp_monitor_free(f->mon);
        f->mon = NULL;
    }
}

static struct tag *tag_new(struct fixture *f, const char *name)
{
    struct tag *t = calloc(1, sizeof(*t));

    assert_non_null(t);
    t->f = f;
    snprintf(t->name, sizeof(t->name), "%s", name);
    return t;
}

static struct fixture *fixture_new(uint64_t handshake_timeout_usec)
{
    struct fixture *f = calloc(1, sizeof(*f));
    struct vb_error err = VB_ERROR_INIT;
    int sv[2];

    assert_non_null(f);
    assert_int_equal(sd_event_new(&f->loop), 0);
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
    f->peer = sv[0];
    f->mon = qmp_monitor_open_fd(f->loop, sv[1], handshake_timeout_usec, &callbacks, f, &err);
    assert_non_null(f->mon);
    return f;
}

static int setup(void **state)
{
    *state = fixture_new(2 * SECOND);
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;

    qmp_monitor_free(f->mon);
    if (f->peer >= 0)
        close(f->peer);
    sd_event_unref(f->loop);
    free(f);
    return 0;
}

static void peer_send(struct fixture *f, const char *text)
{
    size_t len = strlen(text);

    assert_int_equal(write(f->peer, text, len), (ssize_t) len);
}

/* Runs the loop until the client has written one line to the peer; returns its id and command. */
static void peer_receive(struct fixture *f, char *id, size_t id_size, char *command, size_t command_size)
{
    for (int i = 0; i < 200; i++) {
        char *nl = memchr(f->peer_in, '\n', f->peer_in_len);
        struct pollfd p = { .fd = f->peer, .events = POLLIN };

        if (nl) {
            _cleanup_(json_object_putp) struct json_object *req =
                json_tokener_parse(strndupa(f->peer_in, (size_t) (nl - f->peer_in)));
            struct json_object *v;

            assert_non_null(req);
            assert_true(json_object_object_get_ex(req, "id", &v));
            snprintf(id, id_size, "%s", json_object_get_string(v));
            assert_true(json_object_object_get_ex(req, "execute", &v));
            snprintf(command, command_size, "%s", json_object_get_string(v));
            f->peer_in_len -= (size_t) (nl + 1 - f->peer_in);
            memmove(f->peer_in, nl + 1, f->peer_in_len);
            return;
        }
        if (poll(&p, 1, 0) == 1) {
            ssize_t n = read(f->peer, f->peer_in + f->peer_in_len, sizeof(f->peer_in) - f->peer_in_len);
            assert_true(n > 0);
            f->peer_in_len += (size_t) n;
            continue;
        }
        assert_true(sd_event_run(f->loop, 10 * 1000u) >= 0);
    }
    fail_msg("the client sent nothing");
}

static void peer_expect(struct fixture *f, const char *command, char *id, size_t id_size)
{
    char got[64];

    peer_receive(f, id, id_size, got, sizeof(got));
    assert_string_equal(got, command);
}

static void peer_replyf(struct fixture *f, const char *fmt, ...) _printf_(2, 3);

static void peer_replyf(struct fixture *f, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    peer_send(f, buf);
}

static void handshake(struct fixture *f)
{
    char id[32];

    peer_send(f, GREETING);
    peer_expect(f, "qmp_capabilities", id, sizeof(id));
    peer_replyf(f, "{\"return\": {}, \"id\": \"%s\"}\r\n", id);
}

/* Runs the loop until the log holds n entries (or a few seconds passed). */
static void run_until_logged(struct fixture *f, int n)
{
    for (int i = 0; i < 500 && f->n_log < n; i++)
        assert_true(sd_event_run(f->loop, 10 * 1000u) >= 0);
    assert_int_equal(f->n_log, n);
}

static void send_command(struct fixture *f, const char *command, const char *tag, uint64_t timeout_usec,
                         struct tag **owned)
{
    struct vb_error err = VB_ERROR_INIT;

    *owned = tag_new(f, tag);
    assert_int_equal(qmp_monitor_send(f->mon, command, NULL, timeout_usec, on_reply, *owned, &err), 0);
}

static void test_handshake_then_replies_and_events_in_order(void **state)
{
    struct fixture *f = *state;
    _cleanup_free_ struct tag *t1 = NULL, *t2 = NULL;
    char id1[32], id2[32];

    handshake(f);
    for (int i = 0; i < 100 && !f->n_ready; i++)
        assert_true(sd_event_run(f->loop, 10 * 1000u) >= 0);
    assert_int_equal(f->n_ready, 1);
    assert_true(qmp_monitor_is_ready(f->mon));

    send_command(f, "query-status", "a", SECOND, &t1);
    send_command(f, "system_powerdown", "b", SECOND, &t2);
    peer_expect(f, "query-status", id1, sizeof(id1));
    peer_expect(f, "system_powerdown", id2, sizeof(id2));
    assert_string_not_equal(id1, id2);
    /* qemu answers out of order, with events between the replies, in one write. */
    peer_replyf(f,
                "{\"timestamp\": {\"seconds\": 1, \"microseconds\": 2}, \"event\": \"POWERDOWN\"}\r\n"
                "{\"return\": {}, \"id\": \"%s\"}\r\n"
                "{\"event\": \"SHUTDOWN\", \"data\": {\"guest\": true}}\r\n"
                "{\"return\": {\"status\": \"running\", \"running\": true}, \"id\": \"%s\"}\r\n",
                id2, id1);
    run_until_logged(f, 4);
    assert_string_equal(f->log[0], "event POWERDOWN -");
    assert_string_equal(f->log[1], "b ok {}");
    assert_string_equal(f->log[2], "event SHUTDOWN {\"guest\":true}");
    assert_string_equal(f->log[3], "a ok {\"status\":\"running\",\"running\":true}");
}

static void test_commands_sent_early_wait_for_the_handshake(void **state)
{
    struct fixture *f = *state;
    _cleanup_free_ struct tag *t = NULL;
    char id[32], command[64];

    send_command(f, "query-status", "early", SECOND, &t);
    peer_send(f, GREETING);
    peer_receive(f, id, sizeof(id), command, sizeof(command));
    assert_string_equal(command, "qmp_capabilities");
    assert_int_equal(f->peer_in_len, 0); /* nothing else before capabilities are accepted */
    peer_replyf(f, "{\"return\": {}, \"id\": \"%s\"}\r\n", id);
    peer_expect(f, "query-status", id, sizeof(id));
    peer_replyf(f, "{\"return\": 7, \"id\": \"%s\"}\r\n", id);
    run_until_logged(f, 1);
    assert_string_equal(f->log[0], "early ok 7");
}

static void test_qemu_error_reply_carries_class_and_libvirt_wording(void **state)
{
    struct fixture *f = *state;
    _cleanup_free_ struct tag *t = NULL;
    char id[32];

    handshake(f);
    send_command(f, "device_del", "d", SECOND, &t);
    peer_expect(f, "device_del", id, sizeof(id));
    peer_replyf(f, "{\"error\": {\"class\": \"DeviceNotFound\", \"desc\": \"Device 'x' not found\"}, \"id\": \"%s\"}\n",
                id);
    run_until_logged(f, 1);
    assert_string_equal(f->log[0],
                        "d fail internal error: unable to execute QEMU command 'device_del': Device 'x' not found "
                        "[DeviceNotFound]");
}

static void test_timeout_fails_the_command_and_drops_its_late_reply(void **state)
{
    struct fixture *f = *state;
    _cleanup_free_ struct tag *t1 = NULL, *t2 = NULL;
    char id1[32], id2[32];

    handshake(f);
    send_command(f, "query-status", "slow", 50 * 1000u, &t1);
    peer_expect(f, "query-status", id1, sizeof(id1));
    run_until_logged(f, 1);
    assert_string_equal(f->log[0],
                        "slow fail Timed out during operation: no reply to QMP command 'query-status' within 50 ms [-]");
    /* The late reply matches nothing; the monitor goes on serving. */
    send_command(f, "query-name", "next", SECOND, &t2);
    peer_expect(f, "query-name", id2, sizeof(id2));
    peer_replyf(f, "{\"return\": {}, \"id\": \"%s\"}\r\n{\"return\": {\"name\": \"g\"}, \"id\": \"%s\"}\r\n", id1, id2);
    run_until_logged(f, 2);
    assert_string_equal(f->log[1], "next ok {\"name\":\"g\"}");
    assert_int_equal(f->n_closed, 0);
}

static void test_end_of_file_fails_pending_commands_then_closes(void **state)
{
    struct fixture *f = *state;
    _cleanup_free_ struct tag *t1 = NULL, *t2 = NULL;
    struct vb_error err = VB_ERROR_INIT;
    char id[32];

    handshake(f);
    send_command(f, "query-status", "a", SECOND, &t1);
    send_command(f, "cont", "b", SECOND, &t2);
    peer_expect(f, "query-status", id, sizeof(id));
    close(f->peer);
    f->peer = -1;
    run_until_logged(f, 3);
    assert_string_equal(f->log[0], "a fail operation failed: End of file from qemu monitor (no reply to 'query-status') [-]");
    assert_string_equal(f->log[1], "b fail operation failed: End of file from qemu monitor (no reply to 'cont') [-]");
    assert_string_equal(f->log[2], "closed");
    assert_string_equal(f->closed_message, "operation failed: End of file from qemu monitor");
    assert_false(qmp_monitor_is_ready(f->mon));
    assert_int_equal(qmp_monitor_send(f->mon, "cont", NULL, SECOND, on_reply, t1, &err), -1);
    assert_int_equal(err.code, VB_ERR_OPERATION_INVALID);
    vb_error_clear(&err);
    /* Nothing runs after closed. */
    assert_true(sd_event_run(f->loop, 20 * 1000u) >= 0);
    assert_int_equal(f->n_log, 3);
}

static void test_garbage_closes_the_monitor(void **state)
{
    struct fixture *f = *state;

    handshake(f);
    peer_send(f, "{\"return\": {}, \"id\": \"x\"} trailing\r\n");
    run_until_logged(f, 1);
    /* json-c words the detail ("unexpected character"); the prefix is ours. */
    assert_true(strncmp(f->closed_message, "internal error: cannot parse QMP message: ", 42) == 0);
}

static void test_line_over_the_limit_closes_the_monitor(void **state)
{
    struct fixture *f = *state;
    _cleanup_free_ struct tag *t = NULL;
    _cleanup_free_ char *chunk = malloc(64 * 1024);
    size_t sent = 0;

    handshake(f);
    send_command(f, "query-qmp-schema", "big", 5 * SECOND, &t);
    assert_non_null(chunk);
    memset(chunk, ' ', 64 * 1024);
    chunk[0] = '[';
    /* Write without a newline, running the client so the socket drains, until it gives up. */
    while (f->n_closed == 0 && sent < 2 * (size_t) QMP_LINE_MAX) {
        struct pollfd p = { .fd = f->peer, .events = POLLOUT };
        if (poll(&p, 1, 0) == 1 && (p.revents & POLLOUT)) {
            ssize_t n = send(f->peer, chunk, 64 * 1024, MSG_DONTWAIT | MSG_NOSIGNAL);
            if (n > 0)
                sent += (size_t) n;
        }
        assert_true(sd_event_run(f->loop, 1000u) >= 0);
        chunk[0] = ' ';
    }
    assert_int_equal(f->n_closed, 1);
    assert_true(sent > QMP_LINE_MAX);
    assert_string_equal(f->log[0], "big fail internal error: QMP message longer than 4194304 bytes (no reply to "
                                   "'query-qmp-schema') [-]");
    assert_string_equal(f->closed_message, "internal error: QMP message longer than 4194304 bytes");
}

static void test_free_from_a_callback_stops_all_callbacks(void **state)
{
    struct fixture *f = *state;
    _cleanup_free_ struct tag *t1 = NULL, *t2 = NULL;
    char id1[32], id2[32];

    handshake(f);
    send_command(f, "query-status", "first", SECOND, &t1);
    send_command(f, "cont", "second", 50 * 1000u, &t2);
    peer_expect(f, "query-status", id1, sizeof(id1));
    peer_expect(f, "cont", id2, sizeof(id2));
    f->free_in_callback = true;
    /* Both replies and an event arrive together; the first reply's callback frees the monitor. */
    peer_replyf(f, "{\"return\": 1, \"id\": \"%s\"}\r\n{\"event\": \"STOP\"}\r\n{\"return\": 2, \"id\": \"%s\"}\r\n", id1,
                id2);
    run_until_logged(f, 1);
    assert_null(f->mon);
    /* Neither the event, the second reply, its timeout nor a close runs afterwards. */
    for (int i = 0; i < 10; i++)
        assert_true(sd_event_run(f->loop, 10 * 1000u) >= 0);
    assert_int_equal(f->n_log, 1);
    assert_string_equal(f->log[0], "first ok 1");
}

static void test_no_greeting_times_out(void **state)
{
    struct fixture *f = fixture_new(50 * 1000u);

    *state = f;
    run_until_logged(f, 1);
    assert_string_equal(f->closed_message, "Timed out during operation: waiting for the QMP greeting took more than 50 ms");
    teardown(state);
}

static void test_connect_to_a_missing_socket_times_out_naming_it(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    struct vb_error err = VB_ERROR_INIT;

    assert_non_null(f);
    f->peer = -1;
    assert_int_equal(sd_event_new(&f->loop), 0);
    f->mon = qmp_monitor_connect(f->loop, "/nonexistent/qmp.sock", 100 * 1000u, &callbacks, f, &err);
    assert_non_null(f->mon);
    run_until_logged(f, 1);
    assert_string_equal(f->closed_message, "Timed out during operation: cannot connect to qemu monitor at "
                                           "'/nonexistent/qmp.sock' within 100 ms: No such file or directory");
    *state = f;
    teardown(state);
}

/* A connect retry fires near its interval: with sd-event's default accuracy (250 ms) each retry
 * could land up to 250 ms late, and every domain start waited for it (found by bench/qemu). */
static void test_connect_retries_are_not_coalesced_by_the_loop(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    struct vb_error err = VB_ERROR_INIT;
    uint64_t accuracy = UINT64_MAX;

    assert_non_null(f);
    f->peer = -1;
    assert_int_equal(sd_event_new(&f->loop), 0);
    f->mon = qmp_monitor_connect(f->loop, "/nonexistent/qmp.sock", SECOND, &callbacks, f, &err);
    assert_non_null(f->mon);
    assert_non_null(f->mon->retry);
    assert_int_equal(sd_event_source_get_time_accuracy(f->mon->retry, &accuracy), 0);
    assert_true(accuracy <= 1000u);
    *state = f;
    teardown(state);
}

struct late_listener {
    char path[64];
    int fd;
};

static int on_listen_time(sd_event_source *source, uint64_t usec, void *userdata)
{
    struct late_listener *l = userdata;
    struct sockaddr_un addr = { .sun_family = AF_UNIX };

    l->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    assert_true(l->fd >= 0);
    memcpy(addr.sun_path, l->path, strlen(l->path) + 1);
    assert_int_equal(bind(l->fd, (struct sockaddr *) &addr, sizeof(addr)), 0);
    assert_int_equal(listen(l->fd, 1), 0);
    return 0;
}

/* qemu creates its socket a while after it starts: the client keeps trying until it is there. */
static void test_connect_waits_for_the_socket_to_appear(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    struct late_listener l = { .fd = -1 };
    struct vb_error err = VB_ERROR_INIT;

    assert_non_null(f);
    assert_int_equal(sd_event_new(&f->loop), 0);
    snprintf(l.path, sizeof(l.path), "/tmp/test-qmp-%d.sock", (int) getpid());
    unlink(l.path);
    assert_int_equal(sd_event_add_time_relative(f->loop, NULL, CLOCK_MONOTONIC, 100 * 1000u, 0, on_listen_time, &l), 0);
    f->mon = qmp_monitor_connect(f->loop, l.path, 2 * SECOND, &callbacks, f, &err);
    assert_non_null(f->mon);
    for (int i = 0; i < 100 && l.fd < 0; i++)
        assert_true(sd_event_run(f->loop, 10 * 1000u) >= 0);
    assert_true(l.fd >= 0);
    for (int i = 0; i < 100 && (f->peer = accept4(l.fd, NULL, NULL, SOCK_CLOEXEC)) < 0; i++)
        assert_true(sd_event_run(f->loop, 10 * 1000u) >= 0);
    assert_true(f->peer >= 0);
    handshake(f);
    for (int i = 0; i < 100 && !f->n_ready; i++)
        assert_true(sd_event_run(f->loop, 10 * 1000u) >= 0);
    assert_int_equal(f->n_ready, 1);
    close(l.fd);
    unlink(l.path);
    *state = f;
    teardown(state);
}

static void test_message_parser_classifies_and_refuses(void **state)
{
    struct qmp_message msg;
    struct vb_error err = VB_ERROR_INIT;
    static const char *const bad[] = {
        "", "[]", "{", "{\"foo\": 1}", "{\"event\": 3}", "{\"error\": \"x\"}", "{\"event\": \"X\", \"data\": 1}",
    };
    static const char nul_inside[] = "{\"return\": 1}\0{}";
    const char *line = "{\"event\": \"RESET\", \"data\": {\"guest\": false}, "
                       "\"timestamp\": {\"seconds\": 3, \"microseconds\": 4}}\r";

    assert_int_equal(qmp_message_parse(line, strlen(line), &msg, &err), 0);
    assert_int_equal(msg.kind, QMP_MESSAGE_EVENT);
    assert_string_equal(msg.event, "RESET");
    assert_int_equal(msg.timestamp_usec, 3000004);
    qmp_message_clear(&msg);
    line = "{\"error\": {\"class\": \"GenericError\", \"desc\": \"no\"}, \"id\": 5}";
    assert_int_equal(qmp_message_parse(line, strlen(line), &msg, &err), 0);
    assert_int_equal(msg.kind, QMP_MESSAGE_ERROR);
    assert_null(msg.id); /* not one of ours */
    qmp_message_clear(&msg);
    for (size_t i = 0; i <= sizeof(bad) / sizeof(bad[0]); i++) {
        bool last = i == sizeof(bad) / sizeof(bad[0]);
        const char *text = last ? nul_inside : bad[i];
        assert_int_equal(qmp_message_parse(text, last ? sizeof(nul_inside) - 1 : strlen(text), &msg, &err), -1);
        assert_int_equal(err.code, VB_ERR_INTERNAL_ERROR);
        assert_null(msg.root);
        vb_error_clear(&err);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_handshake_then_replies_and_events_in_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_commands_sent_early_wait_for_the_handshake, setup, teardown),
        cmocka_unit_test_setup_teardown(test_qemu_error_reply_carries_class_and_libvirt_wording, setup, teardown),
        cmocka_unit_test_setup_teardown(test_timeout_fails_the_command_and_drops_its_late_reply, setup, teardown),
        cmocka_unit_test_setup_teardown(test_end_of_file_fails_pending_commands_then_closes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_garbage_closes_the_monitor, setup, teardown),
        cmocka_unit_test_setup_teardown(test_line_over_the_limit_closes_the_monitor, setup, teardown),
        cmocka_unit_test_setup_teardown(test_free_from_a_callback_stops_all_callbacks, setup, teardown),
        cmocka_unit_test(test_no_greeting_times_out),
        cmocka_unit_test(test_connect_to_a_missing_socket_times_out_naming_it),
        cmocka_unit_test(test_connect_waits_for_the_socket_to_appear),
        cmocka_unit_test(test_connect_retries_are_not_coalesced_by_the_loop),
        cmocka_unit_test(test_message_parser_classifies_and_refuses),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
