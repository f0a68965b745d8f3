/* Launching qemu in a session of its own, and pidfds for watching and signalling it. */
#include "drivers/qemu/qemu_process_private.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "drivers/qemu/qemu_tap.h"
#include "util/macros.h"

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif
#ifndef SYS_close_range
#define SYS_close_range 436
#endif

int qemu_pidfd_open(pid_t pid)
{
    return (int) syscall(SYS_pidfd_open, pid, 0);
}

int qemu_pidfd_send_signal(int pidfd, int sig)
{
    return (int) syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0);
}

/* qemu's environment, as libvirt builds it (virCommandAddEnvPassCommon): a fixed locale and PATH,
 * and only who the daemon runs as; nothing else of the daemon's (its bus addresses, its
 * NOTIFY_SOCKET, sanitizer options) reaches the guest's process. */
#define QEMU_ENV_MAX 8
static const char *const passed_env[] = { "HOME", "USER", "LOGNAME", "TMPDIR" };

/* Fills env (QEMU_ENV_MAX entries, NULL-terminated) with pointers into static strings and the
 * daemon's environment: nothing to free, and built before fork. */
static void build_env(const char *env[QEMU_ENV_MAX])
{
    size_t n = 0;

    env[n++] = "LC_ALL=C";
    env[n++] = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    for (size_t i = 0; i < ARRAY_SIZE(passed_env); i++)
        for (char **e = environ; *e; e++)
            if (!strncmp(*e, passed_env[i], strlen(passed_env[i])) && (*e)[strlen(passed_env[i])] == '=') {
                env[n++] = *e;
                break;
            }
    env[n] = NULL;
}

/* Only async-signal-safe calls from here to exec: the parent may have threads (ASan's).
 * pass[i] (when >= 0) becomes fd QEMU_TAP_FD_BASE + i; every pass[i] is above that range. */
static _Noreturn void exec_child(char *const *argv, char *const *env, int log_fd, int null_fd, const int *pass,
                                 size_t n_pass)
{
    unsigned int first_closed = QEMU_TAP_FD_BASE + (unsigned int) n_pass;
    sigset_t none;
    char message[512];
    int n;

    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    signal(SIGPIPE, SIG_DFL);
    setsid();
    if (dup2(null_fd, STDIN_FILENO) < 0 || dup2(log_fd, STDOUT_FILENO) < 0 || dup2(log_fd, STDERR_FILENO) < 0)
        _exit(127);
    for (size_t i = 0; i < n_pass; i++)
        if (pass[i] >= 0 && dup2(pass[i], QEMU_TAP_FD_BASE + (int) i) < 0)
            _exit(127);
    /* qemu must not hold the daemon's sockets, its own monitor or other domains' files. */
    if (syscall(SYS_close_range, first_closed, ~0u, 0) < 0)
        for (int fd = (int) first_closed; fd < 65536; fd++)
            close(fd);
    execvpe(argv[0], argv, env);
    n = snprintf(message, sizeof(message), "cannot execute '%s': %s\n", argv[0], strerror(errno));
    if (n > 0 && write(STDERR_FILENO, message, (size_t) n) < 0)
        _exit(127);
    _exit(127);
}

static void close_all(int *fds, size_t n)
{
    for (size_t i = 0; fds && i < n; i++)
        if (fds[i] >= 0)
            close(fds[i]);
    free(fds);
}

/* Copies of the fds to pass, numbered above the range they will be moved into, so that moving
 * one never overwrites another. NULL with err set on failure. */
static int *copy_above(const int *fds, size_t n, struct vb_error *err)
{
    int *high = calloc(n ? n : 1, sizeof(*high));

    if (!high) {
        vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        high[i] = fds[i] < 0 ? -1 : fcntl(fds[i], F_DUPFD_CLOEXEC, QEMU_TAP_FD_BASE + (int) n);
        if (fds[i] >= 0 && high[i] < 0) {
            vb_error_set_errno(err, errno, "cannot duplicate a file descriptor for qemu");
            close_all(high, i);
            return NULL;
        }
    }
    return high;
}

pid_t qemu_process_spawn(char *const *argv, int log_fd, const int *pass_fds, size_t n_pass, struct vb_error *err)
{
    _cleanup_close_ int null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    const char *env[QEMU_ENV_MAX];
    int *pass;
    pid_t pid;

    build_env(env);
    if (null_fd < 0)
        return vb_error_set_errno(err, errno, "cannot open /dev/null");
    if (!(pass = copy_above(pass_fds, n_pass, err)))
        return -1;
    pid = fork();
    if (pid < 0)
        vb_error_set_errno(err, errno, "cannot fork child process");
    else if (pid == 0)
        exec_child(argv, (char *const *) env, log_fd, null_fd, pass, n_pass);
    close_all(pass, n_pass);
    return pid;
}
