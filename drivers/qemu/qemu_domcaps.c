/* The capabilities documents of the QEMU connection: libvirt's <domainCapabilities> for
 * qemu-system-x86_64 and the host's <capabilities>, from what the probe found. Enums list
 * what the command line builder (qemu_command.c) accepts, so a client offers nothing that
 * a start would refuse. */
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "conf/xml_util.h"
#include "drivers/qemu/qemu_caps_private.h"
#include "util/macros.h"

static void add_enum(struct vb_buf *buf, int level, const char *name, const char *const *values)
{
    vb_buf_indent(buf, level);
    vb_buf_addf(buf, "<enum name='%s'>\n", name);
    for (const char *const *v = values; *v; v++) {
        vb_buf_indent(buf, level + 1);
        vb_buf_addf(buf, "<value>%s</value>\n", *v);
    }
    vb_buf_indent(buf, level);
    vb_buf_add(buf, "</enum>\n");
}

static void add_os(struct vb_buf *buf)
{
    /* Firmware (<loader>, <os firmware>) is not built yet: BIOS only. */
    vb_buf_add(buf, "  <os supported='yes'>\n"
                    "    <enum name='firmware'/>\n"
                    "    <loader supported='no'/>\n"
                    "  </os>\n");
}

static void add_cpu(struct vb_buf *buf, const struct qemu_caps *caps)
{
    vb_buf_addf(buf, "  <cpu>\n"
                     "    <mode name='host-passthrough' supported='%s'/>\n"
                     "    <mode name='maximum' supported='no'/>\n"
                     "    <mode name='host-model' supported='no'/>\n"
                     "    <mode name='custom' supported='yes'>\n",
                caps->kvm_usable ? "yes" : "no");
    for (size_t i = 0; i < caps->n_cpus; i++)
        vb_buf_addf(buf, "      <model usable='%s'>%s</model>\n", caps->cpus[i].usable ? "yes" : "no",
                    caps->cpus[i].name);
    vb_buf_add(buf, "    </mode>\n"
                    "  </cpu>\n");
}

static void add_devices(struct vb_buf *buf)
{
    vb_buf_add(buf, "  <devices>\n"
                    "    <disk supported='yes'>\n");
    add_enum(buf, 3, "diskDevice", (const char *const[]){ "disk", "cdrom", NULL });
    add_enum(buf, 3, "bus", (const char *const[]){ "ide", "scsi", "virtio", "sata", NULL });
    add_enum(buf, 3, "model", (const char *const[]){ "virtio", NULL });
    vb_buf_add(buf, "    </disk>\n"
                    "    <graphics supported='no'/>\n"
                    "    <video supported='no'/>\n"
                    "    <hostdev supported='no'/>\n"
                    "    <rng supported='yes'>\n");
    add_enum(buf, 3, "model", (const char *const[]){ "virtio", NULL });
    add_enum(buf, 3, "backendModel", (const char *const[]){ "random", NULL });
    vb_buf_add(buf, "    </rng>\n"
                    "    <filesystem supported='no'/>\n"
                    "    <tpm supported='no'/>\n"
                    "    <redirdev supported='no'/>\n"
                    "    <channel supported='no'/>\n"
                    "    <crypto supported='no'/>\n"
                    "    <interface supported='yes'>\n");
    add_enum(buf, 3, "backendType", (const char *const[]){ "default", NULL });
    vb_buf_add(buf, "    </interface>\n"
                    "  </devices>\n");
}

char *qemu_caps_format_domain(const struct qemu_caps *caps, const char *machine, const char *virttype,
                              struct vb_error *err)
{
    const struct qemu_caps_machine *m = qemu_caps_find_machine(caps, machine ? machine : qemu_caps_default_machine(caps));
    struct vb_buf buf = { 0 };

    if (!m) {
        vb_error_set(err, VB_ERR_INVALID_ARG, "the machine '%s' is not supported by emulator '%s'", machine,
                     caps->emulator);
        return NULL;
    }
    if (virttype && !streq(virttype, "qemu") && !(streq(virttype, "kvm") && caps->kvm_usable)) {
        vb_error_set(err, VB_ERR_CONFIG_UNSUPPORTED, "virttype '%s' is not supported by emulator '%s'", virttype,
                     caps->emulator);
        return NULL;
    }
    vb_buf_addf(&buf, "<domainCapabilities>\n"
                      "  <path>%s</path>\n"
                      "  <domain>%s</domain>\n"
                      "  <machine>%s</machine>\n"
                      "  <arch>x86_64</arch>\n"
                      "  <vcpu max='%d'/>\n"
                      "  <iothreads supported='yes'/>\n",
                caps->emulator, virttype ? virttype : caps->kvm_usable ? "kvm" : "qemu", m->name, m->max_cpus);
    add_os(&buf);
    add_cpu(&buf, caps);
    add_devices(&buf);
    vb_buf_add(&buf, "  <features>\n"
                     "    <gic supported='no'/>\n"
                     "    <vmcoreinfo supported='no'/>\n"
                     "    <genid supported='no'/>\n"
                     "    <sev supported='no'/>\n"
                     "  </features>\n"
                     "</domainCapabilities>\n");
    return vb_buf_steal(&buf, err);
}

/* libvirt's <capabilities>: the host, and one x86_64 hvm guest with its machines. */
char *qemu_caps_format_host(const struct qemu_caps *caps, struct vb_error *err)
{
    struct vb_buf buf = { 0 };
    struct utsname uts;

    uname(&uts);
    vb_buf_addf(&buf, "<capabilities>\n"
                      "  <host>\n"
                      "    <cpu>\n"
                      "      <arch>%s</arch>\n"
                      "    </cpu>\n"
                      "  </host>\n"
                      "  <guest>\n"
                      "    <os_type>hvm</os_type>\n"
                      "    <arch name='x86_64'>\n"
                      "      <wordsize>64</wordsize>\n"
                      "      <emulator>%s</emulator>\n",
                uts.machine, caps->emulator);
    for (size_t i = 0; i < caps->n_machines; i++) {
        const struct qemu_caps_machine *m = &caps->machines[i];

        if (m->alias)
            vb_buf_addf(&buf, "      <machine canonical='%s' maxCpus='%d'>%s</machine>\n", m->name, m->max_cpus,
                        m->alias);
        vb_buf_addf(&buf, "      <machine maxCpus='%d'>%s</machine>\n", m->max_cpus, m->name);
    }
    vb_buf_addf(&buf, "      <domain type='qemu'/>\n%s"
                      "    </arch>\n"
                      "    <features>\n"
                      "      <acpi default='on' toggle='yes'/>\n"
                      "      <apic default='on' toggle='no'/>\n"
                      "    </features>\n"
                      "  </guest>\n"
                      "</capabilities>\n",
                caps->kvm_usable ? "      <domain type='kvm'/>\n" : "");
    return vb_buf_steal(&buf, err);
}
