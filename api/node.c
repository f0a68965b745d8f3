/* The public node API: argument checks as libvirt's libvirt-host.c, dispatch to the node table. */
#include <stdlib.h>
#include <string.h>

#include "api/checks.h"
#include "api/dispatch.h"
#include "api/node.h"

/* The driver's node slot, or NULL for a driver without a node table or without that slot. */
#define NODE_SLOT(conn, slot) ((conn)->driver->node ? (conn)->driver->node->slot : NULL)

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

int vb_node_get_domain_capabilities(struct vb_connect *conn, struct vb_call *call, const char *emulatorbin,
                                    const char *arch, const char *machine, const char *virttype, unsigned int flags,
                                    char **xml)
{
    *xml = NULL;
    return VB_CALL_SLOT(conn, call, VB_OP_CONNECT_GET_DOMAIN_CAPABILITIES, NODE_SLOT(conn, get_domain_capabilities),
                        emulatorbin, arch, machine, virttype, flags, xml);
}

int vb_node_get_sysinfo(struct vb_connect *conn, struct vb_call *call, unsigned int flags, char **xml)
{
    *xml = NULL;
    return VB_CALL_SLOT(conn, call, VB_OP_CONNECT_GET_SYSINFO, NODE_SLOT(conn, get_sysinfo), flags, xml);
}

int vb_node_get_cpu_model_names(struct vb_connect *conn, struct vb_call *call, const char *arch, unsigned int flags,
                                char ***models, size_t *n)
{
    *models = NULL;
    *n = 0;
    if (!arch)
        return vb_error_set(&call->err, VB_ERR_INVALID_ARG, "arch in virConnectGetCPUModelNames must not be NULL");
    return VB_CALL_SLOT(conn, call, VB_OP_CONNECT_GET_CPU_MODEL_NAMES, NODE_SLOT(conn, get_cpu_model_names), arch,
                        flags, models, n);
}

int vb_node_baseline_cpu(struct vb_connect *conn, struct vb_call *call, const char *const *xml_cpus, size_t n,
                         unsigned int flags, char **xml)
{
    *xml = NULL;
    if (!xml_cpus)
        return vb_error_set(&call->err, VB_ERR_INVALID_ARG, "xmlCPUs in virConnectBaselineCPU must not be NULL");
    return VB_CALL_SLOT(conn, call, VB_OP_CONNECT_BASELINE_CPU, NODE_SLOT(conn, baseline_cpu), xml_cpus, n, flags,
                        xml);
}

int vb_node_compare_cpu(struct vb_connect *conn, struct vb_call *call, const char *xml, unsigned int flags,
                        int *result)
{
    *result = VB_CPU_COMPARE_ERROR;
    if (!xml)
        return vb_error_set(&call->err, VB_ERR_INVALID_ARG, "xmlDesc in virConnectCompareCPU must not be NULL");
    return VB_CALL_SLOT(conn, call, VB_OP_CONNECT_COMPARE_CPU, NODE_SLOT(conn, compare_cpu), xml, flags, result);
}

int vb_node_get_cpu_stats(struct vb_connect *conn, struct vb_call *call, int cpu_num, unsigned int flags,
                          struct vb_node_stat **stats, size_t *n)
{
    *stats = NULL;
    *n = 0;
    if (check_index(cpu_num, "cpuNum", "virNodeGetCPUStats", &call->err) < 0)
        return -1;
    return VB_CALL_SLOT(conn, call, VB_OP_NODE_GET_CPU_STATS, NODE_SLOT(conn, get_cpu_stats), cpu_num, flags, stats,
                        n);
}

int vb_node_get_memory_stats(struct vb_connect *conn, struct vb_call *call, int cell_num, unsigned int flags,
                             struct vb_node_stat **stats, size_t *n)
{
    *stats = NULL;
    *n = 0;
    if (check_index(cell_num, "cellNum", "virNodeGetMemoryStats", &call->err) < 0)
        return -1;
    return VB_CALL_SLOT(conn, call, VB_OP_NODE_GET_MEMORY_STATS, NODE_SLOT(conn, get_memory_stats), cell_num, flags,
                        stats, n);
}

int vb_node_get_free_memory(struct vb_connect *conn, struct vb_call *call, uint64_t *bytes)
{
    return VB_CALL_SLOT(conn, call, VB_OP_NODE_GET_FREE_MEMORY, NODE_SLOT(conn, get_free_memory), bytes);
}

int vb_node_get_cpu_map(struct vb_connect *conn, struct vb_call *call, unsigned int flags, bool **map,
                        unsigned int *ncpus, unsigned int *online)
{
    *map = NULL;
    return VB_CALL_SLOT(conn, call, VB_OP_NODE_GET_CPU_MAP, NODE_SLOT(conn, get_cpu_map), flags, map, ncpus, online);
}

int vb_node_get_memory_parameters(struct vb_connect *conn, struct vb_call *call, unsigned int flags,
                                  struct vb_typed_params *params)
{
    return VB_CALL_SLOT(conn, call, VB_OP_NODE_GET_MEMORY_PARAMETERS, NODE_SLOT(conn, get_memory_parameters), flags,
                        params);
}

int vb_node_set_memory_parameters(struct vb_connect *conn, struct vb_call *call, const struct vb_typed_params *params,
                                  unsigned int flags)
{
    /* libvirt-dbus hands libvirt a NULL array for an empty a{sv}. */
    if (!params || params->n == 0)
        return vb_error_set(&call->err, VB_ERR_INVALID_ARG, "params in virNodeSetMemoryParameters must not be NULL");
    return VB_CALL_SLOT(conn, call, VB_OP_NODE_SET_MEMORY_PARAMETERS, NODE_SLOT(conn, set_memory_parameters), params,
                        flags);
}

int vb_node_get_security_model(struct vb_connect *conn, struct vb_call *call, struct vb_security_model *model)
{
    memset(model, 0, sizeof(*model));
    return VB_CALL_SLOT(conn, call, VB_OP_NODE_GET_SECURITY_MODEL, NODE_SLOT(conn, get_security_model), model);
}
