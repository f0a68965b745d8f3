/* Device addresses (libvirt's <address>) on qemu's command line: PCI slots on the root bus and
 * drive addresses on IDE, SATA and SCSI buses. Anything else is refused. */
#include <stdio.h>
#include <string.h>

#include "drivers/qemu/qemu_command_private.h"

/* A number as libvirt writes them in addresses ("0x1f", "2"), at most max. */
static int read_number(const struct vb_xml_element *address, const char *name, unsigned int max,
                       unsigned int *out, const char *where, struct vb_error *err)
{
    const char *text = vb_xml_element_attr(address, name);
    char *end;
    unsigned long value;

    *out = 0;
    if (!text)
        return 0;
    value = strtoul(text, &end, 0);
    if (!*text || *end || value > max)
        return vb_error_set(err, VB_ERR_XML_ERROR, "%s: invalid address %s '%s'", where, name, text);
    *out = (unsigned int) value;
    return 0;
}

/* The <address> child of el when it has the given type; 0 with *address NULL when el has none. */
static int find_address(const struct vb_xml_element *el, const char *type, const char *where,
                        const struct vb_xml_element **address, struct vb_error *err)
{
    const char *actual;

    *address = vb_xml_element_child(el, "address");
    if (!*address)
        return 0;
    actual = vb_xml_element_attr(*address, "type");
    if (!actual || !streq(actual, type))
        return qemu_unsupported(err, "%s: address type '%s'", where, actual ? actual : "");
    return 0;
}

static int read_pci(const struct vb_xml_element *address, const char *where, unsigned int *slot,
                    unsigned int *function, struct vb_error *err)
{
    static const char *const attrs[] = { "type", "domain", "bus", "slot", "function", "multifunction", NULL };
    unsigned int domain, bus;

    if (qemu_check_attrs(address, attrs, where, err) < 0 ||
        read_number(address, "domain", 0xffff, &domain, where, err) < 0 ||
        read_number(address, "bus", 0xff, &bus, where, err) < 0 ||
        read_number(address, "slot", 0x1f, slot, where, err) < 0 ||
        read_number(address, "function", 7, function, where, err) < 0)
        return -1;
    if (domain != 0 || bus != 0)
        return qemu_unsupported(err, "%s: PCI address %04x:%02x (only the root bus 0000:00 is)", where, domain, bus);
    return 0;
}

/* el's <address type='pci'>, on the root bus; *address NULL when el has none. */
static int find_pci(const struct vb_xml_element *el, const char *where, const struct vb_xml_element **address,
                    unsigned int *slot, unsigned int *function, struct vb_error *err)
{
    if (find_address(el, "pci", where, address, err) < 0)
        return -1;
    return *address ? read_pci(*address, where, slot, function, err) : 0;
}

int qemu_add_pci_address(struct qemu_cmd *cmd, const struct vb_xml_element *el, const char *where,
                         struct vb_buf *buf, struct vb_error *err)
{
    const struct vb_xml_element *address;
    const char *multifunction;
    unsigned int slot, function;

    if (find_pci(el, where, &address, &slot, &function, err) < 0)
        return -1;
    if (!address)
        return 0;
    vb_buf_addf(buf, ",bus=%s,addr=0x%x", cmd->q35 ? "pcie.0" : "pci.0", slot);
    if (function)
        vb_buf_addf(buf, ".0x%x", function);
    multifunction = vb_xml_element_attr(address, "multifunction");
    if (multifunction && streq(multifunction, "on"))
        vb_buf_add(buf, ",multifunction=on");
    return 0;
}

int qemu_check_builtin_address(const struct vb_xml_element *el, unsigned int slot, unsigned int function,
                               const char *where, struct vb_error *err)
{
    const struct vb_xml_element *address;
    unsigned int actual_slot, actual_function;

    if (find_pci(el, where, &address, &actual_slot, &actual_function, err) < 0)
        return -1;
    if (address && (actual_slot != slot || actual_function != function))
        return vb_error_set(err, VB_ERR_CONFIG_UNSUPPORTED, "%s is built into the machine at slot 0x%x function 0x%x",
                            where, slot, function);
    return 0;
}

int qemu_read_drive_address(const struct vb_xml_element *el, const char *where, struct qemu_drive_address *out,
                            struct vb_error *err)
{
    static const char *const attrs[] = { "type", "controller", "bus", "target", "unit", NULL };
    const struct vb_xml_element *address;
    unsigned int controller;

    memset(out, 0, sizeof(*out));
    if (find_address(el, "drive", where, &address, err) < 0)
        return -1;
    if (!address)
        return 0;
    if (qemu_check_attrs(address, attrs, where, err) < 0 ||
        read_number(address, "controller", 0xffff, &controller, where, err) < 0 ||
        read_number(address, "bus", 0xffff, &out->bus, where, err) < 0 ||
        read_number(address, "target", 0xffff, &out->target, where, err) < 0 ||
        read_number(address, "unit", 0xffff, &out->unit, where, err) < 0)
        return -1;
    if (controller != 0)
        return qemu_unsupported(err, "%s: controller %u", where, controller);
    out->present = true;
    return 0;
}

/* Adds "-device <text><its PCI address>", the address read from el (NULL: none). */
int qemu_add_addressed_device(struct qemu_cmd *cmd, const char *text, const struct vb_xml_element *el,
                              const char *where, struct vb_error *err)
{
    struct vb_buf buf = { 0 };

    vb_buf_add(&buf, text);
    if (el && qemu_add_pci_address(cmd, el, where, &buf, err) < 0) {
        vb_buf_free(&buf);
        return -1;
    }
    qemu_cmd_add_buf(cmd, "-device", &buf);
    return 0;
}
