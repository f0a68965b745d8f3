/* The network driver table (libvirt's virNetworkDriver, kept to what we serve), reachable from
 * a connection (vb_driver.network) and shareable between hypervisor drivers. Networks are
 * named by UUID. Registry slots answer from memory at once; operation slots take the call
 * (drivers/call.h). A NULL slot is answered "not supported" by the core. */
#pragma once

#include "drivers/driver_objects.h"

struct vb_network_driver {
    /* --- registry ------------------------------------------------------------------------ */
    int (*list)(void *priv, unsigned int flags, struct vb_object_ref **refs, size_t *n, struct vb_error *err);
    int (*lookup_by_uuid)(void *priv, vb_uuid_t uuid, struct vb_object_ref *ref, struct vb_error *err);
    int (*lookup_by_name)(void *priv, const char *name, struct vb_object_ref *ref, struct vb_error *err);
    /* --- operations ---------------------------------------------------------------------- */
    int (*define_xml)(void *priv, struct vb_call *call, const char *xml, unsigned int flags,
                      struct vb_object_ref *ref);
    int (*create_xml)(void *priv, struct vb_call *call, const char *xml, unsigned int flags,
                      struct vb_object_ref *ref);
    int (*create)(void *priv, struct vb_call *call, vb_uuid_t uuid);
    int (*destroy)(void *priv, struct vb_call *call, vb_uuid_t uuid);
    int (*undefine)(void *priv, struct vb_call *call, vb_uuid_t uuid);
    int (*update)(void *priv, struct vb_call *call, vb_uuid_t uuid, unsigned int command, unsigned int section,
                  int parent_index, const char *xml, unsigned int flags);
    int (*get_xml_desc)(void *priv, struct vb_call *call, vb_uuid_t uuid, unsigned int flags, char **xml);
    int (*set_autostart)(void *priv, struct vb_call *call, vb_uuid_t uuid, bool autostart);
};

/* virNetworkUpdateFlags */
enum { VB_NETWORK_UPDATE_AFFECT_LIVE = 1 << 0, VB_NETWORK_UPDATE_AFFECT_CONFIG = 1 << 1 };
enum { VB_NETWORK_DEFINE_VALIDATE = 1 << 0 };
