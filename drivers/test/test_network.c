/* The test driver's networks: libvirt's testNetwork* rules, states, errors and events. */
#include <stdlib.h>
#include <string.h>

#include "drivers/test/test_objects.h"

#define NETWORKS(conn) ((conn)->objects->networks)
#define N_NETWORKS(conn) ((conn)->objects->n_networks)

void test_network_free(struct test_network *net)
{
    if (!net)
        return;
    vb_network_def_free(net->def);
    free(net);
}

static ssize_t index_by_uuid(struct test_conn *conn, vb_uuid_t uuid)
{
    for (size_t i = 0; i < N_NETWORKS(conn); i++)
        if (memcmp(NETWORKS(conn)[i]->def->uuid, uuid, VB_UUID_LEN) == 0)
            return (ssize_t) i;
    return -1;
}

static struct test_network *find_by_name(struct test_conn *conn, const char *name)
{
    for (size_t i = 0; i < N_NETWORKS(conn); i++)
        if (streq(NETWORKS(conn)[i]->def->name, name))
            return NETWORKS(conn)[i];
    return NULL;
}

static struct test_network *find_by_uuid(struct test_conn *conn, vb_uuid_t uuid, struct vb_error *err)
{
    ssize_t i = index_by_uuid(conn, uuid);
    char text[VB_UUID_STRING_LEN];

    if (i >= 0)
        return NETWORKS(conn)[i];
    vb_uuid_format(uuid, text);
    vb_error_set(err, VB_ERR_NO_NETWORK, "no network with matching uuid '%s'", text);
    return NULL;
}

static int fill_ref(const struct test_network *net, struct vb_object_ref *ref, struct vb_error *err)
{
    if (test_ref_named(ref, net->def->name, err) < 0)
        return -1;
    memcpy(ref->uuid, net->def->uuid, VB_UUID_LEN);
    ref->active = net->active;
    ref->persistent = net->persistent;
    ref->autostart = net->autostart;
    return 0;
}

static void emit(struct test_conn *conn, const struct test_network *net, int id, int event)
{
    test_emit_object(conn, VB_OBJECT_NETWORK, net->def->uuid, net->def->name, id, event);
}

/* libvirt's virNetworkObjAssignDef: a definition replaces the one of the same UUID and name,
 * or is added; a clash of UUID or name is refused. live: NetworkCreateXML. */
static struct test_network *assign_def(struct test_conn *conn, struct vb_network_def *def, bool live,
                                       struct vb_error *err)
{
    ssize_t i = index_by_uuid(conn, def->uuid);
    char uuid[VB_UUID_STRING_LEN];
    struct test_network *net;

    if (i >= 0) {
        net = NETWORKS(conn)[i];
        vb_uuid_format(net->def->uuid, uuid);
        if (!streq(net->def->name, def->name))
            return vb_error_set(err, VB_ERR_OPERATION_FAILED, "network '%s' is already defined with uuid %s",
                                net->def->name, uuid), NULL;
        if (live && net->active)
            return vb_error_set(err, VB_ERR_OPERATION_INVALID, "network is already active as '%s'", net->def->name),
                   NULL;
        vb_network_def_free(net->def);
        net->def = def;
        net->persistent = net->persistent || !live;
        return net;
    }
    net = find_by_name(conn, def->name);
    if (net) {
        vb_uuid_format(net->def->uuid, uuid);
        return vb_error_set(err, VB_ERR_OPERATION_FAILED, "network '%s' already exists with uuid %s", def->name,
                            uuid), NULL;
    }
    net = calloc(1, sizeof(*net));
    if (!net || test_array_append((void ***) &NETWORKS(conn), &N_NETWORKS(conn), &conn->objects->networks_allocated,
                                  net) < 0) {
        free(net);
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL), NULL;
    }
    net->def = def;
    net->persistent = !live;
    return net;
}

int test_network_add(struct test_conn *conn, const char *xml, bool active, struct vb_error *err)
{
    struct vb_network_def *def = vb_network_def_parse_string(xml, err);
    struct test_network *net = def ? assign_def(conn, def, false, err) : NULL;

    if (!net) {
        vb_network_def_free(def);
        return -1;
    }
    net->active = active;
    return 0;
}

static void remove_network(struct test_conn *conn, struct test_network *net)
{
    ssize_t i = index_by_uuid(conn, net->def->uuid);

    test_array_remove((void **) NETWORKS(conn), &N_NETWORKS(conn), (size_t) i);
    test_network_free(net);
}

/* --- registry -------------------------------------------------------------------------------- */

static int test_network_list(void *priv, unsigned int flags, struct vb_object_ref **refs, size_t *n,
                             struct vb_error *err)
{
    struct test_conn *conn = priv;
    size_t allocated = 0;

    VB_CHECK_FLAGS(flags, VB_LIST_OBJ_FILTERS, err);
    for (size_t i = 0; i < N_NETWORKS(conn); i++) {
        struct vb_object_ref ref;

        if (fill_ref(NETWORKS(conn)[i], &ref, err) < 0)
            return -1;
        if (!vb_object_ref_matches(&ref, flags))
            vb_object_ref_clear(&ref);
        else if (test_refs_append(refs, n, &allocated, &ref, err) < 0)
            return -1;
    }
    return 0;
}

static int test_network_lookup_by_uuid(void *priv, vb_uuid_t uuid, struct vb_object_ref *ref, struct vb_error *err)
{
    struct test_network *net = find_by_uuid(priv, uuid, err);

    return net ? fill_ref(net, ref, err) : -1;
}

static int test_network_lookup_by_name(void *priv, const char *name, struct vb_object_ref *ref,
                                       struct vb_error *err)
{
    struct test_network *net = find_by_name(priv, name);

    if (!net)
        return vb_error_set(err, VB_ERR_NO_NETWORK, "no network with matching name '%s'", name);
    return fill_ref(net, ref, err);
}

/* --- operations ------------------------------------------------------------------------------ */

static int define_or_create(struct test_conn *conn, struct vb_call *call, const char *xml, bool live,
                            struct vb_object_ref *ref)
{
    struct vb_network_def *def = vb_network_def_parse_string(xml, &call->err);
    struct test_network *net = def ? assign_def(conn, def, live, &call->err) : NULL;

    if (!net) {
        vb_network_def_free(def);
        return -1;
    }
    if (live)
        net->active = true;
    emit(conn, net, VB_OBJECT_EVENT_ID_LIFECYCLE, live ? VB_NETWORK_EVENT_STARTED : VB_NETWORK_EVENT_DEFINED);
    return fill_ref(net, ref, &call->err);
}

static int test_network_define_xml(void *priv, struct vb_call *call, const char *xml, unsigned int flags,
                                   struct vb_object_ref *ref)
{
    VB_CHECK_FLAGS(flags, VB_NETWORK_DEFINE_VALIDATE, &call->err);
    return test_done(priv, call, define_or_create(priv, call, xml, false, ref));
}

static int test_network_create_xml(void *priv, struct vb_call *call, const char *xml, unsigned int flags,
                                   struct vb_object_ref *ref)
{
    VB_CHECK_FLAGS(flags, VB_NETWORK_DEFINE_VALIDATE, &call->err);
    return test_done(priv, call, define_or_create(priv, call, xml, true, ref));
}

static int test_network_create(void *priv, struct vb_call *call, vb_uuid_t uuid)
{
    struct test_network *net = find_by_uuid(priv, uuid, &call->err);

    if (!net)
        return -1;
    if (net->active)
        return vb_error_set(&call->err, VB_ERR_OPERATION_INVALID, "Network '%s' is already running", net->def->name);
    net->active = true;
    emit(priv, net, VB_OBJECT_EVENT_ID_LIFECYCLE, VB_NETWORK_EVENT_STARTED);
    return test_done(priv, call, 0);
}

/* As libvirt's test driver, destroying a network that is not running succeeds. */
static int test_network_destroy(void *priv, struct vb_call *call, vb_uuid_t uuid)
{
    struct test_network *net = find_by_uuid(priv, uuid, &call->err);

    if (!net)
        return -1;
    net->active = false;
    emit(priv, net, VB_OBJECT_EVENT_ID_LIFECYCLE, VB_NETWORK_EVENT_STOPPED);
    if (!net->persistent)
        remove_network(priv, net);
    return test_done(priv, call, 0);
}

static int test_network_undefine(void *priv, struct vb_call *call, vb_uuid_t uuid)
{
    struct test_network *net = find_by_uuid(priv, uuid, &call->err);

    if (!net)
        return -1;
    if (net->active)
        return vb_error_set(&call->err, VB_ERR_OPERATION_INVALID, "Network '%s' is still running", net->def->name);
    emit(priv, net, VB_OBJECT_EVENT_ID_LIFECYCLE, VB_NETWORK_EVENT_UNDEFINED);
    remove_network(priv, net);
    return test_done(priv, call, 0);
}

static int test_network_update(void *priv, struct vb_call *call, vb_uuid_t uuid, unsigned int command,
                               unsigned int section, int parent_index, const char *xml, unsigned int flags)
{
    struct test_network *net;

    VB_CHECK_FLAGS(flags, VB_NETWORK_UPDATE_AFFECT_LIVE | VB_NETWORK_UPDATE_AFFECT_CONFIG, &call->err);
    net = find_by_uuid(priv, uuid, &call->err);
    if (!net || vb_network_def_update(net->def, command, section, parent_index, xml, &call->err) < 0)
        return -1;
    return test_done(priv, call, 0);
}

static int test_network_get_xml_desc(void *priv, struct vb_call *call, vb_uuid_t uuid, unsigned int flags,
                                     char **xml)
{
    struct test_network *net;

    VB_CHECK_FLAGS(flags, 0, &call->err);
    net = find_by_uuid(priv, uuid, &call->err);
    if (!net || !(*xml = vb_network_def_format(net->def, &call->err)))
        return -1;
    return test_done(priv, call, 0);
}

static int test_network_set_autostart(void *priv, struct vb_call *call, vb_uuid_t uuid, bool autostart)
{
    struct test_network *net = find_by_uuid(priv, uuid, &call->err);

    if (!net)
        return -1;
    if (net->autostart != autostart) {
        net->autostart = autostart;
        emit(priv, net, VB_EVENT_ID_CHANGED, 0);
    }
    return test_done(priv, call, 0);
}

const struct vb_network_driver vb_test_network_driver = {
    .list = test_network_list,
    .lookup_by_uuid = test_network_lookup_by_uuid,
    .lookup_by_name = test_network_lookup_by_name,
    .define_xml = test_network_define_xml,
    .create_xml = test_network_create_xml,
    .create = test_network_create,
    .destroy = test_network_destroy,
    .undefine = test_network_undefine,
    .update = test_network_update,
    .get_xml_desc = test_network_get_xml_desc,
    .set_autostart = test_network_set_autostart,
};
