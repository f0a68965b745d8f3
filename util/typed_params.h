/* Typed parameters (libvirt's virTypedParameter): named values drivers return for stats,
 * tunables and job info; front ends encode them for their bus. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "util/error.h"

/* Numbered as libvirt's virTypedParameterType. */
enum vb_param_type {
    VB_PARAM_INT = 1,
    VB_PARAM_UINT = 2,
    VB_PARAM_LLONG = 3,
    VB_PARAM_ULLONG = 4,
    VB_PARAM_DOUBLE = 5,
    VB_PARAM_BOOLEAN = 6,
    VB_PARAM_STRING = 7,
};

struct vb_typed_param {
    char *name;
    enum vb_param_type type;
    union {
        int i;
        unsigned int ui;
        long long ll;
        unsigned long long ull;
        double d;
        bool b;
        char *s;
    } value;
};

struct vb_typed_params {
    struct vb_typed_param *items;
    size_t n, allocated;
};

#define VB_TYPED_PARAMS_INIT ((struct vb_typed_params){ 0 })

/* Each returns 0, or -1 with err set (allocation failure); the list is unchanged on failure.
 * The name may be a printf format, as stats names carry indexes ("vcpu.0.state"). */
int vb_typed_params_add_int(struct vb_typed_params *p, struct vb_error *err, int value, const char *name, ...)
    _printf_(4, 5);
int vb_typed_params_add_uint(struct vb_typed_params *p, struct vb_error *err, unsigned int value, const char *name,
                             ...) _printf_(4, 5);
int vb_typed_params_add_llong(struct vb_typed_params *p, struct vb_error *err, long long value, const char *name,
                              ...) _printf_(4, 5);
int vb_typed_params_add_ullong(struct vb_typed_params *p, struct vb_error *err, unsigned long long value,
                               const char *name, ...) _printf_(4, 5);
int vb_typed_params_add_double(struct vb_typed_params *p, struct vb_error *err, double value, const char *name,
                               ...) _printf_(4, 5);
int vb_typed_params_add_boolean(struct vb_typed_params *p, struct vb_error *err, bool value, const char *name, ...)
    _printf_(4, 5);
int vb_typed_params_add_string(struct vb_typed_params *p, struct vb_error *err, const char *value,
                               const char *name, ...) _printf_(4, 5);

const struct vb_typed_param *vb_typed_params_find(const struct vb_typed_params *p, const char *name);

void vb_typed_params_clear(struct vb_typed_params *p);
/* A deep copy into dst (whose previous contents are not freed); dst is untouched on failure. */
int vb_typed_params_copy(struct vb_typed_params *dst, const struct vb_typed_params *src, struct vb_error *err);
