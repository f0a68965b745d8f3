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
/* The longest entry OID (virtbusGuestEntry) and instance OID. */
#define GUEST_ENTRY_OID_MAX 11
#define GUEST_INSTANCE_OID_MAX (GUEST_ENTRY_OID_MAX + 1 + GUEST_UUID_LEN)

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

/* VIRTBUS-MIB (data/VIRTBUS-MIB.txt): what LIBVIRT-MIB lacks, in a subtree of the same
 * enterprise that LIBVIRT-MIB does not use: virtbusMIB = libvirtMIB 100. virtbusGuestTable
 * augments libvirtGuestTable (same rows, same index). */
enum virtbus_column {
    VIRTBUS_COL_HOST = 1,
    VIRTBUS_COL_LAST_EVENT = 2,
    VIRTBUS_COL_LAST_DETAIL = 3,
    VIRTBUS_COL_LAST_SEQ = 4,
};

/* One table's OIDs: its entry and the columns a walk shows, ascending. */
struct guest_oid_table {
    const oid *entry;
    size_t entry_len;
    const unsigned long *columns;
    size_t n_columns;
};

extern const struct guest_oid_table libvirt_guest_oids, virtbus_guest_oids;
extern const oid guest_notif_oid[LIBVIRT_MIB_OID_LEN + 2];

bool guest_column_readable(const struct guest_oid_table *t, unsigned long column);

/* Writes the OID of (column, uuid) into out; returns its length (at most GUEST_INSTANCE_OID_MAX). */
size_t guest_instance_oid(const struct guest_oid_table *t, oid *out, unsigned long column,
                          const unsigned char uuid[GUEST_UUID_LEN]);

/* The instance a GET names: 0 with *column and uuid, -ENOENT when name is not an instance of a
 * readable column (*column then 0 if the column itself is unknown). */
int guest_instance_parse(const struct guest_oid_table *t, const oid *name, size_t len, unsigned long *column,
                         unsigned char uuid[GUEST_UUID_LEN]);

/* The first instance after name (at or after when inclusive) in the table's walk order
 * (column by column, rows by UUID). Returns 0 with *column and *row set, -ENOENT past the end. */
int guest_instance_next(const struct guest_oid_table *t, const struct guest_table *table, const oid *name,
                        size_t len, bool inclusive, unsigned long *column, size_t *row);
