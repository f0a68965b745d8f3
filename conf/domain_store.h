/* Persistent domain definitions on disk, keyed by UUID: "<uuid>.xml" per domain in a directory,
 * written atomically, plus "autostart/<uuid>" markers, reloaded at daemon start. */
#pragma once

#include <stdbool.h>

#include "conf/domain_def.h"

struct vb_domain_store;

/* dir is created (mode 0700) if missing, with an "autostart" subdirectory. */
struct vb_domain_store *vb_domain_store_open(const char *dir, struct vb_error *err);
void vb_domain_store_free(struct vb_domain_store *store);
const char *vb_domain_store_dir(const struct vb_domain_store *store);

/* Writes def's inactive, secure XML as <dir>/<uuid>.xml in one atomic, durable replacement
 * (util/file.c): a definition that changes, even its name, is one write. Any name libvirt
 * accepts is stored: the name is in the file, not its name. */
int vb_domain_store_save(struct vb_domain_store *store, const struct vb_domain_def *def, struct vb_error *err);

/* Removes the autostart marker, then <dir>/<uuid>.xml. A missing file is not an error. */
int vb_domain_store_remove(struct vb_domain_store *store, const unsigned char uuid[VB_UUID_LEN],
                           struct vb_error *err);

/* Creates or removes autostart/<uuid>. */
int vb_domain_store_mark_autostart(struct vb_domain_store *store, const unsigned char uuid[VB_UUID_LEN],
                                   bool autostart, struct vb_error *err);


/* Called for each stored definition, in name order. The callback takes ownership of def.
 * Only regular files are read (a FIFO or device named *.xml is skipped, never waited on). A
 * file that does not parse, or whose name is neither its domain's UUID nor (an older store's
 * layout) its domain's name, is logged with its path and skipped, never deleted (an
 * administrator may want it). Leftover temporary files from an interrupted write are removed.
 *
 * Files of the older layout, <name>.xml and autostart/<name>, are moved to the UUID layout:
 * the definition is rewritten as <uuid>.xml (its autostart marker first), then the old files
 * go. A <uuid>.xml always wins over an old file naming the same UUID; among old files only,
 * the most recently written wins (an interrupted rename left the new name last). The files
 * that lose are removed and logged, so a definition undefined later cannot come back.
 *
 * Returns the number loaded, or -1 with err set when the directory can't be read. */
typedef int (*vb_domain_store_load_fn)(struct vb_domain_def *def, bool autostart, void *userdata);
int vb_domain_store_load_all(struct vb_domain_store *store, vb_domain_store_load_fn fn, void *userdata,
                             struct vb_error *err);

/* True when the store has been written at least once (so it, not any seed, is the truth). */
bool vb_domain_store_is_seeded(const struct vb_domain_store *store);
int vb_domain_store_mark_seeded(struct vb_domain_store *store, struct vb_error *err);
