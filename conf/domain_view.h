/* Read-only views of what the domain model keeps as XML, for drivers that must act on, or refuse,
 * elements the model does not parse into fields (<features>, <clock>, a disk's <driver>). */
#pragma once

#include <stddef.h>

#include "conf/domain_def.h"

/* One element as a plain tree, independent of libxml2. Namespaced names keep no prefix. */
struct vb_xml_element {
    char *name;
    char **attrs; /* name, value, name, value, ..., NULL */
    char *text;   /* the text of an element with no element children (trimmed), else NULL */
    struct vb_xml_element **children;
    size_t n_children;
};

/* The device's element (<disk>, <interface>, ...) with everything in it. NULL with err set when
 * out of memory. */
struct vb_xml_element *vb_device_def_view(const struct vb_device_def *dev, struct vb_error *err);

/* Whether a disk is read-only: <readonly/>, or a CD-ROM (libvirt's parser makes every CD-ROM
 * read-only). */
bool vb_device_def_disk_readonly(const struct vb_device_def *dev);

/* What the model keeps unparsed, as one element: for where == NULL, an element named "domain"
 * holding the kept children of <domain> (features, clock, cpu, memtune, ...); for where == "os",
 * an element named "os" with the attributes of <os> beyond the modelled ones (firmware, ...)
 * and its kept children (loader, nvram, bootmenu, ...). NULL with err set when out of memory. */
struct vb_xml_element *vb_domain_def_view_unmodelled(const struct vb_domain_def *def, const char *where,
                                                     struct vb_error *err);

/* The value of attribute `name`, or NULL. */
const char *vb_xml_element_attr(const struct vb_xml_element *el, const char *name);
/* The first child named `name`, or NULL. */
const struct vb_xml_element *vb_xml_element_child(const struct vb_xml_element *el, const char *name);

void vb_xml_element_free(struct vb_xml_element *el);

DEFINE_CLEANUP_FUNC(struct vb_xml_element, vb_xml_element_free)
