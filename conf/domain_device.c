/* Devices under <devices>: parsing (in a domain and alone, for hotplug), lookup, add, remove. */
#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/domain_def_internal.h"

#define MAC_LEN 6
#define MAC_STRING_LEN 18

static const struct {
    const char *element;
    enum vb_device_kind kind;
} device_kinds[] = {
    { "disk", VB_DEVICE_DISK },
    { "interface", VB_DEVICE_INTERFACE },
    { "serial", VB_DEVICE_SERIAL },
    { "console", VB_DEVICE_CONSOLE },
    { "graphics", VB_DEVICE_GRAPHICS },
    { "controller", VB_DEVICE_CONTROLLER },
};

static enum vb_device_kind kind_for(const xmlChar *element)
{
    for (size_t i = 0; i < ARRAY_SIZE(device_kinds); i++)
        if (xmlStrEqual(element, BAD_CAST device_kinds[i].element))
            return device_kinds[i].kind;
    return VB_DEVICE_OTHER;
}

/* As libvirt's virMacAddrParse: six hex octets separated by ':'. */
static int mac_parse(const char *text, unsigned char mac[MAC_LEN])
{
    const char *p = text;

    for (int i = 0; i < MAC_LEN; i++) {
        char *end = NULL;
        unsigned long octet;

        /* strtoul would also take blanks and a sign */
        if (!isxdigit((unsigned char) *p))
            return -1;
        errno = 0;
        octet = strtoul(p, &end, 16);
        if (errno || octet > 0xff)
            return -1;
        mac[i] = (unsigned char) octet;
        p = end;
        if (i < MAC_LEN - 1 && *p++ != ':')
            return -1;
    }
    return *p ? -1 : 0;
}

static void mac_format(const unsigned char mac[MAC_LEN], char out[MAC_STRING_LEN])
{
    snprintf(out, MAC_STRING_LEN, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3],
             mac[4], mac[5]);
}

/* libvirt's default prefix for generated addresses (QEMU/KVM's OUI). */
static int mac_generate(unsigned char mac[MAC_LEN])
{
    unsigned char random[VB_UUID_LEN];

    if (vb_uuid_generate(random) < 0)
        return -1;
    mac[0] = 0x52;
    mac[1] = 0x54;
    mac[2] = 0x00;
    memcpy(mac + 3, random, 3);
    return 0;
}

static xmlNodePtr first_element(xmlNodePtr node)
{
    for (xmlNodePtr child = node->children; child; child = child->next)
        if (child->type == XML_ELEMENT_NODE)
            return child;
    return NULL;
}

/* An interface without <mac> gets one, first among its children, as libvirt prints it. */
static int insert_mac(xmlNodePtr iface, const char *address)
{
    xmlNodePtr mac = xmlNewDocNode(iface->doc, NULL, BAD_CAST "mac", NULL);
    xmlNodePtr first = first_element(iface);

    if (!mac || !xmlNewProp(mac, BAD_CAST "address", BAD_CAST address)) {
        xmlFreeNode(mac);
        return -1;
    }
    if (first ? !xmlAddPrevSibling(first, mac) : !xmlAddChild(iface, mac)) {
        xmlFreeNode(mac);
        return -1;
    }
    return 0;
}

static int parse_mac(struct vb_device_def *dev, xmlNodePtr iface, struct vb_error *err)
{
    xmlNodePtr node = vb_xml_child(iface, "mac");
    _cleanup_free_ char *text = vb_xml_prop(node, "address");
    unsigned char mac[MAC_LEN];
    char normalized[MAC_STRING_LEN];

    if (text) {
        if (mac_parse(text, mac) < 0)
            return vb_error_set(err, VB_ERR_INTERNAL_ERROR, "unable to parse mac address '%s'",
                                text);
        if (mac[0] & 1)
            return vb_error_set(err, VB_ERR_XML_ERROR,
                                "expected unicast mac address, found multicast '%s'", text);
    } else if (mac_generate(mac) < 0) {
        return vb_error_set(err, VB_ERR_INTERNAL_ERROR, "Failed to generate MAC address");
    }
    mac_format(mac, normalized);
    /* The kept XML says what the model says: lowercase, two digits per octet. */
    if (node ? !xmlSetProp(node, BAD_CAST "address", BAD_CAST normalized)
             : insert_mac(iface, normalized) < 0)
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    dev->mac = strdup(normalized);
    return dev->mac ? 0 : vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
}

/* A non-negative int attribute of `node`, -1 when absent. */
static int parse_index(xmlNodePtr node, const char *name, int *out, struct vb_error *err)
{
    _cleanup_free_ char *text = vb_xml_prop(node, name);
    unsigned long long value;

    *out = -1;
    if (!text)
        return 0;
    if (vb_xml_parse_ull(text, &value) < 0 || value > INT_MAX)
        return vb_error_set(err, VB_ERR_XML_ERROR,
                            "Invalid value for attribute '%s' in element '%s': '%s'. Expected "
                            "non-negative integer value",
                            name, (const char *) node->name, text);
    *out = (int) value;
    return 0;
}

static char *first_prop(xmlNodePtr node, const char *const *names)
{
    for (; node && *names; names++) {
        char *value = vb_xml_prop(node, *names);
        if (value)
            return value;
    }
    return NULL;
}

static int parse_disk(struct vb_device_def *dev, xmlNodePtr node)
{
    static const char *const source_attrs[] = { "file", "dev", "dir", "name", "volume", NULL };
    xmlNodePtr target = vb_xml_child(node, "target");

    dev->disk_device = vb_xml_prop(node, "device");
    if (!dev->disk_device)
        dev->disk_device = strdup("disk");
    dev->source = first_prop(vb_xml_child(node, "source"), source_attrs);
    dev->target_dev = vb_xml_prop(target, "dev");
    dev->target_bus = vb_xml_prop(target, "bus");
    return dev->disk_device ? 0 : -1;
}

static int parse_interface(struct vb_device_def *dev, xmlNodePtr node, struct vb_error *err)
{
    static const char *const source_attrs[] = { "network", "bridge", "dev", "name", NULL };

    dev->source = first_prop(vb_xml_child(node, "source"), source_attrs);
    dev->target_dev = vb_xml_child_prop(node, "target", "dev");
    dev->model = vb_xml_child_prop(node, "model", "type");
    return parse_mac(dev, node, err);
}

static int parse_kind(struct vb_device_def *dev, xmlNodePtr node, struct vb_error *err)
{
    switch (dev->kind) {
    case VB_DEVICE_DISK:
        return parse_disk(dev, node) < 0 ? vb_error_set(err, VB_ERR_NO_MEMORY, NULL) : 0;
    case VB_DEVICE_INTERFACE:
        return parse_interface(dev, node, err);
    case VB_DEVICE_CONTROLLER:
        dev->model = vb_xml_prop(node, "model");
        return parse_index(node, "index", &dev->index, err);
    case VB_DEVICE_SERIAL:
    case VB_DEVICE_CONSOLE:
        dev->source = vb_xml_child_prop(node, "source", "path");
        return parse_index(vb_xml_child(node, "target"), "port", &dev->port, err);
    case VB_DEVICE_GRAPHICS:
        dev->passwd = vb_xml_prop(node, "passwd");
        return 0;
    case VB_DEVICE_OTHER:
        return 0;
    }
    return 0;
}

struct vb_device_def *vb_device_def_parse_node(xmlNodePtr node, struct vb_error *err)
{
    _cleanup_(vb_device_def_freep) struct vb_device_def *dev = calloc(1, sizeof(*dev));

    if (!dev)
        goto oom;
    dev->index = -1;
    dev->port = -1;
    dev->element = strdup((const char *) node->name);
    if (!dev->element)
        goto oom;
    dev->kind = kind_for(node->name);
    dev->type = vb_xml_prop(node, "type");
    /* Fields first: normalisation (the MAC) changes node, and must land in the kept text. */
    if (parse_kind(dev, node, err) < 0)
        return NULL;
    dev->xml_text = vb_fragment_new(node, 2, VB_XML_QUOTE_SINGLE);
    if (!dev->xml_text)
        goto oom;
    return TAKE_PTR(dev);
oom:
    vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    return NULL;
}

/* The element names of libvirt's virDomainDeviceType, and the character devices its parser maps
 * to "chr". The enum's first name, "none", is the absence of a device: libvirt's parser lets
 * <none/> through and every driver then refuses to attach it; it is refused here at once. */
static const char *const device_types[] = {
    "disk", "lease", "filesystem", "interface", "input", "sound", "video", "hostdev",
    "watchdog", "controller", "graphics", "hub", "redirdev", "smartcard", "memballoon", "nvram",
    "rng", "shmem", "tpm", "panic", "memory", "iommu", "vsock", "audio",
    "serial", "parallel", "console", "channel",
};

/* As libvirt's virDomainDeviceDefParse: an element that names no device type is refused
 * before anything is parsed from it. <chr> is a device type there whose character device
 * parser then refuses the name. */
static int check_device_type(xmlNodePtr node, struct vb_error *err)
{
    for (size_t i = 0; i < ARRAY_SIZE(device_types); i++)
        if (xmlStrEqual(node->name, BAD_CAST device_types[i]))
            return 0;
    if (xmlStrEqual(node->name, BAD_CAST "chr"))
        return vb_error_set(err, VB_ERR_CONFIG_UNSUPPORTED, "unknown character device type: %s",
                            (const char *) node->name);
    return vb_error_set(err, VB_ERR_CONFIG_UNSUPPORTED, "unknown device type '%s'",
                        (const char *) node->name);
}

struct vb_device_def *vb_device_def_parse_string(const char *xml, struct vb_error *err)
{
    xmlDocPtr doc = vb_xml_parse_string(xml, "(device_definition)", err);
    struct vb_device_def *dev = NULL;

    if (!doc)
        return NULL;
    if (check_device_type(xmlDocGetRootElement(doc), err) == 0)
        dev = vb_device_def_parse_node(xmlDocGetRootElement(doc), err);
    xmlFreeDoc(doc);
    return dev;
}

void vb_device_def_free(struct vb_device_def *dev)
{
    if (!dev)
        return;
    free(dev->element);
    free(dev->type);
    free(dev->disk_device);
    free(dev->source);
    free(dev->target_dev);
    free(dev->target_bus);
    free(dev->mac);
    free(dev->model);
    free(dev->passwd);
    free(dev->xml_text);
    free(dev);
}

/* The device's element parsed back, in a document of its own. */
static xmlNodePtr parse_back(const struct vb_device_def *dev, xmlDocPtr *doc)
{
    *doc = dev->xml_text ? vb_fragment_parse(dev->xml_text) : NULL;
    return *doc ? xmlDocGetRootElement(*doc) : NULL;
}

char *vb_device_def_get_attribute(const struct vb_device_def *dev, const char *name)
{
    _cleanup_(vb_xml_doc_freep) xmlDocPtr doc = NULL;

    if (!dev || !name)
        return NULL;
    return vb_xml_prop(parse_back(dev, &doc), name);
}

/* Sets or removes (value NULL) the attribute on the first child `child` of node. */
static int edit_child_attribute(xmlNodePtr node, const char *child, const char *name,
                                const char *value)
{
    xmlNodePtr target = vb_xml_child(node, child);

    if (!value) {
        if (!target)
            return 0;
        xmlUnsetProp(target, BAD_CAST name);
        if (!target->properties && !target->children)
            vb_xml_node_free(target);
        return 0;
    }
    if (!target)
        target = xmlNewChild(node, NULL, BAD_CAST child, NULL);
    return target && xmlSetProp(target, BAD_CAST name, BAD_CAST value) ? 0 : -1;
}

/* Parses the edited element again whole, so the fields say what the XML says, and swaps it in. */
static int take_edited(struct vb_device_def *dev, xmlNodePtr node, struct vb_error *err)
{
    struct vb_device_def *edited = vb_device_def_parse_node(node, err), old;

    if (!edited)
        return -1;
    old = *dev;
    *dev = *edited;
    *edited = old;
    vb_device_def_free(edited);
    return 0;
}

int vb_device_def_set_child_attribute(struct vb_device_def *dev, const char *child,
                                      const char *name, const char *value, struct vb_error *err)
{
    _cleanup_(vb_xml_doc_freep) xmlDocPtr doc = NULL;
    xmlNodePtr node;

    if (!dev || !child || !name)
        return vb_error_set(err, VB_ERR_INVALID_ARG, "dev, child and name in %s must not be NULL",
                            __func__);
    node = parse_back(dev, &doc);
    if (!node || edit_child_attribute(node, child, name, value) < 0)
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    return take_edited(dev, node, err);
}

int vb_device_def_set_attribute(struct vb_device_def *dev, const char *name, const char *value,
                                struct vb_error *err)
{
    _cleanup_(vb_xml_doc_freep) xmlDocPtr doc = NULL;
    xmlNodePtr node;

    if (!dev || !name || !value)
        return vb_error_set(err, VB_ERR_INVALID_ARG, "dev, name and value in %s must not be NULL", __func__);
    node = parse_back(dev, &doc);
    if (!node || !xmlSetProp(node, BAD_CAST name, BAD_CAST value))
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    return take_edited(dev, node, err);
}

/* Replaces the first child `child` of node with the element in text (removed when text is
 * NULL); a new child goes before <address>, where libvirt prints device tunables. */
static int replace_child(xmlNodePtr node, const char *child, const char *text)
{
    _cleanup_(vb_xml_doc_freep) xmlDocPtr doc = NULL;
    xmlNodePtr old = vb_xml_child(node, child), added, before;

    if (!text) {
        if (old)
            vb_xml_node_free(old);
        return 0;
    }
    doc = vb_fragment_parse(text);
    if (!doc || !xmlDocGetRootElement(doc) || !(added = xmlDocCopyNode(xmlDocGetRootElement(doc), node->doc, 1)))
        return -1;
    before = old ? old : vb_xml_child(node, "address");
    if (before ? !xmlAddPrevSibling(before, added) : !xmlAddChild(node, added)) {
        xmlFreeNode(added);
        return -1;
    }
    if (old)
        vb_xml_node_free(old);
    return 0;
}

int vb_device_def_set_child_element(struct vb_device_def *dev, const char *child, const char *text,
                                    struct vb_error *err)
{
    _cleanup_(vb_xml_doc_freep) xmlDocPtr doc = NULL;
    xmlNodePtr node = parse_back(dev, &doc);

    if (!node || replace_child(node, child, text) < 0)
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    return take_edited(dev, node, err);
}

static bool dup_string(char **dst, const char *src)
{
    *dst = src ? strdup(src) : NULL;
    return !src || *dst;
}

struct vb_device_def *vb_device_def_copy(const struct vb_device_def *src)
{
    _cleanup_(vb_device_def_freep) struct vb_device_def *dev = calloc(1, sizeof(*dev));

    if (!dev)
        return NULL;
    dev->kind = src->kind;
    dev->index = src->index;
    dev->port = src->port;
    if (!dup_string(&dev->element, src->element) || !dup_string(&dev->type, src->type) ||
        !dup_string(&dev->disk_device, src->disk_device) ||
        !dup_string(&dev->source, src->source) || !dup_string(&dev->target_dev, src->target_dev) ||
        !dup_string(&dev->target_bus, src->target_bus) || !dup_string(&dev->mac, src->mac) ||
        !dup_string(&dev->model, src->model) || !dup_string(&dev->passwd, src->passwd))
        return NULL;
    if (!dup_string(&dev->xml_text, src->xml_text))
        return NULL;
    return TAKE_PTR(dev);
}

/* Both texts are printed alike (same level, nothing in scope), secrets included. */
static bool same_xml(const struct vb_device_def *a, const struct vb_device_def *b)
{
    return streq_nullable(a->xml_text, b->xml_text);
}

static bool same_device(const struct vb_device_def *a, const struct vb_device_def *b)
{
    if (a->kind != b->kind || !streq_nullable(a->element, b->element))
        return false;
    switch (a->kind) {
    case VB_DEVICE_DISK:
        if (a->target_dev && b->target_dev)
            return streq(a->target_dev, b->target_dev);
        break;
    case VB_DEVICE_INTERFACE:
        if (a->mac && b->mac)
            return streq(a->mac, b->mac);
        break;
    case VB_DEVICE_CONTROLLER:
        if (a->index >= 0 && b->index >= 0)
            return a->index == b->index && streq_nullable(a->type, b->type);
        break;
    case VB_DEVICE_SERIAL:
    case VB_DEVICE_CONSOLE:
        if (a->port >= 0 && b->port >= 0)
            return a->port == b->port;
        break;
    case VB_DEVICE_GRAPHICS:
    case VB_DEVICE_OTHER:
        break;
    }
    return same_xml(a, b);
}

int vb_domain_def_find_device(const struct vb_domain_def *def, const struct vb_device_def *dev)
{
    if (!def || !dev)
        return -1;
    for (size_t i = 0; i < def->n_devices; i++)
        if (same_device(def->devices[i], dev))
            return (int) i;
    return -1;
}

/* The errors libvirt's QEMU driver gives when attaching a duplicate. */
static int check_duplicate(const struct vb_domain_def *def, const struct vb_device_def *dev,
                           struct vb_error *err)
{
    int found = vb_domain_def_find_device(def, dev);

    if (found < 0)
        return 0;
    switch (dev->kind) {
    case VB_DEVICE_DISK:
        if (dev->target_dev)
            return vb_error_set(err, VB_ERR_OPERATION_INVALID, "target %s already exists",
                                dev->target_dev);
        break;
    case VB_DEVICE_INTERFACE:
        return vb_error_set(err, VB_ERR_INVALID_ARG, "network device with mac %s already exists",
                            dev->mac);
    case VB_DEVICE_CONTROLLER:
        if (dev->index >= 0)
            return vb_error_set(err, VB_ERR_OPERATION_INVALID, "controller index already exists");
        break;
    case VB_DEVICE_SERIAL:
    case VB_DEVICE_CONSOLE:
        if (dev->port >= 0)
            return vb_error_set(err, VB_ERR_OPERATION_INVALID, "chardev already exists");
        break;
    case VB_DEVICE_GRAPHICS:
    case VB_DEVICE_OTHER:
        break;
    }
    return 0;
}

int vb_domain_def_add_device(struct vb_domain_def *def, struct vb_device_def *dev,
                             struct vb_error *err)
{
    struct vb_device_def **devices;

    if (!def || !dev)
        return vb_error_set(err, VB_ERR_INVALID_ARG, "def and dev in %s must not be NULL",
                            __func__);
    if (check_duplicate(def, dev, err) < 0)
        return -1;
    devices = realloc(def->devices, (def->n_devices + 1) * sizeof(*devices));
    if (!devices)
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    def->devices = devices;
    def->devices[def->n_devices++] = dev;
    return 0;
}

void vb_domain_def_remove_device(struct vb_domain_def *def, size_t index)
{
    if (!def || index >= def->n_devices)
        return;
    vb_device_def_free(def->devices[index]);
    memmove(def->devices + index, def->devices + index + 1,
            (def->n_devices - index - 1) * sizeof(*def->devices));
    def->n_devices--;
}
