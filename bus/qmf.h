/* The QMF agent's request handlers, shared by bus/qmf*.c. */
#pragma once

#include "bus/request.h"

#define BUS_QMF_NODE_OBJECT "node"
#define BUS_QMF_DOMAIN_PREFIX "domain:"
#define BUS_QMF_POOL_PREFIX "pool:"       /* + the pool's UUID */
#define BUS_QMF_VOLUME_PREFIX "volume:"   /* + the volume's key */
#define BUS_QMF_NETWORK_PREFIX "network:" /* + the network's UUID */

void bus_qmf_query(struct bus_request *req);
void bus_qmf_method(struct bus_request *req);

/* Whether the predicate (a QMF _where list) holds for the object whose _values map is at the
 * current position of values. -1 when the predicate is malformed (err names why). */
int bus_qmf_where(pn_data_t *predicate, pn_data_t *values, char *err, size_t err_size);

/* The agent's own _values (locate response and heartbeat). */
void bus_qmf_put_agent_values(const struct bus_agent *agent, pn_data_t *data);
