/* drivers/qemu/qemu_process.c with a real tiny guest under qemu (TCG): start and ready, start
 * paused and cont, ACPI power-off then quit, kill -9, stop, a start qemu refuses, reattach after
 * a daemon restart, and a pidfile whose process is not the one it names.
 * Usage: test-qemu-process KERNEL INITRAMFS (tests/integration/run-qemu-guest.sh builds them). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "drivers/qemu/qemu_command.h"
#include "drivers/qemu/qemu_process.h"
#include "util/time.h"

#define SECOND (1000u * 1000u)
#define MAX_EVENTS 32
#define READY_MARKER "VIRTBUS-GUEST-READY"

static const char *kernel, *initramfs;

struct ctx {
    sd_event *loop;
    char dir[64], run_dir[96], log_dir[96], serial[128];
    struct qemu_process *proc;
    pid_t pid;
    bool ready, running, failed, exited, stopped, replied;
    char failure[1024];
    struct qemu_process_exit exit;
    int stop_result;
    char stop_error[256];
    uint64_t monitor_timeout_usec; /* 0: the default */
    char events[MAX_EVENTS][256];
    int n_events;
    char reply[512];
};

static void on_ready(struct qemu_process *proc, bool running, void *userdata)
{
    struct ctx *c = userdata;

    c->ready = true;
    c->running = running;
}

static void on_failed(struct qemu_process *proc, const struct vb_error *err, void *userdata)
{
    struct ctx *c = userdata;

    c->failed = true;
    snprintf(c->failure, sizeof(c->failure), "%s", vb_error_message(err));
    qemu_process_free(proc);
    c->proc = NULL;
}

static void on_event(struct qemu_process *proc, const struct qmp_event *event, void *userdata)
{
    struct ctx *c = userdata;

    assert_true(c->n_events < MAX_EVENTS);
    snprintf(c->events[c->n_events++], sizeof(c->events[0]), "%s %s", event->name,
             event->data ? json_object_to_json_string_ext(event->data, JSON_C_TO_STRING_PLAIN) : "-");
}

static void on_exited(struct qemu_process *proc, const struct qemu_process_exit *exit_info, void *userdata)
{
    struct ctx *c = userdata;

    c->exited = true;
    c->exit = *exit_info;
    qemu_process_free(proc);
    c->proc = NULL;
}

static const struct qemu_process_callbacks callbacks = {
    .ready = on_ready, .failed = on_failed, .event = on_event, .exited = on_exited,
};

static void on_stopped(struct qemu_process *proc, int result, const struct vb_error *err, void *userdata)
{
    struct ctx *c = userdata;

    c->stopped = true;
    c->stop_result = result;
    snprintf(c->stop_error, sizeof(c->stop_error), "%s", result < 0 ? vb_error_message(err) : "");
}

static void on_reply(struct qmp_monitor *mon, const struct qmp_reply *reply, void *userdata)
{
    struct ctx *c = userdata;

    c->replied = true;
    snprintf(c->reply, sizeof(c->reply), "%s",
             reply->result == 0 ? json_object_to_json_string_ext(reply->ret, JSON_C_TO_STRING_PLAIN)
                                : vb_error_message(&reply->err));
}

static bool run_until(struct ctx *c, const bool *flag, uint64_t timeout_usec)
{
    uint64_t deadline = vb_now_usec() + timeout_usec;

    while (!*flag && vb_now_usec() < deadline)
        assert_true(sd_event_run(c->loop, 50 * 1000u) >= 0);
    return *flag;
}

static bool has_event_prefix(const struct ctx *c, const char *prefix)
{
    for (int i = 0; i < c->n_events; i++)
        if (strncmp(c->events[i], prefix, strlen(prefix)) == 0)
            return true;
    return false;
}

static bool wait_event(struct ctx *c, const char *prefix, uint64_t timeout_usec)
{
    uint64_t deadline = vb_now_usec() + timeout_usec;

    while (!has_event_prefix(c, prefix) && vb_now_usec() < deadline)
        assert_true(sd_event_run(c->loop, 50 * 1000u) >= 0);
    return has_event_prefix(c, prefix);
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

static int count_files(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int n = 0;

    assert_non_null(d);
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            n++;
    closedir(d);
    return n;
}

/* Sends a command through the process and waits for its outcome (the reply text or the error). */
static const char *call(struct ctx *c, const char *command)
{
    struct vb_error err = VB_ERROR_INIT;

    c->replied = false;
    if (qemu_process_command(c->proc, command, NULL, 5 * SECOND, on_reply, c, &err) < 0)
        fail_msg("%s: %s", command, vb_error_message(&err));
    assert_true(run_until(c, &c->replied, 6 * SECOND));
    return c->reply;
}

static struct vb_domain_def *domain_def(const struct ctx *c, const char *extra_devices, const char *tail)
{
    struct vb_error err = VB_ERROR_INIT;
    struct vb_domain_def *def;
    char *xml = NULL;

    assert_true(asprintf(&xml,
                         "<domain type='qemu' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'><name>tiny-guest</name>"
                         "<memory unit='MiB'>128</memory><vcpu>1</vcpu>"
                         "<os><type arch='x86_64' machine='pc'>hvm</type>"
                         "<kernel>%s</kernel><initrd>%s</initrd>"
                         "<cmdline>console=ttyS0 quiet panic=-1</cmdline></os>"
                         "<features><acpi/></features>"
                         "<devices>%s"
                         "<serial type='file'><source path='%s'/><target port='0'/></serial>"
                         "<memballoon model='none'/>"
                         "</devices>%s</domain>",
                         kernel, initramfs, extra_devices, c->serial, tail) > 0);
    def = vb_domain_def_parse_string(xml, &err);
    free(xml);
    if (!def)
        fail_msg("%s", vb_error_message(&err));
    return def;
}

/* Starts the guest; returns once ready or failed. */
static void start(struct ctx *c, bool paused, const char *extra_devices, const char *tail)
{
    struct vb_error err = VB_ERROR_INIT;
    struct vb_domain_def *def = domain_def(c, extra_devices, tail);
    const struct qemu_process_paths paths = { .run_dir = c->run_dir, .log_dir = c->log_dir };
    const struct qemu_process_options options = { .start_paused = paused, .kvm_usable = qemu_kvm_usable(),
                                                  .monitor_timeout_usec = c->monitor_timeout_usec };

    c->ready = c->failed = false;
    c->proc = qemu_process_start(c->loop, def, &paths, &options, &callbacks, c, &err);
    vb_domain_def_free(def);
    if (!c->proc)
        fail_msg("%s", vb_error_message(&err));
    c->pid = qemu_process_pid(c->proc);
    while (!c->ready && !c->failed)
        assert_true(sd_event_run(c->loop, 100 * 1000u) >= 0);
}

static void start_ready(struct ctx *c, bool paused)
{
    start(c, paused, "", "");
    if (c->failed)
        fail_msg("start failed: %s", c->failure);
    assert_int_equal(count_files(c->run_dir), 3); /* monitor, pidfile, live XML */
}

static int setup(void **state)
{
    struct ctx *c = calloc(1, sizeof(*c));

    assert_non_null(c);
    assert_int_equal(sd_event_new(&c->loop), 0);
    snprintf(c->dir, sizeof(c->dir), "/tmp/virtbus-qproc-XXXXXX");
    assert_non_null(mkdtemp(c->dir));
    snprintf(c->run_dir, sizeof(c->run_dir), "%s/run", c->dir);
    snprintf(c->log_dir, sizeof(c->log_dir), "%s/log", c->dir);
    snprintf(c->serial, sizeof(c->serial), "%s/serial.log", c->dir);
    assert_int_equal(mkdir(c->run_dir, 0700), 0);
    assert_int_equal(mkdir(c->log_dir, 0700), 0);
    c->pid = -1;
    *state = c;
    return 0;
}

static int teardown(void **state)
{
    struct ctx *c = *state;
    char command[256];

    qemu_process_free(c->proc);
    if (c->pid > 0) {
        kill(c->pid, SIGKILL);
        waitpid(c->pid, NULL, 0);
    }
    snprintf(command, sizeof(command), "cat %s/log/tiny-guest.log 2>/dev/null | tail -5; rm -rf %s", c->dir, c->dir);
    if (system(command) != 0)
        print_message("cleanup of %s failed\n", c->dir);
    sd_event_unref(c->loop);
    free(c);
    return 0;
}

static void test_start_then_acpi_poweroff_and_quit_is_a_guest_shutdown(void **state)
{
    struct ctx *c = *state;
    struct vb_error err = VB_ERROR_INIT;
    char log[200];

    start_ready(c, false);
    assert_true(c->running);
    assert_non_null(strstr(call(c, "query-status"), "\"status\":\"running\""));
    for (uint64_t deadline = vb_now_usec() + 40 * SECOND;
         !file_contains(c->serial, READY_MARKER) && vb_now_usec() < deadline;)
        assert_true(sd_event_run(c->loop, 50 * 1000u) >= 0);
    assert_true(file_contains(c->serial, READY_MARKER));

    call(c, "system_powerdown");
    assert_true(wait_event(c, "SHUTDOWN {\"guest\":true", 20 * SECOND));
    assert_false(c->exited); /* -no-shutdown: qemu waits for the driver */
    assert_int_equal(qemu_process_quit(c->proc, &err), 0);
    assert_true(run_until(c, &c->exited, 10 * SECOND));
    assert_true(c->exit.status_known);
    assert_false(c->exit.signaled);
    assert_int_equal(c->exit.status, 0);
    assert_true(c->exit.requested);
    assert_true(c->exit.guest_shutdown);
    assert_true(c->exit.shutdown_by_guest);
    assert_int_equal(count_files(c->run_dir), 0);
    snprintf(log, sizeof(log), "%s/tiny-guest.log", c->log_dir);
    assert_true(file_contains(log, "starting up"));
    c->pid = -1; /* reaped by the process */
}

/* Whether process pid holds a descriptor open on path. */
static bool holds_file(pid_t pid, const char *path)
{
    char dir[64], link[PATH_MAX], target[PATH_MAX];
    DIR *d;
    struct dirent *e;
    bool found = false;

    snprintf(dir, sizeof(dir), "/proc/%d/fd", (int) pid);
    d = opendir(dir);
    assert_non_null(d);
    while (!found && (e = readdir(d))) {
        ssize_t n;

        snprintf(link, sizeof(link), "%s/%s", dir, e->d_name);
        n = readlink(link, target, sizeof(target) - 1);
        if (n > 0) {
            target[n] = '\0';
            found = strcmp(target, path) == 0;
        }
    }
    closedir(d);
    return found;
}

static void test_start_paused_then_cont_then_kill_9_is_a_crash(void **state)
{
    struct ctx *c = *state;
    char marker[128], stdin_target[64], link[64];
    int leaked;
    ssize_t n;

    /* A descriptor the daemon forgot to mark close-on-exec must not reach qemu. */
    snprintf(marker, sizeof(marker), "%s/leak-marker", c->dir);
    leaked = open(marker, O_WRONLY | O_CREAT, 0600);
    assert_true(leaked >= 0);
    start_ready(c, true);
    close(leaked);
    assert_false(holds_file(c->pid, marker));
    snprintf(marker, sizeof(marker), "%s/tiny-guest.log", c->log_dir);
    assert_true(holds_file(c->pid, marker)); /* its stdout and stderr: the check sees what qemu holds */
    snprintf(link, sizeof(link), "/proc/%d/fd/0", (int) c->pid);
    n = readlink(link, stdin_target, sizeof(stdin_target) - 1);
    assert_true(n > 0);
    stdin_target[n] = '\0';
    assert_string_equal(stdin_target, "/dev/null");
    assert_int_equal(getsid(c->pid), c->pid); /* a session of its own: it outlives the daemon */
    assert_false(c->running);
    assert_non_null(strstr(call(c, "query-status"), "\"status\":\"prelaunch\""));
    assert_non_null(strstr(call(c, "cont"), "{}"));
    assert_true(wait_event(c, "RESUME", 5 * SECOND));
    assert_non_null(strstr(call(c, "query-status"), "\"running\":true"));

    assert_int_equal(kill(c->pid, SIGKILL), 0);
    assert_true(run_until(c, &c->exited, 5 * SECOND));
    assert_true(c->exit.status_known);
    assert_true(c->exit.signaled);
    assert_int_equal(c->exit.status, SIGKILL);
    assert_false(c->exit.requested);
    assert_false(c->exit.guest_shutdown);
    assert_int_equal(count_files(c->run_dir), 0);
    c->pid = -1;
}

static void test_stop_ends_qemu_as_asked(void **state)
{
    struct ctx *c = *state;
    struct vb_error err = VB_ERROR_INIT;

    start_ready(c, false);
    assert_int_equal(qemu_process_stop(c->proc, false, 0, on_stopped, c, &err), 0);
    assert_int_equal(qemu_process_stop(c->proc, false, 0, on_stopped, c, &err), -1); /* one at a time */
    assert_string_equal(vb_error_message(&err), "Requested operation is not valid: domain 'tiny-guest' is already being stopped");
    vb_error_clear(&err);
    assert_true(run_until(c, &c->exited, 15 * SECOND));
    assert_true(c->stopped);
    assert_int_equal(c->stop_result, 0);
    assert_true(c->exit.requested);
    assert_true(c->exit.status_known);
    assert_false(c->exit.shutdown_by_guest); /* qemu says SHUTDOWN {guest: false} on SIGTERM */
    assert_int_equal(count_files(c->run_dir), 0);
    c->pid = -1;
}

static void test_start_qemu_refuses_reports_its_words_and_leaves_nothing(void **state)
{
    struct ctx *c = *state;

    start(c, false, "<disk type='file' device='disk'><source file='/nonexistent/virtbus-disk.img'/>"
                    "<target dev='vda' bus='virtio'/></disk>", "");
    assert_true(c->failed);
    assert_false(c->ready);
    print_message("failure: %s\n", c->failure);
    assert_non_null(strstr(c->failure, "internal error: process exited while connecting to monitor: "));
    assert_non_null(strstr(c->failure, "/nonexistent/virtbus-disk.img"));
    assert_int_equal(count_files(c->run_dir), 0);
    assert_int_equal(kill(c->pid, 0), -1); /* reaped */
    c->pid = -1;
}

static void test_start_with_an_argument_qemu_rejects_fails_with_its_words(void **state)
{
    struct ctx *c = *state;

    start(c, false, "", "<qemu:commandline><qemu:arg value='-virtbus-no-such-option'/></qemu:commandline>");
    assert_true(c->failed);
    print_message("failure: %s\n", c->failure);
    assert_non_null(strstr(c->failure, "process exited while connecting to monitor: "));
    assert_non_null(strstr(c->failure, "-virtbus-no-such-option: invalid option"));
    assert_int_equal(count_files(c->run_dir), 0);
    c->pid = -1;
}

static void test_start_whose_monitor_times_out_kills_qemu(void **state)
{
    struct ctx *c = *state;

    c->monitor_timeout_usec = 1000; /* qemu cannot greet within a millisecond of its exec */
    start(c, false, "", "");
    assert_true(c->failed);
    print_message("failure: %s\n", c->failure);
    assert_non_null(strstr(c->failure, "Timed out during operation"));
    assert_int_equal(count_files(c->run_dir), 0);
    assert_int_equal(kill(c->pid, 0), -1); /* killed and reaped */
    c->pid = -1;
}

/* A qemu stopped by SIGSTOP cannot act on SIGTERM: a graceful stop gives up, a forced one kills. */
static void test_graceful_stop_gives_up_and_forced_stop_kills(void **state)
{
    struct ctx *c = *state;
    struct vb_error err = VB_ERROR_INIT;
    char expected[128];

    start_ready(c, false);
    assert_int_equal(kill(c->pid, SIGSTOP), 0);
    assert_int_equal(qemu_process_stop(c->proc, true, 300 * 1000u, on_stopped, c, &err), 0);
    assert_true(run_until(c, &c->stopped, 5 * SECOND));
    assert_int_equal(c->stop_result, -1);
    snprintf(expected, sizeof(expected), "Failed to terminate process %d with SIGTERM: Device or resource busy",
             (int) c->pid);
    assert_non_null(strstr(c->stop_error, expected));
    assert_false(c->exited);
    assert_int_equal(count_files(c->run_dir), 3);

    c->stopped = false;
    assert_int_equal(qemu_process_stop(c->proc, false, 300 * 1000u, on_stopped, c, &err), 0);
    assert_true(run_until(c, &c->exited, 5 * SECOND));
    assert_true(c->stopped);
    assert_int_equal(c->stop_result, 0);
    assert_true(c->exit.requested);
    assert_true(c->exit.signaled);
    assert_int_equal(c->exit.status, SIGKILL);
    assert_int_equal(count_files(c->run_dir), 0);
    c->pid = -1;
}

static void test_reattach_after_a_restart_finds_qemu_running(void **state)
{
    struct ctx *c = *state;
    struct qemu_process *proc = NULL;
    struct vb_error err = VB_ERROR_INIT;

    assert_int_equal(qemu_process_reattach(c->loop, c->run_dir, "tiny-guest", &callbacks, c, &proc, &err),
                     QEMU_REATTACH_NOT_RUNNING);
    start_ready(c, false);
    qemu_process_free(c->proc); /* the daemon goes; qemu stays */
    c->proc = NULL;
    c->ready = false;
    assert_int_equal(kill(c->pid, 0), 0);

    assert_int_equal(qemu_process_reattach(c->loop, c->run_dir, "tiny-guest", &callbacks, c, &proc, &err),
                     QEMU_REATTACH_ADOPTED);
    c->proc = proc;
    assert_true(run_until(c, &c->ready, 10 * SECOND));
    assert_true(c->running);
    assert_string_equal(qemu_process_def(proc)->name, "tiny-guest");
    assert_int_equal(qemu_process_pid(proc), c->pid);
    call(c, "stop");
    assert_true(wait_event(c, "STOP", 5 * SECOND)); /* events still arrive */

    assert_int_equal(kill(c->pid, SIGKILL), 0);
    assert_true(run_until(c, &c->exited, 5 * SECOND));
    assert_false(c->exit.status_known); /* not our child after a restart */
    assert_false(c->exit.requested);
    assert_int_equal(count_files(c->run_dir), 0);
}

static void test_reattach_to_a_pid_with_another_start_time_is_gone(void **state)
{
    struct ctx *c = *state;
    struct qemu_process *proc = NULL;
    struct vb_error err = VB_ERROR_INIT;
    char path[160];
    FILE *f;
    int pid;
    unsigned long long start_time;

    start_ready(c, true);
    qemu_process_free(c->proc);
    c->proc = NULL;
    snprintf(path, sizeof(path), "%s/tiny-guest.pid", c->run_dir);
    f = fopen(path, "r+");
    assert_non_null(f);
    assert_int_equal(fscanf(f, "%d %llu", &pid, &start_time), 2);
    assert_int_equal(pid, c->pid);
    rewind(f);
    fprintf(f, "%d %llu\n", pid, start_time + 1); /* as if the pid now named another process */
    fclose(f);

    assert_int_equal(qemu_process_reattach(c->loop, c->run_dir, "tiny-guest", &callbacks, c, &proc, &err),
                     QEMU_REATTACH_GONE);
    assert_null(proc);
    assert_int_equal(count_files(c->run_dir), 0);
    assert_int_equal(kill(c->pid, 0), 0); /* not ours: left alone (teardown kills it) */
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_start_then_acpi_poweroff_and_quit_is_a_guest_shutdown, setup, teardown),
        cmocka_unit_test_setup_teardown(test_start_paused_then_cont_then_kill_9_is_a_crash, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stop_ends_qemu_as_asked, setup, teardown),
        cmocka_unit_test_setup_teardown(test_start_qemu_refuses_reports_its_words_and_leaves_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_start_with_an_argument_qemu_rejects_fails_with_its_words, setup, teardown),
        cmocka_unit_test_setup_teardown(test_start_whose_monitor_times_out_kills_qemu, setup, teardown),
        cmocka_unit_test_setup_teardown(test_graceful_stop_gives_up_and_forced_stop_kills, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reattach_after_a_restart_finds_qemu_running, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reattach_to_a_pid_with_another_start_time_is_gone, setup, teardown),
    };

    if (argc != 3) {
        fprintf(stderr, "usage: %s KERNEL INITRAMFS\n", argv[0]);
        return 2;
    }
    kernel = argv[1];
    initramfs = argv[2];
    return cmocka_run_group_tests(tests, NULL, NULL);
}
