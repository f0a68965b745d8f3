/* Strings with their positions, sorted once so that finding one costs log n, not a linear walk. */
#pragma once

#include <stddef.h>

/* One string (borrowed) and where it sits in the list it indexes. */
struct vb_name_ref {
    const char *name;
    size_t at;
};

/* Sorts refs by name, then position, so equal names sit together, the first position first. */
void vb_name_index_sort(struct vb_name_ref *refs, size_t n);

/* The ref of the first position holding name in sorted refs, as a linear search from the start
 * of the list would find it; NULL when there is none. */
const struct vb_name_ref *vb_name_index_find(const struct vb_name_ref *refs, size_t n, const char *name);
