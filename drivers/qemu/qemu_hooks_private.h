/* Internals shared by qemu_hooks.c and qemu_hooks_spawn.c. */
#pragma once

#include <sys/types.h>

#include "drivers/qemu/qemu_hooks.h"
#include "util/log.h"

/* LC_ALL=C and the few variables libvirt passes on (PATH, HOME, ...), NULL-terminated. */
char **qemu_hook_env_new(void);
void qemu_hook_env_free(char **env);
/* Forks and execs argv with env: stdin and stderr on pipes (the daemon's non-blocking ends
 * returned), stdout /dev/null, no other descriptor. The pid, or -1 with err. */
pid_t qemu_hook_spawn(char *const *argv, char *const *env, int *stdin_fd, int *stderr_fd, struct vb_error *err);
