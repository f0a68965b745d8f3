/* Strings with their positions, sorted once so that finding one costs log n, not a linear walk. */
#include <stdlib.h>
#include <string.h>

#include "util/name_index.h"

static int compare_refs(const void *a, const void *b)
{
    const struct vb_name_ref *x = a, *y = b;
    int c = strcmp(x->name, y->name);

    return c ? c : (x->at > y->at) - (x->at < y->at);
}

void vb_name_index_sort(struct vb_name_ref *refs, size_t n)
{
    if (n > 1)
        qsort(refs, n, sizeof(*refs), compare_refs);
}

const struct vb_name_ref *vb_name_index_find(const struct vb_name_ref *refs, size_t n, const char *name)
{
    size_t lo = 0, hi = n;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (strcmp(refs[mid].name, name) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && strcmp(refs[lo].name, name) == 0 ? &refs[lo] : NULL;
}
