/* Helpers the network, storage, node device and host interface models share: parsing a
 * definition document, its name and UUID, and printing back the elements a model does not
 * interpret, verbatim (libvirt's layout: two spaces per level, single quotes). */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "conf/xml_util.h"
#include "util/uuid.h"

/* Parses xml (named url in messages, "(network_definition)") and checks its root is `root`.
 * Returns the document, *root_out its root element, or NULL with err set. */
xmlDocPtr vb_object_xml_parse(const char *xml, const char *url, const char *root, xmlNodePtr *root_out,
                              struct vb_error *err);

/* The text of root's child `name` (NULL when absent or empty). */
char *vb_object_xml_child_text(xmlNodePtr root, const char *name);

/* Reads <uuid> of root into uuid, generating one when absent. A malformed one is refused with
 * `code` and "malformed uuid element". *specified (may be NULL) says whether it was given. */
int vb_object_xml_uuid(xmlNodePtr root, unsigned char uuid[VB_UUID_LEN], bool *specified, enum vb_error_code code,
                       struct vb_error *err);

/* Prints every element child of node whose name is not in skip (NULL-terminated), in order,
 * at indentation level. */
void vb_object_xml_format_rest(struct vb_buf *buf, xmlNodePtr node, const char *const *skip, int level);

/* Prints one element subtree verbatim at indentation level. */
void vb_object_xml_format_node(struct vb_buf *buf, xmlNodePtr node, int level);

/* Prints node's attributes other than those in skip (NULL-terminated, may be NULL). */
void vb_object_xml_format_attrs(struct vb_buf *buf, xmlNodePtr node, const char *const *skip);

/* Escaped text, as libvirt's virBufferEscapeString. */
void vb_object_xml_escape(struct vb_buf *buf, const char *text);

/* "<indent><name>escaped text</name>\n" (nothing when text is NULL). */
void vb_object_xml_element(struct vb_buf *buf, int level, const char *name, const char *text);

/* A byte count as libvirt prints it: "<indent><name unit='bytes'>N</name>\n". */
void vb_object_xml_bytes(struct vb_buf *buf, int level, const char *name, uint64_t bytes);

/* A deep copy of doc (NULL when doc is NULL or out of memory). */
xmlDocPtr vb_object_xml_copy(xmlDocPtr doc);
