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

/* Every slot may be NULL ("not supported"). Operation slots as in drivers/driver.h: the call,
 * the domain object the core holds, inputs, then outputs (malloc'd, owned by the caller, written
 * before the call ends). Flags are libvirt's. */
struct vb_guest_driver {
    int (*get_hostname)(void *priv, struct vb_call *call, struct vb_domain_obj *dom, unsigned int flags,
                        char **hostname);
    int (*get_time)(void *priv, struct vb_call *call, struct vb_domain_obj *dom, unsigned int flags,
                    long long *seconds, unsigned int *nseconds);
    int (*set_time)(void *priv, struct vb_call *call, struct vb_domain_obj *dom, long long seconds,
                    unsigned int nseconds, unsigned int flags);
    int (*get_control_info)(void *priv, struct vb_call *call, struct vb_domain_obj *dom, unsigned int flags,
                            struct vb_control_info *info);
    int (*rename)(void *priv, struct vb_call *call, struct vb_domain_obj *dom, const char *new_name,
                  unsigned int flags);
    int (*inject_nmi)(void *priv, struct vb_call *call, struct vb_domain_obj *dom, unsigned int flags);
    int (*send_key)(void *priv, struct vb_call *call, struct vb_domain_obj *dom, unsigned int codeset,
                    unsigned int holdtime, const unsigned int *keycodes, size_t n_keycodes, unsigned int flags);
    int (*send_process_signal)(void *priv, struct vb_call *call, struct vb_domain_obj *dom, long long pid,
                               unsigned int signum, unsigned int flags);
    int (*set_user_password)(void *priv, struct vb_call *call, struct vb_domain_obj *dom, const char *user,
                             const char *password, unsigned int flags);
    /* Fills at most n stats; *filled says how many. */
    int (*memory_stats)(void *priv, struct vb_call *call, struct vb_domain_obj *dom, unsigned int n,
                        unsigned int flags, struct vb_memory_stat *stats, unsigned int *filled);
    int (*memory_peek)(void *priv, struct vb_call *call, struct vb_domain_obj *dom, unsigned long long start,
                       size_t size, unsigned int flags, unsigned char *buffer);
    /* cpumap has ncpus entries, one per host CPU. */
    int (*pin_emulator)(void *priv, struct vb_call *call, struct vb_domain_obj *dom, const bool *cpumap,
                        unsigned int ncpus, unsigned int flags);
    /* *cpumap (malloc'd) has *ncpus entries, one per host CPU. */
    int (*get_emulator_pin_info)(void *priv, struct vb_call *call, struct vb_domain_obj *dom, unsigned int flags,
                                 bool **cpumap, unsigned int *ncpus);
    int (*get_fs_info)(void *priv, struct vb_call *call, struct vb_domain_obj *dom, unsigned int flags,
                       struct vb_fs_info **infos, size_t *n);
    int (*get_disk_errors)(void *priv, struct vb_call *call, struct vb_domain_obj *dom, unsigned int flags,
                           struct vb_disk_error **errors, size_t *n);
    /* *changed: how many mount points changed state; no mount points means all of them. */
    int (*fs_freeze)(void *priv, struct vb_call *call, struct vb_domain_obj *dom, const char *const *mountpoints,
                     size_t n, unsigned int flags, unsigned int *changed);
    int (*fs_thaw)(void *priv, struct vb_call *call, struct vb_domain_obj *dom, const char *const *mountpoints,
                   size_t n, unsigned int flags, unsigned int *changed);
    /* mountpoint NULL: every mounted file system. */
    int (*fs_trim)(void *priv, struct vb_call *call, struct vb_domain_obj *dom, const char *mountpoint,
                   unsigned long long minimum, unsigned int flags);
    /* to is an absolute path. */
    int (*core_dump)(void *priv, struct vb_call *call, struct vb_domain_obj *dom, const char *to,
                     unsigned int format, unsigned int flags);
    /* each info's cpumap has one entry per host CPU */
    int (*get_iothread_info)(void *priv, struct vb_call *call, struct vb_domain_obj *dom, unsigned int flags,
                             struct vb_iothread_info **infos, size_t *n);
    int (*add_iothread)(void *priv, struct vb_call *call, struct vb_domain_obj *dom, unsigned int id,
                        unsigned int flags);
    int (*del_iothread)(void *priv, struct vb_call *call, struct vb_domain_obj *dom, unsigned int id,
                        unsigned int flags);
    int (*pin_iothread)(void *priv, struct vb_call *call, struct vb_domain_obj *dom, unsigned int id,
                        const bool *cpumap, unsigned int ncpus, unsigned int flags);
};
