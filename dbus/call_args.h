/* Arguments a method call keeps until it ends: typed parameters, CPU maps and string lists read
 * from the message. The core may read them after the handler has returned (while the call
 * waits for the domain's job), so they live in the call and its clear function frees them. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dbus/call.h"

/* Typed parameters (an a{sv} argument) as the call's input; the answer is empty. */
struct dbus_params_input_call {
    struct dbus_call base;
    struct vb_typed_params params;
};

/* Reads an a{sv} argument and the "u" flags after it into a new call (*out). A parameter libvirt
 * would refuse answers its error. Returns 0, or what the handler returns. (dbus/domain_tunables.c) */
int dbus_params_input_call_read(struct dbus_frontend *frontend, sd_bus_message *m, uint32_t *flags,
                                struct dbus_params_input_call **out, sd_bus_error *error);

/* A CPU map (an "ab" argument) as the call's input; the answer is empty. */
struct dbus_cpumap_call {
    struct dbus_call base;
    bool *cpumap; /* NULL when the array was empty, as libvirt-dbus hands libvirt */
    unsigned int ncpus;
};

/* Reads an "ab" CPU map and the "u" flags after it into a new call (*out). Returns 0 or a
 * negative errno. (dbus/domain_guest.c) */
int dbus_cpumap_call_read(struct dbus_frontend *frontend, sd_bus_message *m, uint32_t *flags,
                          struct dbus_cpumap_call **out);

/* Reads an "as" argument: *strv NULL-terminated, NULL when the array is empty (free it with
 * vb_strv_free), *n its length. Returns 0 or a negative errno. (dbus/domain_guest_io.c) */
int dbus_read_strv(sd_bus_message *m, char ***strv, size_t *n);
