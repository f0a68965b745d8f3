/* libvirtGuestTable instance OIDs: parsing a GET's name and finding a GETNEXT's successor (pure). */
#include <errno.h>
#include <string.h>

#include "bridges/snmp/guest_oid.h"

const oid guest_entry_oid[GUEST_ENTRY_OID_LEN] = {LIBVIRT_MIB_OID, 1, 1, 1};
const oid guest_notif_oid[LIBVIRT_MIB_OID_LEN + 2] = {LIBVIRT_MIB_OID, 0, 1};

static const unsigned long readable_columns[] = {
    GUEST_COL_NAME,           GUEST_COL_STATE,     GUEST_COL_CPU_COUNT,  GUEST_COL_MEMORY_CURRENT,
    GUEST_COL_MEMORY_LIMIT,   GUEST_COL_CPU_TIME,  GUEST_COL_ROW_STATUS,
};
#define N_READABLE (sizeof(readable_columns) / sizeof(readable_columns[0]))

bool guest_column_readable(unsigned long column)
{
    for (size_t i = 0; i < N_READABLE; i++)
        if (readable_columns[i] == column)
            return true;
    return false;
}

void guest_instance_oid(oid *out, unsigned long column, const unsigned char uuid[GUEST_UUID_LEN])
{
    memcpy(out, guest_entry_oid, sizeof(guest_entry_oid));
    out[GUEST_ENTRY_OID_LEN] = column;
    for (size_t i = 0; i < GUEST_UUID_LEN; i++)
        out[GUEST_ENTRY_OID_LEN + 1 + i] = uuid[i];
}

int guest_instance_parse(const oid *name, size_t len, unsigned long *column, unsigned char uuid[GUEST_UUID_LEN])
{
    *column = 0;
    if (len <= GUEST_ENTRY_OID_LEN || memcmp(name, guest_entry_oid, sizeof(guest_entry_oid)) != 0 ||
        !guest_column_readable(name[GUEST_ENTRY_OID_LEN]))
        return -ENOENT;
    *column = name[GUEST_ENTRY_OID_LEN];
    if (len != GUEST_INSTANCE_OID_LEN)
        return -ENOENT;
    for (size_t i = 0; i < GUEST_UUID_LEN; i++) {
        oid sub = name[GUEST_ENTRY_OID_LEN + 1 + i];
        if (sub > 255)
            return -ENOENT;
        uuid[i] = (unsigned char) sub;
    }
    return 0;
}

/* Compares a row's index (16 sub-identifiers) with an OID suffix, lexicographically. */
static int compare_index(const struct guest_row *row, const oid *suffix, size_t len)
{
    for (size_t i = 0; i < GUEST_UUID_LEN && i < len; i++) {
        if (row->uuid[i] != suffix[i])
            return row->uuid[i] < suffix[i] ? -1 : 1;
    }
    if (len == GUEST_UUID_LEN)
        return 0;
    return len < GUEST_UUID_LEN ? 1 : -1;
}

/* First row whose index is after suffix (or equal, when inclusive). */
static size_t first_row_after(const struct guest_table *table, const oid *suffix, size_t len, bool inclusive)
{
    size_t low = 0, high = table->count;

    while (low < high) {
        size_t mid = low + (high - low) / 2;
        int c = compare_index(table->rows[mid], suffix, len);
        if (c > 0 || (inclusive && c == 0))
            high = mid;
        else
            low = mid + 1;
    }
    return low;
}

static int first_column_after(unsigned long column, unsigned long *out)
{
    for (size_t i = 0; i < N_READABLE; i++) {
        if (readable_columns[i] > column) {
            *out = readable_columns[i];
            return 0;
        }
    }
    return -ENOENT;
}

int guest_instance_next(const struct guest_table *table, const oid *name, size_t len, bool inclusive,
                        unsigned long *column, size_t *row)
{
    size_t prefix = len < GUEST_ENTRY_OID_LEN ? len : GUEST_ENTRY_OID_LEN;
    int c = snmp_oid_compare(name, prefix, guest_entry_oid, prefix);

    if (table->count == 0 || c > 0)
        return -ENOENT;
    *row = 0;
    if (c < 0 || len <= GUEST_ENTRY_OID_LEN) {
        *column = readable_columns[0];
        return 0;
    }
    if (!guest_column_readable(name[GUEST_ENTRY_OID_LEN]))
        return first_column_after(name[GUEST_ENTRY_OID_LEN], column);
    *column = name[GUEST_ENTRY_OID_LEN];
    *row = first_row_after(table, name + GUEST_ENTRY_OID_LEN + 1, len - GUEST_ENTRY_OID_LEN - 1, inclusive);
    if (*row < table->count)
        return 0;
    *row = 0;
    return first_column_after(*column, column);
}
