/* The QMF objects of a host's storage pools, volumes and networks, as object maps. Object
 * names are stable across restarts: "pool:<uuid>", "volume:<key>", "network:<uuid>". */
#include <stdio.h>
#include <stdlib.h>

#include "bus/amqp_value.h"
#include "bus/qmf.h"
#include "bus/qmf_objects.h"
#include "drivers/driver_objects.h"

static char *uuid_object_name(const char *prefix, const unsigned char uuid[VB_UUID_LEN])
{
    char text[VB_UUID_STRING_LEN], *name = NULL;

    vb_uuid_format(uuid, text);
    return asprintf(&name, "%s%s", prefix, text) < 0 ? NULL : name;
}

char *bus_qmf_pool_object_name(const unsigned char uuid[VB_UUID_LEN])
{
    return uuid_object_name(BUS_QMF_POOL_PREFIX, uuid);
}

char *bus_qmf_network_object_name(const unsigned char uuid[VB_UUID_LEN])
{
    return uuid_object_name(BUS_QMF_NETWORK_PREFIX, uuid);
}

char *bus_qmf_volume_object_name(const char *key)
{
    char *name = NULL;

    return asprintf(&name, "%s%s", BUS_QMF_VOLUME_PREFIX, key) < 0 ? NULL : name;
}

/* An object map up to its _values, which the caller fills (end_object closes both). */
static void begin_object(const struct bus_agent *agent, pn_data_t *data, const char *class_name, const char *object_name)
{
    pn_data_put_map(data);
    pn_data_enter(data);
    bus_qmf_put_header(agent, data, class_name, object_name ? object_name : "");
    bus_put_map(data, "_values");
}

static void end_object(pn_data_t *data)
{
    pn_data_exit(data);
    pn_data_exit(data);
}

/* The identity and state every pool and network has. */
static void put_common(const struct bus_agent *agent, pn_data_t *data, const struct vb_object_ref *ref)
{
    char uuid[VB_UUID_STRING_LEN];

    vb_uuid_format(ref->uuid, uuid);
    bus_put_string(data, "uuid", uuid);
    bus_put_string(data, "name", ref->name);
    bus_put_object_id(data, "node", BUS_QMF_NODE_OBJECT, agent->name);
    bus_put_bool(data, "active", ref->active);
    bus_put_bool(data, "persistent", ref->persistent);
    bus_put_bool(data, "autostart", ref->autostart);
}

void bus_qmf_put_pool(const struct bus_agent *agent, pn_data_t *data, const struct vb_object_ref *pool)
{
    _cleanup_free_ char *object_name = bus_qmf_pool_object_name(pool->uuid);

    begin_object(agent, data, "Pool", object_name);
    put_common(agent, data, pool);
    bus_put_string(data, "state", pool->active ? "running" : "inactive");
    bus_put_uint64(data, "capacity", pool->capacity);
    bus_put_uint64(data, "allocation", pool->allocation);
    bus_put_uint64(data, "available", pool->available);
    end_object(data);
}

void bus_qmf_put_volume(const struct bus_agent *agent, pn_data_t *data, const struct vb_object_ref *vol)
{
    _cleanup_free_ char *object_name = bus_qmf_volume_object_name(vol->key);
    _cleanup_free_ char *pool_name = bus_qmf_pool_object_name(vol->uuid);

    begin_object(agent, data, "Volume", object_name);
    bus_put_string(data, "key", vol->key);
    bus_put_string(data, "name", vol->name);
    bus_put_string(data, "path", vol->path ? vol->path : "");
    bus_put_object_id(data, "pool", pool_name ? pool_name : "", agent->name);
    bus_put_uint64(data, "capacity", vol->capacity);
    bus_put_uint64(data, "allocation", vol->allocation);
    end_object(data);
}

void bus_qmf_put_network(const struct bus_agent *agent, pn_data_t *data, const struct vb_object_ref *net)
{
    _cleanup_free_ char *object_name = bus_qmf_network_object_name(net->uuid);

    begin_object(agent, data, "Network", object_name);
    put_common(agent, data, net);
    end_object(data);
}
