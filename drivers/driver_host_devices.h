/* The node device and host interface tables (libvirt's virNodeDeviceDriver and
 * virInterfaceDriver, kept to what we serve), reachable from a connection (vb_driver.nodedev,
 * vb_driver.interface). Both name their objects by name. */
#pragma once

#include "drivers/driver_objects.h"

struct vb_nodedev_driver {
    int (*list)(void *priv, unsigned int flags, struct vb_object_ref **refs, size_t *n, struct vb_error *err);
    int (*lookup_by_name)(void *priv, const char *name, struct vb_object_ref *ref, struct vb_error *err);
    int (*lookup_scsi_host_by_wwn)(void *priv, const char *wwnn, const char *wwpn, struct vb_object_ref *ref,
                                   struct vb_error *err);
    int (*create_xml)(void *priv, struct vb_call *call, const char *xml, unsigned int flags,
                      struct vb_object_ref *ref);
    int (*destroy)(void *priv, struct vb_call *call, const char *name);
    int (*get_xml_desc)(void *priv, struct vb_call *call, const char *name, unsigned int flags, char **xml);
    /* *caps: a NULL-terminated array of *n names */
    int (*list_caps)(void *priv, struct vb_call *call, const char *name, char ***caps, size_t *n);
};

struct vb_interface_driver {
    int (*list)(void *priv, unsigned int flags, struct vb_object_ref **refs, size_t *n, struct vb_error *err);
    int (*lookup_by_name)(void *priv, const char *name, struct vb_object_ref *ref, struct vb_error *err);
    int (*lookup_by_mac)(void *priv, const char *mac, struct vb_object_ref *ref, struct vb_error *err);
    int (*define_xml)(void *priv, struct vb_call *call, const char *xml, unsigned int flags,
                      struct vb_object_ref *ref);
    int (*undefine)(void *priv, struct vb_call *call, const char *name);
    int (*create)(void *priv, struct vb_call *call, const char *name, unsigned int flags);
    int (*destroy)(void *priv, struct vb_call *call, const char *name, unsigned int flags);
    int (*get_xml_desc)(void *priv, struct vb_call *call, const char *name, unsigned int flags, char **xml);
};

/* virConnectListAllInterfacesFlags */
enum { VB_LIST_IFACE_INACTIVE = 1 << 0, VB_LIST_IFACE_ACTIVE = 1 << 1 };
enum { VB_IFACE_DEFINE_VALIDATE = 1 << 0 };
enum { VB_NODEDEV_CREATE_VALIDATE = 1 << 0 };
