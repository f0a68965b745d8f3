/* The test driver's private state, shared by its files. */
#pragma once

#include "conf/domain_list.h"
#include "conf/domain_obj.h"
#include "conf/domain_store.h"
#include "drivers/domain_registry.h"
#include "drivers/driver.h"
#include "drivers/driver_guest.h"
#include "events/event.h"

struct test_pending;
struct test_objects;

/* The length of the test host's CPU map: libvirt's testNodeGetCPUMap reports 8 CPUs whatever the
 * node's topology, and clients size every pin map by it, so every map the driver returns has
 * this length. */
#define TEST_HOST_MAP_CPUS 8u

struct test_conn {
    char *uri;
    struct vb_domain_list *domains;
    struct vb_event_stream *events;
    struct vb_domain_store *store; /* NULL for test:///default, which is never persisted */
    struct vb_node_info node;
    bool is_default;               /* test:///default (whatever its parameters): libvirt's default node */
    int next_id;
    struct sd_event *loop;
    uint64_t delay_usec;           /* ?delay_ms=N: operations finish this long after they are made */
    struct test_pending *pending;  /* calls answered VB_PENDING, finishing when their delay ends */
    bool autostarted;              /* the state driver's autostart has run for this node */
    struct test_conn *next_open;   /* every open connection, for the state driver (test_state.c) */
    struct test_objects *objects;  /* networks, pools, volumes, node devices, interfaces (test_objects.h) */
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

/* test_driver.c helpers used by the operations */
/* The domain with uuid (not referenced), or NULL with libvirt's "no domain with matching uuid". */
struct vb_domain_obj *test_find_domain(struct test_conn *conn, vb_uuid_t uuid, struct vb_error *err);
void test_emit(struct test_conn *conn, struct vb_domain_obj *obj, int event, int detail);
/* Emits a domain event of another id; fill sets its payload (NULL: none). */
void test_emit_event(struct test_conn *conn, const struct vb_domain_obj *obj, struct vb_event *event);
/* The generic "changed" event: a property (autostart, persistence, updated) changed. */
void test_emit_changed(struct test_conn *conn, const struct vb_domain_obj *obj);
int test_persist_def(struct test_conn *conn, const struct vb_domain_def *def, struct vb_error *err);
int test_unpersist(struct test_conn *conn, const struct vb_domain_def *def, struct vb_error *err);
int test_domain_fill_ref(const struct vb_domain_obj *obj, struct vb_domain_ref *ref, struct vb_error *err);
/* Starts obj (id allocation, state, events); fails changing nothing. */
int test_domain_start(struct test_conn *conn, struct vb_domain_obj *obj, int running_reason,
                      int started_detail, bool paused, struct vb_error *err);
/* Stops obj with the given shutoff reason and STOPPED detail; a transient domain is removed
 * (the reference the caller holds keeps obj alive). */
void test_domain_stop(struct test_conn *conn, struct vb_domain_obj *obj, int shutoff_reason, int stopped_detail);

/* test_defer.c: how an operation ends. r is the operation's result (call->err set when -1).
 * Without a delay this returns r; with ?delay_ms=N it answers VB_PENDING and ends the call N ms
 * later, the core holding the domain's job meanwhile, as a hypervisor whose monitor answers
 * late. The change itself is made at once: checks fail at once, the answer waits. */
int test_done(struct test_conn *conn, struct vb_call *call, int r);
/* Ends every call still waiting for its delay (connection close). */
void test_defer_flush(struct test_conn *conn);

/* test_state.c: the state driver, and the list of open connections it works on */
extern const struct vb_state_driver vb_test_state_driver;
void test_state_register(struct test_conn *conn);
void test_state_unregister(struct test_conn *conn);
/* Starts the persistent, inactive domains marked autostart (once per connection). */
void test_autostart(struct test_conn *conn);

/* test_domain_ops.c: the driver table's lifecycle slots */
int test_create_xml(void *priv, struct vb_call *call, const char *xml, unsigned int flags, struct vb_domain_ref *ref);
int test_create(void *priv, struct vb_call *call, struct vb_domain_obj *obj, unsigned int flags);
int test_destroy(void *priv, struct vb_call *call, struct vb_domain_obj *obj, unsigned int flags);
int test_shutdown(void *priv, struct vb_call *call, struct vb_domain_obj *obj, unsigned int flags);
int test_reboot(void *priv, struct vb_call *call, struct vb_domain_obj *obj, unsigned int flags);
int test_reset(void *priv, struct vb_call *call, struct vb_domain_obj *obj, unsigned int flags);
int test_suspend(void *priv, struct vb_call *call, struct vb_domain_obj *obj);
int test_resume(void *priv, struct vb_call *call, struct vb_domain_obj *obj);
int test_managed_save(void *priv, struct vb_call *call, struct vb_domain_obj *obj, unsigned int flags);
int test_save(void *priv, struct vb_call *call, struct vb_domain_obj *obj, const char *path, const char *dxml,
              unsigned int flags);
int test_restore(void *priv, struct vb_call *call, const char *path, const char *dxml, unsigned int flags);
void test_client_gone(void *priv, vb_client_id client);
/* Starts obj as autostart does (no client, no flags); events as a Create. */
int test_domain_autostart(struct test_conn *conn, struct vb_domain_obj *obj, struct vb_error *err);

/* test_domain_ops.c: save images */
int test_save_image_get_xml_desc(void *priv, struct vb_call *call, const char *path, unsigned int flags, char **xml);
int test_save_image_define_xml(void *priv, struct vb_call *call, const char *path, const char *dxml,
                               unsigned int flags);

/* test_config.c: configuration changes */
/* Applies edit to the definitions `affect` (resolved LIVE/CONFIG flags) names, checking LIVE
 * before CONFIG is stored; changes nothing when an edit fails. */
typedef vb_def_edit_fn def_edit_fn;
/* How the test driver stores definitions (test_persist_def, test_unpersist), for shared code. */
extern const struct vb_registry_store_ops test_store_ops;
int test_edit_defs(struct test_conn *conn, struct vb_domain_obj *obj, unsigned int affect, def_edit_fn edit,
                   const void *arg, struct vb_error *err);
int test_set_vcpus(void *priv, struct vb_call *call, struct vb_domain_obj *obj, unsigned int count,
                   unsigned int flags);
int test_set_memory(void *priv, struct vb_call *call, struct vb_domain_obj *obj, uint64_t kib, unsigned int flags);
int test_set_autostart(void *priv, struct vb_call *call, struct vb_domain_obj *obj, bool autostart);
int test_get_metadata(void *priv, struct vb_call *call, struct vb_domain_obj *obj, int type, const char *uri,
                      unsigned int flags, char **metadata);
int test_set_metadata(void *priv, struct vb_call *call, struct vb_domain_obj *obj, int type, const char *metadata,
                      const char *key, const char *uri, unsigned int flags);
int test_managed_save_remove(void *priv, struct vb_call *call, struct vb_domain_obj *obj, unsigned int flags);
int test_attach_device(void *priv, struct vb_call *call, struct vb_domain_obj *obj, const char *xml,
                       unsigned int flags);
int test_detach_device(void *priv, struct vb_call *call, struct vb_domain_obj *obj, const char *xml,
                       unsigned int flags);
int test_update_device(void *priv, struct vb_call *call, struct vb_domain_obj *obj, const char *xml,
                       unsigned int flags);
int test_set_memory_stats_period(void *priv, struct vb_call *call, struct vb_domain_obj *obj, int period,
                                 unsigned int flags);

/* test_guest.c: guest information */
int test_get_vcpus(void *priv, struct vb_call *call, struct vb_domain_obj *obj, unsigned int flags,
                   unsigned int *count);
int test_get_vcpu_pin_info(void *priv, struct vb_call *call, struct vb_domain_obj *obj, unsigned int flags,
                           bool **maps, unsigned int *nvcpus, unsigned int *ncpus);
int test_pin_vcpu(void *priv, struct vb_call *call, struct vb_domain_obj *obj, unsigned int vcpu, const bool *cpumap,
                  unsigned int ncpus, unsigned int flags);
int test_get_stats(void *priv, struct vb_call *call, const unsigned char (*uuids)[VB_UUID_LEN], size_t n,
                   unsigned int stats, unsigned int flags, struct vb_domain_stats **records, size_t *n_records);
int test_get_block_info(void *priv, struct vb_call *call, struct vb_domain_obj *obj, const char *disk,
                        unsigned int flags, struct vb_block_info *info);
int test_interface_addresses(void *priv, struct vb_call *call, struct vb_domain_obj *obj, unsigned int source,
                             unsigned int flags, struct vb_iface **ifaces, size_t *n);
/* The scheduler every test domain reports (libvirt's test driver: "fair", 1 parameter). */
#define TEST_SCHEDULER_TYPE "fair"
#define TEST_SCHEDULER_NPARAMS 1

/* test_fs.c: guest file systems and core dumps */
int test_fs_freeze(void *priv, struct vb_call *call, struct vb_domain_obj *obj, const char *const *mountpoints,
                   size_t n, unsigned int flags, unsigned int *changed);
int test_fs_thaw(void *priv, struct vb_call *call, struct vb_domain_obj *obj, const char *const *mountpoints,
                 size_t n, unsigned int flags, unsigned int *changed);
int test_fs_trim(void *priv, struct vb_call *call, struct vb_domain_obj *obj, const char *mountpoint,
                 unsigned long long minimum, unsigned int flags);
int test_core_dump(void *priv, struct vb_call *call, struct vb_domain_obj *obj, const char *to, unsigned int format,
                   unsigned int flags);

/* test_iothreads.c: I/O threads */
int test_get_iothread_info(void *priv, struct vb_call *call, struct vb_domain_obj *obj, unsigned int flags,
                           struct vb_iothread_info **infos, size_t *n);
int test_add_iothread(void *priv, struct vb_call *call, struct vb_domain_obj *obj, unsigned int id,
                      unsigned int flags);
int test_del_iothread(void *priv, struct vb_call *call, struct vb_domain_obj *obj, unsigned int id,
                      unsigned int flags);
int test_pin_iothread(void *priv, struct vb_call *call, struct vb_domain_obj *obj, unsigned int id,
                      const bool *cpumap, unsigned int ncpus, unsigned int flags);

/* test_keycodes.c: the keycodes SendKey accepts per codeset */
bool test_keycode_valid(unsigned int codeset, unsigned int keycode);
const char *test_keycode_set_name(unsigned int codeset);

/* test_rename.c: the guest table's rename slot */
int test_rename(void *priv, struct vb_call *call, struct vb_domain_obj *obj, const char *new_name,
                unsigned int flags);
