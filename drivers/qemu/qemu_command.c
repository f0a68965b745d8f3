/* qemu's command line from a domain definition: the machine, memory, CPUs, boot and monitor;
 * devices are in qemu_command_devices.c. Order and spelling follow libvirt's qemu_command.c. */
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "drivers/qemu/qemu_command_private.h"

/* --- the vector --------------------------------------------------------------------------------- */

void qemu_cmd_add(struct qemu_cmd *cmd, const char *arg)
{
    char *copy;

    if (cmd->oom)
        return;
    if (cmd->n + 2 > cmd->size) {
        size_t size = cmd->size ? 2 * cmd->size : 32;
        char **grown = realloc(cmd->argv, size * sizeof(*grown));
        if (!grown) {
            cmd->oom = true;
            return;
        }
        cmd->argv = grown;
        cmd->size = size;
    }
    copy = strdup(arg);
    if (!copy) {
        cmd->oom = true;
        return;
    }
    cmd->argv[cmd->n++] = copy;
    cmd->argv[cmd->n] = NULL;
}

static char *format_va(const char *fmt, va_list ap) _printf_(1, 0);

static char *format_va(const char *fmt, va_list ap)
{
    char *text;

    return vasprintf(&text, fmt, ap) < 0 ? NULL : text;
}

void qemu_cmd_addf(struct qemu_cmd *cmd, const char *fmt, ...)
{
    _cleanup_free_ char *arg = NULL;
    va_list ap;

    va_start(ap, fmt);
    arg = format_va(fmt, ap);
    va_end(ap);
    if (!arg)
        cmd->oom = true;
    else
        qemu_cmd_add(cmd, arg);
}

void qemu_cmd_add_buf(struct qemu_cmd *cmd, const char *option, struct vb_buf *buf)
{
    struct vb_error err = VB_ERROR_INIT;
    _cleanup_free_ char *value = vb_buf_steal(buf, &err);

    vb_error_clear(&err);
    if (!value) {
        cmd->oom = true;
        return;
    }
    qemu_cmd_add(cmd, option);
    qemu_cmd_add(cmd, value);
}

void qemu_buf_add_escaped(struct vb_buf *buf, const char *value)
{
    for (const char *p = value; *p; p++) {
        const char *comma = strchr(p, ',');
        size_t n = comma ? (size_t) (comma - p) + 1 : strlen(p);
        vb_buf_add_len(buf, p, n);
        if (comma)
            vb_buf_add(buf, ",");
        p += n - 1;
    }
}

static bool name_in(const char *name, const char *const *names)
{
    for (size_t i = 0; names && names[i]; i++)
        if (streq(names[i], name))
            return true;
    return false;
}

int qemu_check_attrs(const struct vb_xml_element *el, const char *const *allowed, const char *where,
                     struct vb_error *err)
{
    for (size_t i = 0; el->attrs && el->attrs[i]; i += 2)
        if (!name_in(el->attrs[i], allowed))
            return qemu_unsupported(err, "%s: attribute '%s' of <%s>", where, el->attrs[i], el->name);
    return 0;
}

int qemu_check_children(const struct vb_xml_element *el, const char *const *allowed, const char *where,
                        struct vb_error *err)
{
    for (size_t i = 0; i < el->n_children; i++)
        if (!name_in(el->children[i]->name, allowed))
            return qemu_unsupported(err, "%s: <%s> in <%s>", where, el->children[i]->name, el->name);
    return 0;
}

/* --- the machine -------------------------------------------------------------------------------- */

static int check_domain(const struct vb_domain_def *def, const struct qemu_command_options *options,
                        struct vb_error *err)
{
    if (!def->virt_type || (!streq(def->virt_type, "qemu") && !streq(def->virt_type, "kvm")))
        return qemu_unsupported(err, "domain type '%s'", def->virt_type ? def->virt_type : "");
    if (streq(def->virt_type, "kvm") && !options->kvm_usable)
        return vb_error_set(err, VB_ERR_CONFIG_UNSUPPORTED,
                            "domain type 'kvm' needs /dev/kvm, which is not usable here (use type 'qemu')");
    if (!def->os_type || !streq(def->os_type, "hvm"))
        return qemu_unsupported(err, "OS type '%s'", def->os_type ? def->os_type : "");
    if (def->os_arch && !streq(def->os_arch, "x86_64"))
        return qemu_unsupported(err, "architecture '%s'", def->os_arch);
    if (!options->monitor_path || !*options->monitor_path)
        return vb_error_set(err, VB_ERR_INVALID_ARG, "no QMP socket path for qemu");
    return 0;
}

static bool machine_is_q35(const char *machine)
{
    return streq(machine, "q35") || strncmp(machine, "pc-q35-", 7) == 0;
}

/* <features><vmport state='on|off'/>, which virt-install writes, is a machine option. */
static int add_vmport(const struct vb_xml_element *features, struct vb_buf *buf, struct vb_error *err)
{
    static const char *const attrs[] = { "state", NULL };
    const struct vb_xml_element *vmport = vb_xml_element_child(features, "vmport");
    const char *state = vb_xml_element_attr(vmport, "state");

    if (!vmport)
        return 0;
    if (qemu_check_attrs(vmport, attrs, "<features>", err) < 0)
        return -1;
    if (!state || (!streq(state, "on") && !streq(state, "off")))
        return vb_error_set(err, VB_ERR_XML_ERROR, "invalid vmport state '%s'", state ? state : "");
    vb_buf_addf(buf, ",vmport=%s", state);
    return 0;
}

static int add_machine(struct qemu_cmd *cmd, const struct vb_xml_element *features, struct vb_error *err)
{
    const char *machine = cmd->def->os_machine ? cmd->def->os_machine : "pc";
    struct vb_buf buf = { 0 };

    if (!machine_is_q35(machine) && !streq(machine, "pc") && strncmp(machine, "pc-i440fx-", 10) != 0)
        return qemu_unsupported(err, "machine type '%s'", machine);
    cmd->q35 = machine_is_q35(machine);
    qemu_buf_add_escaped(&buf, machine);
    vb_buf_addf(&buf, ",accel=%s,usb=off", streq(cmd->def->virt_type, "kvm") ? "kvm" : "tcg");
    if (add_vmport(features, &buf, err) < 0) {
        vb_buf_free(&buf);
        return -1;
    }
    qemu_cmd_add_buf(cmd, "-machine", &buf);
    return 0;
}

/* <cpu>: only the modes that need no CPU model table; migratable='off' as libvirt spells it. */
static int add_cpu(struct qemu_cmd *cmd, const struct vb_xml_element *cpu, struct vb_error *err)
{
    static const char *const attrs[] = { "mode", "check", "migratable", NULL };
    const char *mode, *migratable;
    const char *model;

    if (!cpu)
        return 0;
    mode = vb_xml_element_attr(cpu, "mode");
    migratable = vb_xml_element_attr(cpu, "migratable");
    if (qemu_check_attrs(cpu, attrs, "<cpu>", err) < 0 || qemu_check_children(cpu, NULL, "<cpu>", err) < 0)
        return -1;
    if (mode && streq(mode, "maximum"))
        model = "max";
    else if (mode && streq(mode, "host-passthrough"))
        model = "host";
    else
        return qemu_unsupported(err, "CPU mode '%s'", mode ? mode : "custom");
    if (streq(model, "host") && !streq(cmd->def->virt_type, "kvm"))
        return vb_error_set(err, VB_ERR_CONFIG_UNSUPPORTED, "CPU mode 'host-passthrough' needs domain type 'kvm'");
    if (migratable && !streq(migratable, "on") && !streq(migratable, "off"))
        return vb_error_set(err, VB_ERR_XML_ERROR, "invalid CPU migratable value '%s'", migratable);
    qemu_cmd_add(cmd, "-cpu");
    qemu_cmd_addf(cmd, "%s%s", model, migratable && streq(migratable, "off") ? ",migratable=off" : "");
    return 0;
}

static void add_memory_and_cpus(struct qemu_cmd *cmd)
{
    const struct vb_domain_def *def = cmd->def;
    char uuid[VB_UUID_STRING_LEN];
    unsigned int boot_vcpus = 0;

    /* As libvirt's qemuBuildSmpCommandLine: the enabled non-hotpluggable vCPUs (the first ones);
     * enabled hotpluggable ones are added by device_add before the guest runs. */
    for (unsigned int i = 0; i < def->vcpus_max; i++) {
        struct vb_vcpu_def vcpu = vb_domain_def_get_vcpu(def, i);

        boot_vcpus += vcpu.enabled && !vcpu.hotpluggable;
    }
    qemu_cmd_add(cmd, "-m");
    qemu_cmd_addf(cmd, "size=%lluk", (unsigned long long) def->max_memory_kib);
    qemu_cmd_add(cmd, "-smp");
    if (boot_vcpus && boot_vcpus < def->vcpus_max)
        qemu_cmd_addf(cmd, "%u,maxcpus=%u,sockets=%u,cores=1,threads=1", boot_vcpus, def->vcpus_max,
                      def->vcpus_max);
    else
        qemu_cmd_addf(cmd, "%u,sockets=%u,cores=1,threads=1", def->vcpus_max, def->vcpus_max);
    vb_uuid_format(def->uuid, uuid);
    qemu_cmd_add(cmd, "-uuid");
    qemu_cmd_add(cmd, uuid);
}

static void add_monitor(struct qemu_cmd *cmd)
{
    struct vb_buf buf = { 0 };

    vb_buf_add(&buf, "socket,id=charmonitor,path=");
    qemu_buf_add_escaped(&buf, cmd->options->monitor_path);
    vb_buf_add(&buf, ",server=on,wait=off");
    qemu_cmd_add_buf(cmd, "-chardev", &buf);
    qemu_cmd_add(cmd, "-mon");
    qemu_cmd_add(cmd, "chardev=charmonitor,id=monitor,mode=control");
}

/* qemu stays after the guest powers off (-no-shutdown) so the driver reads the SHUTDOWN event
 * and the final state, then ends it, as libvirt does; -no-reboot turns a guest reboot into a
 * shutdown when the definition wants the domain destroyed on reboot. */
static void add_lifecycle(struct qemu_cmd *cmd)
{
    qemu_cmd_add(cmd, "-no-shutdown");
    if (cmd->def->on_reboot == VB_LIFECYCLE_DESTROY)
        qemu_cmd_add(cmd, "-no-reboot");
}

static int add_features(struct qemu_cmd *cmd, const struct vb_xml_element *features, struct vb_error *err)
{
    static const char *const known[] = { "acpi", "apic", "pae", "vmport", NULL };

    if (features && qemu_check_children(features, known, "<features>", err) < 0)
        return -1;
    for (size_t i = 0; features && i < features->n_children; i++)
        if (!streq(features->children[i]->name, "vmport") &&
            qemu_check_attrs(features->children[i], NULL, "<features>", err) < 0)
            return -1;
    /* As libvirt: ACPI only when asked for, so no power button without <acpi/>. */
    if (!vb_xml_element_child(features, "acpi"))
        qemu_cmd_add(cmd, "-no-acpi");
    return 0;
}

static const char *boot_drive_letter(const char *dev)
{
    static const char *const map[][2] = { { "hd", "c" }, { "cdrom", "d" }, { "network", "n" }, { "fd", "a" } };

    for (size_t i = 0; i < ARRAY_SIZE(map); i++)
        if (streq(map[i][0], dev))
            return map[i][1];
    return NULL;
}

static int add_boot(struct qemu_cmd *cmd, const struct vb_xml_element *os, struct vb_error *err)
{
    const struct vb_domain_def *def = cmd->def;
    struct vb_buf buf = { 0 };

    if (qemu_check_attrs(os, NULL, "<os>", err) < 0 || qemu_check_children(os, NULL, "<os>", err) < 0)
        return -1;
    vb_buf_add(&buf, "strict=on");
    if (def->boot_devices && def->boot_devices[0]) {
        if (qemu_devices_have_boot_order(def)) {
            vb_buf_free(&buf);
            return vb_error_set(err, VB_ERR_CONFIG_UNSUPPORTED,
                                "per-device boot elements cannot be used together with os/boot elements");
        }
        vb_buf_add(&buf, ",order=");
        for (size_t i = 0; def->boot_devices[i]; i++) {
            const char *letter = boot_drive_letter(def->boot_devices[i]);
            if (!letter) {
                vb_buf_free(&buf);
                return qemu_unsupported(err, "boot device '%s'", def->boot_devices[i]);
            }
            vb_buf_add(&buf, letter);
        }
    }
    qemu_cmd_add_buf(cmd, "-boot", &buf);
    if (def->os_kernel) {
        qemu_cmd_add(cmd, "-kernel");
        qemu_cmd_add(cmd, def->os_kernel);
    }
    if (def->os_initrd) {
        qemu_cmd_add(cmd, "-initrd");
        qemu_cmd_add(cmd, def->os_initrd);
    }
    if (def->os_cmdline) {
        qemu_cmd_add(cmd, "-append");
        qemu_cmd_add(cmd, def->os_cmdline);
    }
    return 0;
}

/* <qemu:commandline><qemu:arg value=.../>: appended as they are, as libvirt does. */
static int add_passthrough(struct qemu_cmd *cmd, const struct vb_xml_element *commandline, struct vb_error *err)
{
    static const char *const children[] = { "arg", NULL };

    if (!commandline)
        return 0;
    if (qemu_check_children(commandline, children, "<qemu:commandline>", err) < 0)
        return -1;
    for (size_t i = 0; i < commandline->n_children; i++) {
        const char *value = vb_xml_element_attr(commandline->children[i], "value");
        if (!value)
            return vb_error_set(err, VB_ERR_XML_ERROR, "<qemu:arg> without a value");
        qemu_cmd_add(cmd, value);
    }
    return 0;
}

/* Top-level elements the model keeps as XML: those below are read here; the others are
 * refused until the driver implements them (memtune, numatune, ...). <resource> (the cgroup
 * partition) does not change the command line; <seclabel> is accepted only when it asks for no
 * confinement, since no security driver applies one yet. */
static int check_top_elements(const struct vb_xml_element *top, struct vb_error *err)
{
    static const char *const known[] = { "features", "clock", "pm", "cpu", "commandline", "resource", "seclabel",
                                         NULL };

    if (qemu_check_children(top, known, "<domain>", err) < 0)
        return -1;
    for (size_t i = 0; i < top->n_children; i++) {
        const char *type = vb_xml_element_attr(top->children[i], "type");
        if (streq(top->children[i]->name, "seclabel") && (!type || !streq(type, "none")))
            return qemu_unsupported(err, "<seclabel type='%s'>", type ? type : "");
    }
    return 0;
}

/* argv[0]: the first <emulator>, else qemu-system-x86_64 from PATH. */
static int add_emulator(struct qemu_cmd *cmd, struct vb_error *err)
{
    for (size_t i = 0; i < cmd->def->n_devices; i++)
        if (streq(cmd->def->devices[i]->element, "emulator")) {
            _cleanup_(vb_xml_element_freep) struct vb_xml_element *el = vb_device_def_view(cmd->def->devices[i], err);
            if (!el)
                return -1;
            if (!el->text)
                return vb_error_set(err, VB_ERR_XML_ERROR, "<emulator> without a path");
            qemu_cmd_add(cmd, el->text);
            return 0;
        }
    qemu_cmd_add(cmd, QEMU_DEFAULT_EMULATOR);
    return 0;
}

static int build(struct qemu_cmd *cmd, struct vb_error *err)
{
    _cleanup_(vb_xml_element_freep) struct vb_xml_element *top = NULL, *os = NULL;
    const struct vb_domain_def *def = cmd->def;
    struct vb_buf name = { 0 };

    if (check_domain(def, cmd->options, err) < 0 || !(top = vb_domain_def_view_unmodelled(def, NULL, err)) ||
        !(os = vb_domain_def_view_unmodelled(def, "os", err)) || check_top_elements(top, err) < 0 ||
        add_emulator(cmd, err) < 0)
        return -1;
    vb_buf_add(&name, "guest=");
    qemu_buf_add_escaped(&name, def->name);
    vb_buf_add(&name, ",debug-threads=on");
    qemu_cmd_add_buf(cmd, "-name", &name);
    qemu_cmd_add(cmd, "-S");
    if (add_machine(cmd, vb_xml_element_child(top, "features"), err) < 0 ||
        add_cpu(cmd, vb_xml_element_child(top, "cpu"), err) < 0)
        return -1;
    add_memory_and_cpus(cmd);
    qemu_cmd_add(cmd, "-display");
    qemu_cmd_add(cmd, "none");
    qemu_cmd_add(cmd, "-no-user-config");
    qemu_cmd_add(cmd, "-nodefaults");
    add_monitor(cmd);
    if (qemu_build_clock(cmd, vb_xml_element_child(top, "clock"), err) < 0)
        return -1;
    add_lifecycle(cmd);
    if (add_features(cmd, vb_xml_element_child(top, "features"), err) < 0 ||
        qemu_build_power_management(cmd, vb_xml_element_child(top, "pm"), err) < 0 || add_boot(cmd, os, err) < 0 ||
        qemu_build_devices(cmd, err) < 0)
        return -1;
    if (cmd->options->incoming_defer) { /* where libvirt puts it: after the devices */
        qemu_cmd_add(cmd, "-incoming");
        qemu_cmd_add(cmd, "defer");
    }
    if (cmd->options->loadvm) {
        qemu_cmd_add(cmd, "-loadvm");
        qemu_cmd_add(cmd, cmd->options->loadvm);
    }
    return add_passthrough(cmd, vb_xml_element_child(top, "commandline"), err);
}

char **qemu_command_build(const struct vb_domain_def *def, const struct qemu_command_options *options,
                          struct vb_error *err)
{
    struct qemu_cmd cmd = { .def = def, .options = options, .next_node = 1 };

    if (build(&cmd, err) < 0 || cmd.oom) {
        if (cmd.oom && !vb_error_is_set(err))
            vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
        qemu_argv_free(cmd.argv);
        return NULL;
    }
    return cmd.argv;
}

bool qemu_kvm_usable(void)
{
    int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);

    if (fd < 0)
        return false;
    close(fd);
    return true;
}

static bool needs_quotes(const char *arg)
{
    if (!*arg)
        return true;
    for (const char *p = arg; *p; p++)
        if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_=,./:+@%", *p))
            return true;
    return false;
}

char *qemu_argv_to_string(char *const *argv)
{
    struct vb_buf buf = { 0 };
    struct vb_error err = VB_ERROR_INIT;
    char *text;

    for (size_t i = 0; argv && argv[i]; i++) {
        if (i > 0)
            vb_buf_add(&buf, " ");
        if (!needs_quotes(argv[i])) {
            vb_buf_add(&buf, argv[i]);
            continue;
        }
        vb_buf_add(&buf, "'");
        for (const char *p = argv[i]; *p; p++)
            vb_buf_add(&buf, *p == '\'' ? "'\\''" : (char[]){ *p, '\0' });
        vb_buf_add(&buf, "'");
    }
    text = vb_buf_steal(&buf, &err);
    vb_error_clear(&err);
    return text;
}

void qemu_argv_free(char **argv)
{
    for (size_t i = 0; argv && argv[i]; i++)
        free(argv[i]);
    free(argv);
}
