/* libvirt-worded error messages: one prefix table, one formatter. */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "util/error.h"

struct error_prefix {
    enum vb_error_code code;
    const char *bare;        /* message when there is no detail */
    const char *with_detail; /* printf format taking the detail as %s */
};

/* libvirt's virErrorMsg() wording, which clients match on. */
static const struct error_prefix prefixes[] = {
    { VB_ERR_INTERNAL_ERROR, "internal error", "internal error: %s" },
    { VB_ERR_NO_MEMORY, "out of memory", "out of memory: %s" },
    { VB_ERR_NO_SUPPORT, "this function is not supported by the connection driver",
      "this function is not supported by the connection driver: %s" },
    { VB_ERR_NO_CONNECT, "no connection driver available", "no connection driver available for %s" },
    { VB_ERR_INVALID_CONN, "invalid connection pointer in", "invalid connection pointer in %s" },
    { VB_ERR_INVALID_DOMAIN, "invalid domain pointer in", "invalid domain pointer in %s" },
    { VB_ERR_INVALID_ARG, "invalid argument", "invalid argument: %s" },
    { VB_ERR_OPERATION_FAILED, "operation failed", "operation failed: %s" },
    { VB_ERR_OS_TYPE, "unknown OS type", "unknown OS type %s" },
    { VB_ERR_NO_NAME, "missing name information", "missing name information in %s" },
    { VB_ERR_NO_OS, "missing operating system information", "missing operating system information for %s" },
    { VB_ERR_NO_DEVICE, "missing devices information", "missing devices information for %s" },
    { VB_ERR_XML_ERROR, "XML description is invalid or not well formed", "XML error: %s" },
    { VB_ERR_DOM_EXIST, "this domain exists already", "domain %s exists already" },
    { VB_ERR_OPERATION_DENIED, "operation forbidden for read only access",
      "operation forbidden: %s" },
    { VB_ERR_OPEN_FAILED, "failed to open configuration file", "failed to open configuration file %s" },
    { VB_ERR_READ_FAILED, "failed to read configuration file", "failed to read configuration file %s" },
    { VB_ERR_PARSE_FAILED, "failed to parse configuration file", "failed to parse configuration file %s" },
    { VB_ERR_CONF_SYNTAX, "configuration file syntax error", "configuration file syntax error: %s" },
    { VB_ERR_WRITE_FAILED, "failed to write configuration file", "failed to write configuration file: %s" },
    /* libvirt prints the detail alone: it is already "(domain_definition):1: ..." or names
     * what is wrong ("invalid char in name: ..."). */
    { VB_ERR_XML_DETAIL, "parser error", "%s" },
    { VB_ERR_NETWORK_EXIST, "this network exists already", "network %s exists already" },
    { VB_ERR_SYSTEM_ERROR, "system error", "%s" },
    { VB_ERR_NO_DOMAIN, "Domain not found", "Domain not found: %s" },
    { VB_ERR_NO_NETWORK, "Network not found", "Network not found: %s" },
    { VB_ERR_NO_STORAGE_POOL, "Storage pool not found", "Storage pool not found: %s" },
    { VB_ERR_NO_STORAGE_VOL, "Storage volume not found", "Storage volume not found: %s" },
    { VB_ERR_NO_NODE_DEVICE, "Node device not found", "Node device not found: %s" },
    { VB_ERR_NO_INTERFACE, "Interface not found", "Interface not found: %s" },
    { VB_ERR_MULTIPLE_INTERFACES, "multiple matching interfaces found", "multiple matching interfaces found: %s" },
    { VB_ERR_NO_NWFILTER, "Network filter not found", "Network filter not found: %s" },
    { VB_ERR_NO_SECRET, "Secret not found", "Secret not found: %s" },
    { VB_ERR_OPERATION_INVALID, "Requested operation is not valid", "Requested operation is not valid: %s" },
    { VB_ERR_CONFIG_UNSUPPORTED, "unsupported configuration", "unsupported configuration: %s" },
    { VB_ERR_OPERATION_TIMEOUT, "Timed out during operation", "Timed out during operation: %s" },
    { VB_ERR_HOOK_SCRIPT_FAILED, "Hook script execution failed", "Hook script execution failed: %s" },
    { VB_ERR_NO_DOMAIN_SNAPSHOT, "Domain snapshot not found", "Domain snapshot not found: %s" },
    { VB_ERR_ARGUMENT_UNSUPPORTED, "argument unsupported", "argument unsupported: %s" },
    { VB_ERR_SNAPSHOT_REVERT_RISKY, "revert requires force", "revert requires force: %s" },
    { VB_ERR_OPERATION_ABORTED, "operation aborted", "operation aborted: %s" },
    { VB_ERR_NO_DOMAIN_METADATA, "metadata not found", "metadata not found: %s" },
    { VB_ERR_OVERFLOW, "value too large", "value too large: %s" },
    { VB_ERR_OPERATION_UNSUPPORTED, "Operation not supported", "Operation not supported: %s" },
    { VB_ERR_RESOURCE_BUSY, "resource busy", "resource busy: %s" },
    { VB_ERR_ACCESS_DENIED, "access denied", "access denied: %s" },
    { VB_ERR_STORAGE_VOL_EXIST, "this storage volume exists already", "storage volume %s exists already" },
    { VB_ERR_DEVICE_MISSING, "device not found", "device not found: %s" },
};

static const struct error_prefix *prefix_for(enum vb_error_code code)
{
    for (size_t i = 0; i < ARRAY_SIZE(prefixes); i++)
        if (prefixes[i].code == code)
            return &prefixes[i];
    return &prefixes[0];
}

static char *compose(enum vb_error_code code, const char *detail)
{
    const struct error_prefix *p = prefix_for(code);
    char *msg = NULL;

    if (!detail || !*detail)
        return strdup(p->bare);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
    if (asprintf(&msg, p->with_detail, detail) < 0)
        return NULL;
#pragma GCC diagnostic pop
    return msg;
}

static void set_composed(struct vb_error *err, enum vb_error_code code, const char *detail)
{
    vb_error_clear(err);
    err->code = code;
    err->message = compose(code, detail);
}

int vb_error_set(struct vb_error *err, enum vb_error_code code, const char *fmt, ...)
{
    _cleanup_free_ char *detail = NULL;

    if (!err)
        return -1;
    if (fmt) {
        va_list ap;

        va_start(ap, fmt);
        if (vasprintf(&detail, fmt, ap) < 0)
            detail = NULL;
        va_end(ap);
    }
    set_composed(err, code, detail);
    return -1;
}

int vb_error_set_errno(struct vb_error *err, int errnum, const char *fmt, ...)
{
    _cleanup_free_ char *what = NULL;
    _cleanup_free_ char *detail = NULL;
    va_list ap;

    if (!err)
        return -1;
    va_start(ap, fmt);
    if (vasprintf(&what, fmt, ap) < 0)
        what = NULL;
    va_end(ap);
    if (asprintf(&detail, "%s: %s", what ? what : "", strerror(errnum)) < 0)
        detail = NULL;
    set_composed(err, VB_ERR_SYSTEM_ERROR, detail);
    return -1;
}

void vb_error_move(struct vb_error *dst, struct vb_error *src)
{
    vb_error_clear(dst);
    *dst = *src;
    *src = VB_ERROR_INIT;
}

void vb_error_clear(struct vb_error *err)
{
    if (!err)
        return;
    free(err->message);
    *err = VB_ERROR_INIT;
}

int vb_error_set_literal(struct vb_error *err, enum vb_error_code code, const char *fmt, ...)
{
    va_list ap;

    if (!err)
        return -1;
    vb_error_clear(err);
    err->code = code;
    va_start(ap, fmt);
    if (vasprintf(&err->message, fmt, ap) < 0)
        err->message = NULL;
    va_end(ap);
    return -1;
}
