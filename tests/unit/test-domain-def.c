/* Unit tests for the domain XML model: parse, format, round trip, errors, devices, metadata. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/domain_def.h"
#include "conf/xml_util.h"
#include "tests/unit/domain_xml.h"

static char *read_fixture(const char *name)
{
    char path[4096];
    FILE *f;
    long size;
    char *text;

    snprintf(path, sizeof(path), "%s/domain/%s", FIXTURES_DIR, name);
    f = fopen(path, "r");
    assert_non_null(f);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    size = ftell(f);
    assert_true(size >= 0);
    rewind(f);
    text = malloc((size_t) size + 1);
    assert_non_null(text);
    assert_int_equal(fread(text, 1, (size_t) size, f), (size_t) size);
    text[size] = '\0';
    fclose(f);
    return text;
}

/* A message starting with `prefix`. strncmp stops at the end of a shorter message, where
 * comparing strlen(prefix) bytes of memory would read past it. */
static void assert_string_prefix(const char *text, const char *prefix)
{
    if (strncmp(text, prefix, strlen(prefix)) != 0)
        fail_msg("\"%s\" does not start with \"%s\"", text, prefix);
}

/* Parsing `xml` fails with `code` and exactly `message` (or a message starting with it). */
static void expect_parse_error(const char *xml, enum vb_error_code code, const char *message,
                               bool prefix_only)
{
    struct vb_error err = VB_ERROR_INIT;

    assert_null(vb_domain_def_parse_string(xml, &err));
    assert_int_equal(err.code, code);
    assert_non_null(err.message);
    if (prefix_only)
        assert_string_prefix(err.message, message);
    else
        assert_string_equal(err.message, message);
    vb_error_clear(&err);
}

static void expect_fixture_error(const char *name, enum vb_error_code code, const char *message,
                                 bool prefix_only)
{
    char *xml = read_fixture(name);

    expect_parse_error(xml, code, message, prefix_only);
    free(xml);
}

#define MINIMAL_HEAD "<domain type='test'><name>t</name><memory unit='KiB'>1024</memory>"
#define MINIMAL_OS "<os><type>hvm</type></os>"
#define MINIMAL MINIMAL_HEAD MINIMAL_OS "</domain>"

static void test_canonical_fixtures_round_trip_byte_identically(void **state)
{
    static const char *const fixtures[] = {
        "canonical-full.xml", "canonical-minimal.xml", "canonical-kernel-boot.xml",
    };

    for (size_t i = 0; i < sizeof(fixtures) / sizeof(fixtures[0]); i++) {
        char *xml = read_fixture(fixtures[i]);
        struct vb_domain_def *def = parse_ok(xml);
        char *out = format_ok(def, VB_DOMAIN_XML_SECURE);

        assert_string_equal(out, xml);
        free(out);
        vb_domain_def_free(def);
        free(xml);
    }
}

static void test_full_fixture_fields_are_modelled(void **state)
{
    char *xml = read_fixture("canonical-full.xml");
    struct vb_domain_def *def = parse_ok(xml);
    char uuid[VB_UUID_STRING_LEN];

    assert_string_equal(def->virt_type, "kvm");
    assert_int_equal(def->id, 7);
    assert_string_equal(def->name, "webserver");
    vb_uuid_format(def->uuid, uuid);
    assert_string_equal(uuid, "4dea22b3-1d52-d8f3-2516-782e98ab3fa0");
    assert_string_equal(def->title, "Web server");
    assert_string_equal(def->description, "Front end for the shop & the blog, 'prod'");
    assert_int_equal(def->max_memory_kib, 2097152);
    assert_int_equal(def->current_memory_kib, 1048576);
    assert_int_equal(def->vcpus_max, 4);
    assert_int_equal(def->vcpus_current, 2);
    assert_string_equal(def->os_type, "hvm");
    assert_string_equal(def->os_arch, "x86_64");
    assert_string_equal(def->os_machine, "pc-q35-7.2");
    assert_string_equal(def->boot_devices[0], "hd");
    assert_string_equal(def->boot_devices[1], "cdrom");
    assert_null(def->boot_devices[2]);
    assert_int_equal(def->on_poweroff, VB_LIFECYCLE_DESTROY);
    assert_int_equal(def->on_reboot, VB_LIFECYCLE_RESTART);
    assert_int_equal(def->on_crash, VB_LIFECYCLE_COREDUMP_RESTART);
    assert_int_equal(def->n_devices, 22);

    assert_int_equal(def->devices[0]->kind, VB_DEVICE_OTHER);
    assert_string_equal(def->devices[0]->element, "emulator");
    assert_int_equal(def->devices[1]->kind, VB_DEVICE_DISK);
    assert_string_equal(def->devices[1]->disk_device, "disk");
    assert_string_equal(def->devices[1]->source, "/var/lib/libvirt/images/webserver.qcow2");
    assert_string_equal(def->devices[1]->target_dev, "vda");
    assert_string_equal(def->devices[1]->target_bus, "virtio");
    assert_string_equal(def->devices[2]->source, "/dev/vg0/data");
    assert_string_equal(def->devices[3]->disk_device, "cdrom");
    assert_int_equal(def->devices[4]->kind, VB_DEVICE_CONTROLLER);
    assert_int_equal(def->devices[4]->index, 0);
    assert_string_equal(def->devices[4]->model, "qemu-xhci");
    assert_int_equal(def->devices[7]->kind, VB_DEVICE_INTERFACE);
    assert_string_equal(def->devices[7]->mac, "52:54:00:6b:3c:58");
    assert_string_equal(def->devices[7]->source, "default");
    assert_string_equal(def->devices[7]->model, "virtio");
    assert_string_equal(def->devices[8]->source, "br0");
    assert_string_equal(def->devices[8]->target_dev, "vnet3");
    assert_int_equal(def->devices[10]->kind, VB_DEVICE_SERIAL);
    assert_int_equal(def->devices[10]->port, 0);
    assert_string_equal(def->devices[10]->source, "/dev/pts/4");
    assert_int_equal(def->devices[11]->kind, VB_DEVICE_CONSOLE);
    assert_int_equal(def->devices[16]->kind, VB_DEVICE_GRAPHICS);
    assert_string_equal(def->devices[16]->passwd, "s3cret");
    vb_domain_def_free(def);
    free(xml);
}

/* format(parse(x)) is a fixpoint, and the model says what the input said. */
static void test_noncanonical_input_reaches_fixpoint(void **state)
{
    char *xml = read_fixture("noncanonical.xml");
    struct vb_domain_def *def = parse_ok(xml);
    char *first = format_ok(def, 0);
    struct vb_domain_def *again = parse_ok(first);
    char *second = format_ok(again, 0);

    assert_string_equal(first, second);
    assert_memory_equal(def->uuid, again->uuid, VB_UUID_LEN);
    assert_false(vb_uuid_is_null(def->uuid));
    assert_int_equal(def->max_memory_kib, 2 * 1024 * 1024);
    assert_int_equal(again->max_memory_kib, 2 * 1024 * 1024);
    assert_int_equal(def->current_memory_kib, 512 * 1024);
    assert_int_equal(again->current_memory_kib, 512 * 1024);
    assert_int_equal(again->vcpus_max, 2);
    assert_int_equal(again->vcpus_current, 1);
    assert_string_equal(again->os_type, "hvm");
    assert_string_equal(again->boot_devices[0], "network");
    assert_int_equal(again->n_devices, 2);
    assert_string_equal(def->devices[0]->mac, "52:54:00:ab:cd:ef");
    assert_string_equal(again->devices[0]->mac, "52:54:00:ab:cd:ef");
    assert_string_equal(again->devices[1]->target_dev, "hda");
    /* unknown elements are kept, namespaces and all; comments are not */
    assert_non_null(strstr(first, "  <features>\n    <acpi/>\n  </features>\n"));
    assert_non_null(strstr(first, "<vendor:extension level='2' xmlns:vendor='urn:example:vendor'>"
                                  "keep me</vendor:extension>"));
    assert_null(strstr(first, "<!--"));
    assert_non_null(strstr(first, "  <memory unit='KiB'>2097152</memory>\n"));
    assert_non_null(strstr(first, "  <vcpu placement='static' current='1'>2</vcpu>\n"));
    free(second);
    vb_domain_def_free(again);
    free(first);
    vb_domain_def_free(def);
    free(xml);
}

static uint64_t memory_kib(const char *unit, const char *value)
{
    char xml[512];
    struct vb_domain_def *def;
    uint64_t kib;

    snprintf(xml, sizeof(xml),
             "<domain type='test'><name>m</name><memory unit='%s'>%s</memory>" MINIMAL_OS
             "</domain>",
             unit, value);
    def = parse_ok(xml);
    kib = def->max_memory_kib;
    assert_int_equal(def->current_memory_kib, kib);
    vb_domain_def_free(def);
    return kib;
}

static void test_memory_units_normalise_to_kib(void **state)
{
    char *xml = read_fixture("noncanonical-units.xml");
    struct vb_domain_def *def = parse_ok(xml);

    /* bytes round up to whole KiB, as libvirt does */
    assert_int_equal(def->max_memory_kib, 1048577);
    assert_int_equal(def->current_memory_kib, 1024);
    vb_domain_def_free(def);
    free(xml);

    assert_int_equal(memory_kib("b", "2048"), 2);
    assert_int_equal(memory_kib("bytes", "1"), 1);
    assert_int_equal(memory_kib("k", "7"), 7);
    assert_int_equal(memory_kib("KiB", "7"), 7);
    assert_int_equal(memory_kib("KB", "1024"), 1000);
    assert_int_equal(memory_kib("M", "3"), 3 * 1024);
    assert_int_equal(memory_kib("MiB", "3"), 3 * 1024);
    assert_int_equal(memory_kib("MB", "1"), 977);
    assert_int_equal(memory_kib("G", "1"), 1024 * 1024);
    assert_int_equal(memory_kib("GiB", "1"), 1024 * 1024);
    assert_int_equal(memory_kib("T", "1"), 1024ULL * 1024 * 1024);
    assert_int_equal(memory_kib("", "5"), 5);
}

static void test_memory_errors_use_libvirt_wording(void **state)
{
    expect_fixture_error("bad-unit.xml", VB_ERR_INVALID_ARG, "invalid argument: unknown suffix 'xyz'",
                         false);
    expect_parse_error("<domain type='test'><name>m</name><memory>12x</memory>" MINIMAL_OS
                       "</domain>",
                       VB_ERR_XML_ERROR,
                       "XML error: Invalid value '12x' for element or attribute './memory[1]'", false);
    expect_parse_error("<domain type='test'><name>m</name>" MINIMAL_OS "</domain>", VB_ERR_XML_ERROR,
                       "XML error: Memory size must be specified via <memory> or in the <numa> "
                       "configuration",
                       false);
    expect_parse_error("<domain type='test'><name>m</name><memory unit='EiB'>99999</memory>"
                       MINIMAL_OS "</domain>",
                       VB_ERR_OVERFLOW, "value too large: 99999EiB", false);
}

static void test_current_memory_is_clamped_and_defaulted(void **state)
{
    struct vb_domain_def *def =
        parse_ok(MINIMAL_HEAD "<currentMemory unit='MiB'>64</currentMemory>" MINIMAL_OS "</domain>");
    char *out = format_ok(def, 0);

    assert_int_equal(def->current_memory_kib, 1024);
    assert_non_null(strstr(out, "  <currentMemory unit='KiB'>1024</currentMemory>\n"));
    free(out);
    vb_domain_def_free(def);
}

static void test_vcpu_rules(void **state)
{
    struct vb_domain_def *def = parse_ok(MINIMAL);
    char *out = format_ok(def, 0);

    assert_int_equal(def->vcpus_max, 1);
    assert_int_equal(def->vcpus_current, 1);
    assert_non_null(strstr(out, "  <vcpu placement='static'>1</vcpu>\n"));
    free(out);
    vb_domain_def_free(def);

    def = parse_ok(MINIMAL_HEAD "<vcpu placement='auto' current='3'>8</vcpu>" MINIMAL_OS "</domain>");
    out = format_ok(def, 0);
    assert_non_null(strstr(out, "  <vcpu placement='auto' current='3'>8</vcpu>\n"));
    free(out);
    vb_domain_def_free(def);

    expect_parse_error(MINIMAL_HEAD "<vcpu>0</vcpu>" MINIMAL_OS "</domain>",
                       VB_ERR_CONFIG_UNSUPPORTED,
                       "unsupported configuration: Domain requires at least 1 vCPU", false);
    expect_parse_error(MINIMAL_HEAD "<vcpu>two</vcpu>" MINIMAL_OS "</domain>", VB_ERR_XML_ERROR,
                       "XML error: maximum vcpus count must be an integer", false);
    expect_parse_error(MINIMAL_HEAD "<vcpu current='-1'>2</vcpu>" MINIMAL_OS "</domain>",
                       VB_ERR_XML_ERROR, "XML error: current vcpus count must be an integer", false);
    expect_parse_error(MINIMAL_HEAD "<vcpu current='4'>2</vcpu>" MINIMAL_OS "</domain>",
                       VB_ERR_INTERNAL_ERROR,
                       "internal error: maxvcpus must not be less than current vcpus (2 < 4)", false);
}

/* Every later read costs per vcpu or per I/O thread, so absurd counts are refused at parse. */
static void test_absurd_counts_are_refused_with_the_limit(void **state)
{
    struct vb_error err = VB_ERROR_INIT;
    struct vb_domain_def *def = parse_ok(MINIMAL_HEAD "<vcpu current='4096'>4096</vcpu>"
                                         "<iothreads>4096</iothreads>" MINIMAL_OS "</domain>");

    assert_int_equal(def->vcpus_max, VB_DOMAIN_VCPUS_MAX);
    vb_domain_def_free(def);
    expect_parse_error(MINIMAL_HEAD "<vcpu>2147483648</vcpu>" MINIMAL_OS "</domain>", VB_ERR_CONFIG_UNSUPPORTED,
                       "unsupported configuration: maximum vcpus count 2147483648 exceeds the limit of 4096",
                       false);
    expect_parse_error(MINIMAL_HEAD "<vcpu>99999999999</vcpu>" MINIMAL_OS "</domain>", VB_ERR_CONFIG_UNSUPPORTED,
                       "unsupported configuration: maximum vcpus count 99999999999 exceeds the limit of 4096",
                       false);
    expect_parse_error(MINIMAL_HEAD "<vcpu current='4097'>2</vcpu>" MINIMAL_OS "</domain>",
                       VB_ERR_CONFIG_UNSUPPORTED,
                       "unsupported configuration: current vcpus count 4097 exceeds the limit of 4096", false);
    expect_parse_error(MINIMAL_HEAD "<iothreads>100000000</iothreads>" MINIMAL_OS "</domain>",
                       VB_ERR_CONFIG_UNSUPPORTED,
                       "unsupported configuration: iothreads count 100000000 exceeds the limit of 4096", false);
    expect_parse_error(MINIMAL_HEAD "<iothreads>many</iothreads>" MINIMAL_OS "</domain>", VB_ERR_XML_ERROR,
                       "XML error: invalid iothreads count 'many'", false);

    /* The same bound for a definition changed after parsing. */
    def = parse_ok(MINIMAL);
    assert_int_equal(vb_domain_def_check_limits(def, &err), 0);
    def->vcpus_max = VB_DOMAIN_VCPUS_MAX + 1;
    assert_int_equal(vb_domain_def_check_limits(def, &err), -1);
    assert_string_equal(err.message, "unsupported configuration: maximum vcpus count 4097 exceeds the limit of 4096");
    vb_error_clear(&err);
    vb_domain_def_free(def);
}

/* <iothreadids> as libvirt's virDomainDefParseIOThreads reads it, within the same bound. */
static void test_iothread_ids_are_checked_at_parse(void **state)
{
    struct vb_buf buf = { 0 };
    struct vb_error err = VB_ERROR_INIT;
    char *xml;

    expect_parse_error(MINIMAL_HEAD "<iothreadids><iothread id='5'/><iothread id='2'/><iothread id='2'/>"
                       "<iothread id='5'/></iothreadids>" MINIMAL_OS "</domain>",
                       VB_ERR_XML_ERROR, "XML error: duplicate iothread id '2' found", false);
    expect_parse_error(MINIMAL_HEAD "<iothreadids><iothread id='0'/></iothreadids>" MINIMAL_OS "</domain>",
                       VB_ERR_XML_ERROR, "XML error: invalid iothread 'id' value '0'", false);
    vb_buf_add(&buf, MINIMAL_HEAD "<iothreadids>");
    for (int i = 1; i <= VB_DOMAIN_IOTHREADS_MAX + 1; i++)
        vb_buf_addf(&buf, "<iothread id='%d'/>", i);
    vb_buf_add(&buf, "</iothreadids>" MINIMAL_OS "</domain>");
    xml = vb_buf_steal(&buf, &err);
    assert_non_null(xml);
    expect_parse_error(xml, VB_ERR_CONFIG_UNSUPPORTED,
                       "unsupported configuration: iothread ids count 4097 exceeds the limit of 4096", false);
    free(xml);
}

static void test_missing_uuid_is_generated_and_kept(void **state)
{
    struct vb_domain_def *def = parse_ok(MINIMAL);
    char *out = format_ok(def, 0);
    struct vb_domain_def *again = parse_ok(out);

    assert_false(vb_uuid_is_null(def->uuid));
    assert_memory_equal(def->uuid, again->uuid, VB_UUID_LEN);
    vb_domain_def_free(again);
    free(out);
    vb_domain_def_free(def);
}

static void test_bad_documents_are_rejected_with_libvirt_wording(void **state)
{
    expect_fixture_error("bad-no-name.xml", VB_ERR_NO_NAME, "missing name information", false);
    expect_fixture_error("bad-uuid.xml", VB_ERR_INTERNAL_ERROR, "internal error: malformed uuid element",
                         false);
    expect_fixture_error("bad-not-well-formed.xml", VB_ERR_XML_DETAIL,
                         "(domain_definition):4: Opening and ending tag mismatch: domain "
                         "line 1 and domian\n</domian>\n",
                         true);
    expect_parse_error("", VB_ERR_XML_DETAIL, "(domain_definition):1: ", true);
    expect_parse_error("junk", VB_ERR_XML_DETAIL,
                       "(domain_definition):1: Start tag expected, '<' not found\njunk\n^",
                       false);
    expect_parse_error("<network/>", VB_ERR_XML_ERROR,
                       "XML error: expecting root element of 'domain', not 'network'", false);
    expect_parse_error("<domain><name>x</name></domain>", VB_ERR_INTERNAL_ERROR,
                       "internal error: missing domain type attribute", false);
    expect_parse_error("<domain type='bogus'><name>x</name></domain>", VB_ERR_INTERNAL_ERROR,
                       "internal error: invalid domain type bogus", false);
    expect_parse_error("<domain type='test'><name>a/b</name></domain>", VB_ERR_XML_ERROR,
                       "XML error: name a/b cannot contain '/'", false);
    expect_parse_error("<domain type='test'><name></name></domain>", VB_ERR_NO_NAME,
                       "missing name information", false);
    expect_parse_error("<domain type='test'><name>t</name><title>a\nb</title></domain>",
                       VB_ERR_XML_ERROR, "XML error: Domain title can't contain newlines", false);
    expect_parse_error(MINIMAL_HEAD "</domain>", VB_ERR_XML_ERROR,
                       "XML error: an os <type> must be specified", false);
    expect_parse_error(MINIMAL_HEAD "<os><type>hvm</type><boot dev='usb'/></os></domain>",
                       VB_ERR_INTERNAL_ERROR, "internal error: unknown boot device 'usb'", false);
    expect_parse_error(MINIMAL_HEAD MINIMAL_OS "<on_crash>explode</on_crash></domain>",
                       VB_ERR_XML_ERROR, "XML error: invalid on_crash value: 'explode'", false);
}

static void test_entities_and_doctype_are_refused(void **state)
{
    expect_fixture_error("bad-billion-laughs.xml", VB_ERR_XML_ERROR,
                         "XML error: document type declarations (DOCTYPE, ENTITY) are not allowed in "
                         "(domain_definition)",
                         false);
    expect_fixture_error("bad-external-entity.xml", VB_ERR_XML_ERROR,
                         "XML error: document type declarations", true);
    expect_parse_error("<!DOCTYPE domain><domain type='test'><name>&x;</name></domain>",
                       VB_ERR_XML_ERROR, "XML error: document type declarations", true);
    /* without a DTD an entity reference is simply not well formed */
    expect_parse_error("<domain type='test'><name>&x;</name></domain>", VB_ERR_XML_DETAIL,
                       "(domain_definition):1: Entity 'x' not defined", true);
}

static void test_oversized_document_is_refused_before_parsing(void **state)
{
    size_t size = VB_DOMAIN_XML_MAX_BYTES + 16;
    char *xml = malloc(size + 1);

    assert_non_null(xml);
    memset(xml, ' ', size);
    memcpy(xml, "<domain", 7);
    xml[size] = '\0';
    expect_parse_error(xml, VB_ERR_XML_ERROR, "XML error: document (domain_definition) is larger than",
                       true);
    free(xml);
}

static void test_id_is_formatted_only_for_live_xml(void **state)
{
    struct vb_domain_def *def = parse_ok("<domain type='test' id='5'><name>t</name>"
                                         "<memory>1024</memory>" MINIMAL_OS "</domain>");
    char *live = format_ok(def, 0);
    char *inactive = format_ok(def, VB_DOMAIN_XML_INACTIVE);

    assert_int_equal(def->id, 5);
    assert_string_prefix(live, "<domain type='test' id='5'>\n");
    assert_string_prefix(inactive, "<domain type='test'>\n");
    free(live);
    free(inactive);
    vb_domain_def_free(def);

    def = parse_ok(MINIMAL);
    assert_int_equal(def->id, -1);
    vb_domain_def_free(def);
}

static void test_graphics_password_needs_secure_flag(void **state)
{
    char *xml = read_fixture("canonical-full.xml");
    struct vb_domain_def *def = parse_ok(xml);
    char *plain = format_ok(def, 0);
    char *secure = format_ok(def, VB_DOMAIN_XML_SECURE);

    assert_null(strstr(plain, "s3cret"));
    assert_non_null(strstr(plain, "<graphics type='vnc' port='5900' autoport='yes' "
                                  "listen='127.0.0.1'>\n"));
    assert_non_null(strstr(secure, "passwd='s3cret'"));
    free(secure);
    free(plain);
    vb_domain_def_free(def);
    free(xml);
}

static struct vb_device_def *device_ok(const char *xml)
{
    struct vb_error err = VB_ERROR_INIT;
    struct vb_device_def *dev = vb_device_def_parse_string(xml, &err);

    if (!dev)
        fail_msg("device parse failed: %s", vb_error_message(&err));
    return dev;
}

static void expect_device_error(const char *xml, enum vb_error_code code, const char *message)
{
    struct vb_error err = VB_ERROR_INIT;

    assert_null(vb_device_def_parse_string(xml, &err));
    assert_int_equal(err.code, code);
    assert_string_equal(err.message, message);
    vb_error_clear(&err);
}

/* As libvirt's virDomainDeviceDefParse: only device types may be hot-plugged. */
static void test_hotplug_refuses_what_is_not_a_device(void **state)
{
    static const char *const devices[] = {
        "<serial type='pty'/>", "<parallel type='pty'/>", "<console type='pty'/>",
        "<channel type='unix'/>", "<watchdog model='i6300esb'/>", "<memballoon model='virtio'/>",
        "<audio id='1' type='none'/>", "<vsock model='virtio'/>", "<rng model='virtio'/>",
    };
    struct vb_domain_def *def;

    for (size_t i = 0; i < sizeof(devices) / sizeof(devices[0]); i++)
        vb_device_def_free(device_ok(devices[i]));
    expect_device_error("<domain type='test'><name>x</name></domain>", VB_ERR_CONFIG_UNSUPPORTED,
                        "unsupported configuration: unknown device type 'domain'");
    expect_device_error("<emulator>/usr/bin/qemu</emulator>", VB_ERR_CONFIG_UNSUPPORTED,
                        "unsupported configuration: unknown device type 'emulator'");
    expect_device_error("<devices/>", VB_ERR_CONFIG_UNSUPPORTED,
                        "unsupported configuration: unknown device type 'devices'");
    expect_device_error("<none/>", VB_ERR_CONFIG_UNSUPPORTED, "unsupported configuration: unknown device type 'none'");
    expect_device_error("<chr type='pty'/>", VB_ERR_CONFIG_UNSUPPORTED,
                        "unsupported configuration: unknown character device type: chr");
    /* Within a whole domain, <devices> keeps what it holds, as before. */
    def = parse_ok(MINIMAL_HEAD MINIMAL_OS "<devices><emulator>/usr/bin/qemu</emulator><foo/></devices></domain>");
    assert_int_equal(def->n_devices, 2);
    vb_domain_def_free(def);
}

static void test_mac_addresses_are_normalised_validated_and_generated(void **state)
{
    struct vb_device_def *dev =
        device_ok("<interface type='user'><mac address='2:54:0:AB:cD:eF'/></interface>");

    assert_string_equal(dev->mac, "02:54:00:ab:cd:ef");
    vb_device_def_free(dev);

    dev = device_ok("<interface type='network'><source network='default'/></interface>");
    assert_non_null(dev->mac);
    assert_string_prefix(dev->mac, "52:54:00:");
    vb_device_def_free(dev);

    expect_fixture_error("bad-mac.xml", VB_ERR_INTERNAL_ERROR,
                         "internal error: unable to parse mac address '52:54:00:zz:00:01'", false);
    expect_device_error("<interface type='user'><mac address='01:00:5e:00:00:01'/></interface>",
                        VB_ERR_XML_ERROR,
                        "XML error: expected unicast mac address, found multicast '01:00:5e:00:00:01'");
    expect_device_error("<interface type='user'><mac address='52:54:00:00:00:01:02'/></interface>",
                        VB_ERR_INTERNAL_ERROR,
                        "internal error: unable to parse mac address '52:54:00:00:00:01:02'");
    expect_device_error("<disk", VB_ERR_XML_DETAIL,
                        "(device_definition):1: Couldn't find end of Start Tag disk line "
                        "1\n<disk\n-----^");
    expect_device_error("<controller type='usb' index='x'/>", VB_ERR_XML_ERROR,
                        "XML error: Invalid value for attribute 'index' in element 'controller': "
                        "'x'. Expected non-negative integer value");
}

static void test_hotplug_add_find_remove(void **state)
{
    struct vb_domain_def *def = parse_ok(MINIMAL);
    struct vb_error err = VB_ERROR_INIT;
    struct vb_device_def *disk = device_ok("<disk type='file' device='disk'><source file='/a'/>"
                                           "<target dev='vdc' bus='virtio'/></disk>");
    struct vb_device_def *same_target = device_ok("<disk type='file'><source file='/b'/>"
                                                  "<target dev='vdc'/></disk>");
    struct vb_device_def *nic = device_ok("<interface type='user'><mac address='52:54:00:00:00:09'/>"
                                          "</interface>");
    struct vb_device_def *same_mac = device_ok("<interface type='network'>"
                                               "<mac address='52:54:00:00:00:09'/></interface>");
    struct vb_device_def *video = device_ok("<video><model type='vga'/></video>");
    char *out;

    assert_int_equal(vb_domain_def_add_device(def, disk, &err), 0);
    assert_int_equal(vb_domain_def_add_device(def, nic, &err), 0);
    assert_int_equal(vb_domain_def_add_device(def, video, &err), 0);
    assert_int_equal(def->n_devices, 3);

    assert_int_equal(vb_domain_def_add_device(def, same_target, &err), -1);
    assert_int_equal(err.code, VB_ERR_OPERATION_INVALID);
    assert_string_equal(err.message, "Requested operation is not valid: target vdc already exists");
    assert_int_equal(vb_domain_def_add_device(def, same_mac, &err), -1);
    assert_int_equal(err.code, VB_ERR_INVALID_ARG);
    assert_string_equal(err.message,
                        "invalid argument: network device with mac 52:54:00:00:00:09 already exists");
    assert_int_equal(def->n_devices, 3);
    vb_error_clear(&err);

    assert_int_equal(vb_domain_def_find_device(def, same_target), 0);
    assert_int_equal(vb_domain_def_find_device(def, same_mac), 1);
    assert_int_equal(vb_domain_def_find_device(def, video), 2);
    out = format_ok(def, 0);
    assert_non_null(strstr(out, "  <devices>\n    <disk type='file' device='disk'>\n"
                                "      <source file='/a'/>\n"));
    assert_non_null(strstr(out, "    <video>\n      <model type='vga'/>\n    </video>\n"
                                "  </devices>\n"));
    free(out);

    vb_domain_def_remove_device(def, 0);
    assert_int_equal(def->n_devices, 2);
    assert_int_equal(vb_domain_def_find_device(def, same_target), -1);
    assert_int_equal(vb_domain_def_find_device(def, same_mac), 0);
    vb_device_def_free(same_target);
    vb_device_def_free(same_mac);
    vb_domain_def_free(def);
}

static void test_metadata_get_set_remove(void **state)
{
    struct vb_domain_def *def = parse_ok(MINIMAL);
    struct vb_error err = VB_ERROR_INIT;
    char *text, *out;

    assert_null(vb_domain_def_get_metadata(def, VB_METADATA_TITLE, NULL, &err));
    assert_int_equal(err.code, VB_ERR_NO_DOMAIN_METADATA);
    assert_string_equal(err.message, "metadata not found: Requested metadata element is not present");
    assert_int_equal(vb_domain_def_set_metadata(def, VB_METADATA_TITLE, "a\nb", NULL, NULL, &err), -1);
    assert_int_equal(err.code, VB_ERR_INVALID_ARG);
    vb_error_clear(&err);

    assert_int_equal(vb_domain_def_set_metadata(def, VB_METADATA_TITLE, "My title", NULL, NULL, &err), 0);
    assert_int_equal(vb_domain_def_set_metadata(def, VB_METADATA_DESCRIPTION, "line 1\nline 2", NULL,
                                                NULL, &err),
                     0);
    text = vb_domain_def_get_metadata(def, VB_METADATA_TITLE, NULL, &err);
    assert_string_equal(text, "My title");
    free(text);

    assert_int_equal(vb_domain_def_set_metadata(def, VB_METADATA_ELEMENT,
                                                "<app><owner id='1'>ops</owner></app>", "my",
                                                "http://example.org/my/", &err),
                     0);
    text = vb_domain_def_get_metadata(def, VB_METADATA_ELEMENT, "http://example.org/my/", &err);
    assert_string_equal(text, "<app>\n  <owner id=\"1\">ops</owner>\n</app>");
    free(text);
    out = format_ok(def, 0);
    assert_non_null(strstr(out, "  <title>My title</title>\n  <description>line 1\nline 2</description>\n"
                                "  <metadata>\n    <my:app xmlns:my=\"http://example.org/my/\">\n"
                                "      <my:owner id=\"1\">ops</my:owner>\n    </my:app>\n"
                                "  </metadata>\n"));
    vb_domain_def_free(def);

    /* what was set survives a round trip through XML, and can be replaced and removed */
    def = parse_ok(out);
    free(out);
    text = vb_domain_def_get_metadata(def, VB_METADATA_ELEMENT, "http://example.org/my/", &err);
    assert_string_equal(text, "<app>\n  <owner id=\"1\">ops</owner>\n</app>");
    free(text);
    assert_int_equal(vb_domain_def_set_metadata(def, VB_METADATA_ELEMENT, "<v2/>", "x",
                                                "http://example.org/my/", &err),
                     0);
    text = vb_domain_def_get_metadata(def, VB_METADATA_ELEMENT, "http://example.org/my/", &err);
    assert_string_equal(text, "<v2/>");
    free(text);
    assert_int_equal(vb_domain_def_set_metadata(def, VB_METADATA_ELEMENT, NULL, NULL,
                                                "http://example.org/my/", &err),
                     0);
    assert_null(vb_domain_def_get_metadata(def, VB_METADATA_ELEMENT, "http://example.org/my/", &err));
    assert_int_equal(err.code, VB_ERR_NO_DOMAIN_METADATA);
    assert_int_equal(vb_domain_def_set_metadata(def, VB_METADATA_TITLE, "", NULL, NULL, &err), 0);
    assert_null(def->title);
    assert_int_equal(vb_domain_def_set_metadata(def, VB_METADATA_ELEMENT, "<bad", "k", "urn:k", &err), -1);
    assert_int_equal(err.code, VB_ERR_XML_DETAIL);
    vb_error_clear(&err);
    vb_domain_def_free(def);
}

static void test_metadata_children_without_namespace_are_dropped_as_libvirt(void **state)
{
    struct vb_domain_def *def =
        parse_ok(MINIMAL_HEAD "<metadata><plain/><a:x xmlns:a='urn:a'/><a:y xmlns:a='urn:a'/>"
                              "</metadata>" MINIMAL_OS "</domain>");
    char *out = format_ok(def, 0);

    assert_non_null(strstr(out, "  <metadata>\n    <a:x xmlns:a=\"urn:a\"/>\n  </metadata>\n"));
    free(out);
    vb_domain_def_free(def);
}

static void test_copy_is_deep_and_equal(void **state)
{
    char *xml = read_fixture("canonical-full.xml");
    struct vb_domain_def *def = parse_ok(xml);
    struct vb_error err = VB_ERROR_INIT;
    struct vb_domain_def *copy = vb_domain_def_copy(def, &err);
    char *out;

    assert_non_null(copy);
    vb_domain_def_free(def);
    out = format_ok(copy, VB_DOMAIN_XML_SECURE);
    assert_string_equal(out, xml);
    free(out);
    vb_domain_def_free(copy);
    free(xml);
}

static void test_unknown_elements_keep_their_place(void **state)
{
    struct vb_domain_def *def =
        parse_ok("<domain type='test'><name>t</name><x-first/><memory>1024</memory>"
                 "<os><type>hvm</type><x-os a='1'/><kernel>/k</kernel><smbios mode='host'/></os>"
                 "<devices/><seclabel type='none'/><name>second</name></domain>");
    char *out = format_ok(def, 0);

    assert_string_equal(def->name, "t");
    assert_string_equal(def->os_kernel, "/k");
    assert_non_null(strstr(out, "  <name>t</name>\n  <x-first/>\n  <uuid>"));
    assert_non_null(strstr(out, "    <type>hvm</type>\n    <x-os a='1'/>\n    <kernel>/k</kernel>\n"
                                "    <smbios mode='host'/>\n  </os>\n"));
    assert_non_null(strstr(out, "  </devices>\n  <seclabel type='none'/>\n</domain>\n"));
    assert_null(strstr(out, "second"));
    free(out);
    vb_domain_def_free(def);
}

/* Inputs the fuzzer found without a fixpoint: an '&' in a namespace name (kept by libxml2 as
 * "&#38;"), blank text beside elements (dropped by the blank heuristic on re-parse),
 * xml:space='preserve' (changes that heuristic for a subtree). */
static void test_fuzzer_findings_reach_fixpoint(void **state)
{
    static const char *const inputs[] = {
        "<domain type='test' xmlns:q='urn:a&amp;b'><name>t</name><memory>1</memory>" MINIMAL_OS
        "<q:x/></domain>",
        MINIMAL_HEAD MINIMAL_OS "<devices><interface type='user'>&#10;<mac address='52:54:00:00:00:01'/>"
        "&gt;tail</interface></devices></domain>",
        "<domain type='test' xml:space='preserve'><name>t</name><memory>1</memory>" MINIMAL_OS
        "<features><acpi/> <apic/></features><devices><video xml:space='preserve'><model/></video>"
        "</devices></domain>",
    };

    for (size_t i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
        struct vb_domain_def *def = parse_ok(inputs[i]);
        char *first = format_ok(def, 0);
        struct vb_domain_def *again = parse_ok(first);
        char *second = format_ok(again, 0);

        assert_string_equal(first, second);
        free(second);
        vb_domain_def_free(again);
        free(first);
        vb_domain_def_free(def);
    }
}

/* A copy shares nothing: editing either side leaves the other's XML as it was. */
static void test_copy_is_independent_of_later_edits(void **state)
{
    char *xml = read_fixture("canonical-full.xml");
    struct vb_domain_def *def = parse_ok(xml);
    struct vb_error err = VB_ERROR_INIT;
    struct vb_domain_def *copy = vb_domain_def_copy(def, &err);
    char *out;

    assert_non_null(copy);
    assert_int_equal(vb_domain_def_set_metadata(def, VB_METADATA_ELEMENT, "<new/>", "n", "urn:n", &err), 0);
    assert_int_equal(vb_device_def_set_child_attribute(def->devices[1], "driver", "cache", "none", &err), 0);
    vb_domain_def_remove_device(def, 0);
    out = format_ok(copy, VB_DOMAIN_XML_SECURE);
    assert_string_equal(out, xml);
    free(out);

    assert_int_equal(vb_domain_def_set_metadata(copy, VB_METADATA_ELEMENT, NULL, NULL,
                                                "http://example.org/inventory/1.0", &err),
                     0);
    out = format_ok(def, VB_DOMAIN_XML_SECURE);
    assert_non_null(strstr(out, "<inv:inventory xmlns:inv=\"http://example.org/inventory/1.0\">"));
    assert_non_null(strstr(out, "<n:new xmlns:n=\"urn:n\"/>"));
    assert_non_null(strstr(out, "cache='none'"));
    assert_null(strstr(out, "<emulator>"));
    free(out);
    vb_domain_def_free(copy);
    vb_domain_def_free(def);
    free(xml);
}

static void test_device_child_attribute_edits_format_and_reparse(void **state)
{
    struct vb_domain_def *def =
        parse_ok(MINIMAL_HEAD MINIMAL_OS "<devices><memballoon model='virtio'>"
                 "<address type='pci' slot='0x05'/></memballoon>"
                 "<disk type='file' snapshot='external'><target dev='vda'/></disk></devices></domain>");
    struct vb_device_def *balloon = def->devices[0], *disk = def->devices[1];
    struct vb_error err = VB_ERROR_INIT;
    char *out, *text;

    assert_int_equal(vb_device_def_set_child_attribute(balloon, "stats", "period", "10", &err), 0);
    out = format_ok(def, 0);
    assert_non_null(strstr(out, "    <memballoon model='virtio'>\n"
                                "      <address type='pci' slot='0x05'/>\n"
                                "      <stats period='10'/>\n"
                                "    </memballoon>\n"));
    free(out);
    assert_int_equal(vb_device_def_set_child_attribute(balloon, "stats", "period", "20", &err), 0);
    assert_int_equal(vb_device_def_set_child_attribute(balloon, "stats", "period", NULL, &err), 0);
    out = format_ok(def, 0);
    assert_non_null(strstr(out, "    <memballoon model='virtio'>\n"
                                "      <address type='pci' slot='0x05'/>\n"
                                "    </memballoon>\n"));
    assert_null(strstr(out, "stats"));
    free(out);

    /* fields the model reads follow the edited XML */
    assert_int_equal(vb_device_def_set_child_attribute(disk, "target", "dev", "vdb", &err), 0);
    assert_string_equal(def->devices[1]->target_dev, "vdb");
    text = vb_device_def_get_attribute(def->devices[1], "snapshot");
    assert_string_equal(text, "external");
    free(text);
    assert_null(vb_device_def_get_attribute(def->devices[1], "nothing"));
    /* the element's own attribute, and the field that reads it */
    assert_int_equal(vb_device_def_set_attribute(def->devices[1], "type", "block", &err), 0);
    assert_string_equal(def->devices[1]->type, "block");
    assert_int_equal(vb_device_def_set_attribute(def->devices[1], "type", NULL, &err), -1);
    assert_int_equal(err.code, VB_ERR_INVALID_ARG);
    vb_error_clear(&err);
    assert_string_equal(def->devices[1]->type, "block");
    out = format_ok(def, 0);
    assert_non_null(strstr(out, "<target dev='vdb'/>"));
    assert_non_null(strstr(out, "<disk type='block' snapshot='external'>"));
    vb_domain_def_free(def);
    def = parse_ok(out);
    free(out);
    assert_string_equal(def->devices[1]->target_dev, "vdb");
    vb_domain_def_free(def);
}

/* Namespaces declared on <domain> or <os> are not repeated inside, for kept elements,
 * devices (parsed in the domain or hot-plugged) and metadata alike. */
static void test_namespaces_of_domain_are_not_repeated(void **state)
{
    static const char xml[] =
        "<domain type='test' xmlns:q='urn:q'>\n"
        "  <name>t</name>\n"
        "  <uuid>4dea22b3-1d52-d8f3-2516-782e98ab3fa0</uuid>\n"
        "  <metadata>\n"
        "    <q:app/>\n"
        "  </metadata>\n"
        "  <memory unit='KiB' q:dump='on'>1024</memory>\n"
        "  <currentMemory unit='KiB'>1024</currentMemory>\n"
        "  <vcpu placement='static'>1</vcpu>\n"
        "  <os xmlns:o='urn:o'>\n"
        "    <type>hvm</type>\n"
        "    <o:loader q:x='1'/>\n"
        "  </os>\n"
        "  <clock offset='utc'/>\n"
        "  <on_poweroff>destroy</on_poweroff>\n"
        "  <on_reboot>restart</on_reboot>\n"
        "  <on_crash>destroy</on_crash>\n"
        "  <devices>\n"
        "    <graphics type='vnc' q:passwd='a' passwd='b'>\n"
        "      <q:listen/>\n"
        "    </graphics>\n"
        "  </devices>\n"
        "  <q:extension/>\n"
        "</domain>\n";
    struct vb_domain_def *def = parse_ok(xml);
    struct vb_error err = VB_ERROR_INIT;
    struct vb_device_def *dev = device_ok("<q:video xmlns:q='urn:q'><q:model/></q:video>");
    char *out = format_ok(def, VB_DOMAIN_XML_SECURE);

    assert_string_equal(out, xml);
    free(out);
    out = format_ok(def, 0);
    assert_non_null(strstr(out, "    <graphics type='vnc'>\n      <q:listen/>\n"));
    free(out);
    assert_int_equal(vb_domain_def_add_device(def, dev, &err), 0);
    out = format_ok(def, 0);
    assert_non_null(strstr(out, "    <q:video>\n      <q:model/>\n    </q:video>\n"));
    free(out);
    vb_domain_def_free(def);
}

/* Found by the fuzzer: an encoding error raised while libxml2 grows its input buffer made the
 * error message quote freed memory. */
static void test_encoding_error_while_reading_is_reported_safely(void **state)
{
    static const char xml[] = "\xfe\xffmoces><de='file' device=d</naerfile='/me><memoa.iso'/"
                              "\xc1\xc3\x91\x9ame>seed</name><memname><memo>\x90" "c\xd8\xa9\xfd\x7f";

    expect_parse_error(xml, VB_ERR_XML_DETAIL, "at line 0: input conversion failed", true);
}

static void test_lifecycle_names(void **state)
{
    assert_null(vb_lifecycle_action_to_string(VB_LIFECYCLE_DEFAULT));
    assert_string_equal(vb_lifecycle_action_to_string(VB_LIFECYCLE_DESTROY), "destroy");
    assert_string_equal(vb_lifecycle_action_to_string(VB_LIFECYCLE_RENAME_RESTART), "rename-restart");
    assert_string_equal(vb_lifecycle_action_to_string(VB_LIFECYCLE_COREDUMP_RESTART),
                        "coredump-restart");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_canonical_fixtures_round_trip_byte_identically),
        cmocka_unit_test(test_full_fixture_fields_are_modelled),
        cmocka_unit_test(test_noncanonical_input_reaches_fixpoint),
        cmocka_unit_test(test_memory_units_normalise_to_kib),
        cmocka_unit_test(test_memory_errors_use_libvirt_wording),
        cmocka_unit_test(test_current_memory_is_clamped_and_defaulted),
        cmocka_unit_test(test_vcpu_rules),
        cmocka_unit_test(test_absurd_counts_are_refused_with_the_limit),
        cmocka_unit_test(test_iothread_ids_are_checked_at_parse),
        cmocka_unit_test(test_missing_uuid_is_generated_and_kept),
        cmocka_unit_test(test_bad_documents_are_rejected_with_libvirt_wording),
        cmocka_unit_test(test_entities_and_doctype_are_refused),
        cmocka_unit_test(test_oversized_document_is_refused_before_parsing),
        cmocka_unit_test(test_id_is_formatted_only_for_live_xml),
        cmocka_unit_test(test_graphics_password_needs_secure_flag),
        cmocka_unit_test(test_mac_addresses_are_normalised_validated_and_generated),
        cmocka_unit_test(test_hotplug_add_find_remove),
        cmocka_unit_test(test_hotplug_refuses_what_is_not_a_device),
        cmocka_unit_test(test_metadata_get_set_remove),
        cmocka_unit_test(test_metadata_children_without_namespace_are_dropped_as_libvirt),
        cmocka_unit_test(test_copy_is_deep_and_equal),
        cmocka_unit_test(test_unknown_elements_keep_their_place),
        cmocka_unit_test(test_fuzzer_findings_reach_fixpoint),
        cmocka_unit_test(test_copy_is_independent_of_later_edits),
        cmocka_unit_test(test_device_child_attribute_edits_format_and_reparse),
        cmocka_unit_test(test_namespaces_of_domain_are_not_repeated),
        cmocka_unit_test(test_encoding_error_while_reading_is_reported_safely),
        cmocka_unit_test(test_lifecycle_names),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
