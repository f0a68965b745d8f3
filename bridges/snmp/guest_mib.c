/* libvirtGuestTable through net-snmp's agent library: a plain MIB handler over the sorted rows
 * (no table helper: its iterator is linear per GETNEXT, too slow for 10,000 rows). SETs are
 * delegated: the handler returns, virtbusd answers over AMQP, and guest_mib_set_done() ends the
 * request, so the loop never waits. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/agent/net-snmp-agent-includes.h>

#include "bridges/snmp/guest_mib.h"
#include "bridges/snmp/guest_oid.h"

struct guest_mib;

/* One registered table over the rows: libvirtGuestTable or virtbusGuestTable. */
struct guest_view {
    struct guest_mib *mib;
    const struct guest_oid_table *oids;
    netsnmp_handler_registration *registration;
};

struct guest_mib {
    struct guest_table *table;
    guest_set_function set;
    guest_cpu_read_function cpu_read;
    void *userdata;
    struct guest_view libvirt, virtbus;
};

static void set_string(netsnmp_variable_list *var, const char *text)
{
    snmp_set_var_typed_value(var, ASN_OCTET_STR, text, strlen(text));
}

static void set_counter64(netsnmp_variable_list *var, uint64_t value)
{
    struct counter64 c64 = {(u_long) (value >> 32), (u_long) (value & 0xffffffffu)};

    snmp_set_var_typed_value(var, ASN_COUNTER64, &c64, sizeof(c64));
}

static void set_integer(netsnmp_variable_list *var, u_char type, long value)
{
    snmp_set_var_typed_value(var, type, &value, sizeof(value));
}

static void set_virtbus_value(netsnmp_variable_list *var, const struct guest_row *row, unsigned long column)
{
    switch (column) {
    case VIRTBUS_COL_HOST:
        set_string(var, row->host);
        break;
    case VIRTBUS_COL_LAST_EVENT:
        set_string(var, row->last_event);
        break;
    case VIRTBUS_COL_LAST_DETAIL:
        set_string(var, row->last_detail);
        break;
    case VIRTBUS_COL_LAST_SEQ:
        set_counter64(var, row->last_seq);
        break;
    default:
        break;
    }
}

static void set_value(const struct guest_view *view, netsnmp_variable_list *var, const struct guest_row *row,
                      unsigned long column)
{
    if (view->oids == &virtbus_guest_oids) {
        set_virtbus_value(var, row, column);
        return;
    }
    switch (column) {
    case GUEST_COL_NAME:
        set_string(var, row->name);
        break;
    case GUEST_COL_STATE:
        set_integer(var, ASN_INTEGER, row->state);
        break;
    case GUEST_COL_CPU_COUNT:
        set_integer(var, ASN_UNSIGNED, (long) row->vcpus);
        break;
    case GUEST_COL_MEMORY_CURRENT:
        set_integer(var, ASN_GAUGE, (long) row->memory_mib);
        break;
    case GUEST_COL_MEMORY_LIMIT:
        set_integer(var, ASN_UNSIGNED, (long) row->max_memory_mib);
        break;
    case GUEST_COL_CPU_TIME:
        set_counter64(var, row->cpu_time_ns);
        view->mib->cpu_read(view->mib->userdata);
        break;
    case GUEST_COL_ROW_STATUS:
        set_integer(var, ASN_INTEGER, guest_row_status(row));
        break;
    default:
        break;
    }
}

static void handle_get(const struct guest_view *view, netsnmp_request_info *request)
{
    netsnmp_variable_list *var = request->requestvb;
    unsigned char uuid[GUEST_UUID_LEN];
    unsigned long column;
    const struct guest_row *row = NULL;

    if (guest_instance_parse(view->oids, var->name, var->name_length, &column, uuid) == 0)
        row = guest_table_find(view->mib->table, uuid);
    if (row)
        set_value(view, var, row, column);
    else
        netsnmp_set_request_error(NULL, request, column ? SNMP_NOSUCHINSTANCE : SNMP_NOSUCHOBJECT);
}

static void handle_getnext(const struct guest_view *view, netsnmp_request_info *request)
{
    const struct guest_table *table = view->mib->table;
    netsnmp_variable_list *var = request->requestvb;
    oid name[GUEST_INSTANCE_OID_MAX];
    unsigned long column;
    size_t at, len;

    if (guest_instance_next(view->oids, table, var->name, var->name_length, request->inclusive, &column, &at) < 0)
        return; /* nothing here: the agent moves on to the next registration */
    len = guest_instance_oid(view->oids, name, column, table->rows[at]->uuid);
    snmp_set_var_objid(var, name, len);
    set_value(view, var, table->rows[at], column);
}

/* The row and action a SET varbind names, or an SNMP error. */
static int set_target(struct guest_mib *mib, netsnmp_request_info *request, const struct guest_row **row,
                      enum guest_action *action)
{
    netsnmp_variable_list *var = request->requestvb;
    unsigned char uuid[GUEST_UUID_LEN];
    unsigned long column;
    int r;

    if (guest_instance_parse(&libvirt_guest_oids, var->name, var->name_length, &column, uuid) < 0)
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
    struct guest_view *view = handler->myvoid;

    for (netsnmp_request_info *request = requests; request; request = request->next) {
        if (request->processed)
            continue;
        switch (reqinfo->mode) {
        case MODE_GET:
            handle_get(view, request);
            break;
        case MODE_GETNEXT:
            handle_getnext(view, request);
            break;
        default:
            if (view->oids == &libvirt_guest_oids)
                handle_set(view->mib, handler, registration, reqinfo, request);
            else
                netsnmp_set_request_error(reqinfo, request, SNMP_ERR_NOTWRITABLE);
            break;
        }
    }
    return SNMP_ERR_NOERROR;
}

/* Registers view for its table's OID (the entry's parent). */
static int register_view(struct guest_mib *mib, struct guest_view *view, const struct guest_oid_table *oids,
                         const char *name, int modes)
{
    view->mib = mib;
    view->oids = oids;
    view->registration = netsnmp_create_handler_registration(name, handler, oids->entry, oids->entry_len - 1, modes);
    if (!view->registration)
        return -ENOMEM;
    view->registration->handler->myvoid = view;
    if (netsnmp_register_handler(view->registration) != MIB_REGISTERED_OK) {
        view->registration = NULL; /* net-snmp freed it */
        return -EEXIST;
    }
    return 0;
}

int guest_mib_register(struct guest_table *table, guest_set_function set, guest_cpu_read_function cpu_read,
                       void *userdata, struct guest_mib **out)
{
    struct guest_mib *mib = calloc(1, sizeof(*mib));
    int r;

    if (!mib)
        return -ENOMEM;
    mib->table = table;
    mib->set = set;
    mib->cpu_read = cpu_read;
    mib->userdata = userdata;
    r = register_view(mib, &mib->libvirt, &libvirt_guest_oids, "libvirtGuestTable", HANDLER_CAN_RWRITE);
    if (r == 0)
        r = register_view(mib, &mib->virtbus, &virtbus_guest_oids, "virtbusGuestTable", HANDLER_CAN_RONLY);
    if (r < 0) {
        guest_mib_unregister(mib);
        return r;
    }
    *out = mib;
    return 0;
}

void guest_mib_unregister(struct guest_mib *mib)
{
    if (!mib)
        return;
    if (mib->libvirt.registration)
        netsnmp_unregister_handler(mib->libvirt.registration);
    if (mib->virtbus.registration)
        netsnmp_unregister_handler(mib->virtbus.registration);
    free(mib);
}
