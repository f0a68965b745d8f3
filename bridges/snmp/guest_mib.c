/* libvirtGuestTable through net-snmp's agent library: a plain MIB handler over the sorted rows
 * (no table helper: its iterator is linear per GETNEXT, too slow for 10,000 rows). SETs are
 * delegated: the handler returns, virtbusd answers over AMQP, and guest_mib_set_done() ends the
 * request, so the loop never waits. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/agent/net-snmp-agent-includes.h>

#include "bridges/snmp/guest_mib.h"
#include "bridges/snmp/guest_oid.h"

struct guest_mib {
    struct guest_table *table;
    guest_set_function set;
    void *userdata;
    netsnmp_handler_registration *registration;
};

static void set_value(netsnmp_variable_list *var, const struct guest_row *row, unsigned long column)
{
    struct counter64 cpu_time;
    long integer;
    u_long unsigned_value;

    switch (column) {
    case GUEST_COL_NAME:
        snmp_set_var_typed_value(var, ASN_OCTET_STR, row->name, strlen(row->name));
        break;
    case GUEST_COL_STATE:
        integer = row->state;
        snmp_set_var_typed_value(var, ASN_INTEGER, &integer, sizeof(integer));
        break;
    case GUEST_COL_CPU_COUNT:
        unsigned_value = row->vcpus;
        snmp_set_var_typed_value(var, ASN_UNSIGNED, &unsigned_value, sizeof(unsigned_value));
        break;
    case GUEST_COL_MEMORY_CURRENT:
        unsigned_value = row->memory_mib;
        snmp_set_var_typed_value(var, ASN_GAUGE, &unsigned_value, sizeof(unsigned_value));
        break;
    case GUEST_COL_MEMORY_LIMIT:
        unsigned_value = row->max_memory_mib;
        snmp_set_var_typed_value(var, ASN_UNSIGNED, &unsigned_value, sizeof(unsigned_value));
        break;
    case GUEST_COL_CPU_TIME:
        cpu_time.high = (u_long) (row->cpu_time_ns >> 32);
        cpu_time.low = (u_long) (row->cpu_time_ns & 0xffffffffu);
        snmp_set_var_typed_value(var, ASN_COUNTER64, &cpu_time, sizeof(cpu_time));
        break;
    case GUEST_COL_ROW_STATUS:
        integer = guest_row_status(row);
        snmp_set_var_typed_value(var, ASN_INTEGER, &integer, sizeof(integer));
        break;
    default:
        break;
    }
}

static void handle_get(struct guest_mib *mib, netsnmp_request_info *request)
{
    netsnmp_variable_list *var = request->requestvb;
    unsigned char uuid[GUEST_UUID_LEN];
    unsigned long column;
    const struct guest_row *row = NULL;

    if (guest_instance_parse(var->name, var->name_length, &column, uuid) == 0)
        row = guest_table_find(mib->table, uuid);
    if (row)
        set_value(var, row, column);
    else
        netsnmp_set_request_error(NULL, request, column ? SNMP_NOSUCHINSTANCE : SNMP_NOSUCHOBJECT);
}

static void handle_getnext(struct guest_mib *mib, netsnmp_request_info *request)
{
    netsnmp_variable_list *var = request->requestvb;
    oid name[GUEST_INSTANCE_OID_LEN];
    unsigned long column;
    size_t at;

    if (guest_instance_next(mib->table, var->name, var->name_length, request->inclusive, &column, &at) < 0)
        return; /* nothing here: the agent moves on to the next registration */
    guest_instance_oid(name, column, mib->table->rows[at]->uuid);
    snmp_set_var_objid(var, name, GUEST_INSTANCE_OID_LEN);
    set_value(var, mib->table->rows[at], column);
}

/* The row and action a SET varbind names, or an SNMP error. */
static int set_target(struct guest_mib *mib, netsnmp_request_info *request, const struct guest_row **row,
                      enum guest_action *action)
{
    netsnmp_variable_list *var = request->requestvb;
    unsigned char uuid[GUEST_UUID_LEN];
    unsigned long column;
    int r;

    if (guest_instance_parse(var->name, var->name_length, &column, uuid) < 0)
        return column ? SNMP_ERR_NOCREATION : SNMP_ERR_NOTWRITABLE;
    if (column != GUEST_COL_STATE && column != GUEST_COL_ROW_STATUS)
        return SNMP_ERR_NOTWRITABLE;
    r = netsnmp_check_vb_type(var, ASN_INTEGER);
    if (r != SNMP_ERR_NOERROR)
        return r;
    *row = guest_table_find(mib->table, uuid);
    if (!*row) /* a domain cannot be made from a row: it needs its XML */
        return SNMP_ERR_NOCREATION;
    return guest_set_decide(*row, column, *var->val.integer, action);
}

static void set_action(struct guest_mib *mib, netsnmp_mib_handler *handler, netsnmp_handler_registration *registration,
                       netsnmp_agent_request_info *reqinfo, netsnmp_request_info *request)
{
    const struct guest_row *row = NULL;
    enum guest_action action = GUEST_ACTION_NONE;
    netsnmp_delegated_cache *cache;
    int r = set_target(mib, request, &row, &action);

    if (r != SNMP_ERR_NOERROR) {
        /* The row changed since the test phase (an event arrived in between). */
        netsnmp_set_request_error(reqinfo, request, r == SNMP_ERR_INCONSISTENTVALUE ? SNMP_ERR_COMMITFAILED : r);
        return;
    }
    cache = netsnmp_create_delegated_cache(handler, registration, reqinfo, request, NULL);
    if (!cache) {
        netsnmp_set_request_error(reqinfo, request, SNMP_ERR_RESOURCEUNAVAILABLE);
        return;
    }
    request->delegated = 1;
    r = mib->set(mib->userdata, row, action, cache);
    if (r != SNMP_ERR_NOERROR) {
        request->delegated = 0;
        netsnmp_free_delegated_cache(cache);
        netsnmp_set_request_error(reqinfo, request, r);
    }
}

void guest_mib_set_done(void *token, int snmp_error)
{
    netsnmp_delegated_cache *cache = netsnmp_handler_check_cache(token);

    if (!cache)
        return; /* the request is gone (the master gave up on it) */
    if (snmp_error != SNMP_ERR_NOERROR)
        netsnmp_set_request_error(cache->reqinfo, cache->requests, snmp_error);
    cache->requests->delegated = 0;
    netsnmp_free_delegated_cache(cache);
    netsnmp_check_outstanding_agent_requests();
}

static void handle_set(struct guest_mib *mib, netsnmp_mib_handler *handler, netsnmp_handler_registration *registration,
                       netsnmp_agent_request_info *reqinfo, netsnmp_request_info *request)
{
    const struct guest_row *row = NULL;
    enum guest_action action = GUEST_ACTION_NONE;
    int r;

    switch (reqinfo->mode) {
    case MODE_SET_RESERVE1: /* AgentX TestSet: refuse what cannot be done, changing nothing */
        r = set_target(mib, request, &row, &action);
        if (r != SNMP_ERR_NOERROR)
            netsnmp_set_request_error(reqinfo, request, r);
        break;
    case MODE_SET_ACTION: /* CommitSet: virtbusd acts, and authorizes, here */
        set_action(mib, handler, registration, reqinfo, request);
        break;
    default: /* RESERVE2, COMMIT, FREE; UNDO cannot undo a started domain */
        break;
    }
}

static int handler(netsnmp_mib_handler *handler, netsnmp_handler_registration *registration,
                   netsnmp_agent_request_info *reqinfo, netsnmp_request_info *requests)
{
    struct guest_mib *mib = handler->myvoid;

    for (netsnmp_request_info *request = requests; request; request = request->next) {
        if (request->processed)
            continue;
        switch (reqinfo->mode) {
        case MODE_GET:
            handle_get(mib, request);
            break;
        case MODE_GETNEXT:
            handle_getnext(mib, request);
            break;
        default:
            handle_set(mib, handler, registration, reqinfo, request);
            break;
        }
    }
    return SNMP_ERR_NOERROR;
}

int guest_mib_register(struct guest_table *table, guest_set_function set, void *userdata, struct guest_mib **out)
{
    static const oid table_oid[] = {LIBVIRT_MIB_OID, 1, 1};
    struct guest_mib *mib = calloc(1, sizeof(*mib));

    if (!mib)
        return -ENOMEM;
    mib->table = table;
    mib->set = set;
    mib->userdata = userdata;
    mib->registration = netsnmp_create_handler_registration("libvirtGuestTable", handler, table_oid,
                                                            OID_LENGTH(table_oid), HANDLER_CAN_RWRITE);
    if (!mib->registration) {
        free(mib);
        return -ENOMEM;
    }
    mib->registration->handler->myvoid = mib;
    if (netsnmp_register_handler(mib->registration) != MIB_REGISTERED_OK) {
        free(mib);
        return -EEXIST;
    }
    *out = mib;
    return 0;
}

void guest_mib_unregister(struct guest_mib *mib)
{
    if (!mib)
        return;
    netsnmp_unregister_handler(mib->registration);
    free(mib);
}
