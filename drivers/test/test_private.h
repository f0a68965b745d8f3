/* The test driver's private state, shared by its files. */
#pragma once

#include "conf/domain_list.h"
#include "conf/domain_store.h"
#include "drivers/driver.h"
#include "drivers/driver_guest.h"
#include "events/event.h"

struct test_conn {
    char *uri;
    struct vb_domain_list *domains;
    struct vb_event_stream *events;
    struct vb_domain_store *store; /* NULL for test:///default, which is never persisted */
    struct vb_node_info node;
    int next_id;
};

extern const struct vb_node_driver vb_test_node_driver; /* test_node_info.c */
extern const struct vb_snapshot_driver vb_test_snapshot_driver;
extern const struct vb_guest_driver vb_test_guest_driver;       /* test_guest_control.c */
extern const struct vb_tunables_driver vb_test_tunables_driver; /* test_tunables.c */

/* test_node.c: the initial node, libvirt's default or a testnode.xml-style file */
int test_node_load_default(struct test_conn *conn, struct vb_error *err);
int test_node_load_file(struct test_conn *conn, const char *path, struct vb_error *err);
/* Adds a parsed definition as a domain in the given run state (test:runstate), for loading. */
int test_node_add_domain(struct test_conn *conn, struct vb_domain_def *def, bool persistent,
                         enum vb_domain_state state, bool has_managed_save, struct vb_error *err);

/* test_driver.c helpers used by the lifecycle operations */
struct vb_domain_obj *test_find_domain(struct test_conn *conn, vb_uuid_t uuid, struct vb_error *err);
void test_emit(struct test_conn *conn, struct vb_domain_obj *obj, int event, int detail);
int test_persist_def(struct test_conn *conn, const struct vb_domain_def *def, struct vb_error *err);
int test_unpersist(struct test_conn *conn, const char *name, struct vb_error *err);
int test_domain_fill_ref(const struct vb_domain_obj *obj, struct vb_domain_ref *ref, struct vb_error *err);
/* Starts obj (id allocation, state, events); fails changing nothing. */
int test_domain_start(struct test_conn *conn, struct vb_domain_obj *obj, int running_reason,
                      int started_detail, bool paused, struct vb_error *err);
/* Stops obj with the given shutoff reason and STOPPED detail; a transient domain is removed
 * (obj is freed then). */
void test_domain_stop(struct test_conn *conn, struct vb_domain_obj *obj, int shutoff_reason, int stopped_detail);

/* test_domain_ops.c: the driver table's lifecycle slots */
int test_create_xml(void *priv, const char *xml, unsigned int flags, vb_client_id client,
                    struct vb_domain_ref *ref, const struct vb_completion *done, struct vb_error *err);
int test_create(void *priv, vb_uuid_t uuid, unsigned int flags, vb_client_id client,
                const struct vb_completion *done, struct vb_error *err);
int test_destroy(void *priv, vb_uuid_t uuid, unsigned int flags, const struct vb_completion *done, struct vb_error *err);
int test_shutdown(void *priv, vb_uuid_t uuid, unsigned int flags, const struct vb_completion *done, struct vb_error *err);
int test_reboot(void *priv, vb_uuid_t uuid, unsigned int flags, const struct vb_completion *done, struct vb_error *err);
int test_reset(void *priv, vb_uuid_t uuid, unsigned int flags, const struct vb_completion *done, struct vb_error *err);
int test_suspend(void *priv, vb_uuid_t uuid, const struct vb_completion *done, struct vb_error *err);
int test_resume(void *priv, vb_uuid_t uuid, const struct vb_completion *done, struct vb_error *err);
int test_managed_save(void *priv, vb_uuid_t uuid, unsigned int flags, const struct vb_completion *done, struct vb_error *err);
int test_save(void *priv, vb_uuid_t uuid, const char *path, const char *dxml, unsigned int flags,
              const struct vb_completion *done, struct vb_error *err);
int test_restore(void *priv, const char *path, const char *dxml, unsigned int flags,
                 const struct vb_completion *done, struct vb_error *err);
void test_client_gone(void *priv, vb_client_id client);

/* test_config.c: configuration changes */
/* Applies edit to the definitions `affect` (resolved LIVE/CONFIG flags) names, checking LIVE
 * before CONFIG is stored; changes nothing when an edit fails. */
typedef int (*def_edit_fn)(struct vb_domain_def *def, const void *arg, struct vb_error *err);
int test_edit_defs(struct test_conn *conn, struct vb_domain_obj *obj, unsigned int affect, def_edit_fn edit,
                   const void *arg, struct vb_error *err);
int test_set_vcpus(void *priv, vb_uuid_t uuid, unsigned int count, unsigned int flags, struct vb_error *err);
int test_set_memory(void *priv, vb_uuid_t uuid, uint64_t kib, unsigned int flags, struct vb_error *err);
int test_set_autostart(void *priv, vb_uuid_t uuid, bool autostart, struct vb_error *err);
char *test_get_metadata(void *priv, vb_uuid_t uuid, int type, const char *uri, unsigned int flags, struct vb_error *err);
int test_set_metadata(void *priv, vb_uuid_t uuid, int type, const char *metadata, const char *key,
                      const char *uri, unsigned int flags, struct vb_error *err);
int test_managed_save_remove(void *priv, vb_uuid_t uuid, unsigned int flags, struct vb_error *err);
int test_attach_device(void *priv, vb_uuid_t uuid, const char *xml, unsigned int flags, struct vb_error *err);
int test_detach_device(void *priv, vb_uuid_t uuid, const char *xml, unsigned int flags, struct vb_error *err);
int test_update_device(void *priv, vb_uuid_t uuid, const char *xml, unsigned int flags, struct vb_error *err);
int test_set_memory_stats_period(void *priv, vb_uuid_t uuid, int period, unsigned int flags, struct vb_error *err);

/* test_guest.c: guest information */
int test_get_vcpus(void *priv, vb_uuid_t uuid, unsigned int flags, struct vb_error *err);
int test_get_vcpu_pin_info(void *priv, vb_uuid_t uuid, unsigned int flags, bool **maps, unsigned int *nvcpus,
                           unsigned int *ncpus, struct vb_error *err);
int test_pin_vcpu(void *priv, vb_uuid_t uuid, unsigned int vcpu, const bool *cpumap, unsigned int ncpus,
                  unsigned int flags, struct vb_error *err);
char *test_get_scheduler_type(void *priv, vb_uuid_t uuid, int *nparams, struct vb_error *err);
int test_get_job_info(void *priv, vb_uuid_t uuid, struct vb_job_info *info, struct vb_error *err);
int test_abort_job(void *priv, vb_uuid_t uuid, struct vb_error *err);
int test_get_stats(void *priv, vb_uuid_t uuid, unsigned int stats, unsigned int flags, struct vb_typed_params *out,
                   struct vb_error *err);
int test_get_block_info(void *priv, vb_uuid_t uuid, const char *disk, unsigned int flags, struct vb_block_info *info,
                        struct vb_error *err);
int test_interface_addresses(void *priv, vb_uuid_t uuid, unsigned int source, unsigned int flags,
                             struct vb_iface **ifaces, size_t *n, struct vb_error *err);

/* test_fs.c: guest file systems and core dumps */
int test_fs_freeze(void *priv, vb_uuid_t uuid, const char *const *mountpoints, size_t n, unsigned int flags,
                   struct vb_error *err);
int test_fs_thaw(void *priv, vb_uuid_t uuid, const char *const *mountpoints, size_t n, unsigned int flags,
                 struct vb_error *err);
int test_fs_trim(void *priv, vb_uuid_t uuid, const char *mountpoint, unsigned long long minimum, unsigned int flags,
                 struct vb_error *err);
int test_core_dump(void *priv, vb_uuid_t uuid, const char *to, unsigned int format, unsigned int flags,
                   struct vb_error *err);

/* test_iothreads.c: I/O threads */
int test_get_iothread_info(void *priv, vb_uuid_t uuid, unsigned int ncpus, struct vb_iothread_info **infos,
                           unsigned int flags, struct vb_error *err);
int test_add_iothread(void *priv, vb_uuid_t uuid, unsigned int id, unsigned int flags, struct vb_error *err);
int test_del_iothread(void *priv, vb_uuid_t uuid, unsigned int id, unsigned int flags, struct vb_error *err);
int test_pin_iothread(void *priv, vb_uuid_t uuid, unsigned int id, const bool *cpumap, unsigned int ncpus,
                      unsigned int flags, struct vb_error *err);

/* test_keycodes.c: the keycodes SendKey accepts per codeset */
bool test_keycode_valid(unsigned int codeset, unsigned int keycode);
const char *test_keycode_set_name(unsigned int codeset);

/* test_rename.c: the guest table's rename slot */
int test_rename(void *priv, vb_uuid_t uuid, const char *new_name, unsigned int flags, struct vb_error *err);

/* test_domain_ops.c: save images */
char *test_save_image_get_xml_desc(void *priv, const char *path, unsigned int flags, struct vb_error *err);
int test_save_image_define_xml(void *priv, const char *path, const char *dxml, unsigned int flags,
                               struct vb_error *err);
