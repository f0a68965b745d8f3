/* <domainsnapshot> XML: parsing with libvirt's checks and wording, disk alignment, formatting. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libxml/tree.h>

#include "conf/domain_def_internal.h"
#include "conf/domain_view.h"
#include "conf/snapshot_def.h"
#include "util/name_index.h"

#define SNAPSHOT_URL "(domain_snapshot)"

static const char *const state_names[] = {
    "nostate", "running", "blocked", "paused", "shutdown", "shutoff", "crashed", "pmsuspended", "disk-snapshot",
};

static const char *const location_names[] = { "default", "no", "internal", "external", "manual" };

const char *vb_snapshot_state_to_string(enum vb_snapshot_state state)
{
    return (size_t) state < ARRAY_SIZE(state_names) ? state_names[state] : NULL;
}

int vb_snapshot_state_from_string(const char *text)
{
    for (size_t i = 0; text && i < ARRAY_SIZE(state_names); i++)
        if (streq(text, state_names[i]))
            return (int) i;
    return -1;
}

static int location_from_string(const char *text)
{
    for (size_t i = 0; i < ARRAY_SIZE(location_names); i++)
        if (streq(text, location_names[i]))
            return (int) i;
    return -1;
}

static void disks_free(struct vb_snapshot_disk *disks, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(disks[i].name);
    free(disks);
}

void vb_snapshot_def_free(struct vb_snapshot_def *def)
{
    if (!def)
        return;
    free(def->name);
    free(def->description);
    free(def->parent_name);
    free(def->memory_file);
    disks_free(def->disks, def->n_disks);
    vb_domain_def_free(def->dom);
    free(def);
}

/* libvirt's virXMLPropEnumDefault with VIR_XML_PROP_NONZERO: absent is DEFAULT, "default" and
 * unknown names are refused. */
static int parse_location_attr(xmlNodePtr node, enum vb_snapshot_location *out, struct vb_error *err)
{
    _cleanup_free_ char *text = vb_xml_prop(node, "snapshot");
    int value;

    *out = VB_SNAPSHOT_LOCATION_DEFAULT;
    if (!text)
        return 0;
    value = location_from_string(text);
    if (value < 0)
        return vb_error_set(err, VB_ERR_XML_ERROR, "Invalid value for attribute '%s' in element '%s': '%s'.",
                            "snapshot", (const char *) node->name, text);
    if (value == VB_SNAPSHOT_LOCATION_DEFAULT)
        return vb_error_set(err, VB_ERR_XML_ERROR,
                            "Invalid value for attribute '%s' in element '%s': Zero is not permitted",
                            "snapshot", (const char *) node->name);
    *out = (enum vb_snapshot_location) value;
    return 0;
}

static int parse_creation_time(xmlNodePtr root, long long *out, struct vb_error *err)
{
    _cleanup_free_ char *text = vb_xml_content(vb_xml_child(root, "creationTime"));
    char *end = NULL;

    errno = 0;
    if (text)
        *out = strtoll(text, &end, 10);
    if (!text || errno != 0 || end == text || *end != '\0')
        return vb_error_set(err, VB_ERR_INTERNAL_ERROR, "missing creationTime from existing snapshot");
    return 0;
}

static int parse_state(xmlNodePtr root, enum vb_snapshot_state *out, struct vb_error *err)
{
    _cleanup_free_ char *text = vb_xml_content(vb_xml_child(root, "state"));
    int state;

    if (!text)
        return vb_error_set(err, VB_ERR_XML_ERROR, "missing state from existing snapshot");
    state = vb_snapshot_state_from_string(text);
    if (state <= 0)
        return vb_error_set(err, VB_ERR_CONFIG_UNSUPPORTED, "Invalid state '%s' in domain snapshot XML", text);
    *out = (enum vb_snapshot_state) state;
    return 0;
}

/* The embedded <domain>, re-read through the domain parser from a private copy, so the
 * namespaces it inherits from <domainsnapshot> come along. */
static int parse_domain(xmlNodePtr node, struct vb_domain_def **out, struct vb_error *err)
{
    _cleanup_(vb_xml_node_freep) xmlNodePtr copy = vb_xml_node_dup(node);
    xmlBufferPtr buffer;
    int r = -1;

    if (!copy)
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    buffer = xmlBufferCreate();
    if (!buffer)
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    if (xmlNodeDump(buffer, copy->doc, copy, 0, 0) < 0) {
        vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    } else {
        *out = vb_domain_def_parse_string((const char *) xmlBufferContent(buffer), err);
        r = *out ? 0 : -1;
    }
    xmlBufferFree(buffer);
    return r;
}

/* What only an existing snapshot's XML carries (libvirt's PARSE_REDEFINE branch). */
static int parse_redefine_fields(xmlNodePtr root, struct vb_snapshot_def *def, struct vb_error *err)
{
    xmlNodePtr domain = vb_xml_child(root, "domain");
    _cleanup_free_ char *domain_type = vb_xml_prop(domain, "type");

    if (parse_creation_time(root, &def->creation_time, err) < 0)
        return -1;
    def->parent_name = vb_xml_content(vb_xml_child(vb_xml_child(root, "parent"), "name"));
    if (parse_state(root, &def->state, err) < 0)
        return -1;
    /* Older snapshots carry only <domain><uuid>: no definition then, as in libvirt. */
    if (domain_type && parse_domain(domain, &def->dom, err) < 0)
        return -1;
    return 0;
}

static bool is_offline_state(enum vb_snapshot_state state)
{
    return state == VB_SNAPSHOT_SHUTOFF || state == VB_SNAPSHOT_DISK_SNAPSHOT;
}

static int check_memory(const struct vb_snapshot_def *def, bool offline, struct vb_error *err)
{
    if (def->memory_file && def->memory != VB_SNAPSHOT_LOCATION_EXTERNAL)
        return vb_error_set(err, VB_ERR_XML_ERROR, "memory filename '%s' requires external snapshot",
                            def->memory_file);
    if (!def->memory_file && def->memory == VB_SNAPSHOT_LOCATION_EXTERNAL)
        return vb_error_set(err, VB_ERR_XML_ERROR, "external memory snapshots require a filename");
    if (offline && def->memory != VB_SNAPSHOT_LOCATION_DEFAULT && def->memory != VB_SNAPSHOT_LOCATION_NO)
        return vb_error_set(err, VB_ERR_XML_ERROR, "memory state cannot be saved with offline or disk-only snapshot");
    if (def->memory_file && def->memory_file[0] != '/')
        return vb_error_set(err, VB_ERR_XML_ERROR, "memory snapshot file path (%s) must be absolute",
                            def->memory_file);
    return 0;
}

static int parse_memory(xmlNodePtr root, struct vb_snapshot_def *def, bool redefine, struct vb_error *err)
{
    xmlNodePtr memory = vb_xml_child(root, "memory");
    bool offline = redefine && is_offline_state(def->state);

    if (memory) {
        def->memory_file = vb_xml_prop(memory, "file");
        if (parse_location_attr(memory, &def->memory, err) < 0)
            return -1;
        if (def->memory == VB_SNAPSHOT_LOCATION_MANUAL)
            return vb_error_set(err, VB_ERR_XML_ERROR, "'manual' memory snapshot mode not supported");
    }
    if (def->memory == VB_SNAPSHOT_LOCATION_DEFAULT) {
        if (def->memory_file)
            def->memory = VB_SNAPSHOT_LOCATION_EXTERNAL;
        else if (redefine)
            def->memory = offline ? VB_SNAPSHOT_LOCATION_NO : VB_SNAPSHOT_LOCATION_INTERNAL;
    }
    return check_memory(def, offline, err);
}

static int parse_disks(xmlNodePtr root, struct vb_snapshot_def *def, struct vb_error *err)
{
    xmlNodePtr disks = vb_xml_child(root, "disks");
    size_t n = 0;

    for (xmlNodePtr child = disks ? disks->children : NULL; child; child = child->next)
        if (child->type == XML_ELEMENT_NODE)
            n++;
    if (n == 0)
        return 0;
    def->disks = calloc(n, sizeof(*def->disks));
    if (!def->disks)
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    for (xmlNodePtr child = disks->children; child; child = child->next) {
        struct vb_snapshot_disk *disk = &def->disks[def->n_disks];

        if (child->type != XML_ELEMENT_NODE)
            continue;
        disk->name = vb_xml_prop(child, "name");
        if (!disk->name)
            return vb_error_set(err, VB_ERR_INTERNAL_ERROR, "missing name from disk snapshot element");
        def->n_disks++;
        if (parse_location_attr(child, &disk->location, err) < 0)
            return -1;
    }
    return 0;
}

static int parse_fields(xmlNodePtr root, struct vb_snapshot_def *def, bool redefine, struct vb_error *err)
{
    def->name = vb_xml_content(vb_xml_child(root, "name"));
    if (!def->name && redefine)
        return vb_error_set(err, VB_ERR_XML_ERROR, "a redefined snapshot must have a name");
    def->description = vb_xml_content(vb_xml_child(root, "description"));
    if (redefine) {
        if (parse_redefine_fields(root, def, err) < 0)
            return -1;
    } else {
        /* libvirt's virDomainMomentDefPostParse: now, and a name made of it. */
        def->creation_time = (long long) time(NULL);
        if (!def->name && asprintf(&def->name, "%lld", def->creation_time) < 0) {
            def->name = NULL;
            return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
        }
    }
    if (parse_memory(root, def, redefine, err) < 0)
        return -1;
    return parse_disks(root, def, err);
}

static struct vb_snapshot_def *parse_root(xmlNodePtr root, unsigned int flags, struct vb_error *err)
{
    struct vb_snapshot_def *def = calloc(1, sizeof(*def));

    if (!def) {
        vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
        return NULL;
    }
    if (parse_fields(root, def, flags & VB_SNAPSHOT_PARSE_REDEFINE, err) < 0) {
        vb_snapshot_def_free(def);
        return NULL;
    }
    return def;
}

struct vb_snapshot_def *vb_snapshot_def_parse_string(const char *xml, unsigned int flags, struct vb_error *err)
{
    struct vb_snapshot_def *def = NULL;
    xmlDocPtr doc = vb_xml_parse_string(xml, SNAPSHOT_URL, err);
    xmlNodePtr root;

    if (!doc)
        return NULL;
    root = vb_xml_root(doc, "domainsnapshot", err);
    if (root)
        def = parse_root(root, flags, err);
    xmlFreeDoc(doc);
    return def;
}

/* --- disk alignment ----------------------------------------------------------------------- */

/* The domain's disks by target and the requested disks by name, sorted once: a snapshot may
 * name every disk of a domain with tens of thousands, and searching both lists for each request
 * was quadratic (20,000 disks took 2 s). A lookup finds what a linear search would, the first. */
struct disk_indexes {
    struct vb_name_ref *domain; /* at: index in dom->devices */
    size_t n_domain;
    struct vb_name_ref *requested; /* at: index in def->disks */
};

static void disk_indexes_clear(struct disk_indexes *ix)
{
    free(ix->domain);
    free(ix->requested);
}

static int disk_indexes_build(const struct vb_snapshot_def *def, struct disk_indexes *ix)
{
    *ix = (struct disk_indexes){ .domain = calloc(def->dom->n_devices + 1, sizeof(*ix->domain)),
                                 .requested = calloc(def->n_disks + 1, sizeof(*ix->requested)) };
    if (!ix->domain || !ix->requested)
        return -1;
    for (size_t i = 0; i < def->dom->n_devices; i++) {
        const struct vb_device_def *dev = def->dom->devices[i];

        if (dev->kind == VB_DEVICE_DISK && dev->target_dev)
            ix->domain[ix->n_domain++] = (struct vb_name_ref){ dev->target_dev, i };
    }
    for (size_t i = 0; i < def->n_disks; i++)
        ix->requested[i] = (struct vb_name_ref){ def->disks[i].name, i };
    vb_name_index_sort(ix->domain, ix->n_domain);
    vb_name_index_sort(ix->requested, def->n_disks);
    return 0;
}

static const struct vb_device_def *find_domain_disk(const struct vb_domain_def *dom, const struct disk_indexes *ix,
                                                    const char *name)
{
    const struct vb_name_ref *ref = vb_name_index_find(ix->domain, ix->n_domain, name);

    return ref ? dom->devices[ref->at] : NULL;
}

static size_t count_domain_disks(const struct vb_domain_def *dom)
{
    size_t n = 0;

    for (size_t i = 0; i < dom->n_devices; i++)
        if (dom->devices[i]->kind == VB_DEVICE_DISK && dom->devices[i]->target_dev)
            n++;
    return n;
}

/* The domain disk's own snapshot='...' attribute, DEFAULT when absent or unknown; a read-only
 * disk without one is "no", as libvirt's disk post-parse makes it. */
static enum vb_snapshot_location domain_disk_location(const struct vb_device_def *dev)
{
    _cleanup_free_ char *text = vb_device_def_get_attribute(dev, "snapshot");
    int value = text ? location_from_string(text) : -1;

    if (value > 0)
        return (enum vb_snapshot_location) value;
    return vb_device_def_disk_readonly(dev) ? VB_SNAPSHOT_LOCATION_NO : VB_SNAPSHOT_LOCATION_DEFAULT;
}

/* Checks one requested disk and resolves its default location. */
static int check_requested_disk(const struct vb_snapshot_def *def, const struct disk_indexes *ix, size_t index,
                                enum vb_snapshot_location deflt, bool require_match,
                                enum vb_snapshot_location *resolved, struct vb_error *err)
{
    const struct vb_snapshot_disk *disk = &def->disks[index];
    const struct vb_device_def *dev = find_domain_disk(def->dom, ix, disk->name);
    enum vb_snapshot_location own;

    if (!dev)
        return vb_error_set(err, VB_ERR_CONFIG_UNSUPPORTED, "no disk named '%s'", disk->name);
    /* The first request naming this disk is an earlier one: this one repeats it. */
    if (vb_name_index_find(ix->requested, def->n_disks, disk->name)->at < index)
        return vb_error_set(err, VB_ERR_CONFIG_UNSUPPORTED, "disk '%s' specified twice", disk->name);
    own = domain_disk_location(dev);
    *resolved = disk->location;
    if (disk->location == VB_SNAPSHOT_LOCATION_DEFAULT)
        *resolved = own != VB_SNAPSHOT_LOCATION_DEFAULT && (!require_match || own == VB_SNAPSHOT_LOCATION_NO)
                        ? own : deflt;
    else if (require_match && disk->location != deflt &&
             !(disk->location == VB_SNAPSHOT_LOCATION_NO && own == VB_SNAPSHOT_LOCATION_NO))
        return vb_error_set(err, VB_ERR_CONFIG_UNSUPPORTED, "disk '%s' must use snapshot mode '%s'", disk->name,
                            location_names[deflt]);
    return 0;
}

static enum vb_snapshot_location requested_location(const struct vb_snapshot_def *def, const struct disk_indexes *ix,
                                                    const enum vb_snapshot_location *resolved, const char *name,
                                                    enum vb_snapshot_location fallback)
{
    const struct vb_name_ref *ref = vb_name_index_find(ix->requested, def->n_disks, name);

    return ref ? resolved[ref->at] : fallback;
}

/* The entry for a domain disk nobody asked about: empty drives are not snapshotted. */
static enum vb_snapshot_location default_disk_location(const struct vb_device_def *dev,
                                                       enum vb_snapshot_location deflt)
{
    enum vb_snapshot_location own = domain_disk_location(dev);

    if (!dev->source)
        return VB_SNAPSHOT_LOCATION_NO;
    return own != VB_SNAPSHOT_LOCATION_DEFAULT ? own : deflt;
}

static int build_aligned(struct vb_snapshot_def *def, const struct disk_indexes *ix,
                         const enum vb_snapshot_location *resolved, enum vb_snapshot_location deflt,
                         struct vb_error *err)
{
    size_t n = count_domain_disks(def->dom), used = 0;
    struct vb_snapshot_disk *disks = n ? calloc(n, sizeof(*disks)) : NULL;

    if (n && !disks)
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    for (size_t i = 0; i < def->dom->n_devices; i++) {
        const struct vb_device_def *dev = def->dom->devices[i];

        if (dev->kind != VB_DEVICE_DISK || !dev->target_dev)
            continue;
        disks[used].name = strdup(dev->target_dev);
        if (!disks[used].name) {
            disks_free(disks, used);
            return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
        }
        disks[used].location =
            requested_location(def, ix, resolved, dev->target_dev, default_disk_location(dev, deflt));
        used++;
    }
    disks_free(def->disks, def->n_disks);
    def->disks = disks;
    def->n_disks = used;
    return 0;
}

int vb_snapshot_def_align_disks(struct vb_snapshot_def *def, enum vb_snapshot_location default_location,
                                bool require_match, struct vb_error *err)
{
    _cleanup_free_ enum vb_snapshot_location *resolved = NULL;
    struct disk_indexes ix;
    int r = 0;

    if (!def->dom)
        return vb_error_set(err, VB_ERR_INTERNAL_ERROR, "missing domain in snapshot");
    if (def->n_disks > count_domain_disks(def->dom))
        return vb_error_set(err, VB_ERR_CONFIG_UNSUPPORTED, "too many disk snapshot requests for domain");
    resolved = calloc(def->n_disks + 1, sizeof(*resolved));
    if (!resolved || disk_indexes_build(def, &ix) < 0) {
        if (resolved)
            disk_indexes_clear(&ix);
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    }
    for (size_t i = 0; i < def->n_disks && r == 0; i++)
        r = check_requested_disk(def, &ix, i, default_location, require_match, &resolved[i], err);
    if (r == 0)
        r = build_aligned(def, &ix, resolved, default_location, err);
    disk_indexes_clear(&ix);
    return r;
}

bool vb_snapshot_def_is_external(const struct vb_snapshot_def *def)
{
    if (def->memory == VB_SNAPSHOT_LOCATION_EXTERNAL)
        return true;
    for (size_t i = 0; i < def->n_disks; i++)
        if (def->disks[i].location == VB_SNAPSHOT_LOCATION_EXTERNAL)
            return true;
    return false;
}

/* --- formatting ---------------------------------------------------------------------------- */

/* Appends a formatted document indented one level: element lines get two spaces, the
 * continuation lines of multi-line text are left exactly as they are. */
static void add_indented(struct vb_buf *buf, const char *text)
{
    for (const char *line = text; *line;) {
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t) (end - line + 1) : strlen(line);
        size_t blanks = strspn(line, " ");

        if (line[blanks] == '<')
            vb_buf_add(buf, "  ");
        vb_buf_add_len(buf, line, len);
        line += len;
    }
}

static void format_memory_and_disks(struct vb_buf *buf, const struct vb_snapshot_def *def)
{
    if (def->memory) {
        vb_buf_addf(buf, "  <memory snapshot='%s'", location_names[def->memory]);
        if (def->memory_file) {
            vb_buf_add(buf, " file='");
            vb_buf_escape(buf, def->memory_file);
            vb_buf_add(buf, "'");
        }
        vb_buf_add(buf, "/>\n");
    }
    if (!def->n_disks)
        return;
    vb_buf_add(buf, "  <disks>\n");
    for (size_t i = 0; i < def->n_disks; i++) {
        vb_buf_add(buf, "    <disk name='");
        vb_buf_escape(buf, def->disks[i].name);
        vb_buf_add(buf, "'");
        if (def->disks[i].location)
            vb_buf_addf(buf, " snapshot='%s'", location_names[def->disks[i].location]);
        vb_buf_add(buf, "/>\n");
    }
    vb_buf_add(buf, "  </disks>\n");
}

static int format_domain(struct vb_buf *buf, const struct vb_snapshot_def *def, const char *domain_uuid,
                         bool secure, struct vb_error *err)
{
    _cleanup_free_ char *xml = NULL;

    if (!def->dom) {
        if (domain_uuid)
            vb_buf_addf(buf, "  <domain>\n    <uuid>%s</uuid>\n  </domain>\n", domain_uuid);
        return 0;
    }
    xml = vb_domain_def_format(def->dom, VB_DOMAIN_XML_INACTIVE | (secure ? VB_DOMAIN_XML_SECURE : 0), err);
    if (!xml)
        return -1;
    add_indented(buf, xml);
    return 0;
}

char *vb_snapshot_def_format(const struct vb_snapshot_def *def, const char *domain_uuid, bool secure,
                             struct vb_error *err)
{
    struct vb_buf buf = { 0 };

    vb_buf_add(&buf, "<domainsnapshot>\n");
    vb_buf_element(&buf, 1, "name", def->name);
    vb_buf_element(&buf, 1, "description", def->description);
    if (def->state)
        vb_buf_addf(&buf, "  <state>%s</state>\n", vb_snapshot_state_to_string(def->state));
    if (def->parent_name) {
        vb_buf_add(&buf, "  <parent>\n");
        vb_buf_element(&buf, 2, "name", def->parent_name);
        vb_buf_add(&buf, "  </parent>\n");
    }
    if (def->creation_time)
        vb_buf_addf(&buf, "  <creationTime>%lld</creationTime>\n", def->creation_time);
    format_memory_and_disks(&buf, def);
    if (format_domain(&buf, def, domain_uuid, secure, err) < 0) {
        vb_buf_free(&buf);
        return NULL;
    }
    vb_buf_add(&buf, "</domainsnapshot>\n");
    return vb_buf_steal(&buf, err);
}
