/* The test driver's initial node: libvirt's default, or a testnode.xml-style file. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "conf/xml_scan.h"
#include "drivers/test/test_private.h"
#include "util/file.h"

#define TEST_NS "http://libvirt.org/schemas/domain/test/1.0"
#define TEST_NODE_MAX_BYTES (16 * 1024 * 1024)
/* nodes * sockets * cores * threads sizes every CPU map the test driver keeps (emulator and
 * I/O thread pinning): bounded, or a node file could make each map gigabytes. The largest
 * hosts have a few thousand CPUs. */
#define TEST_NODE_CPUS_MAX 4096

/* libvirt's test:///default: one running domain "test". */
static const char default_domain_xml[] =
    "<domain type='test'>"
    "<name>test</name>"
    "<uuid>6695eb01-f6a4-8304-79aa-97f2502e193f</uuid>"
    "<memory>8388608</memory>"
    "<currentMemory>2097152</currentMemory>"
    "<vcpu>2</vcpu>"
    "<os><type>hvm</type></os>"
    "<devices>"
    "<disk type='file' device='disk'>"
    "<source file='/guest/diskimage1'/>"
    "<target dev='vda' bus='virtio'/>"
    "<address type='pci' domain='0x0000' bus='0x01' slot='0x00' function='0x0'/>"
    "</disk>"
    "<interface type='network'>"
    "<mac address='aa:bb:cc:dd:ee:ff'/>"
    "<source network='default' bridge='virbr0'/>"
    "<address type='pci' domain='0x0000' bus='0x00' slot='0x1' function='0x0'/>"
    "</interface>"
    "<memballoon model='virtio'>"
    "<address type='pci' domain='0x0000' bus='0x00' slot='0x2' function='0x0'/>"
    "</memballoon>"
    "</devices>"
    "</domain>";

/* libvirt's defaultNodeInfo. */
static const struct vb_node_info default_node = {
    .model = "i686", .memory_kib = 3 * 1024 * 1024, .cpus = 16, .mhz = 1400,
    .nodes = 2, .sockets = 2, .cores = 2, .threads = 2,
};

int test_node_add_domain(struct test_conn *conn, struct vb_domain_def *def, bool persistent,
                         enum vb_domain_state state, bool has_managed_save, struct vb_error *err)
{
    struct vb_domain_obj *obj;
    int conflict;

    vb_domain_list_check_add(conn->domains, def, true, &conflict, err);
    if (conflict || vb_domain_list_find_by_uuid(conn->domains, def->uuid)) {
        if (!conflict)
            vb_error_set(err, VB_ERR_OPERATION_FAILED, "domain '%s' is defined twice", def->name);
        vb_domain_def_free(def);
        return -1;
    }
    obj = vb_domain_obj_new(def);
    if (!obj) {
        vb_domain_def_free(def);
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    }
    obj->persistent = persistent;
    obj->has_managed_save = has_managed_save && persistent;
    if (state != VB_DOMAIN_SHUTOFF &&
        vb_domain_obj_mark_started(obj, conn->next_id++, state,
                                   state == VB_DOMAIN_PAUSED ? VB_PAUSED_USER : VB_RUNNING_BOOTED, err) < 0) {
        vb_domain_obj_unref(obj);
        return -1;
    }
    if (state == VB_DOMAIN_SHUTOFF)
        vb_domain_obj_set_state(obj, VB_DOMAIN_SHUTOFF, has_managed_save ? VB_SHUTOFF_SAVED : VB_SHUTOFF_UNKNOWN);
    if (vb_domain_list_add(conn->domains, obj) < 0) {
        vb_domain_obj_unref(obj);
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    }
    return 0;
}

int test_node_load_default(struct test_conn *conn, struct vb_error *err)
{
    struct vb_domain_def *def = vb_domain_def_parse_string(default_domain_xml, err);

    conn->node = default_node;
    if (!def)
        return -1;
    return test_node_add_domain(conn, def, true, VB_DOMAIN_RUNNING, false, err);
}

static unsigned int child_uint(xmlNodePtr parent, const char *name, unsigned int fallback)
{
    for (xmlNodePtr n = parent->children; n; n = n->next) {
        if (n->type == XML_ELEMENT_NODE && streq((const char *) n->name, name)) {
            xmlChar *text = xmlNodeGetContent(n);
            char *end = NULL;
            unsigned long value = text ? strtoul((const char *) text, &end, 10) : 0;
            bool ok = text && end != (char *) text && *end == '\0' && value <= 1u << 30;

            xmlFree(text);
            return ok ? (unsigned int) value : fallback;
        }
    }
    return fallback;
}

static int load_node_facts(struct test_conn *conn, const char *path, xmlNodePtr root, struct vb_error *err)
{
    unsigned long long topology;

    conn->node = default_node;
    for (xmlNodePtr n = root->children; n; n = n->next) {
        if (n->type != XML_ELEMENT_NODE)
            continue;
        if (streq((const char *) n->name, "cpu")) {
            xmlChar *model = NULL;

            conn->node.mhz = child_uint(n, "mhz", conn->node.mhz);
            conn->node.nodes = child_uint(n, "nodes", conn->node.nodes);
            conn->node.sockets = child_uint(n, "sockets", conn->node.sockets);
            conn->node.cores = child_uint(n, "cores", conn->node.cores);
            conn->node.threads = child_uint(n, "threads", conn->node.threads);
            conn->node.cpus = child_uint(n, "active", conn->node.nodes * conn->node.sockets *
                                                          conn->node.cores * conn->node.threads);
            for (xmlNodePtr c = n->children; c; c = c->next)
                if (c->type == XML_ELEMENT_NODE && streq((const char *) c->name, "model"))
                    model = xmlNodeGetContent(c);
            if (model)
                snprintf(conn->node.model, sizeof(conn->node.model), "%s", (const char *) model);
            xmlFree(model);
        } else if (streq((const char *) n->name, "memory")) {
            conn->node.memory_kib = child_uint(root, "memory", (unsigned int) conn->node.memory_kib);
        }
    }
    /* Each factor is at most 2^30: checked as the product grows, it cannot overflow. */
    topology = conn->node.nodes;
    if (topology <= TEST_NODE_CPUS_MAX)
        topology *= conn->node.sockets;
    if (topology <= TEST_NODE_CPUS_MAX)
        topology *= conn->node.cores;
    if (topology <= TEST_NODE_CPUS_MAX)
        topology *= conn->node.threads;
    if (topology > TEST_NODE_CPUS_MAX)
        return vb_error_set(err, VB_ERR_XML_ERROR, "%s: a node of more than %d CPUs is not supported", path,
                            TEST_NODE_CPUS_MAX);
    return 0;
}

/* The runtime hints libvirt's test driver reads from its own XML namespace. */
struct test_hints {
    enum vb_domain_state state;
    bool transient;
    bool has_managed_save;
};

static void take_test_hints(xmlNodePtr domain, struct test_hints *hints)
{
    xmlNodePtr n = domain->children;

    *hints = (struct test_hints){ .state = VB_DOMAIN_RUNNING };
    while (n) {
        xmlNodePtr next = n->next;

        if (n->type == XML_ELEMENT_NODE && n->ns && n->ns->href && streq((const char *) n->ns->href, TEST_NS)) {
            if (streq((const char *) n->name, "runstate")) {
                xmlChar *text = xmlNodeGetContent(n);
                unsigned long value = text ? strtoul((const char *) text, NULL, 10) : VB_DOMAIN_RUNNING;

                xmlFree(text);
                hints->state = value <= VB_DOMAIN_PMSUSPENDED ? (enum vb_domain_state) value : VB_DOMAIN_RUNNING;
            } else if (streq((const char *) n->name, "transient")) {
                hints->transient = true;
            } else if (streq((const char *) n->name, "hasmanagedsave")) {
                hints->has_managed_save = true;
            }
            xmlUnlinkNode(n);
            xmlFreeNode(n);
        }
        n = next;
    }
    if (hints->state != VB_DOMAIN_SHUTOFF && hints->state != VB_DOMAIN_PAUSED)
        hints->state = VB_DOMAIN_RUNNING;
}

static char *node_to_string(xmlDocPtr doc, xmlNodePtr node)
{
    xmlBufferPtr buf = xmlBufferCreate();
    char *out = NULL;

    if (!buf)
        return NULL;
    if (xmlNodeDump(buf, doc, node, 0, 0) >= 0)
        out = strdup((const char *) xmlBufferContent(buf));
    xmlBufferFree(buf);
    return out;
}

/* <domain file='x.xml'/> refers to a file beside the node file. */
static char *domain_xml_from_file(const char *node_path, const char *file, struct vb_error *err)
{
    _cleanup_free_ char *path = NULL;
    const char *slash = strrchr(node_path, '/');

    if (file[0] == '/')
        path = strdup(file);
    else if (asprintf(&path, "%.*s/%s", (int) (slash - node_path), node_path, file) < 0)
        path = NULL;
    if (!path) {
        vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
        return NULL;
    }
    return vb_file_read_all(path, VB_DOMAIN_XML_MAX_BYTES, NULL, err);
}

static int load_node_domain(struct test_conn *conn, const char *node_path, xmlDocPtr doc, xmlNodePtr n,
                            struct vb_error *err)
{
    _cleanup_free_ char *xml = NULL;
    xmlChar *file = xmlGetProp(n, (const xmlChar *) "file");
    struct vb_domain_def *def;
    struct test_hints hints;

    take_test_hints(n, &hints);
    if (file) {
        xml = domain_xml_from_file(node_path, (const char *) file, err);
        xmlFree(file);
    } else {
        xml = node_to_string(doc, n);
        if (!xml)
            vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    }
    if (!xml)
        return -1;
    def = vb_domain_def_parse_string(xml, err);
    if (!def)
        return -1;
    return test_node_add_domain(conn, def, !hints.transient, hints.state, hints.has_managed_save, err);
}

int test_node_load_file(struct test_conn *conn, const char *path, struct vb_error *err)
{
    _cleanup_free_ char *text = NULL;
    xmlDocPtr doc;
    xmlNodePtr root;
    size_t length;
    int r = 0;

    text = vb_file_read_all(path, TEST_NODE_MAX_BYTES, &length, err);
    /* Any client names the path; its cost to libxml2 is bounded as a domain's is. */
    if (!text || vb_xml_scan(text, length, &VB_XML_LIMITS_DEFAULT, path, err) < 0)
        return -1;
    doc = xmlReadMemory(text, (int) length, path, NULL, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    if (!doc)
        return vb_error_set(err, VB_ERR_XML_ERROR, "%s: not well formed", path);
    root = xmlDocGetRootElement(doc);
    if (doc->intSubset || !root || !streq((const char *) root->name, "node")) {
        xmlFreeDoc(doc);
        return vb_error_set(err, VB_ERR_XML_ERROR, "%s: expected a <node> document without DOCTYPE", path);
    }
    if (load_node_facts(conn, path, root, err) < 0) {
        xmlFreeDoc(doc);
        return -1;
    }
    for (xmlNodePtr n = root->children; n && r == 0; n = n->next)
        if (n->type == XML_ELEMENT_NODE && streq((const char *) n->name, "domain"))
            r = load_node_domain(conn, path, doc, n, err);
    xmlFreeDoc(doc);
    return r;
}
