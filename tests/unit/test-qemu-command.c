/* Unit tests for qemu's command line (drivers/qemu/qemu_command.c): each fixture XML under
 * tests/fixtures/qemu/ gives exactly the arguments in its .args file (one a line), and what the
 * builder cannot express is refused with an error naming it. VIRTBUS_REGENERATE=1 rewrites the
 * .args files from the builder's output, for review in the diff. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drivers/qemu/qemu_command.h"
#include "util/file.h"

#define MONITOR "/run/virtbus/qemu/guest.monitor"

static char *read_text(const char *path)
{
    FILE *f = fopen(path, "r");
    char *text = NULL;
    size_t size = 0;

    if (!f)
        return NULL;
    if (getdelim(&text, &size, '\0', f) < 0) {
        free(text);
        text = strdup("");
    }
    fclose(f);
    return text;
}

static char **build_from_text(const char *xml, bool kvm, struct vb_error *err)
{
    _cleanup_(vb_domain_def_freep) struct vb_domain_def *def = vb_domain_def_parse_string(xml, err);
    const struct qemu_command_options options = { .monitor_path = MONITOR, .kvm_usable = kvm };

    if (!def)
        return NULL;
    return qemu_command_build(def, &options, err);
}

static char *join_lines(char *const *argv)
{
    char *text = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&text, &size);

    assert_non_null(f);
    for (size_t i = 0; argv[i]; i++)
        fprintf(f, "%s\n", argv[i]);
    fclose(f);
    return text;
}

static void check_fixture(const char *name)
{
    char xml_path[512], args_path[512];
    _cleanup_free_ char *xml = NULL, *expected = NULL, *actual = NULL;
    _cleanup_(qemu_argv_freep) char **argv = NULL;
    struct vb_error err = VB_ERROR_INIT;

    snprintf(xml_path, sizeof(xml_path), "%s/qemu/%s.xml", FIXTURES_DIR, name);
    snprintf(args_path, sizeof(args_path), "%s/qemu/%s.args", FIXTURES_DIR, name);
    xml = read_text(xml_path);
    assert_non_null(xml);
    argv = build_from_text(xml, false, &err);
    if (!argv)
        print_error("%s: %s\n", name, vb_error_message(&err));
    assert_non_null(argv);
    actual = join_lines(argv);
    if (getenv("VIRTBUS_REGENERATE")) {
        FILE *f = fopen(args_path, "w");
        assert_non_null(f);
        fputs(actual, f);
        fclose(f);
    }
    expected = read_text(args_path);
    if (!expected)
        fail_msg("%s: no %s (VIRTBUS_REGENERATE=1 writes it)", name, args_path);
    if (!streq(expected, actual))
        fail_msg("%s: arguments differ from %s; got:\n%s", name, args_path, actual);
}

static void test_kernel_boot_with_acpi_and_serial_file(void **state)
{
    check_fixture("kernel-boot");
}

static void test_disks_on_virtio_ide_sata_scsi_with_formats(void **state)
{
    check_fixture("disks");
}

static void test_disk_cache_and_discard_modes_as_libvirt(void **state)
{
    check_fixture("disk-cache");
}

static void test_q35_user_networking_pty_serial_and_boot_order(void **state)
{
    check_fixture("q35-network");
}

/* -smp counts the enabled vCPUs that are not hotpluggable; vCPU 2 is added by device_add at start. */
static void test_smp_leaves_out_hotpluggable_vcpus(void **state)
{
    check_fixture("vcpus-hotpluggable");
}

#define DOMAIN_HEAD "<domain type='qemu'><name>g</name><memory>131072</memory><vcpu>1</vcpu>"
#define DOMAIN_OS "<os><type>hvm</type></os>"

/* Each definition must be refused with exactly this message. */
static const struct {
    const char *xml;
    const char *message;
} refused[] = {
    { "<domain type='xen'><name>g</name><memory>131072</memory>" DOMAIN_OS "</domain>",
      "unsupported configuration: domain type 'xen' is not supported by the QEMU driver" },
    { "<domain type='kvm'><name>g</name><memory>131072</memory>" DOMAIN_OS "</domain>",
      "unsupported configuration: domain type 'kvm' needs /dev/kvm, which is not usable here (use type 'qemu')" },
    { DOMAIN_HEAD "<os><type machine='virt'>hvm</type></os></domain>",
      "unsupported configuration: machine type 'virt' is not supported by the QEMU driver" },
    { DOMAIN_HEAD "<os><type arch='aarch64'>hvm</type></os></domain>",
      "unsupported configuration: architecture 'aarch64' is not supported by the QEMU driver" },
    { DOMAIN_HEAD "<os firmware='efi'><type>hvm</type></os></domain>",
      "unsupported configuration: <os>: attribute 'firmware' of <os> is not supported by the QEMU driver" },
    { DOMAIN_HEAD "<os><type>hvm</type><loader>/usr/share/OVMF/OVMF_CODE.fd</loader></os></domain>",
      "unsupported configuration: <os>: <loader> in <os> is not supported by the QEMU driver" },
    { DOMAIN_HEAD DOMAIN_OS "<features><acpi/><hyperv/></features></domain>",
      "unsupported configuration: <features>: <hyperv> in <features> is not supported by the QEMU driver" },
    { DOMAIN_HEAD DOMAIN_OS "<features><apic eoi='on'/></features></domain>",
      "unsupported configuration: <features>: attribute 'eoi' of <apic> is not supported by the QEMU driver" },
    { DOMAIN_HEAD DOMAIN_OS "<memtune><hard_limit>1024</hard_limit></memtune></domain>",
      "unsupported configuration: <domain>: <memtune> in <domain> is not supported by the QEMU driver" },
    { DOMAIN_HEAD DOMAIN_OS "<seclabel type='dynamic' model='apparmor' relabel='yes'/></domain>",
      "unsupported configuration: <seclabel type='dynamic'> is not supported by the QEMU driver" },
    { DOMAIN_HEAD DOMAIN_OS "<devices><emulator/></devices></domain>", "XML error: <emulator> without a path" },
    { DOMAIN_HEAD DOMAIN_OS "<cpu mode='host-passthrough'/></domain>",
      "unsupported configuration: CPU mode 'host-passthrough' needs domain type 'kvm'" },
    { DOMAIN_HEAD DOMAIN_OS "<cpu mode='maximum'><topology sockets='1' cores='2' threads='1'/></cpu></domain>",
      "unsupported configuration: <cpu>: <topology> in <cpu> is not supported by the QEMU driver" },
    { DOMAIN_HEAD DOMAIN_OS "<cpu mode='host-model'/></domain>",
      "unsupported configuration: CPU mode 'host-model' is not supported by the QEMU driver" },
    { DOMAIN_HEAD DOMAIN_OS "<clock offset='utc'><timer name='kvmclock' present='no'/></clock></domain>",
      "unsupported configuration: <clock>: timer 'kvmclock' is not supported by the QEMU driver" },
    { DOMAIN_HEAD DOMAIN_OS "<clock offset='utc'><timer name='rtc' track='guest'/></clock></domain>",
      "unsupported configuration: <clock>: attribute 'track' of <timer> is not supported by the QEMU driver" },
    { DOMAIN_HEAD DOMAIN_OS "<pm><suspend-to-mem enabled='maybe'/></pm></domain>",
      "XML error: invalid <suspend-to-mem> enabled value 'maybe'" },
    { DOMAIN_HEAD DOMAIN_OS "<devices><interface type='network'><mac address='52:54:00:00:00:01'/>"
                            "<source network='default'/></interface></devices></domain>",
      "unsupported configuration: interface '52:54:00:00:00:01': interface type 'network' is not supported by "
      "the QEMU driver" },
    { DOMAIN_HEAD DOMAIN_OS "<devices><interface type='bridge'><mac address='52:54:00:00:00:01'/>"
                            "</interface></devices></domain>",
      "unsupported configuration: interface '52:54:00:00:00:01': interface type 'bridge' is not supported by "
      "the QEMU driver" },
    { DOMAIN_HEAD DOMAIN_OS "<devices><interface type='user'><mac address='52:54:00:00:00:01'/>"
                            "<model type='ne2k_pci'/></interface></devices></domain>",
      "unsupported configuration: interface '52:54:00:00:00:01': interface model 'ne2k_pci' is not supported "
      "by the QEMU driver" },
    { DOMAIN_HEAD DOMAIN_OS "<devices><disk type='file'><driver name='qemu' type='qcow2' io='native'/>"
                            "<source file='/a'/><target dev='vda'/></disk></devices></domain>",
      "unsupported configuration: disk 'vda': attribute 'io' of <driver> is not supported by the QEMU "
      "driver" },
    { DOMAIN_HEAD DOMAIN_OS "<devices><disk type='file'><driver name='qemu' type='qcow2' cache='bogus'/>"
                            "<source file='/a'/><target dev='vda'/></disk></devices></domain>",
      "unsupported configuration: disk 'vda': unknown disk cache mode 'bogus'" },
    { DOMAIN_HEAD DOMAIN_OS "<devices><disk type='file'><driver name='qemu' discard='on'/>"
                            "<source file='/a'/><target dev='vda'/></disk></devices></domain>",
      "unsupported configuration: disk 'vda': unknown disk discard mode 'on'" },
    { DOMAIN_HEAD DOMAIN_OS "<devices><disk type='network'><source protocol='nbd' name='x'/>"
                            "<target dev='vda'/></disk></devices></domain>",
      "unsupported configuration: disk 'vda': attribute 'protocol' of <source> is not supported by the QEMU "
      "driver" },
    { DOMAIN_HEAD DOMAIN_OS "<devices><disk type='file'><driver type='bochs'/><source file='/a'/>"
                            "<target dev='vda'/></disk></devices></domain>",
      "unsupported configuration: disk 'vda': disk format 'bochs' is not supported by the QEMU driver" },
    { DOMAIN_HEAD "<os><type machine='q35'>hvm</type></os><devices><disk type='file'><source file='/a'/>"
                  "<target dev='hda' bus='ide'/></disk></devices></domain>",
      "unsupported configuration: disk 'hda': IDE on machine type q35 is not supported by the QEMU driver" },
    { DOMAIN_HEAD DOMAIN_OS "<devices><disk type='file'><source file='/a'/><target dev='vda' bus='usb'/>"
                            "</disk></devices></domain>",
      "unsupported configuration: disk 'vda': a disk on bus 'usb' is not supported by the QEMU driver" },
    { DOMAIN_HEAD DOMAIN_OS "<devices><disk type='file'><source file='/a'/><target dev='vda'/>"
                            "<address type='pci' domain='0x0000' bus='0x01' slot='0x05' function='0x0'/>"
                            "</disk></devices></domain>",
      "unsupported configuration: disk 'vda': PCI address 0000:01 (only the root bus 0000:00 is) is not "
      "supported by the QEMU driver" },
    { DOMAIN_HEAD DOMAIN_OS "<devices><disk type='file'><source file='/a'/><target dev='vda'/>"
                            "<address type='drive' controller='0' bus='0' target='0' unit='0'/>"
                            "</disk></devices></domain>",
      "unsupported configuration: disk 'vda': address type 'drive' is not supported by the QEMU driver" },
    { DOMAIN_HEAD DOMAIN_OS "<devices><disk type='file'><source file='/a'/><target dev='hda' bus='ide'/>"
                            "<address type='drive' controller='0' bus='2' target='0' unit='0'/>"
                            "</disk></devices></domain>",
      "unsupported configuration: disk 'hda': ide drive address bus 2 target 0 unit 0 is not supported by the "
      "QEMU driver" },
    { DOMAIN_HEAD DOMAIN_OS "<devices><disk type='file'><source file='/a'/><target dev='xda'/>"
                            "</disk></devices></domain>",
      "XML error: disk 'xda': target dev 'xda' names no bus, and none is given" },
    { DOMAIN_HEAD DOMAIN_OS "<devices><controller type='ide' index='0'>"
                            "<address type='pci' domain='0x0000' bus='0x00' slot='0x03' function='0x0'/>"
                            "</controller></devices></domain>",
      "unsupported configuration: <controller> is built into the machine at slot 0x1 function 0x1" },
    { DOMAIN_HEAD DOMAIN_OS "<devices><interface type='user'><mac address='52:54:00:00:00:01'/><alias name='ua-x'/>"
                            "</interface></devices></domain>",
      "unsupported configuration: interface '52:54:00:00:00:01': <alias name='ua-x'> is not supported by the QEMU "
      "driver" },
    { DOMAIN_HEAD DOMAIN_OS "<devices><graphics type='vnc' port='-1'/></devices></domain>",
      "unsupported configuration: <graphics type='vnc'> is not supported by the QEMU driver" },
    { DOMAIN_HEAD DOMAIN_OS "<devices><watchdog model='i6300esb' action='reset'/></devices></domain>",
      "unsupported configuration: <watchdog> is not supported by the QEMU driver" },
    { DOMAIN_HEAD DOMAIN_OS "<devices><rng model='virtio'><backend model='egd' type='tcp'/></rng></devices></domain>",
      "unsupported configuration: <rng>: attribute 'type' of <backend> is not supported by the QEMU driver" },
    { DOMAIN_HEAD DOMAIN_OS "<devices><serial type='tcp'><source mode='bind' host='::' service='4555'/>"
                            "<target port='0'/></serial></devices></domain>",
      "unsupported configuration: <serial>: attribute 'mode' of <source> is not supported by the QEMU driver" },
    { DOMAIN_HEAD DOMAIN_OS "<devices><console type='pty'><target type='virtio' port='0'/></console>"
                            "</devices></domain>",
      "unsupported configuration: <console>: console type 'virtio' is not supported by the QEMU driver" },
    { DOMAIN_HEAD DOMAIN_OS "<devices><controller type='virtio-serial' index='0'/></devices></domain>",
      "unsupported configuration: virtio-serial controller is not supported by the QEMU driver" },
    { DOMAIN_HEAD "<os><type>hvm</type><boot dev='hd'/></os><devices><disk type='file'><source file='/a'/>"
                  "<target dev='vda'/><boot order='1'/></disk></devices></domain>",
      "unsupported configuration: per-device boot elements cannot be used together with os/boot elements" },
};

static void test_libvirt_dumpxml_with_addresses(void **state)
{
    check_fixture("dumpxml-addresses");
}

static void test_what_cannot_be_expressed_is_refused_naming_it(void **state)
{
    for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
        struct vb_error err = VB_ERROR_INIT;
        char **argv = build_from_text(refused[i].xml, false, &err);

        if (argv) {
            qemu_argv_free(argv);
            fail_msg("case %zu was accepted: %s", i, refused[i].xml);
        }
        if (!streq(vb_error_message(&err), refused[i].message))
            fail_msg("case %zu: got \"%s\"", i, vb_error_message(&err));
        vb_error_clear(&err);
    }
}

static void test_kvm_when_usable_and_quoting_for_logs(void **state)
{
    struct vb_error err = VB_ERROR_INIT;
    _cleanup_(qemu_argv_freep) char **argv =
        build_from_text("<domain type='kvm'><name>it's</name><memory>131072</memory>"
                        "<os><type>hvm</type><cmdline>console=ttyS0 quiet</cmdline></os>"
                        "<cpu mode='host-passthrough'/></domain>",
                        true, &err);
    _cleanup_free_ char *line = NULL;

    assert_non_null(argv);
    line = qemu_argv_to_string(argv);
    assert_non_null(line);
    assert_non_null(strstr(line, "qemu-system-x86_64 -name 'guest=it'\\''s,debug-threads=on' -S "
                                 "-machine pc,accel=kvm,usb=off -cpu host -m size=131072k"));
    assert_non_null(strstr(line, " -append 'console=ttyS0 quiet'"));
    assert_non_null(strstr(line, " -no-acpi "));
}

/* A revert to a snapshot with memory: qemu starts with -loadvm NAME, after the devices as libvirt's. */
static void test_loadvm_names_the_snapshot_after_the_devices(void **state)
{
    struct vb_error err = VB_ERROR_INIT;
    _cleanup_(vb_domain_def_freep) struct vb_domain_def *def =
        vb_domain_def_parse_string("<domain type='qemu'><name>snap</name><memory>131072</memory>"
                                   "<os><type>hvm</type></os><devices><disk type='file' device='disk'>"
                                   "<driver name='qemu' type='qcow2'/><source file='/d.qcow2'/>"
                                   "<target dev='vda' bus='virtio'/></disk></devices></domain>",
                                   &err);
    const struct qemu_command_options options = { .monitor_path = MONITOR, .loadvm = "before upgrade" };
    _cleanup_(qemu_argv_freep) char **argv = NULL;
    _cleanup_free_ char *line = NULL;

    assert_non_null(def);
    argv = qemu_command_build(def, &options, &err);
    assert_non_null(argv);
    line = qemu_argv_to_string(argv);
    assert_non_null(line);
    assert_non_null(strstr(line, " -loadvm 'before upgrade'"));
    assert_true(strstr(line, "-blockdev") < strstr(line, "-loadvm"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kernel_boot_with_acpi_and_serial_file),
        cmocka_unit_test(test_disks_on_virtio_ide_sata_scsi_with_formats),
        cmocka_unit_test(test_disk_cache_and_discard_modes_as_libvirt),
        cmocka_unit_test(test_q35_user_networking_pty_serial_and_boot_order),
        cmocka_unit_test(test_smp_leaves_out_hotpluggable_vcpus),
        cmocka_unit_test(test_libvirt_dumpxml_with_addresses),
        cmocka_unit_test(test_what_cannot_be_expressed_is_refused_naming_it),
        cmocka_unit_test(test_kvm_when_usable_and_quoting_for_logs),
        cmocka_unit_test(test_loadvm_names_the_snapshot_after_the_devices),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
