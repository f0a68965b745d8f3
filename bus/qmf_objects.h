/* The QMF objects of a host as object maps. */
#pragma once

#include "bus/frontend.h"
#include "drivers/driver.h"

#define BUS_QMF_OBJECT_NAME_MAX 48

const char *bus_qmf_state_name(int state);
void bus_qmf_domain_object_name(const unsigned char uuid[VB_UUID_LEN], char out[BUS_QMF_OBJECT_NAME_MAX]);
/* Each appends one whole object map. */
void bus_qmf_put_node(struct bus_frontend *fe, pn_data_t *data, const struct vb_node_info *info);
void bus_qmf_put_domain(struct bus_frontend *fe, pn_data_t *data, const struct vb_domain_info *info);
