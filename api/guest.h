/* The public guest API: guest control and queries (libvirt's virDomainGetHostname,
 * virDomainGetTime, virDomainSendKey, virDomainRename, ...): argument checks as libvirt's
 * libvirt-domain.c, then dispatch to the driver's guest table. */
#pragma once

#include "api/connect.h"
#include "drivers/driver_guest.h"

char *vb_guest_get_hostname(struct vb_connect *conn, vb_uuid_t uuid, unsigned int flags, struct vb_error *err);
int vb_guest_get_time(struct vb_connect *conn, vb_uuid_t uuid, long long *seconds, unsigned int *nseconds,
                      unsigned int flags, struct vb_error *err);
int vb_guest_set_time(struct vb_connect *conn, vb_uuid_t uuid, long long seconds, unsigned int nseconds,
                      unsigned int flags, struct vb_error *err);
int vb_guest_get_control_info(struct vb_connect *conn, vb_uuid_t uuid, struct vb_control_info *info,
                              unsigned int flags, struct vb_error *err);
int vb_guest_rename(struct vb_connect *conn, vb_uuid_t uuid, const char *new_name, unsigned int flags,
                    struct vb_error *err);
int vb_guest_inject_nmi(struct vb_connect *conn, vb_uuid_t uuid, unsigned int flags, struct vb_error *err);
int vb_guest_send_key(struct vb_connect *conn, vb_uuid_t uuid, unsigned int codeset, unsigned int holdtime,
                      const unsigned int *keycodes, size_t n_keycodes, unsigned int flags, struct vb_error *err);
int vb_guest_send_process_signal(struct vb_connect *conn, vb_uuid_t uuid, long long pid, unsigned int signum,
                                 unsigned int flags, struct vb_error *err);
int vb_guest_set_user_password(struct vb_connect *conn, vb_uuid_t uuid, const char *user, const char *password,
                               unsigned int flags, struct vb_error *err);
/* Returns the number of stats filled (at most n). */
int vb_guest_memory_stats(struct vb_connect *conn, vb_uuid_t uuid, struct vb_memory_stat *stats, unsigned int n,
                          unsigned int flags, struct vb_error *err);
int vb_guest_memory_peek(struct vb_connect *conn, vb_uuid_t uuid, unsigned long long start, size_t size,
                         unsigned char *buffer, unsigned int flags, struct vb_error *err);
int vb_guest_pin_emulator(struct vb_connect *conn, vb_uuid_t uuid, const bool *cpumap, unsigned int ncpus,
                          unsigned int flags, struct vb_error *err);
int vb_guest_get_emulator_pin_info(struct vb_connect *conn, vb_uuid_t uuid, bool *cpumap, unsigned int ncpus,
                                   unsigned int flags, struct vb_error *err);
int vb_guest_get_fs_info(struct vb_connect *conn, vb_uuid_t uuid, struct vb_fs_info **infos, unsigned int flags,
                         struct vb_error *err);
int vb_guest_get_disk_errors(struct vb_connect *conn, vb_uuid_t uuid, struct vb_disk_error **errors,
                             unsigned int flags, struct vb_error *err);
int vb_guest_fs_freeze(struct vb_connect *conn, vb_uuid_t uuid, const char *const *mountpoints, size_t n,
                       unsigned int flags, struct vb_error *err);
int vb_guest_fs_thaw(struct vb_connect *conn, vb_uuid_t uuid, const char *const *mountpoints, size_t n,
                     unsigned int flags, struct vb_error *err);
int vb_guest_fs_trim(struct vb_connect *conn, vb_uuid_t uuid, const char *mountpoint, unsigned long long minimum,
                     unsigned int flags, struct vb_error *err);
/* A relative `to` is taken from the daemon's working directory, as libvirt's client library
 * takes it from the caller's. */
int vb_guest_core_dump(struct vb_connect *conn, vb_uuid_t uuid, const char *to, unsigned int format,
                       unsigned int flags, struct vb_error *err);
int vb_guest_get_iothread_info(struct vb_connect *conn, vb_uuid_t uuid, unsigned int ncpus,
                               struct vb_iothread_info **infos, unsigned int flags, struct vb_error *err);
int vb_guest_add_iothread(struct vb_connect *conn, vb_uuid_t uuid, unsigned int id, unsigned int flags,
                          struct vb_error *err);
int vb_guest_del_iothread(struct vb_connect *conn, vb_uuid_t uuid, unsigned int id, unsigned int flags,
                          struct vb_error *err);
int vb_guest_pin_iothread(struct vb_connect *conn, vb_uuid_t uuid, unsigned int id, const bool *cpumap,
                          unsigned int ncpus, unsigned int flags, struct vb_error *err);

/* The largest MemoryPeek a caller may ask for (libvirt's remote protocol limit). */
#define VB_MEMORY_PEEK_MAX 65536
