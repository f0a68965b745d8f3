/* Parsing and printing network definitions. */
#include <stdlib.h>
#include <string.h>

#include "conf/network_def.h"
#include "conf/object_xml.h"

#define NETWORK_URL "(network_definition)"

void vb_network_def_free(struct vb_network_def *def)
{
    if (!def)
        return;
    free(def->name);
    free(def->bridge);
    if (def->doc)
        xmlFreeDoc(def->doc);
    free(def);
}

static int read_def(struct vb_network_def *def, xmlNodePtr root, struct vb_error *err)
{
    def->name = vb_object_xml_child_text(root, "name");
    if (!def->name)
        return vb_error_set(err, VB_ERR_NO_NAME, NULL);
    if (vb_xml_check_illegal_chars("name", def->name, "/", err) < 0)
        return -1;
    if (vb_object_xml_uuid(root, def->uuid, NULL, VB_ERR_INTERNAL_ERROR, err) < 0)
        return -1;
    def->bridge = vb_xml_child_prop(root, "bridge", "name");
    return 0;
}

struct vb_network_def *vb_network_def_parse_string(const char *xml, struct vb_error *err)
{
    _cleanup_(vb_network_def_freep) struct vb_network_def *def = calloc(1, sizeof(*def));
    xmlNodePtr root;

    if (!def) {
        vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
        return NULL;
    }
    def->doc = vb_object_xml_parse(xml, NETWORK_URL, "network", &root, err);
    if (!def->doc || read_def(def, root, err) < 0)
        return NULL;
    return TAKE_PTR(def);
}

char *vb_network_def_format(const struct vb_network_def *def, struct vb_error *err)
{
    static const char *const modelled[] = { "name", "uuid", NULL };
    xmlNodePtr root = xmlDocGetRootElement(def->doc);
    char uuid[VB_UUID_STRING_LEN];
    struct vb_buf buf = { 0 };

    vb_uuid_format(def->uuid, uuid);
    vb_buf_add(&buf, "<network");
    vb_object_xml_format_attrs(&buf, root, NULL);
    vb_buf_add(&buf, ">\n");
    vb_object_xml_element(&buf, 1, "name", def->name);
    vb_object_xml_element(&buf, 1, "uuid", uuid);
    vb_object_xml_format_rest(&buf, root, modelled, 1);
    vb_buf_add(&buf, "</network>\n");
    return vb_buf_steal(&buf, err);
}

struct vb_network_def *vb_network_def_copy(const struct vb_network_def *def)
{
    struct vb_network_def *copy = calloc(1, sizeof(*copy));

    if (!copy)
        return NULL;
    memcpy(copy->uuid, def->uuid, VB_UUID_LEN);
    copy->name = strdup(def->name);
    copy->bridge = def->bridge ? strdup(def->bridge) : NULL;
    copy->doc = vb_object_xml_copy(def->doc);
    if (!copy->name || (def->bridge && !copy->bridge) || !copy->doc) {
        vb_network_def_free(copy);
        return NULL;
    }
    return copy;
}
