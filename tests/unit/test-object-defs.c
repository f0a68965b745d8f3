/* Unit test for the network, storage pool and volume, node device and interface models: what
 * they read, that they print back what they do not model, and libvirt's errors for bad input. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "conf/host_device_def.h"
#include "conf/network_def.h"
#include "conf/storage_def.h"

/* Each parser as one signature: returns whether it parsed (freeing what it built). */
typedef bool (*parse_fn)(const char *xml, struct vb_error *err);

#define PARSER(name, parse, free_fn)                                     \
    static bool name(const char *xml, struct vb_error *err)              \
    {                                                                    \
        void *def = parse;                                               \
        free_fn(def);                                                    \
        return def != NULL;                                              \
    }
PARSER(parse_network, vb_network_def_parse_string(xml, err), vb_network_def_free)
PARSER(parse_pool, vb_pool_def_parse_string(xml, err), vb_pool_def_free)
PARSER(parse_vol, vb_vol_def_parse_string(xml, err), vb_vol_def_free)
PARSER(parse_nodedev, vb_nodedev_def_parse_string(xml, true, err), vb_nodedev_def_free)
PARSER(parse_iface, vb_iface_def_parse_string(xml, err), vb_iface_def_free)

static void assert_refused(parse_fn parse, const char *xml, const char *message)
{
    struct vb_error err = VB_ERROR_INIT;

    assert_false(parse(xml, &err));
    assert_string_equal(vb_error_message(&err), message);
    vb_error_clear(&err);
}

static void network_keeps_what_it_does_not_model(void **state)
{
    struct vb_error err = VB_ERROR_INIT;
    struct vb_network_def *def = vb_network_def_parse_string(
        "<network ipv6='yes'><name>n1</name><bridge name='br9'/><dns><host ip='1.2.3.4'><hostname>h</hostname>"
        "</host></dns></network>", &err);
    char *xml;

    assert_non_null(def);
    assert_string_equal(def->name, "n1");
    assert_string_equal(def->bridge, "br9");
    xml = vb_network_def_format(def, &err);
    assert_non_null(xml);
    assert_non_null(strstr(xml, "<network ipv6='yes'>\n  <name>n1</name>\n  <uuid>"));
    /* an isolated network's bridge is its own: libvirt prints its stp and delay */
    assert_non_null(strstr(xml, "  <bridge name='br9' stp='on' delay='0'/>\n  <dns>\n    <host ip='1.2.3.4'>\n"));
    free(xml);
    vb_network_def_free(def);
}

static void bad_definitions_get_libvirts_errors(void **state)
{
    assert_refused(parse_network, "<network/>", "missing name information");
    assert_refused(parse_network, "<network><name>a/b</name></network>", "invalid char in name: /");
    assert_refused(parse_network, "<network><name>a</name><uuid>x</uuid></network>",
                   "internal error: malformed uuid element");
    assert_refused(parse_network, "<pool/>", "XML error: expecting root element of 'network', not 'pool'");
    assert_refused(parse_pool, "<pool type='dir'><name>p</name></pool>", "XML error: missing storage pool target path");
    assert_refused(parse_pool, "<pool type='dir'><target><path>/p</path></target></pool>",
                   "XML error: missing pool source name element");
    assert_refused(parse_pool, "<pool type='iscsi'><name>p</name><target><path>/p</path></target></pool>",
                   "XML error: missing storage pool source host name");
    assert_refused(parse_vol, "<volume><capacity>1</capacity></volume>", "XML error: missing volume name element");
    assert_refused(parse_vol, "<volume><name>v</name></volume>", "XML error: missing capacity element");
    assert_refused(parse_vol, "<volume><name>v</name><capacity>lots</capacity></volume>",
                   "XML error: malformed capacity element");
    assert_refused(parse_vol, "<volume><name>..</name><capacity>1</capacity></volume>",
                   "XML error: volume name '..' cannot contain '/'");
    assert_refused(parse_nodedev, "<device><parent>x</parent></device>",
                   "internal error: no device capabilities for 'new device'");
    assert_refused(parse_iface, "<interface name='e'/>", "XML error: interface misses the type attribute");
    assert_refused(parse_iface, "<interface type='ethernet'/>", "XML error: interface has no name");
}

static void pool_prints_libvirts_layout_with_its_sizes(void **state)
{
    struct vb_error err = VB_ERROR_INIT;
    struct vb_pool_def *def = vb_pool_def_parse_string(
        "<pool type='dir'><name>p</name><uuid>dfe224cb-28fb-8dd0-c4b2-64eb3f0f4566</uuid>"
        "<target><path>//srv//images/</path><permissions><mode>0711</mode></permissions></target></pool>", &err);
    char *xml;

    assert_non_null(def);
    assert_string_equal(def->target_path, "/srv/images");
    def->capacity = 10;
    def->available = 10;
    xml = vb_pool_def_format(def, &err);
    assert_string_equal(xml, "<pool type='dir'>\n  <name>p</name>\n  <uuid>dfe224cb-28fb-8dd0-c4b2-64eb3f0f4566</uuid>\n"
                             "  <capacity unit='bytes'>10</capacity>\n  <allocation unit='bytes'>0</allocation>\n"
                             "  <available unit='bytes'>10</available>\n  <source>\n  </source>\n  <target>\n"
                             "    <path>/srv/images</path>\n    <permissions>\n      <mode>0711</mode>\n"
                             "    </permissions>\n  </target>\n</pool>\n");
    free(xml);
    vb_pool_def_free(def);
}

static void volume_sizes_take_units(void **state)
{
    struct vb_error err = VB_ERROR_INIT;
    struct vb_vol_def *def = vb_vol_def_parse_string(
        "<volume><name>v</name><capacity unit='G'>2</capacity><allocation unit='M'>1</allocation>"
        "<target><format type='qcow2'/></target></volume>", &err);

    assert_non_null(def);
    assert_int_equal(def->capacity, 2ull << 30);
    assert_int_equal(def->allocation, 1ull << 20);
    assert_string_equal(def->format, "qcow2");
    vb_vol_def_free(def);
}

static void network_update_adds_and_deletes_dhcp_hosts(void **state)
{
    static const char host[] = "<host mac='00:16:3e:77:e2:ed' name='foo' ip='192.168.122.10'/>";
    struct vb_error err = VB_ERROR_INIT;
    struct vb_network_def *def = vb_network_def_parse_string(
        "<network><name>n</name><ip address='192.168.122.1'><dhcp><range start='192.168.122.2' "
        "end='192.168.122.254'/></dhcp></ip></network>", &err);
    char *xml;

    assert_non_null(def);
    assert_int_equal(vb_network_def_update(def, VB_NETWORK_UPDATE_ADD_FIRST, VB_NETWORK_SECTION_IP_DHCP_HOST, 0, host,
                                           &err), 0);
    assert_int_equal(vb_network_def_update(def, VB_NETWORK_UPDATE_ADD_LAST, VB_NETWORK_SECTION_IP_DHCP_HOST, 0, host,
                                           &err), -1);
    assert_string_equal(vb_error_message(&err), "Requested operation is not valid: there is an existing dhcp host "
                                                "entry in network 'n'");
    vb_error_clear(&err);
    xml = vb_network_def_format(def, &err);
    assert_non_null(strstr(xml, "      <host mac='00:16:3e:77:e2:ed' name='foo' ip='192.168.122.10'/>\n"
                                "      <range start='192.168.122.2' end='192.168.122.254'/>\n"));
    free(xml);
    assert_int_equal(vb_network_def_update(def, VB_NETWORK_UPDATE_DELETE, VB_NETWORK_SECTION_IP_DHCP_HOST, -1, host,
                                           &err), 0);
    assert_int_equal(vb_network_def_update(def, VB_NETWORK_UPDATE_ADD_LAST, 1, 0, host, &err), -1);
    assert_string_equal(vb_error_message(&err), "this function is not supported by the connection driver: "
                                                "can't update 'bridge' section of network 'n'");
    vb_error_clear(&err);
    vb_network_def_free(def);
}

static void node_device_reads_wwns_and_renames(void **state)
{
    struct vb_error err = VB_ERROR_INIT;
    struct vb_nodedev_def *def = vb_nodedev_def_parse_string(
        "<device><name>scsi_host1</name><parent>computer</parent><capability type='scsi_host'><host>1</host>"
        "<capability type='fc_host'><wwnn>20</wwnn><wwpn>10</wwpn></capability>"
        "<capability type='vport_ops'/></capability></device>", false, &err);
    char *xml;

    assert_non_null(def);
    assert_true(def->vport_ops);
    assert_string_equal(def->wwnn, "20");
    assert_int_equal(vb_nodedev_def_set_identity(def, "scsi_host12", "21", "11"), 0);
    xml = vb_nodedev_def_format(def, &err);
    assert_non_null(strstr(xml, "<name>scsi_host12</name>"));
    assert_non_null(strstr(xml, "<wwnn>21</wwnn>"));
    free(xml);
    vb_nodedev_def_free(def);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(network_keeps_what_it_does_not_model),
        cmocka_unit_test(bad_definitions_get_libvirts_errors),
        cmocka_unit_test(pool_prints_libvirts_layout_with_its_sizes),
        cmocka_unit_test(volume_sizes_take_units),
        cmocka_unit_test(network_update_adds_and_deletes_dhcp_hosts),
        cmocka_unit_test(node_device_reads_wwns_and_renames),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
