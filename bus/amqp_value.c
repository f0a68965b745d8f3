/* Reading and writing AMQP typed values the way QMF maps use them. */
#include <stdlib.h>
#include <string.h>

#include "bus/amqp_value.h"

static bool bytes_equal(pn_bytes_t bytes, const char *text)
{
    size_t len = strlen(text);

    return bytes.size == len && memcmp(bytes.start, text, len) == 0;
}

static bool key_is(pn_data_t *data, const char *key)
{
    switch (pn_data_type(data)) {
    case PN_STRING: return bytes_equal(pn_data_get_string(data), key);
    case PN_SYMBOL: return bytes_equal(pn_data_get_symbol(data), key);
    default: return false;
    }
}

bool bus_map_find(pn_data_t *data, const char *key)
{
    if (pn_data_type(data) != PN_MAP || !pn_data_enter(data))
        return false;
    while (pn_data_next(data)) {
        bool match = key_is(data, key);
        if (!pn_data_next(data))
            break;
        if (match)
            return true;
    }
    pn_data_exit(data);
    return false;
}

char *bus_value_dup_string(pn_data_t *data)
{
    pn_bytes_t bytes;
    char *copy;

    if (pn_data_type(data) == PN_STRING)
        bytes = pn_data_get_string(data);
    else if (pn_data_type(data) == PN_SYMBOL)
        bytes = pn_data_get_symbol(data);
    else
        return NULL;
    if (memchr(bytes.start, '\0', bytes.size))
        return NULL;
    copy = malloc(bytes.size + 1);
    if (!copy)
        return NULL;
    memcpy(copy, bytes.start, bytes.size);
    copy[bytes.size] = '\0';
    return copy;
}

bool bus_value_get_int64(pn_data_t *data, int64_t *out)
{
    uint64_t u;

    switch (pn_data_type(data)) {
    case PN_BYTE: *out = pn_data_get_byte(data); return true;
    case PN_SHORT: *out = pn_data_get_short(data); return true;
    case PN_INT: *out = pn_data_get_int(data); return true;
    case PN_LONG: *out = pn_data_get_long(data); return true;
    case PN_UBYTE: *out = pn_data_get_ubyte(data); return true;
    case PN_USHORT: *out = pn_data_get_ushort(data); return true;
    case PN_UINT: *out = pn_data_get_uint(data); return true;
    case PN_ULONG:
        u = pn_data_get_ulong(data);
        if (u > INT64_MAX)
            return false;
        *out = (int64_t) u;
        return true;
    default: return false;
    }
}

bool bus_value_get_uint64(pn_data_t *data, uint64_t *out)
{
    int64_t v;

    if (pn_data_type(data) == PN_ULONG) {
        *out = pn_data_get_ulong(data);
        return true;
    }
    if (!bus_value_get_int64(data, &v) || v < 0)
        return false;
    *out = (uint64_t) v;
    return true;
}

static bool is_container(pn_type_t type)
{
    return type == PN_MAP || type == PN_LIST || type == PN_ARRAY || type == PN_DESCRIBED;
}

/* Iterative over siblings, recursive over depth, and the recursion stops at limit + 1. */
unsigned int bus_value_depth(pn_data_t *data, unsigned int limit)
{
    unsigned int deepest = 0;

    if (!is_container(pn_data_type(data)))
        return 0;
    if (limit == 0)
        return 1;
    if (!pn_data_enter(data))
        return 1;
    while (pn_data_next(data)) {
        unsigned int d = bus_value_depth(data, limit - 1);
        if (d > deepest)
            deepest = d;
        if (deepest >= limit)
            break;
    }
    pn_data_exit(data);
    return deepest + 1;
}

void bus_put_string(pn_data_t *data, const char *key, const char *value)
{
    pn_data_put_string(data, pn_bytes(strlen(key), key));
    pn_data_put_string(data, pn_bytes(strlen(value ? value : ""), value ? value : ""));
}

void bus_put_uint64(pn_data_t *data, const char *key, uint64_t value)
{
    pn_data_put_string(data, pn_bytes(strlen(key), key));
    pn_data_put_ulong(data, value);
}

void bus_put_int64(pn_data_t *data, const char *key, int64_t value)
{
    pn_data_put_string(data, pn_bytes(strlen(key), key));
    pn_data_put_long(data, value);
}

void bus_put_uint32(pn_data_t *data, const char *key, uint32_t value)
{
    pn_data_put_string(data, pn_bytes(strlen(key), key));
    pn_data_put_uint(data, value);
}

void bus_put_bool(pn_data_t *data, const char *key, bool value)
{
    pn_data_put_string(data, pn_bytes(strlen(key), key));
    pn_data_put_bool(data, value);
}

void bus_put_map(pn_data_t *data, const char *key)
{
    pn_data_put_string(data, pn_bytes(strlen(key), key));
    pn_data_put_map(data);
    pn_data_enter(data);
}

void bus_put_object_id(pn_data_t *data, const char *key, const char *object_name, const char *agent_name)
{
    bus_put_map(data, key);
    bus_put_string(data, "_object_name", object_name);
    bus_put_string(data, "_agent_name", agent_name);
    pn_data_exit(data);
}

static int copy_scalar(pn_data_t *dst, pn_data_t *src)
{
    switch (pn_data_type(src)) {
    case PN_NULL: return pn_data_put_null(dst);
    case PN_BOOL: return pn_data_put_bool(dst, pn_data_get_bool(src));
    case PN_UBYTE: return pn_data_put_ubyte(dst, pn_data_get_ubyte(src));
    case PN_BYTE: return pn_data_put_byte(dst, pn_data_get_byte(src));
    case PN_USHORT: return pn_data_put_ushort(dst, pn_data_get_ushort(src));
    case PN_SHORT: return pn_data_put_short(dst, pn_data_get_short(src));
    case PN_UINT: return pn_data_put_uint(dst, pn_data_get_uint(src));
    case PN_INT: return pn_data_put_int(dst, pn_data_get_int(src));
    case PN_CHAR: return pn_data_put_char(dst, pn_data_get_char(src));
    case PN_ULONG: return pn_data_put_ulong(dst, pn_data_get_ulong(src));
    case PN_LONG: return pn_data_put_long(dst, pn_data_get_long(src));
    case PN_TIMESTAMP: return pn_data_put_timestamp(dst, pn_data_get_timestamp(src));
    case PN_FLOAT: return pn_data_put_float(dst, pn_data_get_float(src));
    case PN_DOUBLE: return pn_data_put_double(dst, pn_data_get_double(src));
    case PN_DECIMAL32: return pn_data_put_decimal32(dst, pn_data_get_decimal32(src));
    case PN_DECIMAL64: return pn_data_put_decimal64(dst, pn_data_get_decimal64(src));
    case PN_DECIMAL128: return pn_data_put_decimal128(dst, pn_data_get_decimal128(src));
    case PN_UUID: return pn_data_put_uuid(dst, pn_data_get_uuid(src));
    case PN_BINARY: return pn_data_put_binary(dst, pn_data_get_binary(src));
    case PN_STRING: return pn_data_put_string(dst, pn_data_get_string(src));
    case PN_SYMBOL: return pn_data_put_symbol(dst, pn_data_get_symbol(src));
    default: return -1;
    }
}

static int copy_value(pn_data_t *dst, pn_data_t *src, unsigned int depth)
{
    int r;

    switch (pn_data_type(src)) {
    case PN_MAP: r = pn_data_put_map(dst); break;
    case PN_LIST: r = pn_data_put_list(dst); break;
    case PN_DESCRIBED: r = pn_data_put_described(dst); break;
    case PN_ARRAY:
        r = pn_data_put_array(dst, pn_data_is_array_described(src), pn_data_get_array_type(src));
        break;
    default: return copy_scalar(dst, src);
    }
    if (r != 0)
        return r;
    if (depth == 0)
        return -1;
    pn_data_enter(src);
    pn_data_enter(dst);
    while (r == 0 && pn_data_next(src))
        r = copy_value(dst, src, depth - 1);
    pn_data_exit(src);
    pn_data_exit(dst);
    return r;
}

int bus_value_copy(pn_data_t *dst, pn_data_t *src)
{
    return copy_value(dst, src, BUS_VALUE_MAX_DEPTH);
}
