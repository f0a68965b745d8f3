/* Unit tests for the qemu hook runner (drivers/qemu/qemu_hooks.c) with real scripts on a real
 * sd-event loop: no script, a non-executable one, a large XML on stdin (read, or not read at
 * all), a sequence stopped by a failure with the script's stderr, fire and forget going on past a
 * failure, the timeout, and a cancelled run. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <systemd/sd-event.h>

#include "drivers/qemu/qemu_hooks.h"
#include "util/file.h"
#include "util/macros.h"

#define LARGE_XML_BYTES (1024u * 1024u) /* far over a pipe's buffer */

struct fixture {
    sd_event *loop;
    char dir[256], config[300], script[400], log[300];
    struct qemu_hooks *hooks;
    int n_done, result;
    char message[1024];
};

static void on_done(int result, const struct vb_error *err, void *userdata)
{
    struct fixture *f = userdata;

    f->n_done++;
    f->result = result;
    snprintf(f->message, sizeof(f->message), "%s", result < 0 ? vb_error_message(err) : "");
}

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    char hooks_dir[350];

    assert_non_null(f);
    snprintf(f->dir, sizeof(f->dir), "%s/vb-hooks-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->config, sizeof(f->config), "%s/etc", f->dir);
    snprintf(hooks_dir, sizeof(hooks_dir), "%s/hooks", f->config);
    assert_int_equal(mkdir(f->config, 0700), 0);
    assert_int_equal(mkdir(hooks_dir, 0700), 0);
    snprintf(f->script, sizeof(f->script), "%s/qemu", hooks_dir);
    snprintf(f->log, sizeof(f->log), "%s/log", f->dir);
    assert_true(sd_event_new(&f->loop) >= 0);
    setenv(QEMU_HOOKS_TIMEOUT_ENV, "300", 1);
    f->hooks = qemu_hooks_new(f->loop, f->config, NULL);
    unsetenv(QEMU_HOOKS_TIMEOUT_ENV);
    assert_non_null(f->hooks);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    char command[300];

    qemu_hooks_free(f->hooks);
    sd_event_unref(f->loop);
    snprintf(command, sizeof(command), "rm -rf '%s'", f->dir);
    assert_int_equal(system(command), 0);
    free(f);
    return 0;
}

/* Writes the hook script: `body` after a line logging the arguments. */
static void write_script(struct fixture *f, const char *body, mode_t mode)
{
    FILE *out = fopen(f->script, "w");

    assert_non_null(out);
    fprintf(out, "#!/bin/sh\necho \"$*\" >> '%s'\n%s\n", f->log, body);
    assert_int_equal(fclose(out), 0);
    assert_int_equal(chmod(f->script, mode), 0);
}

static void run_loop_until(struct fixture *f, int n_done, size_t n_log_lines)
{
    for (int i = 0; i < 100; i++) {
        _cleanup_free_ char *log = NULL;

        if (f->n_done >= n_done) {
            size_t lines = 0;

            log = vb_file_read_all(f->log, 1 << 20, NULL, NULL);
            for (const char *p = log; p && (p = strchr(p, '\n')); p++)
                lines++;
            if (lines >= n_log_lines)
                return;
        }
        assert_true(sd_event_run(f->loop, 50 * 1000u) >= 0);
    }
    fail_msg("the hooks did not finish");
}

static char *read_log(struct fixture *f)
{
    return vb_file_read_all(f->log, 1 << 20, NULL, NULL);
}

static const enum qemu_hook_op start_ops[] = { QEMU_HOOK_PREPARE, QEMU_HOOK_START };
static const enum qemu_hook_op stop_ops[] = { QEMU_HOOK_STOPPED, QEMU_HOOK_RELEASE };

static void test_no_script_or_a_non_executable_one_runs_nothing(void **state)
{
    struct fixture *f = *state;

    assert_int_equal(qemu_hooks_run(f->hooks, "vm", start_ops, 2, "<domain/>", on_done, f, NULL, NULL),
                     QEMU_HOOKS_NONE);
    write_script(f, "exit 0", 0644);
    assert_int_equal(qemu_hooks_run(f->hooks, "vm", start_ops, 2, "<domain/>", on_done, f, NULL, NULL),
                     QEMU_HOOKS_NONE);
    assert_int_equal(f->n_done, 0);
}

static char *large_xml(void)
{
    char *xml = malloc(LARGE_XML_BYTES + 1);

    assert_non_null(xml);
    memset(xml, 'x', LARGE_XML_BYTES);
    xml[LARGE_XML_BYTES] = '\0';
    return xml;
}

static void test_large_xml_reaches_stdin_in_full(void **state)
{
    struct fixture *f = *state;
    _cleanup_free_ char *xml = large_xml(), *body = NULL, *log = NULL;
    char copy[300];
    struct stat st;

    snprintf(copy, sizeof(copy), "%s/stdin", f->dir);
    assert_true(asprintf(&body, "cat > '%s'", copy) > 0);
    write_script(f, body, 0755);
    assert_int_equal(qemu_hooks_run(f->hooks, "vm", start_ops, 2, xml, on_done, f, NULL, NULL), 0);
    run_loop_until(f, 1, 2);
    assert_int_equal(f->result, 0);
    assert_int_equal(stat(copy, &st), 0);
    assert_int_equal(st.st_size, LARGE_XML_BYTES);
    log = read_log(f);
    assert_string_equal(log, "vm prepare begin -\nvm start begin -\n");
}

static void test_script_that_ignores_stdin_succeeds(void **state)
{
    struct fixture *f = *state;
    _cleanup_free_ char *xml = large_xml();

    write_script(f, "exit 0", 0755);
    assert_int_equal(qemu_hooks_run(f->hooks, "vm", start_ops, 1, xml, on_done, f, NULL, NULL), 0);
    run_loop_until(f, 1, 1);
    assert_int_equal(f->result, 0);
}

static void test_failure_stops_the_sequence_with_the_stderr(void **state)
{
    struct fixture *f = *state;
    _cleanup_free_ char *log = NULL;
    char expected[1024];

    write_script(f, "echo \"no $2 for $1\" >&2\nexit 2", 0755);
    assert_int_equal(qemu_hooks_run(f->hooks, "vm", start_ops, 2, "<domain/>", on_done, f, NULL, NULL), 0);
    run_loop_until(f, 1, 1);
    assert_int_equal(f->result, -1);
    snprintf(expected, sizeof(expected), "Hook script execution failed: internal error: Child process (%s vm "
             "prepare begin -) unexpected exit status 2: no prepare for vm", f->script);
    assert_string_equal(f->message, expected);
    log = read_log(f);
    assert_string_equal(log, "vm prepare begin -\n");
}

static void test_fire_and_forget_goes_on_past_a_failure(void **state)
{
    struct fixture *f = *state;
    _cleanup_free_ char *log = NULL;

    write_script(f, "exit 1", 0755);
    assert_int_equal(qemu_hooks_run(f->hooks, "vm", stop_ops, 2, "<domain/>", NULL, NULL, NULL, NULL), 0);
    run_loop_until(f, 0, 2);
    log = read_log(f);
    assert_string_equal(log, "vm stopped end -\nvm release end -\n");
}

static void test_script_past_the_timeout_is_killed(void **state)
{
    struct fixture *f = *state;

    write_script(f, "exec sleep 10", 0755);
    assert_int_equal(qemu_hooks_run(f->hooks, "vm", start_ops, 2, "<domain/>", on_done, f, NULL, NULL), 0);
    run_loop_until(f, 1, 1);
    assert_int_equal(f->result, -1);
    assert_non_null(strstr(f->message, "vm prepare begin -) killed after 300 ms without finishing"));
}

static void test_cancelled_run_never_reports(void **state)
{
    struct fixture *f = *state;
    struct qemu_hook_run *run = NULL;

    write_script(f, "exec sleep 10", 0755);
    assert_int_equal(qemu_hooks_run(f->hooks, "vm", start_ops, 2, "<domain/>", on_done, f, &run, NULL), 0);
    assert_non_null(run);
    qemu_hooks_cancel(run);
    for (int i = 0; i < 8; i++)
        assert_true(sd_event_run(f->loop, 50 * 1000u) >= 0);
    assert_int_equal(f->n_done, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_no_script_or_a_non_executable_one_runs_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_large_xml_reaches_stdin_in_full, setup, teardown),
        cmocka_unit_test_setup_teardown(test_script_that_ignores_stdin_succeeds, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failure_stops_the_sequence_with_the_stderr, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fire_and_forget_goes_on_past_a_failure, setup, teardown),
        cmocka_unit_test_setup_teardown(test_script_past_the_timeout_is_killed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cancelled_run_never_reports, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
