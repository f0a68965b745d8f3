/* The domain snapshot definition: libvirt's <domainsnapshot> XML parsed into a model, and
 * formatted back in libvirt's layout. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "conf/domain_def.h"
#include "util/error.h"

/* libvirt's virDomainSnapshotState: virDomainState plus "disk-snapshot". */
enum vb_snapshot_state {
    VB_SNAPSHOT_NOSTATE = 0,
    VB_SNAPSHOT_RUNNING = 1,
    VB_SNAPSHOT_BLOCKED = 2,
    VB_SNAPSHOT_PAUSED = 3,
    VB_SNAPSHOT_SHUTDOWN = 4,
    VB_SNAPSHOT_SHUTOFF = 5,
    VB_SNAPSHOT_CRASHED = 6,
    VB_SNAPSHOT_PMSUSPENDED = 7,
    VB_SNAPSHOT_DISK_SNAPSHOT = 8,
};

/* libvirt's virDomainSnapshotLocation. */
enum vb_snapshot_location {
    VB_SNAPSHOT_LOCATION_DEFAULT = 0,
    VB_SNAPSHOT_LOCATION_NO = 1,
    VB_SNAPSHOT_LOCATION_INTERNAL = 2,
    VB_SNAPSHOT_LOCATION_EXTERNAL = 3,
    VB_SNAPSHOT_LOCATION_MANUAL = 4,
};

struct vb_snapshot_disk {
    char *name; /* the domain disk's target ("vda") */
    enum vb_snapshot_location location;
};

struct vb_snapshot_def {
    char *name;
    char *description;
    enum vb_snapshot_state state;     /* NOSTATE until the driver records the domain's state */
    long long creation_time;          /* seconds since the epoch */
    char *parent_name;                /* NULL for a root snapshot */
    enum vb_snapshot_location memory; /* <memory snapshot=...> */
    char *memory_file;                /* <memory file=...>, external memory only */
    struct vb_snapshot_disk *disks;
    size_t n_disks;
    struct vb_domain_def *dom;        /* the domain as it was; NULL for an old-style snapshot */
};

/* Parse flags, as libvirt's virDomainSnapshotParseFlags. */
enum { VB_SNAPSHOT_PARSE_REDEFINE = 1 << 0 };

/* Parses a <domainsnapshot> document with libvirt's rules and wording. Without REDEFINE the
 * creation time is now and a missing name is that time in decimal; with REDEFINE the name,
 * creationTime and state are required and <parent> and <domain> are read. NULL with err set. */
struct vb_snapshot_def *vb_snapshot_def_parse_string(const char *xml, unsigned int flags, struct vb_error *err);

/* Lines up def->disks with the disks of def->dom (libvirt's virDomainSnapshotAlignDisks):
 * every requested disk must name a domain disk once, every domain disk gets an entry, and with
 * require_match all of them use default_location (or "no"). Changes nothing on failure. */
int vb_snapshot_def_align_disks(struct vb_snapshot_def *def, enum vb_snapshot_location default_location,
                                bool require_match, struct vb_error *err);

/* Whether the memory or a disk is kept outside the disk images. */
bool vb_snapshot_def_is_external(const struct vb_snapshot_def *def);

/* Formats as libvirt's virDomainSnapshotDefFormat. domain_uuid is printed in a bare <domain>
 * when def has no domain definition. secure: include secrets of the embedded domain. */
char *vb_snapshot_def_format(const struct vb_snapshot_def *def, const char *domain_uuid, bool secure,
                             struct vb_error *err);

const char *vb_snapshot_state_to_string(enum vb_snapshot_state state);
/* The state's number, or -1 for an unknown name. */
int vb_snapshot_state_from_string(const char *text);

void vb_snapshot_def_free(struct vb_snapshot_def *def);

DEFINE_CLEANUP_FUNC(struct vb_snapshot_def, vb_snapshot_def_free)
