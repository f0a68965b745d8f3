/* Disks that name a pool volume (<disk type='volume'><source pool='P' volume='V'/>), turned
 * into the file they stand for before qemu starts (libvirt's virDomainDiskTranslateSourcePool
 * for a dir pool), and looked up again whenever a running guest's disk needs its file (a live
 * attach, block info): the live definition keeps the pool volume. */
#include <stdlib.h>
#include <string.h>

#include "conf/domain_def.h"
#include "conf/domain_view.h"
#include "conf/object_xml.h"
#include "drivers/qemu/qemu_storage.h"
#include "drivers/qemu/qemu_storage_private.h"

/* The volume a disk's <source pool volume> names, in an active pool. */
static const struct vb_vol_def *find_volume(struct qemu_conn *conn, const char *pool_name, const char *vol_name,
                                            struct vb_error *err)
{
    struct qemu_pool *pool;
    const struct vb_vol_def *vol;

    if (!pool_name || !vol_name)
        return vb_error_set(err, VB_ERR_XML_ERROR, "a disk of type 'volume' needs <source pool='...' volume='...'/>"),
               NULL;
    pool = qemu_pool_find_by_name(conn, pool_name);
    if (!pool)
        return vb_error_set(err, VB_ERR_NO_STORAGE_POOL, "no storage pool with matching name '%s'", pool_name), NULL;
    if (!pool->active)
        return vb_error_set(err, VB_ERR_OPERATION_INVALID, "storage pool '%s' containing volume '%s' is not active",
                            pool_name, vol_name), NULL;
    vol = qemu_vol_find_by_name(pool, vol_name);
    if (!vol)
        vb_error_set(err, VB_ERR_NO_STORAGE_VOL, "no storage vol with matching name '%s'", vol_name);
    return vol;
}

static bool is_volume_disk(const struct vb_device_def *dev)
{
    return dev->kind == VB_DEVICE_DISK && dev->type && streq(dev->type, "volume");
}

/* The volume a <disk type='volume'> names. */
static const struct vb_vol_def *disk_volume(struct qemu_conn *conn, const struct vb_device_def *dev,
                                            struct vb_error *err)
{
    _cleanup_(vb_xml_element_freep) struct vb_xml_element *view = vb_device_def_view(dev, err);
    const struct vb_xml_element *source = vb_xml_element_child(view, "source");

    if (!view)
        return NULL;
    return find_volume(conn, vb_xml_element_attr(source, "pool"), vb_xml_element_attr(source, "volume"), err);
}

int qemu_storage_disk_file(struct qemu_conn *conn, const struct vb_device_def *dev, const char **file,
                           struct vb_error *err)
{
    const struct vb_vol_def *vol;

    *file = dev->source;
    if (!is_volume_disk(dev))
        return 0;
    if (!(vol = disk_volume(conn, dev, err)))
        return -1;
    *file = vol->path;
    return 0;
}

/* type='file' and <source file='PATH'/>. The format stays what <driver type> says (raw when
 * absent), as libvirt: the volume's format comes from probing its content, which the guest
 * writes, and a raw volume a guest made look like qcow2 with a backing file would hand it that
 * file. */
static int resolve_disk(struct qemu_conn *conn, struct vb_device_def *dev, struct vb_error *err)
{
    const struct vb_vol_def *vol = disk_volume(conn, dev, err);
    struct vb_buf buf = { 0 };
    _cleanup_free_ char *text = NULL;

    if (!vol)
        return -1;
    vb_buf_add(&buf, "<source file='");
    vb_object_xml_escape(&buf, vol->path);
    vb_buf_add(&buf, "'/>");
    if (!(text = vb_buf_steal(&buf, err)))
        return -1;
    if (vb_device_def_set_child_element(dev, "source", text, err) < 0)
        return -1;
    return vb_device_def_set_attribute(dev, "type", "file", err);
}

int qemu_storage_resolve_disks(struct qemu_conn *conn, struct vb_domain_def *def, struct vb_error *err)
{
    for (size_t i = 0; i < def->n_devices; i++)
        if (is_volume_disk(def->devices[i]) && resolve_disk(conn, def->devices[i], err) < 0)
            return -1;
    return 0;
}
