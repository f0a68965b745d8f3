/* Parsing and printing host interface definitions. */
#include <stdlib.h>
#include <string.h>

#include "conf/host_device_def.h"
#include "conf/object_xml.h"

#define IFACE_URL "(interface_definition)"

void vb_iface_def_free(struct vb_iface_def *def)
{
    if (!def)
        return;
    free(def->type);
    free(def->name);
    free(def->mac);
    if (def->doc)
        xmlFreeDoc(def->doc);
    free(def);
}

static bool known_type(const char *type)
{
    static const char *const types[] = { "ethernet", "bridge", "bond", "vlan" };

    for (size_t i = 0; i < ARRAY_SIZE(types); i++)
        if (streq(types[i], type))
            return true;
    return false;
}

static int read_def(struct vb_iface_def *def, xmlNodePtr root, struct vb_error *err)
{
    def->type = vb_xml_prop(root, "type");
    if (!def->type)
        return vb_error_set(err, VB_ERR_XML_ERROR, "interface misses the type attribute");
    if (!known_type(def->type))
        return vb_error_set(err, VB_ERR_XML_ERROR, "unknown interface type %s", def->type);
    def->name = vb_xml_prop(root, "name");
    if (!def->name)
        return vb_error_set(err, VB_ERR_XML_ERROR, "interface has no name");
    if (vb_xml_check_illegal_chars("name", def->name, "/", err) < 0)
        return -1;
    def->mac = vb_xml_child_prop(root, "mac", "address");
    return 0;
}

struct vb_iface_def *vb_iface_def_parse_string(const char *xml, struct vb_error *err)
{
    _cleanup_(vb_iface_def_freep) struct vb_iface_def *def = calloc(1, sizeof(*def));
    xmlNodePtr root;

    if (!def) {
        vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
        return NULL;
    }
    def->doc = vb_object_xml_parse(xml, IFACE_URL, "interface", &root, err);
    if (!def->doc || read_def(def, root, err) < 0)
        return NULL;
    return TAKE_PTR(def);
}

char *vb_iface_def_format(const struct vb_iface_def *def, struct vb_error *err)
{
    static const char *const not_mac[] = { "mac", NULL };
    static const char *const identity[] = { "type", "name", NULL };
    xmlNodePtr root = xmlDocGetRootElement(def->doc);
    struct vb_buf buf = { 0 };

    vb_buf_add(&buf, "<interface type='");
    vb_object_xml_escape(&buf, def->type);
    vb_buf_add(&buf, "' name='");
    vb_object_xml_escape(&buf, def->name);
    vb_buf_add(&buf, "'");
    vb_object_xml_format_attrs(&buf, root, identity);
    vb_buf_add(&buf, ">\n");
    vb_object_xml_format_rest(&buf, root, not_mac, 1);
    if (vb_xml_child(root, "mac"))
        vb_object_xml_format_node(&buf, vb_xml_child(root, "mac"), 1);
    vb_buf_add(&buf, "</interface>\n");
    return vb_buf_steal(&buf, err);
}
