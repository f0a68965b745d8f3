/* Private to conf/: what the domain model keeps verbatim, and helpers shared by its files. */
#pragma once

#include "conf/domain_def.h"
#include "conf/xml_util.h"

/* What the model keeps of XML it does not interpret is text, not libxml2 trees: a kept element
 * is its "fragment", the exact text the formatter prints for it at its place in <domain>
 * (indented, ending with a newline), written with no namespace in scope so that it declares
 * every namespace it uses and parses back alone. A tree costs kilobytes per element; the text
 * costs its length, and is parsed back only when something must be looked up or changed in it,
 * or when <domain> or <os> declare namespaces a fragment may repeat. */

/* An element the model does not interpret, printed back in output slot `slot`: the index of
 * its own name in the slot table when known, else the slot of the element it followed, so it
 * keeps its place relative to its neighbours (-1: before every known element). */
struct vb_extra {
    char *text; /* its fragment */
    int slot;
};

struct vb_extra_list {
    struct vb_extra *items;
    size_t n;
};

/* The storage behind vb_domain_def.unmodelled. Attribute texts are what the formatter prints
 * of an element the model reads beyond what it models (" dumpCore='on'"), NULL when nothing. */
struct vb_unmodelled {
    char *domain_attrs; /* <domain>: attributes beyond type/id, namespace declarations */
    char *memory_attrs; /* <memory>: attributes beyond unit (dumpCore, ...) */
    char *vcpu_attrs;   /* <vcpu>: attributes beyond placement, cpuset, current */
    char *vcpu_cpuset;  /* <vcpu cpuset=...>, unescaped */
    char *os_attrs;     /* <os>: firmware, ... */
    char *metadata;     /* fragment of <metadata> (double-quoted, as xmlNodeDump) or NULL */
    bool have_vcpu;     /* <vcpu> was present */
    bool vcpu_auto;     /* placement='auto' (else 'static') */
    /* <domain> or <os> declare namespaces: a fragment is then printed in their scope, so it
     * does not repeat their declarations. */
    bool namespaced;
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
/* Appends a fragment, taking ownership of text (freed on failure). Returns 0 or -1. */
int vb_extra_list_append(struct vb_extra_list *list, char *text, int slot);

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

/* The fragment of element `node` (in a parsed document) printed at `level`; NULL when out of
 * memory. */
char *vb_fragment_new(xmlNodePtr node, int level, enum vb_xml_quote quote);
/* What vb_xml_format_attrs prints for `node` inside `scope` (single quotes), as an exactly
 * sized string. Returns 0 with *out NULL when that is nothing, -1 when out of memory. */
int vb_attrs_text(xmlNodePtr node, const char *const *skip, const struct vb_ns_scope *scope,
                  char **out);
/* A fragment parsed back (NULL when out of memory). */
xmlDocPtr vb_fragment_parse(const char *text);
/* Prints text, leaving out every attribute of its first start tag whose local name is
 * skip_attr (NULL: none), as vb_xml_format_node's skip_attr does. */
void vb_fragment_add(struct vb_buf *buf, const char *text, const char *skip_attr);

/* Parses one device element (already inside a parsed document, which the MAC normalisation
 * may change). */
struct vb_device_def *vb_device_def_parse_node(xmlNodePtr node, struct vb_error *err);
struct vb_device_def *vb_device_def_copy(const struct vb_device_def *dev);

/* Checks a top-level <iothreads> or <iothreadids> as the domain parser meets it, as libvirt's
 * virDomainDefParseIOThreads does (a count, valid and unique ids), and bounds it by
 * VB_DOMAIN_IOTHREADS_MAX; other elements pass. In conf/domain_iothreads.c. */
int vb_iothreads_check_element(xmlNodePtr node, struct vb_error *err);

/* <vcpus>, in conf/domain_vcpus.c. Reads the <vcpu> children of every <vcpus> of root into
 * def->vcpus as libvirt's virDomainVcpuParse and virDomainVcpuDefPostParse do (the vCPU states
 * then win over <vcpu current=...>), once <vcpu> was read. */
int vb_vcpus_parse(struct vb_domain_def *def, xmlNodePtr root, struct vb_error *err);
/* Prints <vcpus> at level 1 when def has one. */
void vb_vcpus_format(struct vb_buf *buf, const struct vb_domain_def *def);

/* The fragment of a cleaned copy of <metadata>, as libvirt's virXMLNodeSanitizeNamespaces:
 * children without a namespace, and later children repeating a namespace, are dropped. NULL
 * when out of memory. */
char *vb_metadata_parse(xmlNodePtr node);

/* Top-level tunables elements (<memtune>, <blkiotune>, ...), in conf/domain_tunables.c. */
/* The kept element `name` parsed back into *doc; *root NULL when absent. Returns 0 or -1. */
int vb_tunables_parse_top_element(const struct vb_domain_def *def, const char *name, xmlDocPtr *doc,
                                  xmlNodePtr *root, struct vb_error *err);
/* Replaces, inserts (text non-NULL) or removes (text NULL) the top-level element `name`;
 * takes text. Inserted before other kept elements of its slot, where libvirt prints it. */
int vb_tunables_set_top_element(struct vb_domain_def *def, const char *name, char *text, struct vb_error *err);

DEFINE_CLEANUP_FUNC(struct vb_unmodelled, vb_unmodelled_free)

static inline void vb_xml_node_freep(xmlNodePtr *node)
{
    vb_xml_node_free(*node);
}
