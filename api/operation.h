/* Every public operation of the core, one value per API call (libvirt's remote procedures are
 * the model), with the libvirt API it stands for and the domain job it takes. Front ends map
 * their requests to these; policy/ keys its rules by them; the core takes jobs by them. */
#pragma once

#include "conf/domain_job.h"

/* X(ID, libvirt API name, job kind taken on the domain) */
#define VB_OPERATIONS(X)                                                                      \
    /* connection and host */                                                                 \
    X(CONNECT_OPEN, "virConnectOpen", NONE)                                                   \
    X(CONNECT_GET_HOSTNAME, "virConnectGetHostname", NONE)                                    \
    X(CONNECT_GET_LIB_VERSION, "virConnectGetLibVersion", NONE)                               \
    X(CONNECT_GET_VERSION, "virConnectGetVersion", NONE)                                      \
    X(CONNECT_GET_CAPABILITIES, "virConnectGetCapabilities", NONE)                            \
    X(CONNECT_GET_DOMAIN_CAPABILITIES, "virConnectGetDomainCapabilities", NONE)               \
    X(CONNECT_GET_SYSINFO, "virConnectGetSysinfo", NONE)                                      \
    X(CONNECT_GET_CPU_MODEL_NAMES, "virConnectGetCPUModelNames", NONE)                        \
    X(CONNECT_BASELINE_CPU, "virConnectBaselineCPU", NONE)                                    \
    X(CONNECT_COMPARE_CPU, "virConnectCompareCPU", NONE)                                      \
    X(CONNECT_LIST_ALL_DOMAINS, "virConnectListAllDomains", NONE)                             \
    X(CONNECT_GET_ALL_DOMAIN_STATS, "virConnectGetAllDomainStats", NONE)                      \
    X(CONNECT_DOMAIN_EVENT_REGISTER_ANY, "virConnectDomainEventRegisterAny", NONE)            \
    X(NODE_GET_INFO, "virNodeGetInfo", NONE)                                                  \
    X(NODE_GET_CPU_MAP, "virNodeGetCPUMap", NONE)                                             \
    X(NODE_GET_CPU_STATS, "virNodeGetCPUStats", NONE)                                         \
    X(NODE_GET_MEMORY_STATS, "virNodeGetMemoryStats", NONE)                                   \
    X(NODE_GET_FREE_MEMORY, "virNodeGetFreeMemory", NONE)                                     \
    X(NODE_GET_MEMORY_PARAMETERS, "virNodeGetMemoryParameters", NONE)                         \
    X(NODE_SET_MEMORY_PARAMETERS, "virNodeSetMemoryParameters", NONE)                         \
    X(NODE_GET_SECURITY_MODEL, "virNodeGetSecurityModel", NONE)                               \
    /* domains of a connection */                                                             \
    X(DOMAIN_LOOKUP_BY_NAME, "virDomainLookupByName", NONE)                                   \
    X(DOMAIN_LOOKUP_BY_UUID, "virDomainLookupByUUID", NONE)                                   \
    X(DOMAIN_LOOKUP_BY_ID, "virDomainLookupByID", NONE)                                       \
    X(DOMAIN_DEFINE_XML, "virDomainDefineXMLFlags", NONE)                                     \
    X(DOMAIN_CREATE_XML, "virDomainCreateXML", NONE)                                          \
    X(DOMAIN_CREATE_XML_WITH_FILES, "virDomainCreateXMLWithFiles", NONE)                      \
    X(DOMAIN_RESTORE, "virDomainRestoreFlags", NONE)                                          \
    X(DOMAIN_SAVE_IMAGE_GET_XML_DESC, "virDomainSaveImageGetXMLDesc", NONE)                   \
    X(DOMAIN_SAVE_IMAGE_DEFINE_XML, "virDomainSaveImageDefineXML", NONE)                      \
    /* a domain's identity and state (read from the driver's memory, never waiting) */        \
    X(DOMAIN_GET_NAME, "virDomainGetName", NONE)                                              \
    X(DOMAIN_GET_UUID, "virDomainGetUUIDString", NONE)                                        \
    X(DOMAIN_GET_ID, "virDomainGetID", NONE)                                                  \
    X(DOMAIN_GET_OS_TYPE, "virDomainGetOSType", NONE)                                         \
    X(DOMAIN_IS_ACTIVE, "virDomainIsActive", NONE)                                            \
    X(DOMAIN_IS_PERSISTENT, "virDomainIsPersistent", NONE)                                    \
    X(DOMAIN_IS_UPDATED, "virDomainIsUpdated", NONE)                                          \
    X(DOMAIN_GET_AUTOSTART, "virDomainGetAutostart", NONE)                                    \
    X(DOMAIN_GET_SCHEDULER_TYPE, "virDomainGetSchedulerType", NONE)                           \
    X(DOMAIN_GET_STATE, "virDomainGetState", NONE)                                            \
    X(DOMAIN_GET_INFO, "virDomainGetInfo", NONE)                                              \
    /* lifecycle */                                                                           \
    X(DOMAIN_CREATE, "virDomainCreateWithFlags", MODIFY)                                      \
    X(DOMAIN_CREATE_WITH_FILES, "virDomainCreateWithFiles", MODIFY)                           \
    X(DOMAIN_DESTROY, "virDomainDestroyFlags", DESTROY)                                       \
    X(DOMAIN_SHUTDOWN, "virDomainShutdownFlags", MODIFY)                                      \
    X(DOMAIN_REBOOT, "virDomainReboot", MODIFY)                                               \
    X(DOMAIN_RESET, "virDomainReset", MODIFY)                                                 \
    X(DOMAIN_SUSPEND, "virDomainSuspend", MODIFY)                                             \
    X(DOMAIN_RESUME, "virDomainResume", MODIFY)                                               \
    X(DOMAIN_SAVE, "virDomainSaveFlags", MODIFY)                                              \
    X(DOMAIN_MANAGED_SAVE, "virDomainManagedSave", MODIFY)                                    \
    X(DOMAIN_MANAGED_SAVE_REMOVE, "virDomainManagedSaveRemove", MODIFY)                       \
    X(DOMAIN_HAS_MANAGED_SAVE_IMAGE, "virDomainHasManagedSaveImage", NONE)                    \
    X(DOMAIN_UNDEFINE, "virDomainUndefineFlags", MODIFY)                                      \
    X(DOMAIN_MIGRATE_PERFORM3_PARAMS, "virDomainMigrateToURI3", MODIFY)                       \
    /* definition and configuration */                                                        \
    X(DOMAIN_GET_XML_DESC, "virDomainGetXMLDesc", NONE)                                       \
    X(DOMAIN_SET_AUTOSTART, "virDomainSetAutostart", MODIFY)                                  \
    X(DOMAIN_SET_VCPUS, "virDomainSetVcpusFlags", MODIFY)                                     \
    X(DOMAIN_GET_VCPUS, "virDomainGetVcpusFlags", NONE)                                       \
    X(DOMAIN_GET_VCPU_PIN_INFO, "virDomainGetVcpuPinInfo", NONE)                              \
    X(DOMAIN_PIN_VCPU, "virDomainPinVcpuFlags", MODIFY)                                       \
    X(DOMAIN_SET_MEMORY, "virDomainSetMemoryFlags", MODIFY)                                   \
    X(DOMAIN_SET_MEMORY_STATS_PERIOD, "virDomainSetMemoryStatsPeriod", MODIFY)                \
    X(DOMAIN_GET_METADATA, "virDomainGetMetadata", NONE)                                      \
    X(DOMAIN_SET_METADATA, "virDomainSetMetadata", MODIFY)                                    \
    X(DOMAIN_ATTACH_DEVICE, "virDomainAttachDeviceFlags", MODIFY)                             \
    X(DOMAIN_DETACH_DEVICE, "virDomainDetachDeviceFlags", MODIFY)                             \
    X(DOMAIN_UPDATE_DEVICE, "virDomainUpdateDeviceFlags", MODIFY)                             \
    /* jobs, statistics, guest information */                                                 \
    X(DOMAIN_GET_JOB_INFO, "virDomainGetJobInfo", NONE)                                       \
    X(DOMAIN_ABORT_JOB, "virDomainAbortJob", NONE)                                            \
    X(DOMAIN_LIST_GET_STATS, "virDomainListGetStats", NONE)                                   \
    X(DOMAIN_GET_BLOCK_INFO, "virDomainGetBlockInfo", QUERY)                                  \
    X(DOMAIN_BLOCK_RESIZE, "virDomainBlockResize", MODIFY)                                    \
    /* no job: libvirt 9.0 reads the image without one */                                     \
    X(DOMAIN_BLOCK_PEEK, "virDomainBlockPeek", NONE)                                          \
    X(DOMAIN_INTERFACE_ADDRESSES, "virDomainInterfaceAddresses", QUERY)                       \
    /* guest control */                                                                       \
    X(DOMAIN_GET_HOSTNAME, "virDomainGetHostname", QUERY)                                     \
    X(DOMAIN_GET_TIME, "virDomainGetTime", QUERY)                                             \
    X(DOMAIN_SET_TIME, "virDomainSetTime", MODIFY)                                            \
    X(DOMAIN_GET_CONTROL_INFO, "virDomainGetControlInfo", NONE)                               \
    X(DOMAIN_RENAME, "virDomainRename", MODIFY)                                               \
    X(DOMAIN_INJECT_NMI, "virDomainInjectNMI", MODIFY)                                        \
    X(DOMAIN_SEND_KEY, "virDomainSendKey", MODIFY)                                            \
    X(DOMAIN_SEND_PROCESS_SIGNAL, "virDomainSendProcessSignal", MODIFY)                       \
    X(DOMAIN_SET_USER_PASSWORD, "virDomainSetUserPassword", MODIFY)                           \
    X(DOMAIN_MEMORY_STATS, "virDomainMemoryStats", QUERY)                                     \
    X(DOMAIN_MEMORY_PEEK, "virDomainMemoryPeek", QUERY)                                       \
    X(DOMAIN_PIN_EMULATOR, "virDomainPinEmulator", MODIFY)                                    \
    X(DOMAIN_GET_EMULATOR_PIN_INFO, "virDomainGetEmulatorPinInfo", NONE)                      \
    X(DOMAIN_GET_FSINFO, "virDomainGetFSInfo", QUERY)                                         \
    X(DOMAIN_GET_DISK_ERRORS, "virDomainGetDiskErrors", NONE)                                 \
    X(DOMAIN_FSFREEZE, "virDomainFSFreeze", MODIFY)                                           \
    X(DOMAIN_FSTHAW, "virDomainFSThaw", MODIFY)                                               \
    X(DOMAIN_FSTRIM, "virDomainFSTrim", MODIFY)                                               \
    X(DOMAIN_CORE_DUMP_WITH_FORMAT, "virDomainCoreDumpWithFormat", MODIFY)                    \
    X(DOMAIN_GET_IOTHREAD_INFO, "virDomainGetIOThreadInfo", NONE)                             \
    X(DOMAIN_ADD_IOTHREAD, "virDomainAddIOThread", MODIFY)                                    \
    X(DOMAIN_DEL_IOTHREAD, "virDomainDelIOThread", MODIFY)                                    \
    X(DOMAIN_PIN_IOTHREAD, "virDomainPinIOThread", MODIFY)                                    \
    /* tunables */                                                                            \
    X(DOMAIN_GET_MEMORY_PARAMETERS, "virDomainGetMemoryParameters", NONE)                     \
    X(DOMAIN_SET_MEMORY_PARAMETERS, "virDomainSetMemoryParameters", MODIFY)                   \
    X(DOMAIN_GET_SCHEDULER_PARAMETERS, "virDomainGetSchedulerParametersFlags", NONE)          \
    X(DOMAIN_SET_SCHEDULER_PARAMETERS, "virDomainSetSchedulerParametersFlags", MODIFY)        \
    X(DOMAIN_GET_NUMA_PARAMETERS, "virDomainGetNumaParameters", NONE)                         \
    X(DOMAIN_SET_NUMA_PARAMETERS, "virDomainSetNumaParameters", MODIFY)                       \
    X(DOMAIN_GET_BLKIO_PARAMETERS, "virDomainGetBlkioParameters", NONE)                       \
    X(DOMAIN_SET_BLKIO_PARAMETERS, "virDomainSetBlkioParameters", MODIFY)                     \
    X(DOMAIN_GET_PERF_EVENTS, "virDomainGetPerfEvents", NONE)                                 \
    X(DOMAIN_SET_PERF_EVENTS, "virDomainSetPerfEvents", MODIFY)                               \
    X(DOMAIN_GET_INTERFACE_PARAMETERS, "virDomainGetInterfaceParameters", NONE)               \
    X(DOMAIN_SET_INTERFACE_PARAMETERS, "virDomainSetInterfaceParameters", MODIFY)             \
    X(DOMAIN_GET_BLOCK_IO_TUNE, "virDomainGetBlockIoTune", NONE)                              \
    X(DOMAIN_SET_BLOCK_IO_TUNE, "virDomainSetBlockIoTune", MODIFY)                            \
    /* snapshots */                                                                           \
    X(DOMAIN_SNAPSHOT_CREATE_XML, "virDomainSnapshotCreateXML", MODIFY)                       \
    X(DOMAIN_LIST_ALL_SNAPSHOTS, "virDomainListAllSnapshots", NONE)                           \
    X(DOMAIN_SNAPSHOT_LOOKUP_BY_NAME, "virDomainSnapshotLookupByName", NONE)                  \
    X(DOMAIN_SNAPSHOT_CURRENT, "virDomainSnapshotCurrent", NONE)                              \
    X(DOMAIN_SNAPSHOT_GET_XML_DESC, "virDomainSnapshotGetXMLDesc", NONE)                      \
    X(DOMAIN_SNAPSHOT_GET_PARENT, "virDomainSnapshotGetParent", NONE)                         \
    X(DOMAIN_SNAPSHOT_LIST_ALL_CHILDREN, "virDomainSnapshotListAllChildren", NONE)            \
    X(DOMAIN_SNAPSHOT_IS_CURRENT, "virDomainSnapshotIsCurrent", NONE)                         \
    X(DOMAIN_SNAPSHOT_HAS_METADATA, "virDomainSnapshotHasMetadata", NONE)                     \
    X(DOMAIN_SNAPSHOT_DELETE, "virDomainSnapshotDelete", MODIFY)                              \
    X(DOMAIN_REVERT_TO_SNAPSHOT, "virDomainRevertToSnapshot", MODIFY)                         \
    /* libvirt calls no virtbus driver implements yet (answered "not supported") */           \
    X(DOMAIN_BLOCK_COMMIT, "virDomainBlockCommit", NONE)                                      \
    X(DOMAIN_BLOCK_COPY, "virDomainBlockCopy", NONE)                                          \
    X(DOMAIN_BLOCK_JOB_ABORT, "virDomainBlockJobAbort", NONE)                                 \
    X(DOMAIN_BLOCK_JOB_SET_SPEED, "virDomainBlockJobSetSpeed", NONE)                          \
    X(DOMAIN_BLOCK_PULL, "virDomainBlockPull", NONE)                                          \
    X(DOMAIN_BLOCK_REBASE, "virDomainBlockRebase", NONE)                                      \
    X(DOMAIN_GET_BLOCK_JOB_INFO, "virDomainGetBlockJobInfo", NONE)                            \
    X(DOMAIN_GET_GUEST_VCPUS, "virDomainGetGuestVcpus", NONE)                                 \
    X(DOMAIN_SET_GUEST_VCPUS, "virDomainSetGuestVcpus", NONE)                                 \
    X(DOMAIN_GET_JOB_STATS, "virDomainGetJobStats", NONE)                                     \
    X(DOMAIN_GET_SECURITY_LABEL_LIST, "virDomainGetSecurityLabelList", NONE)                  \
    X(DOMAIN_MIGRATE_GET_COMPRESSION_CACHE, "virDomainMigrateGetCompressionCache", NONE)      \
    X(DOMAIN_MIGRATE_SET_COMPRESSION_CACHE, "virDomainMigrateSetCompressionCache", NONE)      \
    X(DOMAIN_MIGRATE_GET_MAX_SPEED, "virDomainMigrateGetMaxSpeed", NONE)                      \
    X(DOMAIN_MIGRATE_SET_MAX_SPEED, "virDomainMigrateSetMaxSpeed", NONE)                      \
    X(DOMAIN_MIGRATE_SET_MAX_DOWNTIME, "virDomainMigrateSetMaxDowntime", NONE)                \
    X(DOMAIN_MIGRATE_START_POST_COPY, "virDomainMigrateStartPostCopy", NONE)                  \
    X(DOMAIN_OPEN_GRAPHICS_FD, "virDomainOpenGraphicsFD", NONE)                               \
    X(DOMAIN_PM_WAKEUP, "virDomainPMWakeup", NONE)                                            \
    /* networks (libvirt's virNetworkDriver) */                                              \
    X(CONNECT_LIST_ALL_NETWORKS, "virConnectListAllNetworks", NONE)                           \
    X(CONNECT_NETWORK_EVENT_REGISTER_ANY, "virConnectNetworkEventRegisterAny", NONE)          \
    X(NETWORK_LOOKUP_BY_NAME, "virNetworkLookupByName", NONE)                                 \
    X(NETWORK_LOOKUP_BY_UUID, "virNetworkLookupByUUID", NONE)                                 \
    X(NETWORK_DEFINE_XML, "virNetworkDefineXMLFlags", NONE)                                   \
    X(NETWORK_CREATE_XML, "virNetworkCreateXMLFlags", NONE)                                   \
    X(NETWORK_CREATE, "virNetworkCreate", NONE)                                               \
    X(NETWORK_DESTROY, "virNetworkDestroy", NONE)                                             \
    X(NETWORK_UNDEFINE, "virNetworkUndefine", NONE)                                           \
    X(NETWORK_UPDATE, "virNetworkUpdate", NONE)                                               \
    X(NETWORK_GET_XML_DESC, "virNetworkGetXMLDesc", NONE)                                     \
    X(NETWORK_GET_AUTOSTART, "virNetworkGetAutostart", NONE)                                  \
    X(NETWORK_SET_AUTOSTART, "virNetworkSetAutostart", NONE)                                  \
    X(NETWORK_IS_ACTIVE, "virNetworkIsActive", NONE)                                          \
    X(NETWORK_IS_PERSISTENT, "virNetworkIsPersistent", NONE)                                  \
    X(NETWORK_GET_DHCP_LEASES, "virNetworkGetDHCPLeases", NONE)                               \
    /* storage pools and volumes (libvirt's virStorageDriver) */                              \
    X(CONNECT_LIST_ALL_STORAGE_POOLS, "virConnectListAllStoragePools", NONE)                  \
    X(CONNECT_STORAGE_POOL_EVENT_REGISTER_ANY, "virConnectStoragePoolEventRegisterAny", NONE) \
    X(CONNECT_FIND_STORAGE_POOL_SOURCES, "virConnectFindStoragePoolSources", NONE)            \
    X(STORAGE_POOL_LOOKUP_BY_NAME, "virStoragePoolLookupByName", NONE)                        \
    X(STORAGE_POOL_LOOKUP_BY_UUID, "virStoragePoolLookupByUUID", NONE)                        \
    X(STORAGE_POOL_DEFINE_XML, "virStoragePoolDefineXML", NONE)                               \
    X(STORAGE_POOL_CREATE_XML, "virStoragePoolCreateXML", NONE)                               \
    X(STORAGE_POOL_BUILD, "virStoragePoolBuild", NONE)                                        \
    X(STORAGE_POOL_CREATE, "virStoragePoolCreate", NONE)                                      \
    X(STORAGE_POOL_DESTROY, "virStoragePoolDestroy", NONE)                                    \
    X(STORAGE_POOL_DELETE, "virStoragePoolDelete", NONE)                                      \
    X(STORAGE_POOL_UNDEFINE, "virStoragePoolUndefine", NONE)                                  \
    X(STORAGE_POOL_REFRESH, "virStoragePoolRefresh", NONE)                                    \
    X(STORAGE_POOL_GET_INFO, "virStoragePoolGetInfo", NONE)                                   \
    X(STORAGE_POOL_GET_XML_DESC, "virStoragePoolGetXMLDesc", NONE)                            \
    X(STORAGE_POOL_GET_AUTOSTART, "virStoragePoolGetAutostart", NONE)                         \
    X(STORAGE_POOL_SET_AUTOSTART, "virStoragePoolSetAutostart", NONE)                         \
    X(STORAGE_POOL_IS_ACTIVE, "virStoragePoolIsActive", NONE)                                 \
    X(STORAGE_POOL_IS_PERSISTENT, "virStoragePoolIsPersistent", NONE)                         \
    X(STORAGE_POOL_LIST_ALL_VOLUMES, "virStoragePoolListAllVolumes", NONE)                    \
    X(STORAGE_VOL_LOOKUP_BY_NAME, "virStorageVolLookupByName", NONE)                          \
    X(STORAGE_VOL_LOOKUP_BY_KEY, "virStorageVolLookupByKey", NONE)                            \
    X(STORAGE_VOL_LOOKUP_BY_PATH, "virStorageVolLookupByPath", NONE)                          \
    X(STORAGE_VOL_CREATE_XML, "virStorageVolCreateXML", NONE)                                 \
    X(STORAGE_VOL_CREATE_XML_FROM, "virStorageVolCreateXMLFrom", NONE)                        \
    X(STORAGE_VOL_DELETE, "virStorageVolDelete", NONE)                                        \
    X(STORAGE_VOL_GET_INFO, "virStorageVolGetInfoFlags", NONE)                                \
    X(STORAGE_VOL_GET_XML_DESC, "virStorageVolGetXMLDesc", NONE)                              \
    X(STORAGE_VOL_GET_PATH, "virStorageVolGetPath", NONE)                                     \
    X(STORAGE_VOL_RESIZE, "virStorageVolResize", NONE)                                        \
    X(STORAGE_VOL_WIPE, "virStorageVolWipePattern", NONE)                                     \
    /* node devices (libvirt's virNodeDeviceDriver) */                                        \
    X(CONNECT_LIST_ALL_NODE_DEVICES, "virConnectListAllNodeDevices", NONE)                    \
    X(CONNECT_NODE_DEVICE_EVENT_REGISTER_ANY, "virConnectNodeDeviceEventRegisterAny", NONE)   \
    X(NODE_DEVICE_LOOKUP_BY_NAME, "virNodeDeviceLookupByName", NONE)                          \
    X(NODE_DEVICE_LOOKUP_SCSI_HOST_BY_WWN, "virNodeDeviceLookupSCSIHostByWWN", NONE)          \
    X(NODE_DEVICE_CREATE_XML, "virNodeDeviceCreateXML", NONE)                                 \
    X(NODE_DEVICE_DESTROY, "virNodeDeviceDestroy", NONE)                                      \
    X(NODE_DEVICE_GET_XML_DESC, "virNodeDeviceGetXMLDesc", NONE)                              \
    X(NODE_DEVICE_GET_PARENT, "virNodeDeviceGetParent", NONE)                                 \
    X(NODE_DEVICE_LIST_CAPS, "virNodeDeviceListCaps", NONE)                                   \
    X(NODE_DEVICE_DETACH_FLAGS, "virNodeDeviceDetachFlags", NONE)                             \
    X(NODE_DEVICE_RE_ATTACH, "virNodeDeviceReAttach", NONE)                                   \
    X(NODE_DEVICE_RESET, "virNodeDeviceReset", NONE)                                          \
    /* host interfaces (libvirt's virInterfaceDriver) */                                      \
    X(CONNECT_LIST_ALL_INTERFACES, "virConnectListAllInterfaces", NONE)                       \
    X(INTERFACE_LOOKUP_BY_NAME, "virInterfaceLookupByName", NONE)                             \
    X(INTERFACE_LOOKUP_BY_MAC_STRING, "virInterfaceLookupByMACString", NONE)                  \
    X(INTERFACE_DEFINE_XML, "virInterfaceDefineXML", NONE)                                    \
    X(INTERFACE_UNDEFINE, "virInterfaceUndefine", NONE)                                       \
    X(INTERFACE_CREATE, "virInterfaceCreate", NONE)                                           \
    X(INTERFACE_DESTROY, "virInterfaceDestroy", NONE)                                         \
    X(INTERFACE_GET_XML_DESC, "virInterfaceGetXMLDesc", NONE)                                 \
    X(INTERFACE_IS_ACTIVE, "virInterfaceIsActive", NONE)                                      \
    X(INTERFACE_CHANGE_BEGIN, "virInterfaceChangeBegin", NONE)                                \
    X(INTERFACE_CHANGE_COMMIT, "virInterfaceChangeCommit", NONE)                              \
    X(INTERFACE_CHANGE_ROLLBACK, "virInterfaceChangeRollback", NONE)                          \
    /* secrets and network filters (no virtbus driver serves them: "not supported") */       \
    X(CONNECT_LIST_ALL_SECRETS, "virConnectListAllSecrets", NONE)                             \
    X(CONNECT_SECRET_EVENT_REGISTER_ANY, "virConnectSecretEventRegisterAny", NONE)            \
    X(SECRET_LOOKUP_BY_UUID, "virSecretLookupByUUID", NONE)                                   \
    X(SECRET_LOOKUP_BY_USAGE, "virSecretLookupByUsage", NONE)                                 \
    X(SECRET_DEFINE_XML, "virSecretDefineXML", NONE)                                          \
    X(SECRET_GET_VALUE, "virSecretGetValue", NONE)                                            \
    X(SECRET_SET_VALUE, "virSecretSetValue", NONE)                                            \
    X(SECRET_GET_XML_DESC, "virSecretGetXMLDesc", NONE)                                       \
    X(SECRET_UNDEFINE, "virSecretUndefine", NONE)                                             \
    X(CONNECT_LIST_ALL_NWFILTERS, "virConnectListAllNWFilters", NONE)                         \
    X(NWFILTER_LOOKUP_BY_NAME, "virNWFilterLookupByName", NONE)                               \
    X(NWFILTER_LOOKUP_BY_UUID, "virNWFilterLookupByUUID", NONE)                               \
    X(NWFILTER_DEFINE_XML, "virNWFilterDefineXML", NONE)                                      \
    X(NWFILTER_GET_XML_DESC, "virNWFilterGetXMLDesc", NONE)                                   \
    X(NWFILTER_UNDEFINE, "virNWFilterUndefine", NONE)                                         \
    /* bus-level calls of our own that reveal objects: they are filtered, not refused */      \
    X(BUS_PEER, "(peer)", NONE)                                                               \
    X(BUS_INTROSPECT, "(introspect)", NONE)                                                   \
    X(BUS_GET_MANAGED_OBJECTS, "(managed objects)", NONE)

#define VB_OPERATION_ENUM(id, api, job) VB_OP_##id,
enum vb_operation { VB_OPERATIONS(VB_OPERATION_ENUM) VB_OP_COUNT };
#undef VB_OPERATION_ENUM

/* "virDomainSuspend"; "(unknown)" out of range. */
const char *vb_operation_api(enum vb_operation op);
/* "DOMAIN_SUSPEND", for logs and tools. */
const char *vb_operation_name(enum vb_operation op);
/* The job the operation takes on its domain (VB_JOB_NONE for connection calls and reads). */
enum vb_job_kind vb_operation_job(enum vb_operation op);
