/* Argument checks every public API function shares, in libvirt's wording. */
#include <string.h>

#include "api/checks.h"

int vb_check_report_unsupported(const char *api, struct vb_error *err)
{
    return vb_error_set(err, VB_ERR_NO_SUPPORT, "%s", api);
}

int vb_check_non_null(const void *arg, const char *name, const char *api, struct vb_error *err)
{
    if (!arg)
        return vb_error_set(err, VB_ERR_INVALID_ARG, "%s in %s must not be NULL", name, api);
    return 0;
}

int vb_check_string_max(const char *arg, const char *name, const char *api, struct vb_error *err)
{
    size_t len = arg ? strnlen(arg, VB_STRING_MAX + 1) : 0;

    if (len > VB_STRING_MAX)
        return vb_error_set(err, VB_ERR_INVALID_ARG, "%s in %s is longer than libvirt's limit of %u bytes", name,
                            api, VB_STRING_MAX);
    return 0;
}

int vb_check_positive(unsigned long long value, const char *name, const char *api, struct vb_error *err)
{
    if (value == 0)
        return vb_error_set(err, VB_ERR_INVALID_ARG, "%s in %s must be greater than zero", name, api);
    return 0;
}

int vb_check_exclusive_flags(unsigned int flags, unsigned int a, const char *a_name, unsigned int b,
                             const char *b_name, struct vb_error *err)
{
    if ((flags & a) && (flags & b))
        return vb_error_set(err, VB_ERR_INVALID_ARG, "Flags '%s' and '%s' are mutually exclusive", a_name, b_name);
    return 0;
}
