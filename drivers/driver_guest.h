/* The guest driver table: guest control and queries (hostname, guest time, keys, signals,
 * memory statistics and peeking, emulator pinning, file systems, disk errors, rename), as
 * libvirt's domain* hypervisor slots of the same names. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/error.h"
#include "drivers/driver.h" /* vb_uuid_t */

/* libvirt's virDomainControlInfo. */
struct vb_control_info {
    unsigned int state;   /* virDomainControlState: 0 ok, 1 job, 2 occupied, 3 error */
    unsigned int details; /* virDomainControlErrorReason when state is error */
    unsigned long long state_time_ms;
};

/* libvirt's virDomainMemoryStatStruct: one tagged counter. */
struct vb_memory_stat {
    int tag; /* virDomainMemoryStatTags */
    unsigned long long value;
};
#define VB_MEMORY_STAT_NR 13 /* libvirt 9's VIR_DOMAIN_MEMORY_STAT_NR */

/* libvirt's virDomainFSInfo. */
struct vb_fs_info {
    char *mountpoint, *name, *fstype;
    char **dev_aliases;
    size_t n_dev_aliases;
};
void vb_fs_infos_free(struct vb_fs_info *infos, size_t n);

/* libvirt's virDomainDiskError. */
struct vb_disk_error {
    char *disk;
    int error; /* virDomainDiskErrorCode: 1 unspecified, 2 no space */
};
void vb_disk_errors_free(struct vb_disk_error *errors, size_t n);

/* libvirt's virDomainIOThreadInfo: cpumap has one entry per host CPU. */
struct vb_iothread_info {
    unsigned int id;
    bool *cpumap;
    unsigned int ncpus;
};
void vb_iothread_infos_free(struct vb_iothread_info *infos, size_t n);

enum { VB_TIME_SYNC = 1 << 0 };
/* libvirt's virDomainCoreDumpFlags and virDomainCoreDumpFormat. */
enum { VB_DUMP_CRASH = 1 << 0, VB_DUMP_LIVE = 1 << 1, VB_DUMP_BYPASS_CACHE = 1 << 2, VB_DUMP_RESET = 1 << 3,
       VB_DUMP_MEMORY_ONLY = 1 << 4 };
enum { VB_CORE_DUMP_FORMAT_RAW = 0, VB_CORE_DUMP_FORMAT_LAST = 5 };
enum { VB_PASSWORD_ENCRYPTED = 1 << 0 };
enum { VB_MEMORY_VIRTUAL = 1 << 0, VB_MEMORY_PHYSICAL = 1 << 1 };
#define VB_SEND_KEY_MAX_KEYS 16
#define VB_KEYCODE_SET_LAST 10   /* linux, xt, atset1, atset2, atset3, os_x, xt_kbd, usb, win32, qnum */
#define VB_PROCESS_SIGNAL_LAST 65 /* libvirt's VIR_DOMAIN_PROCESS_SIGNAL_LAST */

/* Every slot may be NULL ("not supported"). Strings and arrays handed out are malloc'd and
 * owned by the caller; on failure nothing is handed out and err is set. Flags are libvirt's. */
struct vb_guest_driver {
    char *(*get_hostname)(void *priv, vb_uuid_t uuid, unsigned int flags, struct vb_error *err);
    int (*get_time)(void *priv, vb_uuid_t uuid, long long *seconds, unsigned int *nseconds, unsigned int flags,
                    struct vb_error *err);
    int (*set_time)(void *priv, vb_uuid_t uuid, long long seconds, unsigned int nseconds, unsigned int flags,
                    struct vb_error *err);
    int (*get_control_info)(void *priv, vb_uuid_t uuid, struct vb_control_info *info, unsigned int flags,
                            struct vb_error *err);
    int (*rename)(void *priv, vb_uuid_t uuid, const char *new_name, unsigned int flags, struct vb_error *err);
    int (*inject_nmi)(void *priv, vb_uuid_t uuid, unsigned int flags, struct vb_error *err);
    int (*send_key)(void *priv, vb_uuid_t uuid, unsigned int codeset, unsigned int holdtime,
                    const unsigned int *keycodes, size_t n_keycodes, unsigned int flags, struct vb_error *err);
    int (*send_process_signal)(void *priv, vb_uuid_t uuid, long long pid, unsigned int signum, unsigned int flags,
                               struct vb_error *err);
    int (*set_user_password)(void *priv, vb_uuid_t uuid, const char *user, const char *password,
                             unsigned int flags, struct vb_error *err);
    /* Fills at most n stats; returns how many. */
    int (*memory_stats)(void *priv, vb_uuid_t uuid, struct vb_memory_stat *stats, unsigned int n,
                        unsigned int flags, struct vb_error *err);
    int (*memory_peek)(void *priv, vb_uuid_t uuid, unsigned long long start, size_t size, unsigned char *buffer,
                       unsigned int flags, struct vb_error *err);
    /* cpumap has ncpus entries, one per host CPU. */
    int (*pin_emulator)(void *priv, vb_uuid_t uuid, const bool *cpumap, unsigned int ncpus, unsigned int flags,
                        struct vb_error *err);
    int (*get_emulator_pin_info)(void *priv, vb_uuid_t uuid, bool *cpumap, unsigned int ncpus, unsigned int flags,
                                 struct vb_error *err);
    /* Returns the count of *infos. */
    int (*get_fs_info)(void *priv, vb_uuid_t uuid, struct vb_fs_info **infos, unsigned int flags,
                       struct vb_error *err);
    /* Returns the count of *errors. */
    int (*get_disk_errors)(void *priv, vb_uuid_t uuid, struct vb_disk_error **errors, unsigned int flags,
                           struct vb_error *err);
    /* Return how many mount points changed state; no mount points means all of them. */
    int (*fs_freeze)(void *priv, vb_uuid_t uuid, const char *const *mountpoints, size_t n, unsigned int flags,
                     struct vb_error *err);
    int (*fs_thaw)(void *priv, vb_uuid_t uuid, const char *const *mountpoints, size_t n, unsigned int flags,
                   struct vb_error *err);
    /* mountpoint NULL: every mounted file system. */
    int (*fs_trim)(void *priv, vb_uuid_t uuid, const char *mountpoint, unsigned long long minimum,
                   unsigned int flags, struct vb_error *err);
    /* to is an absolute path. */
    int (*core_dump)(void *priv, vb_uuid_t uuid, const char *to, unsigned int format, unsigned int flags,
                     struct vb_error *err);
    /* Returns the count of *infos; each cpumap has ncpus entries. */
    int (*get_iothread_info)(void *priv, vb_uuid_t uuid, unsigned int ncpus, struct vb_iothread_info **infos,
                             unsigned int flags, struct vb_error *err);
    int (*add_iothread)(void *priv, vb_uuid_t uuid, unsigned int id, unsigned int flags, struct vb_error *err);
    int (*del_iothread)(void *priv, vb_uuid_t uuid, unsigned int id, unsigned int flags, struct vb_error *err);
    int (*pin_iothread)(void *priv, vb_uuid_t uuid, unsigned int id, const bool *cpumap, unsigned int ncpus,
                        unsigned int flags, struct vb_error *err);
};
