/* Set and clear ranges of a map of booleans, applied in order in linear time (CPU and node sets). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* The ranges of a set such as "0-3,^2,5", in the order they were read. Applying them one by one
 * costs the sum of their lengths: "0-65535" repeated a million times in one string would keep
 * the daemon busy for seconds. Applied from the last with vb_ranges_apply, each entry of the
 * map is written once. */
struct vb_ranges {
    struct vb_range {
        unsigned int first, last;
        bool value;
    } *items;
    size_t n, allocated;
};

/* Appends [first, last] (first <= last) to be set to value. Returns 0 or -ENOMEM. */
int vb_ranges_add(struct vb_ranges *ranges, unsigned int first, unsigned int last, bool value);

/* Writes map[0..size) as if every range had been applied in order, later ranges winning;
 * entries no range names are left as they are, positions at or beyond size are ignored.
 * Returns 0 or -ENOMEM (map unchanged). */
int vb_ranges_apply(const struct vb_ranges *ranges, bool *map, unsigned int size);

void vb_ranges_clear(struct vb_ranges *ranges);
