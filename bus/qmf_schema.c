/* The QMF schema virtbus publishes. */
#include <string.h>

#include "bus/amqp_value.h"
#include "bus/qmf_schema.h"

#define S "TYPE_STRING"

static const struct qmf_property node_properties[] = {
    { "hostname", S, "the host's name" },
    { "uri", S, "the connection URI" },
    { "libvirtVersion", "TYPE_UINT64", "libvirt API version virtbus implements" },
    { "hypervisorType", S, "the driver: test, qemu" },
    { "hypervisorVersion", "TYPE_UINT64", "the hypervisor's version" },
    { "model", S, "CPU model" },
    { "memory", "TYPE_UINT64", "memory in KiB" },
    { "cpus", "TYPE_UINT32", "active CPUs" },
    { "mhz", "TYPE_UINT32", "CPU frequency" },
    { "nodes", "TYPE_UINT32", "NUMA nodes" },
    { "sockets", "TYPE_UINT32", "sockets per node" },
    { "cores", "TYPE_UINT32", "cores per socket" },
    { "threads", "TYPE_UINT32", "threads per core" },
    { NULL, NULL, NULL },
};

static const struct qmf_method_schema node_methods[] = {
    { "domainDefineXML", { { "xmlDesc", S, "I" }, { "domain", "TYPE_REF", "O" }, { NULL, NULL, NULL } } },
    { "domainCreateXML", { { "xmlDesc", S, "I" }, { "flags", "TYPE_UINT32", "I" }, { "domain", "TYPE_REF", "O" },
                           { NULL, NULL, NULL } } },
    { NULL, { { NULL, NULL, NULL } } },
};

static const struct qmf_property domain_properties[] = {
    { "uuid", S, "the domain's UUID" },
    { "name", S, "the domain's name" },
    { "id", "TYPE_INT32", "the running domain's id, -1 when inactive" },
    { "node", "TYPE_REF", "the node the domain is defined on" },
    { "state", S, "running, blocked, paused, shutdown, shutoff, crashed, pmsuspended, nostate" },
    { "numVcpus", "TYPE_UINT32", "virtual CPUs" },
    { "active", "TYPE_BOOL", "whether the domain runs" },
    { "maximumMemory", "TYPE_UINT64", "maximum memory in KiB" },
    { "memory", "TYPE_UINT64", "current memory in KiB" },
    { "cpuTime", "TYPE_UINT64", "CPU time used, ns" },
    { "persistent", "TYPE_BOOL", "whether the domain has a persistent definition" },
    { "autostart", "TYPE_BOOL", "whether the domain starts with the host" },
    { NULL, NULL, NULL },
};

#define NO_ARGS { { NULL, NULL, NULL } }
#define FLAGS_ONLY { { "flags", "TYPE_UINT32", "I" }, { NULL, NULL, NULL } }

static const struct qmf_method_schema domain_methods[] = {
    { "create", FLAGS_ONLY },
    { "destroy", FLAGS_ONLY },
    { "shutdown", FLAGS_ONLY },
    { "reboot", FLAGS_ONLY },
    { "reset", FLAGS_ONLY },
    { "suspend", NO_ARGS },
    { "resume", NO_ARGS },
    { "undefine", FLAGS_ONLY },
    { "getXMLDesc", { { "flags", "TYPE_UINT32", "I" }, { "description", S, "O" }, { NULL, NULL, NULL } } },
    { "save", { { "filename", S, "I" }, { "flags", "TYPE_UINT32", "I" }, { NULL, NULL, NULL } } },
    { "managedSave", FLAGS_ONLY },
    { "setVcpus", { { "nvcpus", "TYPE_UINT32", "I" }, { "flags", "TYPE_UINT32", "I" }, { NULL, NULL, NULL } } },
    { "setMemory", { { "memory", "TYPE_UINT64", "I" }, { "flags", "TYPE_UINT32", "I" }, { NULL, NULL, NULL } } },
    { "attachDevice", { { "xmlDesc", S, "I" }, { "flags", "TYPE_UINT32", "I" }, { NULL, NULL, NULL } } },
    { "detachDevice", { { "xmlDesc", S, "I" }, { "flags", "TYPE_UINT32", "I" }, { NULL, NULL, NULL } } },
    { NULL, NO_ARGS },
};

static const struct qmf_property pool_properties[] = {
    { "uuid", S, "the pool's UUID" },
    { "name", S, "the pool's name" },
    { "node", "TYPE_REF", "the node the pool is defined on" },
    { "state", S, "inactive, building, running, degraded, inaccessible" },
    { "active", "TYPE_BOOL", "whether the pool is started" },
    { "persistent", "TYPE_BOOL", "whether the pool has a persistent definition" },
    { "autostart", "TYPE_BOOL", "whether the pool starts with the host" },
    { "capacity", "TYPE_UINT64", "bytes" },
    { "allocation", "TYPE_UINT64", "bytes" },
    { "available", "TYPE_UINT64", "bytes" },
    { NULL, NULL, NULL },
};

static const struct qmf_method_schema pool_methods[] = {
    { "create", FLAGS_ONLY },
    { "destroy", NO_ARGS },
    { "refresh", FLAGS_ONLY },
    { "createVolumeXML", { { "xmlDesc", S, "I" }, { "flags", "TYPE_UINT32", "I" }, { "volume", "TYPE_REF", "O" },
                           { NULL, NULL, NULL } } },
    { "getXMLDesc", { { "flags", "TYPE_UINT32", "I" }, { "description", S, "O" }, { NULL, NULL, NULL } } },
    { NULL, NO_ARGS },
};

static const struct qmf_property volume_properties[] = {
    { "key", S, "the volume's key" },
    { "name", S, "the volume's name" },
    { "path", S, "the volume's path" },
    { "pool", "TYPE_REF", "the pool the volume is in" },
    { "capacity", "TYPE_UINT64", "bytes" },
    { "allocation", "TYPE_UINT64", "bytes" },
    { NULL, NULL, NULL },
};

static const struct qmf_method_schema volume_methods[] = {
    { "delete", FLAGS_ONLY },
    { "getXMLDesc", { { "flags", "TYPE_UINT32", "I" }, { "description", S, "O" }, { NULL, NULL, NULL } } },
    { NULL, NO_ARGS },
};

static const struct qmf_property network_properties[] = {
    { "uuid", S, "the network's UUID" },
    { "name", S, "the network's name" },
    { "node", "TYPE_REF", "the node the network is defined on" },
    { "active", "TYPE_BOOL", "whether the network is started" },
    { "persistent", "TYPE_BOOL", "whether the network has a persistent definition" },
    { "autostart", "TYPE_BOOL", "whether the network starts with the host" },
    { NULL, NULL, NULL },
};

static const struct qmf_method_schema network_methods[] = {
    { "create", NO_ARGS },
    { "destroy", NO_ARGS },
    { NULL, NO_ARGS },
};

static const struct qmf_property event_properties[] = {
    { "uuid", S, "the domain's UUID" },
    { "name", S, "the domain's name" },
    { "event", S, "libvirt's event: started, stopped, ... (domainEvent: virsh's event name)" },
    { "detail", S, "libvirt's detail: booted, destroyed, ..." },
    { "seq", "TYPE_UINT64", "per host, increasing, never reused" },
    { "host", S, "the host the event happened on" },
    { "timestamp", S, "when, RFC 3339 UTC" },
    { NULL, NULL, NULL },
};

static const struct qmf_class classes[] = {
    { "Node", "_data", node_properties, node_methods },
    { "Domain", "_data", domain_properties, domain_methods },
    { "domainLifecycle", "_event", event_properties, NULL },
    { "domainEvent", "_event", event_properties, NULL },
    { "Pool", "_data", pool_properties, pool_methods },
    { "Volume", "_data", volume_properties, volume_methods },
    { "Network", "_data", network_properties, network_methods },
    /* uuid is "" for a node device (named by name); event "refreshed" is a pool's refresh */
    { "networkLifecycle", "_event", event_properties, NULL },
    { "poolLifecycle", "_event", event_properties, NULL },
    { "nodeDeviceLifecycle", "_event", event_properties, NULL },
};

const struct qmf_class *bus_qmf_classes(size_t *n)
{
    *n = sizeof(classes) / sizeof(classes[0]);
    return classes;
}

const struct qmf_class *bus_qmf_class_find(const char *name)
{
    for (size_t i = 0; name && i < sizeof(classes) / sizeof(classes[0]); i++)
        if (strcmp(classes[i].name, name) == 0)
            return &classes[i];
    return NULL;
}

const struct qmf_method_schema *bus_qmf_method_find(const struct qmf_class *cls, const char *name)
{
    for (const struct qmf_method_schema *m = cls->methods; m && m->name; m++)
        if (strcmp(m->name, name) == 0)
            return m;
    return NULL;
}

/* A stable 128-bit hash of the class's shape (FNV-1a, twice with different offsets): a console
 * caches schemas by it, and it changes only when the class does. */
static void class_hash(const struct qmf_class *cls, unsigned char out[16])
{
    uint64_t h[2] = { 0xcbf29ce484222325ull, 0x84222325cbf29ce4ull };

    for (int k = 0; k < 2; k++) {
        const struct qmf_property *p;
        const struct qmf_method_schema *m;
#define MIX(str)                                                     \
    for (const char *c = (str); c && *c; c++)                        \
        h[k] = (h[k] ^ (unsigned char) *c) * 0x100000001b3ull;
        MIX(cls->name)
        for (p = cls->properties; p->name; p++) {
            MIX(p->name)
            MIX(p->type)
        }
        for (m = cls->methods; m && m->name; m++) {
            MIX(m->name)
            for (const struct qmf_argument *a = m->arguments; a->name; a++) {
                MIX(a->name)
                MIX(a->dir)
            }
        }
#undef MIX
    }
    for (int i = 0; i < 8; i++) {
        out[i] = (unsigned char) (h[0] >> (8 * i));
        out[8 + i] = (unsigned char) (h[1] >> (8 * i));
    }
}

void bus_qmf_put_schema_id(pn_data_t *data, const char *class_name)
{
    const struct qmf_class *cls = bus_qmf_class_find(class_name);
    pn_uuid_t hash;

    pn_data_put_map(data);
    pn_data_enter(data);
    bus_put_string(data, "_package_name", BUS_QMF_PACKAGE);
    bus_put_string(data, "_class_name", class_name);
    bus_put_string(data, "_type", cls ? cls->type : "_data");
    if (cls) {
        class_hash(cls, (unsigned char *) hash.bytes);
        pn_data_put_string(data, pn_bytes(5, "_hash"));
        pn_data_put_uuid(data, hash);
    }
    pn_data_exit(data);
}

static void put_argument(pn_data_t *data, const struct qmf_argument *a)
{
    bus_put_map(data, a->name);
    bus_put_string(data, "_type", a->type);
    bus_put_string(data, "_dir", a->dir);
    pn_data_exit(data);
}

void bus_qmf_put_schema(pn_data_t *data, const struct qmf_class *cls)
{
    pn_data_put_map(data);
    pn_data_enter(data);
    pn_data_put_string(data, pn_bytes(10, "_schema_id"));
    bus_qmf_put_schema_id(data, cls->name);
    bus_put_map(data, "_properties");
    for (const struct qmf_property *p = cls->properties; p->name; p++) {
        bus_put_map(data, p->name);
        bus_put_string(data, "_type", p->type);
        bus_put_string(data, "_access", "RO");
        bus_put_string(data, "_desc", p->description);
        pn_data_exit(data);
    }
    pn_data_exit(data);
    if (cls->methods) {
        bus_put_map(data, "_methods");
        for (const struct qmf_method_schema *m = cls->methods; m->name; m++) {
            bus_put_map(data, m->name);
            bus_put_map(data, "_arguments");
            for (const struct qmf_argument *a = m->arguments; a->name; a++)
                put_argument(data, a);
            pn_data_exit(data);
            pn_data_exit(data);
        }
        pn_data_exit(data);
    }
    pn_data_exit(data);
}
