/* Domain object state transitions shared by every driver. */
#include <stdlib.h>
#include <string.h>

#include "conf/domain_obj.h"

struct vb_domain_obj *vb_domain_obj_new(struct vb_domain_def *def)
{
    struct vb_domain_obj *obj = calloc(1, sizeof(*obj));

    if (!obj)
        return NULL;
    obj->refs = 1;
    obj->def = def;
    obj->id = -1;
    obj->state = VB_DOMAIN_SHUTOFF;
    obj->reason = VB_SHUTOFF_UNKNOWN;
    obj->guest_time_seconds = VB_GUEST_TIME_INITIAL;
    return obj;
}

struct vb_domain_obj *vb_domain_obj_ref(struct vb_domain_obj *obj)
{
    obj->refs++;
    return obj;
}

void vb_domain_obj_unref(struct vb_domain_obj *obj)
{
    if (!obj || --obj->refs > 0)
        return;
    if (obj->driver_data && obj->driver_data_free)
        obj->driver_data_free(obj->driver_data);
    vb_domain_def_free(obj->def);
    vb_domain_def_free(obj->next_def);
    free(obj->autodestroy_owner);
    free(obj->vcpu_pins);
    free(obj->emulator_pin_config);
    free(obj->emulator_pin_live);
    free(obj);
}

void vb_domain_obj_set_state(struct vb_domain_obj *obj, enum vb_domain_state state, int reason)
{
    obj->state = state;
    obj->reason = reason;
}

int vb_domain_obj_check_active(const struct vb_domain_obj *obj, struct vb_error *err)
{
    if (!vb_domain_obj_is_active(obj))
        return vb_error_set(err, VB_ERR_OPERATION_INVALID, "domain is not running");
    return 0;
}

int vb_domain_obj_check_inactive(const struct vb_domain_obj *obj, struct vb_error *err)
{
    if (vb_domain_obj_is_active(obj))
        return vb_error_set(err, VB_ERR_OPERATION_INVALID, "domain is already running");
    return 0;
}

struct vb_domain_def *vb_domain_obj_persistent_def(struct vb_domain_obj *obj)
{
    return obj->next_def ? obj->next_def : obj->def;
}

/* The live emulator pinning starts as a copy of the configured one. */
static int copy_emulator_pin(struct vb_domain_obj *obj, struct vb_error *err)
{
    bool *live = NULL;

    if (obj->emulator_pin_config) {
        live = malloc(obj->emulator_pin_config_n * sizeof(*live) + 1);
        if (!live)
            return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
        memcpy(live, obj->emulator_pin_config, obj->emulator_pin_config_n * sizeof(*live));
    }
    free(obj->emulator_pin_live);
    obj->emulator_pin_live = live;
    obj->emulator_pin_live_n = live ? obj->emulator_pin_config_n : 0;
    return 0;
}

int vb_domain_obj_mark_started(struct vb_domain_obj *obj, int id, enum vb_domain_state state,
                               int reason, struct vb_error *err)
{
    if (copy_emulator_pin(obj, err) < 0)
        return -1;
    if (obj->persistent && !obj->next_def) {
        obj->next_def = vb_domain_def_copy(obj->def, err);
        if (!obj->next_def)
            return -1;
    }
    obj->id = id;
    obj->def->id = id;
    obj->updated = false;
    vb_domain_obj_set_state(obj, state, reason);
    return 0;
}

void vb_domain_obj_mark_stopped(struct vb_domain_obj *obj, int reason)
{
    if (obj->next_def) {
        vb_domain_def_free(obj->def);
        obj->def = obj->next_def;
        obj->next_def = NULL;
    }
    obj->id = -1;
    obj->def->id = -1;
    obj->updated = false;
    free(obj->autodestroy_owner);
    obj->autodestroy_owner = NULL;
    free(obj->vcpu_pins);
    obj->vcpu_pins = NULL;
    obj->vcpu_pin_rows = obj->vcpu_pin_cpus = 0;
    free(obj->emulator_pin_live);
    obj->emulator_pin_live = NULL;
    obj->emulator_pin_live_n = 0;
    vb_domain_obj_set_state(obj, VB_DOMAIN_SHUTOFF, reason);
}

int vb_domain_obj_resolve_affect(const struct vb_domain_obj *obj, unsigned int *flags, struct vb_error *err)
{
    bool active = vb_domain_obj_is_active(obj);
    unsigned int affect = *flags & (VB_AFFECT_LIVE | VB_AFFECT_CONFIG);

    if (affect == VB_AFFECT_CURRENT)
        affect = active ? VB_AFFECT_LIVE : VB_AFFECT_CONFIG;
    if ((affect & VB_AFFECT_LIVE) && !active)
        return vb_error_set(err, VB_ERR_OPERATION_INVALID, "domain is not running");
    if ((affect & VB_AFFECT_CONFIG) && !obj->persistent)
        return vb_error_set(err, VB_ERR_OPERATION_INVALID, "transient domains do not have any persistent config");
    *flags = (*flags & ~(unsigned int) (VB_AFFECT_LIVE | VB_AFFECT_CONFIG)) | affect;
    return 0;
}

void vb_domain_obj_assign_persistent_def(struct vb_domain_obj *obj, struct vb_domain_def *new_def)
{
    if (vb_domain_obj_is_active(obj)) {
        vb_domain_def_free(obj->next_def);
        obj->next_def = new_def;
        new_def->id = -1;
    } else {
        vb_domain_def_free(obj->def);
        obj->def = new_def;
        new_def->id = -1;
    }
    obj->persistent = true;
    /* The new definition carries no emulator pinning of its own. */
    free(obj->emulator_pin_config);
    obj->emulator_pin_config = NULL;
    obj->emulator_pin_config_n = 0;
}
