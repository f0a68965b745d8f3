/* Errors reported by the core and drivers: libvirt's error numbers and message wording. */
#pragma once

#include <stdbool.h>

#include "util/macros.h"

/* Numbered as libvirt's virErrorNumber so codes mean the same thing on every bus. */
enum vb_error_code {
    VB_ERR_OK = 0,
    VB_ERR_INTERNAL_ERROR = 1,
    VB_ERR_NO_MEMORY = 2,
    VB_ERR_NO_SUPPORT = 3,
    VB_ERR_NO_CONNECT = 5,
    VB_ERR_INVALID_CONN = 6,
    VB_ERR_INVALID_DOMAIN = 7,
    VB_ERR_INVALID_ARG = 8,
    VB_ERR_OPERATION_FAILED = 9,
    VB_ERR_OS_TYPE = 16,
    VB_ERR_NO_NAME = 21,
    VB_ERR_NO_OS = 22,
    VB_ERR_NO_DEVICE = 23,
    VB_ERR_XML_ERROR = 27,
    VB_ERR_DOM_EXIST = 28,
    VB_ERR_OPERATION_DENIED = 29,
    VB_ERR_OPEN_FAILED = 30,
    VB_ERR_READ_FAILED = 31,
    VB_ERR_PARSE_FAILED = 32,
    VB_ERR_CONF_SYNTAX = 33,
    VB_ERR_WRITE_FAILED = 34,
    VB_ERR_XML_DETAIL = 35,
    VB_ERR_NETWORK_EXIST = 37,
    VB_ERR_SYSTEM_ERROR = 38,
    VB_ERR_NO_DOMAIN = 42,
    VB_ERR_NO_NETWORK = 43,
    VB_ERR_NO_STORAGE_POOL = 49,
    VB_ERR_NO_STORAGE_VOL = 50,
    VB_ERR_NO_NODE_DEVICE = 53,
    VB_ERR_OPERATION_INVALID = 55,
    VB_ERR_NO_INTERFACE = 57,
    VB_ERR_MULTIPLE_INTERFACES = 59,
    VB_ERR_NO_NWFILTER = 62,
    VB_ERR_NO_SECRET = 66,
    VB_ERR_CONFIG_UNSUPPORTED = 67,
    VB_ERR_OPERATION_TIMEOUT = 68,
    VB_ERR_HOOK_SCRIPT_FAILED = 70,
    VB_ERR_NO_DOMAIN_SNAPSHOT = 72,
    VB_ERR_ARGUMENT_UNSUPPORTED = 74,
    VB_ERR_SNAPSHOT_REVERT_RISKY = 77,
    VB_ERR_OPERATION_ABORTED = 78,
    VB_ERR_NO_DOMAIN_METADATA = 80,
    VB_ERR_OVERFLOW = 82,
    VB_ERR_OPERATION_UNSUPPORTED = 84,
    VB_ERR_RESOURCE_BUSY = 87,
    VB_ERR_ACCESS_DENIED = 88,
    VB_ERR_STORAGE_VOL_EXIST = 90,
    VB_ERR_DEVICE_MISSING = 99,
};

struct vb_error {
    enum vb_error_code code;
    char *message; /* the full text, as libvirt would print it */
};

#define VB_ERROR_INIT ((struct vb_error){ .code = VB_ERR_OK, .message = NULL })

/* Sets err (if not NULL) to code with libvirt's prefix for that code and the formatted detail.
 * A NULL fmt gives the bare prefix. Always returns -1 so callers can `return vb_error_set(...)`. */
int vb_error_set(struct vb_error *err, enum vb_error_code code, const char *fmt, ...) _printf_(3, 4);

/* As vb_error_set, but fmt is the whole message, without the code's prefix: for virtbus's own
 * wording of errors libvirt words differently ("access denied by policy: <action>"). */
int vb_error_set_literal(struct vb_error *err, enum vb_error_code code, const char *fmt, ...) _printf_(3, 4);

/* As vb_error_set, the detail being strerror(errnum) after fmt. */
int vb_error_set_errno(struct vb_error *err, int errnum, const char *fmt, ...) _printf_(3, 4);

/* Moves src into dst (dst cleared first); src is left empty. */
void vb_error_move(struct vb_error *dst, struct vb_error *src);

void vb_error_clear(struct vb_error *err);

static inline const char *vb_error_message(const struct vb_error *err)
{
    return err && err->message ? err->message : "unknown error";
}

static inline bool vb_error_is_set(const struct vb_error *err)
{
    return err && err->code != VB_ERR_OK;
}
