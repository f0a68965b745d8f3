/* The test driver's host interfaces: libvirt's testInterface* rules. */
#include <stdlib.h>
#include <string.h>

#include "drivers/test/test_objects.h"

#define IFACES(conn) ((conn)->objects->ifaces)
#define N_IFACES(conn) ((conn)->objects->n_ifaces)

void test_iface_free(struct test_iface *iface)
{
    if (!iface)
        return;
    vb_iface_def_free(iface->def);
    free(iface);
}

static ssize_t index_by_name(struct test_conn *conn, const char *name)
{
    for (size_t i = 0; i < N_IFACES(conn); i++)
        if (streq(IFACES(conn)[i]->def->name, name))
            return (ssize_t) i;
    return -1;
}

static struct test_iface *find_by_name(struct test_conn *conn, const char *name, struct vb_error *err)
{
    ssize_t i = index_by_name(conn, name);

    if (i < 0) {
        vb_error_set(err, VB_ERR_NO_INTERFACE, "no interface with matching name '%s'", name);
        return NULL;
    }
    return IFACES(conn)[i];
}

static int fill_ref(const struct test_iface *iface, struct vb_object_ref *ref, struct vb_error *err)
{
    if (test_ref_named(ref, iface->def->name, err) < 0)
        return -1;
    ref->active = iface->active;
    ref->persistent = true;
    if (iface->def->mac && !(ref->mac = strdup(iface->def->mac))) {
        vb_object_ref_clear(ref);
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    }
    return 0;
}

/* libvirt's virInterfaceObjListAssignDef: a definition of a known name replaces its definition
 * (the interface keeps its state); a new one starts inactive. Takes def. */
static struct test_iface *assign_def(struct test_conn *conn, struct vb_iface_def *def, struct vb_error *err)
{
    ssize_t i = index_by_name(conn, def->name);
    struct test_iface *iface;

    if (i >= 0) {
        iface = IFACES(conn)[i];
        vb_iface_def_free(iface->def);
        iface->def = def;
        return iface;
    }
    iface = calloc(1, sizeof(*iface));
    if (!iface ||
        test_array_append((void ***) &IFACES(conn), &N_IFACES(conn), &conn->objects->ifaces_allocated, iface) < 0) {
        free(iface);
        vb_iface_def_free(def);
        vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
        return NULL;
    }
    iface->def = def;
    return iface;
}

int test_iface_add(struct test_conn *conn, const char *xml, bool active, struct vb_error *err)
{
    struct vb_iface_def *def = vb_iface_def_parse_string(xml, err);
    struct test_iface *iface = def ? assign_def(conn, def, err) : NULL;

    if (iface)
        iface->active = active;
    return iface ? 0 : -1;
}

static int test_iface_list(void *priv, unsigned int flags, struct vb_object_ref **refs, size_t *n,
                           struct vb_error *err)
{
    struct test_conn *conn = priv;
    size_t allocated = 0;

    VB_CHECK_FLAGS(flags, VB_LIST_IFACE_ACTIVE | VB_LIST_IFACE_INACTIVE, err);
    for (size_t i = 0; i < N_IFACES(conn); i++) {
        struct vb_object_ref ref;

        if (fill_ref(IFACES(conn)[i], &ref, err) < 0)
            return -1;
        /* the interface flags are the first pair of the common filter */
        if (!vb_object_ref_matches(&ref, flags))
            vb_object_ref_clear(&ref);
        else if (test_refs_append(refs, n, &allocated, &ref, err) < 0)
            return -1;
    }
    return 0;
}

static int test_iface_lookup_by_name(void *priv, const char *name, struct vb_object_ref *ref, struct vb_error *err)
{
    struct test_iface *iface = find_by_name(priv, name, err);

    return iface ? fill_ref(iface, ref, err) : -1;
}

static int test_iface_lookup_by_mac(void *priv, const char *mac, struct vb_object_ref *ref, struct vb_error *err)
{
    struct test_conn *conn = priv;
    struct test_iface *found = NULL;
    size_t matches = 0;

    for (size_t i = 0; i < N_IFACES(conn); i++)
        if (IFACES(conn)[i]->def->mac && strcasecmp(IFACES(conn)[i]->def->mac, mac) == 0 && matches++ == 0)
            found = IFACES(conn)[i];
    if (matches == 0)
        return vb_error_set(err, VB_ERR_NO_INTERFACE, "no interface with matching mac '%s'", mac);
    if (matches > 1)
        return vb_error_set(err, VB_ERR_MULTIPLE_INTERFACES, NULL);
    return fill_ref(found, ref, err);
}

static int test_iface_define_xml(void *priv, struct vb_call *call, const char *xml, unsigned int flags,
                                 struct vb_object_ref *ref)
{
    struct vb_iface_def *def;
    struct test_iface *iface;

    VB_CHECK_FLAGS(flags, VB_IFACE_DEFINE_VALIDATE, &call->err);
    def = vb_iface_def_parse_string(xml, &call->err);
    iface = def ? assign_def(priv, def, &call->err) : NULL;
    if (!iface || fill_ref(iface, ref, &call->err) < 0)
        return -1;
    return test_done(priv, call, 0);
}

static int test_iface_undefine(void *priv, struct vb_call *call, const char *name)
{
    struct test_conn *conn = priv;
    struct test_iface *iface = find_by_name(conn, name, &call->err);

    if (!iface)
        return -1;
    test_array_remove((void **) IFACES(conn), &N_IFACES(conn), (size_t) index_by_name(conn, name));
    test_iface_free(iface);
    return test_done(conn, call, 0);
}

/* Create and Destroy: libvirt's bare "Requested operation is not valid" when already so. */
static int set_active(struct test_conn *conn, struct vb_call *call, const char *name, unsigned int flags,
                      bool active)
{
    struct test_iface *iface;

    VB_CHECK_FLAGS(flags, 0, &call->err);
    iface = find_by_name(conn, name, &call->err);
    if (!iface)
        return -1;
    if (iface->active == active)
        return vb_error_set(&call->err, VB_ERR_OPERATION_INVALID, NULL);
    iface->active = active;
    return test_done(conn, call, 0);
}

static int test_iface_create(void *priv, struct vb_call *call, const char *name, unsigned int flags)
{
    return set_active(priv, call, name, flags, true);
}

static int test_iface_destroy(void *priv, struct vb_call *call, const char *name, unsigned int flags)
{
    return set_active(priv, call, name, flags, false);
}

static int test_iface_get_xml_desc(void *priv, struct vb_call *call, const char *name, unsigned int flags,
                                   char **xml)
{
    struct test_iface *iface;

    VB_CHECK_FLAGS(flags, 0, &call->err);
    iface = find_by_name(priv, name, &call->err);
    if (!iface || !(*xml = vb_iface_def_format(iface->def, &call->err)))
        return -1;
    return test_done(priv, call, 0);
}

const struct vb_interface_driver vb_test_interface_driver = {
    .list = test_iface_list,
    .lookup_by_name = test_iface_lookup_by_name,
    .lookup_by_mac = test_iface_lookup_by_mac,
    .define_xml = test_iface_define_xml,
    .undefine = test_iface_undefine,
    .create = test_iface_create,
    .destroy = test_iface_destroy,
    .get_xml_desc = test_iface_get_xml_desc,
};
