/* The test driver's node devices: libvirt's testNodeDevice* rules. Creating a device mocks a
 * vHBA: a copy of scsi_host11 named scsi_host12 with the WWNs asked for, as libvirt does. */
#include <stdlib.h>
#include <string.h>

#include "api/node.h"
#include "drivers/test/test_objects.h"

#define DEVICES(conn) ((conn)->objects->devices)
#define N_DEVICES(conn) ((conn)->objects->n_devices)

static ssize_t index_by_name(struct test_conn *conn, const char *name)
{
    for (size_t i = 0; name && i < N_DEVICES(conn); i++)
        if (streq(DEVICES(conn)[i]->name, name))
            return (ssize_t) i;
    return -1;
}

static struct vb_nodedev_def *find_by_name(struct test_conn *conn, const char *name, struct vb_error *err)
{
    ssize_t i = index_by_name(conn, name);

    if (i < 0) {
        vb_error_set(err, VB_ERR_NO_NODE_DEVICE, "no node device with matching name '%s'", name);
        return NULL;
    }
    return DEVICES(conn)[i];
}

static int fill_ref(const struct vb_nodedev_def *dev, struct vb_object_ref *ref, struct vb_error *err)
{
    if (test_ref_named(ref, dev->name, err) < 0)
        return -1;
    ref->active = true;
    ref->persistent = false;
    if (dev->parent && !(ref->parent = strdup(dev->parent))) {
        vb_object_ref_clear(ref);
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    }
    return 0;
}

/* Replaces the device of the same name, or adds it. Takes def. */
static int assign_def(struct test_conn *conn, struct vb_nodedev_def *def, struct vb_error *err)
{
    ssize_t i = index_by_name(conn, def->name);

    if (i >= 0) {
        vb_nodedev_def_free(DEVICES(conn)[i]);
        DEVICES(conn)[i] = def;
        return 0;
    }
    if (test_array_append((void ***) &DEVICES(conn), &N_DEVICES(conn), &conn->objects->devices_allocated, def) < 0) {
        vb_nodedev_def_free(def);
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    }
    return 0;
}

int test_nodedev_add(struct test_conn *conn, const char *xml, struct vb_error *err)
{
    struct vb_nodedev_def *def = vb_nodedev_def_parse_string(xml, false, err);

    return def ? assign_def(conn, def, err) : -1;
}

static bool has_cap(const struct vb_nodedev_def *dev, const char *cap)
{
    for (size_t i = 0; i < dev->n_caps; i++)
        if (streq(dev->caps[i], cap))
            return true;
    return false;
}

/* libvirt's VIR_CONNECT_LIST_NODE_DEVICES_CAP_* filter: a device passes when it has one of the
 * capabilities asked for (fc_host and vports are read inside scsi_host). */
static bool caps_match(const struct vb_nodedev_def *dev, unsigned int flags)
{
    enum { CAP_SYSTEM = 1 << 0, CAP_SCSI_HOST = 1 << 5, CAP_FC_HOST = 1 << 9, CAP_VPORTS = 1 << 10 };
    unsigned int wanted = flags & ((1u << 30) - 1);

    if (!wanted)
        return true;
    return ((wanted & CAP_SYSTEM) && has_cap(dev, "system")) ||
           ((wanted & CAP_SCSI_HOST) && has_cap(dev, "scsi_host")) ||
           ((wanted & CAP_FC_HOST) && dev->wwnn) || ((wanted & CAP_VPORTS) && dev->vport_ops);
}

static int test_nodedev_list(void *priv, unsigned int flags, struct vb_object_ref **refs, size_t *n,
                             struct vb_error *err)
{
    struct test_conn *conn = priv;
    size_t allocated = 0;

    for (size_t i = 0; i < N_DEVICES(conn); i++) {
        struct vb_object_ref ref;

        if (!caps_match(DEVICES(conn)[i], flags))
            continue;
        if (fill_ref(DEVICES(conn)[i], &ref, err) < 0 || test_refs_append(refs, n, &allocated, &ref, err) < 0)
            return -1;
    }
    return 0;
}

static int test_nodedev_lookup_by_name(void *priv, const char *name, struct vb_object_ref *ref,
                                       struct vb_error *err)
{
    struct vb_nodedev_def *dev = find_by_name(priv, name, err);

    return dev ? fill_ref(dev, ref, err) : -1;
}

static int test_nodedev_lookup_scsi_host_by_wwn(void *priv, const char *wwnn, const char *wwpn,
                                                struct vb_object_ref *ref, struct vb_error *err)
{
    struct test_conn *conn = priv;

    for (size_t i = 0; i < N_DEVICES(conn); i++) {
        const struct vb_nodedev_def *dev = DEVICES(conn)[i];

        if (dev->wwnn && dev->wwpn && strcasecmp(dev->wwnn, wwnn) == 0 && strcasecmp(dev->wwpn, wwpn) == 0)
            return fill_ref(dev, ref, err);
    }
    return vb_error_set(err, VB_ERR_NO_NODE_DEVICE, "no node device with matching wwnn '%s' and wwpn '%s'", wwnn,
                        wwpn);
}

/* libvirt's virNodeDeviceObjListGetParentHost: the parent must exist and create vports. */
static int check_parent(struct test_conn *conn, const struct vb_nodedev_def *def, struct vb_error *err)
{
    ssize_t i = index_by_name(conn, def->parent);

    if (i < 0)
        return vb_error_set(err, VB_ERR_INTERNAL_ERROR, "Could not find parent device for '%s'", def->name);
    if (!DEVICES(conn)[i]->vport_ops)
        return vb_error_set(err, VB_ERR_INTERNAL_ERROR, "Parent device %s is not capable of vport operations",
                            def->parent);
    return 0;
}

static int test_nodedev_create_xml(void *priv, struct vb_call *call, const char *xml, unsigned int flags,
                                   struct vb_object_ref *ref)
{
    _cleanup_(vb_nodedev_def_freep) struct vb_nodedev_def *def = NULL;
    struct vb_nodedev_def *vhba, *template;

    VB_CHECK_FLAGS(flags, VB_NODEDEV_CREATE_VALIDATE, &call->err);
    def = vb_nodedev_def_parse_string(xml, true, &call->err);
    if (!def)
        return -1;
    if (!def->wwnn || !def->wwpn)
        return vb_error_set(&call->err, VB_ERR_INVALID_ARG, "Device is not a fibre channel HBA");
    if (check_parent(priv, def, &call->err) < 0 || !(template = find_by_name(priv, "scsi_host11", &call->err)))
        return -1;
    vhba = vb_nodedev_def_copy(template);
    if (!vhba || vb_nodedev_def_set_identity(vhba, "scsi_host12", def->wwnn, def->wwpn) < 0) {
        vb_nodedev_def_free(vhba);
        return vb_error_set(&call->err, VB_ERR_NO_MEMORY, NULL);
    }
    if (assign_def(priv, vhba, &call->err) < 0)
        return -1;
    test_emit_object(priv, VB_OBJECT_NODE_DEVICE, NULL, vhba->name, VB_OBJECT_EVENT_ID_LIFECYCLE,
                     VB_NODE_DEVICE_EVENT_CREATED);
    if (fill_ref(vhba, ref, &call->err) < 0)
        return -1;
    free(ref->parent);
    ref->parent = TAKE_PTR(def->parent); /* libvirt hands back the parent the caller named */
    return test_done(priv, call, 0);
}

static int test_nodedev_destroy(void *priv, struct vb_call *call, const char *name)
{
    struct test_conn *conn = priv;
    struct vb_nodedev_def *dev = find_by_name(conn, name, &call->err);

    if (!dev)
        return -1;
    if (!dev->wwnn || !dev->wwpn)
        return vb_error_set(&call->err, VB_ERR_INVALID_ARG, "Device is not a fibre channel HBA");
    if (index_by_name(conn, dev->parent) < 0)
        return vb_error_set(&call->err, VB_ERR_INTERNAL_ERROR, "cannot find parent '%s' definition",
                            dev->parent ? dev->parent : "");
    test_emit_object(conn, VB_OBJECT_NODE_DEVICE, NULL, dev->name, VB_OBJECT_EVENT_ID_LIFECYCLE,
                     VB_NODE_DEVICE_EVENT_DELETED);
    test_array_remove((void **) DEVICES(conn), &N_DEVICES(conn), (size_t) index_by_name(conn, name));
    vb_nodedev_def_free(dev);
    return test_done(conn, call, 0);
}

static int test_nodedev_get_xml_desc(void *priv, struct vb_call *call, const char *name, unsigned int flags,
                                     char **xml)
{
    struct vb_nodedev_def *dev;

    VB_CHECK_FLAGS(flags, 0, &call->err);
    dev = find_by_name(priv, name, &call->err);
    if (!dev || !(*xml = vb_nodedev_def_format(dev, &call->err)))
        return -1;
    return test_done(priv, call, 0);
}

static int test_nodedev_list_caps(void *priv, struct vb_call *call, const char *name, char ***caps, size_t *n)
{
    struct vb_nodedev_def *dev = find_by_name(priv, name, &call->err);

    if (!dev)
        return -1;
    *caps = calloc(dev->n_caps + 1, sizeof(**caps));
    for (size_t i = 0; *caps && i < dev->n_caps; i++)
        if (!((*caps)[i] = strdup(dev->caps[i]))) {
            vb_strv_free(*caps);
            *caps = NULL;
        }
    if (!*caps)
        return vb_error_set(&call->err, VB_ERR_NO_MEMORY, NULL);
    *n = dev->n_caps;
    return test_done(priv, call, 0);
}

const struct vb_nodedev_driver vb_test_nodedev_driver = {
    .list = test_nodedev_list,
    .lookup_by_name = test_nodedev_lookup_by_name,
    .lookup_scsi_host_by_wwn = test_nodedev_lookup_scsi_host_by_wwn,
    .create_xml = test_nodedev_create_xml,
    .destroy = test_nodedev_destroy,
    .get_xml_desc = test_nodedev_get_xml_desc,
    .list_caps = test_nodedev_list_caps,
};
