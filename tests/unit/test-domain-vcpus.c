/* Unit tests for <vcpus> in the domain model: libvirt's reading, checks and words, its output,
 * and the count changes that keep it consistent. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "conf/domain_def.h"
#include "tests/unit/domain_xml.h"

#define HEAD "<domain type='kvm'><name>t</name><memory unit='KiB'>1024</memory>"
#define TAIL "<os><type>hvm</type></os></domain>"

static void expect_error(const char *xml, enum vb_error_code code, const char *message)
{
    struct vb_error err = VB_ERROR_INIT;

    assert_null(vb_domain_def_parse_string(xml, &err));
    assert_int_equal(err.code, code);
    assert_string_equal(vb_error_message(&err), message);
    vb_error_clear(&err);
}

static void assert_contains(const char *text, const char *part)
{
    if (!strstr(text, part))
        fail_msg("\"%s\" not in:\n%s", part, text);
}

static void test_vcpus_round_trip_and_win_over_current(void **state)
{
    /* current='3' loses to the states, as in libvirt; vCPUs not listed are disabled, and
     * hotpluggable is resolved (absent: no when enabled, yes when not). */
    struct vb_domain_def *def = parse_ok(HEAD "<vcpu current='3'>4</vcpu><vcpus>"
                                         "<vcpu id='0' enabled='yes' order='1'/>"
                                         "<vcpu id='1' enabled='yes' hotpluggable='yes' order='2'/>"
                                         "</vcpus>" TAIL);
    char *out = format_ok(def, VB_DOMAIN_XML_INACTIVE), *again_out;
    struct vb_domain_def *again;

    assert_int_equal(def->vcpus_current, 2);
    assert_non_null(def->vcpus);
    assert_contains(out, "  <vcpu placement='static' current='2'>4</vcpu>\n"
                         "  <vcpus>\n"
                         "    <vcpu id='0' enabled='yes' hotpluggable='no' order='1'/>\n"
                         "    <vcpu id='1' enabled='yes' hotpluggable='yes' order='2'/>\n"
                         "    <vcpu id='2' enabled='no' hotpluggable='yes'/>\n"
                         "    <vcpu id='3' enabled='no' hotpluggable='yes'/>\n"
                         "  </vcpus>\n");
    again = parse_ok(out);
    again_out = format_ok(again, VB_DOMAIN_XML_INACTIVE);
    assert_string_equal(out, again_out);
    free(again_out);
    vb_domain_def_free(again);

    /* A copy keeps them. */
    again = vb_domain_def_copy(def, NULL);
    assert_non_null(again);
    again_out = format_ok(again, VB_DOMAIN_XML_INACTIVE);
    assert_string_equal(out, again_out);
    free(again_out);
    vb_domain_def_free(again);
    free(out);
    vb_domain_def_free(def);
}

static void test_no_vcpus_element_is_not_printed(void **state)
{
    struct vb_domain_def *def = parse_ok(HEAD "<vcpu current='2'>4</vcpu><vcpus/>" TAIL);
    char *out = format_ok(def, 0);
    struct vb_vcpu_def vcpu1 = vb_domain_def_get_vcpu(def, 1), vcpu2 = vb_domain_def_get_vcpu(def, 2);

    assert_null(def->vcpus);
    assert_null(strstr(out, "<vcpus"));
    assert_true(vcpu1.enabled && !vcpu1.hotpluggable);
    assert_true(!vcpu2.enabled && vcpu2.hotpluggable);
    free(out);
    vb_domain_def_free(def);
}

static void test_bad_vcpus_use_libvirt_words(void **state)
{
    expect_error(HEAD "<vcpu>2</vcpu><vcpus><vcpu enabled='yes'/></vcpus>" TAIL, VB_ERR_XML_ERROR,
                 "XML error: Missing required attribute 'id' in element 'vcpu'");
    expect_error(HEAD "<vcpu>2</vcpu><vcpus><vcpu id='x' enabled='yes'/></vcpus>" TAIL, VB_ERR_XML_ERROR,
                 "XML error: Invalid value for attribute 'id' in element 'vcpu': 'x'. Expected non-negative "
                 "integer value");
    expect_error(HEAD "<vcpu>2</vcpu><vcpus><vcpu id='2' enabled='yes'/></vcpus>" TAIL, VB_ERR_XML_ERROR,
                 "XML error: vcpu id '2' is out of range of maximum vcpu count");
    expect_error(HEAD "<vcpu>2</vcpu><vcpus><vcpu id='0'/></vcpus>" TAIL, VB_ERR_XML_ERROR,
                 "XML error: Missing required attribute 'enabled' in element 'vcpu'");
    expect_error(HEAD "<vcpu>2</vcpu><vcpus><vcpu id='0' enabled='maybe'/></vcpus>" TAIL, VB_ERR_XML_ERROR,
                 "XML error: Invalid value for attribute 'enabled' in element 'vcpu': 'maybe'.");
    expect_error(HEAD "<vcpu>2</vcpu><vcpus><vcpu id='0' enabled='yes'/>"
                 "<vcpu id='1' enabled='no' hotpluggable='no'/></vcpus>" TAIL, VB_ERR_CONFIG_UNSUPPORTED,
                 "unsupported configuration: vcpu '1' is both offline and not hotpluggable");
    expect_error(HEAD "<vcpu>2</vcpu><vcpus><vcpu id='0' enabled='no'/></vcpus>" TAIL, VB_ERR_CONFIG_UNSUPPORTED,
                 "unsupported configuration: Domain requires at least 1 vCPU");
    expect_error(HEAD "<vcpus><vcpu id='0' enabled='no'/></vcpus>" TAIL, VB_ERR_CONFIG_UNSUPPORTED,
                 "unsupported configuration: Domain requires at least 1 vCPU");
    /* <vcpus> before <vcpu> is read against <vcpu>'s maximum all the same. */
    expect_error(HEAD "<vcpus><vcpu id='3' enabled='yes'/></vcpus><vcpu>2</vcpu>" TAIL, VB_ERR_XML_ERROR,
                 "XML error: vcpu id '3' is out of range of maximum vcpu count");
}

static void test_count_changes_keep_vcpus_consistent(void **state)
{
    struct vb_domain_def *def = parse_ok(HEAD "<vcpu>4</vcpu><vcpus>"
                                         "<vcpu id='0' enabled='yes' order='1'/>"
                                         "<vcpu id='1' enabled='yes' hotpluggable='yes' order='2'/>"
                                         "</vcpus>" TAIL);
    struct vb_vcpu_def vcpu;
    char *out;

    /* Raising: the next disabled vCPU, hotpluggable since a hotpluggable one comes before it;
     * orders cleared (libvirt's qemuDomainSetVcpusConfig). */
    vb_domain_def_set_vcpus_config(def, 3);
    assert_int_equal(def->vcpus_current, 3);
    vcpu = vb_domain_def_get_vcpu(def, 2);
    assert_true(vcpu.enabled && vcpu.hotpluggable && vcpu.order == 0);
    assert_int_equal(vb_domain_def_get_vcpu(def, 0).order, 0);
    /* Lowering: the highest enabled ones. */
    vb_domain_def_set_vcpus_config(def, 1);
    assert_int_equal(def->vcpus_current, 1);
    assert_false(vb_domain_def_get_vcpu(def, 1).enabled);
    assert_true(vb_domain_def_get_vcpu(def, 0).enabled);
    /* The maximum: new vCPUs disabled and hotpluggable. */
    assert_int_equal(vb_domain_def_set_vcpus_max(def, 6, NULL), 0);
    out = format_ok(def, 0);
    assert_contains(out, "<vcpu placement='static' current='1'>6</vcpu>");
    assert_contains(out, "    <vcpu id='5' enabled='no' hotpluggable='yes'/>\n  </vcpus>\n");
    free(out);
    assert_int_equal(vb_domain_def_set_vcpus_max(def, 2, NULL), 0);
    out = format_ok(def, 0);
    assert_contains(out, "<vcpu id='1' enabled='no' hotpluggable='yes'/>\n  </vcpus>\n");
    free(out);
    /* One vCPU's state: the live change after a hot-plug. */
    assert_int_equal(vb_domain_def_set_vcpu(def, 1, (struct vb_vcpu_def){ true, true, 2 }, NULL), 0);
    assert_int_equal(def->vcpus_current, 2);
    vb_domain_def_free(def);

    /* Without <vcpus> the counts alone change, and nothing is printed per vCPU. */
    def = parse_ok(HEAD "<vcpu current='1'>4</vcpu>" TAIL);
    vb_domain_def_set_vcpus_config(def, 3);
    assert_int_equal(def->vcpus_current, 3);
    assert_null(def->vcpus);
    assert_int_equal(vb_domain_def_make_individual_vcpus(def, NULL), 0);
    out = format_ok(def, 0);
    assert_contains(out, "<vcpu id='2' enabled='yes' hotpluggable='no'/>\n    <vcpu id='3' enabled='no' "
                         "hotpluggable='yes'/>");
    free(out);
    vb_domain_def_free(def);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vcpus_round_trip_and_win_over_current),
        cmocka_unit_test(test_no_vcpus_element_is_not_printed),
        cmocka_unit_test(test_bad_vcpus_use_libvirt_words),
        cmocka_unit_test(test_count_changes_keep_vcpus_consistent),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
