/* The guests virtbus-snmp serves, sorted by UUID; and the mapping of QMF Domain objects to rows. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <proton/codec.h>

#include "bridges/common/qmf_console.h"
#include "bridges/snmp/guest_table.h"
#include "util/uuid.h"

void guest_table_clear(struct guest_table *table)
{
    for (size_t i = 0; i < table->count; i++)
        free(table->rows[i]);
    free(table->rows);
    memset(table, 0, sizeof(*table));
}

size_t guest_table_search(const struct guest_table *table, const unsigned char uuid[GUEST_UUID_LEN], bool *found)
{
    size_t low = 0, high = table->count;

    while (low < high) {
        size_t mid = low + (high - low) / 2;
        int c = memcmp(table->rows[mid]->uuid, uuid, GUEST_UUID_LEN);
        if (c == 0) {
            *found = true;
            return mid;
        }
        if (c < 0)
            low = mid + 1;
        else
            high = mid;
    }
    *found = false;
    return low;
}

struct guest_row *guest_table_find(const struct guest_table *table, const unsigned char uuid[GUEST_UUID_LEN])
{
    bool found;
    size_t i = guest_table_search(table, uuid, &found);

    return found ? table->rows[i] : NULL;
}

static struct guest_row *insert_at(struct guest_table *table, size_t at)
{
    struct guest_row *row;

    if (table->count == table->capacity) {
        size_t capacity = table->capacity ? table->capacity * 2 : 64;
        struct guest_row **rows = realloc(table->rows, capacity * sizeof(*rows));
        if (!rows)
            return NULL;
        table->rows = rows;
        table->capacity = capacity;
    }
    row = calloc(1, sizeof(*row));
    if (!row)
        return NULL;
    memmove(table->rows + at + 1, table->rows + at, (table->count - at) * sizeof(*table->rows));
    table->rows[at] = row;
    table->count++;
    return row;
}

static uint32_t kib_to_mib(uint64_t kib)
{
    uint64_t mib = kib / 1024u;
    return mib > UINT32_MAX ? UINT32_MAX : (uint32_t) mib;
}

struct guest_row *guest_table_update(struct guest_table *table, const struct guest_info *info, const char *host)
{
    bool found;
    size_t at;
    struct guest_row *row;

    if (!info->have_uuid)
        return NULL;
    at = guest_table_search(table, info->uuid, &found);
    row = found ? table->rows[at] : insert_at(table, at);
    if (!row)
        return NULL;
    memcpy(row->uuid, info->uuid, GUEST_UUID_LEN);
    memcpy(row->name, info->name, sizeof(row->name));
    strncpy(row->host, host ? host : "", sizeof(row->host) - 1);
    row->active = info->active;
    row->state = guest_state_from_name(info->state_name, info->active);
    row->vcpus = info->vcpus > 65535 ? 65535 : info->vcpus;
    row->memory_mib = kib_to_mib(info->memory_kib);
    row->max_memory_mib = kib_to_mib(info->max_memory_kib);
    row->cpu_time_ns = info->cpu_time_ns;
    row->seen = true;
    return row;
}

bool guest_table_remove(struct guest_table *table, const unsigned char uuid[GUEST_UUID_LEN])
{
    bool found;
    size_t at = guest_table_search(table, uuid, &found);

    if (!found)
        return false;
    free(table->rows[at]);
    memmove(table->rows + at, table->rows + at + 1, (table->count - at - 1) * sizeof(*table->rows));
    table->count--;
    return true;
}

static bool row_of_host(const struct guest_row *row, const char *host)
{
    return !host || strcmp(row->host, host) == 0;
}

void guest_table_unmark(struct guest_table *table, const char *host)
{
    for (size_t i = 0; i < table->count; i++)
        if (row_of_host(table->rows[i], host))
            table->rows[i]->seen = false;
}

size_t guest_table_sweep(struct guest_table *table, const char *host)
{
    size_t kept = 0, dropped = 0;

    for (size_t i = 0; i < table->count; i++) {
        struct guest_row *row = table->rows[i];
        if (!row->seen && row_of_host(row, host)) {
            free(row);
            dropped++;
        } else {
            table->rows[kept++] = row;
        }
    }
    table->count = kept;
    return dropped;
}

int guest_state_from_name(const char *name, bool active)
{
    static const struct {
        const char *name;
        int state;
    } states[] = {
        {"running", GUEST_STATE_RUNNING},   {"blocked", GUEST_STATE_BLOCKED}, {"paused", GUEST_STATE_PAUSED},
        {"shutdown", GUEST_STATE_SHUTDOWN}, {"shutoff", GUEST_STATE_SHUTOFF}, {"crashed", GUEST_STATE_CRASHED},
        {"pmsuspended", GUEST_STATE_PAUSED},
    };

    for (size_t i = 0; i < sizeof(states) / sizeof(states[0]); i++)
        if (strcmp(name, states[i].name) == 0)
            return states[i].state;
    return active ? GUEST_STATE_RUNNING : GUEST_STATE_SHUTOFF;
}

static const struct {
    const char *event;
    int state;
} lifecycle_events[] = {
    {"defined", 0},
    {"undefined", 0},
    {"started", GUEST_STATE_RUNNING},
    {"suspended", GUEST_STATE_PAUSED},
    {"resumed", GUEST_STATE_RUNNING},
    {"stopped", GUEST_STATE_SHUTOFF},
    {"shutdown", GUEST_STATE_SHUTDOWN},
    {"pmsuspended", GUEST_STATE_PAUSED},
    {"crashed", GUEST_STATE_CRASHED},
};

bool guest_event_is_lifecycle(const char *event)
{
    for (size_t i = 0; i < sizeof(lifecycle_events) / sizeof(lifecycle_events[0]); i++)
        if (strcmp(event, lifecycle_events[i].event) == 0)
            return true;
    return false;
}

int guest_event_state(const char *event)
{
    for (size_t i = 0; i < sizeof(lifecycle_events) / sizeof(lifecycle_events[0]); i++)
        if (strcmp(event, lifecycle_events[i].event) == 0)
            return lifecycle_events[i].state;
    return 0;
}

int guest_row_status(const struct guest_row *row)
{
    return row->active ? GUEST_ROW_ACTIVE : GUEST_ROW_NOT_IN_SERVICE;
}

static bool key_is(const char *key, size_t len, const char *want)
{
    return len == strlen(want) && memcmp(key, want, len) == 0;
}

void guest_info_set_property(struct guest_info *info, const char *key, size_t key_len, pn_data_t *value)
{
    uint64_t number;

    if (key_is(key, key_len, "uuid")) {
        char text[VB_UUID_STRING_LEN + 1];
        info->have_uuid = qmf_value_string(value, text, sizeof(text)) == 0 && vb_uuid_parse(text, info->uuid) == 0;
    } else if (key_is(key, key_len, "name")) {
        if (qmf_value_string(value, info->name, sizeof(info->name)) < 0)
            info->name[0] = '\0';
    } else if (key_is(key, key_len, "state")) {
        if (qmf_value_string(value, info->state_name, sizeof(info->state_name)) < 0)
            info->state_name[0] = '\0';
    } else if (key_is(key, key_len, "active")) {
        qmf_value_bool(value, &info->active);
    } else if (key_is(key, key_len, "numVcpus")) {
        if (qmf_value_uint(value, &number) == 0)
            info->vcpus = number > UINT32_MAX ? UINT32_MAX : (uint32_t) number;
    } else if (key_is(key, key_len, "memory")) {
        qmf_value_uint(value, &info->memory_kib);
    } else if (key_is(key, key_len, "maximumMemory")) {
        qmf_value_uint(value, &info->max_memory_kib);
    } else if (key_is(key, key_len, "cpuTime")) {
        qmf_value_uint(value, &info->cpu_time_ns);
    }
}

static void read_property(const char *key, size_t len, pn_data_t *data, void *userdata)
{
    guest_info_set_property(userdata, key, len, data);
}

void guest_info_read(pn_data_t *values, struct guest_info *info)
{
    memset(info, 0, sizeof(*info));
    qmf_map_each(values, read_property, info);
}
