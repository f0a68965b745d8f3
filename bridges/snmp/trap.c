/* libvirtGuestNotif through the AgentX master: snmpTrapOID.0 then Name, UUID, State and
 * RowStatus of the row (the master puts sysUpTime.0 first). */
#include <string.h>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/agent/net-snmp-agent-includes.h>

#include "bridges/snmp/guest_oid.h"
#include "bridges/snmp/trap.h"

static void add_column(netsnmp_variable_list **vars, unsigned long column, const unsigned char uuid[GUEST_UUID_LEN],
                       u_char type, const void *value, size_t len)
{
    oid name[GUEST_INSTANCE_OID_LEN];

    guest_instance_oid(name, column, uuid);
    snmp_varlist_add_variable(vars, name, GUEST_INSTANCE_OID_LEN, type, value, len);
}

void guest_trap_send(const char *name, const unsigned char uuid[GUEST_UUID_LEN], int state, int row_status)
{
    static const oid trap_oid[] = {1, 3, 6, 1, 6, 3, 1, 1, 4, 1, 0}; /* snmpTrapOID.0 */
    netsnmp_variable_list *vars = NULL;
    long state_value = state, status_value = row_status;

    snmp_varlist_add_variable(&vars, trap_oid, OID_LENGTH(trap_oid), ASN_OBJECT_ID, guest_notif_oid,
                              sizeof(guest_notif_oid));
    add_column(&vars, GUEST_COL_NAME, uuid, ASN_OCTET_STR, name, strlen(name));
    add_column(&vars, GUEST_COL_UUID, uuid, ASN_OCTET_STR, uuid, GUEST_UUID_LEN);
    add_column(&vars, GUEST_COL_STATE, uuid, ASN_INTEGER, &state_value, sizeof(state_value));
    add_column(&vars, GUEST_COL_ROW_STATUS, uuid, ASN_INTEGER, &status_value, sizeof(status_value));
    send_v2trap(vars);
    snmp_free_varbind(vars);
}
