/* The QMF objects of a host: its Node and its Domains, as object maps. Object names are
 * stable across restarts: "node", and "domain:<uuid>". */
#include <stdio.h>
#include <string.h>

#include "bus/amqp_value.h"
#include "bus/qmf_objects.h"
#include "bus/qmf_schema.h"
#include "util/time.h"

/* libvirt's API version that virtbus implements (9.0.0), as virConnectGetLibVersion gives it. */
#define LIBVIRT_API_VERSION 9000000ull

static const char *const state_names[] = {
    "nostate", "running", "blocked", "paused", "shutdown", "shutoff", "crashed", "pmsuspended",
};

const char *bus_qmf_state_name(int state)
{
    return state >= 0 && (size_t) state < sizeof(state_names) / sizeof(state_names[0]) ? state_names[state]
                                                                                       : "nostate";
}

void bus_qmf_domain_object_name(const unsigned char uuid[VB_UUID_LEN], char out[BUS_QMF_OBJECT_NAME_MAX])
{
    char text[VB_UUID_STRING_LEN];

    vb_uuid_format(uuid, text);
    snprintf(out, BUS_QMF_OBJECT_NAME_MAX, "domain:%s", text);
}

void bus_qmf_put_header(const struct bus_agent *agent, pn_data_t *data, const char *class_name, const char *object_name)
{
    uint64_t now_ns = vb_realtime_usec() * 1000u;

    bus_put_object_id(data, "_object_id", object_name, agent->name);
    pn_data_put_string(data, pn_bytes(10, "_schema_id"));
    bus_qmf_put_schema_id(data, class_name);
    bus_put_uint64(data, "_create_ts", agent->fe->epoch * 1000000000ull);
    bus_put_uint64(data, "_update_ts", now_ns);
    bus_put_uint64(data, "_delete_ts", 0);
}

void bus_qmf_put_node(const struct bus_agent *agent, pn_data_t *data, const struct vb_node_info *info)
{
    pn_data_put_map(data);
    pn_data_enter(data);
    bus_qmf_put_header(agent, data, "Node", "node");
    bus_put_map(data, "_values");
    bus_put_string(data, "hostname", agent->fe->hostname);
    bus_put_string(data, "uri", agent->conn->uri);
    bus_put_uint64(data, "libvirtVersion", LIBVIRT_API_VERSION);
    bus_put_string(data, "hypervisorType", agent->conn->driver->name);
    bus_put_uint64(data, "hypervisorVersion", 2);
    bus_put_string(data, "model", info->model);
    bus_put_uint64(data, "memory", info->memory_kib);
    bus_put_uint32(data, "cpus", info->cpus);
    bus_put_uint32(data, "mhz", info->mhz);
    bus_put_uint32(data, "nodes", info->nodes);
    bus_put_uint32(data, "sockets", info->sockets);
    bus_put_uint32(data, "cores", info->cores);
    bus_put_uint32(data, "threads", info->threads);
    pn_data_exit(data);
    pn_data_exit(data);
}

void bus_qmf_put_domain(const struct bus_agent *agent, pn_data_t *data, const struct vb_domain_info *info)
{
    char object_name[BUS_QMF_OBJECT_NAME_MAX], uuid[VB_UUID_STRING_LEN];

    bus_qmf_domain_object_name(info->uuid, object_name);
    vb_uuid_format(info->uuid, uuid);
    pn_data_put_map(data);
    pn_data_enter(data);
    bus_qmf_put_header(agent, data, "Domain", object_name);
    bus_put_map(data, "_values");
    bus_put_string(data, "uuid", uuid);
    bus_put_string(data, "name", info->name);
    pn_data_put_string(data, pn_bytes(2, "id"));
    pn_data_put_int(data, info->id);
    bus_put_object_id(data, "node", "node", agent->name);
    bus_put_string(data, "state", bus_qmf_state_name(info->state));
    bus_put_uint32(data, "numVcpus", info->vcpus);
    bus_put_bool(data, "active", info->id >= 0);
    bus_put_uint64(data, "maximumMemory", info->max_memory_kib);
    bus_put_uint64(data, "memory", info->memory_kib);
    bus_put_uint64(data, "cpuTime", info->cpu_time_ns);
    bus_put_bool(data, "persistent", info->persistent);
    bus_put_bool(data, "autostart", info->autostart);
    pn_data_exit(data);
    pn_data_exit(data);
}
