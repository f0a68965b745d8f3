/* Persistent domain definitions on disk: one "<name>.xml" per domain in a directory, written
 * atomically, plus autostart markers, reloaded at daemon start. */
#pragma once

#include <stdbool.h>

#include "conf/domain_def.h"

struct vb_domain_store;

/* dir is created (mode 0700) if missing, with an "autostart" subdirectory. */
struct vb_domain_store *vb_domain_store_open(const char *dir, struct vb_error *err);
void vb_domain_store_free(struct vb_domain_store *store);
const char *vb_domain_store_dir(const struct vb_domain_store *store);

/* Writes def's inactive, secure XML as <dir>/<name>.xml atomically. */
int vb_domain_store_save(struct vb_domain_store *store, const struct vb_domain_def *def, struct vb_error *err);

/* Removes <dir>/<name>.xml and its autostart marker. A missing file is not an error. */
int vb_domain_store_delete(struct vb_domain_store *store, const char *name, struct vb_error *err);

int vb_domain_store_set_autostart(struct vb_domain_store *store, const char *name, bool autostart,
                                  struct vb_error *err);

/* Called for each stored definition, in name order. The callback takes ownership of def.
 * A file that does not parse is logged with its path and skipped, never fatal, and never
 * deleted (an administrator may want it). Leftover temporary files from an interrupted write
 * are removed. Returns the number loaded, or -1 with err set when the directory can't be read. */
typedef int (*vb_domain_store_load_fn)(struct vb_domain_def *def, bool autostart, void *userdata);
int vb_domain_store_load_all(struct vb_domain_store *store, vb_domain_store_load_fn fn, void *userdata,
                             struct vb_error *err);

/* True when the store has been written at least once (so it, not any seed, is the truth). */
bool vb_domain_store_is_seeded(const struct vb_domain_store *store);
int vb_domain_store_mark_seeded(struct vb_domain_store *store, struct vb_error *err);
