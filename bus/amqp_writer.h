/* A small writer of AMQP 1.0 encoded bytes, for messages whose layout is fixed (the JSON events
 * every subscriber gets): no pn_message or pn_data in between, one growing buffer. Pure. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct amqp_writer {
    char *data;
    size_t len, cap;
    bool failed; /* out of memory: every later write is ignored */
};

/* Message sections (AMQP 1.0 section 3.2), written as their described-type header. */
enum amqp_section {
    AMQP_SECTION_PROPERTIES = 0x73,
    AMQP_SECTION_APPLICATION_PROPERTIES = 0x74,
    AMQP_SECTION_DATA = 0x75,
};

void amqp_writer_reset(struct amqp_writer *w);
void amqp_writer_free(struct amqp_writer *w);

void amqp_put_raw(struct amqp_writer *w, const void *bytes, size_t size);
void amqp_put_null(struct amqp_writer *w);
void amqp_put_ulong(struct amqp_writer *w, uint64_t value);
void amqp_put_string(struct amqp_writer *w, const char *value);
void amqp_put_symbol(struct amqp_writer *w, const char *value);
void amqp_put_section(struct amqp_writer *w, enum amqp_section section);

/* A list or map, always in its 32-bit form: begin returns where it starts, end fills in its
 * size and its count of items (a map counts keys and values). */
size_t amqp_begin_list(struct amqp_writer *w);
size_t amqp_begin_map(struct amqp_writer *w);
void amqp_end_compound(struct amqp_writer *w, size_t start, uint32_t count);

/* A vbin32 whose bytes follow: begin, write them with amqp_put_raw, end fills in the length. */
size_t amqp_begin_binary(struct amqp_writer *w);
void amqp_end_binary(struct amqp_writer *w, size_t start);
