/* The test driver's object lists, their shared helpers, and test:///default's objects as
 * libvirt 9.0's test driver serves them (its defaultConnXML, in the form libvirt prints it). */
#include <stdlib.h>
#include <string.h>

#include "drivers/test/test_objects.h"

static const char default_network_xml[] =
    "<network>\n"
    "  <name>default</name>\n"
    "  <uuid>dd8fe884-6c02-601e-7551-cca97df1c5df</uuid>\n"
    "  <forward mode='nat'/>\n"
    "  <bridge name='virbr0' stp='on' delay='0'/>\n"
    "  <ip address='192.168.122.1' netmask='255.255.255.0'>\n"
    "    <dhcp>\n"
    "      <range start='192.168.122.2' end='192.168.122.254'/>\n"
    "    </dhcp>\n"
    "  </ip>\n"
    "</network>\n";

static const char default_interface_xml[] =
    "<interface type='ethernet' name='eth1'>\n"
    "  <start mode='onboot'/>\n"
    "  <mac address='aa:bb:cc:dd:ee:ff'/>\n"
    "  <mtu size='1492'/>\n"
    "  <protocol family='ipv4'>\n"
    "    <ip address='192.168.0.5' prefix='24'/>\n"
    "    <route gateway='192.168.0.1'/>\n"
    "  </protocol>\n"
    "</interface>\n";

static const char default_pool_xml[] =
    "<pool type='dir'>\n"
    "  <name>default-pool</name>\n"
    "  <uuid>dfe224cb-28fb-8dd0-c4b2-64eb3f0f4566</uuid>\n"
    "  <target>\n"
    "    <path>/default-pool</path>\n"
    "  </target>\n"
    "</pool>\n";

static const char computer_xml[] =
    "<device>\n"
    "  <name>computer</name>\n"
    "  <capability type='system'>\n"
    "    <hardware>\n"
    "      <vendor>Libvirt</vendor>\n"
    "      <version>Test driver</version>\n"
    "      <serial>123456</serial>\n"
    "      <uuid>11111111-2222-3333-4444-555555555555</uuid>\n"
    "    </hardware>\n"
    "    <firmware>\n"
    "      <vendor>Libvirt</vendor>\n"
    "      <version>Test Driver</version>\n"
    "      <release_date>01/22/2007</release_date>\n"
    "    </firmware>\n"
    "  </capability>\n"
    "</device>\n";

/* libvirt prints vport_ops' counts as 0 on the test driver (they are read from sysfs). */
#define SCSI_HOST_XML(name, parent, host, unique_id, wwnn, wwpn, fabric, vport_ops) \
    "<device>\n"                                                                    \
    "  <name>" name "</name>\n"                                                     \
    "  <parent>" parent "</parent>\n"                                               \
    "  <capability type='scsi_host'>\n"                                             \
    "    <host>" host "</host>\n"                                                   \
    "    <unique_id>" unique_id "</unique_id>\n"                                    \
    "    <capability type='fc_host'>\n"                                             \
    "      <wwnn>" wwnn "</wwnn>\n"                                                 \
    "      <wwpn>" wwpn "</wwpn>\n"                                                 \
    "      <fabric_wwn>" fabric "</fabric_wwn>\n"                                   \
    "    </capability>\n" vport_ops                                                 \
    "  </capability>\n"                                                             \
    "</device>\n"
#define VPORT_OPS                                                                   \
    "    <capability type='vport_ops'>\n"                                           \
    "      <max_vports>0</max_vports>\n"                                            \
    "      <vports>0</vports>\n"                                                    \
    "    </capability>\n"

static const char *const default_devices[] = {
    computer_xml,
    SCSI_HOST_XML("scsi_host1", "computer", "1", "0", "2000000012341234", "1000000012341234", "2000000043214321",
                  VPORT_OPS),
    SCSI_HOST_XML("scsi_host2", "computer", "2", "1", "2000000056785678", "1000000056785678", "2000000087658765",
                  VPORT_OPS),
    SCSI_HOST_XML("scsi_host11", "scsi_host1", "11", "10", "2000000034563456", "1000000034563456",
                  "2000000043214321", ""),
};

struct test_objects *test_objects_new(void)
{
    return calloc(1, sizeof(struct test_objects));
}

void test_objects_free(struct test_objects *o)
{
    if (!o)
        return;
    for (size_t i = 0; i < o->n_networks; i++)
        test_network_free(o->networks[i]);
    for (size_t i = 0; i < o->n_pools; i++)
        test_pool_free(o->pools[i]);
    for (size_t i = 0; i < o->n_devices; i++)
        vb_nodedev_def_free(o->devices[i]);
    for (size_t i = 0; i < o->n_ifaces; i++)
        test_iface_free(o->ifaces[i]);
    free(o->networks);
    free(o->pools);
    free(o->devices);
    free(o->ifaces);
    free(o);
}

int test_objects_load_default(struct test_conn *conn, struct vb_error *err)
{
    if (test_network_add(conn, default_network_xml, true, err) < 0 ||
        test_iface_add(conn, default_interface_xml, true, err) < 0 ||
        test_pool_add(conn, default_pool_xml, true, err) < 0)
        return -1;
    for (size_t i = 0; i < ARRAY_SIZE(default_devices); i++)
        if (test_nodedev_add(conn, default_devices[i], err) < 0)
            return -1;
    return 0;
}

int test_array_append(void ***items, size_t *n, size_t *allocated, void *item)
{
    if (*n == *allocated) {
        size_t grown_size = *allocated ? *allocated * 2 : 8;
        void **grown = reallocarray(*items, grown_size, sizeof(*grown));

        if (!grown)
            return -ENOMEM;
        *items = grown;
        *allocated = grown_size;
    }
    (*items)[(*n)++] = item;
    return 0;
}

void test_array_remove(void **items, size_t *n, size_t index)
{
    memmove(&items[index], &items[index + 1], (*n - index - 1) * sizeof(*items));
    (*n)--;
}

void test_emit_object(struct test_conn *conn, enum vb_object_kind kind, const unsigned char *uuid, const char *name,
                      int id, int event)
{
    if (conn->events)
        vb_event_emit_object(conn->events, "test", conn->uri, kind, uuid, name, id, event, 0);
}

int test_ref_named(struct vb_object_ref *ref, const char *name, struct vb_error *err)
{
    *ref = (struct vb_object_ref){ .name = strdup(name) };
    return ref->name ? 0 : vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
}

int test_refs_append(struct vb_object_ref **refs, size_t *n, size_t *allocated, struct vb_object_ref *ref,
                     struct vb_error *err)
{
    return vb_object_refs_append(refs, n, allocated, ref, err);
}
