/* Unit tests for conf/domain_view.c: plain-tree views of what the domain model keeps as XML
 * (a device's children, kept top-level elements, <os> attributes and children), which leave the
 * definition and its formatted XML unchanged. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "conf/domain_view.h"

#define XML                                                                                                  \
    "<domain type='qemu'>\n"                                                                                 \
    "  <name>v</name>\n"                                                                                     \
    "  <uuid>3f2b8a6e-4c1d-4e5f-9a0b-1c2d3e4f5a6b</uuid>\n"                                                  \
    "  <memory unit='KiB'>131072</memory>\n"                                                                 \
    "  <currentMemory unit='KiB'>131072</currentMemory>\n"                                                   \
    "  <vcpu placement='static'>1</vcpu>\n"                                                                  \
    "  <os firmware='efi'>\n"                                                                                \
    "    <type arch='x86_64' machine='pc'>hvm</type>\n"                                                      \
    "    <loader readonly='yes'>/usr/share/OVMF/OVMF_CODE.fd</loader>\n"                                     \
    "  </os>\n"                                                                                              \
    "  <features>\n"                                                                                         \
    "    <acpi/>\n"                                                                                          \
    "    <apic/>\n"                                                                                          \
    "  </features>\n"                                                                                        \
    "  <clock offset='utc'/>\n"                                                                              \
    "  <devices>\n"                                                                                          \
    "    <disk type='file' device='disk'>\n"                                                                 \
    "      <driver name='qemu' type='qcow2'/>\n"                                                             \
    "      <source file='/a b.qcow2'/>\n"                                                                    \
    "      <target dev='vda' bus='virtio'/>\n"                                                               \
    "    </disk>\n"                                                                                          \
    "  </devices>\n"                                                                                         \
    "</domain>\n"

static void test_views_show_kept_xml_and_change_nothing(void **state)
{
    struct vb_error err = VB_ERROR_INIT;
    _cleanup_(vb_domain_def_freep) struct vb_domain_def *def = vb_domain_def_parse_string(XML, &err);
    _cleanup_(vb_xml_element_freep) struct vb_xml_element *top = NULL, *os = NULL, *disk = NULL;
    _cleanup_free_ char *before = NULL, *after = NULL;
    const struct vb_xml_element *features, *loader;

    assert_non_null(def);
    before = vb_domain_def_format(def, 0, &err);
    top = vb_domain_def_view_unmodelled(def, NULL, &err);
    os = vb_domain_def_view_unmodelled(def, "os", &err);
    disk = vb_device_def_view(def->devices[0], &err);
    assert_non_null(top);
    assert_non_null(os);
    assert_non_null(disk);

    assert_string_equal(top->name, "domain");
    assert_int_equal(top->n_children, 2);
    features = vb_xml_element_child(top, "features");
    assert_non_null(features);
    assert_non_null(vb_xml_element_child(features, "acpi"));
    assert_null(vb_xml_element_child(features, "pae"));
    assert_string_equal(vb_xml_element_attr(vb_xml_element_child(top, "clock"), "offset"), "utc");

    assert_string_equal(vb_xml_element_attr(os, "firmware"), "efi");
    loader = vb_xml_element_child(os, "loader");
    assert_non_null(loader);
    assert_string_equal(loader->text, "/usr/share/OVMF/OVMF_CODE.fd");
    assert_string_equal(vb_xml_element_attr(loader, "readonly"), "yes");

    assert_string_equal(disk->name, "disk");
    assert_null(disk->text);
    assert_string_equal(vb_xml_element_attr(vb_xml_element_child(disk, "driver"), "type"), "qcow2");
    assert_string_equal(vb_xml_element_attr(vb_xml_element_child(disk, "source"), "file"), "/a b.qcow2");
    assert_null(vb_xml_element_attr(disk, "missing"));

    after = vb_domain_def_format(def, 0, &err);
    assert_non_null(after);
    assert_string_equal(before, after);
}

static void test_a_definition_with_nothing_kept_has_empty_views(void **state)
{
    struct vb_error err = VB_ERROR_INIT;
    _cleanup_(vb_domain_def_freep) struct vb_domain_def *def =
        vb_domain_def_parse_string("<domain type='qemu'><name>e</name><memory>1024</memory>"
                                   "<os><type>hvm</type></os></domain>", &err);
    _cleanup_(vb_xml_element_freep) struct vb_xml_element *top = NULL, *os = NULL;

    assert_non_null(def);
    top = vb_domain_def_view_unmodelled(def, NULL, &err);
    os = vb_domain_def_view_unmodelled(def, "os", &err);
    assert_non_null(top);
    assert_non_null(os);
    assert_int_equal(top->n_children, 0);
    assert_int_equal(os->n_children, 0);
    assert_null(os->attrs[0]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_views_show_kept_xml_and_change_nothing),
        cmocka_unit_test(test_a_definition_with_nothing_kept_has_empty_views),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
