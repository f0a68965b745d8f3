/* libvirtGuestTable served through net-snmp: registration and the GET/GETNEXT/SET handler. */
#pragma once

#include "bridges/snmp/guest_table.h"

struct guest_mib;

/* What a SET asks of the domain behind a row, decided by guest_set_decide(). */
enum guest_action {
    GUEST_ACTION_NONE = 0,
    GUEST_ACTION_CREATE,   /* start a defined domain */
    GUEST_ACTION_SUSPEND,
    GUEST_ACTION_RESUME,
    GUEST_ACTION_SHUTDOWN,
    GUEST_ACTION_DESTROY,
};

/* Carries out action on the row's domain; calls guest_mib_set_done(token, snmp_error) later
 * (or never, if the request is dropped first). Returns 0, or an SNMP error at once. */
typedef int (*guest_set_function)(void *userdata, const struct guest_row *row, enum guest_action action,
                                  void *token);

/* Called when a CpuTime cell is read: the values are the last fetch's; the callee may start a
 * new fetch so that the next read sees fresh ones. */
typedef void (*guest_cpu_read_function)(void *userdata);

/* Registers the tables under the agent; table stays owned by the caller. */
int guest_mib_register(struct guest_table *table, guest_set_function set, guest_cpu_read_function cpu_read,
                       void *userdata, struct guest_mib **out);
void guest_mib_unregister(struct guest_mib *mib);

/* Ends a delegated SET: snmp_error is SNMP_ERR_NOERROR or an SNMP error status. */
void guest_mib_set_done(void *token, int snmp_error);

/* The action a SET of column to value asks of row (pure). Returns SNMP_ERR_NOERROR with
 * *action, or SNMP_ERR_WRONGVALUE (a value the column never takes), SNMP_ERR_INCONSISTENTVALUE
 * (a value the row cannot take now) or SNMP_ERR_NOTWRITABLE. */
int guest_set_decide(const struct guest_row *row, unsigned long column, long value, enum guest_action *action);

/* The QMF method name of an action. */
const char *guest_action_method(enum guest_action action);
