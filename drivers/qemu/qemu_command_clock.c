/* qemu's command line for <clock> (offset and timers) and <pm> (guest suspend states), spelled as
 * libvirt's qemuBuildClockCommandLine and qemuBuildPMCommandLine spell them. */
#include <string.h>

#include "drivers/qemu/qemu_command_private.h"

/* A timer's tickpolicy: 0 for delay (the default), 1 for catchup, -1 when refused. */
static int read_tick_policy(const struct vb_xml_element *timer, struct vb_error *err)
{
    static const char *const attrs[] = { "name", "tickpolicy", NULL };
    const char *policy = vb_xml_element_attr(timer, "tickpolicy");

    if (qemu_check_attrs(timer, attrs, "<clock>", err) < 0)
        return -1;
    if (!policy || streq(policy, "delay"))
        return 0;
    if (streq(policy, "catchup"))
        return 1;
    return qemu_unsupported(err, "%s timer tickpolicy '%s'", vb_xml_element_attr(timer, "name"), policy);
}

/* rtc catchup: qemu slews the guest's clock to make up for lost ticks. */
static int rtc_options(const struct vb_xml_element *timer, struct vb_buf *rtc, struct vb_error *err)
{
    int catchup = read_tick_policy(timer, err);

    if (catchup < 0)
        return -1;
    if (catchup)
        vb_buf_add(rtc, ",driftfix=slew");
    return 0;
}

static int add_pit(struct qemu_cmd *cmd, const struct vb_xml_element *timer, struct vb_error *err)
{
    int catchup = read_tick_policy(timer, err);

    if (catchup < 0)
        return -1;
    qemu_cmd_add(cmd, "-global");
    qemu_cmd_addf(cmd, "kvm-pit.lost_tick_policy=%s", catchup ? "slew" : "delay");
    return 0;
}

static int add_hpet(struct qemu_cmd *cmd, const struct vb_xml_element *timer, struct vb_error *err)
{
    static const char *const attrs[] = { "name", "present", NULL };
    const char *present = vb_xml_element_attr(timer, "present");

    if (qemu_check_attrs(timer, attrs, "<clock>", err) < 0)
        return -1;
    if (present && streq(present, "no"))
        qemu_cmd_add(cmd, "-no-hpet");
    else if (present && !streq(present, "yes"))
        return vb_error_set(err, VB_ERR_XML_ERROR, "invalid hpet timer present value '%s'", present);
    return 0;
}

/* <clock offset='utc|localtime'> and its rtc, pit and hpet timers; libvirt's default is utc. */
int qemu_build_clock(struct qemu_cmd *cmd, const struct vb_xml_element *clock, struct vb_error *err)
{
    static const char *const attrs[] = { "offset", NULL };
    static const char *const children[] = { "timer", NULL };
    const char *offset = vb_xml_element_attr(clock, "offset");
    struct vb_buf rtc = { 0 };

    if (clock && (qemu_check_attrs(clock, attrs, "<clock>", err) < 0 ||
                  qemu_check_children(clock, children, "<clock>", err) < 0))
        return -1;
    if (offset && !streq(offset, "utc") && !streq(offset, "localtime"))
        return qemu_unsupported(err, "clock offset '%s'", offset);
    vb_buf_addf(&rtc, "base=%s", offset ? offset : "utc");
    for (size_t i = 0; clock && i < clock->n_children; i++) {
        const char *name = vb_xml_element_attr(clock->children[i], "name");
        if (!name || (!streq(name, "rtc") && !streq(name, "pit") && !streq(name, "hpet"))) {
            vb_buf_free(&rtc);
            return qemu_unsupported(err, "<clock>: timer '%s'", name ? name : "");
        }
        if (streq(name, "rtc") && rtc_options(clock->children[i], &rtc, err) < 0) {
            vb_buf_free(&rtc);
            return -1;
        }
    }
    qemu_cmd_add_buf(cmd, "-rtc", &rtc);
    for (size_t i = 0; clock && i < clock->n_children; i++) {
        const char *name = vb_xml_element_attr(clock->children[i], "name");
        if ((streq(name, "pit") && add_pit(cmd, clock->children[i], err) < 0) ||
            (streq(name, "hpet") && add_hpet(cmd, clock->children[i], err) < 0))
            return -1;
    }
    return 0;
}

/* <pm><suspend-to-mem enabled='no'/><suspend-to-disk enabled='no'/></pm>: the ACPI S3 and S4
 * states offered to the guest, properties of the machine's power management device. */
int qemu_build_power_management(struct qemu_cmd *cmd, const struct vb_xml_element *pm, struct vb_error *err)
{
    static const char *const children[] = { "suspend-to-mem", "suspend-to-disk", NULL };
    static const char *const attrs[] = { "enabled", NULL };

    if (!pm)
        return 0;
    if (qemu_check_attrs(pm, NULL, "<pm>", err) < 0 || qemu_check_children(pm, children, "<pm>", err) < 0)
        return -1;
    for (size_t i = 0; i < pm->n_children; i++) {
        const char *enabled = vb_xml_element_attr(pm->children[i], "enabled");
        if (qemu_check_attrs(pm->children[i], attrs, "<pm>", err) < 0)
            return -1;
        if (!enabled || (!streq(enabled, "yes") && !streq(enabled, "no")))
            return vb_error_set(err, VB_ERR_XML_ERROR, "invalid <%s> enabled value '%s'", pm->children[i]->name,
                                enabled ? enabled : "");
        qemu_cmd_add(cmd, "-global");
        qemu_cmd_addf(cmd, "%s.disable_s%c=%d", cmd->q35 ? "ICH9-LPC" : "PIIX4_PM",
                      streq(pm->children[i]->name, "suspend-to-mem") ? '3' : '4', streq(enabled, "no"));
    }
    return 0;
}
