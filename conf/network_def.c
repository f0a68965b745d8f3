/* Parsing and printing network definitions. */
#include <errno.h>
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

/* <bridge delay=> is a number of seconds, as libvirt's parser wants it. */
static int check_bridge_delay(const struct vb_network_def *def, xmlNodePtr root, struct vb_error *err)
{
    _cleanup_free_ char *delay = vb_xml_prop(vb_xml_child(root, "bridge"), "delay");
    char *end;

    if (!delay)
        return 0;
    errno = 0;
    (void) strtoul(delay, &end, 10);
    if (errno || end == delay || *end || delay[0] == '-')
        return vb_error_set(err, VB_ERR_XML_ERROR, "Invalid delay value in network '%s'", def->name);
    return 0;
}

/* node's attributes in libvirt's order (the others, which libvirt would drop, stay first). */
static int reorder_attrs(xmlNodePtr node, const char *const *order, struct vb_error *err)
{
    for (size_t i = 0; order[i]; i++) {
        _cleanup_free_ char *value = vb_xml_prop(node, order[i]);

        if (!value)
            continue;
        xmlUnsetProp(node, BAD_CAST order[i]);
        if (!xmlSetProp(node, BAD_CAST order[i], BAD_CAST value))
            return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    }
    return 0;
}

int vb_network_dhcp_entry_canonical(xmlNodePtr entry, struct vb_error *err)
{
    static const char *const range_order[] = { "start", "end", NULL };
    static const char *const host_order[] = { "mac", "id", "name", "ip", NULL };

    if (vb_xml_is_element(entry, "range"))
        return reorder_attrs(entry, range_order, err);
    if (vb_xml_is_element(entry, "host"))
        return reorder_attrs(entry, host_order, err);
    return 0;
}

/* The attributes of <ip>, its <dhcp> ranges and hosts, and <domain> as libvirt prints them
 * (virNetworkIPDefFormat, virNetworkDHCPHostDefParseXML's fields, virNetworkDefFormatBuf). */
static int canonical_attrs(xmlNodePtr root, struct vb_error *err)
{
    static const char *const ip_order[] = { "family", "address", "netmask", "prefix", "localPtr", NULL };
    static const char *const domain_order[] = { "name", "localOnly", "register", NULL };
    xmlNodePtr domain = vb_xml_child(root, "domain");

    if (domain && reorder_attrs(domain, domain_order, err) < 0)
        return -1;
    for (xmlNodePtr ip = root->children; ip; ip = ip->next) {
        xmlNodePtr dhcp = vb_xml_is_element(ip, "ip") ? vb_xml_child(ip, "dhcp") : NULL;

        if (vb_xml_is_element(ip, "ip") && reorder_attrs(ip, ip_order, err) < 0)
            return -1;
        for (xmlNodePtr c = dhcp ? dhcp->children : NULL; c; c = c->next)
            if (vb_network_dhcp_entry_canonical(c, err) < 0)
                return -1;
    }
    return 0;
}

/* <forward> as libvirt keeps it: a mode always (nat when none is given), after dev=. */
static int canonical_forward(xmlNodePtr root, struct vb_error *err)
{
    xmlNodePtr forward = vb_xml_child(root, "forward");
    _cleanup_free_ char *mode = vb_xml_prop(forward, "mode");

    if (!forward)
        return 0;
    xmlUnsetProp(forward, BAD_CAST "mode");
    if (!xmlSetProp(forward, BAD_CAST "mode", BAD_CAST(mode ? mode : "nat")))
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    return 0;
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
    return check_bridge_delay(def, root, err);
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
    if (!def->doc || read_def(def, root, err) < 0 || canonical_forward(root, err) < 0 ||
        canonical_attrs(root, err) < 0)
        return NULL;
    return TAKE_PTR(def);
}

/* The forward modes whose network is a bridge of the host's own (libvirt formats its stp and
 * delay then): none (isolated), nat, route, open. <forward/> without a mode is nat. */
static bool has_own_bridge(xmlNodePtr root)
{
    xmlNodePtr forward = vb_xml_child(root, "forward");
    _cleanup_free_ char *mode = vb_xml_prop(forward, "mode");

    return !forward || !mode || streq(mode, "nat") || streq(mode, "route") || streq(mode, "open");
}

/* <bridge> as libvirt's virNetworkDefFormatBuf prints it: name, zone, stp and delay (with their
 * defaults, on and 0, for a bridge of its own), macTableManager; absent when there is nothing. */
static void format_bridge(struct vb_buf *buf, xmlNodePtr root)
{
    xmlNodePtr bridge = vb_xml_child(root, "bridge");
    bool own = has_own_bridge(root);
    _cleanup_free_ char *name = vb_xml_prop(bridge, "name");
    _cleanup_free_ char *zone = vb_xml_prop(bridge, "zone");
    _cleanup_free_ char *stp = vb_xml_prop(bridge, "stp");
    _cleanup_free_ char *delay = vb_xml_prop(bridge, "delay");
    _cleanup_free_ char *manager = vb_xml_prop(bridge, "macTableManager");

    if (!own && !name && !manager)
        return;
    vb_buf_add(buf, "  <bridge");
    if (name) {
        vb_buf_add(buf, " name='");
        vb_object_xml_escape(buf, name);
        vb_buf_add(buf, "'");
    }
    if (zone) {
        vb_buf_add(buf, " zone='");
        vb_object_xml_escape(buf, zone);
        vb_buf_add(buf, "'");
    }
    if (own)
        vb_buf_addf(buf, " stp='%s' delay='%lu'", stp && streq(stp, "off") ? "off" : "on",
                    delay ? strtoul(delay, NULL, 10) : 0ul);
    if (manager) {
        vb_buf_add(buf, " macTableManager='");
        vb_object_xml_escape(buf, manager);
        vb_buf_add(buf, "'");
    }
    vb_buf_add(buf, "/>\n");
}

/* The children libvirt prints after <name> and <uuid>, in its order (virNetworkDefFormatBuf);
 * anything else it does not know (a namespace's elements) comes last, as given. */
static const char *const network_order[] = { "metadata", "forward", "bridge", "mtu", "mac", "domain", "dns",
                                             "vlan", "bandwidth", "port", "ip", "route", "virtualport",
                                             "portgroup", NULL };

static bool has_element_children(xmlNodePtr node)
{
    for (xmlNodePtr child = node->children; child; child = child->next)
        if (child->type == XML_ELEMENT_NODE)
            return true;
    return false;
}

static void format_named(struct vb_buf *buf, xmlNodePtr root, const char *name)
{
    for (xmlNodePtr child = root->children; child; child = child->next) {
        if (!vb_xml_is_element(child, name))
            continue;
        if (streq(name, "ip") && !has_element_children(child)) {
            /* libvirt's virNetworkIPDefFormat always opens <ip> for children, even with none */
            vb_buf_add(buf, "  <ip");
            vb_object_xml_format_attrs(buf, child, NULL);
            vb_buf_add(buf, ">\n  </ip>\n");
        } else {
            vb_object_xml_format_node(buf, child, 1);
        }
    }
}

char *vb_network_def_format(const struct vb_network_def *def, struct vb_error *err)
{
    static const char *const modelled[] = { "name", "uuid", "metadata", "forward", "bridge", "mtu", "mac",
                                            "domain", "dns", "vlan", "bandwidth", "port", "ip", "route",
                                            "virtualport", "portgroup", NULL };
    xmlNodePtr root = xmlDocGetRootElement(def->doc);
    char uuid[VB_UUID_STRING_LEN];
    struct vb_buf buf = { 0 };

    vb_uuid_format(def->uuid, uuid);
    vb_buf_add(&buf, "<network");
    vb_object_xml_format_attrs(&buf, root, NULL);
    vb_buf_add(&buf, ">\n");
    vb_object_xml_element(&buf, 1, "name", def->name);
    vb_object_xml_element(&buf, 1, "uuid", uuid);
    for (size_t i = 0; network_order[i]; i++) {
        if (streq(network_order[i], "bridge"))
            format_bridge(&buf, root);
        else
            format_named(&buf, root, network_order[i]);
    }
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
