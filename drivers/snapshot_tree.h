/* A domain's snapshot tree (libvirt's virDomainSnapshotObjList and virDomainMomentObj links):
 * the snapshots in creation order, their parent links by name, and the current one. Shared by
 * the drivers that keep snapshot metadata. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "conf/snapshot_def.h"
#include "util/error.h"

struct vb_snapshot_tree {
    struct vb_snapshot_def **snaps; /* in creation order, so parents come before children */
    size_t n, cap;
    struct vb_snapshot_def *current;
};

void vb_snapshot_tree_clear(struct vb_snapshot_tree *list);

struct vb_snapshot_def *vb_snapshot_tree_find(const struct vb_snapshot_tree *list, const char *name);
/* The snapshot `name`, or NULL with libvirt's VB_ERR_NO_DOMAIN_SNAPSHOT
 * "no domain snapshot with matching name '%s'". list may be NULL (no snapshots). */
struct vb_snapshot_def *vb_snapshot_tree_lookup(const struct vb_snapshot_tree *list, const char *name,
                                                struct vb_error *err);

bool vb_snapshot_state_is_online(enum vb_snapshot_state state);

/* The names of the snapshots below `parent` (NULL: of the whole domain), direct children only
 * unless all_levels, filtered by libvirt's list flags (VB_SNAPSHOT_LIST_TOPOLOGICAL: parents
 * before children). list may be NULL. */
int vb_snapshot_tree_names(const struct vb_snapshot_tree *list, const struct vb_snapshot_def *parent,
                           bool all_levels, unsigned int flags, char ***names, size_t *n, struct vb_error *err);

/* The single-snapshot queries, with libvirt's errors for an unknown name (above), a domain
 * without a current snapshot and a root snapshot's parent. Results are malloc'd. */
int vb_snapshot_tree_children(const struct vb_snapshot_tree *tree, const char *name, unsigned int flags,
                              char ***names, size_t *n, struct vb_error *err);
char *vb_snapshot_tree_current_name(const struct vb_snapshot_tree *tree, struct vb_error *err);
char *vb_snapshot_tree_format(const struct vb_snapshot_tree *tree, const unsigned char *domain_uuid,
                              const char *name, bool secure, struct vb_error *err);
char *vb_snapshot_tree_parent_name(const struct vb_snapshot_tree *tree, const char *name, struct vb_error *err);
int vb_snapshot_tree_is_current(const struct vb_snapshot_tree *tree, const char *name, bool *result,
                                struct vb_error *err);

/* libvirt's virDomainSnapshotRedefinePrep for def (REDEFINE): cycles, the domain's uuid, the
 * rules against changing an existing snapshot's kind, the domain kept from the snapshot it
 * replaces, the disks aligned. *existing: the snapshot of that name, or NULL. */
int vb_snapshot_tree_prepare_redefine(const struct vb_snapshot_tree *list, const unsigned char *domain_uuid,
                                      struct vb_snapshot_def *def, struct vb_snapshot_def **existing,
                                      struct vb_error *err);
/* A new snapshot's name is free ("domain moment %s already exists"), and its parent is the
 * current snapshot. */
int vb_snapshot_tree_prepare_new(const struct vb_snapshot_tree *list, struct vb_snapshot_def *def,
                                 struct vb_error *err);

/* Adds def (taking it), or puts it in the place of `existing` (freed). */
int vb_snapshot_tree_store(struct vb_snapshot_tree *list, struct vb_snapshot_def *def,
                           struct vb_snapshot_def *existing, bool make_current, struct vb_error *err);

/* Removes snap's metadata as libvirt's delete: with CHILDREN or CHILDREN_ONLY its descendants
 * go too (the current snapshot among them passes to snap), else its children take its parent;
 * CHILDREN_ONLY keeps snap. A current snap passes current to its parent. All or nothing. */
int vb_snapshot_tree_delete(struct vb_snapshot_tree *list, struct vb_snapshot_def *snap, unsigned int flags,
                            struct vb_error *err);
