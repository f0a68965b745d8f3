/* bench/snmp's floor: the least an AgentX subagent can do for a walk through snmpd. It serves a
 * read-only table of N rows by 7 columns, shaped as libvirtGuestTable (rows indexed by 16
 * sub-identifiers, as a UUID is; one string, five integers and a counter64 per row), from a
 * sorted array, in net-snmp's own agent loop. Walking it through the same snmpd, with the same
 * snmpbulkwalk, measures what the AgentX hop itself costs, so the bench can tell virtbus-snmp's
 * cost from the master's.
 *
 *   snmp-floor-subagent AGENTX_SOCKET ROWS
 *
 * Serves 1.3.6.1.4.1.99999.1.1 (private, unused by anything here); prints "ready" once
 * registered. Built by bench/snmp/run.sh; not part of the daemon. */
#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/agent/net-snmp-agent-includes.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define INDEX_LEN 16
#define COLUMNS 7

static const oid entry_oid[] = { 1, 3, 6, 1, 4, 1, 99999, 1, 1 };
#define ENTRY_LEN OID_LENGTH(entry_oid)

static unsigned long n_rows;
static volatile sig_atomic_t stopping;

/* Row i's index: 12 fixed sub-identifiers, then i's four bytes (rows sort by i). */
static void row_index(unsigned long i, oid out[INDEX_LEN])
{
    for (int k = 0; k < INDEX_LEN - 4; k++)
        out[k] = 0x42;
    for (int k = 0; k < 4; k++)
        out[INDEX_LEN - 1 - k] = (i >> (8 * k)) & 0xffu;
}

/* The first row whose index is after suffix (or equal, when inclusive); n_rows when none. */
static unsigned long first_row_after(const oid *suffix, size_t len, int inclusive)
{
    unsigned long lo = 0, hi = n_rows;
    oid index[INDEX_LEN];

    while (lo < hi) {
        unsigned long mid = lo + (hi - lo) / 2;
        int c;

        row_index(mid, index);
        c = snmp_oid_compare(index, INDEX_LEN, suffix, len);
        if (c > 0 || (c == 0 && inclusive))
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

static void set_value(netsnmp_variable_list *var, unsigned long column, unsigned long row)
{
    char name[32];
    struct counter64 c64 = { .high = 0, .low = row * 1000u };
    long number = (long) (row % 8u);

    switch (column) {
    case 1:
        snprintf(name, sizeof(name), "bench-%lu", row);
        snmp_set_var_typed_value(var, ASN_OCTET_STR, name, strlen(name));
        break;
    case 6:
        snmp_set_var_typed_value(var, ASN_COUNTER64, &c64, sizeof(c64));
        break;
    default:
        snmp_set_var_typed_value(var, column == 4 ? ASN_GAUGE : ASN_INTEGER, &number, sizeof(number));
        break;
    }
}

/* The next instance after var's name in this table, or nothing (the master moves on). */
static void get_next(netsnmp_request_info *request)
{
    netsnmp_variable_list *var = request->requestvb;
    oid name[ENTRY_LEN + 1 + INDEX_LEN];
    unsigned long column = 1, row = 0;

    if (snmp_oid_compare(var->name, var->name_length, entry_oid, ENTRY_LEN) > 0) {
        if (netsnmp_oid_is_subtree(entry_oid, ENTRY_LEN, var->name, var->name_length) != 0)
            return; /* after the table */
        if (var->name_length > ENTRY_LEN) {
            column = var->name[ENTRY_LEN] < 1 ? 1 : var->name[ENTRY_LEN];
            if (var->name[ENTRY_LEN] >= 1)
                row = first_row_after(var->name + ENTRY_LEN + 1, var->name_length - ENTRY_LEN - 1,
                                      request->inclusive);
        }
    }
    if (row >= n_rows) {
        column++;
        row = 0;
    }
    if (column > COLUMNS || n_rows == 0)
        return;
    memcpy(name, entry_oid, sizeof(entry_oid));
    name[ENTRY_LEN] = column;
    row_index(row, name + ENTRY_LEN + 1);
    snmp_set_var_objid(var, name, OID_LENGTH(name));
    set_value(var, column, row);
}

static int handler(netsnmp_mib_handler *handler, netsnmp_handler_registration *registration,
                   netsnmp_agent_request_info *reqinfo, netsnmp_request_info *requests)
{
    (void) handler;
    (void) registration;
    for (netsnmp_request_info *request = requests; request; request = request->next) {
        if (request->processed)
            continue;
        if (reqinfo->mode == MODE_GETNEXT)
            get_next(request);
        else if (reqinfo->mode == MODE_GET)
            netsnmp_set_request_error(reqinfo, request, SNMP_NOSUCHINSTANCE); /* walks only */
        else
            netsnmp_set_request_error(reqinfo, request, SNMP_ERR_NOTWRITABLE);
    }
    return SNMP_ERR_NOERROR;
}

static void on_signal(int sig)
{
    (void) sig;
    stopping = 1;
}

int main(int argc, char **argv)
{
    netsnmp_handler_registration *registration;

    if (argc != 3 || (n_rows = strtoul(argv[2], NULL, 10)) == 0) {
        fprintf(stderr, "usage: %s AGENTX_SOCKET ROWS\n", argv[0]);
        return 2;
    }
    netsnmp_ds_set_boolean(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_ROLE, 1);
    netsnmp_ds_set_string(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_X_SOCKET, argv[1]);
    netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DONT_PERSIST_STATE, 1);
    netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DONT_READ_CONFIGS, 1);
    init_agent("snmp-floor-subagent");
    registration = netsnmp_create_handler_registration("floorTable", handler, entry_oid, ENTRY_LEN,
                                                       HANDLER_CAN_RONLY);
    if (!registration || netsnmp_register_handler(registration) != MIB_REGISTERED_OK) {
        fprintf(stderr, "snmp-floor-subagent: cannot register the table\n");
        return 1;
    }
    init_snmp("snmp-floor-subagent");
    signal(SIGTERM, on_signal);
    signal(SIGINT, on_signal);
    printf("ready\n");
    fflush(stdout);
    while (!stopping)
        agent_check_and_process(1);
    snmp_shutdown("snmp-floor-subagent");
    return 0;
}
