/* String-keyed hash map: linear probing with backward-shift deletion, so no tombstones pile up. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/hashmap.h"

#define MIN_CAPACITY 16

struct entry {
    const char *key; /* NULL marks an empty slot */
    void *value;
    uint64_t hash;   /* kept so growing never rehashes strings and probes compare cheaply */
};

struct vb_hashmap {
    struct entry *entries;
    size_t capacity; /* a power of two */
    size_t size;
};

/* FNV-1a, 64-bit: simple, with good spread for short names like "vm-00042". */
static uint64_t hash_string(const char *key)
{
    uint64_t h = UINT64_C(14695981039346656037);

    for (const unsigned char *p = (const unsigned char *) key; *p; p++) {
        h ^= *p;
        h *= UINT64_C(1099511628211);
    }
    /* Fold the high bits in: the mask below keeps only the low ones. */
    return h ^ (h >> 32);
}

static size_t slot_of(const struct vb_hashmap *map, uint64_t hash)
{
    return (size_t) hash & (map->capacity - 1);
}

/* Index of key, or of the empty slot where it would go. The load bound keeps an empty slot. */
static size_t find_slot(const struct vb_hashmap *map, const char *key, uint64_t hash)
{
    size_t i = slot_of(map, hash);

    while (map->entries[i].key) {
        if (map->entries[i].hash == hash && strcmp(map->entries[i].key, key) == 0)
            return i;
        i = (i + 1) & (map->capacity - 1);
    }
    return i;
}

struct vb_hashmap *vb_hashmap_new(void)
{
    struct vb_hashmap *map = calloc(1, sizeof(*map));

    if (!map)
        return NULL;
    map->entries = calloc(MIN_CAPACITY, sizeof(*map->entries));
    if (!map->entries) {
        free(map);
        return NULL;
    }
    map->capacity = MIN_CAPACITY;
    return map;
}

void vb_hashmap_free(struct vb_hashmap *map)
{
    if (!map)
        return;
    free(map->entries);
    free(map);
}

void vb_hashmap_free_with(struct vb_hashmap *map, void (*free_value)(void *value))
{
    if (!map)
        return;
    for (size_t i = 0; i < map->capacity; i++)
        if (map->entries[i].key)
            free_value(map->entries[i].value);
    vb_hashmap_free(map);
}

static int grow(struct vb_hashmap *map)
{
    size_t old_capacity = map->capacity;
    struct entry *old = map->entries;
    struct entry *entries;

    if (old_capacity > SIZE_MAX / 2 / sizeof(*entries))
        return -ENOMEM;
    entries = calloc(old_capacity * 2, sizeof(*entries));
    if (!entries)
        return -ENOMEM;
    map->entries = entries;
    map->capacity = old_capacity * 2;
    for (size_t i = 0; i < old_capacity; i++)
        if (old[i].key)
            map->entries[find_slot(map, old[i].key, old[i].hash)] = old[i];
    free(old);
    return 0;
}

int vb_hashmap_put(struct vb_hashmap *map, const char *key, void *value)
{
    uint64_t hash = hash_string(key);
    size_t i = find_slot(map, key, hash);

    if (map->entries[i].key) {
        /* The new value's key replaces the old one, which may be freed with the old value. */
        map->entries[i].key = key;
        map->entries[i].value = value;
        return 0;
    }
    /* Grow past 70% load: linear probing degrades quickly beyond that. */
    if ((map->size + 1) * 10 > map->capacity * 7) {
        if (grow(map) < 0)
            return -ENOMEM;
        i = find_slot(map, key, hash);
    }
    map->entries[i] = (struct entry){ .key = key, .value = value, .hash = hash };
    map->size++;
    return 0;
}

void *vb_hashmap_get(const struct vb_hashmap *map, const char *key)
{
    size_t i;

    if (!map || !key)
        return NULL;
    i = find_slot(map, key, hash_string(key));
    return map->entries[i].key ? map->entries[i].value : NULL;
}

/* Pulls later members of the probe run back into the hole so every key stays reachable from
 * its home slot without a gap (Knuth's Algorithm R). */
static void backward_shift(struct vb_hashmap *map, size_t hole)
{
    size_t mask = map->capacity - 1;
    size_t i = hole;

    for (;;) {
        i = (i + 1) & mask;
        if (!map->entries[i].key)
            break;
        size_t home = slot_of(map, map->entries[i].hash);
        /* Movable unless its home lies cyclically in (hole, i]. */
        if (((i - home) & mask) >= ((i - hole) & mask)) {
            map->entries[hole] = map->entries[i];
            hole = i;
        }
    }
    map->entries[hole] = (struct entry){ 0 };
}

void *vb_hashmap_remove(struct vb_hashmap *map, const char *key)
{
    size_t i;
    void *value;

    if (!map || !key)
        return NULL;
    i = find_slot(map, key, hash_string(key));
    if (!map->entries[i].key)
        return NULL;
    value = map->entries[i].value;
    backward_shift(map, i);
    map->size--;
    return value;
}

size_t vb_hashmap_size(const struct vb_hashmap *map)
{
    return map ? map->size : 0;
}
