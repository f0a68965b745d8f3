/* What a probe of qemu-system-x86_64 found (qemu_caps.c), read by the formatters (qemu_domcaps.c). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "drivers/qemu/qemu_driver_private.h"

struct qemu_caps_machine {
    char *name;  /* canonical: pc-i440fx-7.2 */
    char *alias; /* pc, or NULL */
    int max_cpus;
    bool is_default;
};

struct qemu_caps_cpu {
    char *name;
    bool usable; /* no unavailable features on this host and accelerator */
};

struct qemu_caps {
    char *emulator;
    struct timespec mtime; /* of the binary probed: a newer binary is probed again */
    int version;           /* major * 1000000 + minor * 1000 + micro */
    bool kvm_usable;
    struct qemu_caps_machine *machines;
    size_t n_machines;
    struct qemu_caps_cpu *cpus;
    size_t n_cpus;
};

bool qemu_caps_outdated(const struct qemu_caps *caps);
const struct qemu_caps_machine *qemu_caps_find_machine(const struct qemu_caps *caps, const char *name);
