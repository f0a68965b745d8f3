/* Persistent domain definitions: <dir>/<uuid>.xml, <dir>/autostart/<uuid>, <dir>/.seeded. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf/domain_store_private.h"
#include "util/file.h"
#include "util/macros.h"

#define SEEDED_MARKER ".seeded"

char *vb_store_xml_path(const struct vb_domain_store *store, const char *stem)
{
    char *path = NULL;

    if (asprintf(&path, "%s/%s" VB_STORE_XML_SUFFIX, store->dir, stem) < 0)
        return NULL;
    return path;
}

char *vb_store_marker_path(const struct vb_domain_store *store, const char *stem)
{
    char *path = NULL;

    if (asprintf(&path, "%s/%s", store->autostart_dir, stem) < 0)
        return NULL;
    return path;
}

bool vb_store_marker_exists(const struct vb_domain_store *store, const char *stem)
{
    _cleanup_free_ char *path = vb_store_marker_path(store, stem);
    struct stat st;

    return path && fstatat(AT_FDCWD, path, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

/* Creates an empty file durably; no temporary file is needed as it has no content. Never
 * follows a link, and never waits on a FIFO someone put there. */
static int create_empty_file(const char *path, const char *dir, struct vb_error *err)
{
    _cleanup_close_ int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0600);
    _cleanup_close_ int dir_fd = -1;

    if (fd < 0)
        return vb_error_set_errno(err, errno, "cannot create file '%s'", path);
    if (fsync(fd) < 0)
        return vb_error_set_errno(err, errno, "cannot sync file '%s'", path);
    dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir_fd < 0 || fsync(dir_fd) < 0)
        return vb_error_set_errno(err, errno, "cannot sync directory '%s'", dir);
    return 0;
}

int vb_store_marker_create(const struct vb_domain_store *store, const char *stem, struct vb_error *err)
{
    _cleanup_free_ char *path = vb_store_marker_path(store, stem);

    if (!path)
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    return create_empty_file(path, store->autostart_dir, err);
}

struct vb_domain_store *vb_domain_store_open(const char *dir, struct vb_error *err)
{
    struct vb_domain_store *store = calloc(1, sizeof(*store));

    if (!store) {
        vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
        return NULL;
    }
    store->dir = strdup(dir);
    if (!store->dir || asprintf(&store->autostart_dir, "%s/autostart", dir) < 0) {
        store->autostart_dir = NULL;
        vb_domain_store_free(store);
        vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
        return NULL;
    }
    if (vb_mkdir_parents(store->autostart_dir, 0700, err) < 0) {
        vb_domain_store_free(store);
        return NULL;
    }
    return store;
}

void vb_domain_store_free(struct vb_domain_store *store)
{
    if (!store)
        return;
    free(store->dir);
    free(store->autostart_dir);
    free(store);
}

const char *vb_domain_store_dir(const struct vb_domain_store *store)
{
    return store->dir;
}

int vb_domain_store_save(struct vb_domain_store *store, const struct vb_domain_def *def, struct vb_error *err)
{
    _cleanup_free_ char *xml = NULL;
    _cleanup_free_ char *path = NULL;
    char stem[VB_UUID_STRING_LEN];

    /* Secrets are kept (the definition must survive a restart whole); the 0600 mode guards them. */
    xml = vb_domain_def_format(def, VB_DOMAIN_XML_INACTIVE | VB_DOMAIN_XML_SECURE, err);
    if (!xml)
        return -1;
    vb_uuid_format(def->uuid, stem);
    path = vb_store_xml_path(store, stem);
    if (!path)
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    return vb_file_write_atomic(path, xml, strlen(xml), 0600, err);
}

int vb_domain_store_mark_autostart(struct vb_domain_store *store, const unsigned char uuid[VB_UUID_LEN],
                                   bool autostart, struct vb_error *err)
{
    _cleanup_free_ char *path = NULL;
    char stem[VB_UUID_STRING_LEN];

    vb_uuid_format(uuid, stem);
    if (autostart)
        return vb_store_marker_create(store, stem, err);
    path = vb_store_marker_path(store, stem);
    if (!path)
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    return vb_file_remove_durable(path, err);
}

int vb_domain_store_remove(struct vb_domain_store *store, const unsigned char uuid[VB_UUID_LEN],
                           struct vb_error *err)
{
    _cleanup_free_ char *path = NULL;
    char stem[VB_UUID_STRING_LEN];

    vb_uuid_format(uuid, stem);
    /* Marker first: a crash in between must not leave an autostart marker without a domain. */
    if (vb_domain_store_mark_autostart(store, uuid, false, err) < 0)
        return -1;
    path = vb_store_xml_path(store, stem);
    if (!path)
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    return vb_file_remove_durable(path, err);
}

bool vb_domain_store_is_seeded(const struct vb_domain_store *store)
{
    _cleanup_free_ char *path = NULL;
    struct stat st;

    if (asprintf(&path, "%s/" SEEDED_MARKER, store->dir) < 0)
        return false;
    return fstatat(AT_FDCWD, path, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

int vb_domain_store_mark_seeded(struct vb_domain_store *store, struct vb_error *err)
{
    _cleanup_free_ char *path = NULL;

    if (asprintf(&path, "%s/" SEEDED_MARKER, store->dir) < 0)
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    return create_empty_file(path, store->dir, err);
}
