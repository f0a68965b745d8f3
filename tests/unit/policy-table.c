/* Prints the authorization table the D-Bus front end applies, one line per method and
 * property: kind, interface, member, what the call is about (none, connect, domain, or object:
 * a network, pool, volume, node device or interface), the polkit actions it needs when every
 * flags argument is 0, and whether its result is filtered per object. tests/integration/test_polkit.py derives its expectations from this output and
 * checks a real polkitd and virtbusd against them. Not a test by itself. */
#include <stdio.h>

#include "dbus/operation_map.h"
#include "policy/acl.h"

static const char *target_of(enum dbus_object_source source)
{
    switch (source) {
    case DBUS_OBJECT_NONE:
        return "none";
    case DBUS_OBJECT_DOMAIN_PATH:
    case DBUS_OBJECT_SNAPSHOT_PATH:
    case DBUS_OBJECT_ARG_NAME:
    case DBUS_OBJECT_ARG_UUID:
    case DBUS_OBJECT_ARG_ID:
        return "domain";
    case DBUS_OBJECT_OBJECT_PATH:
    case DBUS_OBJECT_ARG_OBJECT:
        return "object";
    case DBUS_OBJECT_CONNECT:
    case DBUS_OBJECT_ARG_XML:
    case DBUS_OBJECT_PATH_SUBTREE:
    case DBUS_OBJECT_ALL_CONNECTS:
        break;
    }
    return "connect";
}

static void print_actions(const struct policy_rule *rule)
{
    const char *sep = "";

    if (!rule->defined) {
        fputs("UNDEFINED", stdout);
        return;
    }
    for (const struct policy_permission *p = rule->permissions; p->name; p++) {
        char action[128];

        if (!policy_permission_applies(p, 0) || policy_action_id(p->object, p->name, action, sizeof(action)) < 0)
            continue;
        printf("%s%s", sep, action);
        sep = ",";
    }
    if (!*sep)
        fputs("-", stdout);
}

static void print_table(const char *kind, enum dbus_operation_kind which)
{
    size_t n;
    const struct dbus_operation *ops = dbus_operation_table(which, &n);

    for (size_t i = 0; i < n; i++) {
        const struct policy_rule *rule = policy_rule_for(ops[i].op);

        printf("%s\t%s\t%s\t%s\t", kind, ops[i].interface, ops[i].member, target_of(ops[i].object));
        print_actions(rule);
        printf("\t%s\n", rule->list_filter ? "filtered" : "-");
    }
}

int main(void)
{
    print_table("method", DBUS_OPERATION_METHOD);
    print_table("get", DBUS_OPERATION_PROPERTY_READ);
    print_table("set", DBUS_OPERATION_PROPERTY_WRITE);
    return 0;
}
