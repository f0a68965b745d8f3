/* Persistent domain definitions: <dir>/<name>.xml, <dir>/autostart/<name>, <dir>/.seeded. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf/domain_store.h"
#include "util/file.h"
#include "util/log.h"
#include "util/macros.h"

#define XML_SUFFIX ".xml"
#define SEEDED_MARKER ".seeded"
/* util/file.c writes "<dir>/.<base>.XXXXXX" and renames it; a crash can leave one behind. */
#define TEMP_PATTERN ".*" XML_SUFFIX ".??????"

struct vb_domain_store {
    char *dir;
    char *autostart_dir;
};

/* A name becomes a file name: '/' would escape the directory, and a leading '.' would collide
 * with our hidden temporary files and markers. */
static int check_name(const char *name, struct vb_error *err)
{
    if (!name || !*name)
        return vb_error_set(err, VB_ERR_INVALID_ARG, "domain name must not be empty");
    if (strchr(name, '/') || name[0] == '.')
        return vb_error_set(err, VB_ERR_INVALID_ARG,
                            "domain name '%s' must not contain '/' or start with '.'", name);
    return 0;
}

static char *xml_path(const struct vb_domain_store *store, const char *name)
{
    char *path = NULL;

    if (asprintf(&path, "%s/%s" XML_SUFFIX, store->dir, name) < 0)
        return NULL;
    return path;
}

static char *autostart_path(const struct vb_domain_store *store, const char *name)
{
    char *path = NULL;

    if (asprintf(&path, "%s/%s", store->autostart_dir, name) < 0)
        return NULL;
    return path;
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

    if (check_name(def->name, err) < 0)
        return -1;
    /* Secrets are kept (the definition must survive a restart whole); the 0600 mode guards them. */
    xml = vb_domain_def_format(def, VB_DOMAIN_XML_INACTIVE | VB_DOMAIN_XML_SECURE, err);
    if (!xml)
        return -1;
    path = xml_path(store, def->name);
    if (!path)
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    return vb_file_write_atomic(path, xml, strlen(xml), 0600, err);
}

int vb_domain_store_delete(struct vb_domain_store *store, const char *name, struct vb_error *err)
{
    _cleanup_free_ char *path = NULL;

    if (check_name(name, err) < 0)
        return -1;
    /* Marker first: a crash in between must not leave an autostart marker without a domain. */
    if (vb_domain_store_set_autostart(store, name, false, err) < 0)
        return -1;
    path = xml_path(store, name);
    if (!path)
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    return vb_file_remove_durable(path, err);
}

/* Creates an empty marker file durably; no temporary file is needed as it has no content. */
static int create_marker(const char *path, const char *dir, struct vb_error *err)
{
    _cleanup_close_ int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
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

int vb_domain_store_set_autostart(struct vb_domain_store *store, const char *name, bool autostart,
                                  struct vb_error *err)
{
    _cleanup_free_ char *path = NULL;

    if (check_name(name, err) < 0)
        return -1;
    path = autostart_path(store, name);
    if (!path)
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    if (autostart)
        return create_marker(path, store->autostart_dir, err);
    return vb_file_remove_durable(path, err);
}

bool vb_domain_store_is_seeded(const struct vb_domain_store *store)
{
    _cleanup_free_ char *path = NULL;

    if (asprintf(&path, "%s/" SEEDED_MARKER, store->dir) < 0)
        return false;
    return access(path, F_OK) == 0;
}

int vb_domain_store_mark_seeded(struct vb_domain_store *store, struct vb_error *err)
{
    _cleanup_free_ char *path = NULL;

    if (asprintf(&path, "%s/" SEEDED_MARKER, store->dir) < 0)
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    return create_marker(path, store->dir, err);
}

/* ---- loading --------------------------------------------------------------------------- */

struct name_list {
    char **names;
    size_t count, allocated;
};

static void name_list_clear(struct name_list *list)
{
    for (size_t i = 0; i < list->count; i++)
        free(list->names[i]);
    free(list->names);
    *list = (struct name_list){ 0 };
}

/* Adds the domain name of "<name>.xml"; other files are not ours to load. */
static int name_list_add_xml(struct name_list *list, const char *file_name)
{
    size_t len = strlen(file_name);
    size_t suffix = strlen(XML_SUFFIX);

    if (len <= suffix || !streq(file_name + len - suffix, XML_SUFFIX))
        return 0;
    if (list->count == list->allocated) {
        size_t n = list->allocated ? list->allocated * 2 : 64;
        char **names = reallocarray(list->names, n, sizeof(*names));
        if (!names)
            return -ENOMEM;
        list->names = names;
        list->allocated = n;
    }
    list->names[list->count] = strndup(file_name, len - suffix);
    if (!list->names[list->count])
        return -ENOMEM;
    list->count++;
    return 0;
}

static void remove_leftover(DIR *d, const char *dir, const char *file_name)
{
    if (unlinkat(dirfd(d), file_name, 0) < 0)
        vb_log_warning("cannot remove leftover temporary file '%s/%s': %s", dir, file_name,
                       strerror(errno));
    else
        vb_log_info("removed leftover temporary file '%s/%s'", dir, file_name);
}

/* Collects domain names and sweeps temporary files of writes a crash interrupted. */
static int collect_names(const struct vb_domain_store *store, struct name_list *list, struct vb_error *err)
{
    DIR *d = opendir(store->dir);
    struct dirent *entry;
    int r = 0;

    if (!d)
        return vb_error_set_errno(err, errno, "cannot open directory '%s'", store->dir);
    for (errno = 0; (entry = readdir(d)); errno = 0) {
        if (entry->d_name[0] == '.') {
            if (fnmatch(TEMP_PATTERN, entry->d_name, 0) == 0)
                remove_leftover(d, store->dir, entry->d_name);
            continue;
        }
        if (name_list_add_xml(list, entry->d_name) < 0) {
            r = vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
            break;
        }
    }
    if (r == 0 && errno != 0)
        r = vb_error_set_errno(err, errno, "cannot read directory '%s'", store->dir);
    closedir(d);
    return r;
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *) a, *(char *const *) b);
}

/* Reads and parses one definition; NULL (after a warning) when it is unusable. */
static struct vb_domain_def *load_one(const struct vb_domain_store *store, const char *name)
{
    _cleanup_free_ char *path = xml_path(store, name);
    _cleanup_free_ char *xml = NULL;
    struct vb_error err = VB_ERROR_INIT;
    struct vb_domain_def *def = NULL;

    if (!path)
        return NULL;
    xml = vb_file_read_all(path, VB_DOMAIN_XML_MAX_BYTES, NULL, &err);
    if (xml)
        def = vb_domain_def_parse_string(xml, &err);
    if (!def) {
        vb_log_warning("skipping domain definition '%s': %s", path, vb_error_message(&err));
        vb_error_clear(&err);
        return NULL;
    }
    /* The file name is the lookup key on disk, so a mismatch would make it unreachable. */
    if (!def->name || !streq(def->name, name)) {
        vb_log_warning("skipping domain definition '%s': it defines domain '%s'", path,
                       def->name ? def->name : "");
        vb_domain_def_free(def);
        return NULL;
    }
    return def;
}

static bool autostart_marked(const struct vb_domain_store *store, const char *name)
{
    _cleanup_free_ char *path = autostart_path(store, name);

    return path && access(path, F_OK) == 0;
}

int vb_domain_store_load_all(struct vb_domain_store *store, vb_domain_store_load_fn fn, void *userdata,
                             struct vb_error *err)
{
    struct name_list list = { 0 };
    int loaded = 0;

    if (collect_names(store, &list, err) < 0) {
        name_list_clear(&list);
        return -1;
    }
    if (list.count > 1)
        qsort(list.names, list.count, sizeof(*list.names), compare_names);
    for (size_t i = 0; i < list.count; i++) {
        struct vb_domain_def *def = load_one(store, list.names[i]);
        if (!def)
            continue;
        /* The callback owns def from here, whether or not it accepts it. */
        if (fn(def, autostart_marked(store, list.names[i]), userdata) >= 0)
            loaded++;
    }
    name_list_clear(&list);
    return loaded;
}
