/* libFuzzer target: parse untrusted domain XML; whatever parses must format, re-parse and
 * reach a fixpoint, copy and free without any sanitizer report. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/domain_def.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const unsigned int format_flags[] = {
    0,
    VB_DOMAIN_XML_SECURE,
    VB_DOMAIN_XML_INACTIVE,
    VB_DOMAIN_XML_SECURE | VB_DOMAIN_XML_INACTIVE,
};

static void fail(const char *what, const char *xml, const struct vb_error *err)
{
    fprintf(stderr, "%s: %s\n--- document ---\n%s\n", what, vb_error_message(err), xml ? xml : "");
    abort();
}

/* format(def) must parse again and format to the very same text. */
static char *check_round_trip(const struct vb_domain_def *def, unsigned int flags)
{
    struct vb_error err = VB_ERROR_INIT;
    struct vb_domain_def *again;
    char *first, *second;

    first = vb_domain_def_format(def, flags, &err);
    if (!first)
        fail("format failed", NULL, &err);
    again = vb_domain_def_parse_string(first, &err);
    if (!again)
        fail("formatted output does not parse", first, &err);
    second = vb_domain_def_format(again, flags, &err);
    if (!second)
        fail("second format failed", first, &err);
    if (strcmp(first, second) != 0) {
        fprintf(stderr, "--- second ---\n%s\n", second);
        fail("no fixpoint after one round trip", first, &err);
    }
    free(second);
    vb_domain_def_free(again);
    return first;
}

/* Edits go through the kept XML: what reads it back agrees with the parsed fields, and an
 * edited definition still formats to a fixpoint. */
static void check_device_edits(struct vb_domain_def *copy, const char *secure_text)
{
    struct vb_error err = VB_ERROR_INIT;

    for (size_t i = 0; i < copy->n_devices; i++) {
        char *type = vb_device_def_get_attribute(copy->devices[i], "type");

        if (!streq_nullable(type, copy->devices[i]->type))
            fail("device type attribute differs from its field", secure_text, &err);
        free(type);
        if (vb_device_def_set_child_attribute(copy->devices[i], "stats", "period", "5", &err) < 0)
            fail("setting a child attribute failed", secure_text, &err);
    }
    free(check_round_trip(copy, VB_DOMAIN_XML_SECURE));
}

static void check_copy(const struct vb_domain_def *def, const char *secure_text)
{
    struct vb_error err = VB_ERROR_INIT;
    struct vb_domain_def *copy = vb_domain_def_copy(def, &err);
    char *text;

    if (!copy)
        fail("copy failed", secure_text, &err);
    text = vb_domain_def_format(copy, VB_DOMAIN_XML_SECURE, &err);
    if (!text || strcmp(text, secure_text) != 0)
        fail("copy formats differently", secure_text, &err);
    for (size_t i = 0; i < copy->n_devices; i++)
        if (vb_domain_def_find_device(copy, copy->devices[i]) < 0)
            fail("device not found in its own domain", secure_text, &err);
    check_device_edits(copy, secure_text);
    while (copy->n_devices)
        vb_domain_def_remove_device(copy, copy->n_devices - 1);
    free(text);
    vb_domain_def_free(copy);
}

static void fuzz_domain(const char *xml)
{
    struct vb_error err = VB_ERROR_INIT;
    struct vb_domain_def *def = vb_domain_def_parse_string(xml, &err);

    if (!def) {
        if (!vb_error_is_set(&err) || !err.message)
            fail("parse failed without an error", xml, &err);
        vb_error_clear(&err);
        return;
    }
    for (size_t i = 0; i < sizeof(format_flags) / sizeof(format_flags[0]); i++) {
        char *text = check_round_trip(def, format_flags[i]);

        if (format_flags[i] == VB_DOMAIN_XML_SECURE)
            check_copy(def, text);
        free(text);
    }
    vb_domain_def_free(def);
}

static void fuzz_device(const char *xml)
{
    struct vb_error err = VB_ERROR_INIT;
    struct vb_device_def *dev = vb_device_def_parse_string(xml, &err);

    vb_error_clear(&err);
    vb_device_def_free(dev);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *xml = malloc(size + 1);

    if (!xml)
        return 0;
    memcpy(xml, data, size);
    xml[size] = '\0';
    fuzz_domain(xml);
    fuzz_device(xml);
    free(xml);
    return 0;
}
