/* The storage roots: the directories a dir pool's target must lie under (virtbusd.conf
 * storage_roots, or the connection's defaults), resolved once at open. A target is checked
 * resolved too (".." taken out, symbolic links of its existing part followed), so neither
 * leads out of a root. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drivers/driver.h"
#include "drivers/qemu/qemu_storage_private.h"

/* path (absolute) with ".", ".." and repeated slashes taken out, without following links. */
static char *normalize(const char *path)
{
    _cleanup_free_ char *copy = strdup(path);
    char *out = malloc(strlen(path) + 2), *save = NULL;
    size_t len = 0;

    if (!copy || !out) {
        free(out);
        return NULL;
    }
    out[0] = '\0';
    for (char *part = strtok_r(copy, "/", &save); part; part = strtok_r(NULL, "/", &save)) {
        if (streq(part, "."))
            continue;
        if (streq(part, "..")) {
            while (len > 0 && out[--len] != '/')
                ;
            out[len] = '\0';
            continue;
        }
        len += (size_t) sprintf(out + len, "/%s", part);
    }
    if (len == 0)
        strcpy(out, "/");
    return out;
}

char *qemu_storage_resolve_path(const char *path)
{
    _cleanup_free_ char *norm = normalize(path);
    size_t cut;

    if (!norm)
        return NULL;
    /* The longest existing ancestor through realpath, the part not there yet appended as is. */
    for (cut = strlen(norm);; ) {
        char saved = norm[cut], *real, *out;

        norm[cut] = '\0';
        real = realpath(cut ? norm : "/", NULL);
        norm[cut] = saved;
        if (real) {
            int r = asprintf(&out, "%s%s", streq(real, "/") && cut < strlen(norm) ? "" : real, norm + cut);

            free(real);
            return r < 0 ? NULL : out;
        }
        if (cut == 0)
            return NULL;
        do
            cut--;
        while (cut > 0 && norm[cut] != '/');
    }
}

static bool path_under(const char *path, const char *root)
{
    size_t len = strlen(root);

    if (streq(root, "/"))
        return true;
    return strncmp(path, root, len) == 0 && (path[len] == '\0' || path[len] == '/');
}

static int add_root(struct qemu_storage *st, const char *path, struct vb_error *err)
{
    char *resolved, **grown;

    if (!path || path[0] != '/')
        return 0; /* an unset or relative $VAR is no root */
    if (!(resolved = qemu_storage_resolve_path(path)))
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    for (size_t i = 0; i < st->n_roots; i++)
        if (streq(st->roots[i], resolved)) {
            free(resolved);
            return 0;
        }
    if (!(grown = reallocarray(st->roots, st->n_roots + 1, sizeof(*grown)))) {
        free(resolved);
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    }
    st->roots = grown;
    st->roots[st->n_roots++] = resolved;
    return 0;
}

int qemu_storage_set_roots(struct qemu_conn *conn, const struct vb_driver_env *env, const char *default_pool,
                           struct vb_error *err)
{
    struct qemu_storage *st = conn->storage;
    static const char *const system_roots[] = { "/var/lib/virtbus/images", "/var/lib/libvirt/images", NULL };
    static const char *const session_vars[] = { "HOME", "XDG_DATA_HOME", "TMPDIR", NULL };
    int r = 0;

    if (env && env->storage_roots_set)
        for (size_t i = 0; r == 0 && i < env->n_storage_roots; i++)
            r = add_root(st, env->storage_roots[i], err);
    else if (conn->dirs.privileged)
        for (size_t i = 0; r == 0 && system_roots[i]; i++)
            r = add_root(st, system_roots[i], err);
    else {
        for (size_t i = 0; r == 0 && session_vars[i]; i++)
            r = add_root(st, getenv(session_vars[i]), err);
        if (r == 0)
            r = add_root(st, "/tmp", err);
    }
    /* The default pool's directory is always one: the daemon chose it. */
    return r < 0 ? -1 : add_root(st, default_pool, err);
}

int qemu_storage_check_target(const struct qemu_storage *st, const char *target, struct vb_error *err)
{
    _cleanup_free_ char *resolved = qemu_storage_resolve_path(target), *list = NULL;
    size_t len = 0;

    if (!resolved)
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    for (size_t i = 0; i < st->n_roots; i++) {
        if (path_under(resolved, st->roots[i]))
            return 0;
        len += strlen(st->roots[i]) + 2;
    }
    if (!(list = calloc(1, len + 1)))
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    for (size_t i = 0; i < st->n_roots; i++)
        strcat(strcat(list, i ? ", " : ""), st->roots[i]);
    if (!streq(resolved, target))
        return vb_error_set(err, VB_ERR_INVALID_ARG,
                            "storage pool target path '%s' (resolved '%s') is outside the storage roots: %s "
                            "(storage_roots in virtbusd.conf)", target, resolved, list);
    return vb_error_set(err, VB_ERR_INVALID_ARG,
                        "storage pool target path '%s' is outside the storage roots: %s "
                        "(storage_roots in virtbusd.conf)", target, list);
}
