/* A string-keyed hash map of pointers (open addressing); the map does not own keys or values. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

struct vb_hashmap;

struct vb_hashmap *vb_hashmap_new(void);
void vb_hashmap_free(struct vb_hashmap *map);
/* Frees the map after calling free_value on every value in it. */
void vb_hashmap_free_with(struct vb_hashmap *map, void (*free_value)(void *value));

/* Adds or replaces. The key string must stay valid while it is in the map (usually it is a
 * field of the value). Returns 0, or -ENOMEM (map unchanged). */
int vb_hashmap_put(struct vb_hashmap *map, const char *key, void *value);
void *vb_hashmap_get(const struct vb_hashmap *map, const char *key);
/* Returns the removed value, or NULL. */
void *vb_hashmap_remove(struct vb_hashmap *map, const char *key);
size_t vb_hashmap_size(const struct vb_hashmap *map);
