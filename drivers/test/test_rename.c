/* The test driver's Rename: libvirt's testDomainRename and virDomainObjListRename. Only a
 * persistent, shut-off domain can be renamed; the domain list is re-indexed, and for
 * test:///PATH the domain's one stored file (keyed by UUID) is rewritten with the new name. */
#include <stdlib.h>
#include <string.h>

#include "drivers/test/test_private.h"
#include "util/log.h"

static int check_renamable(const struct vb_domain_obj *obj, const char *new_name, struct vb_domain_list *list,
                           struct vb_error *err)
{
    if (vb_domain_obj_is_active(obj))
        return vb_error_set(err, VB_ERR_OPERATION_INVALID, "cannot rename active domain");
    if (!obj->persistent)
        return vb_error_set(err, VB_ERR_OPERATION_INVALID, "cannot rename a transient domain");
    if (obj->state != VB_DOMAIN_SHUTOFF)
        return vb_error_set(err, VB_ERR_OPERATION_INVALID, "domain has to be shutoff before renaming");
    if (streq(obj->def->name, new_name))
        return vb_error_set(err, VB_ERR_OPERATION_INVALID, "Can't rename domain to itself");
    if (vb_domain_list_find_by_name(list, new_name))
        return vb_error_set(err, VB_ERR_OPERATION_INVALID, "domain with name '%s' already exists", new_name);
    if (strchr(new_name, '/'))
        return vb_error_set(err, VB_ERR_XML_ERROR, "name %s cannot contain '/'", new_name);
    return 0;
}

/* Writes the definition under its new name before anything else changes, so a failed write
 * leaves the domain as it was. The store keys its files by UUID: this one atomic write is the
 * whole rename on disk, and the autostart marker stays where it is. */
static int persist_renamed(struct test_conn *conn, const struct vb_domain_obj *obj, const char *new_name,
                           struct vb_error *err)
{
    _cleanup_(vb_domain_def_freep) struct vb_domain_def *copy = NULL;

    if (!conn->store)
        return 0;
    copy = vb_domain_def_copy(obj->def, err);
    if (!copy)
        return -1;
    free(copy->name);
    copy->name = strdup(new_name);
    if (!copy->name)
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    return test_persist_def(conn, copy, err);
}

/* Swaps the new name in: store, list index, definition, events. */
static int rename_obj(struct test_conn *conn, struct vb_domain_obj *obj, char *name, struct vb_error *err)
{
    char *old_name = obj->def->name;

    if (persist_renamed(conn, obj, name, err) < 0)
        return -1;
    if (vb_domain_list_rename(conn->domains, obj, name) < 0) {
        /* The stored file says the new name: write the old one back. */
        if (conn->store && test_persist_def(conn, obj->def, NULL) < 0)
            vb_log_error("could not roll back the stored definition of '%s'", old_name);
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    }
    test_emit(conn, obj, VB_EVENT_UNDEFINED, VB_EVENT_UNDEFINED_RENAMED);
    obj->def->name = name;
    test_emit(conn, obj, VB_EVENT_DEFINED, VB_EVENT_DEFINED_RENAMED);
    free(old_name);
    return 0;
}

int test_rename(void *priv, struct vb_call *call, struct vb_domain_obj *obj, const char *new_name,
                unsigned int flags)
{
    struct test_conn *conn = priv;
    struct vb_error *err = &call->err;
    char *name;
    int r;

    VB_CHECK_FLAGS(flags, 0, err);
    if (check_renamable(obj, new_name, conn->domains, err) < 0)
        return -1;
    name = strdup(new_name);
    r = name ? rename_obj(conn, obj, name, err) : vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    if (r < 0)
        free(name);
    return test_done(conn, call, r);
}
