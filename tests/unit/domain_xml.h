/* For unit tests of the domain model: a definition parsed, or a definition formatted, where the
 * test expects success (a failure fails the test with the model's own message). */
#pragma once

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "conf/domain_def.h"

static inline struct vb_domain_def *parse_ok(const char *xml)
{
    struct vb_error err = VB_ERROR_INIT;
    struct vb_domain_def *def = vb_domain_def_parse_string(xml, &err);

    if (!def)
        fail_msg("parse failed: %s", vb_error_message(&err));
    assert_false(vb_error_is_set(&err));
    return def;
}

static inline char *format_ok(const struct vb_domain_def *def, unsigned int flags)
{
    struct vb_error err = VB_ERROR_INIT;
    char *text = vb_domain_def_format(def, flags, &err);

    if (!text)
        fail_msg("format failed: %s", vb_error_message(&err));
    return text;
}
