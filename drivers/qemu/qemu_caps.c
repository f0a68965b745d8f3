/* qemu-system-x86_64's capabilities, probed once: qemu is run with -machine none and QMP on
 * its stdin/stdout (about 0.1 s), asked query-machines and query-cpu-definitions, and the
 * answer kept until the binary's mtime changes. The probe blocks the loop while it runs. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "conf/xml_util.h"
#include "drivers/qemu/qemu_caps_private.h"
#include "drivers/qemu/qemu_command.h"
#include "util/macros.h"

extern char **environ;

#define PROBE_TIMEOUT_MS 10000
#define PROBE_OUTPUT_MAX (4u << 20)

static const char probe_commands[] = "{\"execute\":\"qmp_capabilities\"}\n"
                                     "{\"execute\":\"query-machines\"}\n"
                                     "{\"execute\":\"query-cpu-definitions\"}\n"
                                     "{\"execute\":\"quit\"}\n";

void qemu_caps_free(struct qemu_caps *caps)
{
    if (!caps)
        return;
    for (size_t i = 0; i < caps->n_machines; i++) {
        free(caps->machines[i].name);
        free(caps->machines[i].alias);
    }
    for (size_t i = 0; i < caps->n_cpus; i++)
        free(caps->cpus[i].name);
    free(caps->machines);
    free(caps->cpus);
    free(caps->emulator);
    free(caps);
}

/* Reads the child's stdout to its end within the timeout. */
static char *read_all(int fd, const char *emulator, struct vb_error *err)
{
    struct vb_buf buf = { 0 };
    struct timespec start, now;
    char chunk[8192];

    clock_gettime(CLOCK_MONOTONIC, &start);
    for (;;) {
        struct pollfd pfd = { .fd = fd, .events = POLLIN };
        long elapsed;
        ssize_t n;

        clock_gettime(CLOCK_MONOTONIC, &now);
        elapsed = (now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000;
        if (elapsed >= PROBE_TIMEOUT_MS || poll(&pfd, 1, (int) (PROBE_TIMEOUT_MS - elapsed)) == 0) {
            vb_buf_free(&buf);
            vb_error_set(err, VB_ERR_OPERATION_TIMEOUT, "timed out probing capabilities of %s", emulator);
            return NULL;
        }
        n = read(fd, chunk, sizeof(chunk));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0 || buf.len + (size_t) n > PROBE_OUTPUT_MAX)
            break;
        vb_buf_add_len(&buf, chunk, (size_t) n);
    }
    return vb_buf_steal(&buf, err);
}

/* Runs emulator with QMP on a pipe pair and returns everything it wrote. */
static char *run_probe(const char *emulator, struct vb_error *err)
{
    char *const argv[] = { (char *) emulator, (char *) "-machine", (char *) "none", (char *) "-nodefaults",
                           (char *) "-nographic", (char *) "-display", (char *) "none", (char *) "-S",
                           (char *) "-no-user-config", (char *) "-qmp", (char *) "stdio", NULL };
    int in[2] = { -1, -1 }, out[2] = { -1, -1 }, status;
    posix_spawn_file_actions_t actions;
    char *output = NULL;
    pid_t pid;
    int r;

    if (pipe2(in, O_CLOEXEC) < 0 || pipe2(out, O_CLOEXEC) < 0) {
        vb_error_set_errno(err, errno, "cannot create a pipe to probe %s", emulator);
        goto out;
    }
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, in[0], STDIN_FILENO);
    posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&actions, out[1], STDERR_FILENO);
    r = posix_spawn(&pid, emulator, &actions, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&actions);
    if (r != 0) {
        vb_error_set_errno(err, r, "cannot execute binary %s", emulator);
        goto out;
    }
    close(in[0]);
    close(out[1]);
    in[0] = out[1] = -1;
    /* The commands are far below a pipe's capacity: one write, never blocking. */
    if (write(in[1], probe_commands, sizeof(probe_commands) - 1) < 0) { /* qemu died: read says why */
    }
    output = read_all(out[0], emulator, err);
    if (!output)
        kill(pid, SIGKILL);
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
out:
    for (int i = 0; i < 2; i++) {
        if (in[i] >= 0)
            close(in[i]);
        if (out[i] >= 0)
            close(out[i]);
    }
    return output;
}

static const char *object_string(json_object *obj, const char *key)
{
    json_object *value;

    return json_object_object_get_ex(obj, key, &value) ? json_object_get_string(value) : NULL;
}

static char *strdup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

static int take_machines(struct qemu_caps *caps, json_object *list)
{
    size_t n = json_object_array_length(list);

    caps->machines = calloc(n + 1, sizeof(*caps->machines));
    if (!caps->machines)
        return -1;
    for (size_t i = 0; i < n; i++) {
        json_object *m = json_object_array_get_idx(list, i), *value;
        struct qemu_caps_machine *out = &caps->machines[caps->n_machines];

        if (!object_string(m, "name") || streq(object_string(m, "name"), "none"))
            continue;
        out->name = strdup(object_string(m, "name"));
        out->alias = strdup_or_null(object_string(m, "alias"));
        out->max_cpus = json_object_object_get_ex(m, "cpu-max", &value) ? json_object_get_int(value) : 1;
        out->is_default = json_object_object_get_ex(m, "is-default", &value) && json_object_get_boolean(value);
        caps->n_machines++;
        if (!out->name)
            return -1;
    }
    return 0;
}

static int take_cpus(struct qemu_caps *caps, json_object *list)
{
    size_t n = json_object_array_length(list);

    caps->cpus = calloc(n + 1, sizeof(*caps->cpus));
    if (!caps->cpus)
        return -1;
    for (size_t i = 0; i < n; i++) {
        json_object *c = json_object_array_get_idx(list, i), *missing;
        struct qemu_caps_cpu *out = &caps->cpus[caps->n_cpus];
        const char *name = object_string(c, "name");

        /* host and max are modes (host-passthrough, maximum), not models, in libvirt */
        if (!name || streq(name, "host") || streq(name, "max") || streq(name, "base"))
            continue;
        out->name = strdup(name);
        out->usable = !json_object_object_get_ex(c, "unavailable-features", &missing) ||
                      json_object_array_length(missing) == 0;
        caps->n_cpus++;
        if (!out->name)
            return -1;
    }
    return 0;
}

/* The replies come in the order of probe_commands: qmp_capabilities, machines, cpus. */
static int parse_probe(struct qemu_caps *caps, char *output, struct vb_error *err)
{
    int answers = 0, r = 0;

    for (char *line = strtok(output, "\n"); line && r == 0; line = strtok(NULL, "\n")) {
        json_object *msg = json_tokener_parse(line), *ret;

        if (msg && json_object_object_get_ex(msg, "return", &ret)) {
            if (answers == 1 && json_object_is_type(ret, json_type_array))
                r = take_machines(caps, ret);
            else if (answers == 2 && json_object_is_type(ret, json_type_array))
                r = take_cpus(caps, ret);
            answers++;
        } else if (msg && json_object_object_get_ex(msg, "QMP", &ret)) {
            json_object *version;

            if (json_object_object_get_ex(ret, "version", &version) &&
                json_object_object_get_ex(version, "qemu", &version)) {
                caps->version = json_object_get_int(json_object_object_get(version, "major")) * 1000000 +
                                json_object_get_int(json_object_object_get(version, "minor")) * 1000 +
                                json_object_get_int(json_object_object_get(version, "micro"));
            }
        }
        json_object_put(msg);
    }
    if (r < 0)
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    if (caps->n_machines == 0)
        return vb_error_set(err, VB_ERR_INTERNAL_ERROR, "Failed to probe capabilities for %s: "
                            "no machine types in its answer", caps->emulator);
    return 0;
}

struct qemu_caps *qemu_caps_probe(const char *emulator, struct vb_error *err)
{
    struct qemu_caps *caps;
    _cleanup_free_ char *output = NULL;
    struct stat st;

    if (stat(emulator, &st) < 0) {
        vb_error_set_errno(err, errno, "Cannot find QEMU binary %s", emulator);
        return NULL;
    }
    caps = calloc(1, sizeof(*caps));
    if (!caps || !(caps->emulator = strdup(emulator))) {
        free(caps);
        vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
        return NULL;
    }
    caps->mtime = st.st_mtim;
    caps->kvm_usable = qemu_kvm_usable();
    output = run_probe(emulator, err);
    if (!output || parse_probe(caps, output, err) < 0) {
        qemu_caps_free(caps);
        return NULL;
    }
    return caps;
}

int qemu_caps_check_emulator(const char *emulator, struct vb_error *err)
{
    if (access(emulator, X_OK) < 0)
        return vb_error_set_errno(err, errno, "Cannot find QEMU binary %s", emulator);
    return 0;
}

/* Probed on first use, not at open: the daemon owns its bus name sooner, and the one caller
 * that waits (~0.1 s) is the first to ask for capabilities. */
const struct qemu_caps *qemu_conn_caps(struct qemu_conn *conn, struct vb_error *err)
{
    struct qemu_caps *fresh;

    if (conn->caps && !qemu_caps_outdated(conn->caps))
        return conn->caps;
    fresh = qemu_caps_probe(QEMU_EMULATOR, err);
    if (!fresh)
        return NULL;
    qemu_caps_free(conn->caps);
    conn->caps = fresh;
    return fresh;
}

bool qemu_caps_outdated(const struct qemu_caps *caps)
{
    struct stat st;

    return stat(caps->emulator, &st) < 0 || st.st_mtim.tv_sec != caps->mtime.tv_sec ||
           st.st_mtim.tv_nsec != caps->mtime.tv_nsec;
}

const char *qemu_caps_default_machine(const struct qemu_caps *caps)
{
    for (size_t i = 0; i < caps->n_machines; i++)
        if (caps->machines[i].is_default)
            return caps->machines[i].name;
    return caps->machines[0].name;
}

/* A machine by its name or alias ("pc" → pc-i440fx-7.2), or NULL. */
const struct qemu_caps_machine *qemu_caps_find_machine(const struct qemu_caps *caps, const char *name)
{
    for (size_t i = 0; i < caps->n_machines; i++)
        if (streq(caps->machines[i].name, name) || (caps->machines[i].alias && streq(caps->machines[i].alias, name)))
            return &caps->machines[i];
    return NULL;
}
