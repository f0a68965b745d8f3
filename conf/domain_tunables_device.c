/* Tunables kept in a device's XML: an interface's <bandwidth> (libvirt's virNetDevBandwidth) and a
 * disk's <iotune> (libvirt's virDomainBlockIoTuneInfo). */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "conf/domain_def_internal.h"
#include "conf/domain_tunables.h"

static int read_rate_attr(xmlNodePtr node, const char *name, unsigned int *out, struct vb_error *err)
{
    _cleanup_free_ char *text = vb_xml_prop(node, name);
    unsigned long long value;

    *out = 0;
    if (!text)
        return 0;
    if (vb_xml_parse_ull(text, &value) < 0 || value > UINT_MAX)
        return vb_error_set(err, VB_ERR_XML_ERROR, "could not convert bandwidth %s value '%s'", name, text);
    *out = (unsigned int) value;
    return 0;
}

static int read_rate(xmlNodePtr bandwidth, const char *name, struct vb_bandwidth_rate *rate, struct vb_error *err)
{
    xmlNodePtr node = bandwidth ? vb_xml_child(bandwidth, name) : NULL;

    *rate = (struct vb_bandwidth_rate){ .present = node != NULL };
    if (!node)
        return 0;
    if (read_rate_attr(node, "average", &rate->average, err) < 0 ||
        read_rate_attr(node, "peak", &rate->peak, err) < 0 || read_rate_attr(node, "burst", &rate->burst, err) < 0 ||
        read_rate_attr(node, "floor", &rate->floor, err) < 0)
        return -1;
    return 0;
}

int vb_device_def_get_bandwidth(const struct vb_device_def *dev, struct vb_bandwidth_rate *in,
                                struct vb_bandwidth_rate *out, struct vb_error *err)
{
    _cleanup_(vb_xml_doc_freep) xmlDocPtr doc = dev->xml_text ? vb_fragment_parse(dev->xml_text) : NULL;
    xmlNodePtr root = doc ? xmlDocGetRootElement(doc) : NULL;

    if (!root)
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    root = vb_xml_child(root, "bandwidth");
    if (read_rate(root, "inbound", in, err) < 0 || read_rate(root, "outbound", out, err) < 0)
        return -1;
    return 0;
}

/* As libvirt's virNetDevBandwidthRateFormat: only the values that are set. */
static void format_rate(struct vb_buf *buf, const char *name, const struct vb_bandwidth_rate *rate)
{
    if (!rate->present)
        return;
    vb_buf_addf(buf, "<%s", name);
    if (rate->average)
        vb_buf_addf(buf, " average='%u'", rate->average);
    if (rate->peak)
        vb_buf_addf(buf, " peak='%u'", rate->peak);
    if (rate->floor)
        vb_buf_addf(buf, " floor='%u'", rate->floor);
    if (rate->burst)
        vb_buf_addf(buf, " burst='%u'", rate->burst);
    vb_buf_add(buf, "/>");
}

int vb_device_def_set_bandwidth(struct vb_device_def *dev, const struct vb_bandwidth_rate *in,
                                const struct vb_bandwidth_rate *out, struct vb_error *err)
{
    _cleanup_free_ char *text = NULL;
    struct vb_buf buf = { 0 };

    if (in->present || out->present) {
        vb_buf_add(&buf, "<bandwidth>");
        format_rate(&buf, "inbound", in);
        format_rate(&buf, "outbound", out);
        vb_buf_add(&buf, "</bandwidth>");
        if (!(text = vb_buf_steal(&buf, err)))
            return -1;
    }
    return vb_device_def_set_child_element(dev, "bandwidth", text, err);
}

/* --- <iotune> -------------------------------------------------------------------------------- */

const char *const vb_iotune_names[VB_IOTUNE_FIELDS] = {
    "total_bytes_sec", "read_bytes_sec", "write_bytes_sec",
    "total_iops_sec", "read_iops_sec", "write_iops_sec",
    "total_bytes_sec_max", "read_bytes_sec_max", "write_bytes_sec_max",
    "total_iops_sec_max", "read_iops_sec_max", "write_iops_sec_max",
    "size_iops_sec", "group_name",
    "total_bytes_sec_max_length", "read_bytes_sec_max_length", "write_bytes_sec_max_length",
    "total_iops_sec_max_length", "read_iops_sec_max_length", "write_iops_sec_max_length",
};

static int read_iotune_field(xmlNodePtr iotune, int i, struct vb_iotune *out, struct vb_error *err)
{
    xmlNodePtr node = vb_xml_child(iotune, vb_iotune_names[i]);
    _cleanup_free_ char *text = node ? vb_xml_content(node) : NULL;

    if (!node)
        return 0;
    if (i == VB_IOTUNE_GROUP_NAME) {
        /* An empty <group_name/> is a name too, as libvirt prints it. */
        out->group_name = text ? TAKE_PTR(text) : strdup("");
        return out->group_name ? 0 : vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    }
    if (!text || vb_xml_parse_ull(text, &out->values[i]) < 0)
        return vb_error_set(err, VB_ERR_XML_ERROR, "disk iotune field '%s' must be an integer", vb_iotune_names[i]);
    return 0;
}

int vb_device_def_get_iotune(const struct vb_device_def *dev, struct vb_iotune *out, struct vb_error *err)
{
    _cleanup_(vb_xml_doc_freep) xmlDocPtr doc = dev->xml_text ? vb_fragment_parse(dev->xml_text) : NULL;
    xmlNodePtr root = doc ? xmlDocGetRootElement(doc) : NULL;

    *out = (struct vb_iotune){ 0 };
    if (!root)
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    if (!(root = vb_xml_child(root, "iotune")))
        return 0;
    for (int i = 0; i < VB_IOTUNE_FIELDS; i++) {
        if (read_iotune_field(root, i, out, err) < 0) {
            free(out->group_name);
            out->group_name = NULL;
            return -1;
        }
    }
    return 0;
}

/* As libvirt's virDomainDiskDefFormatIotune: the values set, and a group name when there is one. */
int vb_device_def_set_iotune(struct vb_device_def *dev, const struct vb_iotune *iotune, struct vb_error *err)
{
    _cleanup_free_ char *text = NULL;
    struct vb_buf buf = { 0 };
    bool any = false;

    vb_buf_add(&buf, "<iotune>");
    for (int i = 0; i < VB_IOTUNE_FIELDS; i++) {
        if (i == VB_IOTUNE_GROUP_NAME && iotune->group_name) {
            vb_buf_add(&buf, "<group_name>");
            vb_buf_escape(&buf, iotune->group_name);
            vb_buf_add(&buf, "</group_name>");
        } else if (i != VB_IOTUNE_GROUP_NAME && iotune->values[i]) {
            vb_buf_addf(&buf, "<%s>%llu</%s>", vb_iotune_names[i], iotune->values[i], vb_iotune_names[i]);
        } else {
            continue;
        }
        any = true;
    }
    vb_buf_add(&buf, "</iotune>");
    if (!(text = vb_buf_steal(&buf, err)))
        return -1;
    return vb_device_def_set_child_element(dev, "iotune", any ? text : NULL, err);
}
