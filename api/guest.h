/* The public guest API: guest control and queries (libvirt's virDomainGetHostname,
 * virDomainGetTime, virDomainSendKey, virDomainRename, ...): argument checks as libvirt's
 * libvirt-domain.c, then the driver's guest table. Operations as in api/domain.h. */
#pragma once

#include "api/connect.h"
#include "drivers/driver_guest.h"

int vb_guest_get_hostname(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, unsigned int flags,
                          char **hostname);
int vb_guest_get_time(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, unsigned int flags,
                      long long *seconds, unsigned int *nseconds);
int vb_guest_set_time(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, long long seconds,
                      unsigned int nseconds, unsigned int flags);
int vb_guest_get_control_info(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, unsigned int flags,
                              struct vb_control_info *info);
int vb_guest_rename(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, const char *new_name,
                    unsigned int flags);
int vb_guest_inject_nmi(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, unsigned int flags);
int vb_guest_send_key(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, unsigned int codeset,
                      unsigned int holdtime, const unsigned int *keycodes, size_t n_keycodes, unsigned int flags);
int vb_guest_send_process_signal(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, long long pid,
                                 unsigned int signum, unsigned int flags);
int vb_guest_set_user_password(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, const char *user,
                               const char *password, unsigned int flags);
/* *filled: how many of the n stats were filled (libvirt answers 0 for n == 0 without asking). */
int vb_guest_memory_stats(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, unsigned int n,
                          unsigned int flags, struct vb_memory_stat *stats, unsigned int *filled);
int vb_guest_memory_peek(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, unsigned long long start,
                         size_t size, unsigned int flags, unsigned char *buffer);
int vb_guest_pin_emulator(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, const bool *cpumap,
                          unsigned int ncpus, unsigned int flags);
/* The map (malloc'd) has one entry per host CPU, as libvirt-dbus sizes it from the node's map. */
int vb_guest_get_emulator_pin_info(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, unsigned int flags,
                                   bool **cpumap, unsigned int *ncpus);
int vb_guest_get_fs_info(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, unsigned int flags,
                         struct vb_fs_info **infos, size_t *n);
int vb_guest_get_disk_errors(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, unsigned int flags,
                             struct vb_disk_error **errors, size_t *n);
int vb_guest_fs_freeze(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, const char *const *mountpoints,
                       size_t n, unsigned int flags, unsigned int *changed);
int vb_guest_fs_thaw(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, const char *const *mountpoints,
                     size_t n, unsigned int flags, unsigned int *changed);
int vb_guest_fs_trim(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, const char *mountpoint,
                     unsigned long long minimum, unsigned int flags);
/* A relative `to` is taken from the daemon's working directory, as libvirt's client library
 * takes it from the caller's. The absolute path lives in the call until it ends. */
int vb_guest_core_dump(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, const char *to,
                       unsigned int format, unsigned int flags);
int vb_guest_get_iothread_info(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, unsigned int flags,
                               struct vb_iothread_info **infos, size_t *n);
int vb_guest_add_iothread(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, unsigned int id,
                          unsigned int flags);
int vb_guest_del_iothread(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, unsigned int id,
                          unsigned int flags);
int vb_guest_pin_iothread(struct vb_connect *conn, struct vb_call *call, vb_uuid_t uuid, unsigned int id,
                          const bool *cpumap, unsigned int ncpus, unsigned int flags);

/* The largest MemoryPeek a caller may ask for (libvirt's remote protocol limit). */
#define VB_MEMORY_PEEK_MAX 65536
