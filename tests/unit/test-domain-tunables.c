/* Unit tests for the tunables kept in the domain XML: node sets, <numatune>, <blkiotune>,
 * <perf>, an interface's <bandwidth> and a disk's <iotune>. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/domain_iothreads.h"
#include "conf/domain_tunables.h"
#include "conf/xml_util.h"

static const char *const domain_xml =
    "<domain type='test'><name>t</name><memory>1024</memory><os><type>hvm</type></os><devices>"
    "<disk type='file' device='disk'><source file='/d.img'/><target dev='vda' bus='virtio'/>"
    "<address type='pci' domain='0x0000' bus='0x00' slot='0x03' function='0x0'/></disk>"
    "<interface type='network'><mac address='aa:bb:cc:dd:ee:ff'/><source network='default'/></interface>"
    "</devices></domain>";

static struct vb_domain_def *parse(void)
{
    struct vb_error err = VB_ERROR_INIT;
    struct vb_domain_def *def = vb_domain_def_parse_string(domain_xml, &err);

    assert_non_null(def);
    return def;
}

static char *format(const struct vb_domain_def *def)
{
    struct vb_error err = VB_ERROR_INIT;
    char *xml = vb_domain_def_format(def, 0, &err);

    assert_non_null(xml);
    return xml;
}

static void assert_nodeset(const char *text, const char *canonical)
{
    struct vb_error err = VB_ERROR_INIT;
    char *out;

    assert_int_equal(vb_nodeset_canonical(text, &out, &err), 0);
    assert_string_equal(out, canonical);
    free(out);
}

static void assert_nodeset_refused(const char *text)
{
    struct vb_error err = VB_ERROR_INIT;
    char *out = NULL;

    assert_int_equal(vb_nodeset_canonical(text, &out, &err), -1);
    assert_null(out);
    assert_non_null(strstr(vb_error_message(&err), "Failed to parse bitmap"));
    vb_error_clear(&err);
}

static void test_nodesets_are_canonical_as_libvirt(void **state)
{
    (void) state;
    assert_nodeset("0-3,^2, 5", "0-1,3,5");
    assert_nodeset("7,6,5", "5-7");
    assert_nodeset("0,^0", "");
    assert_nodeset("1,", "1");
    assert_nodeset("65535", "65535");
    assert_nodeset_refused("");
    assert_nodeset_refused("abc");
    assert_nodeset_refused("1-0");
    assert_nodeset_refused("^1-2");
    assert_nodeset_refused("65536");
    assert_nodeset_refused("99999999999999999999999");
    assert_nodeset_refused("1;2");
}

static void test_numatune_round_trips_through_the_xml(void **state)
{
    struct vb_domain_def *def = parse();
    struct vb_error err = VB_ERROR_INIT;
    struct vb_numatune nt = { VB_NUMATUNE_MEM_INTERLEAVE, (char *) "0-1" }, back;
    char *xml;

    (void) state;
    assert_int_equal(vb_domain_def_get_numatune(def, &back, &err), 0);
    assert_int_equal(back.mode, -1);
    assert_null(back.nodeset);
    assert_int_equal(vb_domain_def_set_numatune(def, &nt, &err), 0);
    xml = format(def);
    assert_non_null(strstr(xml, "  <numatune>\n    <memory mode='interleave' nodeset='0-1'/>\n  </numatune>\n"));
    free(xml);
    assert_int_equal(vb_domain_def_get_numatune(def, &back, &err), 0);
    assert_int_equal(back.mode, VB_NUMATUNE_MEM_INTERLEAVE);
    assert_string_equal(back.nodeset, "0-1");
    free(back.nodeset);
    vb_domain_def_free(def);
}

static void test_blkio_devices_parse_merge_and_format(void **state)
{
    struct vb_domain_def *def = parse();
    struct vb_error err = VB_ERROR_INIT;
    struct vb_typed_params params = VB_TYPED_PARAMS_INIT;
    char *xml;

    (void) state;
    assert_int_equal(vb_domain_def_set_blkio_weight(def, 500, &err), 0);
    assert_int_equal(vb_domain_def_merge_blkio_devices(def, VB_BLKIO_DEVICE_WEIGHT, "/dev/sda,10,/dev/sdb,20", &err), 0);
    assert_int_equal(vb_domain_def_merge_blkio_devices(def, VB_BLKIO_DEVICE_WEIGHT, "/dev/sdb,0,/dev/sdc,0", &err), 0);
    assert_int_equal(vb_domain_def_merge_blkio_devices(def, VB_BLKIO_DEVICE_READ_BPS, "/dev/sda,99", &err), 0);
    assert_int_equal(vb_domain_def_merge_blkio_devices(def, VB_BLKIO_DEVICE_READ_IOPS, "/dev/sda", &err), -1);
    assert_string_equal(vb_error_message(&err),
                        "invalid argument: unable to parse blkio device 'device_read_iops_sec' '/dev/sda'");
    vb_error_clear(&err);
    xml = format(def);
    assert_non_null(strstr(xml, "  <blkiotune>\n    <weight>500</weight>\n    <device>\n      <path>/dev/sda</path>\n"
                                "      <weight>10</weight>\n      <read_bytes_sec>99</read_bytes_sec>\n"
                                "    </device>\n  </blkiotune>\n"));
    free(xml);
    assert_int_equal(vb_domain_def_add_blkio_devices(def, &params, &err), 0);
    assert_int_equal(params.n, 5);
    assert_string_equal(vb_typed_params_find(&params, VB_BLKIO_DEVICE_WEIGHT)->value.s, "/dev/sda,10");
    assert_string_equal(vb_typed_params_find(&params, VB_BLKIO_DEVICE_READ_BPS)->value.s, "/dev/sda,99");
    vb_typed_params_clear(&params);
    vb_domain_def_free(def);
}

/* libvirt's virDomainDriverMergeBlkioDevice, verbatim in spirit: a linear search per entry.
 * Devices with no value left are dropped, as formatting <blkiotune> drops them. */
#define MODEL_MAX 64

struct model_device {
    char path[16];
    unsigned long long values[5];
};

struct model {
    struct model_device devices[MODEL_MAX];
    size_t n;
};

static const char *const model_fields[5] = {
    VB_BLKIO_DEVICE_WEIGHT, VB_BLKIO_DEVICE_READ_IOPS, VB_BLKIO_DEVICE_WRITE_IOPS,
    VB_BLKIO_DEVICE_READ_BPS, VB_BLKIO_DEVICE_WRITE_BPS,
};

static void model_merge(struct model *m, int field, char paths[][16], const unsigned long long *values, size_t n)
{
    size_t kept = 0;

    for (size_t i = 0; i < n; i++) {
        size_t j;

        for (j = 0; j < m->n && strcmp(m->devices[j].path, paths[i]) != 0; j++)
            ;
        if (j < m->n) {
            m->devices[j].values[field] = values[i];
            continue;
        }
        if (!values[i])
            continue;
        assert_true(m->n < MODEL_MAX);
        memset(&m->devices[m->n], 0, sizeof(m->devices[m->n]));
        strcpy(m->devices[m->n].path, paths[i]);
        m->devices[m->n++].values[field] = values[i];
    }
    for (size_t j = 0; j < m->n; j++) {
        bool any = false;

        for (int f = 0; f < 5; f++)
            any = any || m->devices[j].values[f];
        if (any)
            m->devices[kept++] = m->devices[j];
    }
    m->n = kept;
}

static void assert_matches_model(const struct vb_domain_def *def, const struct model *m)
{
    struct vb_typed_params params = VB_TYPED_PARAMS_INIT;
    struct vb_error err = VB_ERROR_INIT;

    assert_int_equal(vb_domain_def_add_blkio_devices(def, &params, &err), 0);
    for (int f = 0; f < 5; f++) {
        char expected[MODEL_MAX * 40] = "";

        for (size_t j = 0; j < m->n; j++)
            if (m->devices[j].values[f])
                snprintf(expected + strlen(expected), sizeof(expected) - strlen(expected), "%s%s,%llu",
                         expected[0] ? "," : "", m->devices[j].path, m->devices[j].values[f]);
        assert_string_equal(vb_typed_params_find(&params, model_fields[f])->value.s, expected);
    }
    vb_typed_params_clear(&params);
}

/* Random merges, repeated paths and zero values included, give what libvirt's algorithm gives. */
static void test_blkio_merge_matches_libvirts_algorithm(void **state)
{
    struct vb_error err = VB_ERROR_INIT;

    (void) state;
    srand(12345);
    for (int round = 0; round < 200; round++) {
        struct vb_domain_def *def = parse();
        struct model m = { .n = 0 };

        for (int call = 0; call < 6; call++) {
            char paths[8][16], text[8 * 32] = "";
            unsigned long long values[8];
            size_t n = (size_t) (rand() % 8) + 1;
            int field = rand() % 5;

            for (size_t i = 0; i < n; i++) {
                snprintf(paths[i], sizeof(paths[i]), "/dev/sd%c", 'a' + rand() % 5);
                values[i] = (unsigned long long) (rand() % 4);
                snprintf(text + strlen(text), sizeof(text) - strlen(text), "%s%s,%llu", i ? "," : "", paths[i],
                         values[i]);
            }
            if (vb_domain_def_merge_blkio_devices(def, model_fields[field], text, &err) < 0)
                fail_msg("merge '%s': %s", text, vb_error_message(&err));
            model_merge(&m, field, paths, values, n);
            assert_matches_model(def, &m);
        }
        vb_domain_def_free(def);
    }
}

static char *device_list(size_t n, size_t distinct, size_t offset)
{
    struct vb_buf buf = { 0 };
    struct vb_error err = VB_ERROR_INIT;
    char *text;

    for (size_t i = 0; i < n; i++)
        vb_buf_addf(&buf, "%s/dev/disk/by-id/d%zu,%zu", i ? "," : "", offset + i % distinct, i + 1);
    text = vb_buf_steal(&buf, &err);
    assert_non_null(text);
    return text;
}

/* One call carries at most VB_BLKIO_DEVICES_MAX entries, and merging may not grow the list
 * beyond it; at the bound everything is merged. */
static void test_blkio_device_lists_are_bounded(void **state)
{
    struct vb_domain_def *def = parse();
    struct vb_typed_params params = VB_TYPED_PARAMS_INIT;
    struct vb_error err = VB_ERROR_INIT;
    char *text;

    (void) state;
    text = device_list(VB_BLKIO_DEVICES_MAX + 1, 1, 0);
    assert_int_equal(vb_domain_def_merge_blkio_devices(def, VB_BLKIO_DEVICE_WEIGHT, text, &err), -1);
    assert_string_equal(vb_error_message(&err),
                        "invalid argument: blkio parameter 'device_weight' lists more than 4096 devices");
    vb_error_clear(&err);
    free(text);

    text = device_list(VB_BLKIO_DEVICES_MAX, VB_BLKIO_DEVICES_MAX, 0);
    assert_int_equal(vb_domain_def_merge_blkio_devices(def, VB_BLKIO_DEVICE_READ_IOPS, text, &err), 0);
    free(text);
    assert_int_equal(vb_domain_def_add_blkio_devices(def, &params, &err), 0);
    text = vb_typed_params_find(&params, VB_BLKIO_DEVICE_READ_IOPS)->value.s;
    assert_true(strncmp(text, "/dev/disk/by-id/d0,1,/dev/disk/by-id/d1,2,", 42) == 0);
    assert_non_null(strstr(text, ",/dev/disk/by-id/d4095,4096"));
    vb_typed_params_clear(&params);

    /* The same devices again change values, not the count; one more device is refused. */
    text = device_list(VB_BLKIO_DEVICES_MAX, VB_BLKIO_DEVICES_MAX, 0);
    assert_int_equal(vb_domain_def_merge_blkio_devices(def, VB_BLKIO_DEVICE_WRITE_IOPS, text, &err), 0);
    free(text);
    text = device_list(1, 1, VB_BLKIO_DEVICES_MAX);
    assert_int_equal(vb_domain_def_merge_blkio_devices(def, VB_BLKIO_DEVICE_WEIGHT, text, &err), -1);
    assert_string_equal(vb_error_message(&err), "invalid argument: blkio parameter 'device_weight' would make "
                                                "<blkiotune> list more than 4096 devices");
    vb_error_clear(&err);
    free(text);
    vb_domain_def_free(def);
}

static void test_perf_events_format_in_libvirts_order(void **state)
{
    struct vb_domain_def *def = parse();
    struct vb_error err = VB_ERROR_INIT;
    unsigned char states[VB_PERF_EVENT_LAST] = { 0 }, back[VB_PERF_EVENT_LAST];
    char *xml;

    (void) state;
    states[3] = 2;
    states[0] = 1;
    assert_int_equal(vb_domain_def_set_perf(def, states, &err), 0);
    xml = format(def);
    assert_non_null(strstr(xml, "  <perf>\n    <event name='cmt' enabled='yes'/>\n"
                                "    <event name='cpu_cycles' enabled='no'/>\n  </perf>\n  <devices>"));
    free(xml);
    assert_int_equal(vb_domain_def_get_perf(def, back, &err), 0);
    assert_memory_equal(states, back, sizeof(states));
    vb_domain_def_free(def);
}

/* Field by field: a struct's padding bytes are never initialized, so comparing whole structs
 * reads indeterminate memory and fails at random. */
static void assert_rate_equal(const struct vb_bandwidth_rate *a, const struct vb_bandwidth_rate *b)
{
    assert_int_equal(a->present, b->present);
    assert_int_equal(a->average, b->average);
    assert_int_equal(a->peak, b->peak);
    assert_int_equal(a->burst, b->burst);
    assert_int_equal(a->floor, b->floor);
}

static void test_device_tunables_go_before_the_address(void **state)
{
    struct vb_domain_def *def = parse();
    struct vb_error err = VB_ERROR_INIT;
    struct vb_bandwidth_rate in = { true, 100, 0, 5, 10 }, out = { 0 }, in_back, out_back;
    struct vb_iotune iotune = { .values = { [0] = 7 }, .group_name = (char *) "g" }, io_back;
    char *xml;

    (void) state;
    assert_int_equal(vb_device_def_set_bandwidth(def->devices[1], &in, &out, &err), 0);
    assert_int_equal(vb_device_def_set_iotune(def->devices[0], &iotune, &err), 0);
    xml = format(def);
    assert_non_null(strstr(xml, "      <iotune>\n        <total_bytes_sec>7</total_bytes_sec>\n"
                                "        <group_name>g</group_name>\n      </iotune>\n      <address"));
    assert_non_null(strstr(xml, "      <bandwidth>\n        <inbound average='100' floor='10' burst='5'/>\n"
                                "      </bandwidth>\n"));
    free(xml);
    assert_int_equal(vb_device_def_get_bandwidth(def->devices[1], &in_back, &out_back, &err), 0);
    assert_rate_equal(&in, &in_back);
    assert_false(out_back.present);
    assert_int_equal(vb_device_def_get_iotune(def->devices[0], &io_back, &err), 0);
    assert_int_equal(io_back.values[0], 7);
    assert_string_equal(io_back.group_name, "g");
    free(io_back.group_name);
    /* Nothing set removes the elements again. */
    in.present = false;
    iotune = (struct vb_iotune){ 0 };
    assert_int_equal(vb_device_def_set_bandwidth(def->devices[1], &in, &out, &err), 0);
    assert_int_equal(vb_device_def_set_iotune(def->devices[0], &iotune, &err), 0);
    xml = format(def);
    assert_null(strstr(xml, "bandwidth"));
    assert_null(strstr(xml, "iotune"));
    free(xml);
    vb_domain_def_free(def);
}

static void assert_cpuset(const char *text, unsigned int ncpus, const char *expected)
{
    bool map[16];
    char *formatted;

    assert_true(ncpus <= 16);
    assert_int_equal(vb_cpuset_parse(text, map, ncpus), 0);
    formatted = vb_cpuset_format(map, ncpus);
    assert_string_equal(formatted, expected);
    free(formatted);
}

/* Sets and clears apply in order, the later winning, whatever order they are applied in. */
static void test_cpusets_apply_in_order(void **state)
{
    bool map[8];

    (void) state;
    assert_cpuset("0-3,^2,5", 8, "0-1,3,5");
    assert_cpuset("^2,0-3", 8, "0-3");
    assert_cpuset("0-3,^2,2", 8, "0-3");
    assert_cpuset("6-100,1", 8, "1,6-7");
    assert_cpuset("9-12", 8, "");
    assert_cpuset("", 8, "");
    assert_int_equal(vb_cpuset_parse("1,,2", map, 8), -1);
    assert_int_equal(vb_cpuset_parse("3-1", map, 8), -1);
    assert_int_equal(vb_cpuset_parse("^1-2", map, 8), -1);
    assert_int_equal(vb_cpuset_parse("65536", map, 8), -1);
    assert_nodeset("0-3,^1,1-2,^3", "0-2");
}

/* A set naming the whole range a hundred thousand times is one range. */
static void test_repeated_ranges_make_one_set(void **state)
{
    struct vb_buf buf = { 0 };
    struct vb_error err = VB_ERROR_INIT;
    char *text;

    (void) state;
    for (int i = 0; i < 100000; i++)
        vb_buf_add(&buf, "0-65535,^7,");
    vb_buf_add(&buf, "7");
    text = vb_buf_steal(&buf, &err);
    assert_non_null(text);
    assert_nodeset(text, "0-65535");
    free(text);
}

/* A domain at the I/O thread limit: every thread read, ids filled as libvirt fills them, and
 * pins found by id. */
static void test_iothreads_at_the_limit_are_read_whole(void **state)
{
    struct vb_buf buf = { 0 };
    struct vb_error err = VB_ERROR_INIT;
    struct vb_iothreads threads;
    struct vb_domain_def *def;
    bool seen[VB_DOMAIN_IOTHREADS_MAX + 1] = { false };
    char *xml;

    (void) state;
    vb_buf_addf(&buf, "<domain type='test'><name>t</name><memory>1024</memory><iothreads>%d</iothreads>"
                      "<iothreadids><iothread id='4096'/><iothread id='7'/><iothread id='1'/></iothreadids>"
                      "<cputune><iothreadpin iothread='4096' cpuset='^1,0-3'/>"
                      "<iothreadpin iothread='7' cpuset='0-3,^1'/></cputune>"
                      "<os><type>hvm</type></os></domain>",
                VB_DOMAIN_IOTHREADS_MAX);
    xml = vb_buf_steal(&buf, &err);
    def = vb_domain_def_parse_string(xml, &err);
    assert_non_null(def);
    assert_int_equal(vb_domain_def_get_iothreads(def, 8, &threads, &err), 0);
    assert_int_equal(threads.n, VB_DOMAIN_IOTHREADS_MAX);
    assert_int_equal(threads.items[0].id, 4096);
    assert_int_equal(threads.items[1].id, 7);
    assert_int_equal(threads.items[2].id, 1);
    assert_int_equal(threads.items[3].id, 2);
    assert_int_equal(threads.items[8].id, 8); /* 2..6, then 7 is taken */
    assert_int_equal(threads.items[threads.n - 1].id, 4095);
    for (size_t i = 0; i < threads.n; i++) {
        assert_in_range(threads.items[i].id, 1, VB_DOMAIN_IOTHREADS_MAX);
        assert_false(seen[threads.items[i].id]);
        seen[threads.items[i].id] = true;
    }
    assert_non_null(threads.items[0].cpumap);
    assert_true(threads.items[0].cpumap[1] && threads.items[0].cpumap[3] && !threads.items[0].cpumap[4]);
    assert_non_null(threads.items[1].cpumap);
    assert_false(threads.items[1].cpumap[1]);
    assert_true(threads.items[1].cpumap[0] && threads.items[1].cpumap[2]);
    assert_null(threads.items[2].cpumap);
    vb_iothreads_clear(&threads);
    vb_domain_def_free(def);
    free(xml);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nodesets_are_canonical_as_libvirt),
        cmocka_unit_test(test_numatune_round_trips_through_the_xml),
        cmocka_unit_test(test_blkio_devices_parse_merge_and_format),
        cmocka_unit_test(test_blkio_merge_matches_libvirts_algorithm),
        cmocka_unit_test(test_blkio_device_lists_are_bounded),
        cmocka_unit_test(test_perf_events_format_in_libvirts_order),
        cmocka_unit_test(test_device_tunables_go_before_the_address),
        cmocka_unit_test(test_cpusets_apply_in_order),
        cmocka_unit_test(test_repeated_ranges_make_one_set),
        cmocka_unit_test(test_iothreads_at_the_limit_are_read_whole),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
