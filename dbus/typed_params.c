/* Typed parameters to and from a{sv}: double-wrapped out, single-wrapped in (libvirt-dbus's
 * virtDBusUtilTypedParamsToGVariant / virtDBusUtilGVariantToTypedParams). */
#include <stdlib.h>
#include <string.h>

#include "dbus/typed_params.h"

/* libvirt's VIR_TYPED_PARAM_FIELD_LENGTH, the NUL included. */
#define FIELD_LENGTH 80

struct wire_type {
    enum vb_param_type type;
    char code; /* D-Bus basic type */
};

static const struct wire_type wire_types[] = {
    { VB_PARAM_INT, SD_BUS_TYPE_INT32 },     { VB_PARAM_UINT, SD_BUS_TYPE_UINT32 },
    { VB_PARAM_LLONG, SD_BUS_TYPE_INT64 },   { VB_PARAM_ULLONG, SD_BUS_TYPE_UINT64 },
    { VB_PARAM_DOUBLE, SD_BUS_TYPE_DOUBLE }, { VB_PARAM_BOOLEAN, SD_BUS_TYPE_BOOLEAN },
    { VB_PARAM_STRING, SD_BUS_TYPE_STRING },
};

static char wire_code(enum vb_param_type type)
{
    for (size_t i = 0; i < ARRAY_SIZE(wire_types); i++)
        if (wire_types[i].type == type)
            return wire_types[i].code;
    return 0;
}

static enum vb_param_type param_type_for(char code)
{
    for (size_t i = 0; i < ARRAY_SIZE(wire_types); i++)
        if (wire_types[i].code == code)
            return wire_types[i].type;
    return 0;
}

static int append_value(sd_bus_message *m, const struct vb_typed_param *p, char code)
{
    switch (p->type) {
    case VB_PARAM_INT: return sd_bus_message_append_basic(m, code, &p->value.i);
    case VB_PARAM_UINT: return sd_bus_message_append_basic(m, code, &p->value.ui);
    case VB_PARAM_LLONG: {
        int64_t v = p->value.ll;
        return sd_bus_message_append_basic(m, code, &v);
    }
    case VB_PARAM_ULLONG: {
        uint64_t v = p->value.ull;
        return sd_bus_message_append_basic(m, code, &v);
    }
    case VB_PARAM_DOUBLE: return sd_bus_message_append_basic(m, code, &p->value.d);
    case VB_PARAM_BOOLEAN: {
        int v = p->value.b; /* sd-bus takes a D-Bus boolean as int */
        return sd_bus_message_append_basic(m, code, &v);
    }
    case VB_PARAM_STRING: return sd_bus_message_append_basic(m, code, p->value.s ? p->value.s : "");
    }
    return -EINVAL;
}

/* {name: <<value>>} */
static int append_entry(sd_bus_message *m, const struct vb_typed_param *p)
{
    char code = wire_code(p->type);
    int r;

    if (!code)
        return -EINVAL;
    r = sd_bus_message_open_container(m, SD_BUS_TYPE_DICT_ENTRY, "sv");
    if (r >= 0)
        r = sd_bus_message_append(m, "s", p->name);
    if (r >= 0)
        r = sd_bus_message_open_container(m, SD_BUS_TYPE_VARIANT, "v");
    if (r >= 0)
        r = sd_bus_message_open_container(m, SD_BUS_TYPE_VARIANT, (const char[]){ code, '\0' });
    if (r >= 0)
        r = append_value(m, p, code);
    for (int depth = 0; r >= 0 && depth < 3; depth++)
        r = sd_bus_message_close_container(m);
    return r;
}

int dbus_typed_params_append(sd_bus_message *m, const struct vb_typed_params *params)
{
    int r = sd_bus_message_open_container(m, SD_BUS_TYPE_ARRAY, "{sv}");

    for (size_t i = 0; r >= 0 && i < params->n; i++)
        r = append_entry(m, &params->items[i]);
    if (r >= 0)
        r = sd_bus_message_close_container(m);
    return r < 0 ? r : 0;
}

/* Reads one basic value of the given code and adds it to out under name. */
static int read_value(sd_bus_message *m, struct vb_typed_params *out, const char *name, char code,
                      struct vb_error *err)
{
    union {
        int32_t i;
        uint32_t u;
        int64_t x;
        uint64_t t;
        double d;
        int b;
        const char *s;
    } v;
    int r = sd_bus_message_read_basic(m, code, &v);

    if (r < 0)
        return r;
    switch (param_type_for(code)) {
    case VB_PARAM_INT: r = vb_typed_params_add_int(out, err, v.i, "%s", name); break;
    case VB_PARAM_UINT: r = vb_typed_params_add_uint(out, err, v.u, "%s", name); break;
    case VB_PARAM_LLONG: r = vb_typed_params_add_llong(out, err, v.x, "%s", name); break;
    case VB_PARAM_ULLONG: r = vb_typed_params_add_ullong(out, err, v.t, "%s", name); break;
    case VB_PARAM_DOUBLE: r = vb_typed_params_add_double(out, err, v.d, "%s", name); break;
    case VB_PARAM_BOOLEAN: r = vb_typed_params_add_boolean(out, err, v.b != 0, "%s", name); break;
    case VB_PARAM_STRING: r = vb_typed_params_add_string(out, err, v.s, "%s", name); break;
    default: return -EINVAL;
    }
    return r < 0 ? -ENOMEM : 0;
}

/* Reads {s: <value>}; an unusable entry is described in err and gives -EINVAL. */
static int read_entry(sd_bus_message *m, struct vb_typed_params *out, struct vb_error *err)
{
    const char *name, *contents;
    char type;
    int r;

    r = sd_bus_message_read(m, "s", &name);
    if (r < 0)
        return r;
    if (strlen(name) >= FIELD_LENGTH) {
        vb_error_set(err, VB_ERR_INVALID_ARG, "Field name '%s' too long", name);
        return -EINVAL;
    }
    r = sd_bus_message_peek_type(m, &type, &contents);
    if (r < 0)
        return r;
    if (!contents || strlen(contents) != 1 || !param_type_for(contents[0])) {
        vb_error_set(err, VB_ERR_INVALID_ARG, "typed parameter '%s' has unsupported type '%s'", name,
                     contents ? contents : "");
        return -EINVAL;
    }
    r = sd_bus_message_enter_container(m, SD_BUS_TYPE_VARIANT, contents);
    if (r >= 0)
        r = read_value(m, out, name, contents[0], err);
    if (r >= 0)
        r = sd_bus_message_exit_container(m);
    return r;
}

int dbus_typed_params_read(sd_bus_message *m, struct vb_typed_params *out, struct vb_error *err)
{
    int r;

    r = sd_bus_message_enter_container(m, SD_BUS_TYPE_ARRAY, "{sv}");
    while (r >= 0) {
        r = sd_bus_message_enter_container(m, SD_BUS_TYPE_DICT_ENTRY, "sv");
        if (r <= 0)
            break;
        r = read_entry(m, out, err);
        if (r >= 0)
            r = sd_bus_message_exit_container(m);
    }
    if (r >= 0)
        r = sd_bus_message_exit_container(m);
    if (r < 0)
        vb_typed_params_clear(out);
    return r < 0 ? r : 0;
}
