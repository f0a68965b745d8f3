/* A linear pre-scan of untrusted XML text that bounds what libxml2 may be asked to build. */
#pragma once

#include <stddef.h>

#include "util/error.h"

/* libxml2 checks an element's attributes for duplicates pairwise and appends each to a linked
 * list it walks from the head: one start tag with 64,000 attributes blocked the daemon for
 * 11-23 s, 200,000 for minutes. libvirt's largest elements carry a few dozen attributes
 * (<disk>'s <driver> about twenty), so 1024 leaves a wide margin. */
#define VB_XML_MAX_ELEMENT_ATTRIBUTES 1024

/* Each element, comment and processing instruction becomes a node of a few hundred bytes: a
 * 10 MiB document of empty comments built a 245 MB tree. A domain with hundreds of devices has
 * a few thousand elements; 100,000 keeps a document's tree to tens of megabytes. */
#define VB_XML_MAX_ELEMENTS 100000

/* Attributes are nodes too, with a text child each: 1.6 million short ones (within 10 MiB and
 * 1024 per element) took 4 s and 400 MB. Twice the element bound. */
#define VB_XML_MAX_ATTRIBUTES 200000

/* libxml2 resolves every prefixed name by walking all namespace declarations in scope
 * (xmlGetNamespace, xmlSearchNs), so declarations nested 250 deep, 1024 at each level, took
 * over 3 minutes for 20,000 elements. Real domains declare a handful (metadata, qemu:). */
#define VB_XML_MAX_NAMESPACES 256

struct vb_xml_limits {
    size_t element_attributes; /* attributes (namespace declarations included) on one element */
    size_t elements;           /* elements, comments and processing instructions in a document */
    size_t attributes;         /* attributes in a document */
    size_t namespaces;         /* namespace declarations in a document */
};

#define VB_XML_LIMITS_DEFAULT                                                             \
    ((struct vb_xml_limits){ .element_attributes = VB_XML_MAX_ELEMENT_ATTRIBUTES,         \
                             .elements = VB_XML_MAX_ELEMENTS,                             \
                             .attributes = VB_XML_MAX_ATTRIBUTES,                         \
                             .namespaces = VB_XML_MAX_NAMESPACES })

/* Checks text[0, len) against limits in one pass, before libxml2 sees it. The counts are upper
 * bounds of what libxml2 can build from the text whatever it makes of it: exact for a
 * well-formed document, never lower for a broken one. `url` names the document in messages
 * ("(domain_definition)"). Returns 0, or -1 with VB_ERR_XML_ERROR naming the limit (and the
 * element, for too many attributes on one). */
int vb_xml_scan(const char *text, size_t len, const struct vb_xml_limits *limits, const char *url,
                struct vb_error *err);
