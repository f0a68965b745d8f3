/* Building and freeing typed parameter lists. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/typed_params.h"

/* Appends an item with a formatted name; the caller fills the value. */
static struct vb_typed_param *append(struct vb_typed_params *p, enum vb_param_type type, struct vb_error *err,
                                     const char *fmt, va_list ap)
{
    struct vb_typed_param *item;
    char *name = NULL;

    if (p->n == p->allocated) {
        size_t want = p->allocated ? p->allocated * 2 : 8;
        struct vb_typed_param *grown = realloc(p->items, want * sizeof(*grown));

        if (!grown) {
            vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
            return NULL;
        }
        p->items = grown;
        p->allocated = want;
    }
    if (vasprintf(&name, fmt, ap) < 0) {
        vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
        return NULL;
    }
    item = &p->items[p->n++];
    *item = (struct vb_typed_param){ .name = name, .type = type };
    return item;
}

#define DEFINE_ADD(suffix, ctype, type_id, member)                                                        \
    int vb_typed_params_add_##suffix(struct vb_typed_params *p, struct vb_error *err, ctype value,       \
                                     const char *name, ...)                                              \
    {                                                                                                    \
        struct vb_typed_param *item;                                                                     \
        va_list ap;                                                                                      \
                                                                                                         \
        va_start(ap, name);                                                                              \
        item = append(p, type_id, err, name, ap);                                                        \
        va_end(ap);                                                                                      \
        if (!item)                                                                                       \
            return -1;                                                                                   \
        item->value.member = value;                                                                      \
        return 0;                                                                                        \
    }

DEFINE_ADD(int, int, VB_PARAM_INT, i)
DEFINE_ADD(uint, unsigned int, VB_PARAM_UINT, ui)
DEFINE_ADD(llong, long long, VB_PARAM_LLONG, ll)
DEFINE_ADD(ullong, unsigned long long, VB_PARAM_ULLONG, ull)
DEFINE_ADD(double, double, VB_PARAM_DOUBLE, d)
DEFINE_ADD(boolean, bool, VB_PARAM_BOOLEAN, b)

int vb_typed_params_add_string(struct vb_typed_params *p, struct vb_error *err, const char *value,
                               const char *name, ...)
{
    struct vb_typed_param *item;
    char *copy = strdup(value ? value : "");
    va_list ap;

    if (!copy)
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    va_start(ap, name);
    item = append(p, VB_PARAM_STRING, err, name, ap);
    va_end(ap);
    if (!item) {
        free(copy);
        return -1;
    }
    item->value.s = copy;
    return 0;
}

const struct vb_typed_param *vb_typed_params_find(const struct vb_typed_params *p, const char *name)
{
    for (size_t i = 0; i < p->n; i++)
        if (streq(p->items[i].name, name))
            return &p->items[i];
    return NULL;
}

void vb_typed_params_clear(struct vb_typed_params *p)
{
    for (size_t i = 0; i < p->n; i++) {
        free(p->items[i].name);
        if (p->items[i].type == VB_PARAM_STRING)
            free(p->items[i].value.s);
    }
    free(p->items);
    *p = VB_TYPED_PARAMS_INIT;
}

int vb_typed_params_copy(struct vb_typed_params *dst, const struct vb_typed_params *src, struct vb_error *err)
{
    struct vb_typed_params copy = VB_TYPED_PARAMS_INIT;

    if (src->n > 0 && !(copy.items = calloc(src->n, sizeof(*copy.items))))
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    copy.allocated = src->n;
    for (; copy.n < src->n; copy.n++) {
        const struct vb_typed_param *from = &src->items[copy.n];
        struct vb_typed_param *to = &copy.items[copy.n];

        *to = *from;
        to->name = strdup(from->name);
        if (from->type == VB_PARAM_STRING)
            to->value.s = strdup(from->value.s ? from->value.s : "");
        if (!to->name || (from->type == VB_PARAM_STRING && !to->value.s)) {
            copy.n++;
            vb_typed_params_clear(&copy);
            return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
        }
    }
    *dst = copy;
    return 0;
}
