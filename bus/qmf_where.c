/* QMF query predicates (_where): ["eq", "name", ["quote", "vm1"]], ["and", p, q], ... A bare
 * string operand names a property of the object; ["quote", v] and other scalars are literals. */
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bus/amqp_value.h"
#include "bus/qmf.h"

enum operand_kind { OPERAND_NONE, OPERAND_NUMBER, OPERAND_STRING, OPERAND_BOOL };

struct operand {
    enum operand_kind kind;
    double number;
    bool boolean;
    char *string;
};

struct where {
    pn_data_t *values; /* positioned at the object's _values map */
    char *err;
    size_t err_size;
};

static int fail(struct where *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int fail(struct where *w, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(w->err, w->err_size, fmt, ap);
    va_end(ap);
    return -1;
}

static void scalar_operand(pn_data_t *data, struct operand *out)
{
    int64_t i;
    uint64_t u;

    *out = (struct operand){ .kind = OPERAND_NONE };
    if (bus_value_get_int64(data, &i)) {
        *out = (struct operand){ .kind = OPERAND_NUMBER, .number = (double) i };
    } else if (bus_value_get_uint64(data, &u)) {
        *out = (struct operand){ .kind = OPERAND_NUMBER, .number = (double) u };
    } else if (pn_data_type(data) == PN_DOUBLE) {
        *out = (struct operand){ .kind = OPERAND_NUMBER, .number = pn_data_get_double(data) };
    } else if (pn_data_type(data) == PN_FLOAT) {
        *out = (struct operand){ .kind = OPERAND_NUMBER, .number = pn_data_get_float(data) };
    } else if (pn_data_type(data) == PN_BOOL) {
        *out = (struct operand){ .kind = OPERAND_BOOL, .boolean = pn_data_get_bool(data) };
    } else {
        char *s = bus_value_dup_string(data);
        if (s)
            *out = (struct operand){ .kind = OPERAND_STRING, .string = s };
    }
}

/* The property's value, or OPERAND_NONE when the object has no such property. */
static void property_operand(struct where *w, const char *name, struct operand *out)
{
    pn_handle_t point = pn_data_point(w->values);

    *out = (struct operand){ .kind = OPERAND_NONE };
    if (bus_map_find(w->values, name)) {
        scalar_operand(w->values, out);
        pn_data_exit(w->values);
    }
    pn_data_restore(w->values, point);
}

/* With data at an operand: a property name, ["quote", literal] or a literal. */
static int read_operand(struct where *w, pn_data_t *data, struct operand *out)
{
    if (pn_data_type(data) == PN_STRING || pn_data_type(data) == PN_SYMBOL) {
        char *name = bus_value_dup_string(data);
        if (!name)
            return fail(w, "%s", "a property name must be a string without NUL");
        property_operand(w, name, out);
        free(name);
        return 0;
    }
    if (pn_data_type(data) == PN_LIST) {
        char *op;
        pn_data_enter(data);
        op = pn_data_next(data) ? bus_value_dup_string(data) : NULL;
        if (!op || strcmp(op, "quote") != 0 || !pn_data_next(data)) {
            free(op);
            pn_data_exit(data);
            return fail(w, "%s", "a list operand must be [\"quote\", value]");
        }
        free(op);
        scalar_operand(data, out);
        pn_data_exit(data);
        return 0;
    }
    scalar_operand(data, out);
    return 0;
}

static int compare(const struct operand *a, const struct operand *b, bool *comparable)
{
    *comparable = a->kind == b->kind && a->kind != OPERAND_NONE;
    if (!*comparable)
        return 0;
    switch (a->kind) {
    case OPERAND_NUMBER: return a->number < b->number ? -1 : a->number > b->number;
    case OPERAND_STRING: return strcmp(a->string, b->string);
    case OPERAND_BOOL: return (int) a->boolean - (int) b->boolean;
    default: return 0;
    }
}

static int evaluate(struct where *w, pn_data_t *p);

static int evaluate_logic(struct where *w, pn_data_t *p, const char *op)
{
    bool is_and = strcmp(op, "and") == 0, is_not = strcmp(op, "not") == 0;
    bool result = is_and || is_not;
    size_t n = 0;

    while (pn_data_next(p)) {
        int r = evaluate(w, p);
        if (r < 0)
            return -1;
        n++;
        if (is_not)
            result = !r;
        else if (is_and)
            result = result && r;
        else
            result = result || r;
    }
    if (is_not && n != 1)
        return fail(w, "%s", "\"not\" takes one predicate");
    return result;
}

static int evaluate_regex(struct where *w, const struct operand *subject, const struct operand *pattern)
{
    regex_t re;
    int r;

    if (pattern->kind != OPERAND_STRING)
        return fail(w, "%s", "re_match needs a string pattern");
    /* Back-references make matching exponential: refused, as are very long patterns. */
    if (strlen(pattern->string) > 256)
        return fail(w, "%s", "re_match patterns are limited to 256 characters");
    for (const char *c = pattern->string; *c; c++)
        if (c[0] == '\\' && c[1] >= '1' && c[1] <= '9')
            return fail(w, "%s", "re_match patterns may not use back-references");
    if (regcomp(&re, pattern->string, REG_EXTENDED | REG_NOSUB) != 0)
        return fail(w, "invalid regular expression '%s'", pattern->string);
    r = subject->kind == OPERAND_STRING && regexec(&re, subject->string, 0, NULL, 0) == 0;
    regfree(&re);
    return r;
}

static int evaluate_comparison(struct where *w, pn_data_t *p, const char *op)
{
    struct operand a = { 0 }, b = { 0 };
    bool comparable;
    int c, r = -1;

    if (!pn_data_next(p) || read_operand(w, p, &a) < 0)
        goto out;
    if (strcmp(op, "exists") == 0) {
        r = a.kind != OPERAND_NONE;
        goto out;
    }
    if (!pn_data_next(p) || read_operand(w, p, &b) < 0) {
        if (!w->err[0])
            fail(w, "'%s' takes two operands", op);
        goto out;
    }
    if (strcmp(op, "re_match") == 0) {
        r = evaluate_regex(w, &a, &b);
        goto out;
    }
    c = compare(&a, &b, &comparable);
    if (strcmp(op, "eq") == 0) r = comparable && c == 0;
    else if (strcmp(op, "ne") == 0) r = !comparable || c != 0;
    else if (strcmp(op, "lt") == 0) r = comparable && c < 0;
    else if (strcmp(op, "le") == 0) r = comparable && c <= 0;
    else if (strcmp(op, "gt") == 0) r = comparable && c > 0;
    else if (strcmp(op, "ge") == 0) r = comparable && c >= 0;
    else r = fail(w, "unknown predicate operator '%s'", op);
out:
    free(a.string);
    free(b.string);
    return r;
}

/* With p at a predicate list. */
static int evaluate(struct where *w, pn_data_t *p)
{
    char *op;
    int r;

    if (pn_data_type(p) != PN_LIST)
        return fail(w, "%s", "a predicate must be a list");
    pn_data_enter(p);
    op = pn_data_next(p) ? bus_value_dup_string(p) : NULL;
    if (!op) {
        pn_data_exit(p);
        return fail(w, "%s", "a predicate starts with its operator's name");
    }
    if (strcmp(op, "true") == 0)
        r = 1;
    else if (strcmp(op, "false") == 0)
        r = 0;
    else if (strcmp(op, "and") == 0 || strcmp(op, "or") == 0 || strcmp(op, "not") == 0)
        r = evaluate_logic(w, p, op);
    else
        r = evaluate_comparison(w, p, op);
    free(op);
    pn_data_exit(p);
    return r;
}

int bus_qmf_where(pn_data_t *predicate, pn_data_t *values, char *err, size_t err_size)
{
    struct where w = { .values = values, .err = err, .err_size = err_size };
    pn_handle_t point = pn_data_point(predicate);
    int r;

    err[0] = '\0';
    if (bus_value_depth(predicate, BUS_VALUE_MAX_DEPTH) > BUS_VALUE_MAX_DEPTH)
        return fail(&w, "%s", "the predicate nests too deeply");
    /* An empty list matches everything (a locate request with no predicate). */
    if (pn_data_type(predicate) == PN_LIST && pn_data_get_list(predicate) == 0)
        return 1;
    r = evaluate(&w, predicate);
    pn_data_restore(predicate, point);
    return r;
}
