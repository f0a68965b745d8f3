/* The test driver's node table: libvirt's fixed test host (capabilities, sysinfo, CPU models,
 * baseline, node statistics), as src/test/test_driver.c reports it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/xml_util.h"
#include "drivers/driver_node.h"
#include "drivers/test/test_private.h"

#define TEST_EMULATOR "/usr/bin/test-hv"
#define TEST_CELLS 2
#define TEST_CPUS_PER_CELL 8
#define TEST_CPUMAP_BITS 0x15 /* libvirt's testNodeGetCPUMap: CPUs 0, 2, 4 online */

/* libvirt's testBuildCapabilities host page sizes, in KiB. */
static const unsigned int page_sizes[] = { 4, 8, 2048, 1024 * 1024 };

/* Only test:///default has NUMA cells; a node file has none (libvirt's numCells = 0). */
static int test_cell_count(const struct test_conn *conn)
{
    return conn->is_default ? TEST_CELLS : 0;
}

/* libvirt's testOpenDefault: cell i has (i+1) * 2 GiB, (i+1) GiB of it free (sizes in KiB). */
static uint64_t test_cell_memory_kib(int cell)
{
    return (uint64_t) (cell + 1) * 2048 * 1024;
}

static uint64_t test_cell_free_memory(int cell)
{
    return (uint64_t) (cell + 1) * 1024 * 1024;
}

static void format_host_cpu(struct vb_buf *buf)
{
    vb_buf_add(buf, "    <cpu>\n      <arch>i686</arch>\n"
                    "      <features>\n        <pae/>\n        <nonpae/>\n      </features>\n");
    for (size_t i = 0; i < ARRAY_SIZE(page_sizes); i++)
        vb_buf_addf(buf, "      <pages unit='KiB' size='%u'/>\n", page_sizes[i]);
    vb_buf_add(buf, "    </cpu>\n    <power_management/>\n    <iommu support='no'/>\n");
}

/* One NUMA cell: the second cell's smallest pages are 8 KiB, as libvirt's test host. */
static void format_cell(struct vb_buf *buf, int cell)
{
    unsigned int small = cell == 1 ? page_sizes[1] : page_sizes[0];
    uint64_t mem = test_cell_memory_kib(cell);

    vb_buf_addf(buf, "        <cell id='%d'>\n", cell);
    vb_buf_addf(buf, "          <memory unit='KiB'>%llu</memory>\n", (unsigned long long) mem);
    vb_buf_addf(buf, "          <pages unit='KiB' size='%u'>%llu</pages>\n", small, (unsigned long long) (mem / small));
    for (size_t i = 2; i < ARRAY_SIZE(page_sizes); i++)
        vb_buf_addf(buf, "          <pages unit='KiB' size='%u'>0</pages>\n", page_sizes[i]);
    vb_buf_addf(buf, "          <cpus num='%d'>\n", TEST_CPUS_PER_CELL);
    for (int j = 0; j < TEST_CPUS_PER_CELL; j++) {
        int id = cell * TEST_CPUS_PER_CELL + j;

        vb_buf_addf(buf, "            <cpu id='%d' socket_id='%d' die_id='0' core_id='%d' siblings='%d'/>\n", id,
                    id / TEST_CPUS_PER_CELL, id % TEST_CPUS_PER_CELL, id);
    }
    vb_buf_add(buf, "          </cpus>\n        </cell>\n");
}

static void format_guest(struct vb_buf *buf, const char *os_type)
{
    vb_buf_addf(buf, "  <guest>\n    <os_type>%s</os_type>\n    <arch name='i686'>\n", os_type);
    vb_buf_add(buf, "      <wordsize>32</wordsize>\n      <emulator>" TEST_EMULATOR "</emulator>\n"
                    "      <domain type='test'/>\n    </arch>\n"
                    "    <features>\n      <pae/>\n      <nonpae/>\n    </features>\n  </guest>\n\n");
}

/* libvirt's virCapabilitiesFormatXML of testBuildCapabilities. */
static int test_get_capabilities(void *priv, struct vb_call *call, char **xml)
{
    struct test_conn *conn = priv;
    struct vb_buf buf = { 0 };
    int cells = test_cell_count(conn);

    vb_buf_add(&buf, "<capabilities>\n\n  <host>\n");
    format_host_cpu(&buf);
    if (cells > 0) {
        vb_buf_addf(&buf, "    <topology>\n      <cells num='%d'>\n", cells);
        for (int i = 0; i < cells; i++)
            format_cell(&buf, i);
        vb_buf_add(&buf, "      </cells>\n    </topology>\n");
    }
    vb_buf_add(&buf, "    <secmodel>\n      <model>testSecurity</model>\n      <doi></doi>\n    </secmodel>\n"
                     "  </host>\n\n");
    format_guest(&buf, "hvm");
    format_guest(&buf, "xen");
    vb_buf_add(&buf, "</capabilities>\n");
    *xml = vb_buf_steal(&buf, &call->err);
    return test_done(conn, call, *xml ? 0 : -1);
}

static int test_get_sysinfo(void *priv, struct vb_call *call, unsigned int flags, char **xml)
{
    static const char sysinfo[] = "<sysinfo type='smbios'>\n"
                                  "  <bios>\n"
                                  "    <entry name='vendor'>LENOVO</entry>\n"
                                  "    <entry name='version'>G4ETA1WW (2.61 )</entry>\n"
                                  "    <entry name='date'>05/07/2014</entry>\n"
                                  "    <entry name='release'>2.61</entry>\n"
                                  "  </bios>\n"
                                  "</sysinfo>\n";
    struct vb_error *err = &call->err;

    VB_CHECK_FLAGS(flags, 0, err);
    *xml = strdup(sysinfo);
    if (!*xml)
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    return test_done(priv, call, 0);
}

/* x86 CPU models of libvirt's cpu_map, oldest first within each family so that a lower
 * index is the more widely compatible model (what the baseline picks). */
struct cpu_model {
    const char *name;
    const char *vendor; /* NULL for QEMU's generic models */
};

static const struct cpu_model x86_models[] = {
    { "486", NULL }, { "pentium", NULL }, { "pentium2", NULL }, { "pentium3", NULL },
    { "pentiumpro", NULL }, { "coreduo", "Intel" }, { "n270", "Intel" }, { "core2duo", "Intel" },
    { "qemu32", NULL }, { "kvm32", NULL }, { "cpu64-rhel5", NULL }, { "cpu64-rhel6", NULL },
    { "kvm64", NULL }, { "qemu64", NULL },
    { "Conroe", "Intel" }, { "Penryn", "Intel" }, { "Nehalem", "Intel" }, { "Nehalem-IBRS", "Intel" },
    { "Westmere", "Intel" }, { "Westmere-IBRS", "Intel" }, { "SandyBridge", "Intel" },
    { "SandyBridge-IBRS", "Intel" }, { "IvyBridge", "Intel" }, { "IvyBridge-IBRS", "Intel" },
    { "Haswell-noTSX", "Intel" }, { "Haswell-noTSX-IBRS", "Intel" }, { "Haswell", "Intel" },
    { "Haswell-IBRS", "Intel" }, { "Broadwell-noTSX", "Intel" }, { "Broadwell-noTSX-IBRS", "Intel" },
    { "Broadwell", "Intel" }, { "Broadwell-IBRS", "Intel" }, { "Skylake-Client", "Intel" },
    { "Skylake-Client-IBRS", "Intel" }, { "Skylake-Client-noTSX-IBRS", "Intel" },
    { "Skylake-Server", "Intel" }, { "Skylake-Server-IBRS", "Intel" }, { "Skylake-Server-noTSX-IBRS", "Intel" },
    { "Cascadelake-Server", "Intel" }, { "Cascadelake-Server-noTSX", "Intel" }, { "Icelake-Server", "Intel" },
    { "Icelake-Server-noTSX", "Intel" }, { "Cooperlake", "Intel" }, { "Snowridge", "Intel" },
    { "SapphireRapids", "Intel" },
    { "athlon", "AMD" }, { "phenom", "AMD" }, { "Opteron_G1", "AMD" }, { "Opteron_G2", "AMD" },
    { "Opteron_G3", "AMD" }, { "Opteron_G4", "AMD" }, { "Opteron_G5", "AMD" }, { "EPYC", "AMD" },
    { "EPYC-IBPB", "AMD" }, { "EPYC-Rome", "AMD" }, { "EPYC-Milan", "AMD" }, { "Dhyana", "Hygon" },
};

/* libvirt's virArch names. */
static const char *const known_arches[] = {
    "i686", "x86_64", "aarch64", "alpha", "armv6l", "armv7l", "armv7b", "cris", "loongarch64", "lm32",
    "m68k", "microblaze", "microblazeel", "mips", "mipsel", "mips64", "mips64el", "openrisc", "parisc",
    "parisc64", "ppc", "ppcle", "ppc64", "ppc64le", "ppcemb", "riscv32", "riscv64", "s390", "s390x",
    "sh4", "sh4eb", "sparc", "sparc64", "unicore32", "xtensa", "xtensaeb",
};

static bool arch_is_x86(const char *arch)
{
    return streq(arch, "i686") || streq(arch, "x86_64");
}

static bool arch_is_known(const char *arch)
{
    for (size_t i = 0; i < ARRAY_SIZE(known_arches); i++)
        if (streq(arch, known_arches[i]))
            return true;
    return false;
}

static int check_model_arch(const char *arch, struct vb_error *err)
{
    if (!arch_is_known(arch))
        return vb_error_set(err, VB_ERR_INVALID_ARG, "cannot find architecture %s", arch);
    if (!arch_is_x86(arch))
        return vb_error_set(err, VB_ERR_NO_SUPPORT, "'%s' architecture is not supported by CPU driver", arch);
    return 0;
}

static int test_get_cpu_model_names(void *priv, struct vb_call *call, const char *arch, unsigned int flags,
                                    char ***models, size_t *n)
{
    struct vb_error *err = &call->err;
    char **names;

    VB_CHECK_FLAGS(flags, 0, err);
    if (check_model_arch(arch, err) < 0)
        return -1;
    names = calloc(ARRAY_SIZE(x86_models) + 1, sizeof(*names));
    if (!names)
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    for (size_t i = 0; i < ARRAY_SIZE(x86_models); i++) {
        names[i] = strdup(x86_models[i].name);
        if (!names[i]) {
            for (size_t j = 0; j < i; j++)
                free(names[j]);
            free(names);
            return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
        }
    }
    *models = names;
    *n = ARRAY_SIZE(x86_models);
    return test_done(priv, call, 0);
}

/* A host CPU definition as BaselineCPU takes it (libvirt's virCPUDefParseXML, host type). */
struct host_cpu {
    xmlDocPtr doc;
    xmlNodePtr root;
    const struct cpu_model *model;
};

static const struct cpu_model *find_x86_model(const char *name)
{
    for (size_t i = 0; i < ARRAY_SIZE(x86_models); i++)
        if (streq(name, x86_models[i].name))
            return &x86_models[i];
    return NULL;
}

static int check_host_cpu_arch(xmlNodePtr root, struct vb_error *err)
{
    _cleanup_free_ char *arch = vb_xml_content(vb_xml_child(root, "arch"));

    if (!arch)
        return vb_error_set(err, VB_ERR_XML_ERROR, "Missing CPU architecture");
    if (!arch_is_known(arch))
        return vb_error_set(err, VB_ERR_CONFIG_UNSUPPORTED, "Unknown architecture %s", arch);
    if (!arch_is_x86(arch))
        return vb_error_set(err, VB_ERR_NO_SUPPORT, "cannot compute baseline CPU of %s architecture", arch);
    return 0;
}

#define FEATURE_NAME_CHARS "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-"

static int check_host_cpu_features(xmlNodePtr root, struct vb_error *err)
{
    for (xmlNodePtr n = root->children; n; n = n->next) {
        _cleanup_free_ char *name = NULL;

        if (!vb_xml_is_element(n, "feature"))
            continue;
        name = vb_xml_prop(n, "name");
        if (!name || !*name)
            return vb_error_set(err, VB_ERR_XML_ERROR, "Missing 'name' attribute for CPU feature");
        /* cpu_map's feature names; anything else cannot be a feature (nor needs escaping). */
        if (name[strspn(name, FEATURE_NAME_CHARS)] != '\0')
            return vb_error_set(err, VB_ERR_INTERNAL_ERROR, "Unknown CPU feature %s", name);
    }
    return 0;
}

static int parse_host_cpu(const char *xml, struct host_cpu *cpu, struct vb_error *err)
{
    _cleanup_free_ char *model = NULL;

    cpu->doc = vb_xml_parse_string(xml, "(CPU_definition)", err);
    if (!cpu->doc)
        return -1;
    cpu->root = xmlDocGetRootElement(cpu->doc);
    if (!vb_xml_is_element(cpu->root, "cpu"))
        return vb_error_set(err, VB_ERR_XML_ERROR, "XML does not contain expected 'cpu' element");
    if (check_host_cpu_arch(cpu->root, err) < 0)
        return -1;
    model = vb_xml_content(vb_xml_child(cpu->root, "model"));
    if (!model)
        return vb_error_set(err, VB_ERR_XML_ERROR, "Missing CPU model name");
    cpu->model = find_x86_model(model);
    if (!cpu->model)
        return vb_error_set(err, VB_ERR_INTERNAL_ERROR, "Unknown CPU model %s", model);
    return check_host_cpu_features(cpu->root, err);
}

static bool cpu_has_feature(const struct host_cpu *cpu, const char *feature)
{
    for (xmlNodePtr n = cpu->root->children; n; n = n->next) {
        _cleanup_free_ char *name = vb_xml_is_element(n, "feature") ? vb_xml_prop(n, "name") : NULL;

        if (name && streq(name, feature))
            return true;
    }
    return false;
}

/* A feature stays in the baseline when every CPU has it. */
static void format_common_features(struct vb_buf *buf, const struct host_cpu *cpus, size_t n)
{
    for (xmlNodePtr f = cpus[0].root->children; f; f = f->next) {
        _cleanup_free_ char *name = vb_xml_is_element(f, "feature") ? vb_xml_prop(f, "name") : NULL;
        bool common = name != NULL;

        for (size_t i = 1; common && i < n; i++)
            common = cpu_has_feature(&cpus[i], name);
        if (common)
            vb_buf_addf(buf, "  <feature policy='require' name='%s'/>\n", name);
    }
}

/* The most compatible model of the set: generic models before vendor ones, older first. */
static const struct cpu_model *baseline_model(const struct host_cpu *cpus, size_t n, struct vb_error *err)
{
    const struct cpu_model *best = NULL;
    const char *vendor = NULL;

    for (size_t i = 0; i < n; i++) {
        const struct cpu_model *m = cpus[i].model;

        if (m->vendor && vendor && !streq(m->vendor, vendor)) {
            vb_error_set(err, VB_ERR_OPERATION_FAILED, "CPU vendors do not match");
            return NULL;
        }
        if (m->vendor)
            vendor = m->vendor;
        if (!best || (!m->vendor && best->vendor) || (!m->vendor == !best->vendor && m < best))
            best = m;
    }
    return best;
}

static char *format_baseline(const struct host_cpu *cpus, size_t n, struct vb_error *err)
{
    const struct cpu_model *model = baseline_model(cpus, n, err);
    struct vb_buf buf = { 0 };

    if (!model)
        return NULL;
    vb_buf_addf(&buf, "<cpu mode='custom' match='exact'>\n  <model fallback='forbid'>%s</model>\n", model->name);
    if (model->vendor)
        vb_buf_addf(&buf, "  <vendor>%s</vendor>\n", model->vendor);
    format_common_features(&buf, cpus, n);
    vb_buf_add(&buf, "</cpu>\n");
    return vb_buf_steal(&buf, err);
}

/* libvirt's testConnectBaselineCPU over a fixed x86 model list: the result is the oldest input
 * model with the features every input shares. */
static int test_baseline_cpu(void *priv, struct vb_call *call, const char *const *xml_cpus, size_t n,
                             unsigned int flags, char **xml)
{
    struct vb_error *err = &call->err;
    struct host_cpu *cpus;
    size_t parsed = 0;

    VB_CHECK_FLAGS(flags, VB_BASELINE_CPU_EXPAND_FEATURES, err);
    if (n < 1)
        return vb_error_set(err, VB_ERR_INVALID_ARG, "no CPUs given");
    cpus = calloc(n, sizeof(*cpus));
    if (!cpus)
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    while (parsed < n && parse_host_cpu(xml_cpus[parsed], &cpus[parsed], err) == 0)
        parsed++;
    *xml = parsed == n ? format_baseline(cpus, n, err) : NULL;
    for (size_t i = 0; i < n; i++)
        xmlFreeDoc(cpus[i].doc);
    free(cpus);
    return test_done(priv, call, *xml ? 0 : -1);
}

/* libvirt's testNodeGetCPUStats: fixed counters whatever the CPU (nanoseconds). */
static int test_get_cpu_stats(void *priv, struct vb_call *call, int cpu_num, unsigned int flags,
                              struct vb_node_stat **stats, size_t *n)
{
    static const struct vb_node_stat fixed[] = {
        { "user", 9797400000ull },
        { "kernel", 34678723400000ull },
        { "idle", 87264900000ull },
        { "iowait", 763600000ull },
    };
    struct test_conn *conn = priv;
    struct vb_error *err = &call->err;
    struct vb_node_stat *out;

    VB_CHECK_FLAGS(flags, 0, err);
    /* libvirt's test driver ignores cpuNum; a real host refuses a CPU it does not have. */
    if (cpu_num != VB_NODE_ALL_CPUS && (unsigned int) cpu_num >= conn->node.cpus)
        return vb_error_set(err, VB_ERR_INVALID_ARG, "Invalid cpuNum in virNodeGetCPUStats");
    out = malloc(sizeof(fixed));
    if (!out)
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    memcpy(out, fixed, sizeof(fixed));
    *stats = out;
    *n = ARRAY_SIZE(fixed);
    return test_done(conn, call, 0);
}

/* libvirt's testNodeGetFreeMemory: the sum of the cells' free memory. */
static int test_get_free_memory(void *priv, struct vb_call *call, uint64_t *bytes)
{
    struct test_conn *conn = priv;
    uint64_t total = 0;

    for (int i = 0; i < test_cell_count(conn); i++)
        total += test_cell_free_memory(i);
    *bytes = total;
    return test_done(conn, call, 0);
}

static int test_get_cpu_map(void *priv, struct vb_call *call, unsigned int flags, bool **map, unsigned int *ncpus,
                            unsigned int *online)
{
    struct vb_error *err = &call->err;
    bool *bits;

    VB_CHECK_FLAGS(flags, 0, err);
    bits = calloc(TEST_HOST_MAP_CPUS, sizeof(*bits));
    if (!bits)
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    for (unsigned int i = 0; i < TEST_HOST_MAP_CPUS; i++)
        bits[i] = (TEST_CPUMAP_BITS >> i) & 1;
    *map = bits;
    *ncpus = TEST_HOST_MAP_CPUS;
    *online = 3;
    return test_done(priv, call, 0);
}

static int test_get_security_model(void *priv, struct vb_call *call, struct vb_security_model *model)
{
    snprintf(model->model, sizeof(model->model), "%s", "testSecurity");
    model->doi[0] = '\0';
    return test_done(priv, call, 0);
}

/* libvirt's test driver has no node memory statistics, memory parameters, CPU comparison or
 * domain capabilities: those slots stay NULL and the API answers "not supported". */
const struct vb_node_driver vb_test_node_driver = {
    .get_capabilities = test_get_capabilities,
    .get_sysinfo = test_get_sysinfo,
    .get_cpu_model_names = test_get_cpu_model_names,
    .baseline_cpu = test_baseline_cpu,
    .get_cpu_stats = test_get_cpu_stats,
    .get_free_memory = test_get_free_memory,
    .get_cpu_map = test_get_cpu_map,
    .get_security_model = test_get_security_model,
};
