/* The QMF schema virtbus publishes: package org.libvirt, data classes Node, Domain, Pool, Volume
 * and Network, event classes domainLifecycle, domainEvent, networkLifecycle, poolLifecycle and
 * nodeDeviceLifecycle (after libvirt-qmf's schema). */
#pragma once

#include <stddef.h>

#include <proton/codec.h>

#define BUS_QMF_PACKAGE "org.libvirt"

struct qmf_property {
    const char *name, *type, *description;
};

struct qmf_argument {
    const char *name, *type, *dir; /* dir: "I", "O" or "IO" */
};

#define QMF_MAX_ARGUMENTS 3

struct qmf_method_schema {
    const char *name;
    struct qmf_argument arguments[QMF_MAX_ARGUMENTS + 1]; /* ends with a NULL name */
};

struct qmf_class {
    const char *name;
    const char *type; /* "_data" or "_event" */
    const struct qmf_property *properties; /* ends with a NULL name */
    const struct qmf_method_schema *methods; /* ends with a NULL name; NULL for events */
};

const struct qmf_class *bus_qmf_classes(size_t *n);
const struct qmf_class *bus_qmf_class_find(const char *name);
const struct qmf_method_schema *bus_qmf_method_find(const struct qmf_class *cls, const char *name);

/* Appends the schema id map of a class {_package_name, _class_name, _type, _hash}. */
void bus_qmf_put_schema_id(pn_data_t *data, const char *class_name);
/* Appends the whole schema map of cls. */
void bus_qmf_put_schema(pn_data_t *data, const struct qmf_class *cls);
