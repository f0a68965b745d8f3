/* A domain as a driver holds it: definitions (live and next-boot), state and reason, id,
 * and the job lock that keeps two operations on one domain from interleaving. Objects are
 * reference-counted: the driver's list holds one reference and every call working on the
 * domain holds another, so no operation sees an object freed under it. */
#pragma once

#include <stdbool.h>

#include "conf/domain_def.h"
#include "conf/domain_job.h"

/* libvirt's virDomainState and its reason enums, numbered as libvirt numbers them. */
enum vb_domain_state {
    VB_DOMAIN_NOSTATE = 0,
    VB_DOMAIN_RUNNING = 1,
    VB_DOMAIN_BLOCKED = 2,
    VB_DOMAIN_PAUSED = 3,
    VB_DOMAIN_SHUTDOWN = 4,
    VB_DOMAIN_SHUTOFF = 5,
    VB_DOMAIN_CRASHED = 6,
    VB_DOMAIN_PMSUSPENDED = 7,
};

enum { VB_RUNNING_UNKNOWN = 0, VB_RUNNING_BOOTED = 1, VB_RUNNING_MIGRATED = 2, VB_RUNNING_RESTORED = 3,
       VB_RUNNING_FROM_SNAPSHOT = 4, VB_RUNNING_UNPAUSED = 5, VB_RUNNING_MIGRATION_CANCELED = 6,
       VB_RUNNING_SAVE_CANCELED = 7, VB_RUNNING_WAKEUP = 8, VB_RUNNING_CRASHED = 9 };
enum { VB_PAUSED_UNKNOWN = 0, VB_PAUSED_USER = 1, VB_PAUSED_MIGRATION = 2, VB_PAUSED_SAVE = 3,
       VB_PAUSED_DUMP = 4, VB_PAUSED_IOERROR = 5, VB_PAUSED_WATCHDOG = 6, VB_PAUSED_FROM_SNAPSHOT = 7,
       VB_PAUSED_SHUTTING_DOWN = 8, VB_PAUSED_SNAPSHOT = 9, VB_PAUSED_CRASHED = 10,
       VB_PAUSED_STARTING_UP = 11 };
enum { VB_SHUTDOWN_UNKNOWN = 0, VB_SHUTDOWN_USER = 1 };
enum { VB_SHUTOFF_UNKNOWN = 0, VB_SHUTOFF_SHUTDOWN = 1, VB_SHUTOFF_DESTROYED = 2, VB_SHUTOFF_CRASHED = 3,
       VB_SHUTOFF_MIGRATED = 4, VB_SHUTOFF_SAVED = 5, VB_SHUTOFF_FAILED = 6,
       VB_SHUTOFF_FROM_SNAPSHOT = 7, VB_SHUTOFF_DAEMON = 8 };
enum { VB_CRASHED_UNKNOWN = 0, VB_CRASHED_PANICKED = 1 };

struct vb_domain_obj {
    unsigned int refs;
    bool removed;       /* no longer in its driver's list: calls still holding it must stop */
    /* The running definition while active; the only definition while inactive. */
    struct vb_domain_def *def;
    /* While active and persistent: the definition for the next boot (NULL until it differs
     * from def, as libvirt's newDef). */
    struct vb_domain_def *next_def;
    bool persistent;
    bool autostart;
    bool has_managed_save;
    bool updated;       /* live definition changed since start (libvirt's "updated") */
    int id;             /* -1 while inactive */
    enum vb_domain_state state;
    int reason;
    char *autodestroy_owner; /* client that asked for AUTODESTROY, or NULL */
    struct vb_domain_job job;
    /* Live vcpu pinning: vcpu_pin_rows rows of vcpu_pin_cpus booleans (NULL: not pinned). */
    bool *vcpu_pins;
    unsigned int vcpu_pin_rows, vcpu_pin_cpus;
    /* Emulator thread pinning (<cputune><emulatorpin>), one bool per host CPU, NULL: unpinned.
     * The config map belongs to the persistent definition; the live one is copied from it at
     * start and dropped at stop, as libvirt's live definition is. */
    bool *emulator_pin_config, *emulator_pin_live;
    unsigned int emulator_pin_config_n, emulator_pin_live_n;
    /* The guest clock GetTime reports and SetTime sets (libvirt's test driver keeps it per
     * domain object, across restarts, starting at VB_GUEST_TIME_INITIAL). */
    long long guest_time_seconds;
    unsigned int guest_time_nseconds;
    /* Which of the test guest's file systems, "/" and "/boot", FSFreeze froze (libvirt's test
     * driver keeps them per domain object, as the clock). */
    bool fs_frozen[2];
    void *driver_data;  /* the driver's own per-domain state */
    void (*driver_data_free)(void *);
};

#define VB_GUEST_TIME_INITIAL 627319920LL

/* A new object holding one reference, taking def. */
struct vb_domain_obj *vb_domain_obj_new(struct vb_domain_def *def);
struct vb_domain_obj *vb_domain_obj_ref(struct vb_domain_obj *obj);
/* Drops a reference; the last one frees the object. */
void vb_domain_obj_unref(struct vb_domain_obj *obj);

static inline bool vb_domain_obj_is_active(const struct vb_domain_obj *obj)
{
    return obj->id >= 0;
}

void vb_domain_obj_set_state(struct vb_domain_obj *obj, enum vb_domain_state state, int reason);

/* libvirt's virDomainObjCheckActive: VB_ERR_OPERATION_INVALID "domain is not running". */
int vb_domain_obj_check_active(const struct vb_domain_obj *obj, struct vb_error *err);
/* VB_ERR_OPERATION_INVALID "domain is already running". */
int vb_domain_obj_check_inactive(const struct vb_domain_obj *obj, struct vb_error *err);

/* The persistent definition: next_def when set, else def. */
struct vb_domain_def *vb_domain_obj_persistent_def(struct vb_domain_obj *obj);

/* Marks the domain running with the given id: if persistent, keeps a copy of the definition
 * as next_def so live changes do not leak into the persistent config. Fails changing nothing. */
int vb_domain_obj_mark_started(struct vb_domain_obj *obj, int id, enum vb_domain_state state,
                               int reason, struct vb_error *err);

/* Marks the domain shut off: the persistent definition becomes the only one again. */
void vb_domain_obj_mark_stopped(struct vb_domain_obj *obj, int reason);

/* The definition to act on for libvirt's VIR_DOMAIN_AFFECT_LIVE (1) / _CONFIG (2) / CURRENT (0)
 * flags: resolves CURRENT against the state, and checks LIVE needs active and CONFIG needs
 * persistent, with libvirt's errors. */
enum { VB_AFFECT_CURRENT = 0, VB_AFFECT_LIVE = 1, VB_AFFECT_CONFIG = 2 };
int vb_domain_obj_resolve_affect(const struct vb_domain_obj *obj, unsigned int *flags, struct vb_error *err);

/* Replaces the persistent definition of obj with new_def (taking it), as DefineXML of an
 * existing domain does. */
void vb_domain_obj_assign_persistent_def(struct vb_domain_obj *obj, struct vb_domain_def *new_def);

DEFINE_CLEANUP_FUNC(struct vb_domain_obj, vb_domain_obj_unref)
