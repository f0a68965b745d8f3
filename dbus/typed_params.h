/* Typed parameters (libvirt's virTypedParameter) on the wire as libvirt-dbus sends them: a{sv}. */
#pragma once

#include <systemd/sd-bus.h>

#include "util/typed_params.h"

/* Appends params to m as one a{sv}. Each value is a variant holding a variant holding the value
 * ({'name': <<value>>}), the double wrap libvirt-dbus puts on every typed-parameter result and
 * clients such as cockpit-machines unwrap twice. The D-Bus type follows the parameter type:
 * INT i, UINT u, LLONG x, ULLONG t, DOUBLE d, BOOLEAN b, STRING s.
 * Returns 0 or a negative errno; on failure m is left half-written and must be dropped. */
int dbus_typed_params_append(sd_bus_message *m, const struct vb_typed_params *params);

/* Reads one a{sv} argument as clients send it (single-wrapped values of type i, u, x, t, d, b
 * or s) into out. A name longer than libvirt allows (80 bytes with the NUL) or an unsupported
 * value type is reported in err (VB_ERR_INVALID_ARG) and -EINVAL returned; a malformed message
 * gives its sd-bus error code. out is empty on failure. */
int dbus_typed_params_read(sd_bus_message *m, struct vb_typed_params *out, struct vb_error *err);
