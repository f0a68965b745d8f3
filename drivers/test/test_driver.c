/* The test driver: connection, lookups, definitions and the driver table. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf/xml_util.h"
#include "drivers/domain_registry.h"
#include "drivers/test/test_driver.h"
#include "drivers/test/test_objects.h"
#include "drivers/test/test_private.h"
#include "drivers/test/test_snapshot.h"
#include "util/log.h"

#define TEST_DEFAULT_URI "test:///default"

static bool test_uri_matches(const char *uri)
{
    return strncmp(uri, "test://", 7) == 0;
}

/* test:///PATH keeps its definitions under <state_dir>/test/<PATH with / as _>. */
static char *test_store_dir(const char *state_dir, const char *node_path)
{
    _cleanup_free_ char *escaped = strdup(node_path);
    char *dir = NULL;

    if (!escaped)
        return NULL;
    for (char *p = escaped; *p; p++)
        if (*p == '/')
            *p = '_';
    if (asprintf(&dir, "%s/test/%s", state_dir, escaped) < 0)
        return NULL;
    return dir;
}

static void test_connect_close(void *priv)
{
    struct test_conn *conn = priv;

    if (!conn)
        return;
    test_state_unregister(conn);
    test_defer_flush(conn); /* every pending call ends before the domains go */
    vb_domain_list_free(conn->domains);
    test_objects_free(conn->objects);
    vb_domain_store_free(conn->store);
    free(conn->uri);
    free(conn);
}

static int test_load_stored(struct vb_domain_def *def, bool autostart, void *userdata)
{
    struct test_conn *conn = userdata;
    struct vb_error err = VB_ERROR_INIT;
    struct vb_domain_obj *obj;

    if (test_node_add_domain(conn, def, true, VB_DOMAIN_SHUTOFF, false, &err) < 0) {
        vb_log_warning("skipping stored domain: %s", vb_error_message(&err));
        vb_error_clear(&err);
        return 0;
    }
    obj = vb_domain_list_find_by_name(conn->domains, def->name);
    if (obj)
        obj->autostart = autostart;
    return 0;
}

/* A node file seeds the store the first time; after that the store is the truth. */
static int test_open_file(struct test_conn *conn, const char *path, const struct vb_driver_env *env,
                          struct vb_error *err)
{
    _cleanup_free_ char *dir = NULL;

    if (env->state_dir) {
        dir = test_store_dir(env->state_dir, path);
        if (!dir)
            return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
        conn->store = vb_domain_store_open(dir, err);
        if (!conn->store)
            return -1;
    }
    if (conn->store && vb_domain_store_is_seeded(conn->store)) {
        if (test_node_load_file(conn, path, err) < 0)
            return -1;
        /* Keep the node's facts, replace its domains with the stored ones. */
        vb_domain_list_free(conn->domains);
        conn->domains = vb_domain_list_new();
        if (!conn->domains)
            return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
        return vb_domain_store_load_all(conn->store, test_load_stored, conn, err) < 0 ? -1 : 0;
    }
    return test_node_load_file(conn, path, err);
}

/* "test:///default?delay_ms=50": the parameters after '?' ('&' between them). Known ones are
 * applied to conn; an unknown one is refused, naming it. The URI is cut at the '?'. */
static int parse_uri_parameters(struct test_conn *conn, char *uri, struct vb_error *err)
{
    char *query = strchr(uri, '?'), *save = NULL;

    if (!query)
        return 0;
    *query++ = '\0';
    for (char *param = strtok_r(query, "&", &save); param; param = strtok_r(NULL, "&", &save)) {
        unsigned long ms;
        char *end = NULL;

        if (strncmp(param, "delay_ms=", 9) != 0)
            return vb_error_set(err, VB_ERR_INVALID_ARG, "unknown test driver URI parameter '%s'", param);
        errno = 0;
        ms = strtoul(param + 9, &end, 10);
        if (errno || end == param + 9 || *end || ms > 3600 * 1000)
            return vb_error_set(err, VB_ERR_INVALID_ARG, "delay_ms must be 0..3600000 milliseconds, not '%s'",
                                param + 9);
        conn->delay_usec = (uint64_t) ms * 1000u;
    }
    return 0;
}

static int open_node(struct test_conn *conn, const char *uri, const struct vb_driver_env *env,
                     struct vb_error *err)
{
    _cleanup_free_ char *base = strdup(uri);
    const char *path;

    if (!base)
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    if (parse_uri_parameters(conn, base, err) < 0)
        return -1;
    path = base + strlen("test://");
    if (streq(base, TEST_DEFAULT_URI)) {
        conn->is_default = true;
        if (test_node_load_default(conn, err) < 0)
            return -1;
        return test_objects_load_default(conn, err);
    }
    if (path[0] != '/')
        return vb_error_set(err, VB_ERR_INVALID_ARG, "testOpen: supplied path must be absolute");
    return test_open_file(conn, path, env, err);
}

static int test_connect_open(const char *uri, const struct vb_driver_env *env, void **priv, struct vb_error *err)
{
    struct test_conn *conn = calloc(1, sizeof(*conn));

    if (!conn)
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    /* Events carry the URI as opened, parameters and all: front ends match on it. */
    conn->uri = strdup(uri);
    conn->domains = vb_domain_list_new();
    conn->objects = test_objects_new();
    conn->events = env->events;
    conn->loop = env->loop;
    conn->next_id = 1;
    if (!conn->uri || !conn->domains || !conn->objects) {
        test_connect_close(conn);
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    }
    if (open_node(conn, uri, env, err) < 0) {
        test_connect_close(conn);
        return -1;
    }
    test_state_register(conn);
    *priv = conn;
    return 0;
}

static int test_node_get_info(void *priv, struct vb_call *call, struct vb_node_info *info)
{
    struct test_conn *conn = priv;

    *info = conn->node;
    return test_done(conn, call, 0);
}

static char *test_get_hostname(void *priv, struct vb_error *err)
{
    return vb_registry_hostname(err);
}

struct vb_domain_obj *test_find_domain(struct test_conn *conn, vb_uuid_t uuid, struct vb_error *err)
{
    return vb_registry_find(conn->domains, uuid, err);
}

void test_emit(struct test_conn *conn, struct vb_domain_obj *obj, int event, int detail)
{
    if (conn->events)
        vb_event_emit_lifecycle(conn->events, "test", conn->uri, obj->def->uuid, obj->def->name, event, detail);
}

void test_emit_event(struct test_conn *conn, const struct vb_domain_obj *obj, struct vb_event *event)
{
    /* The identity is the domain's, whoever filled the rest. */
    event->driver = (char *) "test";
    event->uri = conn->uri;
    event->object = VB_OBJECT_DOMAIN;
    memcpy(event->uuid, obj->def->uuid, VB_UUID_LEN);
    event->name = obj->def->name;
    if (conn->events)
        vb_event_emit(conn->events, event);
}

void test_emit_changed(struct test_conn *conn, const struct vb_domain_obj *obj)
{
    struct vb_event event;

    vb_event_init_domain(&event, "test", conn->uri, obj->def->uuid, obj->def->name, VB_EVENT_ID_CHANGED);
    test_emit_event(conn, obj, &event);
}

/* The first write makes the store the truth, so it must then hold every persistent domain. */
static int test_store_ensure_seeded(struct test_conn *conn, struct vb_error *err)
{
    _cleanup_free_ struct vb_domain_obj **objs = NULL;
    int n;

    if (vb_domain_store_is_seeded(conn->store))
        return 0;
    n = vb_domain_list_collect(conn->domains, &objs);
    if (n < 0)
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    for (int i = 0; i < n; i++)
        if (objs[i]->persistent &&
            vb_domain_store_save(conn->store, vb_domain_obj_persistent_def(objs[i]), err) < 0)
            return -1;
    return vb_domain_store_mark_seeded(conn->store, err);
}

int test_persist_def(struct test_conn *conn, const struct vb_domain_def *def, struct vb_error *err)
{
    /* Every change to a persistent definition comes here (SetVcpus' maximum too): what the
     * parser would refuse is refused, stored or not. */
    if (vb_domain_def_check_limits(def, err) < 0)
        return -1;
    if (!conn->store)
        return 0;
    if (test_store_ensure_seeded(conn, err) < 0)
        return -1;
    return vb_domain_store_save(conn->store, def, err);
}

int test_unpersist(struct test_conn *conn, const struct vb_domain_def *def, struct vb_error *err)
{
    if (!conn->store)
        return 0;
    if (test_store_ensure_seeded(conn, err) < 0)
        return -1;
    return vb_domain_store_remove(conn->store, def->uuid, err);
}

int test_domain_fill_ref(const struct vb_domain_obj *obj, struct vb_domain_ref *ref, struct vb_error *err)
{
    return vb_registry_fill_ref(obj, ref, err);
}

static bool test_has_snapshot(const struct vb_domain_obj *obj)
{
    return test_snapshot_count((struct vb_domain_obj *) obj) > 0;
}

static int test_list_domains(void *priv, unsigned int flags, struct vb_domain_ref **refs, size_t *n,
                             struct vb_error *err)
{
    struct test_conn *conn = priv;

    return vb_registry_list(conn->domains, test_has_snapshot, flags, refs, n, err);
}

static int test_lookup_by_uuid(void *priv, vb_uuid_t uuid, struct vb_domain_ref *ref, struct vb_error *err)
{
    struct test_conn *conn = priv;

    return vb_registry_lookup_by_uuid(conn->domains, uuid, ref, err);
}

static struct vb_domain_obj *test_domain_acquire(void *priv, vb_uuid_t uuid, struct vb_error *err)
{
    struct vb_domain_obj *obj = test_find_domain(priv, uuid, err);

    return obj ? vb_domain_obj_ref(obj) : NULL;
}

static int test_lookup_by_name(void *priv, const char *name, struct vb_domain_ref *ref, struct vb_error *err)
{
    struct test_conn *conn = priv;

    return vb_registry_lookup_by_name(conn->domains, name, ref, err);
}

static int test_lookup_by_id(void *priv, int id, struct vb_domain_ref *ref, struct vb_error *err)
{
    struct test_conn *conn = priv;

    return vb_registry_lookup_by_id(conn->domains, id, ref, err);
}

static int test_store_save(void *ctx, const struct vb_domain_def *def, struct vb_error *err)
{
    return test_persist_def(ctx, def, err);
}

static int test_store_remove(void *ctx, const struct vb_domain_def *def, struct vb_error *err)
{
    return test_unpersist(ctx, def, err);
}

const struct vb_registry_store_ops test_store_ops = { .save = test_store_save, .remove = test_store_remove };

static int test_define_xml(void *priv, struct vb_call *call, const char *xml, unsigned int flags,
                           struct vb_domain_ref *ref)
{
    struct test_conn *conn = priv;
    struct vb_error *err = &call->err;
    _cleanup_(vb_domain_def_freep) struct vb_domain_def *def = NULL;
    struct vb_domain_obj *obj;
    bool existed;

    VB_CHECK_FLAGS(flags, VB_DEFINE_VALIDATE, err);
    def = vb_domain_def_parse_string(xml, err);
    /* As libvirt's testDomainDefineXMLFlags; CreateXML lets a newline through. */
    if (!def || vb_xml_check_illegal_chars("name", def->name, "\n", err) < 0)
        return -1;
    if (vb_registry_define(conn->domains, call, &def, &test_store_ops, conn, &obj, &existed) < 0)
        return -1;
    test_emit(conn, obj, VB_EVENT_DEFINED, existed ? VB_EVENT_DEFINED_UPDATED : VB_EVENT_DEFINED_ADDED);
    return test_done(conn, call, test_domain_fill_ref(obj, ref, err));
}

static int test_undefine(void *priv, struct vb_call *call, struct vb_domain_obj *obj, unsigned int flags)
{
    struct test_conn *conn = priv;
    struct vb_error *err = &call->err;

    VB_CHECK_FLAGS(flags, VB_UNDEFINE_MANAGED_SAVE | VB_UNDEFINE_SNAPSHOTS_METADATA | VB_UNDEFINE_NVRAM |
                   VB_UNDEFINE_KEEP_NVRAM | VB_UNDEFINE_CHECKPOINTS_METADATA, err);
    if (!obj->persistent)
        return vb_error_set(err, VB_ERR_OPERATION_INVALID, "cannot undefine transient domain");
    if (obj->has_managed_save && !(flags & VB_UNDEFINE_MANAGED_SAVE))
        return vb_error_set(err, VB_ERR_OPERATION_INVALID,
                            "Refusing to undefine while domain managed save image exists");
    if (test_snapshot_check_undefine(obj, flags, err) < 0)
        return -1;
    if (test_unpersist(conn, vb_domain_obj_persistent_def(obj), err) < 0)
        return -1;
    obj->has_managed_save = false;
    obj->autostart = false;
    test_emit(conn, obj, VB_EVENT_UNDEFINED, VB_EVENT_UNDEFINED_REMOVED);
    if (vb_domain_obj_is_active(obj)) {
        /* A running domain stays, transient, until it stops (libvirt's behaviour). */
        vb_domain_def_free(obj->next_def);
        obj->next_def = NULL;
        obj->persistent = false;
    } else {
        vb_domain_list_remove(conn->domains, obj); /* the core's reference keeps obj until we return */
    }
    return test_done(conn, call, 0);
}

static int test_get_xml_desc(void *priv, struct vb_call *call, struct vb_domain_obj *obj, unsigned int flags,
                             char **xml)
{
    VB_CHECK_FLAGS(flags, VB_DOMAIN_XML_SECURE | VB_DOMAIN_XML_INACTIVE | VB_DOMAIN_XML_UPDATE_CPU |
                   VB_DOMAIN_XML_MIGRATABLE, &call->err);
    *xml = vb_registry_format_xml(obj, flags, &call->err);
    return test_done(priv, call, *xml ? 0 : -1);
}

static int test_get_state(void *priv, vb_uuid_t uuid, int *state, int *reason, struct vb_error *err)
{
    struct test_conn *conn = priv;

    return vb_registry_get_state(conn->domains, uuid, state, reason, err);
}

/* The test driver's fake CPU time: libvirt's derives it from the wall clock while running. */
static uint64_t test_cpu_time(const struct vb_domain_obj *obj)
{
    return vb_domain_obj_is_active(obj) ? 1000000000ull * (uint64_t) obj->def->vcpus_current : 0;
}

static int test_get_info(void *priv, vb_uuid_t uuid, struct vb_domain_info *info, struct vb_error *err)
{
    struct vb_domain_obj *obj = test_find_domain(priv, uuid, err);

    if (!obj || vb_registry_fill_info(obj, info, err) < 0)
        return -1;
    info->cpu_time_ns = test_cpu_time(obj);
    info->scheduler_nparams = TEST_SCHEDULER_NPARAMS;
    info->scheduler_type = strdup(TEST_SCHEDULER_TYPE);
    if (!info->scheduler_type) {
        vb_domain_info_clear(info);
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    }
    return 0;
}

static int test_has_managed_save(void *priv, struct vb_call *call, struct vb_domain_obj *obj, unsigned int flags,
                                 bool *result)
{
    VB_CHECK_FLAGS(flags, 0, &call->err);
    *result = obj->has_managed_save;
    return test_done(priv, call, 0);
}

const struct vb_driver vb_test_driver = {
    .name = "test",
    .state = &vb_test_state_driver,
    .node = &vb_test_node_driver,
    .snapshot = &vb_test_snapshot_driver,
    .guest = &vb_test_guest_driver,
    .tunables = &vb_test_tunables_driver,
    .network = &vb_test_network_driver,
    .storage = &vb_test_storage_driver,
    .nodedev = &vb_test_nodedev_driver,
    .interface = &vb_test_interface_driver,
    .uri_matches = test_uri_matches,
    .connect_open = test_connect_open,
    .connect_close = test_connect_close,
    .node_get_info = test_node_get_info,
    .get_hostname = test_get_hostname,
    .client_gone = test_client_gone,
    .list_domains = test_list_domains,
    .lookup_by_uuid = test_lookup_by_uuid,
    .lookup_by_name = test_lookup_by_name,
    .lookup_by_id = test_lookup_by_id,
    .domain_acquire = test_domain_acquire,
    .define_xml = test_define_xml,
    .undefine = test_undefine,
    .get_xml_desc = test_get_xml_desc,
    .create_xml = test_create_xml,
    .create = test_create,
    .destroy = test_destroy,
    .shutdown = test_shutdown,
    .reboot = test_reboot,
    .reset = test_reset,
    .suspend = test_suspend,
    .resume = test_resume,
    .managed_save = test_managed_save,
    .save = test_save,
    .restore = test_restore,
    .get_state = test_get_state,
    .get_info = test_get_info,
    .has_managed_save = test_has_managed_save,
    .managed_save_remove = test_managed_save_remove,
    .set_vcpus = test_set_vcpus,
    .set_memory = test_set_memory,
    .set_autostart = test_set_autostart,
    .get_metadata = test_get_metadata,
    .set_metadata = test_set_metadata,
    .get_vcpus = test_get_vcpus,
    .get_vcpu_pin_info = test_get_vcpu_pin_info,
    .pin_vcpu = test_pin_vcpu,
    .set_memory_stats_period = test_set_memory_stats_period,
    .get_stats = test_get_stats,
    .get_block_info = test_get_block_info,
    .interface_addresses = test_interface_addresses,
    .attach_device = test_attach_device,
    .detach_device = test_detach_device,
    .update_device = test_update_device,
    .save_image_get_xml_desc = test_save_image_get_xml_desc,
    .save_image_define_xml = test_save_image_define_xml,
};
