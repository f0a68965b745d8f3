/* Unit tests for descriptor passing in the QMP client (qmp_monitor_send_fd): a peer on a unix
 * socketpair plays qemu and reads with recvmsg, as qemu's socket chardev does, checking that the
 * descriptor arrives with the first byte of its own request, that the client's copy is closed
 * once sent or when the monitor closes, and that a full socket delays it without blocking. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <systemd/sd-event.h>

#include "drivers/qemu/qmp.h"

#define GREETING "{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 0, \"minor\": 2, \"major\": 7}}, \"capabilities\": []}}\r\n"
#define SECOND (1000u * 1000u)
#define PEER_BUF (4u * 1024u * 1024u)

struct fixture {
    sd_event *loop;
    int peer;                /* the test's end: plays qemu */
    struct qmp_monitor *mon;
    char *in;                /* everything the peer read */
    size_t in_len;
    int got_fd;              /* the descriptor the peer received, -1 until then */
    size_t got_fd_start, got_fd_end; /* where in `in` the read that carried it began and ended */
    int n_fds;               /* descriptors received in all */
    size_t read_size;        /* bytes per recvmsg; 0: as many as fit */
    int n_replies, n_closed;
    char last_reply[256];
};

static void on_closed(struct qmp_monitor *mon, const struct vb_error *err, void *userdata)
{
    ((struct fixture *) userdata)->n_closed++;
}

static const struct qmp_callbacks callbacks = { .closed = on_closed };

static void on_reply(struct qmp_monitor *mon, const struct qmp_reply *reply, void *userdata)
{
    struct fixture *f = userdata;

    f->n_replies++;
    snprintf(f->last_reply, sizeof(f->last_reply), "%s",
             reply->result == 0 ? "ok" : vb_error_message(&reply->err));
}

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    struct vb_error err = VB_ERROR_INIT;
    int sv[2];

    assert_non_null(f);
    f->in = malloc(PEER_BUF);
    assert_non_null(f->in);
    f->in[0] = '\0';
    f->got_fd = -1;
    assert_int_equal(sd_event_new(&f->loop), 0);
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
    f->peer = sv[0];
    f->mon = qmp_monitor_open_fd(f->loop, sv[1], 2 * SECOND, &callbacks, f, &err);
    assert_non_null(f->mon);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;

    qmp_monitor_free(f->mon);
    if (f->peer >= 0)
        close(f->peer);
    if (f->got_fd >= 0)
        close(f->got_fd);
    sd_event_unref(f->loop);
    free(f->in);
    free(f);
    return 0;
}

/* One recvmsg, as qemu's tcp_chr_recv: bytes and any descriptors that came with them. */
static bool peer_read(struct fixture *f)
{
    union {
        struct cmsghdr header;
        char space[CMSG_SPACE(4 * sizeof(int))];
    } control;
    size_t room = PEER_BUF - 1 - f->in_len;
    struct iovec iov = { .iov_base = f->in + f->in_len, .iov_len = f->read_size ? f->read_size : room };
    struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.space,
                          .msg_controllen = sizeof(control.space) };
    ssize_t n = recvmsg(f->peer, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);

    if (n <= 0)
        return false;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
        if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
            continue;
        assert_int_equal(c->cmsg_len, CMSG_LEN(sizeof(int)));
        assert_int_equal(f->got_fd, -1);
        memcpy(&f->got_fd, CMSG_DATA(c), sizeof(int));
        f->got_fd_start = f->in_len;
        f->got_fd_end = f->in_len + (size_t) n;
        f->n_fds++;
    }
    f->in_len += (size_t) n;
    f->in[f->in_len] = '\0';
    return true;
}

/* Runs the client and reads as the peer until `text` was received (or a few seconds passed). */
static void peer_read_until(struct fixture *f, const char *text)
{
    for (int i = 0; i < 5000 && !strstr(f->in, text); i++) {
        if (!peer_read(f))
            assert_true(sd_event_run(f->loop, 10 * 1000u) >= 0);
    }
    assert_non_null(strstr(f->in, text));
}

static void peer_send(struct fixture *f, const char *text)
{
    assert_int_equal(write(f->peer, text, strlen(text)), (ssize_t) strlen(text));
}

static void handshake(struct fixture *f)
{
    peer_send(f, GREETING);
    peer_read_until(f, "\"virtbus-1\"}\r\n");
    assert_non_null(strstr(f->in, "qmp_capabilities"));
    peer_send(f, "{\"return\": {}, \"id\": \"virtbus-1\"}\r\n");
    for (int i = 0; i < 100 && !qmp_monitor_is_ready(f->mon); i++)
        assert_true(sd_event_run(f->loop, 10 * 1000u) >= 0);
    assert_true(qmp_monitor_is_ready(f->mon));
    f->in_len = 0;
    f->in[0] = '\0';
}

static struct json_object *fdname(const char *name)
{
    struct json_object *args = json_object_new_object();

    assert_non_null(args);
    assert_int_equal(json_object_object_add(args, "fdname", json_object_new_string(name)), 0);
    return args;
}

/* The kernel may join bytes sent before the descriptor to the read that delivers it, but ends
 * that read with the last byte sent along with it: the descriptor must come with a read holding
 * the first byte of `request`, so that qemu has it when it parses that request. */
static void assert_came_with(const struct fixture *f, const char *request)
{
    const char *at = strstr(f->in, request);

    assert_non_null(at);
    assert_int_equal(f->n_fds, 1);
    assert_true(f->got_fd_start <= (size_t) (at - f->in));
    assert_true((size_t) (at - f->in) < f->got_fd_end);
}

/* The peer got a descriptor for the pipe whose read end is rfd: what it writes, rfd reads. */
static void assert_same_pipe(int got, int rfd)
{
    char buf[8] = "";

    assert_true(got >= 0);
    assert_int_equal(write(got, "via-qmp", 7), 7);
    assert_int_equal(read(rfd, buf, sizeof(buf) - 1), 7);
    assert_string_equal(buf, "via-qmp");
}

/* Every write end of the pipe is closed: its read end sees end of file. */
static void assert_no_writer_left(int rfd)
{
    char c;

    assert_int_equal(fcntl(rfd, F_SETFL, O_NONBLOCK), 0);
    assert_int_equal(read(rfd, &c, 1), 0);
}

static void test_descriptor_rides_with_the_first_byte_of_its_request(void **state)
{
    struct fixture *f = *state;
    struct vb_error err = VB_ERROR_INIT;
    int p[2];

    handshake(f);
    assert_int_equal(pipe2(p, O_CLOEXEC), 0);
    /* A request before and one after, queued in the same turn of the loop. */
    assert_int_equal(qmp_monitor_send(f->mon, "query-status", NULL, SECOND, on_reply, f, &err), 0);
    assert_int_equal(qmp_monitor_send_fd(f->mon, "getfd", fdname("migrate"), p[1], SECOND, on_reply, f, &err), 0);
    assert_int_equal(qmp_monitor_send(f->mon, "query-name", NULL, SECOND, on_reply, f, &err), 0);
    close(p[1]); /* the caller's copy: the monitor keeps its own until sent */
    /* Byte by byte, the descriptor comes with the first byte of the send that carried it. */
    f->read_size = 1;
    peer_read_until(f, "query-name");
    assert_came_with(f, "{\"execute\":\"getfd\"");
    assert_ptr_equal(f->in + f->got_fd_start, strstr(f->in, "{\"execute\":\"getfd\""));
    assert_same_pipe(f->got_fd, p[0]);
    close(TAKE_FD(f->got_fd));
    assert_no_writer_left(p[0]); /* the monitor closed its copy once sent */
    close(p[0]);
}

static void test_a_full_socket_delays_the_descriptor_without_blocking(void **state)
{
    struct fixture *f = *state;
    struct vb_error err = VB_ERROR_INIT;
    struct json_object *big = json_object_new_object();
    _cleanup_free_ char *filler = malloc(PEER_BUF / 2);
    int p[2];

    handshake(f);
    assert_non_null(big);
    assert_non_null(filler);
    memset(filler, 'x', PEER_BUF / 2 - 1);
    filler[PEER_BUF / 2 - 1] = '\0';
    assert_int_equal(json_object_object_add(big, "filler", json_object_new_string(filler)), 0);
    assert_int_equal(pipe2(p, O_CLOEXEC), 0);
    /* 2 MiB ahead of it: far more than the socket holds, so the client writes in pieces. */
    assert_int_equal(qmp_monitor_send(f->mon, "human-monitor-command", big, SECOND, on_reply, f, &err), 0);
    assert_int_equal(qmp_monitor_send_fd(f->mon, "getfd", fdname("late"), p[1], SECOND, on_reply, f, &err), 0);
    close(p[1]);
    /* The loop returns while the socket is full (sd_event_run would not come back otherwise). */
    for (int i = 0; i < 3; i++)
        assert_true(sd_event_run(f->loop, 0) >= 0);
    peer_read_until(f, "\"fdname\":\"late\"");
    assert_came_with(f, "{\"execute\":\"getfd\"");
    assert_same_pipe(f->got_fd, p[0]);
    close(TAKE_FD(f->got_fd));
    assert_no_writer_left(p[0]);
    close(p[0]);
}

static void test_a_monitor_closing_first_closes_the_copy_and_fails_the_command(void **state)
{
    struct fixture *f = *state;
    struct vb_error err = VB_ERROR_INIT;
    int p[2];

    assert_int_equal(pipe2(p, O_CLOEXEC), 0);
    /* Sent before the handshake: it waits, holding the copy; then qemu goes away. */
    assert_int_equal(qmp_monitor_send_fd(f->mon, "getfd", fdname("never"), p[1], SECOND, on_reply, f, &err), 0);
    close(p[1]);
    close(TAKE_FD(f->peer));
    for (int i = 0; i < 100 && !f->n_closed; i++)
        assert_true(sd_event_run(f->loop, 10 * 1000u) >= 0);
    assert_int_equal(f->n_closed, 1);
    assert_int_equal(f->n_replies, 1);
    assert_string_equal(f->last_reply, "operation failed: End of file from qemu monitor (no reply to 'getfd')");
    assert_no_writer_left(p[0]);
    close(p[0]);
}

static void test_no_descriptor_is_refused_and_nothing_is_sent(void **state)
{
    struct fixture *f = *state;
    struct vb_error err = VB_ERROR_INIT;
    int p[2];

    handshake(f);
    assert_int_equal(qmp_monitor_send_fd(f->mon, "getfd", fdname("x"), -1, SECOND, on_reply, f, &err), -1);
    assert_string_equal(vb_error_message(&err), "invalid argument: no file descriptor to pass with QMP command 'getfd'");
    vb_error_clear(&err);
    assert_int_equal(pipe2(p, O_CLOEXEC), 0);
    close(p[1]);
    assert_int_equal(qmp_monitor_send_fd(f->mon, "getfd", fdname("x"), p[1], SECOND, on_reply, f, &err), -1);
    assert_int_equal(err.code, VB_ERR_SYSTEM_ERROR);
    assert_non_null(strstr(vb_error_message(&err), "Bad file descriptor"));
    vb_error_clear(&err);
    close(p[0]);
    for (int i = 0; i < 5; i++)
        assert_true(sd_event_run(f->loop, 10 * 1000u) >= 0);
    assert_false(peer_read(f));
    assert_int_equal(f->n_replies, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_descriptor_rides_with_the_first_byte_of_its_request, setup, teardown),
        cmocka_unit_test_setup_teardown(test_a_full_socket_delays_the_descriptor_without_blocking, setup, teardown),
        cmocka_unit_test_setup_teardown(test_a_monitor_closing_first_closes_the_copy_and_fails_the_command, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_no_descriptor_is_refused_and_nothing_is_sent, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
