/* Unit test for the D-Bus operation map: every method and writable property in the
 * introspection data the daemon ships (data/org.libvirt.*.xml) is an operation, and every
 * property can be read as one. Reads the XML with libxml2, as any D-Bus tool would. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "dbus/operation_map.h"
#include "policy/acl.h"

static unsigned int check_interface(xmlNodePtr iface)
{
    const char *interface = (const char *) xmlGetProp(iface, BAD_CAST "name");
    unsigned int checked = 0;

    for (xmlNodePtr n = iface->children; n; n = n->next) {
        xmlChar *name, *access;

        if (n->type != XML_ELEMENT_NODE)
            continue;
        name = xmlGetProp(n, BAD_CAST "name");
        if (xmlStrEqual(n->name, BAD_CAST "method")) {
            const struct dbus_operation *op = dbus_operation_for_method(interface, (const char *) name);

            if (!op)
                fail_msg("method %s.%s is no operation", interface, name);
            if (!policy_rule_for(op->op)->defined)
                fail_msg("method %s.%s has no authorization rule", interface, name);
            checked++;
        } else if (xmlStrEqual(n->name, BAD_CAST "property")) {
            access = xmlGetProp(n, BAD_CAST "access");
            if (!dbus_operation_for_property(interface, (const char *) name, false))
                fail_msg("property %s.%s cannot be read as an operation", interface, name);
            if (access && xmlStrEqual(access, BAD_CAST "readwrite") &&
                !dbus_operation_for_property(interface, (const char *) name, true))
                fail_msg("writable property %s.%s is no operation", interface, name);
            xmlFree(access);
            checked++;
        }
        xmlFree(name);
    }
    xmlFree((xmlChar *) interface);
    return checked;
}

static void every_method_and_property_of_the_shipped_interfaces_is_an_operation(void **state)
{
    static const char *const files[] = { "org.libvirt.Connect.xml", "org.libvirt.Domain.xml",
                                          "org.libvirt.DomainSnapshot.xml", "org.libvirt.Network.xml",
                                          "org.libvirt.StoragePool.xml", "org.libvirt.StorageVol.xml",
                                          "org.libvirt.NodeDevice.xml", "org.libvirt.Interface.xml" };
    unsigned int checked = 0;

    for (size_t f = 0; f < sizeof(files) / sizeof(files[0]); f++) {
        char path[512];
        xmlDocPtr doc;

        snprintf(path, sizeof(path), "%s/../../data/%s", FIXTURES_DIR, files[f]);
        doc = xmlReadFile(path, NULL, XML_PARSE_NONET);
        assert_non_null(doc);
        for (xmlNodePtr n = xmlDocGetRootElement(doc)->children; n; n = n->next)
            if (n->type == XML_ELEMENT_NODE && xmlStrEqual(n->name, BAD_CAST "interface"))
                checked += check_interface(n);
        xmlFreeDoc(doc);
    }
    assert_true(checked > 220); /* 200 methods and 35 properties today */
}

static void standard_calls_are_operations_too(void **state)
{
    assert_int_equal(dbus_operation_for_method("org.freedesktop.DBus.Introspectable", "Introspect")->op,
                     VB_OP_BUS_INTROSPECT);
    assert_int_equal(dbus_operation_for_method("org.freedesktop.DBus.ObjectManager", "GetManagedObjects")->op,
                     VB_OP_BUS_GET_MANAGED_OBJECTS);
    assert_null(dbus_operation_for_method("org.libvirt.Domain", "NoSuchMethod"));
    assert_null(dbus_operation_for_property("org.libvirt.Domain", "Name", true)); /* read-only */
}

/* Properties.GetAll("") means every interface: a non-root caller gets what root gets. */
static void get_all_of_every_interface_covers_every_property(void **state)
{
    const struct dbus_operation *ops[48];

    assert_int_equal(dbus_operations_for_get_all("org.libvirt.Domain", ops, 48), 9);
    assert_int_equal(dbus_operations_for_get_all("org.libvirt.Connect", ops, 48), 5);
    assert_int_equal(dbus_operations_for_get_all("org.libvirt.Network", ops, 48), 5);
    assert_int_equal(dbus_operations_for_get_all("org.libvirt.StorageVol", ops, 48), 3);
    assert_int_equal(dbus_operations_for_get_all("", ops, 48), 32);
    assert_int_equal(dbus_operations_for_get_all("org.libvirt.Nope", ops, 48), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_method_and_property_of_the_shipped_interfaces_is_an_operation),
        cmocka_unit_test(standard_calls_are_operations_too),
        cmocka_unit_test(get_all_of_every_interface_covers_every_property),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
