/* Launching the qemu hook script: libvirt's environment (virCommandAddEnvPassCommon), stdin and
 * stderr on pipes the loop watches, stdout to /dev/null, no other descriptor inherited. */
#include "drivers/qemu/qemu_hooks_private.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/macros.h"

#ifndef SYS_close_range
#define SYS_close_range 436
#endif

/* What libvirt passes to every child it runs; everything else of the daemon's is left out. */
static const char *const passed_env[] = { "LD_PRELOAD", "LD_LIBRARY_PATH", "PATH", "HOME", "USER", "LOGNAME",
                                          "TMPDIR" };

void qemu_hook_env_free(char **env)
{
    for (char **e = env; e && *e; e++)
        free(*e);
    free(env);
}

char **qemu_hook_env_new(void)
{
    char **env = calloc(ARRAY_SIZE(passed_env) + 2, sizeof(*env));
    size_t n = 0;

    if (!env || !(env[n++] = strdup("LC_ALL=C"))) {
        qemu_hook_env_free(env);
        return NULL;
    }
    for (size_t i = 0; i < ARRAY_SIZE(passed_env); i++) {
        const char *value = getenv(passed_env[i]);

        if (value && asprintf(&env[n++], "%s=%s", passed_env[i], value) < 0) {
            env[n - 1] = NULL;
            qemu_hook_env_free(env);
            return NULL;
        }
    }
    return env;
}

/* Only async-signal-safe calls from here to exec: the parent may have threads (ASan's). */
static _Noreturn void exec_hook(char *const *argv, char *const *env, int in_fd, int null_fd, int err_fd)
{
    sigset_t none;

    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    signal(SIGPIPE, SIG_DFL);
    if (dup2(in_fd, STDIN_FILENO) < 0 || dup2(null_fd, STDOUT_FILENO) < 0 || dup2(err_fd, STDERR_FILENO) < 0)
        _exit(127);
    if (syscall(SYS_close_range, 3u, ~0u, 0) < 0)
        for (int fd = 3; fd < 65536; fd++)
            close(fd);
    execve(argv[0], argv, env);
    _exit(127);
}

static void close_pair(int fds[2])
{
    for (int i = 0; i < 2; i++)
        if (fds[i] >= 0)
            close(fds[i]);
}

pid_t qemu_hook_spawn(char *const *argv, char *const *env, int *stdin_fd, int *stderr_fd, struct vb_error *err)
{
    _cleanup_close_ int null_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
    int in[2] = { -1, -1 }, out[2] = { -1, -1 };
    pid_t pid;

    if (null_fd < 0)
        return vb_error_set_errno(err, errno, "cannot open /dev/null");
    if (pipe2(in, O_CLOEXEC) < 0 || pipe2(out, O_CLOEXEC) < 0) {
        close_pair(in);
        return vb_error_set_errno(err, errno, "cannot create pipes for hook script");
    }
    pid = fork();
    if (pid < 0) {
        close_pair(in);
        close_pair(out);
        return vb_error_set_errno(err, errno, "cannot fork child process");
    }
    if (pid == 0)
        exec_hook(argv, env, in[0], null_fd, out[1]);
    close(in[0]);
    close(out[1]);
    /* The loop must never wait on the script: the daemon's ends do not block. */
    if (fcntl(in[1], F_SETFL, O_NONBLOCK) < 0 || fcntl(out[0], F_SETFL, O_NONBLOCK) < 0) {
        int saved = errno;

        close(in[1]);
        close(out[0]);
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        return vb_error_set_errno(err, saved, "cannot set up pipes for hook script");
    }
    *stdin_fd = in[1];
    *stderr_fd = out[0];
    return pid;
}
