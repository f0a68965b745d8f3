/* qemu's command line for the devices that are neither storage, network nor serial ports: the
 * balloon, the random number generator, and the input and video devices the machine has anyway. */
#include <string.h>

#include "drivers/qemu/qemu_command_private.h"

static int add_balloon(struct qemu_cmd *cmd, const struct vb_xml_element *el, const char *where,
                       struct vb_error *err)
{
    static const char *const attrs[] = { "model", NULL };
    /* <stats period>: set over QMP once qemu runs (qemu_domain_memstats.c), as libvirt. */
    static const char *const children[] = { "address", "stats", NULL };
    const char *model = vb_xml_element_attr(el, "model");

    if (qemu_check_attrs(el, attrs, where, err) < 0 || qemu_check_children(el, children, where, err) < 0)
        return -1;
    if (model && streq(model, "none"))
        return qemu_check_children(el, NULL, where, err);
    if (!model || !streq(model, "virtio"))
        return qemu_unsupported(err, "memballoon model '%s'", model ? model : "");
    return qemu_add_addressed_device(cmd, "virtio-balloon-pci,id=balloon0", el, where, err);
}

/* <rng model='virtio'><backend model='random'>/dev/urandom</backend></rng>, as libvirt. */
static int add_rng(struct qemu_cmd *cmd, const struct vb_xml_element *el, const char *where, struct vb_error *err)
{
    static const char *const attrs[] = { "model", NULL };
    static const char *const children[] = { "backend", "address", NULL };
    static const char *const backend_attrs[] = { "model", NULL };
    const char *model = vb_xml_element_attr(el, "model");
    const struct vb_xml_element *backend = vb_xml_element_child(el, "backend");
    const char *backend_model = vb_xml_element_attr(backend, "model");
    struct vb_buf buf = { 0 };

    if (qemu_check_attrs(el, attrs, where, err) < 0 || qemu_check_children(el, children, where, err) < 0 ||
        (backend && (qemu_check_attrs(backend, backend_attrs, where, err) < 0 ||
                     qemu_check_children(backend, NULL, where, err) < 0)))
        return -1;
    if (!model || !streq(model, "virtio"))
        return qemu_unsupported(err, "rng model '%s'", model ? model : "");
    if (!backend_model || !streq(backend_model, "random"))
        return qemu_unsupported(err, "rng backend model '%s'", backend_model ? backend_model : "");
    vb_buf_add(&buf, "rng-random,id=objrng0,filename=");
    qemu_buf_add_escaped(&buf, backend->text ? backend->text : "/dev/urandom");
    qemu_cmd_add_buf(cmd, "-object", &buf);
    return qemu_add_addressed_device(cmd, "virtio-rng-pci,rng=objrng0,id=rng0", el, where, err);
}

/* The PS/2 mouse and keyboard are part of the machine; "no video" needs nothing. */
static bool built_in(const struct vb_device_def *dev, const struct vb_xml_element *el)
{
    const char *bus = vb_xml_element_attr(el, "bus"), *type = vb_xml_element_attr(el, "type");

    if (streq(dev->element, "input"))
        return bus && streq(bus, "ps2") && type && (streq(type, "mouse") || streq(type, "keyboard")) &&
               el->n_children == 0;
    if (streq(dev->element, "video") && el->n_children == 1) {
        const char *video = vb_xml_element_attr(vb_xml_element_child(el, "model"), "type");
        return video && streq(video, "none");
    }
    return false;
}

int qemu_add_other_device(struct qemu_cmd *cmd, const struct vb_device_def *dev, const struct vb_xml_element *el,
                          const char *where, struct vb_error *err)
{
    if (streq(dev->element, "emulator") || built_in(dev, el))
        return 0; /* the emulator is argv[0] */
    if (streq(dev->element, "memballoon"))
        return add_balloon(cmd, el, where, err);
    if (streq(dev->element, "rng"))
        return add_rng(cmd, el, where, err);
    if (dev->type)
        return qemu_unsupported(err, "<%s type='%s'>", dev->element, dev->type);
    return qemu_unsupported(err, "%s", where);
}
