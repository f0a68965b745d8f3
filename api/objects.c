/* Object references shared by the secondary driver tables, and the answer for the kinds no
 * driver serves (secrets, network filters). */
#include <stdlib.h>
#include <string.h>

#include "api/objects.h"

void vb_object_ref_clear(struct vb_object_ref *ref)
{
    if (!ref)
        return;
    free(ref->name);
    free(ref->key);
    free(ref->path);
    free(ref->parent);
    free(ref->mac);
    *ref = (struct vb_object_ref){ 0 };
}

void vb_object_refs_free(struct vb_object_ref *refs, size_t n)
{
    for (size_t i = 0; refs && i < n; i++)
        vb_object_ref_clear(&refs[i]);
    free(refs);
}

int vb_object_refs_append(struct vb_object_ref **refs, size_t *n, size_t *allocated, struct vb_object_ref *ref,
                          struct vb_error *err)
{
    if (*n == *allocated) {
        size_t grown_size = *allocated ? *allocated * 2 : 16;
        struct vb_object_ref *grown = reallocarray(*refs, grown_size, sizeof(*grown));

        if (!grown) {
            vb_object_ref_clear(ref);
            return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
        }
        *refs = grown;
        *allocated = grown_size;
    }
    (*refs)[(*n)++] = *ref;
    *ref = (struct vb_object_ref){ 0 };
    return 0;
}

static int copy_string(char **dst, const char *src)
{
    *dst = src ? strdup(src) : NULL;
    return src && !*dst ? -ENOMEM : 0;
}

int vb_object_ref_copy(struct vb_object_ref *dst, const struct vb_object_ref *src)
{
    *dst = *src;
    dst->name = dst->key = dst->path = dst->parent = dst->mac = NULL;
    if (copy_string(&dst->name, src->name) < 0 || copy_string(&dst->key, src->key) < 0 ||
        copy_string(&dst->path, src->path) < 0 || copy_string(&dst->parent, src->parent) < 0 ||
        copy_string(&dst->mac, src->mac) < 0) {
        vb_object_ref_clear(dst);
        return -ENOMEM;
    }
    return 0;
}

/* One pair of libvirt's filter flags: neither or both set lets everything pass. */
static bool pair_passes(unsigned int flags, unsigned int if_true, unsigned int if_false, bool value)
{
    unsigned int pair = flags & (if_true | if_false);

    return pair == 0 || pair == (if_true | if_false) || (pair == if_true) == value;
}

bool vb_object_ref_matches(const struct vb_object_ref *ref, unsigned int flags)
{
    return pair_passes(flags, VB_LIST_OBJ_ACTIVE, VB_LIST_OBJ_INACTIVE, ref->active) &&
           pair_passes(flags, VB_LIST_OBJ_PERSISTENT, VB_LIST_OBJ_TRANSIENT, ref->persistent) &&
           pair_passes(flags, VB_LIST_OBJ_AUTOSTART, VB_LIST_OBJ_NO_AUTOSTART, ref->autostart);
}

int vb_objects_unsupported(enum vb_operation op, struct vb_error *err)
{
    return vb_error_set(err, VB_ERR_NO_SUPPORT, "%s", vb_operation_api(op));
}
