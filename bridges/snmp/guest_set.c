/* What a SET of libvirtGuestState or libvirtGuestRowStatus asks of a domain (pure). */
#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>

#include "bridges/snmp/guest_mib.h"
#include "bridges/snmp/guest_oid.h"

static int decide_state(const struct guest_row *row, long value, enum guest_action *action)
{
    bool running = row->state == GUEST_STATE_RUNNING || row->state == GUEST_STATE_BLOCKED;

    switch (value) {
    case GUEST_STATE_RUNNING:
        if (row->state == GUEST_STATE_SHUTOFF && !row->active)
            *action = GUEST_ACTION_CREATE;
        else if (row->state == GUEST_STATE_PAUSED)
            *action = GUEST_ACTION_RESUME;
        else
            return SNMP_ERR_INCONSISTENTVALUE;
        return SNMP_ERR_NOERROR;
    case GUEST_STATE_PAUSED:
        *action = GUEST_ACTION_SUSPEND;
        return running ? SNMP_ERR_NOERROR : SNMP_ERR_INCONSISTENTVALUE;
    case GUEST_STATE_SHUTDOWN:
        *action = GUEST_ACTION_SHUTDOWN;
        return running ? SNMP_ERR_NOERROR : SNMP_ERR_INCONSISTENTVALUE;
    case GUEST_STATE_SHUTOFF:
        *action = GUEST_ACTION_DESTROY;
        return row->active ? SNMP_ERR_NOERROR : SNMP_ERR_INCONSISTENTVALUE;
    default: /* blocked and crashed are states a domain gets into, not ones to ask for */
        return SNMP_ERR_WRONGVALUE;
    }
}

static int decide_row_status(const struct guest_row *row, long value, enum guest_action *action)
{
    switch (value) {
    case GUEST_ROW_CREATE_AND_GO:
        *action = GUEST_ACTION_CREATE;
        return row->active ? SNMP_ERR_INCONSISTENTVALUE : SNMP_ERR_NOERROR;
    case GUEST_ROW_DESTROY:
        *action = GUEST_ACTION_DESTROY;
        return row->active ? SNMP_ERR_NOERROR : SNMP_ERR_INCONSISTENTVALUE;
    default: /* active, notInService, notReady, createAndWait: not actions virtbus has */
        return SNMP_ERR_WRONGVALUE;
    }
}

int guest_set_decide(const struct guest_row *row, unsigned long column, long value, enum guest_action *action)
{
    *action = GUEST_ACTION_NONE;
    if (column == GUEST_COL_STATE)
        return decide_state(row, value, action);
    if (column == GUEST_COL_ROW_STATUS)
        return decide_row_status(row, value, action);
    return SNMP_ERR_NOTWRITABLE;
}

const char *guest_action_method(enum guest_action action)
{
    switch (action) {
    case GUEST_ACTION_CREATE: return "create";
    case GUEST_ACTION_SUSPEND: return "suspend";
    case GUEST_ACTION_RESUME: return "resume";
    case GUEST_ACTION_SHUTDOWN: return "shutdown";
    case GUEST_ACTION_DESTROY: return "destroy";
    default: return "";
    }
}
