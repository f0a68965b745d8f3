/* The org.libvirt methods and properties and the core operations they are. */
#include <string.h>

#include "dbus/operation_map.h"
#include "util/macros.h"

#define CONNECT "org.libvirt.Connect"
#define DOMAIN "org.libvirt.Domain"
#define SNAPSHOT "org.libvirt.DomainSnapshot"
#define PEER "org.freedesktop.DBus.Peer"
#define INTROSPECTABLE "org.freedesktop.DBus.Introspectable"
#define OBJECT_MANAGER "org.freedesktop.DBus.ObjectManager"

/* Not a lookup by argument (DBUS_OBJECT_ARG_OBJECT). */
#define NO_ARG POLICY_OBJECT_CONNECT, POLICY_REF_CONNECTION
#define C(member, op, flags) { CONNECT, member, VB_OP_##op, DBUS_OBJECT_CONNECT, -1, flags, NO_ARG }
#define D(member, op, flags) { DOMAIN, member, VB_OP_##op, DBUS_OBJECT_DOMAIN_PATH, -1, flags, NO_ARG }
#define S(member, op, flags) { SNAPSHOT, member, VB_OP_##op, DBUS_OBJECT_SNAPSHOT_PATH, -1, flags, NO_ARG }
#define NO_FLAGS (-1)
#define O(interface, member, op, flags) { interface, member, VB_OP_##op, DBUS_OBJECT_OBJECT_PATH, -1, flags, NO_ARG }
/* A pool method creating a volume from the XML in argument 0 (polkit sees the new vol_name). */
#define OX(interface, member, op, flags) { interface, member, VB_OP_##op, DBUS_OBJECT_OBJECT_PATH, 0, flags, NO_ARG }
/* A lookup of a network, pool, volume, node device or interface by argument 0. */
#define L(interface, member, op, object, by)                                                                \
    { interface, member, VB_OP_##op, DBUS_OBJECT_ARG_OBJECT, -1, NO_FLAGS, POLICY_OBJECT_##object, POLICY_REF_##by }
/* A Connect method defining or creating a network, pool or interface from the XML in argument 0. */
#define X(member, op, flags, object)                                                                   \
    { CONNECT, member, VB_OP_##op, DBUS_OBJECT_ARG_XML, 0, flags, POLICY_OBJECT_##object, POLICY_REF_XML }
#define NETWORK "org.libvirt.Network"
#define POOL "org.libvirt.StoragePool"
#define VOL "org.libvirt.StorageVol"
#define NODEDEV "org.libvirt.NodeDevice"
#define IFACE "org.libvirt.Interface"

static const struct dbus_operation methods[] = {
    /* org.libvirt.Connect */
    { CONNECT, "DomainLookupByName", VB_OP_DOMAIN_LOOKUP_BY_NAME, DBUS_OBJECT_ARG_NAME, -1, NO_FLAGS, NO_ARG },
    { CONNECT, "DomainLookupByUUID", VB_OP_DOMAIN_LOOKUP_BY_UUID, DBUS_OBJECT_ARG_UUID, -1, NO_FLAGS, NO_ARG },
    { CONNECT, "DomainLookupByID", VB_OP_DOMAIN_LOOKUP_BY_ID, DBUS_OBJECT_ARG_ID, -1, NO_FLAGS, NO_ARG },
    { CONNECT, "DomainDefineXML", VB_OP_DOMAIN_DEFINE_XML, DBUS_OBJECT_ARG_XML, 0, NO_FLAGS, NO_ARG },
    { CONNECT, "DomainCreateXML", VB_OP_DOMAIN_CREATE_XML, DBUS_OBJECT_ARG_XML, 0, 1, NO_ARG },
    { CONNECT, "DomainCreateXMLWithFiles", VB_OP_DOMAIN_CREATE_XML_WITH_FILES, DBUS_OBJECT_ARG_XML, 0, 2, NO_ARG },
    { CONNECT, "DomainRestore", VB_OP_DOMAIN_RESTORE, DBUS_OBJECT_ARG_XML, 1, 2, NO_ARG },
    { CONNECT, "DomainSaveImageDefineXML", VB_OP_DOMAIN_SAVE_IMAGE_DEFINE_XML, DBUS_OBJECT_ARG_XML, 1, 2, NO_ARG },
    C("DomainSaveImageGetXMLDesc", DOMAIN_SAVE_IMAGE_GET_XML_DESC, 1),
    C("ListDomains", CONNECT_LIST_ALL_DOMAINS, 0),
    C("GetAllDomainStats", CONNECT_GET_ALL_DOMAIN_STATS, 1),
    C("BaselineCPU", CONNECT_BASELINE_CPU, 1),
    C("CompareCPU", CONNECT_COMPARE_CPU, 1),
    C("GetCapabilities", CONNECT_GET_CAPABILITIES, NO_FLAGS),
    C("GetCPUModelNames", CONNECT_GET_CPU_MODEL_NAMES, 1),
    C("GetDomainCapabilities", CONNECT_GET_DOMAIN_CAPABILITIES, 4),
    C("GetSysinfo", CONNECT_GET_SYSINFO, 0),
    C("NodeGetCPUMap", NODE_GET_CPU_MAP, 0),
    C("NodeGetCPUStats", NODE_GET_CPU_STATS, 1),
    C("NodeGetFreeMemory", NODE_GET_FREE_MEMORY, NO_FLAGS),
    C("NodeGetInfo", NODE_GET_INFO, NO_FLAGS),
    C("NodeGetMemoryParameters", NODE_GET_MEMORY_PARAMETERS, 0),
    C("NodeGetMemoryStats", NODE_GET_MEMORY_STATS, 1),
    C("NodeGetSecurityModel", NODE_GET_SECURITY_MODEL, NO_FLAGS),
    C("NodeSetMemoryParameters", NODE_SET_MEMORY_PARAMETERS, 1),
    /* org.libvirt.Connect: networks, storage, node devices, interfaces, secrets, nwfilters */
    C("ListNetworks", CONNECT_LIST_ALL_NETWORKS, 0),
    X("NetworkCreateXML", NETWORK_CREATE_XML, NO_FLAGS, NETWORK),
    X("NetworkDefineXML", NETWORK_DEFINE_XML, NO_FLAGS, NETWORK),
    L(CONNECT, "NetworkLookupByName", NETWORK_LOOKUP_BY_NAME, NETWORK, NAME),
    L(CONNECT, "NetworkLookupByUUID", NETWORK_LOOKUP_BY_UUID, NETWORK, UUID),
    C("FindStoragePoolSources", CONNECT_FIND_STORAGE_POOL_SOURCES, 2),
    C("ListStoragePools", CONNECT_LIST_ALL_STORAGE_POOLS, 0),
    X("StoragePoolCreateXML", STORAGE_POOL_CREATE_XML, 1, STORAGE_POOL),
    X("StoragePoolDefineXML", STORAGE_POOL_DEFINE_XML, 1, STORAGE_POOL),
    L(CONNECT, "StoragePoolLookupByName", STORAGE_POOL_LOOKUP_BY_NAME, STORAGE_POOL, NAME),
    L(CONNECT, "StoragePoolLookupByUUID", STORAGE_POOL_LOOKUP_BY_UUID, STORAGE_POOL, UUID),
    L(CONNECT, "StorageVolLookupByKey", STORAGE_VOL_LOOKUP_BY_KEY, STORAGE_VOL, KEY),
    L(CONNECT, "StorageVolLookupByPath", STORAGE_VOL_LOOKUP_BY_PATH, STORAGE_VOL, PATH),
    C("ListNodeDevices", CONNECT_LIST_ALL_NODE_DEVICES, 0),
    C("NodeDeviceCreateXML", NODE_DEVICE_CREATE_XML, 1),
    L(CONNECT, "NodeDeviceLookupByName", NODE_DEVICE_LOOKUP_BY_NAME, NODE_DEVICE, NAME),
    { CONNECT, "NodeDeviceLookupSCSIHostByWWN", VB_OP_NODE_DEVICE_LOOKUP_SCSI_HOST_BY_WWN, DBUS_OBJECT_ARG_OBJECT,
      -1, 2, POLICY_OBJECT_NODE_DEVICE, POLICY_REF_WWN },
    C("InterfaceChangeBegin", INTERFACE_CHANGE_BEGIN, 0),
    C("InterfaceChangeCommit", INTERFACE_CHANGE_COMMIT, 0),
    C("InterfaceChangeRollback", INTERFACE_CHANGE_ROLLBACK, 0),
    X("InterfaceDefineXML", INTERFACE_DEFINE_XML, 1, INTERFACE),
    L(CONNECT, "InterfaceLookupByMAC", INTERFACE_LOOKUP_BY_MAC_STRING, INTERFACE, MAC),
    L(CONNECT, "InterfaceLookupByName", INTERFACE_LOOKUP_BY_NAME, INTERFACE, NAME),
    C("ListInterfaces", CONNECT_LIST_ALL_INTERFACES, 0),
    C("ListNWFilters", CONNECT_LIST_ALL_NWFILTERS, 0),
    C("ListSecrets", CONNECT_LIST_ALL_SECRETS, 0),
    C("NWFilterDefineXML", NWFILTER_DEFINE_XML, NO_FLAGS),
    C("NWFilterLookupByName", NWFILTER_LOOKUP_BY_NAME, NO_FLAGS),
    C("NWFilterLookupByUUID", NWFILTER_LOOKUP_BY_UUID, NO_FLAGS),
    C("SecretDefineXML", SECRET_DEFINE_XML, 1),
    C("SecretLookupByUUID", SECRET_LOOKUP_BY_UUID, NO_FLAGS),
    C("SecretLookupByUsage", SECRET_LOOKUP_BY_USAGE, NO_FLAGS),

    /* org.libvirt.Domain: lifecycle and definition */
    D("Create", DOMAIN_CREATE, 0),
    D("CreateWithFiles", DOMAIN_CREATE_WITH_FILES, 1),
    D("Destroy", DOMAIN_DESTROY, 0),
    D("GetState", DOMAIN_GET_STATE, 0),
    D("GetXMLDesc", DOMAIN_GET_XML_DESC, 0),
    D("ManagedSave", DOMAIN_MANAGED_SAVE, 0),
    D("Reboot", DOMAIN_REBOOT, 0),
    D("Reset", DOMAIN_RESET, 0),
    D("Resume", DOMAIN_RESUME, NO_FLAGS),
    D("Shutdown", DOMAIN_SHUTDOWN, 0),
    D("Suspend", DOMAIN_SUSPEND, NO_FLAGS),
    D("Undefine", DOMAIN_UNDEFINE, 0),
    D("MigrateToURI3", DOMAIN_MIGRATE_PERFORM3_PARAMS, 2),
    /* configuration */
    D("AttachDevice", DOMAIN_ATTACH_DEVICE, 1),
    D("DetachDevice", DOMAIN_DETACH_DEVICE, 1),
    D("UpdateDevice", DOMAIN_UPDATE_DEVICE, 1),
    D("GetMetadata", DOMAIN_GET_METADATA, 2),
    D("SetMetadata", DOMAIN_SET_METADATA, 4),
    D("GetVcpuPinInfo", DOMAIN_GET_VCPU_PIN_INFO, 0),
    D("GetVcpus", DOMAIN_GET_VCPUS, 0),
    D("SetVcpus", DOMAIN_SET_VCPUS, 1),
    D("PinVcpu", DOMAIN_PIN_VCPU, 2),
    D("SetMemory", DOMAIN_SET_MEMORY, 1),
    D("SetMemoryStatsPeriod", DOMAIN_SET_MEMORY_STATS_PERIOD, 1),
    D("HasManagedSaveImage", DOMAIN_HAS_MANAGED_SAVE_IMAGE, 0),
    D("ManagedSaveRemove", DOMAIN_MANAGED_SAVE_REMOVE, 0),
    D("Save", DOMAIN_SAVE, 2),
    /* guest information */
    D("AbortJob", DOMAIN_ABORT_JOB, NO_FLAGS),
    D("GetBlockInfo", DOMAIN_GET_BLOCK_INFO, 1),
    D("GetInfo", DOMAIN_GET_INFO, NO_FLAGS),
    D("GetJobInfo", DOMAIN_GET_JOB_INFO, NO_FLAGS),
    D("GetStats", DOMAIN_LIST_GET_STATS, 1),
    /* libvirt passes InterfaceAddresses' source to its check as the flags */
    D("InterfaceAddresses", DOMAIN_INTERFACE_ADDRESSES, 0),
    /* snapshots */
    D("ListDomainSnapshots", DOMAIN_LIST_ALL_SNAPSHOTS, 0),
    D("SnapshotCreateXML", DOMAIN_SNAPSHOT_CREATE_XML, 1),
    D("SnapshotCurrent", DOMAIN_SNAPSHOT_CURRENT, 0),
    D("SnapshotLookupByName", DOMAIN_SNAPSHOT_LOOKUP_BY_NAME, 1),
    /* guest control */
    D("CoreDump", DOMAIN_CORE_DUMP_WITH_FORMAT, 2),
    D("FSFreeze", DOMAIN_FSFREEZE, 1),
    D("FSThaw", DOMAIN_FSTHAW, 1),
    D("FSTrim", DOMAIN_FSTRIM, 2),
    D("GetControlInfo", DOMAIN_GET_CONTROL_INFO, 0),
    D("GetDiskErrors", DOMAIN_GET_DISK_ERRORS, 0),
    D("GetEmulatorPinInfo", DOMAIN_GET_EMULATOR_PIN_INFO, 0),
    D("GetFSInfo", DOMAIN_GET_FSINFO, 0),
    D("GetHostname", DOMAIN_GET_HOSTNAME, 0),
    D("GetTime", DOMAIN_GET_TIME, 0),
    D("InjectNMI", DOMAIN_INJECT_NMI, 0),
    D("MemoryPeek", DOMAIN_MEMORY_PEEK, 2),
    D("MemoryStats", DOMAIN_MEMORY_STATS, 0),
    D("PinEmulator", DOMAIN_PIN_EMULATOR, 1),
    D("Rename", DOMAIN_RENAME, 1),
    D("SendKey", DOMAIN_SEND_KEY, 3),
    D("SendProcessSignal", DOMAIN_SEND_PROCESS_SIGNAL, 2),
    D("SetTime", DOMAIN_SET_TIME, 2),
    D("SetUserPassword", DOMAIN_SET_USER_PASSWORD, 2),
    D("AddIOThread", DOMAIN_ADD_IOTHREAD, 1),
    D("DelIOThread", DOMAIN_DEL_IOTHREAD, 1),
    D("GetIOThreadInfo", DOMAIN_GET_IOTHREAD_INFO, 0),
    D("PinIOThread", DOMAIN_PIN_IOTHREAD, 2),
    /* tunables */
    D("GetBlockIOParameters", DOMAIN_GET_BLKIO_PARAMETERS, 0),
    D("SetBlockIOParameters", DOMAIN_SET_BLKIO_PARAMETERS, 1),
    D("GetBlockIOTune", DOMAIN_GET_BLOCK_IO_TUNE, 1),
    D("SetBlockIOTune", DOMAIN_SET_BLOCK_IO_TUNE, 2),
    D("GetInterfaceParameters", DOMAIN_GET_INTERFACE_PARAMETERS, 1),
    D("SetInterfaceParameters", DOMAIN_SET_INTERFACE_PARAMETERS, 2),
    D("GetMemoryParameters", DOMAIN_GET_MEMORY_PARAMETERS, 0),
    D("SetMemoryParameters", DOMAIN_SET_MEMORY_PARAMETERS, 1),
    D("GetNumaParameters", DOMAIN_GET_NUMA_PARAMETERS, 0),
    D("SetNumaParameters", DOMAIN_SET_NUMA_PARAMETERS, 1),
    D("GetPerfEvents", DOMAIN_GET_PERF_EVENTS, 0),
    D("SetPerfEvents", DOMAIN_SET_PERF_EVENTS, 1),
    D("GetSchedulerParameters", DOMAIN_GET_SCHEDULER_PARAMETERS, 0),
    D("SetSchedulerParameters", DOMAIN_SET_SCHEDULER_PARAMETERS, 1),
    /* answered "not supported" until a driver implements them */
    D("BlockCommit", DOMAIN_BLOCK_COMMIT, 4),
    D("BlockCopy", DOMAIN_BLOCK_COPY, 3),
    D("BlockJobAbort", DOMAIN_BLOCK_JOB_ABORT, 1),
    D("BlockJobSetSpeed", DOMAIN_BLOCK_JOB_SET_SPEED, 2),
    D("BlockPeek", DOMAIN_BLOCK_PEEK, 3),
    D("BlockPull", DOMAIN_BLOCK_PULL, 2),
    D("BlockRebase", DOMAIN_BLOCK_REBASE, 3),
    D("BlockResize", DOMAIN_BLOCK_RESIZE, 2),
    D("GetBlockJobInfo", DOMAIN_GET_BLOCK_JOB_INFO, 1),
    D("GetGuestVcpus", DOMAIN_GET_GUEST_VCPUS, 0),
    D("SetGuestVcpus", DOMAIN_SET_GUEST_VCPUS, 2),
    D("GetJobStats", DOMAIN_GET_JOB_STATS, 0),
    D("GetSecurityLabelList", DOMAIN_GET_SECURITY_LABEL_LIST, NO_FLAGS),
    D("MigrateGetCompressionCache", DOMAIN_MIGRATE_GET_COMPRESSION_CACHE, 0),
    D("MigrateGetMaxSpeed", DOMAIN_MIGRATE_GET_MAX_SPEED, 0),
    D("MigrateSetCompressionCache", DOMAIN_MIGRATE_SET_COMPRESSION_CACHE, 1),
    D("MigrateSetMaxDowntime", DOMAIN_MIGRATE_SET_MAX_DOWNTIME, 1),
    D("MigrateSetMaxSpeed", DOMAIN_MIGRATE_SET_MAX_SPEED, 1),
    D("MigrateStartPostCopy", DOMAIN_MIGRATE_START_POST_COPY, 0),
    D("OpenGraphicsFD", DOMAIN_OPEN_GRAPHICS_FD, 1),
    D("PMWakeup", DOMAIN_PM_WAKEUP, 0),

    /* org.libvirt.DomainSnapshot */
    S("Delete", DOMAIN_SNAPSHOT_DELETE, 0),
    S("GetParent", DOMAIN_SNAPSHOT_GET_PARENT, 0),
    S("GetXMLDesc", DOMAIN_SNAPSHOT_GET_XML_DESC, 0),
    S("IsCurrent", DOMAIN_SNAPSHOT_IS_CURRENT, 0),
    S("ListChildren", DOMAIN_SNAPSHOT_LIST_ALL_CHILDREN, 0),
    S("Revert", DOMAIN_REVERT_TO_SNAPSHOT, 0),

    /* org.libvirt.Network, StoragePool, StorageVol, NodeDevice, Interface */
    O(NETWORK, "Create", NETWORK_CREATE, NO_FLAGS),
    O(NETWORK, "Destroy", NETWORK_DESTROY, NO_FLAGS),
    O(NETWORK, "GetDHCPLeases", NETWORK_GET_DHCP_LEASES, 1),
    O(NETWORK, "GetXMLDesc", NETWORK_GET_XML_DESC, 0),
    O(NETWORK, "Undefine", NETWORK_UNDEFINE, NO_FLAGS),
    O(NETWORK, "Update", NETWORK_UPDATE, 4),
    O(POOL, "Build", STORAGE_POOL_BUILD, 0),
    O(POOL, "Create", STORAGE_POOL_CREATE, 0),
    O(POOL, "Delete", STORAGE_POOL_DELETE, 0),
    O(POOL, "Destroy", STORAGE_POOL_DESTROY, NO_FLAGS),
    O(POOL, "GetInfo", STORAGE_POOL_GET_INFO, NO_FLAGS),
    O(POOL, "GetXMLDesc", STORAGE_POOL_GET_XML_DESC, 0),
    O(POOL, "ListStorageVolumes", STORAGE_POOL_LIST_ALL_VOLUMES, 0),
    O(POOL, "Refresh", STORAGE_POOL_REFRESH, 0),
    OX(POOL, "StorageVolCreateXML", STORAGE_VOL_CREATE_XML, 1),
    OX(POOL, "StorageVolCreateXMLFrom", STORAGE_VOL_CREATE_XML_FROM, 2),
    L(POOL, "StorageVolLookupByName", STORAGE_VOL_LOOKUP_BY_NAME, STORAGE_VOL, NAME),
    O(POOL, "Undefine", STORAGE_POOL_UNDEFINE, NO_FLAGS),
    O(VOL, "Delete", STORAGE_VOL_DELETE, 0),
    O(VOL, "GetInfo", STORAGE_VOL_GET_INFO, 0),
    O(VOL, "GetXMLDesc", STORAGE_VOL_GET_XML_DESC, 0),
    O(VOL, "Resize", STORAGE_VOL_RESIZE, 1),
    O(VOL, "Wipe", STORAGE_VOL_WIPE, 1),
    O(NODEDEV, "Destroy", NODE_DEVICE_DESTROY, NO_FLAGS),
    O(NODEDEV, "Detach", NODE_DEVICE_DETACH_FLAGS, 1),
    O(NODEDEV, "GetXMLDesc", NODE_DEVICE_GET_XML_DESC, 0),
    O(NODEDEV, "ListCaps", NODE_DEVICE_LIST_CAPS, NO_FLAGS),
    O(NODEDEV, "ReAttach", NODE_DEVICE_RE_ATTACH, NO_FLAGS),
    O(NODEDEV, "Reset", NODE_DEVICE_RESET, NO_FLAGS),
    O(IFACE, "Create", INTERFACE_CREATE, 0),
    O(IFACE, "Destroy", INTERFACE_DESTROY, 0),
    O(IFACE, "GetXMLDesc", INTERFACE_GET_XML_DESC, 0),
    O(IFACE, "Undefine", INTERFACE_UNDEFINE, NO_FLAGS),

    /* standard interfaces */
    { PEER, "Ping", VB_OP_BUS_PEER, DBUS_OBJECT_NONE, -1, NO_FLAGS, NO_ARG },
    { PEER, "GetMachineId", VB_OP_BUS_PEER, DBUS_OBJECT_NONE, -1, NO_FLAGS, NO_ARG },
    { INTROSPECTABLE, "Introspect", VB_OP_BUS_INTROSPECT, DBUS_OBJECT_PATH_SUBTREE, -1, NO_FLAGS, NO_ARG },
    { OBJECT_MANAGER, "GetManagedObjects", VB_OP_BUS_GET_MANAGED_OBJECTS, DBUS_OBJECT_ALL_CONNECTS, -1, NO_FLAGS, NO_ARG },
};

/* Properties. Encrypted and Secure are `@acl: none` in libvirt, answered without a round trip;
 * here they need what opening the connection needs (connect:getattr), as every libvirt client has. */
static const struct dbus_operation property_reads[] = {
    C("Encrypted", CONNECT_OPEN, NO_FLAGS),
    C("Hostname", CONNECT_GET_HOSTNAME, NO_FLAGS),
    C("LibVersion", CONNECT_GET_LIB_VERSION, NO_FLAGS),
    C("Secure", CONNECT_OPEN, NO_FLAGS),
    C("Version", CONNECT_GET_VERSION, NO_FLAGS),
    D("Active", DOMAIN_IS_ACTIVE, NO_FLAGS),
    D("Autostart", DOMAIN_GET_AUTOSTART, NO_FLAGS),
    D("Id", DOMAIN_GET_ID, NO_FLAGS),
    D("Name", DOMAIN_GET_NAME, NO_FLAGS),
    D("OSType", DOMAIN_GET_OS_TYPE, NO_FLAGS),
    D("Persistent", DOMAIN_IS_PERSISTENT, NO_FLAGS),
    D("SchedulerType", DOMAIN_GET_SCHEDULER_TYPE, NO_FLAGS),
    D("Updated", DOMAIN_IS_UPDATED, NO_FLAGS),
    D("UUID", DOMAIN_GET_UUID, NO_FLAGS),
    O(NETWORK, "Active", NETWORK_IS_ACTIVE, NO_FLAGS),
    O(NETWORK, "Autostart", NETWORK_GET_AUTOSTART, NO_FLAGS),
    O(NETWORK, "Name", NETWORK_LOOKUP_BY_UUID, NO_FLAGS),
    O(NETWORK, "Persistent", NETWORK_IS_PERSISTENT, NO_FLAGS),
    O(NETWORK, "UUID", NETWORK_LOOKUP_BY_UUID, NO_FLAGS),
    O(POOL, "Active", STORAGE_POOL_IS_ACTIVE, NO_FLAGS),
    O(POOL, "Autostart", STORAGE_POOL_GET_AUTOSTART, NO_FLAGS),
    O(POOL, "Name", STORAGE_POOL_LOOKUP_BY_UUID, NO_FLAGS),
    O(POOL, "Persistent", STORAGE_POOL_IS_PERSISTENT, NO_FLAGS),
    O(POOL, "UUID", STORAGE_POOL_LOOKUP_BY_UUID, NO_FLAGS),
    O(VOL, "Key", STORAGE_VOL_LOOKUP_BY_KEY, NO_FLAGS),
    O(VOL, "Name", STORAGE_VOL_LOOKUP_BY_KEY, NO_FLAGS),
    O(VOL, "Path", STORAGE_VOL_GET_PATH, NO_FLAGS),
    O(NODEDEV, "Name", NODE_DEVICE_LOOKUP_BY_NAME, NO_FLAGS),
    O(NODEDEV, "Parent", NODE_DEVICE_GET_PARENT, NO_FLAGS),
    O(IFACE, "Active", INTERFACE_IS_ACTIVE, NO_FLAGS),
    O(IFACE, "MAC", INTERFACE_LOOKUP_BY_NAME, NO_FLAGS),
    O(IFACE, "Name", INTERFACE_LOOKUP_BY_NAME, NO_FLAGS),
};

static const struct dbus_operation property_writes[] = {
    D("Autostart", DOMAIN_SET_AUTOSTART, NO_FLAGS),
    O(NETWORK, "Autostart", NETWORK_SET_AUTOSTART, NO_FLAGS),
    O(POOL, "Autostart", STORAGE_POOL_SET_AUTOSTART, NO_FLAGS),
};

static const struct dbus_operation *find_in(const struct dbus_operation *table, size_t n, const char *interface,
                                            const char *member)
{
    if (!interface || !member)
        return NULL;
    for (size_t i = 0; i < n; i++)
        if (streq(table[i].interface, interface) && streq(table[i].member, member))
            return &table[i];
    return NULL;
}

const struct dbus_operation *dbus_operation_for_method(const char *interface, const char *member)
{
    return find_in(methods, ARRAY_SIZE(methods), interface, member);
}

const struct dbus_operation *dbus_operation_for_property(const char *interface, const char *property, bool write)
{
    if (write)
        return find_in(property_writes, ARRAY_SIZE(property_writes), interface, property);
    return find_in(property_reads, ARRAY_SIZE(property_reads), interface, property);
}

size_t dbus_operations_for_get_all(const char *interface, const struct dbus_operation **out, size_t max)
{
    size_t n = 0;

    for (size_t i = 0; i < ARRAY_SIZE(property_reads) && n < max; i++)
        if (!interface || !*interface || streq(property_reads[i].interface, interface))
            out[n++] = &property_reads[i];
    return n;
}

const struct dbus_operation *dbus_operation_table(enum dbus_operation_kind kind, size_t *n)
{
    switch (kind) {
    case DBUS_OPERATION_METHOD:
        *n = ARRAY_SIZE(methods);
        return methods;
    case DBUS_OPERATION_PROPERTY_READ:
        *n = ARRAY_SIZE(property_reads);
        return property_reads;
    case DBUS_OPERATION_PROPERTY_WRITE:
        *n = ARRAY_SIZE(property_writes);
        return property_writes;
    }
    *n = 0;
    return NULL;
}
