/* The public node API: host facts, CPU models, node statistics and memory tunables.
 * Operations as in api/domain.h. */
#pragma once

#include "api/connect.h"
#include "drivers/driver_node.h"

int vb_node_get_domain_capabilities(struct vb_connect *conn, struct vb_call *call, const char *emulatorbin,
                                    const char *arch, const char *machine, const char *virttype, unsigned int flags,
                                    char **xml);
int vb_node_get_sysinfo(struct vb_connect *conn, struct vb_call *call, unsigned int flags, char **xml);
int vb_node_get_cpu_model_names(struct vb_connect *conn, struct vb_call *call, const char *arch, unsigned int flags,
                                char ***models, size_t *n);
int vb_node_baseline_cpu(struct vb_connect *conn, struct vb_call *call, const char *const *xml_cpus, size_t n,
                         unsigned int flags, char **xml);
/* *result: an enum vb_cpu_compare_result. */
int vb_node_compare_cpu(struct vb_connect *conn, struct vb_call *call, const char *xml, unsigned int flags,
                        int *result);
int vb_node_get_cpu_stats(struct vb_connect *conn, struct vb_call *call, int cpu_num, unsigned int flags,
                          struct vb_node_stat **stats, size_t *n);
int vb_node_get_memory_stats(struct vb_connect *conn, struct vb_call *call, int cell_num, unsigned int flags,
                             struct vb_node_stat **stats, size_t *n);
int vb_node_get_free_memory(struct vb_connect *conn, struct vb_call *call, uint64_t *bytes);
/* *map has *ncpus entries (malloc'd), one per host CPU. */
int vb_node_get_cpu_map(struct vb_connect *conn, struct vb_call *call, unsigned int flags, bool **map,
                        unsigned int *ncpus, unsigned int *online);
int vb_node_get_memory_parameters(struct vb_connect *conn, struct vb_call *call, unsigned int flags,
                                  struct vb_typed_params *params);
int vb_node_set_memory_parameters(struct vb_connect *conn, struct vb_call *call, const struct vb_typed_params *params,
                                  unsigned int flags);
int vb_node_get_security_model(struct vb_connect *conn, struct vb_call *call, struct vb_security_model *model);

/* Frees a NULL-terminated string array such as GetCPUModelNames' result. */
void vb_strv_free(char **strv);
