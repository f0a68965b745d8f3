/* Unit tests for the operation → permission table: libvirt's permissions per operation, the
 * flag-conditional ones, list filters, action names, and that every operation has a rule. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "conf/domain_def.h"
#include "conf/domain_obj.h"
#include "drivers/driver.h"
#include "drivers/driver_snapshot.h"
#include "policy/acl.h"

/* The permissions that apply to op with the given flags, as "domain:read domain:read_secure". */
static void applied(enum vb_operation op, uint32_t flags, char *out, size_t size)
{
    const struct policy_rule *rule = policy_rule_for(op);
    size_t at = 0;

    out[0] = '\0';
    for (const struct policy_permission *p = rule->permissions; p->name; p++)
        if (policy_permission_applies(p, flags))
            at += (size_t) snprintf(out + at, size - at, "%s%s:%s", at ? " " : "",
                                    p->object == POLICY_OBJECT_CONNECT ? "connect" : "domain", p->name);
}

static void expect(enum vb_operation op, uint32_t flags, const char *permissions)
{
    char text[256];

    assert_true(policy_rule_for(op)->defined);
    applied(op, flags, text, sizeof(text));
    assert_string_equal(text, permissions);
}

static void lifecycle_operations_need_libvirts_permissions(void **state)
{
    expect(VB_OP_DOMAIN_CREATE, 0, "domain:start");
    expect(VB_OP_DOMAIN_DESTROY, 0, "domain:stop");
    expect(VB_OP_DOMAIN_SUSPEND, 0, "domain:suspend");
    expect(VB_OP_DOMAIN_RESUME, 0, "domain:suspend");
    expect(VB_OP_DOMAIN_RESET, 0, "domain:reset");
    expect(VB_OP_DOMAIN_UNDEFINE, 0, "domain:delete");
    expect(VB_OP_DOMAIN_MANAGED_SAVE, 0, "domain:hibernate");
    expect(VB_OP_DOMAIN_DEFINE_XML, 0, "domain:write domain:save");
    expect(VB_OP_DOMAIN_CREATE_XML, 0, "domain:write domain:start");
    expect(VB_OP_CONNECT_LIST_ALL_DOMAINS, 0, "connect:search_domains");
}

static void secure_xml_needs_read_secure(void **state)
{
    expect(VB_OP_DOMAIN_GET_XML_DESC, 0, "domain:read");
    expect(VB_OP_DOMAIN_GET_XML_DESC, VB_DOMAIN_XML_SECURE, "domain:read domain:read_secure");
    expect(VB_OP_DOMAIN_GET_XML_DESC, VB_DOMAIN_XML_INACTIVE, "domain:read");
    expect(VB_OP_DOMAIN_GET_XML_DESC, VB_DOMAIN_XML_MIGRATABLE, "domain:read domain:read_secure");
    expect(VB_OP_DOMAIN_SNAPSHOT_GET_XML_DESC, VB_SNAPSHOT_XML_SECURE, "domain:read domain:read_secure");
}

/* domain:save:!VIR_DOMAIN_AFFECT_CONFIG|VIR_DOMAIN_AFFECT_LIVE and domain:save:VIR_DOMAIN_AFFECT_CONFIG */
static void config_changes_need_save(void **state)
{
    expect(VB_OP_DOMAIN_SET_MEMORY, 0 /* CURRENT */, "domain:write domain:save");
    expect(VB_OP_DOMAIN_SET_MEMORY, VB_AFFECT_LIVE, "domain:write");
    expect(VB_OP_DOMAIN_SET_MEMORY, VB_AFFECT_CONFIG, "domain:write domain:save");
    expect(VB_OP_DOMAIN_ATTACH_DEVICE, VB_AFFECT_LIVE | VB_AFFECT_CONFIG, "domain:write domain:save");
    expect(VB_OP_DOMAIN_SET_VCPUS, VB_VCPU_GUEST | VB_AFFECT_LIVE, "domain:write domain:write");
}

static void guest_agent_and_quiesce_need_more(void **state)
{
    expect(VB_OP_DOMAIN_SHUTDOWN, 0, "domain:init_control");
    expect(VB_OP_DOMAIN_SHUTDOWN, VB_SHUTDOWN_GUEST_AGENT, "domain:init_control domain:write");
    expect(VB_OP_DOMAIN_REBOOT, VB_SHUTDOWN_GUEST_AGENT, "domain:init_control domain:write");
    expect(VB_OP_DOMAIN_SNAPSHOT_CREATE_XML, VB_SNAPSHOT_CREATE_QUIESCE, "domain:snapshot domain:fs_freeze");
    /* @acl: domain:write:VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_AGENT, the source passed as flags */
    expect(VB_OP_DOMAIN_INTERFACE_ADDRESSES, VB_INTERFACE_ADDRESSES_SRC_LEASE, "domain:read");
    expect(VB_OP_DOMAIN_INTERFACE_ADDRESSES, VB_INTERFACE_ADDRESSES_SRC_AGENT, "domain:read domain:write");
    expect(VB_OP_DOMAIN_INTERFACE_ADDRESSES, VB_INTERFACE_ADDRESSES_SRC_ARP, "domain:read");
}

static void lists_are_filtered(void **state)
{
    assert_int_equal(policy_rule_for(VB_OP_CONNECT_LIST_ALL_DOMAINS)->list_filter, POLICY_FILTER_GETATTR);
    assert_int_equal(policy_rule_for(VB_OP_CONNECT_GET_ALL_DOMAIN_STATS)->list_filter, POLICY_FILTER_READ);
    assert_int_equal(policy_rule_for(VB_OP_BUS_GET_MANAGED_OBJECTS)->list_filter,
                     POLICY_FILTER_GETATTR | POLICY_FILTER_READ);
    assert_int_equal(policy_rule_for(VB_OP_CONNECT_DOMAIN_EVENT_REGISTER_ANY)->list_filter, POLICY_FILTER_GETATTR);
    assert_int_equal(policy_rule_for(VB_OP_DOMAIN_GET_XML_DESC)->list_filter, 0);
    expect(VB_OP_DOMAIN_LOOKUP_BY_UUID, 0, "domain:getattr");
}

static void identity_reads_need_getattr_and_the_rest_read(void **state)
{
    expect(VB_OP_DOMAIN_GET_NAME, 0, "domain:getattr");
    expect(VB_OP_DOMAIN_GET_UUID, 0, "domain:getattr");
    expect(VB_OP_DOMAIN_IS_ACTIVE, 0, "domain:read");
    expect(VB_OP_DOMAIN_SET_AUTOSTART, 0, "domain:write");
    expect(VB_OP_BUS_PEER, 0, "");
}

static void unknown_operations_have_no_rule(void **state)
{
    assert_false(policy_rule_for(VB_OP_COUNT)->defined);
    assert_false(policy_rule_for((enum vb_operation) -1)->defined);
}

/* No rule means refused: every operation a front end can reach must have one. */
static void every_operation_has_a_rule(void **state)
{
    for (int op = 0; op < VB_OP_COUNT; op++)
        if (!policy_rule_for(op)->defined)
            fail_msg("no authorization rule for %s", vb_operation_name(op));
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(lifecycle_operations_need_libvirts_permissions),
        cmocka_unit_test(secure_xml_needs_read_secure),
        cmocka_unit_test(config_changes_need_save),
        cmocka_unit_test(guest_agent_and_quiesce_need_more),
        cmocka_unit_test(lists_are_filtered),
        cmocka_unit_test(identity_reads_need_getattr_and_the_rest_read),
        cmocka_unit_test(unknown_operations_have_no_rule),
        cmocka_unit_test(every_operation_has_a_rule),
        cmocka_unit_test(action_ids_use_dashes),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
