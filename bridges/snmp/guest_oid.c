/* libvirtGuestTable instance OIDs: parsing a GET's name and finding a GETNEXT's successor (pure). */
#include <errno.h>
#include <string.h>

#include "bridges/snmp/guest_oid.h"

static const oid libvirt_entry[] = {LIBVIRT_MIB_OID, 1, 1, 1};
static const unsigned long libvirt_columns[] = {
    GUEST_COL_NAME,         GUEST_COL_STATE,    GUEST_COL_CPU_COUNT,  GUEST_COL_MEMORY_CURRENT,
    GUEST_COL_MEMORY_LIMIT, GUEST_COL_CPU_TIME, GUEST_COL_ROW_STATUS,
};
static const oid virtbus_entry[] = {LIBVIRT_MIB_OID, 100, 1, 1, 1};
static const unsigned long virtbus_columns[] = {
    VIRTBUS_COL_HOST, VIRTBUS_COL_LAST_EVENT, VIRTBUS_COL_LAST_DETAIL, VIRTBUS_COL_LAST_SEQ,
};

const struct guest_oid_table libvirt_guest_oids = {libvirt_entry, OID_LENGTH(libvirt_entry), libvirt_columns,
                                                   sizeof(libvirt_columns) / sizeof(libvirt_columns[0])};
const struct guest_oid_table virtbus_guest_oids = {virtbus_entry, OID_LENGTH(virtbus_entry), virtbus_columns,
                                                   sizeof(virtbus_columns) / sizeof(virtbus_columns[0])};
const oid guest_notif_oid[LIBVIRT_MIB_OID_LEN + 2] = {LIBVIRT_MIB_OID, 0, 1};

bool guest_column_readable(const struct guest_oid_table *t, unsigned long column)
{
    for (size_t i = 0; i < t->n_columns; i++)
        if (t->columns[i] == column)
            return true;
    return false;
}

size_t guest_instance_oid(const struct guest_oid_table *t, oid *out, unsigned long column,
                          const unsigned char uuid[GUEST_UUID_LEN])
{
    memcpy(out, t->entry, t->entry_len * sizeof(oid));
    out[t->entry_len] = column;
    for (size_t i = 0; i < GUEST_UUID_LEN; i++)
        out[t->entry_len + 1 + i] = uuid[i];
    return t->entry_len + 1 + GUEST_UUID_LEN;
}

int guest_instance_parse(const struct guest_oid_table *t, const oid *name, size_t len, unsigned long *column,
                         unsigned char uuid[GUEST_UUID_LEN])
{
    *column = 0;
    if (len <= t->entry_len || memcmp(name, t->entry, t->entry_len * sizeof(oid)) != 0 ||
        !guest_column_readable(t, name[t->entry_len]))
        return -ENOENT;
    *column = name[t->entry_len];
    if (len != t->entry_len + 1 + GUEST_UUID_LEN)
        return -ENOENT;
    for (size_t i = 0; i < GUEST_UUID_LEN; i++) {
        oid sub = name[t->entry_len + 1 + i];
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

static int first_column_after(const struct guest_oid_table *t, unsigned long column, unsigned long *out)
{
    for (size_t i = 0; i < t->n_columns; i++) {
        if (t->columns[i] > column) {
            *out = t->columns[i];
            return 0;
        }
    }
    return -ENOENT;
}

int guest_instance_next(const struct guest_oid_table *t, const struct guest_table *table, const oid *name,
                        size_t len, bool inclusive, unsigned long *column, size_t *row)
{
    size_t prefix = len < t->entry_len ? len : t->entry_len;
    int c = snmp_oid_compare(name, prefix, t->entry, prefix);

    if (table->count == 0 || c > 0)
        return -ENOENT;
    *row = 0;
    if (c < 0 || len <= t->entry_len) {
        *column = t->columns[0];
        return 0;
    }
    if (!guest_column_readable(t, name[t->entry_len]))
        return first_column_after(t, name[t->entry_len], column);
    *column = name[t->entry_len];
    *row = first_row_after(table, name + t->entry_len + 1, len - t->entry_len - 1, inclusive);
    if (*row < table->count)
        return 0;
    *row = 0;
    return first_column_after(t, *column, column);
}
