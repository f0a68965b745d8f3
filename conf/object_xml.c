/* Shared parsing and verbatim printing for the network, storage, node device and interface models. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "conf/domain_def_internal.h"
#include "conf/object_xml.h"

xmlDocPtr vb_object_xml_parse(const char *xml, const char *url, const char *root, xmlNodePtr *root_out,
                              struct vb_error *err)
{
    xmlDocPtr doc = vb_xml_parse_string(xml, url, err);

    if (!doc)
        return NULL;
    *root_out = vb_xml_root(doc, root, err);
    if (!*root_out) {
        xmlFreeDoc(doc);
        return NULL;
    }
    return doc;
}

char *vb_object_xml_child_text(xmlNodePtr root, const char *name)
{
    xmlNodePtr child = vb_xml_child(root, name);

    return child ? vb_xml_content(child) : NULL;
}

int vb_object_xml_uuid(xmlNodePtr root, unsigned char uuid[VB_UUID_LEN], bool *specified, enum vb_error_code code,
                       struct vb_error *err)
{
    _cleanup_free_ char *text = vb_object_xml_child_text(root, "uuid");

    if (specified)
        *specified = text != NULL;
    if (!text) {
        if (vb_uuid_generate(uuid) < 0)
            return vb_error_set(err, VB_ERR_INTERNAL_ERROR, "Failed to generate UUID");
        return 0;
    }
    if (vb_uuid_parse(text, uuid) < 0)
        return vb_error_set(err, code, "malformed uuid element");
    return 0;
}

static bool listed(const xmlChar *name, const char *const *skip)
{
    for (const char *const *s = skip; s && *s; s++)
        if (streq((const char *) name, *s))
            return true;
    return false;
}

void vb_object_xml_format_rest(struct vb_buf *buf, xmlNodePtr node, const char *const *skip, int level)
{
    for (xmlNodePtr child = node ? node->children : NULL; child; child = child->next)
        if (child->type == XML_ELEMENT_NODE && !listed(child->name, skip))
            vb_xml_format_node(buf, child, level, VB_XML_QUOTE_SINGLE, NULL, NULL);
}

void vb_object_xml_format_node(struct vb_buf *buf, xmlNodePtr node, int level)
{
    vb_xml_format_node(buf, node, level, VB_XML_QUOTE_SINGLE, NULL, NULL);
}

void vb_object_xml_format_attrs(struct vb_buf *buf, xmlNodePtr node, const char *const *skip)
{
    vb_xml_format_attrs(buf, node, VB_XML_QUOTE_SINGLE, skip, NULL);
}

void vb_object_xml_escape(struct vb_buf *buf, const char *text)
{
    vb_buf_escape(buf, text);
}

void vb_object_xml_element(struct vb_buf *buf, int level, const char *name, const char *text)
{
    vb_buf_element(buf, level, name, text);
}

void vb_object_xml_bytes(struct vb_buf *buf, int level, const char *name, uint64_t bytes)
{
    vb_buf_indent(buf, level);
    vb_buf_addf(buf, "<%s unit='bytes'>%" PRIu64 "</%s>\n", name, bytes, name);
}

xmlDocPtr vb_object_xml_copy(xmlDocPtr doc)
{
    return doc ? xmlCopyDoc(doc, 1) : NULL;
}
