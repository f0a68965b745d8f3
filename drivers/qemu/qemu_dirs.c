/* Where a QEMU connection keeps its files: XDG directories for qemu:///session, /etc, /var/lib
 * and /run for qemu:///system, or everything under one root (libvirt's embed root). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drivers/qemu/qemu_driver_private.h"
#include "util/file.h"
#include "util/log.h"
#include "util/macros.h"

/* $VAR/virtbus/qemu, or $HOME/fallback/virtbus/qemu when VAR is unset or empty. */
static char *xdg_dir(const char *var, const char *fallback, struct vb_error *err)
{
    const char *base = getenv(var), *home = getenv("HOME");
    char *dir = NULL;
    int r;

    if (base && *base)
        r = asprintf(&dir, "%s/virtbus/qemu", base);
    else if (home && *home)
        r = asprintf(&dir, "%s/%s/virtbus/qemu", home, fallback);
    else {
        vb_error_set(err, VB_ERR_CONFIG_UNSUPPORTED, "cannot find the directory for qemu:///session: "
                     "neither $%s nor $HOME is set", var);
        return NULL;
    }
    if (r < 0)
        vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    return r < 0 ? NULL : dir;
}

/* $XDG_RUNTIME_DIR/virtbus/qemu; without it, libvirt's choice: the cache directory
 * ($XDG_CACHE_HOME or ~/.cache), which is per user but survives a reboot. */
static char *runtime_dir(struct vb_error *err)
{
    const char *runtime = getenv("XDG_RUNTIME_DIR");

    if (runtime && *runtime)
        return xdg_dir("XDG_RUNTIME_DIR", "", err);
    vb_log_warning("XDG_RUNTIME_DIR is not set: qemu:///session keeps its runtime files under the cache "
                   "directory ($XDG_CACHE_HOME or ~/.cache)");
    return xdg_dir("XDG_CACHE_HOME", ".cache", err);
}

static int dirs_under_root(struct qemu_dirs *dirs, const char *root)
{
    if (asprintf(&dirs->config, "%s/etc/qemu", root) < 0 || asprintf(&dirs->state, "%s/lib/qemu", root) < 0 ||
        asprintf(&dirs->runtime, "%s/run/qemu", root) < 0)
        return -1;
    return 0;
}

int qemu_dirs_init(struct qemu_dirs *dirs, const char *uri, const char *root, struct vb_error *err)
{
    *dirs = (struct qemu_dirs){ .privileged = streq(uri, "qemu:///system") };
    if (root) {
        if (dirs_under_root(dirs, root) < 0) {
            qemu_dirs_clear(dirs);
            return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
        }
        return 0;
    }
    if (dirs->privileged) {
        dirs->config = strdup("/etc/virtbus/qemu");
        dirs->state = strdup("/var/lib/virtbus/qemu");
        dirs->runtime = strdup("/run/virtbus/qemu");
        if (!dirs->config || !dirs->state || !dirs->runtime) {
            qemu_dirs_clear(dirs);
            return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
        }
        return 0;
    }
    if (!(dirs->config = xdg_dir("XDG_CONFIG_HOME", ".config", err)) ||
        !(dirs->state = xdg_dir("XDG_DATA_HOME", ".local/share", err)) || !(dirs->runtime = runtime_dir(err))) {
        qemu_dirs_clear(dirs);
        return -1;
    }
    return 0;
}

int qemu_dirs_create(const struct qemu_dirs *dirs, struct vb_error *err)
{
    unsigned int mode = dirs->privileged ? 0755 : 0700;

    if (vb_mkdir_parents(dirs->config, mode, err) < 0 || vb_mkdir_parents(dirs->state, mode, err) < 0 ||
        vb_mkdir_parents(dirs->runtime, mode, err) < 0)
        return -1;
    return 0;
}

void qemu_dirs_clear(struct qemu_dirs *dirs)
{
    free(dirs->config);
    free(dirs->state);
    free(dirs->runtime);
    *dirs = (struct qemu_dirs){ 0 };
}
