/* LIBVIRT-MIB's OIDs and the pure arithmetic of libvirtGuestTable instances (column + the
 * 16-byte UUID as 16 sub-identifiers: a fixed-size string index carries no length, RFC 2578 7.7). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>

#include "bridges/snmp/guest_table.h"

/* libvirtMIB: enterprises 36957 */
#define LIBVIRT_MIB_OID 1, 3, 6, 1, 4, 1, 36957
#define LIBVIRT_MIB_OID_LEN 7
/* libvirtGuestEntry: libvirtObjects(1) libvirtGuestTable(1) entry(1) */
#define GUEST_ENTRY_OID_LEN 10
#define GUEST_INSTANCE_OID_LEN (GUEST_ENTRY_OID_LEN + 1 + GUEST_UUID_LEN)

enum guest_column {
    GUEST_COL_UUID = 1, /* accessible-for-notify: in traps, never in walks */
    GUEST_COL_NAME = 2,
    GUEST_COL_STATE = 3,
    GUEST_COL_CPU_COUNT = 4,
    GUEST_COL_MEMORY_CURRENT = 5,
    GUEST_COL_MEMORY_LIMIT = 6,
    GUEST_COL_CPU_TIME = 7,
    GUEST_COL_ROW_STATUS = 9,
};

extern const oid guest_entry_oid[GUEST_ENTRY_OID_LEN];
extern const oid guest_notif_oid[LIBVIRT_MIB_OID_LEN + 2];

/* Whether column is one a walk or GET shows. */
bool guest_column_readable(unsigned long column);

/* Writes the OID of (column, uuid) into out (GUEST_INSTANCE_OID_LEN sub-identifiers). */
void guest_instance_oid(oid *out, unsigned long column, const unsigned char uuid[GUEST_UUID_LEN]);

/* The instance a GET names: 0 with *column and uuid, -ENOENT when name is not an instance of a
 * readable column (*column then 0 if the column itself is unknown). */
int guest_instance_parse(const oid *name, size_t len, unsigned long *column, unsigned char uuid[GUEST_UUID_LEN]);

/* The first instance after name (at or after when inclusive) in the table's walk order
 * (column by column, rows by UUID). Returns 0 with *column and *row set, -ENOENT past the end. */
int guest_instance_next(const struct guest_table *table, const oid *name, size_t len, bool inclusive,
                        unsigned long *column, size_t *row);
