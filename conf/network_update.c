/* libvirt's virNetworkDefUpdateSection for the <dhcp> of an <ip>: hosts and ranges added,
 * deleted or (hosts) modified in the kept definition, in libvirt's words. */
#include <stdlib.h>
#include <string.h>

#include "conf/network_def.h"
#include "conf/object_xml.h"

static const char *section_name(unsigned int section)
{
    static const char *const names[] = { "none", "bridge", "domain", "ip", "ip-dhcp-host", "ip-dhcp-range",
                                         "forward", "forward-interface", "forward-pf", "portgroup", "dns-host",
                                         "dns-txt", "dns-srv" };

    return section < ARRAY_SIZE(names) ? names[section] : "unknown";
}

/* The <ip> numbered index among root's <ip> elements (-1: the first). */
static xmlNodePtr nth_ip(xmlNodePtr root, int index)
{
    int seen = 0;

    for (xmlNodePtr child = root->children; child; child = child->next)
        if (vb_xml_is_element(child, "ip") && (index < 0 || seen++ == index))
            return child;
    return NULL;
}

static xmlNodePtr ensure_dhcp(xmlNodePtr ip)
{
    xmlNodePtr dhcp = vb_xml_child(ip, "dhcp");

    return dhcp ? dhcp : xmlNewChild(ip, NULL, BAD_CAST "dhcp", NULL);
}

static bool attr_equal(xmlNodePtr a, xmlNodePtr b, const char *name)
{
    _cleanup_free_ char *x = vb_xml_prop(a, name);
    _cleanup_free_ char *y = vb_xml_prop(b, name);

    return x && y && strcasecmp(x, y) == 0;
}

/* Hosts match on any of mac, name, ip; ranges on start and end. */
static bool entries_match(xmlNodePtr a, xmlNodePtr b, bool host)
{
    if (host)
        return attr_equal(a, b, "mac") || attr_equal(a, b, "name") || attr_equal(a, b, "ip");
    return attr_equal(a, b, "start") && attr_equal(a, b, "end");
}

static xmlNodePtr find_entry(xmlNodePtr dhcp, xmlNodePtr entry, bool host, bool by_mac_only)
{
    for (xmlNodePtr child = dhcp ? dhcp->children : NULL; child; child = child->next) {
        if (!vb_xml_is_element(child, (const char *) entry->name))
            continue;
        if (by_mac_only ? attr_equal(child, entry, "mac") : entries_match(child, entry, host))
            return child;
    }
    return NULL;
}

static int add_entry(xmlNodePtr ip, xmlNodePtr entry, bool first, bool host, const char *network,
                     struct vb_error *err)
{
    xmlNodePtr dhcp = vb_xml_child(ip, "dhcp"), copy, anchor;

    if (find_entry(dhcp, entry, host, false))
        return vb_error_set(err, VB_ERR_OPERATION_INVALID, "there is an existing dhcp %s entry in network '%s'",
                            host ? "host" : "range", network);
    dhcp = ensure_dhcp(ip);
    copy = dhcp ? xmlDocCopyNode(entry, ip->doc, 1) : NULL;
    if (!copy)
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    anchor = first ? dhcp->children : NULL;
    if (anchor ? !xmlAddPrevSibling(anchor, copy) : !xmlAddChild(dhcp, copy)) {
        xmlFreeNode(copy);
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    }
    return 0;
}

static int apply(xmlNodePtr ip, xmlNodePtr entry, unsigned int command, bool host, const char *network,
                 struct vb_error *err)
{
    xmlNodePtr dhcp = vb_xml_child(ip, "dhcp"), found, copy;

    switch (command) {
    case VB_NETWORK_UPDATE_ADD_FIRST:
    case VB_NETWORK_UPDATE_ADD_LAST:
        return add_entry(ip, entry, command == VB_NETWORK_UPDATE_ADD_FIRST, host, network, err);
    case VB_NETWORK_UPDATE_DELETE:
        found = find_entry(dhcp, entry, host, false);
        if (!found)
            return vb_error_set(err, VB_ERR_OPERATION_INVALID,
                                "couldn't locate a matching dhcp %s entry in network '%s'", host ? "host" : "range",
                                network);
        xmlUnlinkNode(found);
        xmlFreeNode(found);
        return 0;
    case VB_NETWORK_UPDATE_MODIFY:
        if (!host)
            return vb_error_set(err, VB_ERR_NO_SUPPORT, "dhcp ranges cannot be modified, only added or deleted");
        found = find_entry(dhcp, entry, host, true);
        if (!found)
            return vb_error_set(err, VB_ERR_OPERATION_INVALID,
                                "couldn't locate an existing dhcp host entry in network '%s'", network);
        copy = xmlDocCopyNode(entry, ip->doc, 1);
        if (!copy)
            return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
        xmlFreeNode(xmlReplaceNode(found, copy));
        return 0;
    default:
        return vb_error_set(err, VB_ERR_NO_SUPPORT, "unrecognized network update command code %u", command);
    }
}

int vb_network_def_update(struct vb_network_def *def, unsigned int command, unsigned int section, int parent_index,
                          const char *xml, struct vb_error *err)
{
    bool host = section == VB_NETWORK_SECTION_IP_DHCP_HOST;
    const char *expected = host ? "host" : "range";
    _cleanup_(vb_xml_doc_freep) xmlDocPtr fragment = NULL;
    xmlNodePtr ip, entry;

    if (section != VB_NETWORK_SECTION_IP_DHCP_HOST && section != VB_NETWORK_SECTION_IP_DHCP_RANGE)
        return vb_error_set(err, VB_ERR_NO_SUPPORT, "can't update '%s' section of network '%s'",
                            section_name(section), def->name);
    fragment = vb_xml_parse_string(xml, "(network_definition)", err);
    if (!fragment)
        return -1;
    entry = xmlDocGetRootElement(fragment);
    if (!vb_xml_is_element(entry, expected))
        return vb_error_set(err, VB_ERR_XML_ERROR, "unexpected element <%s>, expecting <%s>, while updating network '%s'",
                            (const char *) entry->name, expected, def->name);
    if (vb_network_dhcp_entry_canonical(entry, err) < 0)
        return -1;
    ip = nth_ip(xmlDocGetRootElement(def->doc), parent_index);
    if (!ip)
        return vb_error_set(err, VB_ERR_OPERATION_INVALID,
                            "couldn't update dhcp %s entry - no <ip> element found at index %d in network '%s'",
                            expected, parent_index, def->name);
    return apply(ip, entry, command, host, def->name, err);
}
