/* The node driver table: host facts and host-wide calls (capabilities, CPU models, node
 * statistics, memory tunables), as libvirt's node* and connectGet* hypervisor slots. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "drivers/driver.h"
#include "util/error.h"
#include "util/typed_params.h"

/* One named counter of NodeGetCPUStats / NodeGetMemoryStats (virNodeCPUStats). */
#define VB_NODE_STATS_FIELD_LENGTH 80
struct vb_node_stat {
    char field[VB_NODE_STATS_FIELD_LENGTH];
    uint64_t value;
};

/* libvirt's virSecurityModel. */
#define VB_SECURITY_MODEL_BUFLEN 257
struct vb_security_model {
    char model[VB_SECURITY_MODEL_BUFLEN];
    char doi[VB_SECURITY_MODEL_BUFLEN];
};

/* libvirt's VIR_NODE_CPU_STATS_ALL_CPUS / VIR_NODE_MEMORY_STATS_ALL_CELLS. */
#define VB_NODE_ALL_CPUS (-1)
#define VB_NODE_ALL_CELLS (-1)

/* libvirt's virCPUCompareResult. */
enum vb_cpu_compare_result {
    VB_CPU_COMPARE_ERROR = -1,
    VB_CPU_COMPARE_INCOMPATIBLE = 0,
    VB_CPU_COMPARE_IDENTICAL = 1,
    VB_CPU_COMPARE_SUPERSET = 2,
};

enum { VB_BASELINE_CPU_EXPAND_FEATURES = 1 << 0, VB_BASELINE_CPU_MIGRATABLE = 1 << 1 };

/* Every slot may be NULL ("not supported"). Operation slots as in drivers/driver.h: the call,
 * inputs, then outputs (malloc'd, owned by the caller, written before the call ends). */
struct vb_node_driver {
    int (*get_capabilities)(void *priv, struct vb_call *call, char **xml);
    /* Any of emulatorbin, arch, machine, virttype may be NULL (the driver's default). */
    int (*get_domain_capabilities)(void *priv, struct vb_call *call, const char *emulatorbin, const char *arch,
                                   const char *machine, const char *virttype, unsigned int flags, char **xml);
    int (*get_sysinfo)(void *priv, struct vb_call *call, unsigned int flags, char **xml);
    /* *models is a NULL-terminated array of *n names. */
    int (*get_cpu_model_names)(void *priv, struct vb_call *call, const char *arch, unsigned int flags,
                               char ***models, size_t *n);
    int (*baseline_cpu)(void *priv, struct vb_call *call, const char *const *xml_cpus, size_t n, unsigned int flags,
                        char **xml);
    /* *result: an enum vb_cpu_compare_result other than VB_CPU_COMPARE_ERROR. */
    int (*compare_cpu)(void *priv, struct vb_call *call, const char *xml, unsigned int flags, int *result);

    /* cpu_num / cell_num: an index or VB_NODE_ALL_CPUS / VB_NODE_ALL_CELLS. */
    int (*get_cpu_stats)(void *priv, struct vb_call *call, int cpu_num, unsigned int flags,
                         struct vb_node_stat **stats, size_t *n);
    int (*get_memory_stats)(void *priv, struct vb_call *call, int cell_num, unsigned int flags,
                            struct vb_node_stat **stats, size_t *n);
    int (*get_free_memory)(void *priv, struct vb_call *call, uint64_t *bytes);
    /* *map holds *ncpus entries (the host's CPUs), *online the count set. */
    int (*get_cpu_map)(void *priv, struct vb_call *call, unsigned int flags, bool **map, unsigned int *ncpus,
                       unsigned int *online);
    int (*get_memory_parameters)(void *priv, struct vb_call *call, unsigned int flags,
                                 struct vb_typed_params *params);
    int (*set_memory_parameters)(void *priv, struct vb_call *call, const struct vb_typed_params *params,
                                 unsigned int flags);
    int (*get_security_model)(void *priv, struct vb_call *call, struct vb_security_model *model);
};
