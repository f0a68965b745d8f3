/* libvirt's duplicate and state rules for storage pools, shared by the drivers. */
#include <string.h>

#include "drivers/storage_pool_rules.h"

/* Another dir pool with the same target (libvirt's virStoragePoolObjSourceFindDuplicate). */
static int check_source_conflict(const struct vb_pool_list_view *list, const struct vb_pool_def *def,
                                 struct vb_error *err)
{
    bool active;

    for (size_t i = 0; def->target_path && streq(def->type, "dir") && i < list->n; i++) {
        const struct vb_pool_def *other = list->def_at(list->pools, i, &active);

        if (memcmp(other->uuid, def->uuid, VB_UUID_LEN) != 0 && streq(other->type, "dir") &&
            other->target_path && streq(other->target_path, def->target_path))
            return vb_error_set(err, VB_ERR_OPERATION_FAILED, "Storage source conflict with pool: '%s'",
                                other->name);
    }
    return 0;
}

ssize_t vb_pool_find_duplicate(const struct vb_pool_list_view *list, const struct vb_pool_def *def, bool live,
                               struct vb_error *err)
{
    char uuid[VB_UUID_STRING_LEN];
    bool active;

    if (check_source_conflict(list, def, err) < 0)
        return -2;
    for (size_t i = 0; i < list->n; i++) {
        const struct vb_pool_def *other = list->def_at(list->pools, i, &active);

        if (memcmp(other->uuid, def->uuid, VB_UUID_LEN) == 0) {
            vb_uuid_format(other->uuid, uuid);
            if (!streq(other->name, def->name))
                return vb_error_set(err, VB_ERR_OPERATION_FAILED, "pool '%s' is already defined with uuid %s",
                                    other->name, uuid), -2;
            if (live && active)
                return vb_error_set(err, VB_ERR_OPERATION_INVALID, "pool is already active as '%s'", other->name),
                       -2;
            return (ssize_t) i;
        }
    }
    for (size_t i = 0; i < list->n; i++) {
        const struct vb_pool_def *other = list->def_at(list->pools, i, &active);

        if (streq(other->name, def->name)) {
            vb_uuid_format(other->uuid, uuid);
            return vb_error_set(err, VB_ERR_OPERATION_FAILED, "pool '%s' already exists with uuid %s", def->name,
                                uuid), -2;
        }
    }
    return -1;
}

int vb_pool_check_state(const struct vb_pool_def *def, bool active, bool want_active, struct vb_error *err)
{
    if (active == want_active)
        return 0;
    return vb_error_set(err, VB_ERR_OPERATION_INVALID, "storage pool '%s' is %s", def->name,
                        want_active ? "not active" : "active");
}
