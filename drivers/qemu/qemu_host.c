/* The QEMU driver's host calls (node facts from /proc, capabilities) and the secondary tables
 * that list nothing yet: networks, node devices and interfaces answer empty lists, as a fresh
 * libvirt host would, so clients such as cockpit-machines load (snapshots: qemu_snapshot.c). */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "drivers/domain_registry.h"
#include "drivers/driver_host_devices.h"
#include "drivers/driver_network.h"
#include "drivers/driver_node.h"
#include "drivers/driver_storage.h"
#include "drivers/qemu/qemu_driver_private.h"
#include "util/macros.h"

/* A value in KiB from /proc/meminfo ("MemTotal:  16318196 kB"), or 0 when absent. */
static uint64_t meminfo_kib(const char *text, const char *key)
{
    const char *line = text;
    size_t len = strlen(key);

    while (line && *line) {
        if (strncmp(line, key, len) == 0 && line[len] == ':')
            return strtoull(line + len + 1, NULL, 10);
        line = strchr(line, '\n');
        if (line)
            line++;
    }
    return 0;
}

static char *read_small_file(const char *path, struct vb_error *err)
{
    FILE *f = fopen(path, "re");
    char *text = NULL;
    size_t size = 0;
    ssize_t r;

    if (!f) {
        vb_error_set_errno(err, errno, "cannot read %s", path);
        return NULL;
    }
    r = getdelim(&text, &size, '\0', f);
    fclose(f);
    if (r < 0) {
        free(text);
        vb_error_set_errno(err, errno, "cannot read %s", path);
        return NULL;
    }
    return text;
}

/* libvirt's virNodeGetMemoryStats for all cells: total, free, buffers, cached (KiB). */
static int qemu_get_memory_stats(void *priv, struct vb_call *call, int cell_num, unsigned int flags,
                                 struct vb_node_stat **stats, size_t *n)
{
    static const char *const fields[][2] = {
        { "total", "MemTotal" }, { "free", "MemFree" }, { "buffers", "Buffers" }, { "cached", "Cached" },
    };
    _cleanup_free_ char *text = NULL;
    struct vb_node_stat *out;

    VB_CHECK_FLAGS(flags, 0, &call->err);
    if (cell_num != VB_NODE_ALL_CELLS && cell_num != 0)
        return vb_error_set(&call->err, VB_ERR_INVALID_ARG, "Invalid cell number");
    if (!(text = read_small_file("/proc/meminfo", &call->err)))
        return -1;
    out = calloc(ARRAY_SIZE(fields), sizeof(*out));
    if (!out)
        return vb_error_set(&call->err, VB_ERR_NO_MEMORY, NULL);
    for (size_t i = 0; i < ARRAY_SIZE(fields); i++) {
        snprintf(out[i].field, sizeof(out[i].field), "%s", fields[i][0]);
        out[i].value = meminfo_kib(text, fields[i][1]);
    }
    *stats = out;
    *n = ARRAY_SIZE(fields);
    return 0;
}

static int qemu_get_free_memory(void *priv, struct vb_call *call, uint64_t *bytes)
{
    _cleanup_free_ char *text = read_small_file("/proc/meminfo", &call->err);

    if (!text)
        return -1;
    *bytes = meminfo_kib(text, "MemFree") * 1024u;
    return 0;
}

/* The first "cpu MHz" of /proc/cpuinfo, 0 when there is none. */
static unsigned int cpu_mhz(void)
{
    struct vb_error err = VB_ERROR_INIT;
    _cleanup_free_ char *text = read_small_file("/proc/cpuinfo", &err);
    const char *p = text ? strstr(text, "cpu MHz") : NULL;

    vb_error_clear(&err);
    p = p ? strchr(p, ':') : NULL;
    return p ? (unsigned int) strtoul(p + 1, NULL, 10) : 0;
}

int qemu_node_get_info(void *priv, struct vb_call *call, struct vb_node_info *info)
{
    _cleanup_free_ char *text = read_small_file("/proc/meminfo", &call->err);
    struct utsname uts;
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);

    if (!text)
        return -1;
    uname(&uts);
    *info = (struct vb_node_info){ .memory_kib = meminfo_kib(text, "MemTotal"), .cpus = cpus > 0 ? (unsigned) cpus : 1,
                                   .mhz = cpu_mhz(), .nodes = 1, .sockets = 1, .threads = 1 };
    info->cores = info->cpus;
    snprintf(info->model, sizeof(info->model), "%.31s", uts.machine);
    return 0;
}

char *qemu_get_hostname(void *priv, struct vb_error *err)
{
    return vb_registry_hostname(err);
}

static int qemu_get_capabilities(void *priv, struct vb_call *call, char **xml)
{
    const struct qemu_caps *caps = qemu_conn_caps(priv, &call->err);

    *xml = caps ? qemu_caps_format_host(caps, &call->err) : NULL;
    return *xml ? 0 : -1;
}

static int qemu_get_domain_capabilities(void *priv, struct vb_call *call, const char *emulatorbin,
                                        const char *arch, const char *machine, const char *virttype,
                                        unsigned int flags, char **xml)
{
    struct vb_error *err = &call->err;
    const struct qemu_caps *caps;

    VB_CHECK_FLAGS(flags, 0, err);
    if (emulatorbin && *emulatorbin && !streq(emulatorbin, QEMU_EMULATOR))
        return vb_error_set(err, VB_ERR_INVALID_ARG, "emulator '%s' does not support arch '%s'", emulatorbin,
                            arch && *arch ? arch : "x86_64");
    if (arch && *arch && !streq(arch, "x86_64"))
        return vb_error_set(err, VB_ERR_INVALID_ARG, "unable to find any emulator to serve '%s' architecture", arch);
    if (!(caps = qemu_conn_caps(priv, err)))
        return -1;
    *xml = qemu_caps_format_domain(caps, machine && *machine ? machine : NULL,
                                   virttype && *virttype ? virttype : NULL, err);
    return *xml ? 0 : -1;
}

const struct vb_node_driver qemu_node_driver = {
    .get_capabilities = qemu_get_capabilities,
    .get_domain_capabilities = qemu_get_domain_capabilities,
    .get_memory_stats = qemu_get_memory_stats,
    .get_free_memory = qemu_get_free_memory,
};

/* --- tables that list nothing yet ------------------------------------------------------- */

static int list_no_objects(void *priv, unsigned int flags, struct vb_object_ref **refs, size_t *n,
                           struct vb_error *err)
{
    *refs = calloc(1, sizeof(**refs));
    *n = 0;
    return *refs ? 0 : vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
}

const struct vb_network_driver qemu_network_driver = { .list = list_no_objects };
const struct vb_nodedev_driver qemu_nodedev_driver = { .list = list_no_objects };
const struct vb_interface_driver qemu_interface_driver = { .list = list_no_objects };
