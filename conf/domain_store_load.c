/* Loading the domain store: the definitions its directory holds, files of the older name-keyed
 * layout moved to the UUID one, and files that claim the same UUID settled. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf/domain_store_private.h"
#include "util/file.h"
#include "util/log.h"
#include "util/macros.h"

/* util/file.c writes "<dir>/.<base>.XXXXXX" and renames it; a crash can leave one behind. */
#define TEMP_PATTERN ".*" VB_STORE_XML_SUFFIX ".??????"

/* One *.xml file of the directory. */
struct stored_file {
    char *stem;                /* the file name without ".xml" */
    struct vb_domain_def *def; /* NULL when unusable */
    bool legacy;               /* <name>.xml of the older layout, not <uuid>.xml */
    struct timespec mtime;
    char uuid[VB_UUID_STRING_LEN];
};

struct file_list {
    struct stored_file *items;
    size_t n, allocated;
};

/* A definition to hand to the caller. */
struct loaded {
    struct vb_domain_def *def;
    bool autostart;
};

static void file_list_clear(struct file_list *list)
{
    for (size_t i = 0; i < list->n; i++) {
        free(list->items[i].stem);
        vb_domain_def_free(list->items[i].def);
    }
    free(list->items);
    *list = (struct file_list){ 0 };
}

/* Adds "<stem>.xml"; other files are not ours to load. */
static int file_list_add(struct file_list *list, const char *file_name)
{
    size_t len = strlen(file_name);
    size_t suffix = strlen(VB_STORE_XML_SUFFIX);

    if (len <= suffix || !streq(file_name + len - suffix, VB_STORE_XML_SUFFIX))
        return 0;
    if (list->n == list->allocated) {
        size_t n = list->allocated ? list->allocated * 2 : 64;
        struct stored_file *items = reallocarray(list->items, n, sizeof(*items));

        if (!items)
            return -ENOMEM;
        list->items = items;
        list->allocated = n;
    }
    list->items[list->n] = (struct stored_file){ .stem = strndup(file_name, len - suffix) };
    if (!list->items[list->n].stem)
        return -ENOMEM;
    list->n++;
    return 0;
}

static void remove_leftover(DIR *d, const char *dir, const char *file_name)
{
    if (unlinkat(dirfd(d), file_name, 0) < 0)
        vb_log_warning("cannot remove leftover temporary file '%s/%s': %s", dir, file_name, strerror(errno));
    else
        vb_log_info("removed leftover temporary file '%s/%s'", dir, file_name);
}

/* Collects the *.xml files and sweeps temporary files of writes a crash interrupted. */
static int collect_files(const struct vb_domain_store *store, struct file_list *list, struct vb_error *err)
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
        if (file_list_add(list, entry->d_name) < 0) {
            r = vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
            break;
        }
    }
    if (r == 0 && errno != 0)
        r = vb_error_set_errno(err, errno, "cannot read directory '%s'", store->dir);
    closedir(d);
    return r;
}

/* Reads, parses and classifies one file; a file that cannot be used is logged and left alone.
 * The reader takes regular files only, so a FIFO here is skipped instead of waited on. */
static void read_one(const struct vb_domain_store *store, struct stored_file *file)
{
    _cleanup_free_ char *path = vb_store_xml_path(store, file->stem);
    _cleanup_free_ char *xml = NULL;
    struct vb_error err = VB_ERROR_INIT;
    struct stat st;

    if (!path)
        return;
    xml = vb_file_read_all(path, VB_DOMAIN_XML_MAX_BYTES, NULL, &err);
    if (xml)
        file->def = vb_domain_def_parse_string(xml, &err);
    if (!file->def) {
        vb_log_warning("skipping domain definition '%s': %s", path, vb_error_message(&err));
        vb_error_clear(&err);
        return;
    }
    if (fstatat(AT_FDCWD, path, &st, AT_SYMLINK_NOFOLLOW) == 0)
        file->mtime = st.st_mtim;
    vb_uuid_format(file->def->uuid, file->uuid);
    if (streq(file->stem, file->uuid))
        return;
    if (streq(file->stem, file->def->name)) {
        file->legacy = true;
        return;
    }
    /* Neither key: loading it would make it reachable under a file name that is not its own. */
    vb_log_warning("skipping domain definition '%s': it defines domain '%s' with uuid %s", path, file->def->name,
                   file->uuid);
    vb_domain_def_free(file->def);
    file->def = NULL;
}

/* Usable files by UUID; for one UUID the <uuid>.xml first, then older files newest first (an
 * interrupted rename wrote the new name last), then by name so the order is always the same. */
static int compare_files(const void *a, const void *b)
{
    const struct stored_file *x = a, *y = b;
    int c;

    if (!x->def || !y->def)
        return !x->def - !y->def;
    if ((c = strcmp(x->uuid, y->uuid)) != 0)
        return c;
    if (x->legacy != y->legacy)
        return x->legacy - y->legacy;
    if (x->mtime.tv_sec != y->mtime.tv_sec)
        return x->mtime.tv_sec < y->mtime.tv_sec ? 1 : -1;
    if (x->mtime.tv_nsec != y->mtime.tv_nsec)
        return x->mtime.tv_nsec < y->mtime.tv_nsec ? 1 : -1;
    return strcmp(x->stem, y->stem);
}

/* Removes an older-layout file and its autostart marker (marker first, as remove does). */
static bool remove_legacy(const struct vb_domain_store *store, const struct stored_file *file)
{
    _cleanup_free_ char *marker = vb_store_marker_path(store, file->stem);
    _cleanup_free_ char *path = vb_store_xml_path(store, file->stem);
    struct vb_error err = VB_ERROR_INIT;

    if (!marker || !path || vb_file_remove_durable(marker, &err) < 0 || vb_file_remove_durable(path, &err) < 0) {
        vb_log_error("cannot remove domain definition '%s/%s" VB_STORE_XML_SUFFIX "': %s", store->dir, file->stem,
                     vb_error_message(&err));
        vb_error_clear(&err);
        return false;
    }
    return true;
}

/* Rewrites an older-layout definition as <uuid>.xml. Its autostart marker is carried over
 * first, so that once <uuid>.xml exists its marker is right whatever happens next. */
static int migrate(struct vb_domain_store *store, const struct stored_file *file, struct vb_error *err)
{
    if (vb_store_marker_exists(store, file->stem) && !vb_store_marker_exists(store, file->uuid) &&
        vb_store_marker_create(store, file->uuid, err) < 0)
        return -1;
    return vb_domain_store_save(store, file->def, err);
}

/* Settles the files [first, end) that claim one UUID and takes the winner's definition. */
static void settle(struct vb_domain_store *store, struct stored_file *first, const struct stored_file *end,
                   struct loaded *out)
{
    struct vb_error err = VB_ERROR_INIT;
    bool keep_legacy = false;

    if (first->legacy && migrate(store, first, &err) < 0) {
        vb_log_error("cannot move domain definition '%s/%s" VB_STORE_XML_SUFFIX "' to its uuid: %s", store->dir,
                     first->stem, vb_error_message(&err));
        vb_error_clear(&err);
        keep_legacy = true;
    } else if (first->legacy) {
        vb_log_notice("moved domain definition '%s/%s" VB_STORE_XML_SUFFIX "' to '%s" VB_STORE_XML_SUFFIX "'",
                      store->dir, first->stem, first->uuid);
    }
    out->autostart = vb_store_marker_exists(store, keep_legacy ? first->stem : first->uuid);
    for (const struct stored_file *f = first; f < end && !keep_legacy; f++) {
        if (!f->legacy)
            continue;
        if (remove_legacy(store, f) && f != first)
            vb_log_warning("removed domain definition '%s/%s" VB_STORE_XML_SUFFIX "': domain '%s' (uuid %s) is "
                           "stored as '%s" VB_STORE_XML_SUFFIX "'",
                           store->dir, f->stem, f->def->name, f->uuid, first->uuid);
    }
    out->def = TAKE_PTR(first->def);
}

static int compare_loaded(const void *a, const void *b)
{
    const struct loaded *x = a, *y = b;
    int c = strcmp(x->def->name, y->def->name);

    return c ? c : memcmp(x->def->uuid, y->def->uuid, VB_UUID_LEN);
}

int vb_domain_store_load_all(struct vb_domain_store *store, vb_domain_store_load_fn fn, void *userdata,
                             struct vb_error *err)
{
    struct file_list list = { 0 };
    _cleanup_free_ struct loaded *loaded = NULL;
    size_t n_loaded = 0;
    int accepted = 0;

    if (collect_files(store, &list, err) < 0) {
        file_list_clear(&list);
        return -1;
    }
    loaded = calloc(list.n + 1, sizeof(*loaded));
    if (!loaded) {
        file_list_clear(&list);
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    }
    for (size_t i = 0; i < list.n; i++)
        read_one(store, &list.items[i]);
    if (list.n > 1)
        qsort(list.items, list.n, sizeof(*list.items), compare_files);
    for (size_t i = 0, end; i < list.n && list.items[i].def; i = end) {
        for (end = i + 1; end < list.n && list.items[end].def && streq(list.items[end].uuid, list.items[i].uuid);
             end++)
            ;
        settle(store, &list.items[i], &list.items[end], &loaded[n_loaded++]);
    }
    file_list_clear(&list);
    qsort(loaded, n_loaded, sizeof(*loaded), compare_loaded);
    /* The callback owns each definition from here, whether or not it accepts it. */
    for (size_t i = 0; i < n_loaded; i++)
        if (fn(loaded[i].def, loaded[i].autostart, userdata) >= 0)
            accepted++;
    return accepted;
}
