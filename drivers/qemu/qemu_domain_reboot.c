/* Reboot, as libvirt's QEMU driver does it by default: the ACPI power button with "fake reboot".
 * The guest powers off, qemu (-no-shutdown) reports SHUTDOWN and stops, and instead of ending
 * qemu the driver sends system_reset and cont: the same qemu, the same id, a fresh boot. */
#include "drivers/qemu/qemu_domain_private.h"
#include "util/log.h"
#include "util/macros.h"

/* libvirt: a failed fake reboot kills the domain rather than leave it stopped for good. */
static void give_up(struct qemu_dom *dom, const char *step, const struct vb_error *err)
{
    struct vb_error quit_err = VB_ERROR_INIT;

    vb_log_warning("fake reboot of '%s' failed at %s: %s; ending qemu", dom->obj->def->name, step,
                   vb_error_message(err));
    if (dom->proc && qemu_process_quit(dom->proc, &quit_err) < 0) {
        vb_log_warning("could not quit qemu of '%s': %s", dom->obj->def->name, vb_error_message(&quit_err));
        vb_error_clear(&quit_err);
    }
}

static void on_cont(struct qmp_monitor *mon, const struct qmp_reply *reply, void *userdata)
{
    struct qemu_dom *dom = userdata;

    if (reply->result < 0) {
        give_up(dom, "cont", &reply->err);
        return;
    }
    /* The guest runs again: the next SHUTDOWN is a new one, and a STOP counts again. */
    dom->got_shutdown = false;
    dom->running = true;
    qemu_process_clear_shutdown(dom->proc);
    vb_domain_obj_set_state(dom->obj, VB_DOMAIN_RUNNING, VB_RUNNING_BOOTED);
}

static void on_reset(struct qmp_monitor *mon, const struct qmp_reply *reply, void *userdata)
{
    struct qemu_dom *dom = userdata;
    struct vb_error err = VB_ERROR_INIT;

    if (reply->result < 0) {
        give_up(dom, "system_reset", &reply->err);
        return;
    }
    if (qemu_process_command(dom->proc, "cont", NULL, QEMU_COMMAND_TIMEOUT_USEC, on_cont, dom, &err) < 0) {
        give_up(dom, "cont", &err);
        vb_error_clear(&err);
    }
}

/* qemu's RESET event, emitted for system_reset, becomes the Reboot event (qemu_event_map). */
void qemu_dom_fake_reboot(struct qemu_dom *dom)
{
    struct vb_error err = VB_ERROR_INIT;

    dom->fake_reboot = false;
    if (qemu_process_command(dom->proc, "system_reset", NULL, QEMU_COMMAND_TIMEOUT_USEC, on_reset, dom, &err) < 0) {
        give_up(dom, "system_reset", &err);
        vb_error_clear(&err);
    }
}

/* libvirt's qemuDomainReboot: the power button (default, ACPI_POWER_BTN) or the guest agent,
 * which this driver does not have yet; the other methods are not the QEMU driver's. */
int qemu_reboot(void *priv, struct vb_call *call, struct vb_domain_obj *obj, unsigned int flags)
{
    struct vb_error *err = &call->err;
    struct qemu_dom *dom;

    VB_CHECK_FLAGS(flags, VB_SHUTDOWN_ACPI_POWER_BTN | VB_SHUTDOWN_GUEST_AGENT, err);
    if (flags & VB_SHUTDOWN_GUEST_AGENT)
        return vb_error_set(err, VB_ERR_ARGUMENT_UNSUPPORTED, "QEMU guest agent is not configured");
    if (!(dom = qemu_dom_running(obj, err)))
        return -1;
    dom->fake_reboot = true;
    if (qemu_dom_send_powerdown(dom, err) < 0) {
        dom->fake_reboot = false;
        return -1;
    }
    return 0;
}
