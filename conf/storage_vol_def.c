/* Parsing and printing storage volume definitions. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "conf/object_xml.h"
#include "conf/storage_def.h"

#define VOL_URL "(storage_volume_definition)"

void vb_vol_def_free(struct vb_vol_def *def)
{
    if (!def)
        return;
    free(def->name);
    free(def->key);
    free(def->path);
    free(def->format);
    if (def->doc)
        xmlFreeDoc(def->doc);
    free(def);
}

/* libvirt's virStorageSize: a number with an optional unit, in bytes. */
static int read_size(xmlNodePtr node, uint64_t *bytes, const char *what, struct vb_error *err)
{
    _cleanup_free_ char *text = vb_xml_content(node);
    _cleanup_free_ char *unit = vb_xml_prop(node, "unit");
    unsigned long long value;

    if (!text || vb_xml_parse_ull(text, &value) < 0)
        return vb_error_set(err, VB_ERR_XML_ERROR, "malformed %s element", what);
    if (vb_xml_scale_integer(&value, unit, 1, UINT64_MAX, err) < 0)
        return -1;
    *bytes = value;
    return 0;
}

static int read_def(struct vb_vol_def *def, xmlNodePtr root, struct vb_error *err)
{
    xmlNodePtr capacity = vb_xml_child(root, "capacity"), allocation = vb_xml_child(root, "allocation");
    xmlNodePtr target = vb_xml_child(root, "target");

    def->name = vb_object_xml_child_text(root, "name");
    if (!def->name)
        return vb_error_set(err, VB_ERR_XML_ERROR, "missing volume name element");
    if (strchr(def->name, '/') || streq(def->name, ".") || streq(def->name, ".."))
        return vb_error_set(err, VB_ERR_XML_ERROR, "volume name '%s' cannot contain '/'", def->name);
    if (!capacity)
        return vb_error_set(err, VB_ERR_XML_ERROR, "missing capacity element");
    if (read_size(capacity, &def->capacity, "capacity", err) < 0)
        return -1;
    def->allocation = def->capacity;
    if (allocation && read_size(allocation, &def->allocation, "allocation", err) < 0)
        return -1;
    def->format = target ? vb_xml_child_prop(target, "format", "type") : NULL;
    if (!def->format)
        def->format = strdup("raw");
    return def->format ? 0 : vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
}

static const char *const modelled[] = { "name", "key", "capacity", "allocation", "target", NULL };
static const char *const target_modelled[] = { "path", "format", NULL };

static bool only_listed_children(xmlNodePtr node, const char *const *listed)
{
    for (xmlNodePtr child = node ? node->children : NULL; child; child = child->next) {
        bool known = false;

        if (child->type != XML_ELEMENT_NODE)
            continue;
        for (const char *const *l = listed; *l && !known; l++)
            known = vb_xml_is_element(child, *l);
        if (!known)
            return false;
    }
    return true;
}

/* Whether root has elements or attributes the model does not keep. */
static bool has_unmodelled(xmlNodePtr root)
{
    xmlNodePtr target = vb_xml_child(root, "target");

    return root->properties || (target && target->properties) || !only_listed_children(root, modelled) ||
           !only_listed_children(target, target_modelled);
}

struct vb_vol_def *vb_vol_def_parse_string(const char *xml, struct vb_error *err)
{
    _cleanup_(vb_vol_def_freep) struct vb_vol_def *def = calloc(1, sizeof(*def));
    xmlNodePtr root;

    if (!def) {
        vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
        return NULL;
    }
    def->doc = vb_object_xml_parse(xml, VOL_URL, "volume", &root, err);
    if (!def->doc || read_def(def, root, err) < 0)
        return NULL;
    /* A pool may hold thousands of volumes: the document is kept only when it has something the
     * model does not (a tree costs kilobytes). */
    if (!has_unmodelled(root)) {
        xmlFreeDoc(def->doc);
        def->doc = NULL;
    }
    return TAKE_PTR(def);
}

char *vb_vol_def_format(const struct vb_vol_def *def, const char *type, struct vb_error *err)
{
    xmlNodePtr root = def->doc ? xmlDocGetRootElement(def->doc) : NULL;
    struct vb_buf buf = { 0 };

    vb_buf_addf(&buf, "<volume type='%s'>\n", type);
    vb_object_xml_element(&buf, 1, "name", def->name);
    vb_object_xml_element(&buf, 1, "key", def->key);
    vb_object_xml_bytes(&buf, 1, "capacity", def->capacity);
    vb_object_xml_bytes(&buf, 1, "allocation", def->allocation);
    vb_buf_add(&buf, "  <target>\n");
    vb_object_xml_element(&buf, 2, "path", def->path);
    vb_buf_add(&buf, "    <format type='");
    vb_object_xml_escape(&buf, def->format);
    vb_buf_add(&buf, "'/>\n");
    vb_object_xml_format_rest(&buf, vb_xml_child(root, "target"), target_modelled, 2);
    vb_buf_add(&buf, "  </target>\n");
    vb_object_xml_format_rest(&buf, root, modelled, 1);
    vb_buf_add(&buf, "</volume>\n");
    return vb_buf_steal(&buf, err);
}
