/* Parsing and printing storage pool definitions, with libvirt's per-type requirements. */
#include <stdlib.h>
#include <string.h>

#include "conf/object_xml.h"
#include "conf/storage_def.h"

#define POOL_URL "(storage_pool_definition)"

/* What each pool type requires of <source>, and where its target comes from. */
enum {
    NEEDS_HOST = 1 << 0,
    NEEDS_DIR = 1 << 1,
    NEEDS_DEVICE = 1 << 2,
    NO_TARGET = 1 << 3,     /* a network pool: no target path */
    TARGET_IS_DEV = 1 << 4, /* logical: /dev/<source name> */
    TARGET_IS_ZVOL = 1 << 5,
};

struct pool_type {
    const char *name;
    unsigned int needs;
    int vol_type; /* virStorageVolType: 0 file, 1 block, 3 network */
};

static const struct pool_type pool_types[] = {
    { "dir", 0, 0 },
    { "fs", NEEDS_DEVICE, 0 },
    { "netfs", NEEDS_HOST | NEEDS_DIR, 0 },
    { "logical", TARGET_IS_DEV, 1 },
    { "disk", NEEDS_DEVICE, 1 },
    { "iscsi", NEEDS_HOST, 1 },
    { "iscsi-direct", NEEDS_HOST | NO_TARGET, 3 },
    { "scsi", 0, 1 },
    { "mpath", 0, 1 },
    { "rbd", NEEDS_HOST | NO_TARGET, 3 },
    { "sheepdog", NEEDS_HOST | NO_TARGET, 3 },
    { "gluster", NEEDS_HOST | NEEDS_DIR | NO_TARGET, 3 },
    { "zfs", TARGET_IS_ZVOL, 1 },
    { "vstorage", 0, 0 },
};

static const struct pool_type *find_type(const char *name)
{
    for (size_t i = 0; name && i < ARRAY_SIZE(pool_types); i++)
        if (streq(pool_types[i].name, name))
            return &pool_types[i];
    return NULL;
}

int vb_pool_vol_type(const char *pool_type)
{
    const struct pool_type *t = find_type(pool_type);

    return t ? t->vol_type : 0;
}

const char *vb_vol_type_to_string(int type)
{
    static const char *const names[] = { "file", "block", "dir", "network", "netdir", "ploop" };

    return type >= 0 && (size_t) type < ARRAY_SIZE(names) ? names[type] : "file";
}

void vb_pool_def_free(struct vb_pool_def *def)
{
    if (!def)
        return;
    free(def->type);
    free(def->name);
    free(def->target_path);
    if (def->doc)
        xmlFreeDoc(def->doc);
    free(def);
}

/* libvirt's virFileSanitizePath: no repeated '/', no trailing '/' (but "/" stays). */
static char *sanitize_path(const char *path)
{
    char *out = strdup(path);
    size_t j = 0;

    if (!out)
        return NULL;
    for (size_t i = 0; path[i]; i++)
        if (!(path[i] == '/' && j > 0 && out[j - 1] == '/'))
            out[j++] = path[i];
    while (j > 1 && out[j - 1] == '/')
        j--;
    out[j] = '\0';
    return out;
}

static int check_source(xmlNodePtr source, const struct pool_type *t, struct vb_error *err)
{
    if ((t->needs & NEEDS_HOST) && !vb_xml_child(source, "host"))
        return vb_error_set(err, VB_ERR_XML_ERROR, "missing storage pool source host name");
    if ((t->needs & NEEDS_DIR) && !vb_xml_child(source, "dir"))
        return vb_error_set(err, VB_ERR_XML_ERROR, "missing storage pool source path");
    if ((t->needs & NEEDS_DEVICE) && !vb_xml_child(source, "device"))
        return vb_error_set(err, VB_ERR_XML_ERROR, "missing storage pool source device name");
    return 0;
}

static int read_target(struct vb_pool_def *def, xmlNodePtr root, const struct pool_type *t, struct vb_error *err)
{
    _cleanup_free_ char *path = NULL;
    xmlNodePtr target = vb_xml_child(root, "target");

    if (t->needs & NO_TARGET)
        return 0;
    if (t->needs & (TARGET_IS_DEV | TARGET_IS_ZVOL)) {
        _cleanup_free_ char *source_name = vb_object_xml_child_text(vb_xml_child(root, "source"), "name");
        int r = asprintf(&path, "%s/%s", (t->needs & TARGET_IS_DEV) ? "/dev" : "/dev/zvol",
                         source_name ? source_name : def->name);
        if (r < 0)
            return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    } else {
        path = target ? vb_object_xml_child_text(target, "path") : NULL;
        if (!path)
            return vb_error_set(err, VB_ERR_XML_ERROR, "missing storage pool target path");
    }
    def->target_path = sanitize_path(path);
    return def->target_path ? 0 : vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
}

static int read_def(struct vb_pool_def *def, xmlNodePtr root, struct vb_error *err)
{
    const struct pool_type *t;

    def->type = vb_xml_prop(root, "type");
    if (!def->type)
        return vb_error_set(err, VB_ERR_XML_ERROR, "Missing required attribute 'type' in element 'pool'");
    t = find_type(def->type);
    if (!t)
        return vb_error_set(err, VB_ERR_XML_ERROR, "Invalid value for attribute 'type' in element 'pool': '%s'.",
                            def->type);
    def->name = vb_object_xml_child_text(root, "name");
    if (!def->name)
        return vb_error_set(err, VB_ERR_XML_ERROR, "missing pool source name element");
    if (strchr(def->name, '/'))
        return vb_error_set(err, VB_ERR_XML_ERROR, "name %s cannot contain '/'", def->name);
    if (vb_object_xml_uuid(root, def->uuid, NULL, VB_ERR_XML_ERROR, err) < 0 ||
        check_source(vb_xml_child(root, "source"), t, err) < 0)
        return -1;
    return read_target(def, root, t, err);
}

struct vb_pool_def *vb_pool_def_parse_string(const char *xml, struct vb_error *err)
{
    _cleanup_(vb_pool_def_freep) struct vb_pool_def *def = calloc(1, sizeof(*def));
    xmlNodePtr root;

    if (!def) {
        vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
        return NULL;
    }
    def->doc = vb_object_xml_parse(xml, POOL_URL, "pool", &root, err);
    if (!def->doc || read_def(def, root, err) < 0)
        return NULL;
    return TAKE_PTR(def);
}

static void format_target(struct vb_buf *buf, const struct vb_pool_def *def, xmlNodePtr target)
{
    static const char *const modelled[] = { "path", NULL };

    if (!def->target_path)
        return;
    vb_buf_add(buf, "  <target>\n");
    vb_object_xml_element(buf, 2, "path", def->target_path);
    vb_object_xml_format_rest(buf, target, modelled, 2);
    vb_buf_add(buf, "  </target>\n");
}

char *vb_pool_def_format(const struct vb_pool_def *def, struct vb_error *err)
{
    static const char *const modelled[] = { "name", "uuid", "capacity", "allocation", "available",
                                            "source", "target", NULL };
    xmlNodePtr root = xmlDocGetRootElement(def->doc), source = vb_xml_child(root, "source");
    char uuid[VB_UUID_STRING_LEN];
    struct vb_buf buf = { 0 };

    vb_uuid_format(def->uuid, uuid);
    vb_buf_addf(&buf, "<pool type='%s'>\n", def->type);
    vb_object_xml_element(&buf, 1, "name", def->name);
    vb_object_xml_element(&buf, 1, "uuid", uuid);
    vb_object_xml_bytes(&buf, 1, "capacity", def->capacity);
    vb_object_xml_bytes(&buf, 1, "allocation", def->allocation);
    vb_object_xml_bytes(&buf, 1, "available", def->available);
    if (source && xmlFirstElementChild(source))
        vb_object_xml_format_node(&buf, source, 1);
    else
        vb_buf_add(&buf, "  <source>\n  </source>\n");
    format_target(&buf, def, vb_xml_child(root, "target"));
    vb_object_xml_format_rest(&buf, root, modelled, 1);
    vb_buf_add(&buf, "</pool>\n");
    return vb_buf_steal(&buf, err);
}
