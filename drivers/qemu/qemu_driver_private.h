/* The QEMU driver's private connection state, shared by its files: the registry and
 * definitions (qemu_driver.c), directories (qemu_dirs.c), host and capabilities
 * (qemu_host.c, qemu_domcaps.c), and the lifecycle files that will sit beside them. */
#pragma once

#include <stdbool.h>

#include "conf/domain_list.h"
#include "conf/domain_obj.h"
#include "conf/domain_store.h"
#include "drivers/driver.h"

struct vb_event_stream;
struct sd_event;
struct qemu_caps;
struct qemu_dom;
struct qemu_storage;
struct vb_call;

/* Where a connection keeps things (libvirt's cfg->configDir, stateDir, ...). */
struct qemu_dirs {
    char *config;    /* definitions: <uuid>.xml (domain_store), autostart/, hooks/ */
    char *runtime;   /* running guests: pid files, QMP sockets, live XML (gone at reboot) */
    char *state;     /* kept across reboots: save images, managed saves, images */
    bool privileged; /* qemu:///system: 0755 directories; session: 0700 */
};

struct qemu_conn {
    char *uri;                      /* "qemu:///session" or "qemu:///system" */
    struct qemu_dirs dirs;
    struct vb_domain_list *domains; /* every domain, persistent or running */
    struct vb_domain_store *store;  /* persistent definitions under dirs.config */
    struct vb_event_stream *events; /* where every change is announced */
    struct sd_event *loop;          /* the daemon's loop: qemu processes and QMP sockets live here */
    int next_id;                    /* the next running domain's id */
    struct qemu_caps *caps;         /* qemu-system-x86_64's capabilities, NULL until first asked
                                     * (qemu_conn_caps) */
    struct qemu_dom *doms;          /* domains with lifecycle state (qemu_domain_ops.c) */
    struct qemu_hooks *hooks;       /* dirs.config/hooks/qemu (qemu_hooks.c) */
    struct qemu_storage *storage;   /* directory pools (qemu_storage*.c) */
};

/* qemu_dirs.c: the directories of uri, under root when one is given (libvirt's embed root). */
int qemu_dirs_init(struct qemu_dirs *dirs, const char *uri, const char *root, struct vb_error *err);
int qemu_dirs_create(const struct qemu_dirs *dirs, struct vb_error *err);
void qemu_dirs_clear(struct qemu_dirs *dirs);

/* qemu_driver.c */
struct vb_domain_obj *qemu_find_domain(struct qemu_conn *conn, vb_uuid_t uuid, struct vb_error *err);
void qemu_emit(struct qemu_conn *conn, const struct vb_domain_obj *obj, int event, int detail);
/* How the driver stores persistent definitions (conf/domain_store under dirs.config), for
 * vb_registry_edit_defs with the connection as ctx. */
struct vb_registry_store_ops;
extern const struct vb_registry_store_ops qemu_store_ops;

/* qemu_domcaps.c: qemu-system-x86_64 probed once (query-machines, query-cpu-definitions). */
#define QEMU_EMULATOR "/usr/bin/qemu-system-x86_64"
struct qemu_caps *qemu_caps_probe(const char *emulator, struct vb_error *err);
/* libvirt's "Cannot find QEMU binary X" when emulator cannot be executed. */
int qemu_caps_check_emulator(const char *emulator, struct vb_error *err);
/* conn->caps, probed on first use and again when the binary changed since (its mtime). */
const struct qemu_caps *qemu_conn_caps(struct qemu_conn *conn, struct vb_error *err);
void qemu_caps_free(struct qemu_caps *caps);
const char *qemu_caps_default_machine(const struct qemu_caps *caps);
char *qemu_caps_format_domain(const struct qemu_caps *caps, const char *machine, const char *virttype,
                              struct vb_error *err);
char *qemu_caps_format_host(const struct qemu_caps *caps, struct vb_error *err);

/* qemu_host.c: node calls and the secondary tables that list nothing yet (storage: qemu_storage_pool.c) */
extern const struct vb_node_driver qemu_node_driver;
extern const struct vb_snapshot_driver qemu_snapshot_driver;
extern const struct vb_network_driver qemu_network_driver;
extern const struct vb_storage_driver qemu_storage_driver;
extern const struct vb_nodedev_driver qemu_nodedev_driver;
extern const struct vb_interface_driver qemu_interface_driver;
int qemu_node_get_info(void *priv, struct vb_call *call, struct vb_node_info *info);
char *qemu_get_hostname(void *priv, struct vb_error *err);

/* qemu_domain_ops.c: the lifecycle slots. */
int qemu_create(void *priv, struct vb_call *call, struct vb_domain_obj *obj, unsigned int flags);
int qemu_destroy(void *priv, struct vb_call *call, struct vb_domain_obj *obj, unsigned int flags);
int qemu_shutdown(void *priv, struct vb_call *call, struct vb_domain_obj *obj, unsigned int flags);
int qemu_reset(void *priv, struct vb_call *call, struct vb_domain_obj *obj, unsigned int flags);
int qemu_suspend(void *priv, struct vb_call *call, struct vb_domain_obj *obj);
int qemu_resume(void *priv, struct vb_call *call, struct vb_domain_obj *obj);
/* qemu_domain_reattach.c, at connection open: finds every qemu still running from the run
 * directory (a qemu gone meanwhile: shutoff/crashed), then starts autostart domains. */
void qemu_domains_reattach(struct qemu_conn *conn);
void qemu_domains_autostart(struct qemu_conn *conn);
/* qemu_domain_reboot.c, qemu_domain_create_xml.c */
int qemu_reboot(void *priv, struct vb_call *call, struct vb_domain_obj *obj, unsigned int flags);
int qemu_create_xml(void *priv, struct vb_call *call, const char *xml, unsigned int flags, struct vb_domain_ref *ref);
void qemu_client_gone(void *priv, vb_client_id client);
/* qemu_driver.c: what DefineXML and CreateXML check and add to a parsed definition. */
int qemu_def_prepare(struct vb_domain_def *def, struct vb_error *err);
/* qemu_domain_save.c: save, managed save and restore (libvirt's qemu_saveimage.c, qemu_driver.c). */
int qemu_save(void *priv, struct vb_call *call, struct vb_domain_obj *obj, const char *path, const char *dxml,
              unsigned int flags);
int qemu_managed_save(void *priv, struct vb_call *call, struct vb_domain_obj *obj, unsigned int flags);
int qemu_managed_save_remove(void *priv, struct vb_call *call, struct vb_domain_obj *obj, unsigned int flags);
int qemu_restore(void *priv, struct vb_call *call, const char *path, const char *dxml, unsigned int flags);
int qemu_save_image_get_xml_desc(void *priv, struct vb_call *call, const char *path, unsigned int flags, char **xml);
int qemu_save_image_define_xml(void *priv, struct vb_call *call, const char *path, const char *dxml,
                               unsigned int flags);
/* <state>/save/<name>.save, malloc'd (NULL when out of memory). */
char *qemu_managed_save_path(const struct qemu_conn *conn, const char *name);
/* qemu_hotplug.c, qemu_hotplug_detach.c: device hotplug. */
int qemu_attach_device(void *priv, struct vb_call *call, struct vb_domain_obj *obj, const char *xml,
                       unsigned int flags);
int qemu_detach_device(void *priv, struct vb_call *call, struct vb_domain_obj *obj, const char *xml,
                       unsigned int flags);
int qemu_update_device(void *priv, struct vb_call *call, struct vb_domain_obj *obj, const char *xml,
                       unsigned int flags);
/* qemu_domain_stats.c: GetInfo (cpu time from /proc/PID/stat), SetMemory (balloon), GetStats. */
int qemu_get_info(void *priv, vb_uuid_t uuid, struct vb_domain_info *info, struct vb_error *err);
/* qemu_domain_vcpus.c: SetVcpus (live: vCPU hotplug into qemu's free slots). */
int qemu_set_vcpus(void *priv, struct vb_call *call, struct vb_domain_obj *obj, unsigned int count,
                   unsigned int flags);
int qemu_set_memory(void *priv, struct vb_call *call, struct vb_domain_obj *obj, uint64_t kib, unsigned int flags);
/* qemu_domain_memstats.c: SetMemoryStatsPeriod, and the guest table (MemoryStats). */
int qemu_set_memory_stats_period(void *priv, struct vb_call *call, struct vb_domain_obj *obj, int period,
                                 unsigned int flags);
extern const struct vb_guest_driver qemu_guest_driver;
int qemu_get_stats(void *priv, struct vb_call *call, const unsigned char (*uuids)[VB_UUID_LEN], size_t n,
                   unsigned int stats, unsigned int flags, struct vb_domain_stats **records, size_t *n_records);
/* qemu_domain_job.c: GetJobInfo, GetJobStats and AbortJob of a save under way. */
int qemu_get_job_info(void *priv, struct vb_call *call, struct vb_domain_obj *obj, struct vb_job_info *info);
int qemu_get_job_stats(void *priv, struct vb_call *call, struct vb_domain_obj *obj, unsigned int flags, int *type,
                       struct vb_typed_params *params);
int qemu_abort_job(void *priv, struct vb_call *call, struct vb_domain_obj *obj);
/* qemu_block_info.c: GetBlockInfo of a file-backed disk. */
int qemu_get_block_info(void *priv, struct vb_call *call, struct vb_domain_obj *obj, const char *disk,
                        unsigned int flags, struct vb_block_info *info);
/* qemu_block_ops.c: BlockResize (block_resize on the disk's format node), BlockPeek (a raw image read). */
int qemu_block_resize(void *priv, struct vb_call *call, struct vb_domain_obj *obj, const char *disk, uint64_t size,
                      unsigned int flags);
int qemu_block_peek(void *priv, struct vb_call *call, struct vb_domain_obj *obj, const char *disk, uint64_t offset,
                    size_t size, unsigned int flags, uint8_t **buffer);
/* qemu_domain_ifaddr.c: InterfaceAddresses (lease: none yet, ARP table, agent: not configured). */
int qemu_interface_addresses(void *priv, struct vb_call *call, struct vb_domain_obj *obj, unsigned int source,
                             unsigned int flags, struct vb_iface **ifaces, size_t *n);
/* qemu_snapshot_store.c: a stored domain's snapshot metadata read at open; how many snapshots
 * it has; its metadata dropped, files and all (Undefine with SNAPSHOTS_METADATA). */
void qemu_snapshot_load(struct qemu_conn *conn, struct vb_domain_obj *obj);
size_t qemu_snapshot_count(const struct vb_domain_obj *obj);
void qemu_snapshot_discard_all(struct qemu_conn *conn, struct vb_domain_obj *obj);
/* Connection close: forgets every qemu process (they keep running), ends waiting calls. */
void qemu_domains_release(struct qemu_conn *conn);
