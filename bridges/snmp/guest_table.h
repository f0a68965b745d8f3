/* The guests virtbus-snmp serves: rows kept sorted by UUID (the libvirtGuestTable index), so
 * GET and GETNEXT are binary searches even with tens of thousands of domains. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <proton/codec.h>

#define GUEST_UUID_LEN 16
#define GUEST_NAME_MAX 256
#define GUEST_HOST_MAX 256

/* libvirtGuestState values (LIBVIRT-MIB). */
enum guest_state {
    GUEST_STATE_RUNNING = 1,
    GUEST_STATE_BLOCKED = 2,
    GUEST_STATE_PAUSED = 3,
    GUEST_STATE_SHUTDOWN = 4,
    GUEST_STATE_SHUTOFF = 5,
    GUEST_STATE_CRASHED = 6,
};

/* RowStatus values (SNMPv2-TC). */
enum guest_row_status {
    GUEST_ROW_ACTIVE = 1,
    GUEST_ROW_NOT_IN_SERVICE = 2,
    GUEST_ROW_CREATE_AND_GO = 4,
    GUEST_ROW_CREATE_AND_WAIT = 5,
    GUEST_ROW_DESTROY = 6,
};

/* What a QMF Domain object says about a domain. */
struct guest_info {
    unsigned char uuid[GUEST_UUID_LEN];
    bool have_uuid;
    char name[GUEST_NAME_MAX];
    char state_name[32];
    bool active;
    uint32_t vcpus;
    uint64_t memory_kib, max_memory_kib, cpu_time_ns;
};

struct guest_row {
    unsigned char uuid[GUEST_UUID_LEN];
    char name[GUEST_NAME_MAX];
    char host[GUEST_HOST_MAX];
    int state;       /* enum guest_state */
    bool active;
    uint32_t vcpus;
    uint32_t memory_mib, max_memory_mib;
    uint64_t cpu_time_ns;
    char last_event[64];   /* the last event seen for the domain (VIRTBUS-MIB), "" before any */
    char last_detail[64];
    uint64_t last_seq;
    bool seen;       /* marked by a full reload; rows left unmarked are stale */
};

struct guest_table {
    struct guest_row **rows; /* sorted by uuid */
    size_t count, capacity;
};

void guest_table_clear(struct guest_table *table);

/* Index of the row with uuid, or of where it would go (*found says which). */
size_t guest_table_search(const struct guest_table *table, const unsigned char uuid[GUEST_UUID_LEN], bool *found);

struct guest_row *guest_table_find(const struct guest_table *table, const unsigned char uuid[GUEST_UUID_LEN]);

/* Creates or updates the row for info; returns it, or NULL when out of memory or info has no UUID. */
struct guest_row *guest_table_update(struct guest_table *table, const struct guest_info *info, const char *host);

/* Removes the row; returns whether there was one. */
bool guest_table_remove(struct guest_table *table, const unsigned char uuid[GUEST_UUID_LEN]);

/* Full reloads: unmark every row, update what the reload lists, then drop the rest. Returns the
 * number of rows dropped. Only rows of host are touched (all rows when host is NULL). */
void guest_table_unmark(struct guest_table *table, const char *host);
size_t guest_table_sweep(struct guest_table *table, const char *host);

/* libvirt's state name (as QMF reports it) to libvirtGuestState. The MIB has no value for
 * libvirt's "nostate" (0) and "pmsuspended" (7), which libvirt-snmp let leak out of range:
 * pmsuspended is paused (no vCPU runs), nostate is running for an active domain and shutoff for
 * an inactive one; any unknown name is treated as nostate. */
int guest_state_from_name(const char *name, bool active);

/* Lifecycle events (virtbus's JSON names): whether event is one (a trap is due), and the state
 * it leaves the domain in (0 when the event implies none: defined, undefined). Later events may
 * have moved the domain on by the time its row is read; the trap reports this event's state. */
bool guest_event_is_lifecycle(const char *event);
int guest_event_state(const char *event);

/* RowStatus shown for a row: active while the domain runs, notInService while it is defined
 * but not running. */
int guest_row_status(const struct guest_row *row);

/* Sets a field of info from one QMF Domain property (a qmf_map_visitor's arguments). */
void guest_info_set_property(struct guest_info *info, const char *key, size_t key_len, pn_data_t *value);

/* Fills info from a QMF Domain object's _values map (data inside it). */
void guest_info_read(pn_data_t *values, struct guest_info *info);
