/* The QMF objects of a host as object maps. */
#pragma once

#include "bus/frontend.h"
#include "drivers/driver.h"

#define BUS_QMF_OBJECT_NAME_MAX 48

const char *bus_qmf_state_name(int state);
void bus_qmf_domain_object_name(const unsigned char uuid[VB_UUID_LEN], char out[BUS_QMF_OBJECT_NAME_MAX]);
/* The map entries every object starts with: _object_id, _schema_id, timestamps. */
void bus_qmf_put_header(const struct bus_agent *agent, pn_data_t *data, const char *class_name, const char *object_name);
/* Each appends one whole object map. */
void bus_qmf_put_node(const struct bus_agent *agent, pn_data_t *data, const struct vb_node_info *info);
void bus_qmf_put_domain(const struct bus_agent *agent, pn_data_t *data, const struct vb_domain_info *info);

/* Pools, volumes and networks (bus/qmf_storage_objects.c), from the core's references; their
 * object names ("pool:<uuid>", "volume:<key>", "network:<uuid>") malloc'd, NULL when out of memory. */
struct vb_object_ref;
char *bus_qmf_pool_object_name(const unsigned char uuid[VB_UUID_LEN]);
char *bus_qmf_volume_object_name(const char *key);
char *bus_qmf_network_object_name(const unsigned char uuid[VB_UUID_LEN]);
void bus_qmf_put_pool(const struct bus_agent *agent, pn_data_t *data, const struct vb_object_ref *pool);
void bus_qmf_put_volume(const struct bus_agent *agent, pn_data_t *data, const struct vb_object_ref *vol);
void bus_qmf_put_network(const struct bus_agent *agent, pn_data_t *data, const struct vb_object_ref *net);
