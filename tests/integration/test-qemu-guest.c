/* A real guest under qemu (TCG), driven by the QEMU driver's pieces: the command line from a
 * domain XML (qemu_command.c), the QMP client (qmp.c) on sd-event, the process watched from the
 * loop. Proves: handshake, query-status, cont, the guest's userspace comes up, system_powerdown
 * gives SHUTDOWN {guest: true} and qemu exits on quit; a command to a stopped qemu times out and
 * its late reply is dropped; kill -9 of qemu fails the pending command with end of file.
 * Usage: test-qemu-guest KERNEL INITRAMFS (tests/integration/run-qemu-guest.sh builds them). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <systemd/sd-event.h>

#include "drivers/qemu/qemu_command.h"
#include "drivers/qemu/qmp.h"
#include "util/time.h"

#define SECOND (1000u * 1000u)
#define MAX_EVENTS 32
#define READY_MARKER "VIRTBUS-GUEST-READY"
#define POWERDOWN_MARKER "VIRTBUS-GUEST-POWERDOWN"

static const char *kernel, *initramfs;

struct guest {
    sd_event *loop;
    char dir[64], monitor[128], serial[128], stderr_log[128];
    pid_t pid;
    sd_event_source *child;
    siginfo_t exit_info;
    bool exited;
    struct qmp_monitor *mon;
    bool ready, closed;
    char closed_message[256];
    char events[MAX_EVENTS][256];
    int n_events;
    /* The last command's outcome. */
    bool replied;
    int result;
    char reply[512];
    char error[512];
};

static int on_child(sd_event_source *source, const siginfo_t *si, void *userdata)
{
    struct guest *g = userdata;

    g->exit_info = *si;
    g->exited = true;
    return 0;
}

static void on_ready(struct qmp_monitor *mon, void *userdata)
{
    ((struct guest *) userdata)->ready = true;
}

static void on_event(struct qmp_monitor *mon, const struct qmp_event *event, void *userdata)
{
    struct guest *g = userdata;

    assert_true(g->n_events < MAX_EVENTS);
    snprintf(g->events[g->n_events++], sizeof(g->events[0]), "%s %s", event->name,
             event->data ? json_object_to_json_string_ext(event->data, JSON_C_TO_STRING_PLAIN) : "-");
}

static void on_closed(struct qmp_monitor *mon, const struct vb_error *err, void *userdata)
{
    struct guest *g = userdata;

    g->closed = true;
    snprintf(g->closed_message, sizeof(g->closed_message), "%s", vb_error_message(err));
}

static const struct qmp_callbacks callbacks = { .ready = on_ready, .event = on_event, .closed = on_closed };

static void on_reply(struct qmp_monitor *mon, const struct qmp_reply *reply, void *userdata)
{
    struct guest *g = userdata;

    g->replied = true;
    g->result = reply->result;
    snprintf(g->reply, sizeof(g->reply), "%s",
             reply->ret ? json_object_to_json_string_ext(reply->ret, JSON_C_TO_STRING_PLAIN) : "");
    snprintf(g->error, sizeof(g->error), "%s", reply->result < 0 ? vb_error_message(&reply->err) : "");
}

/* Runs the loop until *flag is set or timeout_usec passed; returns *flag. */
static bool run_until(struct guest *g, const bool *flag, uint64_t timeout_usec)
{
    uint64_t deadline = vb_now_usec() + timeout_usec;

    while (!*flag && vb_now_usec() < deadline)
        assert_true(sd_event_run(g->loop, 50 * 1000u) >= 0);
    return *flag;
}

static bool file_contains(const char *path, const char *text)
{
    char buf[65536];
    ssize_t n;
    int fd = open(path, O_RDONLY | O_CLOEXEC);

    if (fd < 0)
        return false;
    n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    if (n <= 0)
        return false;
    buf[n] = '\0';
    return strstr(buf, text) != NULL;
}

/* Waits, running the loop, for the guest to print `marker` on its serial port. */
static bool wait_for_console(struct guest *g, const char *marker, uint64_t timeout_usec)
{
    uint64_t deadline = vb_now_usec() + timeout_usec;

    while (vb_now_usec() < deadline) {
        if (file_contains(g->serial, marker))
            return true;
        assert_true(sd_event_run(g->loop, 50 * 1000u) >= 0);
    }
    return false;
}

static void send_command(struct guest *g, const char *command, uint64_t timeout_usec)
{
    struct vb_error err = VB_ERROR_INIT;

    g->replied = false;
    if (qmp_monitor_send(g->mon, command, NULL, timeout_usec, on_reply, g, &err) < 0)
        fail_msg("%s: %s", command, vb_error_message(&err));
}

/* Sends a command and waits for its outcome. */
static void call(struct guest *g, const char *command, uint64_t timeout_usec)
{
    send_command(g, command, timeout_usec);
    if (!run_until(g, &g->replied, timeout_usec + SECOND))
        fail_msg("%s: no outcome", command);
}

static bool has_event(const struct guest *g, const char *text)
{
    for (int i = 0; i < g->n_events; i++)
        if (strcmp(g->events[i], text) == 0)
            return true;
    return false;
}

static char *domain_xml(const struct guest *g)
{
    char *xml = NULL;

    assert_true(asprintf(&xml,
                         "<domain type='qemu'>"
                         "<name>tiny-guest</name>"
                         "<memory unit='MiB'>128</memory>"
                         "<vcpu>1</vcpu>"
                         "<os><type arch='x86_64' machine='pc'>hvm</type>"
                         "<kernel>%s</kernel><initrd>%s</initrd>"
                         "<cmdline>console=ttyS0 quiet panic=-1</cmdline></os>"
                         "<features><acpi/></features>"
                         "<devices>"
                         "<serial type='file'><source path='%s'/><target port='0'/></serial>"
                         "<console type='file'><source path='%s'/><target type='serial' port='0'/></console>"
                         "<memballoon model='none'/>"
                         "</devices></domain>",
                         kernel, initramfs, g->serial, g->serial) > 0);
    return xml;
}

/* Builds the command line from the XML and starts qemu in a session of its own, its exit
 * watched from the loop. */
static void guest_start(struct guest *g)
{
    struct vb_error err = VB_ERROR_INIT;
    _cleanup_free_ char *xml = domain_xml(g);
    _cleanup_(vb_domain_def_freep) struct vb_domain_def *def = vb_domain_def_parse_string(xml, &err);
    const struct qemu_command_options options = { .monitor_path = g->monitor, .kvm_usable = qemu_kvm_usable() };
    _cleanup_(qemu_argv_freep) char **argv = NULL;
    _cleanup_free_ char *line = NULL;

    assert_non_null(def);
    argv = qemu_command_build(def, &options, &err);
    if (!argv)
        fail_msg("%s", vb_error_message(&err));
    line = qemu_argv_to_string(argv);
    print_message("starting: %s\n", line);
    g->pid = fork();
    assert_true(g->pid >= 0);
    if (g->pid == 0) {
        int fd = open(g->stderr_log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        sigset_t all;

        sigemptyset(&all);
        sigprocmask(SIG_SETMASK, &all, NULL);
        setsid();
        if (fd >= 0) {
            dup2(fd, STDOUT_FILENO);
            dup2(fd, STDERR_FILENO);
        }
        execvp(argv[0], argv);
        _exit(127);
    }
    assert_int_equal(sd_event_add_child(g->loop, &g->child, g->pid, WEXITED, on_child, g), 0);
}

static void guest_connect(struct guest *g)
{
    struct vb_error err = VB_ERROR_INIT;

    g->mon = qmp_monitor_connect(g->loop, g->monitor, 10 * SECOND, &callbacks, g, &err);
    if (!g->mon)
        fail_msg("%s", vb_error_message(&err));
    if (!run_until(g, &g->ready, 11 * SECOND))
        fail_msg("no QMP handshake: %s", g->closed_message);
}

static void print_file(const char *title, const char *path)
{
    char buf[4096];
    ssize_t n;
    int fd = open(path, O_RDONLY | O_CLOEXEC);

    if (fd < 0)
        return;
    n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    if (n > 0) {
        buf[n] = '\0';
        print_message("--- %s:\n%s\n", title, buf);
    }
}

static int setup(void **state)
{
    struct guest *g = calloc(1, sizeof(*g));
    sigset_t chld;

    assert_non_null(g);
    /* sd_event_add_child needs SIGCHLD blocked. */
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    assert_int_equal(sigprocmask(SIG_BLOCK, &chld, NULL), 0);
    assert_int_equal(sd_event_new(&g->loop), 0);
    snprintf(g->dir, sizeof(g->dir), "/tmp/virtbus-qemu-XXXXXX");
    assert_non_null(mkdtemp(g->dir));
    snprintf(g->monitor, sizeof(g->monitor), "%s/monitor.sock", g->dir);
    snprintf(g->serial, sizeof(g->serial), "%s/serial.log", g->dir);
    snprintf(g->stderr_log, sizeof(g->stderr_log), "%s/qemu.log", g->dir);
    g->pid = -1;
    *state = g;
    return 0;
}

static int teardown(void **state)
{
    struct guest *g = *state;

    qmp_monitor_free(g->mon);
    if (g->pid > 0 && !g->exited) {
        kill(g->pid, SIGKILL);
        waitpid(g->pid, NULL, 0);
    }
    sd_event_source_disable_unref(g->child);
    print_file("qemu stderr", g->stderr_log);
    unlink(g->monitor);
    unlink(g->serial);
    unlink(g->stderr_log);
    rmdir(g->dir);
    sd_event_unref(g->loop);
    free(g);
    return 0;
}

static void test_guest_boots_and_powers_off_over_qmp(void **state)
{
    struct guest *g = *state;
    uint64_t start = vb_now_usec();

    guest_start(g);
    guest_connect(g);
    print_message("QMP ready after %" PRIu64 " ms\n", (vb_now_usec() - start) / 1000u);

    call(g, "query-status", 5 * SECOND);
    assert_int_equal(g->result, 0);
    assert_non_null(strstr(g->reply, "\"status\":\"prelaunch\"")); /* -S: not started yet */
    call(g, "cont", 5 * SECOND);
    assert_int_equal(g->result, 0);
    assert_true(has_event(g, "RESUME -"));
    call(g, "query-status", 5 * SECOND);
    assert_non_null(strstr(g->reply, "\"running\":true"));

    if (!wait_for_console(g, READY_MARKER, 40 * SECOND)) {
        print_file("serial", g->serial);
        fail_msg("the guest never printed " READY_MARKER);
    }
    print_message("guest ready after %" PRIu64 " ms\n", (vb_now_usec() - start) / 1000u);

    call(g, "system_powerdown", 5 * SECOND);
    assert_int_equal(g->result, 0);
    for (uint64_t deadline = vb_now_usec() + 20 * SECOND;
         !has_event(g, "SHUTDOWN {\"guest\":true,\"reason\":\"guest-shutdown\"}") && vb_now_usec() < deadline;)
        assert_true(sd_event_run(g->loop, 50 * 1000u) >= 0);
    for (int i = 0; i < g->n_events; i++)
        print_message("event: %s\n", g->events[i]);
    print_file("serial", g->serial);
    assert_true(has_event(g, "POWERDOWN -"));
    assert_true(has_event(g, "SHUTDOWN {\"guest\":true,\"reason\":\"guest-shutdown\"}"));
    assert_true(file_contains(g->serial, POWERDOWN_MARKER));

    /* -no-shutdown: qemu waits, guest stopped, for the driver to read the state and end it. */
    call(g, "query-status", 5 * SECOND);
    assert_non_null(strstr(g->reply, "\"status\":\"shutdown\""));
    assert_false(g->exited);
    send_command(g, "quit", 5 * SECOND);
    assert_true(run_until(g, &g->exited, 10 * SECOND));
    assert_int_equal(g->exit_info.si_code, CLD_EXITED);
    assert_int_equal(g->exit_info.si_status, 0);
    assert_true(run_until(g, &g->closed, 5 * SECOND));
    assert_true(g->replied); /* quit's reply, or end of file if qemu left first */
    assert_string_equal(g->closed_message, "operation failed: End of file from qemu monitor");
    print_message("powered off after %" PRIu64 " ms\n", (vb_now_usec() - start) / 1000u);
}

static void test_stopped_qemu_times_out_then_kill_9_gives_end_of_file(void **state)
{
    struct guest *g = *state;

    guest_start(g);
    guest_connect(g);

    /* qemu stopped by a signal answers nothing: the command times out, the monitor stays. */
    assert_int_equal(kill(g->pid, SIGSTOP), 0);
    call(g, "query-status", 300 * 1000u);
    assert_int_equal(g->result, -1);
    assert_string_equal(g->error, "Timed out during operation: no reply to QMP command 'query-status' within 300 ms");
    assert_false(g->closed);
    assert_int_equal(kill(g->pid, SIGCONT), 0);
    call(g, "query-name", 5 * SECOND); /* the late reply to query-status is dropped before it */
    assert_int_equal(g->result, 0);
    assert_string_equal(g->reply, "{\"name\":\"tiny-guest\"}");

    /* kill -9 while a command waits: it fails with end of file, then the monitor closes. */
    assert_int_equal(kill(g->pid, SIGSTOP), 0);
    send_command(g, "query-status", 10 * SECOND);
    assert_true(sd_event_run(g->loop, 100 * 1000u) >= 0); /* the request is written */
    assert_int_equal(kill(g->pid, SIGKILL), 0);
    assert_true(run_until(g, &g->closed, 5 * SECOND));
    assert_true(g->replied);
    assert_int_equal(g->result, -1);
    assert_string_equal(g->error, "operation failed: End of file from qemu monitor (no reply to 'query-status')");
    assert_string_equal(g->closed_message, "operation failed: End of file from qemu monitor");
    assert_true(run_until(g, &g->exited, 5 * SECOND));
    assert_int_equal(g->exit_info.si_code, CLD_KILLED);
    assert_int_equal(g->exit_info.si_status, SIGKILL);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_guest_boots_and_powers_off_over_qmp, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stopped_qemu_times_out_then_kill_9_gives_end_of_file, setup, teardown),
    };

    if (argc != 3) {
        fprintf(stderr, "usage: %s KERNEL INITRAMFS\n", argv[0]);
        return 2;
    }
    kernel = argv[1];
    initramfs = argv[2];
    return cmocka_run_group_tests(tests, NULL, NULL);
}
