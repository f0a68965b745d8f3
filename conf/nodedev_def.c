/* Parsing and printing node device definitions. */
#include <stdlib.h>
#include <string.h>

#include "conf/host_device_def.h"
#include "conf/object_xml.h"

#define NODEDEV_URL "(node_device_definition)"

void vb_nodedev_def_free(struct vb_nodedev_def *def)
{
    if (!def)
        return;
    free(def->name);
    free(def->parent);
    for (size_t i = 0; i < def->n_caps; i++)
        free(def->caps[i]);
    free(def->caps);
    free(def->wwnn);
    free(def->wwpn);
    if (def->doc)
        xmlFreeDoc(def->doc);
    free(def);
}

/* The capability of `type` among node's children. */
static xmlNodePtr find_cap(xmlNodePtr node, const char *type)
{
    for (xmlNodePtr child = node ? node->children : NULL; child; child = child->next) {
        _cleanup_free_ char *t = vb_xml_is_element(child, "capability") ? vb_xml_prop(child, "type") : NULL;

        if (t && streq(t, type))
            return child;
    }
    return NULL;
}

static int read_caps(struct vb_nodedev_def *def, xmlNodePtr root, struct vb_error *err)
{
    xmlNodePtr scsi_host, fc_host;

    for (xmlNodePtr child = root->children; child; child = child->next) {
        char **grown;

        if (!vb_xml_is_element(child, "capability"))
            continue;
        grown = realloc(def->caps, (def->n_caps + 1) * sizeof(*grown));
        if (!grown)
            return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
        def->caps = grown;
        def->caps[def->n_caps] = vb_xml_prop(child, "type");
        if (!def->caps[def->n_caps])
            return vb_error_set(err, VB_ERR_XML_ERROR, "missing capability type");
        def->n_caps++;
    }
    if (def->n_caps == 0)
        return vb_error_set(err, VB_ERR_INTERNAL_ERROR, "no device capabilities for '%s'", def->name);
    scsi_host = find_cap(root, "scsi_host");
    fc_host = find_cap(scsi_host, "fc_host");
    def->vport_ops = find_cap(scsi_host, "vport_ops") != NULL;
    def->wwnn = vb_object_xml_child_text(fc_host, "wwnn");
    def->wwpn = vb_object_xml_child_text(fc_host, "wwpn");
    return 0;
}

static int read_def(struct vb_nodedev_def *def, xmlNodePtr root, bool for_create, struct vb_error *err)
{
    def->name = for_create ? strdup("new device") : vb_object_xml_child_text(root, "name");
    if (!def->name)
        return vb_error_set(err, VB_ERR_NO_NAME, NULL);
    def->parent = vb_object_xml_child_text(root, "parent");
    return read_caps(def, root, err);
}

struct vb_nodedev_def *vb_nodedev_def_parse_string(const char *xml, bool for_create, struct vb_error *err)
{
    _cleanup_(vb_nodedev_def_freep) struct vb_nodedev_def *def = calloc(1, sizeof(*def));
    xmlNodePtr root;

    if (!def) {
        vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
        return NULL;
    }
    def->doc = vb_object_xml_parse(xml, NODEDEV_URL, "device", &root, err);
    if (!def->doc || read_def(def, root, for_create, err) < 0)
        return NULL;
    return TAKE_PTR(def);
}

char *vb_nodedev_def_format(const struct vb_nodedev_def *def, struct vb_error *err)
{
    struct vb_buf buf = { 0 };

    vb_object_xml_format_node(&buf, xmlDocGetRootElement(def->doc), 0);
    return vb_buf_steal(&buf, err);
}

struct vb_nodedev_def *vb_nodedev_def_copy(const struct vb_nodedev_def *def)
{
    struct vb_error err = VB_ERROR_INIT;
    _cleanup_free_ char *xml = vb_nodedev_def_format(def, &err);
    struct vb_nodedev_def *copy = xml ? vb_nodedev_def_parse_string(xml, false, &err) : NULL;

    vb_error_clear(&err);
    return copy;
}

static int set_text(xmlNodePtr parent, const char *name, const char *text, char **field)
{
    xmlNodePtr node = vb_xml_child(parent, name);
    char *copy = strdup(text);

    if (!node || !copy) {
        free(copy);
        return node ? -ENOMEM : 0;
    }
    xmlNodeSetContent(node, BAD_CAST text);
    free(*field);
    *field = copy;
    return 0;
}

int vb_nodedev_def_set_identity(struct vb_nodedev_def *def, const char *name, const char *wwnn, const char *wwpn)
{
    xmlNodePtr root = xmlDocGetRootElement(def->doc);
    xmlNodePtr fc_host = find_cap(find_cap(root, "scsi_host"), "fc_host");
    int r = set_text(root, "name", name, &def->name);

    if (r == 0 && fc_host)
        r = set_text(fc_host, "wwnn", wwnn, &def->wwnn);
    if (r == 0 && fc_host)
        r = set_text(fc_host, "wwpn", wwpn, &def->wwpn);
    return r;
}
