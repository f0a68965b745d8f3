/* libxml2 helpers for conf/: safe parsing of untrusted XML, node access, units, a string builder. */
#pragma once

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#include <libxml/tree.h>

#include "util/error.h"
#include "util/macros.h"

/* Parses an untrusted document held in a NUL-terminated string. `url` names the document in
 * error messages as libvirt does ("(domain_definition)"). Refuses documents over
 * VB_DOMAIN_XML_MAX_BYTES or over the counts of conf/xml_scan.h (checked before libxml2 reads
 * anything), any DOCTYPE (so no entity declarations, no external entities) and never touches
 * the network. Returns a document with a root element, or NULL with err set. */
xmlDocPtr vb_xml_parse_string(const char *xml, const char *url, struct vb_error *err);

/* libvirt's virXMLCheckIllegalChars: refuses `text` when it holds any character of `illegal`,
 * with VB_ERR_XML_DETAIL "invalid char in <what>: <char>". Returns 0 or -1. */
int vb_xml_check_illegal_chars(const char *what, const char *text, const char *illegal,
                               struct vb_error *err);

/* The root element, checked to be named `name` (libvirt's "expecting root element" error). */
xmlNodePtr vb_xml_root(xmlDocPtr doc, const char *name, struct vb_error *err);

bool vb_xml_is_element(xmlNodePtr node, const char *name);
/* First element child named `name`, or NULL. */
xmlNodePtr vb_xml_child(xmlNodePtr node, const char *name);
/* Attribute value as a malloc'd string, or NULL when absent. */
char *vb_xml_prop(xmlNodePtr node, const char *name);
/* Text content (XPath string()) as a malloc'd string; NULL when empty or absent. */
char *vb_xml_content(xmlNodePtr node);
/* Attribute of the first child named `child`; NULL when either is absent. */
char *vb_xml_child_prop(xmlNodePtr node, const char *child, const char *name);

/* Whether a parsed namespace name equals uri (libxml2 keeps '&' as "&#38;" there). */
bool vb_xml_href_equal(const xmlChar *href, const char *uri);

/* Non-negative decimal number, surrounding blanks allowed. Returns 0 or -1. */
int vb_xml_parse_ull(const char *text, unsigned long long *out);

/* Scales `*value` by the unit suffix as libvirt's virScaleInteger: "b"/"bytes", "k"/"KiB"
 * (1024), "KB" (1000), ... up to exa; an empty suffix means `scale`. Result limited to `limit`. */
int vb_xml_scale_integer(unsigned long long *value, const char *suffix, unsigned long long scale,
                         unsigned long long limit, struct vb_error *err);

/* Working copies (the model itself keeps text, not trees): a copy is the root of its own
 * private document, carrying the namespace declarations it needs, and is freed with it. */
xmlNodePtr vb_xml_node_adopt(xmlNodePtr node, int extended);
xmlNodePtr vb_xml_node_dup(xmlNodePtr node);
void vb_xml_node_free(xmlNodePtr node);

static inline void vb_xml_doc_freep(xmlDocPtr *doc)
{
    if (*doc)
        xmlFreeDoc(*doc);
}

/* A growable string; an allocation failure is remembered and reported once at the end. */
struct vb_buf {
    char *data;
    size_t len;
    size_t cap;
    bool oom;
};

void vb_buf_add_len(struct vb_buf *buf, const char *s, size_t n);
void vb_buf_add(struct vb_buf *buf, const char *s);
void vb_buf_addf(struct vb_buf *buf, const char *fmt, ...) _printf_(2, 3);
void vb_buf_indent(struct vb_buf *buf, int level);
/* Hands out the string (NULL with err set on allocation failure) and resets buf. */
char *vb_buf_steal(struct vb_buf *buf, struct vb_error *err);
void vb_buf_free(struct vb_buf *buf);
