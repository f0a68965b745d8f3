/* AMQP 1.0 type encodings (OASIS AMQP 1.0, part 1 "Types"): the few a fixed message layout needs. */
#include <stdlib.h>
#include <string.h>

#include "bus/amqp_writer.h"

enum {
    CODE_DESCRIBED = 0x00,
    CODE_NULL = 0x40,
    CODE_SMALLULONG = 0x53,
    CODE_ULONG = 0x80,
    CODE_VBIN32 = 0xb0,
    CODE_STR8 = 0xa1,
    CODE_STR32 = 0xb1,
    CODE_SYM8 = 0xa3,
    CODE_SYM32 = 0xb3,
    CODE_LIST32 = 0xd0,
    CODE_MAP32 = 0xd1,
};

void amqp_writer_reset(struct amqp_writer *w)
{
    w->len = 0;
    w->failed = false;
}

void amqp_writer_free(struct amqp_writer *w)
{
    free(w->data);
    *w = (struct amqp_writer){ 0 };
}

static bool reserve(struct amqp_writer *w, size_t more)
{
    size_t cap = w->cap ? w->cap : 512;
    char *data;

    if (w->failed)
        return false;
    if (w->len + more <= w->cap)
        return true;
    while (cap < w->len + more)
        cap *= 2;
    if (!(data = realloc(w->data, cap))) {
        w->failed = true;
        return false;
    }
    w->data = data;
    w->cap = cap;
    return true;
}

void amqp_put_raw(struct amqp_writer *w, const void *bytes, size_t size)
{
    if (size == 0 || !reserve(w, size))
        return;
    memcpy(w->data + w->len, bytes, size);
    w->len += size;
}

static void put_u8(struct amqp_writer *w, uint8_t value)
{
    amqp_put_raw(w, &value, 1);
}

static void store_u32(char *at, uint32_t value)
{
    for (int i = 3; i >= 0; i--, value >>= 8)
        at[i] = (char) (value & 0xffu);
}

static void put_u32(struct amqp_writer *w, uint32_t value)
{
    char bytes[4];

    store_u32(bytes, value);
    amqp_put_raw(w, bytes, sizeof(bytes));
}

void amqp_put_null(struct amqp_writer *w)
{
    put_u8(w, CODE_NULL);
}

void amqp_put_ulong(struct amqp_writer *w, uint64_t value)
{
    char bytes[9] = { (char) CODE_ULONG };

    for (int i = 8; i >= 1; i--, value >>= 8)
        bytes[i] = (char) (value & 0xffu);
    amqp_put_raw(w, bytes, sizeof(bytes));
}

static void put_variable(struct amqp_writer *w, uint8_t code8, uint8_t code32, const char *value)
{
    size_t len = strlen(value);

    if (len <= 0xff) {
        put_u8(w, code8);
        put_u8(w, (uint8_t) len);
    } else {
        put_u8(w, code32);
        put_u32(w, (uint32_t) len);
    }
    amqp_put_raw(w, value, len);
}

void amqp_put_string(struct amqp_writer *w, const char *value)
{
    put_variable(w, CODE_STR8, CODE_STR32, value);
}

void amqp_put_symbol(struct amqp_writer *w, const char *value)
{
    put_variable(w, CODE_SYM8, CODE_SYM32, value);
}

void amqp_put_section(struct amqp_writer *w, enum amqp_section section)
{
    const char header[] = { (char) CODE_DESCRIBED, (char) CODE_SMALLULONG, (char) section };

    amqp_put_raw(w, header, sizeof(header));
}

/* code, then 8 bytes (size and count) filled in by amqp_end_compound */
static size_t begin_compound(struct amqp_writer *w, uint8_t code)
{
    size_t start = w->len;

    put_u8(w, code);
    put_u32(w, 0);
    put_u32(w, 0);
    return start;
}

size_t amqp_begin_list(struct amqp_writer *w)
{
    return begin_compound(w, CODE_LIST32);
}

size_t amqp_begin_map(struct amqp_writer *w)
{
    return begin_compound(w, CODE_MAP32);
}

void amqp_end_compound(struct amqp_writer *w, size_t start, uint32_t count)
{
    if (w->failed)
        return;
    /* the size counts what follows the size field: the count and the items */
    store_u32(w->data + start + 1, (uint32_t) (w->len - start - 5));
    store_u32(w->data + start + 5, count);
}

size_t amqp_begin_binary(struct amqp_writer *w)
{
    size_t start = w->len;

    put_u8(w, CODE_VBIN32);
    put_u32(w, 0);
    return start;
}

void amqp_end_binary(struct amqp_writer *w, size_t start)
{
    if (!w->failed)
        store_u32(w->data + start + 1, (uint32_t) (w->len - start - 5));
}
