/* libvirtGuestNotif through the AgentX master: snmpTrapOID.0 then Name, UUID, State and
 * RowStatus of the row (the master puts sysUpTime.0 first). */
#include <stdint.h>
#include <string.h>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/agent/net-snmp-agent-includes.h>

#include "bridges/snmp/guest_oid.h"
#include "bridges/snmp/trap.h"

static void add_column(netsnmp_variable_list **vars, const struct guest_oid_table *oids, unsigned long column,
                       const unsigned char uuid[GUEST_UUID_LEN], u_char type, const void *value, size_t len)
{
    oid name[GUEST_INSTANCE_OID_MAX];
    size_t name_len = guest_instance_oid(oids, name, column, uuid);

    snmp_varlist_add_variable(vars, name, name_len, type, value, len);
}

static void add_string(netsnmp_variable_list **vars, unsigned long column, const unsigned char uuid[GUEST_UUID_LEN],
                       const char *text)
{
    add_column(vars, &virtbus_guest_oids, column, uuid, ASN_OCTET_STR, text, strlen(text));
}

void guest_trap_send(const struct guest_trap *trap)
{
    static const oid trap_oid[] = {1, 3, 6, 1, 6, 3, 1, 1, 4, 1, 0}; /* snmpTrapOID.0 */
    netsnmp_variable_list *vars = NULL;
    long state_value = trap->state, status_value = trap->row_status;
    struct counter64 seq = {(u_long) (trap->seq >> 32), (u_long) (trap->seq & 0xffffffffu)};

    snmp_varlist_add_variable(&vars, trap_oid, OID_LENGTH(trap_oid), ASN_OBJECT_ID, guest_notif_oid,
                              sizeof(guest_notif_oid));
    add_column(&vars, &libvirt_guest_oids, GUEST_COL_NAME, trap->uuid, ASN_OCTET_STR, trap->name, strlen(trap->name));
    add_column(&vars, &libvirt_guest_oids, GUEST_COL_UUID, trap->uuid, ASN_OCTET_STR, trap->uuid, GUEST_UUID_LEN);
    add_column(&vars, &libvirt_guest_oids, GUEST_COL_STATE, trap->uuid, ASN_INTEGER, &state_value,
               sizeof(state_value));
    add_column(&vars, &libvirt_guest_oids, GUEST_COL_ROW_STATUS, trap->uuid, ASN_INTEGER, &status_value,
               sizeof(status_value));
    add_string(&vars, VIRTBUS_COL_HOST, trap->uuid, trap->host);
    add_string(&vars, VIRTBUS_COL_LAST_EVENT, trap->uuid, trap->event);
    add_string(&vars, VIRTBUS_COL_LAST_DETAIL, trap->uuid, trap->detail);
    add_column(&vars, &virtbus_guest_oids, VIRTBUS_COL_LAST_SEQ, trap->uuid, ASN_COUNTER64, &seq, sizeof(seq));
    send_v2trap(vars);
    snmp_free_varbind(vars);
}
