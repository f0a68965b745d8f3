/* Argument checks every public API function shares, in libvirt's wording. */
#pragma once

#include <stdbool.h>

#include "util/error.h"

/* libvirt's virReportUnsupportedError: "this function is not supported by the connection
 * driver: <api>". Returns -1. */
int vb_check_report_unsupported(const char *api, struct vb_error *err);

/* libvirt's virCheckNonNullArg: "<name> in <api> must not be NULL". */
int vb_check_non_null(const void *arg, const char *name, const char *api, struct vb_error *err);

/* The longest string libvirt's RPC carries (VIR_NET_MESSAGE_STRING_MAX): no libvirt client can
 * send a longer definition, and a document is bounded before anything parses it (the policy
 * engine parses a definition to learn which domain it names before asking polkit). */
#define VB_STRING_MAX 4194304u

/* NULL, or a string of at most VB_STRING_MAX bytes; else libvirt-style "<name> in <api> ...". */
int vb_check_string_max(const char *arg, const char *name, const char *api, struct vb_error *err);

/* libvirt's virCheckPositiveArg: "<name> in <api> must be greater than zero". */
int vb_check_positive(unsigned long long value, const char *name, const char *api, struct vb_error *err);

/* libvirt's VIR_EXCLUSIVE_FLAGS_RET: "Flags '<a>' and '<b>' are mutually exclusive". */
int vb_check_exclusive_flags(unsigned int flags, unsigned int a, const char *a_name, unsigned int b,
                             const char *b_name, struct vb_error *err);
