/* The QEMU driver's snapshot metadata on disk, as libvirt's qemuDomainSnapshotWriteMetadata and
 * qemuDomainSnapshotLoad: <config>/snapshot/<domain>/<name>.xml, the snapshot's XML with its
 * domain and an <active> element saying whether it is the current one, read back at open. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "drivers/qemu/qemu_snapshot_private.h"
#include "util/file.h"
#include "util/log.h"
#include "util/macros.h"

#define METADATA_MAX (16u * 1024 * 1024)

struct vb_snapshot_tree *qemu_snapshot_tree(const struct vb_domain_obj *obj)
{
    struct qemu_dom *dom = obj->driver_data;

    return dom ? &dom->snapshots : NULL;
}

static char *domain_dir(const struct qemu_conn *conn, const char *domain)
{
    char *path;

    return asprintf(&path, "%s/snapshot/%s", conn->dirs.config, domain) < 0 ? NULL : path;
}

static char *snapshot_path(const struct qemu_conn *conn, const char *domain, const char *name)
{
    char *path;

    return asprintf(&path, "%s/snapshot/%s/%s.xml", conn->dirs.config, domain, name) < 0 ? NULL : path;
}

/* libvirt's internal format: the public one plus <active>0|1</active> before the end. */
static char *format_internal(const struct vb_domain_obj *obj, const struct vb_snapshot_def *snap, bool current,
                             struct vb_error *err)
{
    static const char end[] = "</domainsnapshot>\n";
    char uuid[VB_UUID_STRING_LEN];
    _cleanup_free_ char *xml = NULL;
    char *out;
    size_t len;

    vb_uuid_format(obj->def->uuid, uuid);
    if (!(xml = vb_snapshot_def_format(snap, uuid, true, err)))
        return NULL;
    len = strlen(xml);
    if (len < sizeof(end) - 1 || !streq(xml + len - (sizeof(end) - 1), end)) {
        vb_error_set(err, VB_ERR_INTERNAL_ERROR, "unexpected snapshot XML for %s", snap->name);
        return NULL;
    }
    xml[len - (sizeof(end) - 1)] = '\0';
    if (asprintf(&out, "%s  <active>%d</active>\n%s", xml, current ? 1 : 0, end) < 0) {
        vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
        return NULL;
    }
    return out;
}

int qemu_snapshot_save(struct qemu_conn *conn, const struct vb_domain_obj *obj, const struct vb_snapshot_def *snap,
                       struct vb_error *err)
{
    const struct vb_snapshot_tree *tree = qemu_snapshot_tree(obj);
    _cleanup_free_ char *dir = domain_dir(conn, obj->def->name);
    _cleanup_free_ char *path = snapshot_path(conn, obj->def->name, snap->name);
    _cleanup_free_ char *xml = NULL;
    struct vb_error why = VB_ERROR_INIT;

    if (!dir || !path)
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    if (!(xml = format_internal(obj, snap, tree && tree->current == snap, &why)) ||
        vb_mkdir_parents(dir, conn->dirs.privileged ? 0755 : 0700, &why) < 0 ||
        vb_file_write_atomic(path, xml, strlen(xml), 0600, &why) < 0) {
        vb_log_warning("snapshot metadata %s: %s", path, vb_error_message(&why));
        vb_error_clear(&why);
        return vb_error_set(err, VB_ERR_INTERNAL_ERROR, "unable to save metadata for snapshot %s", snap->name);
    }
    return 0;
}

/* Whether `file` (a directory entry) is the metadata of a snapshot of the tree. */
static bool is_kept(const struct vb_snapshot_tree *tree, const char *file)
{
    size_t len = strlen(file);

    for (size_t i = 0; tree && i < tree->n; i++) {
        size_t n = strlen(tree->snaps[i]->name);

        if (len == n + 4 && strncmp(file, tree->snaps[i]->name, n) == 0 && streq(file + n, ".xml"))
            return true;
    }
    return false;
}

void qemu_snapshot_sync(struct qemu_conn *conn, const struct vb_domain_obj *obj)
{
    const struct vb_snapshot_tree *tree = qemu_snapshot_tree(obj);
    _cleanup_free_ char *dir = domain_dir(conn, obj->def->name);
    struct vb_error err = VB_ERROR_INIT;
    struct dirent *entry;
    DIR *d;

    for (size_t i = 0; tree && i < tree->n; i++)
        if (qemu_snapshot_save(conn, obj, tree->snaps[i], &err) < 0)
            vb_error_clear(&err);
    if (!dir || !(d = opendir(dir)))
        return;
    while ((entry = readdir(d))) {
        size_t len = strlen(entry->d_name);
        _cleanup_free_ char *path = NULL;

        if (len < 5 || !streq(entry->d_name + len - 4, ".xml") || is_kept(tree, entry->d_name))
            continue;
        if (asprintf(&path, "%s/%s", dir, entry->d_name) < 0 || vb_file_remove_durable(path, &err) < 0) {
            vb_log_warning("could not remove snapshot metadata '%s/%s': %s", dir, entry->d_name,
                           vb_error_message(&err));
            vb_error_clear(&err);
        }
    }
    closedir(d);
    if (!tree || tree->n == 0)
        rmdir(dir);
}

/* --- loading at connection open -------------------------------------------------------------- */

/* <active>1</active> after the embedded domain, as format_internal writes it. */
static bool is_marked_current(const char *xml)
{
    const char *domain_end = strstr(xml, "</domain>\n");
    const char *active = strstr(domain_end ? domain_end : xml, "<active>1</active>");

    return active != NULL;
}

static int compare_creation(const void *a, const void *b)
{
    const struct vb_snapshot_def *x = *(struct vb_snapshot_def *const *) a, *y = *(struct vb_snapshot_def *const *) b;

    if (x->creation_time != y->creation_time)
        return x->creation_time < y->creation_time ? -1 : 1;
    return strcmp(x->name, y->name);
}

/* One file read into the tree; a file that cannot be read or parsed is skipped with a warning. */
static void load_one(struct vb_snapshot_tree *tree, const char *dir, const char *file, char **current)
{
    _cleanup_free_ char *path = NULL, *xml = NULL;
    struct vb_error err = VB_ERROR_INIT;
    struct vb_snapshot_def *def;

    if (asprintf(&path, "%s/%s", dir, file) < 0)
        return;
    if (!(xml = vb_file_read_all(path, METADATA_MAX, NULL, &err)) ||
        !(def = vb_snapshot_def_parse_string(xml, VB_SNAPSHOT_PARSE_REDEFINE, &err))) {
        vb_log_warning("skipping snapshot metadata '%s': %s", path, vb_error_message(&err));
        vb_error_clear(&err);
        return;
    }
    if (vb_snapshot_tree_find(tree, def->name) || vb_snapshot_tree_store(tree, def, NULL, false, &err) < 0) {
        vb_log_warning("skipping snapshot metadata '%s': %s", path,
                       vb_error_is_set(&err) ? vb_error_message(&err) : "defined twice");
        vb_error_clear(&err);
        vb_snapshot_def_free(def);
        return;
    }
    if (is_marked_current(xml)) {
        free(*current);
        *current = strdup(def->name);
    }
}

/* Parents before children, links to snapshots that are gone dropped (libvirt's
 * virDomainSnapshotUpdateRelations makes such snapshots roots too). */
static void settle_relations(struct vb_snapshot_tree *tree, const char *domain)
{
    if (tree->n > 1)
        qsort(tree->snaps, tree->n, sizeof(*tree->snaps), compare_creation);
    for (size_t i = 0; i < tree->n; i++) {
        struct vb_snapshot_def *snap = tree->snaps[i];

        if (snap->parent_name && !vb_snapshot_tree_find(tree, snap->parent_name)) {
            vb_log_warning("snapshot '%s' of domain '%s' names the missing parent '%s'", snap->name, domain,
                           snap->parent_name);
            free(snap->parent_name);
            snap->parent_name = NULL;
        }
    }
}

void qemu_snapshot_load(struct qemu_conn *conn, struct vb_domain_obj *obj)
{
    _cleanup_free_ char *dir = domain_dir(conn, obj->def->name), *current = NULL;
    struct vb_error err = VB_ERROR_INIT;
    struct qemu_dom *dom;
    struct dirent *entry;
    DIR *d;

    if (!dir || !(d = opendir(dir)))
        return;
    if (!(dom = qemu_dom_get(conn, obj, &err))) {
        vb_error_clear(&err);
        closedir(d);
        return;
    }
    while ((entry = readdir(d))) {
        size_t len = strlen(entry->d_name);

        if (len > 4 && streq(entry->d_name + len - 4, ".xml"))
            load_one(&dom->snapshots, dir, entry->d_name, &current);
    }
    closedir(d);
    settle_relations(&dom->snapshots, obj->def->name);
    dom->snapshots.current = vb_snapshot_tree_find(&dom->snapshots, current);
}

size_t qemu_snapshot_count(const struct vb_domain_obj *obj)
{
    const struct vb_snapshot_tree *tree = qemu_snapshot_tree(obj);

    return tree ? tree->n : 0;
}

void qemu_snapshot_discard_all(struct qemu_conn *conn, struct vb_domain_obj *obj)
{
    struct vb_snapshot_tree *tree = qemu_snapshot_tree(obj);

    if (tree)
        vb_snapshot_tree_clear(tree);
    qemu_snapshot_sync(conn, obj);
}
