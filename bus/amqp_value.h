/* Reading and writing AMQP typed values (pn_data_t) the way QMF maps use them. Pure helpers:
 * no connection, no core; the QMF decoder and its fuzz target share them. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <proton/codec.h>

/* QMF nests maps a few levels deep; deeper input is refused, never walked. */
#define BUS_VALUE_MAX_DEPTH 32

/* With data positioned at a map, finds key (a string or symbol) and leaves data positioned at
 * its value inside the map (pn_data_exit returns to the map). False: not a map, or no key. */
bool bus_map_find(pn_data_t *data, const char *key);

/* The value at the current position as a new NUL-terminated string (string or symbol, no
 * embedded NUL). NULL: another type, or out of memory. */
char *bus_value_dup_string(pn_data_t *data);
/* Any integer type that fits; false otherwise. */
bool bus_value_get_int64(pn_data_t *data, int64_t *out);
bool bus_value_get_uint64(pn_data_t *data, uint64_t *out);

/* How deeply the value at the current position nests (a scalar: 0), stopping at limit + 1. */
unsigned int bus_value_depth(pn_data_t *data, unsigned int limit);

/* Appends a copy of the value at src's current position (src keeps its position; proton's
 * pn_data_appendn copies from the start instead). -1 when deeper than BUS_VALUE_MAX_DEPTH. */
int bus_value_copy(pn_data_t *dst, pn_data_t *src);

/* Writers: each appends one key/value pair to the map data is inside. */
void bus_put_string(pn_data_t *data, const char *key, const char *value);
void bus_put_uint64(pn_data_t *data, const char *key, uint64_t value);
void bus_put_int64(pn_data_t *data, const char *key, int64_t value);
void bus_put_uint32(pn_data_t *data, const char *key, uint32_t value);
void bus_put_bool(pn_data_t *data, const char *key, bool value);
/* Appends key and an empty map, and enters it (pn_data_exit leaves it). */
void bus_put_map(pn_data_t *data, const char *key);
/* An object id map {_object_name, _agent_name} under key. */
void bus_put_object_id(pn_data_t *data, const char *key, const char *object_name, const char *agent_name);
