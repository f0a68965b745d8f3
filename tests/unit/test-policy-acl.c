/* Unit tests for the ACL table: libvirt's permissions per method, flag-conditional ones, action
 * names, and that the table covers every method and property the daemon serves. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "policy/acl.h"

/* The permissions that apply to a call of rule with every conditional argument set to arg,
 * as "domain:read domain:read_secure". */
static void applied(const struct policy_rule *rule, uint32_t arg, char *out, size_t size)
{
    size_t at = 0;

    out[0] = '\0';
    for (const struct policy_permission *p = rule->permissions; p->name; p++)
        if (policy_permission_applies(p, arg))
            at += (size_t) snprintf(out + at, size - at, "%s%s:%s", at ? " " : "",
                                    p->object == POLICY_OBJECT_CONNECT ? "connect" : "domain", p->name);
}

static void expect(const char *interface, const char *member, uint32_t arg, const char *permissions)
{
    const struct policy_rule *rule = policy_acl_find(interface, member);
    char text[256];

    assert_non_null(rule);
    applied(rule, arg, text, sizeof(text));
    assert_string_equal(text, permissions);
}

static void lifecycle_methods_need_libvirts_permissions(void **state)
{
    expect("org.libvirt.Domain", "Create", 0, "domain:start");
    expect("org.libvirt.Domain", "Destroy", 0, "domain:stop");
    expect("org.libvirt.Domain", "Suspend", 0, "domain:suspend");
    expect("org.libvirt.Domain", "Resume", 0, "domain:suspend");
    expect("org.libvirt.Domain", "Reset", 0, "domain:reset");
    expect("org.libvirt.Domain", "Undefine", 0, "domain:delete");
    expect("org.libvirt.Domain", "ManagedSave", 0, "domain:hibernate");
    expect("org.libvirt.Connect", "DomainDefineXML", 0, "domain:write domain:save");
    expect("org.libvirt.Connect", "DomainCreateXML", 0, "domain:write domain:start");
    expect("org.libvirt.Connect", "ListDomains", 0, "connect:search_domains");
}

static void secure_xml_needs_read_secure(void **state)
{
    expect("org.libvirt.Domain", "GetXMLDesc", 0, "domain:read");
    expect("org.libvirt.Domain", "GetXMLDesc", POLICY_DOMAIN_XML_SECURE, "domain:read domain:read_secure");
    expect("org.libvirt.Domain", "GetXMLDesc", 2 /* INACTIVE */, "domain:read");
    expect("org.libvirt.Domain", "GetXMLDesc", POLICY_DOMAIN_XML_MIGRATABLE, "domain:read domain:read_secure");
    expect("org.libvirt.DomainSnapshot", "GetXMLDesc", POLICY_SNAPSHOT_XML_SECURE, "domain:read domain:read_secure");
}

/* domain:save:!VIR_DOMAIN_AFFECT_CONFIG|VIR_DOMAIN_AFFECT_LIVE and domain:save:VIR_DOMAIN_AFFECT_CONFIG */
static void config_changes_need_save(void **state)
{
    expect("org.libvirt.Domain", "SetMemory", 0 /* CURRENT */, "domain:write domain:save");
    expect("org.libvirt.Domain", "SetMemory", POLICY_DOMAIN_AFFECT_LIVE, "domain:write");
    expect("org.libvirt.Domain", "SetMemory", POLICY_DOMAIN_AFFECT_CONFIG, "domain:write domain:save");
    expect("org.libvirt.Domain", "AttachDevice", POLICY_DOMAIN_AFFECT_LIVE | POLICY_DOMAIN_AFFECT_CONFIG,
           "domain:write domain:save");
    expect("org.libvirt.Domain", "SetVcpus", POLICY_DOMAIN_VCPU_GUEST | POLICY_DOMAIN_AFFECT_LIVE,
           "domain:write domain:write");
}

static void guest_agent_and_quiesce_need_more(void **state)
{
    expect("org.libvirt.Domain", "Shutdown", 0, "domain:init_control");
    expect("org.libvirt.Domain", "Shutdown", POLICY_DOMAIN_GUEST_AGENT, "domain:init_control domain:write");
    expect("org.libvirt.Domain", "Reboot", POLICY_DOMAIN_GUEST_AGENT, "domain:init_control domain:write");
    expect("org.libvirt.Domain", "SnapshotCreateXML", POLICY_SNAPSHOT_CREATE_QUIESCE,
           "domain:snapshot domain:fs_freeze");
    /* @acl: domain:write::source:VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_AGENT */
    expect("org.libvirt.Domain", "InterfaceAddresses", 0, "domain:read");
    expect("org.libvirt.Domain", "InterfaceAddresses", POLICY_INTERFACE_ADDRESSES_SRC_AGENT,
           "domain:read domain:write");
    expect("org.libvirt.Domain", "InterfaceAddresses", 2 /* ARP */, "domain:read");
}

static void conditions_read_the_flags_argument(void **state)
{
    const struct policy_rule *rule = policy_acl_find("org.libvirt.Domain", "SetMetadata");

    assert_non_null(rule);
    for (const struct policy_permission *p = rule->permissions; p->name; p++)
        if (p->when != POLICY_WHEN_ALWAYS)
            assert_int_equal(p->arg, 4); /* SetMetadata(i type, s, s, s, u flags) */
    rule = policy_acl_find("org.libvirt.Domain", "PinVcpu");
    for (const struct policy_permission *p = rule->permissions; p->name; p++)
        if (p->when != POLICY_WHEN_ALWAYS)
            assert_int_equal(p->arg, 2); /* PinVcpu(u vcpu, ab cpumap, u flags) */
}

static void lookups_and_lists_are_filtered(void **state)
{
    assert_int_equal(policy_acl_find("org.libvirt.Connect", "ListDomains")->filter, POLICY_FILTER_DOMAIN_GETATTR);
    assert_int_equal(policy_acl_find("org.libvirt.Connect", "GetAllDomainStats")->filter, POLICY_FILTER_DOMAIN_READ);
    assert_int_equal(policy_acl_find("org.libvirt.Connect", "DomainLookupByName")->target, POLICY_TARGET_LOOKUP_NAME);
    expect("org.libvirt.Connect", "DomainLookupByUUID", 0, "domain:getattr");
}

static void unknown_methods_have_no_rule(void **state)
{
    assert_null(policy_acl_find("org.libvirt.Domain", "NoSuchMethod"));
    assert_null(policy_acl_find("org.libvirt.Nope", "Create"));
    assert_null(policy_acl_find(NULL, "Create"));
    assert_null(policy_acl_find_property("org.libvirt.Domain", "Name", true)); /* read-only */
    assert_null(policy_acl_find_property("org.libvirt.Domain", "Nope", false));
}

static void properties_follow_the_getter_apis(void **state)
{
    const struct policy_permission *perms[8];
    const struct policy_rule *rule;
    int n;

    rule = policy_acl_find_property("org.libvirt.Domain", "Name", false);
    assert_string_equal(rule->permissions[0].name, "getattr");
    rule = policy_acl_find_property("org.libvirt.Domain", "Active", false);
    assert_string_equal(rule->permissions[0].name, "read");
    rule = policy_acl_find_property("org.libvirt.Domain", "Autostart", true);
    assert_string_equal(rule->permissions[0].name, "write");
    n = policy_acl_get_all_permissions("org.libvirt.Domain", perms, 8);
    assert_int_equal(n, 2); /* getattr and read, once each */
    n = policy_acl_get_all_permissions("org.libvirt.Connect", perms, 8);
    assert_int_equal(n, 1);
    assert_int_equal(policy_acl_get_all_permissions("org.libvirt.Nope", perms, 8), -ENOENT);
}

static void action_ids_use_dashes(void **state)
{
    char buf[64];

    assert_int_equal(policy_action_id(POLICY_OBJECT_DOMAIN, "read_secure", buf, sizeof(buf)), 0);
    assert_string_equal(buf, "org.libvirt.api.domain.read-secure");
    assert_int_equal(policy_action_id(POLICY_OBJECT_CONNECT, "search_domains", buf, sizeof(buf)), 0);
    assert_string_equal(buf, "org.libvirt.api.connect.search-domains");
    assert_int_equal(policy_action_id(POLICY_OBJECT_CONNECT, "search_domains", buf, 10), -ENOBUFS);
}

/* The introspection data the daemon ships lists every method and property it serves. */
static void every_served_method_and_property_has_a_rule(void **state)
{
    static const char *const files[] = { "org.libvirt.Connect.xml", "org.libvirt.Domain.xml",
                                          "org.libvirt.DomainSnapshot.xml" };
    unsigned int checked = 0;

    for (size_t f = 0; f < sizeof(files) / sizeof(files[0]); f++) {
        char path[512], line[1024], interface[128] = "";
        FILE *in;

        snprintf(path, sizeof(path), "%s/../../data/%s", FIXTURES_DIR, files[f]);
        in = fopen(path, "r");
        assert_non_null(in);
        while (fgets(line, sizeof(line), in)) {
            char name[128];
            const char *at;

            if ((at = strstr(line, "<interface name=\"")))
                sscanf(at, "<interface name=\"%127[^\"]\"", interface);
            if ((at = strstr(line, "<method name=\"")) && sscanf(at, "<method name=\"%127[^\"]\"", name) == 1) {
                if (!policy_acl_find(interface, name))
                    fail_msg("no rule for %s.%s", interface, name);
                checked++;
            }
            if ((at = strstr(line, "<property name=\"")) && sscanf(at, "<property name=\"%127[^\"]\"", name) == 1) {
                if (!policy_acl_find_property(interface, name, false))
                    fail_msg("no read rule for %s.%s", interface, name);
                if (strstr(line, "access=\"readwrite\"") && !policy_acl_find_property(interface, name, true))
                    fail_msg("no write rule for %s.%s", interface, name);
                checked++;
            }
        }
        fclose(in);
    }
    assert_true(checked > 100);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(lifecycle_methods_need_libvirts_permissions),
        cmocka_unit_test(secure_xml_needs_read_secure),
        cmocka_unit_test(config_changes_need_save),
        cmocka_unit_test(guest_agent_and_quiesce_need_more),
        cmocka_unit_test(conditions_read_the_flags_argument),
        cmocka_unit_test(lookups_and_lists_are_filtered),
        cmocka_unit_test(unknown_methods_have_no_rule),
        cmocka_unit_test(properties_follow_the_getter_apis),
        cmocka_unit_test(action_ids_use_dashes),
        cmocka_unit_test(every_served_method_and_property_has_a_rule),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
