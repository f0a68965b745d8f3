/* virtbusctl: virsh-style tables and label/value blocks, and JSON documents (json-c). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/ctl_output.h"

struct ctl_table {
    size_t n_columns;
    char **cells; /* row-major; the first row holds the headers */
    size_t n_rows, rows_allocated;
};

void ctl_table_free(struct ctl_table *table)
{
    if (!table)
        return;
    for (size_t i = 0; i < table->n_rows * table->n_columns; i++)
        free(table->cells[i]);
    free(table->cells);
    free(table);
}

struct ctl_table *ctl_table_new(size_t n_columns, const char *const *headers)
{
    struct ctl_table *table = calloc(1, sizeof(*table));

    if (!table)
        return NULL;
    table->n_columns = n_columns;
    if (ctl_table_add_row(table, headers) < 0) {
        ctl_table_free(table);
        return NULL;
    }
    return table;
}

int ctl_table_add_row(struct ctl_table *table, const char *const *cells)
{
    char **row;

    if (table->n_rows == table->rows_allocated) {
        size_t n = table->rows_allocated ? table->rows_allocated * 2 : 8;
        char **grown = reallocarray(table->cells, n * table->n_columns, sizeof(*grown));
        if (!grown)
            return -ENOMEM;
        table->cells = grown;
        table->rows_allocated = n;
    }
    row = table->cells + table->n_rows * table->n_columns;
    for (size_t c = 0; c < table->n_columns; c++) {
        row[c] = strdup(cells[c] ? cells[c] : "");
        if (!row[c]) {
            while (c > 0)
                free(row[--c]);
            return -ENOMEM;
        }
    }
    table->n_rows++;
    return 0;
}

static size_t column_width(const struct ctl_table *table, size_t column)
{
    size_t width = 0;

    for (size_t r = 0; r < table->n_rows; r++) {
        size_t len = strlen(table->cells[r * table->n_columns + column]);
        if (len > width)
            width = len;
    }
    return width;
}

/* virsh's layout: one leading space, columns three spaces apart, a dashed rule under the header. */
static size_t print_row(const struct ctl_table *table, size_t row, const size_t *widths)
{
    size_t printed = 1;

    putchar(' ');
    for (size_t c = 0; c < table->n_columns; c++) {
        const char *cell = table->cells[row * table->n_columns + c];
        bool last = c + 1 == table->n_columns;
        int n = printf("%-*s%s", last ? 0 : (int) widths[c], cell, last ? "" : "   ");
        printed += n > 0 ? (size_t) n : 0;
    }
    putchar('\n');
    return printed;
}

void ctl_table_print(const struct ctl_table *table)
{
    size_t *widths = calloc(table->n_columns, sizeof(*widths));
    size_t rule = 0;

    if (!widths)
        return;
    for (size_t c = 0; c < table->n_columns; c++) {
        widths[c] = column_width(table, c);
        rule += widths[c] + 3;
    }
    print_row(table, 0, widths);
    for (size_t i = 0; i < rule + 1; i++)
        putchar('-');
    putchar('\n');
    for (size_t r = 1; r < table->n_rows; r++)
        print_row(table, r, widths);
    free(widths);
}

void ctl_print_field(const char *label, const char *fmt, ...)
{
    char key[64];
    va_list ap;

    snprintf(key, sizeof(key), "%s:", label);
    printf("%-15s ", key);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
}

int ctl_json_print(struct json_object *document, bool one_line)
{
    int flags = JSON_C_TO_STRING_NOSLASHESCAPE | (one_line ? JSON_C_TO_STRING_SPACED : JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED);
    const char *text = json_object_to_json_string_ext(document, flags);

    if (!text)
        return -ENOMEM;
    puts(text);
    return 0;
}

int ctl_json_add(struct json_object *object, const char *key, struct json_object *value)
{
    if (!value)
        return -ENOMEM;
    if (json_object_object_add(object, key, value) < 0) {
        json_object_put(value);
        return -ENOMEM;
    }
    return 0;
}
