/* virtbusctl: virsh-style tables and label/value blocks, and JSON documents (json-c). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include <json-c/json.h>

#include "util/macros.h"

struct ctl_table;

struct ctl_table *ctl_table_new(size_t n_columns, const char *const *headers);
void ctl_table_free(struct ctl_table *table);
DEFINE_CLEANUP_FUNC(struct ctl_table, ctl_table_free)

/* Copies n_columns cells; returns -ENOMEM on failure. */
int ctl_table_add_row(struct ctl_table *table, const char *const *cells);
void ctl_table_print(const struct ctl_table *table);

/* One "Label:         value" line, as virsh dominfo prints it. */
void ctl_print_field(const char *label, const char *fmt, ...) _printf_(2, 3);

DEFINE_CLEANUP_FUNC(struct json_object, json_object_put)

/* Prints one JSON document and a newline on stdout: pretty for listings, one line for events. */
int ctl_json_print(struct json_object *document, bool one_line);

/* Adds key → value to an object; a NULL value (allocation failure) makes it fail. */
int ctl_json_add(struct json_object *object, const char *key, struct json_object *value);
