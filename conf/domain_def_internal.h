/* Private to conf/: what the domain model keeps verbatim, and helpers shared by its files. */
#pragma once

#include "conf/domain_def.h"
#include "conf/xml_util.h"

/* An element the model does not interpret, printed back in output slot `slot`: the index of
 * its own name in the slot table when known, else the slot of the element it followed, so it
 * keeps its place relative to its neighbours (-1: before every known element). */
struct vb_extra {
    xmlNodePtr node; /* root of its own private document */
    int slot;
};

struct vb_extra_list {
    struct vb_extra *items;
    size_t n;
};

/* The storage behind vb_domain_def.unmodelled. The element copies have no children: they
 * carry the attributes and namespace declarations the model does not interpret. */
struct vb_unmodelled {
    xmlNodePtr domain; /* <domain>: attributes beyond type/id, xmlns:* declarations */
    xmlNodePtr memory; /* <memory>: attributes beyond unit (dumpCore, ...) */
    xmlNodePtr vcpu;   /* <vcpu>: placement, cpuset, ... */
    xmlNodePtr os;     /* <os>: firmware, ... */
    struct vb_extra_list top; /* children of <domain>: features, cpu, clock, seclabel, ... */
    struct vb_extra_list os_children; /* children of <os>: loader, nvram, bootmenu, ... */
};

/* libvirt's virDomainDefFormat order of <domain> children and of <os> children. */
extern const char *const vb_domain_slots[];
extern const char *const vb_os_slots[];

/* Index of name in a NULL-terminated slot table, or -1. */
int vb_slot_index(const char *const *slots, const xmlChar *name);

struct vb_unmodelled *vb_unmodelled_new(void);
struct vb_unmodelled *vb_unmodelled_copy(const struct vb_unmodelled *src);
void vb_unmodelled_free(struct vb_unmodelled *u);
/* Appends a private copy of node. Returns 0 or -1 (out of memory). */
int vb_extra_list_append(struct vb_extra_list *list, xmlNodePtr node, int slot);

/* Output, in conf/domain_def_format.c. */
/* Escaped for text or a single-quoted attribute, as libvirt's virBufferEscapeString. */
void vb_buf_escape(struct vb_buf *buf, const char *s);
/* "<indent><name>escaped text</name>\n" when text is not NULL. */
void vb_buf_element(struct vb_buf *buf, int level, const char *name, const char *text);
/* Namespace declarations already printed by enclosing elements, so a verbatim subtree does
 * not repeat them. */
struct vb_ns_scope {
    const struct vb_ns_scope *parent;
    xmlNsPtr defs;
};

enum vb_xml_quote {
    VB_XML_QUOTE_SINGLE, /* libvirt's own formatter: <disk type='file'> */
    VB_XML_QUOTE_DOUBLE, /* libxml2's xmlNodeDump, which libvirt uses for <metadata> */
};

/* Prints an element subtree verbatim at indentation `level` (two spaces each), ending with a
 * newline. Comments and processing instructions are dropped; elements whose content is mixed
 * with text are printed inline, as xmlNodeDump does. skip_attr (may be NULL) names an attribute
 * of the top element left out. */
void vb_xml_format_node(struct vb_buf *buf, xmlNodePtr node, int level, enum vb_xml_quote quote,
                        const char *skip_attr, const struct vb_ns_scope *scope);

/* Prints the attributes of `node` except those named in `skip` (NULL-terminated, may be
 * NULL), then its namespace declarations not already in scope. */
void vb_xml_format_attrs(struct vb_buf *buf, xmlNodePtr node, enum vb_xml_quote quote,
                         const char *const *skip, const struct vb_ns_scope *scope);

/* Parses one device element (already inside a parsed document). */
struct vb_device_def *vb_device_def_parse_node(xmlNodePtr node, struct vb_error *err);
struct vb_device_def *vb_device_def_copy(const struct vb_device_def *dev);
void vb_device_def_format(struct vb_buf *buf, const struct vb_device_def *dev, unsigned int flags,
                          int level, const struct vb_ns_scope *scope);

/* A private copy of <metadata>, cleaned as libvirt's virXMLNodeSanitizeNamespaces: children
 * without a namespace, and later children repeating a namespace, are dropped. */
xmlNodePtr vb_metadata_parse(xmlNodePtr node);

DEFINE_CLEANUP_FUNC(struct vb_unmodelled, vb_unmodelled_free)

static inline void vb_xml_node_freep(xmlNodePtr *node)
{
    vb_xml_node_free(*node);
}
