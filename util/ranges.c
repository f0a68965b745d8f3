/* Set and clear ranges of a map of booleans, applied in order in linear time (CPU and node sets). */
#include <errno.h>
#include <stdlib.h>

#include "util/macros.h"
#include "util/ranges.h"

int vb_ranges_add(struct vb_ranges *ranges, unsigned int first, unsigned int last, bool value)
{
    if (ranges->n == ranges->allocated) {
        size_t n = ranges->allocated ? ranges->allocated * 2 : 16;
        struct vb_range *items = reallocarray(ranges->items, n, sizeof(*items));

        if (!items)
            return -ENOMEM;
        ranges->items = items;
        ranges->allocated = n;
    }
    ranges->items[ranges->n++] = (struct vb_range){ .first = first, .last = last, .value = value };
    return 0;
}

/* The first position at or after `at` that no later range has decided (path halving). */
static unsigned int next_open(unsigned int *next, unsigned int at)
{
    while (next[at] != at) {
        next[at] = next[next[at]];
        at = next[at];
    }
    return at;
}

int vb_ranges_apply(const struct vb_ranges *ranges, bool *map, unsigned int size)
{
    /* next[p] == p while p is open; a decided p points further on, and next[size] closes the map. */
    _cleanup_free_ unsigned int *next = NULL;

    if (size == 0 || ranges->n == 0)
        return 0;
    next = malloc(((size_t) size + 1) * sizeof(*next));
    if (!next)
        return -ENOMEM;
    for (unsigned int p = 0; p <= size; p++)
        next[p] = p;
    /* The last range to name a position decides it, so walk backwards and skip decided ones. */
    for (size_t i = ranges->n; i-- > 0;) {
        const struct vb_range *r = &ranges->items[i];
        unsigned int last = r->last < size ? r->last : size - 1;

        if (r->first >= size)
            continue;
        for (unsigned int p = next_open(next, r->first); p <= last; p = next_open(next, p + 1)) {
            map[p] = r->value;
            next[p] = p + 1;
        }
    }
    return 0;
}

void vb_ranges_clear(struct vb_ranges *ranges)
{
    free(ranges->items);
    *ranges = (struct vb_ranges){ 0 };
}
