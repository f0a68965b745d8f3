/* The node device and host interface models (libvirt's virNodeDeviceDef and virInterfaceDef,
 * kept to what virtbus reads). Both keep the definition as read and print it back. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include <libxml/tree.h>

#include "util/error.h"
#include "util/macros.h"

struct vb_nodedev_def {
    char *name;       /* "new device" for a definition to create (libvirt's placeholder) */
    char *parent;     /* NULL for the root device */
    char **caps;      /* top-level capability types, "system", "scsi_host", ... */
    size_t n_caps;
    char *wwnn, *wwpn; /* of an fc_host capability inside scsi_host; NULL when none */
    bool vport_ops;   /* scsi_host has a vport_ops capability: it can create vHBAs */
    xmlDocPtr doc;
};

/* for_create: a NodeDeviceCreateXML definition, whose name libvirt ignores. Errors in
 * libvirt's words ("no device capabilities for '%s'"). */
struct vb_nodedev_def *vb_nodedev_def_parse_string(const char *xml, bool for_create, struct vb_error *err);
char *vb_nodedev_def_format(const struct vb_nodedev_def *def, struct vb_error *err);
struct vb_nodedev_def *vb_nodedev_def_copy(const struct vb_nodedev_def *def);
/* Renames the device and sets its fc_host WWNs (a created vHBA). Returns 0 or -ENOMEM. */
int vb_nodedev_def_set_identity(struct vb_nodedev_def *def, const char *name, const char *wwnn, const char *wwpn);
void vb_nodedev_def_free(struct vb_nodedev_def *def);
DEFINE_CLEANUP_FUNC(struct vb_nodedev_def, vb_nodedev_def_free)

struct vb_iface_def {
    char *type; /* "ethernet", "bridge", "bond", "vlan" */
    char *name;
    char *mac;  /* NULL when none */
    xmlDocPtr doc;
};

/* "interface misses the type attribute", "interface has no name", ... */
struct vb_iface_def *vb_iface_def_parse_string(const char *xml, struct vb_error *err);
/* libvirt's layout: the <mac> of an ethernet interface comes after its other elements. */
char *vb_iface_def_format(const struct vb_iface_def *def, struct vb_error *err);
void vb_iface_def_free(struct vb_iface_def *def);
DEFINE_CLEANUP_FUNC(struct vb_iface_def, vb_iface_def_free)
