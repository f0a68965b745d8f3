/* The network model (libvirt's virNetworkDef, kept to what virtbus reads): name, UUID and
 * bridge are modelled; the whole definition is kept as read and printed back, so nothing a
 * client wrote is lost. */
#pragma once

#include <libxml/tree.h>

#include "util/error.h"
#include "util/macros.h"
#include "util/uuid.h"

struct vb_network_def {
    char *name;
    unsigned char uuid[VB_UUID_LEN];
    char *bridge;  /* <bridge name=...>, NULL when none */
    xmlDocPtr doc; /* the definition as read (its <uuid> may be missing: the model's is printed) */
};

/* libvirt's virNetworkUpdateCommand and virNetworkUpdateSection (the ones virtbus applies). */
enum { VB_NETWORK_UPDATE_MODIFY = 1, VB_NETWORK_UPDATE_DELETE = 2, VB_NETWORK_UPDATE_ADD_LAST = 3,
       VB_NETWORK_UPDATE_ADD_FIRST = 4 };
enum { VB_NETWORK_SECTION_IP_DHCP_HOST = 4, VB_NETWORK_SECTION_IP_DHCP_RANGE = 5 };

/* libvirt's checks and words: "missing name information", "invalid char in name: /",
 * "malformed uuid element". */
struct vb_network_def *vb_network_def_parse_string(const char *xml, struct vb_error *err);
/* libvirt's layout: <name>, <uuid>, then every other element as read. */
char *vb_network_def_format(const struct vb_network_def *def, struct vb_error *err);
/* A <dhcp> <range> or <host> with its attributes in libvirt's order (for network_update.c). */
int vb_network_dhcp_entry_canonical(xmlNodePtr entry, struct vb_error *err);
struct vb_network_def *vb_network_def_copy(const struct vb_network_def *def);
void vb_network_def_free(struct vb_network_def *def);
DEFINE_CLEANUP_FUNC(struct vb_network_def, vb_network_def_free)

/* libvirt's virNetworkDefUpdateSection for DHCP hosts and ranges: applies command to the
 * <ip> parent_index names (-1: the first), changing nothing when it fails. */
int vb_network_def_update(struct vb_network_def *def, unsigned int command, unsigned int section, int parent_index,
                          const char *xml, struct vb_error *err);
