/* The public node API: argument checks as libvirt's libvirt-host.c, dispatch to the node table. */
#include <stdlib.h>
#include <string.h>

#include "api/checks.h"
#include "api/node.h"

/* The driver's node slot, or NULL for a driver without a node table or without that slot. */
#define NODE_FN(conn, slot) ((conn)->driver->node ? (conn)->driver->node->slot : NULL)
#define NODE_FN_TYPE(conn, slot) __typeof__((conn)->driver->node->slot)

void vb_strv_free(char **strv)
{
    for (char **p = strv; p && *p; p++)
        free(*p);
    free(strv);
}

/* libvirt's check on cpuNum / cellNum: an index, or -1 for all. */
static int check_index(int index, const char *name, const char *api, struct vb_error *err)
{
    if (index < 0 && index != -1)
        return vb_error_set(err, VB_ERR_INVALID_ARG, "%s in %s only accepts %d as a negative value", name, api, -1);
    return 0;
}

char *vb_node_get_domain_capabilities(struct vb_connect *conn, const char *emulatorbin, const char *arch,
                                      const char *machine, const char *virttype, unsigned int flags,
                                      struct vb_error *err)
{
    NODE_FN_TYPE(conn, get_domain_capabilities) fn = NODE_FN(conn, get_domain_capabilities);

    if (!fn) {
        vb_check_report_unsupported("virConnectGetDomainCapabilities", err);
        return NULL;
    }
    return fn(conn->priv, emulatorbin, arch, machine, virttype, flags, err);
}

char *vb_node_get_sysinfo(struct vb_connect *conn, unsigned int flags, struct vb_error *err)
{
    NODE_FN_TYPE(conn, get_sysinfo) fn = NODE_FN(conn, get_sysinfo);

    if (!fn) {
        vb_check_report_unsupported("virConnectGetSysinfo", err);
        return NULL;
    }
    return fn(conn->priv, flags, err);
}

int vb_node_get_cpu_model_names(struct vb_connect *conn, const char *arch, unsigned int flags, char ***models,
                                size_t *n, struct vb_error *err)
{
    NODE_FN_TYPE(conn, get_cpu_model_names) fn = NODE_FN(conn, get_cpu_model_names);

    if (!arch)
        return vb_error_set(err, VB_ERR_INVALID_ARG, "arch in virConnectGetCPUModelNames must not be NULL");
    if (!fn)
        return vb_check_report_unsupported("virConnectGetCPUModelNames", err);
    return fn(conn->priv, arch, flags, models, n, err);
}

char *vb_node_baseline_cpu(struct vb_connect *conn, const char *const *xml_cpus, size_t n, unsigned int flags,
                           struct vb_error *err)
{
    NODE_FN_TYPE(conn, baseline_cpu) fn = NODE_FN(conn, baseline_cpu);

    if (!xml_cpus) {
        vb_error_set(err, VB_ERR_INVALID_ARG, "xmlCPUs in virConnectBaselineCPU must not be NULL");
        return NULL;
    }
    if (!fn) {
        vb_check_report_unsupported("virConnectBaselineCPU", err);
        return NULL;
    }
    return fn(conn->priv, xml_cpus, n, flags, err);
}

int vb_node_compare_cpu(struct vb_connect *conn, const char *xml, unsigned int flags, struct vb_error *err)
{
    NODE_FN_TYPE(conn, compare_cpu) fn = NODE_FN(conn, compare_cpu);

    if (!xml)
        return vb_error_set(err, VB_ERR_INVALID_ARG, "xmlDesc in virConnectCompareCPU must not be NULL");
    if (!fn)
        return vb_check_report_unsupported("virConnectCompareCPU", err);
    return fn(conn->priv, xml, flags, err);
}

int vb_node_get_cpu_stats(struct vb_connect *conn, int cpu_num, unsigned int flags, struct vb_node_stat **stats,
                          size_t *n, struct vb_error *err)
{
    NODE_FN_TYPE(conn, get_cpu_stats) fn = NODE_FN(conn, get_cpu_stats);

    if (check_index(cpu_num, "cpuNum", "virNodeGetCPUStats", err) < 0)
        return -1;
    if (!fn)
        return vb_check_report_unsupported("virNodeGetCPUStats", err);
    return fn(conn->priv, cpu_num, flags, stats, n, err);
}

int vb_node_get_memory_stats(struct vb_connect *conn, int cell_num, unsigned int flags,
                             struct vb_node_stat **stats, size_t *n, struct vb_error *err)
{
    NODE_FN_TYPE(conn, get_memory_stats) fn = NODE_FN(conn, get_memory_stats);

    if (check_index(cell_num, "cellNum", "virNodeGetMemoryStats", err) < 0)
        return -1;
    if (!fn)
        return vb_check_report_unsupported("virNodeGetMemoryStats", err);
    return fn(conn->priv, cell_num, flags, stats, n, err);
}

int vb_node_get_free_memory(struct vb_connect *conn, uint64_t *bytes, struct vb_error *err)
{
    NODE_FN_TYPE(conn, get_free_memory) fn = NODE_FN(conn, get_free_memory);

    if (!fn)
        return vb_check_report_unsupported("virNodeGetFreeMemory", err);
    return fn(conn->priv, bytes, err);
}

int vb_node_get_cpu_map(struct vb_connect *conn, unsigned int flags, bool **map, unsigned int *online,
                        struct vb_error *err)
{
    NODE_FN_TYPE(conn, get_cpu_map) fn = NODE_FN(conn, get_cpu_map);

    if (!fn)
        return vb_check_report_unsupported("virNodeGetCPUMap", err);
    return fn(conn->priv, flags, map, online, err);
}

int vb_node_get_memory_parameters(struct vb_connect *conn, unsigned int flags, struct vb_typed_params *params,
                                  struct vb_error *err)
{
    NODE_FN_TYPE(conn, get_memory_parameters) fn = NODE_FN(conn, get_memory_parameters);

    if (!fn)
        return vb_check_report_unsupported("virNodeGetMemoryParameters", err);
    return fn(conn->priv, flags, params, err);
}

int vb_node_set_memory_parameters(struct vb_connect *conn, const struct vb_typed_params *params, unsigned int flags,
                                  struct vb_error *err)
{
    NODE_FN_TYPE(conn, set_memory_parameters) fn = NODE_FN(conn, set_memory_parameters);

    /* libvirt-dbus hands libvirt a NULL array for an empty a{sv}. */
    if (!params || params->n == 0)
        return vb_error_set(err, VB_ERR_INVALID_ARG, "params in virNodeSetMemoryParameters must not be NULL");
    if (!fn)
        return vb_check_report_unsupported("virNodeSetMemoryParameters", err);
    return fn(conn->priv, params, flags, err);
}

int vb_node_get_security_model(struct vb_connect *conn, struct vb_security_model *model, struct vb_error *err)
{
    NODE_FN_TYPE(conn, get_security_model) fn = NODE_FN(conn, get_security_model);

    if (!fn)
        return vb_check_report_unsupported("virNodeGetSecurityModel", err);
    memset(model, 0, sizeof(*model));
    return fn(conn->priv, model, err);
}
