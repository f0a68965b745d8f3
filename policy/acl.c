/* The operation → permission table. Every row follows the `@acl:` and `@aclfilter:` lines of
 * the libvirt procedure the operation stands for, as libvirt 9.0's src/remote/remote_protocol.x
 * declares them (the procedure is named in each comment). Operations no driver implements yet
 * are checked like the procedure they stand for. An operation missing here is refused. */
#include <errno.h>
#include <string.h>

#include "conf/domain_def.h"
#include "conf/domain_obj.h"
#include "drivers/driver.h"
#include "drivers/driver_network.h"
#include "drivers/driver_snapshot.h"
#include "policy/acl.h"
#include "util/macros.h"

#define ALWAYS(object, perm) { POLICY_OBJECT_##object, perm, POLICY_WHEN_ALWAYS, 0 }
#define IF_FLAGS(object, perm, mask) { POLICY_OBJECT_##object, perm, POLICY_WHEN_FLAGS_ALL, mask }
/* libvirt's `domain:save:!VIR_DOMAIN_AFFECT_CONFIG|VIR_DOMAIN_AFFECT_LIVE` and
 * `domain:save:VIR_DOMAIN_AFFECT_CONFIG`: a change that may reach the persistent definition. */
#define SAVE_IF_CONFIG                                                                              \
    { POLICY_OBJECT_DOMAIN, "save", POLICY_WHEN_FLAGS_NONE, VB_AFFECT_CONFIG | VB_AFFECT_LIVE },     \
        IF_FLAGS(DOMAIN, "save", VB_AFFECT_CONFIG)
#define WRITE_SAVE ALWAYS(DOMAIN, "write"), SAVE_IF_CONFIG

#define RULE(op, ...) [VB_OP_##op] = { .defined = true, .permissions = { __VA_ARGS__ } }
#define LIST_RULE(op, filter, ...) \
    [VB_OP_##op] = { .defined = true, .list_filter = (filter), .list_object = POLICY_OBJECT_DOMAIN,             \
                     .permissions = { __VA_ARGS__ } }
/* A list of networks, pools, volumes, node devices or interfaces: `@aclfilter: <object>:getattr`. */
#define OBJECT_LIST_RULE(op, object, ...)                                                                        \
    [VB_OP_##op] = { .defined = true, .list_filter = POLICY_FILTER_GETATTR, .list_object = POLICY_OBJECT_##object, \
                     .permissions = { __VA_ARGS__ } }

static const struct policy_rule rules[VB_OP_COUNT] = {
    /* connection and host */
    RULE(CONNECT_OPEN, ALWAYS(CONNECT, "getattr")),                          /* CONNECT_OPEN */
    RULE(CONNECT_GET_HOSTNAME, ALWAYS(CONNECT, "getattr")),                  /* CONNECT_GET_HOSTNAME */
    RULE(CONNECT_GET_LIB_VERSION, ALWAYS(CONNECT, "getattr")),               /* CONNECT_GET_LIB_VERSION */
    RULE(CONNECT_GET_VERSION, ALWAYS(CONNECT, "getattr")),                   /* CONNECT_GET_VERSION */
    RULE(CONNECT_GET_CAPABILITIES, ALWAYS(CONNECT, "read")),                 /* CONNECT_GET_CAPABILITIES */
    RULE(CONNECT_GET_DOMAIN_CAPABILITIES, ALWAYS(CONNECT, "write")),         /* CONNECT_GET_DOMAIN_CAPABILITIES */
    RULE(CONNECT_GET_SYSINFO, ALWAYS(CONNECT, "read")),                      /* CONNECT_GET_SYSINFO */
    RULE(CONNECT_GET_CPU_MODEL_NAMES, ALWAYS(CONNECT, "read")),              /* CONNECT_GET_CPU_MODEL_NAMES */
    RULE(CONNECT_BASELINE_CPU, ALWAYS(CONNECT, "read")),                     /* CONNECT_BASELINE_CPU */
    RULE(CONNECT_COMPARE_CPU, ALWAYS(CONNECT, "read")),                      /* CONNECT_COMPARE_CPU */
    LIST_RULE(CONNECT_LIST_ALL_DOMAINS, POLICY_FILTER_GETATTR,               /* CONNECT_LIST_ALL_DOMAINS */
              ALWAYS(CONNECT, "search_domains")),
    LIST_RULE(CONNECT_GET_ALL_DOMAIN_STATS, POLICY_FILTER_READ,              /* CONNECT_GET_ALL_DOMAIN_STATS */
              ALWAYS(CONNECT, "search_domains")),
    /* Events reach a subscriber for the domains it may getattr (remoteRelayDomainEventCheckACL). */
    LIST_RULE(CONNECT_DOMAIN_EVENT_REGISTER_ANY, POLICY_FILTER_GETATTR,      /* CONNECT_DOMAIN_EVENT_REGISTER_ANY */
              ALWAYS(CONNECT, "search_domains")),
    RULE(NODE_GET_INFO, ALWAYS(CONNECT, "read")),                            /* NODE_GET_INFO */
    RULE(NODE_GET_CPU_MAP, ALWAYS(CONNECT, "read")),                         /* NODE_GET_CPU_MAP */
    RULE(NODE_GET_CPU_STATS, ALWAYS(CONNECT, "read")),                       /* NODE_GET_CPU_STATS */
    RULE(NODE_GET_MEMORY_STATS, ALWAYS(CONNECT, "read")),                    /* NODE_GET_MEMORY_STATS */
    RULE(NODE_GET_FREE_MEMORY, ALWAYS(CONNECT, "read")),                     /* NODE_GET_FREE_MEMORY */
    RULE(NODE_GET_MEMORY_PARAMETERS, ALWAYS(CONNECT, "read")),               /* NODE_GET_MEMORY_PARAMETERS */
    RULE(NODE_SET_MEMORY_PARAMETERS, ALWAYS(CONNECT, "write")),              /* NODE_SET_MEMORY_PARAMETERS */
    RULE(NODE_GET_SECURITY_MODEL, ALWAYS(CONNECT, "read")),                  /* NODE_GET_SECURITY_MODEL */

    /* domains of a connection */
    RULE(DOMAIN_LOOKUP_BY_NAME, ALWAYS(DOMAIN, "getattr")),                  /* DOMAIN_LOOKUP_BY_NAME */
    RULE(DOMAIN_LOOKUP_BY_UUID, ALWAYS(DOMAIN, "getattr")),                  /* DOMAIN_LOOKUP_BY_UUID */
    RULE(DOMAIN_LOOKUP_BY_ID, ALWAYS(DOMAIN, "getattr")),                    /* DOMAIN_LOOKUP_BY_ID */
    RULE(DOMAIN_DEFINE_XML, ALWAYS(DOMAIN, "write"), ALWAYS(DOMAIN, "save")), /* DOMAIN_DEFINE_XML_FLAGS */
    RULE(DOMAIN_CREATE_XML, ALWAYS(DOMAIN, "write"), ALWAYS(DOMAIN, "start")), /* DOMAIN_CREATE_XML */
    RULE(DOMAIN_CREATE_XML_WITH_FILES, ALWAYS(DOMAIN, "write"),              /* DOMAIN_CREATE_XML_WITH_FILES */
         ALWAYS(DOMAIN, "start")),
    /* The domain is the one in the save image; the daemon does not open a file the caller
     * names before it is authorized, so the check carries the replacement XML's domain when
     * one is given and only the connection otherwise. */
    RULE(DOMAIN_RESTORE, ALWAYS(DOMAIN, "start"), ALWAYS(DOMAIN, "write")),  /* DOMAIN_RESTORE_FLAGS */
    RULE(DOMAIN_SAVE_IMAGE_DEFINE_XML, ALWAYS(DOMAIN, "write"),              /* DOMAIN_SAVE_IMAGE_DEFINE_XML */
         ALWAYS(DOMAIN, "hibernate")),
    RULE(DOMAIN_SAVE_IMAGE_GET_XML_DESC, ALWAYS(DOMAIN, "write")),           /* DOMAIN_SAVE_IMAGE_GET_XML_DESC */

    /* a domain's identity and state: the name, UUID and id come with the lookup (getattr) */
    RULE(DOMAIN_GET_NAME, ALWAYS(DOMAIN, "getattr")),                        /* virDomainGetName: local */
    RULE(DOMAIN_GET_UUID, ALWAYS(DOMAIN, "getattr")),                        /* virDomainGetUUIDString: local */
    RULE(DOMAIN_GET_ID, ALWAYS(DOMAIN, "getattr")),                          /* virDomainGetID: local */
    RULE(DOMAIN_GET_OS_TYPE, ALWAYS(DOMAIN, "read")),                        /* DOMAIN_GET_OS_TYPE */
    RULE(DOMAIN_IS_ACTIVE, ALWAYS(DOMAIN, "read")),                          /* DOMAIN_IS_ACTIVE */
    RULE(DOMAIN_IS_PERSISTENT, ALWAYS(DOMAIN, "read")),                      /* DOMAIN_IS_PERSISTENT */
    RULE(DOMAIN_IS_UPDATED, ALWAYS(DOMAIN, "read")),                         /* DOMAIN_IS_UPDATED */
    RULE(DOMAIN_GET_AUTOSTART, ALWAYS(DOMAIN, "read")),                      /* DOMAIN_GET_AUTOSTART */
    RULE(DOMAIN_GET_SCHEDULER_TYPE, ALWAYS(DOMAIN, "read")),                 /* DOMAIN_GET_SCHEDULER_TYPE */
    RULE(DOMAIN_GET_STATE, ALWAYS(DOMAIN, "read")),                          /* DOMAIN_GET_STATE */
    RULE(DOMAIN_GET_INFO, ALWAYS(DOMAIN, "read")),                           /* DOMAIN_GET_INFO */

    /* lifecycle */
    RULE(DOMAIN_CREATE, ALWAYS(DOMAIN, "start")),                            /* DOMAIN_CREATE_WITH_FLAGS */
    RULE(DOMAIN_CREATE_WITH_FILES, ALWAYS(DOMAIN, "start")),                 /* DOMAIN_CREATE_WITH_FILES */
    RULE(DOMAIN_DESTROY, ALWAYS(DOMAIN, "stop")),                            /* DOMAIN_DESTROY_FLAGS */
    RULE(DOMAIN_SHUTDOWN, ALWAYS(DOMAIN, "init_control"),                    /* DOMAIN_SHUTDOWN_FLAGS */
         IF_FLAGS(DOMAIN, "write", VB_SHUTDOWN_GUEST_AGENT)),
    RULE(DOMAIN_REBOOT, ALWAYS(DOMAIN, "init_control"),                      /* DOMAIN_REBOOT */
         IF_FLAGS(DOMAIN, "write", VB_SHUTDOWN_GUEST_AGENT)),
    RULE(DOMAIN_RESET, ALWAYS(DOMAIN, "reset")),                             /* DOMAIN_RESET */
    RULE(DOMAIN_SUSPEND, ALWAYS(DOMAIN, "suspend")),                         /* DOMAIN_SUSPEND */
    RULE(DOMAIN_RESUME, ALWAYS(DOMAIN, "suspend")),                          /* DOMAIN_RESUME */
    RULE(DOMAIN_SAVE, ALWAYS(DOMAIN, "hibernate")),                          /* DOMAIN_SAVE_FLAGS */
    RULE(DOMAIN_MANAGED_SAVE, ALWAYS(DOMAIN, "hibernate")),                  /* DOMAIN_MANAGED_SAVE */
    RULE(DOMAIN_MANAGED_SAVE_REMOVE, ALWAYS(DOMAIN, "hibernate")),           /* DOMAIN_MANAGED_SAVE_REMOVE */
    RULE(DOMAIN_HAS_MANAGED_SAVE_IMAGE, ALWAYS(DOMAIN, "read")),             /* DOMAIN_HAS_MANAGED_SAVE_IMAGE */
    RULE(DOMAIN_UNDEFINE, ALWAYS(DOMAIN, "delete")),                         /* DOMAIN_UNDEFINE_FLAGS */
    RULE(DOMAIN_MIGRATE_PERFORM3_PARAMS, ALWAYS(DOMAIN, "migrate")),         /* DOMAIN_MIGRATE_PERFORM3_PARAMS */

    /* definition and configuration */
    RULE(DOMAIN_GET_XML_DESC, ALWAYS(DOMAIN, "read"),                        /* DOMAIN_GET_XML_DESC */
         IF_FLAGS(DOMAIN, "read_secure", VB_DOMAIN_XML_SECURE),
         IF_FLAGS(DOMAIN, "read_secure", VB_DOMAIN_XML_MIGRATABLE)),
    RULE(DOMAIN_SET_AUTOSTART, ALWAYS(DOMAIN, "write")),                     /* DOMAIN_SET_AUTOSTART */
    RULE(DOMAIN_SET_VCPUS, WRITE_SAVE, IF_FLAGS(DOMAIN, "write", VB_VCPU_GUEST)), /* DOMAIN_SET_VCPUS_FLAGS */
    RULE(DOMAIN_GET_VCPUS, ALWAYS(DOMAIN, "read"),                           /* DOMAIN_GET_VCPUS_FLAGS */
         IF_FLAGS(DOMAIN, "write", VB_VCPU_GUEST)),
    RULE(DOMAIN_GET_VCPU_PIN_INFO, ALWAYS(DOMAIN, "read")),                  /* DOMAIN_GET_VCPU_PIN_INFO */
    RULE(DOMAIN_PIN_VCPU, WRITE_SAVE),                                       /* DOMAIN_PIN_VCPU_FLAGS */
    RULE(DOMAIN_SET_MEMORY, WRITE_SAVE),                                     /* DOMAIN_SET_MEMORY_FLAGS */
    RULE(DOMAIN_SET_MEMORY_STATS_PERIOD, WRITE_SAVE),                        /* DOMAIN_SET_MEMORY_STATS_PERIOD */
    RULE(DOMAIN_GET_METADATA, ALWAYS(DOMAIN, "read")),                       /* DOMAIN_GET_METADATA */
    RULE(DOMAIN_SET_METADATA, WRITE_SAVE),                                   /* DOMAIN_SET_METADATA */
    RULE(DOMAIN_ATTACH_DEVICE, WRITE_SAVE),                                  /* DOMAIN_ATTACH_DEVICE_FLAGS */
    RULE(DOMAIN_DETACH_DEVICE, WRITE_SAVE),                                  /* DOMAIN_DETACH_DEVICE_FLAGS */
    RULE(DOMAIN_UPDATE_DEVICE, WRITE_SAVE),                                  /* DOMAIN_UPDATE_DEVICE_FLAGS */

    /* jobs, statistics, guest information */
    RULE(DOMAIN_GET_JOB_INFO, ALWAYS(DOMAIN, "read")),                       /* DOMAIN_GET_JOB_INFO */
    RULE(DOMAIN_ABORT_JOB, ALWAYS(DOMAIN, "write")),                         /* DOMAIN_ABORT_JOB */
    RULE(DOMAIN_LIST_GET_STATS, ALWAYS(CONNECT, "search_domains"),           /* CONNECT_GET_ALL_DOMAIN_STATS */
         ALWAYS(DOMAIN, "read")),
    RULE(DOMAIN_GET_BLOCK_INFO, ALWAYS(DOMAIN, "read")),                     /* DOMAIN_GET_BLOCK_INFO */
    RULE(DOMAIN_INTERFACE_ADDRESSES, ALWAYS(DOMAIN, "read"),                 /* DOMAIN_INTERFACE_ADDRESSES */
         IF_FLAGS(DOMAIN, "write", VB_INTERFACE_ADDRESSES_SRC_AGENT)),

    /* guest control */
    RULE(DOMAIN_GET_HOSTNAME, ALWAYS(DOMAIN, "write")),                      /* DOMAIN_GET_HOSTNAME */
    RULE(DOMAIN_GET_TIME, ALWAYS(DOMAIN, "write")),                          /* DOMAIN_GET_TIME */
    RULE(DOMAIN_SET_TIME, ALWAYS(DOMAIN, "set_time")),                       /* DOMAIN_SET_TIME */
    RULE(DOMAIN_GET_CONTROL_INFO, ALWAYS(DOMAIN, "read")),                   /* DOMAIN_GET_CONTROL_INFO */
    RULE(DOMAIN_RENAME, ALWAYS(DOMAIN, "write"), ALWAYS(DOMAIN, "save")),    /* DOMAIN_RENAME */
    RULE(DOMAIN_INJECT_NMI, ALWAYS(DOMAIN, "inject_nmi")),                   /* DOMAIN_INJECT_NMI */
    RULE(DOMAIN_SEND_KEY, ALWAYS(DOMAIN, "send_input")),                     /* DOMAIN_SEND_KEY */
    RULE(DOMAIN_SEND_PROCESS_SIGNAL, ALWAYS(DOMAIN, "send_signal")),         /* DOMAIN_SEND_PROCESS_SIGNAL */
    RULE(DOMAIN_SET_USER_PASSWORD, ALWAYS(DOMAIN, "set_password")),          /* DOMAIN_SET_USER_PASSWORD */
    RULE(DOMAIN_MEMORY_STATS, ALWAYS(DOMAIN, "read")),                       /* DOMAIN_MEMORY_STATS */
    RULE(DOMAIN_MEMORY_PEEK, ALWAYS(DOMAIN, "mem_read")),                    /* DOMAIN_MEMORY_PEEK */
    RULE(DOMAIN_PIN_EMULATOR, WRITE_SAVE),                                   /* DOMAIN_PIN_EMULATOR */
    RULE(DOMAIN_GET_EMULATOR_PIN_INFO, ALWAYS(DOMAIN, "read")),              /* DOMAIN_GET_EMULATOR_PIN_INFO */
    RULE(DOMAIN_GET_FSINFO, ALWAYS(DOMAIN, "fs_freeze")),                    /* DOMAIN_GET_FSINFO */
    RULE(DOMAIN_GET_DISK_ERRORS, ALWAYS(DOMAIN, "read")),                    /* DOMAIN_GET_DISK_ERRORS */
    RULE(DOMAIN_FSFREEZE, ALWAYS(DOMAIN, "fs_freeze")),                      /* DOMAIN_FSFREEZE */
    RULE(DOMAIN_FSTHAW, ALWAYS(DOMAIN, "fs_freeze")),                        /* DOMAIN_FSTHAW */
    RULE(DOMAIN_FSTRIM, ALWAYS(DOMAIN, "fs_trim")),                          /* DOMAIN_FSTRIM */
    RULE(DOMAIN_CORE_DUMP_WITH_FORMAT, ALWAYS(DOMAIN, "core_dump")),         /* DOMAIN_CORE_DUMP_WITH_FORMAT */
    RULE(DOMAIN_GET_IOTHREAD_INFO, ALWAYS(DOMAIN, "read")),                  /* DOMAIN_GET_IOTHREAD_INFO */
    RULE(DOMAIN_ADD_IOTHREAD, WRITE_SAVE),                                   /* DOMAIN_ADD_IOTHREAD */
    RULE(DOMAIN_DEL_IOTHREAD, WRITE_SAVE),                                   /* DOMAIN_DEL_IOTHREAD */
    RULE(DOMAIN_PIN_IOTHREAD, WRITE_SAVE),                                   /* DOMAIN_PIN_IOTHREAD */

    /* tunables */
    RULE(DOMAIN_GET_MEMORY_PARAMETERS, ALWAYS(DOMAIN, "read")),              /* DOMAIN_GET_MEMORY_PARAMETERS */
    RULE(DOMAIN_SET_MEMORY_PARAMETERS, WRITE_SAVE),                          /* DOMAIN_SET_MEMORY_PARAMETERS */
    RULE(DOMAIN_GET_SCHEDULER_PARAMETERS, ALWAYS(DOMAIN, "read")),           /* DOMAIN_GET_SCHEDULER_PARAMETERS_FLAGS */
    RULE(DOMAIN_SET_SCHEDULER_PARAMETERS, WRITE_SAVE),                       /* DOMAIN_SET_SCHEDULER_PARAMETERS_FLAGS */
    RULE(DOMAIN_GET_NUMA_PARAMETERS, ALWAYS(DOMAIN, "read")),                /* DOMAIN_GET_NUMA_PARAMETERS */
    RULE(DOMAIN_SET_NUMA_PARAMETERS, WRITE_SAVE),                            /* DOMAIN_SET_NUMA_PARAMETERS */
    RULE(DOMAIN_GET_BLKIO_PARAMETERS, ALWAYS(DOMAIN, "read")),               /* DOMAIN_GET_BLKIO_PARAMETERS */
    RULE(DOMAIN_SET_BLKIO_PARAMETERS, WRITE_SAVE),                           /* DOMAIN_SET_BLKIO_PARAMETERS */
    RULE(DOMAIN_GET_PERF_EVENTS, ALWAYS(DOMAIN, "read")),                    /* DOMAIN_GET_PERF_EVENTS */
    RULE(DOMAIN_SET_PERF_EVENTS, ALWAYS(DOMAIN, "write")),                   /* DOMAIN_SET_PERF_EVENTS */
    RULE(DOMAIN_GET_INTERFACE_PARAMETERS, ALWAYS(DOMAIN, "read")),           /* DOMAIN_GET_INTERFACE_PARAMETERS */
    RULE(DOMAIN_SET_INTERFACE_PARAMETERS, WRITE_SAVE),                       /* DOMAIN_SET_INTERFACE_PARAMETERS */
    RULE(DOMAIN_GET_BLOCK_IO_TUNE, ALWAYS(DOMAIN, "read")),                  /* DOMAIN_GET_BLOCK_IO_TUNE */
    RULE(DOMAIN_SET_BLOCK_IO_TUNE, WRITE_SAVE),                              /* DOMAIN_SET_BLOCK_IO_TUNE */

    /* snapshots */
    RULE(DOMAIN_SNAPSHOT_CREATE_XML, ALWAYS(DOMAIN, "snapshot"),             /* DOMAIN_SNAPSHOT_CREATE_XML */
         IF_FLAGS(DOMAIN, "fs_freeze", VB_SNAPSHOT_CREATE_QUIESCE)),
    RULE(DOMAIN_LIST_ALL_SNAPSHOTS, ALWAYS(DOMAIN, "read")),                 /* DOMAIN_LIST_ALL_SNAPSHOTS */
    RULE(DOMAIN_SNAPSHOT_LOOKUP_BY_NAME, ALWAYS(DOMAIN, "read")),            /* DOMAIN_SNAPSHOT_LOOKUP_BY_NAME */
    RULE(DOMAIN_SNAPSHOT_CURRENT, ALWAYS(DOMAIN, "read")),                   /* DOMAIN_SNAPSHOT_CURRENT */
    RULE(DOMAIN_SNAPSHOT_GET_XML_DESC, ALWAYS(DOMAIN, "read"),               /* DOMAIN_SNAPSHOT_GET_XML_DESC */
         IF_FLAGS(DOMAIN, "read_secure", VB_SNAPSHOT_XML_SECURE)),
    RULE(DOMAIN_SNAPSHOT_GET_PARENT, ALWAYS(DOMAIN, "read")),                /* DOMAIN_SNAPSHOT_GET_PARENT */
    RULE(DOMAIN_SNAPSHOT_LIST_ALL_CHILDREN, ALWAYS(DOMAIN, "read")),         /* DOMAIN_SNAPSHOT_LIST_ALL_CHILDREN */
    RULE(DOMAIN_SNAPSHOT_IS_CURRENT, ALWAYS(DOMAIN, "read")),                /* DOMAIN_SNAPSHOT_IS_CURRENT */
    RULE(DOMAIN_SNAPSHOT_HAS_METADATA, ALWAYS(DOMAIN, "read")),              /* DOMAIN_SNAPSHOT_HAS_METADATA */
    RULE(DOMAIN_SNAPSHOT_DELETE, ALWAYS(DOMAIN, "snapshot")),                /* DOMAIN_SNAPSHOT_DELETE */
    RULE(DOMAIN_REVERT_TO_SNAPSHOT, ALWAYS(DOMAIN, "snapshot")),             /* DOMAIN_REVERT_TO_SNAPSHOT */

    /* libvirt calls no virtbus driver implements yet */
    RULE(DOMAIN_BLOCK_COMMIT, ALWAYS(DOMAIN, "block_write")),                /* DOMAIN_BLOCK_COMMIT */
    RULE(DOMAIN_BLOCK_COPY, ALWAYS(DOMAIN, "block_write")),                  /* DOMAIN_BLOCK_COPY */
    RULE(DOMAIN_BLOCK_JOB_ABORT, ALWAYS(DOMAIN, "write")),                   /* DOMAIN_BLOCK_JOB_ABORT */
    RULE(DOMAIN_BLOCK_JOB_SET_SPEED, ALWAYS(DOMAIN, "write")),               /* DOMAIN_BLOCK_JOB_SET_SPEED */
    RULE(DOMAIN_BLOCK_PEEK, ALWAYS(DOMAIN, "block_read")),                   /* DOMAIN_BLOCK_PEEK */
    RULE(DOMAIN_BLOCK_PULL, ALWAYS(DOMAIN, "block_write")),                  /* DOMAIN_BLOCK_PULL */
    RULE(DOMAIN_BLOCK_REBASE, ALWAYS(DOMAIN, "block_write")),                /* DOMAIN_BLOCK_REBASE */
    RULE(DOMAIN_BLOCK_RESIZE, ALWAYS(DOMAIN, "block_write")),                /* DOMAIN_BLOCK_RESIZE */
    RULE(DOMAIN_GET_BLOCK_JOB_INFO, ALWAYS(DOMAIN, "read")),                 /* DOMAIN_GET_BLOCK_JOB_INFO */
    RULE(DOMAIN_GET_GUEST_VCPUS, ALWAYS(DOMAIN, "write")),                   /* DOMAIN_GET_GUEST_VCPUS */
    RULE(DOMAIN_SET_GUEST_VCPUS, ALWAYS(DOMAIN, "write")),                   /* DOMAIN_SET_GUEST_VCPUS */
    RULE(DOMAIN_GET_JOB_STATS, ALWAYS(DOMAIN, "read")),                      /* DOMAIN_GET_JOB_STATS */
    RULE(DOMAIN_GET_SECURITY_LABEL_LIST, ALWAYS(DOMAIN, "read")),            /* DOMAIN_GET_SECURITY_LABEL_LIST */
    RULE(DOMAIN_MIGRATE_GET_COMPRESSION_CACHE, ALWAYS(DOMAIN, "migrate")),   /* DOMAIN_MIGRATE_GET_COMPRESSION_CACHE */
    RULE(DOMAIN_MIGRATE_SET_COMPRESSION_CACHE, ALWAYS(DOMAIN, "migrate")),   /* DOMAIN_MIGRATE_SET_COMPRESSION_CACHE */
    RULE(DOMAIN_MIGRATE_GET_MAX_SPEED, ALWAYS(DOMAIN, "migrate")),           /* DOMAIN_MIGRATE_GET_MAX_SPEED */
    RULE(DOMAIN_MIGRATE_SET_MAX_SPEED, ALWAYS(DOMAIN, "migrate")),           /* DOMAIN_MIGRATE_SET_MAX_SPEED */
    RULE(DOMAIN_MIGRATE_SET_MAX_DOWNTIME, ALWAYS(DOMAIN, "migrate")),        /* DOMAIN_MIGRATE_SET_MAX_DOWNTIME */
    RULE(DOMAIN_MIGRATE_START_POST_COPY, ALWAYS(DOMAIN, "migrate")),         /* DOMAIN_MIGRATE_START_POST_COPY */
    RULE(DOMAIN_OPEN_GRAPHICS_FD, ALWAYS(DOMAIN, "open_graphics")),          /* DOMAIN_OPEN_GRAPHICS_FD */
    RULE(DOMAIN_PM_WAKEUP, ALWAYS(DOMAIN, "pm_control")),                    /* DOMAIN_PM_WAKEUP */

    /* networks, storage, node devices, interfaces, secrets, network filters: libvirt's rules.
     * Requests about a network, pool, volume, node device or interface carry its identity to
     * polkit, and their lists are filtered by `@aclfilter:` as domains are. Secrets and network
     * filters have no driver: their requests name the connection only. */
    OBJECT_LIST_RULE(CONNECT_LIST_ALL_NETWORKS, NETWORK,              /* CONNECT_LIST_ALL_NETWORKS */
              ALWAYS(CONNECT, "search_networks")),
    RULE(CONNECT_NETWORK_EVENT_REGISTER_ANY, ALWAYS(CONNECT, "search_networks"), /* CONNECT_NETWORK_EVENT_REGISTER_ANY */
         ALWAYS(NETWORK, "getattr")),
    RULE(NETWORK_LOOKUP_BY_NAME, ALWAYS(NETWORK, "getattr")),                 /* NETWORK_LOOKUP_BY_NAME */
    RULE(NETWORK_LOOKUP_BY_UUID, ALWAYS(NETWORK, "getattr")),                 /* NETWORK_LOOKUP_BY_UUID */
    RULE(NETWORK_DEFINE_XML, ALWAYS(NETWORK, "write"), ALWAYS(NETWORK, "save")), /* NETWORK_DEFINE_XML_FLAGS */
    RULE(NETWORK_CREATE_XML, ALWAYS(NETWORK, "write"), ALWAYS(NETWORK, "start")), /* NETWORK_CREATE_XML_FLAGS */
    RULE(NETWORK_CREATE, ALWAYS(NETWORK, "start")),                           /* NETWORK_CREATE */
    RULE(NETWORK_DESTROY, ALWAYS(NETWORK, "stop")),                           /* NETWORK_DESTROY */
    RULE(NETWORK_UNDEFINE, ALWAYS(NETWORK, "delete")),                        /* NETWORK_UNDEFINE */
    RULE(NETWORK_UPDATE, ALWAYS(NETWORK, "write"),                            /* NETWORK_UPDATE */
         { POLICY_OBJECT_NETWORK, "save", POLICY_WHEN_FLAGS_NONE,
           VB_NETWORK_UPDATE_AFFECT_CONFIG | VB_NETWORK_UPDATE_AFFECT_LIVE },
         IF_FLAGS(NETWORK, "save", VB_NETWORK_UPDATE_AFFECT_CONFIG)),
    RULE(NETWORK_GET_XML_DESC, ALWAYS(NETWORK, "read")),                      /* NETWORK_GET_XML_DESC */
    RULE(NETWORK_GET_AUTOSTART, ALWAYS(NETWORK, "read")),                     /* NETWORK_GET_AUTOSTART */
    RULE(NETWORK_SET_AUTOSTART, ALWAYS(NETWORK, "write")),                    /* NETWORK_SET_AUTOSTART */
    RULE(NETWORK_IS_ACTIVE, ALWAYS(NETWORK, "read")),                         /* NETWORK_IS_ACTIVE */
    RULE(NETWORK_IS_PERSISTENT, ALWAYS(NETWORK, "read")),                     /* NETWORK_IS_PERSISTENT */
    RULE(NETWORK_GET_DHCP_LEASES, ALWAYS(NETWORK, "read")),                   /* NETWORK_GET_DHCP_LEASES */

    OBJECT_LIST_RULE(CONNECT_LIST_ALL_STORAGE_POOLS, STORAGE_POOL,         /* CONNECT_LIST_ALL_STORAGE_POOLS */
              ALWAYS(CONNECT, "search_storage_pools")),
    RULE(CONNECT_STORAGE_POOL_EVENT_REGISTER_ANY,                             /* CONNECT_STORAGE_POOL_EVENT_REGISTER_ANY */
         ALWAYS(CONNECT, "search_storage_pools")),
    RULE(CONNECT_FIND_STORAGE_POOL_SOURCES, ALWAYS(CONNECT, "detect_storage_pools")), /* CONNECT_FIND_STORAGE_POOL_SOURCES */
    RULE(STORAGE_POOL_LOOKUP_BY_NAME, ALWAYS(STORAGE_POOL, "getattr")),       /* STORAGE_POOL_LOOKUP_BY_NAME */
    RULE(STORAGE_POOL_LOOKUP_BY_UUID, ALWAYS(STORAGE_POOL, "getattr")),       /* STORAGE_POOL_LOOKUP_BY_UUID */
    RULE(STORAGE_POOL_DEFINE_XML, ALWAYS(STORAGE_POOL, "write"),              /* STORAGE_POOL_DEFINE_XML */
         ALWAYS(STORAGE_POOL, "save")),
    RULE(STORAGE_POOL_CREATE_XML, ALWAYS(STORAGE_POOL, "start"),              /* STORAGE_POOL_CREATE_XML */
         ALWAYS(STORAGE_POOL, "write")),
    RULE(STORAGE_POOL_BUILD, ALWAYS(STORAGE_POOL, "format")),                 /* STORAGE_POOL_BUILD */
    RULE(STORAGE_POOL_CREATE, ALWAYS(STORAGE_POOL, "start")),                 /* STORAGE_POOL_CREATE */
    RULE(STORAGE_POOL_DESTROY, ALWAYS(STORAGE_POOL, "stop")),                 /* STORAGE_POOL_DESTROY */
    RULE(STORAGE_POOL_DELETE, ALWAYS(STORAGE_POOL, "format")),                /* STORAGE_POOL_DELETE */
    RULE(STORAGE_POOL_UNDEFINE, ALWAYS(STORAGE_POOL, "delete")),              /* STORAGE_POOL_UNDEFINE */
    RULE(STORAGE_POOL_REFRESH, ALWAYS(STORAGE_POOL, "refresh")),              /* STORAGE_POOL_REFRESH */
    RULE(STORAGE_POOL_GET_INFO, ALWAYS(STORAGE_POOL, "read")),                /* STORAGE_POOL_GET_INFO */
    RULE(STORAGE_POOL_GET_XML_DESC, ALWAYS(STORAGE_POOL, "read")),            /* STORAGE_POOL_GET_XML_DESC */
    RULE(STORAGE_POOL_GET_AUTOSTART, ALWAYS(STORAGE_POOL, "read")),           /* STORAGE_POOL_GET_AUTOSTART */
    RULE(STORAGE_POOL_SET_AUTOSTART, ALWAYS(STORAGE_POOL, "write")),          /* STORAGE_POOL_SET_AUTOSTART */
    RULE(STORAGE_POOL_IS_ACTIVE, ALWAYS(STORAGE_POOL, "read")),               /* STORAGE_POOL_IS_ACTIVE */
    RULE(STORAGE_POOL_IS_PERSISTENT, ALWAYS(STORAGE_POOL, "read")),           /* STORAGE_POOL_IS_PERSISTENT */
    OBJECT_LIST_RULE(STORAGE_POOL_LIST_ALL_VOLUMES, STORAGE_VOL,          /* STORAGE_POOL_LIST_ALL_VOLUMES */
              ALWAYS(STORAGE_POOL, "search_storage_vols")),
    RULE(STORAGE_VOL_LOOKUP_BY_NAME, ALWAYS(STORAGE_VOL, "getattr")),         /* STORAGE_VOL_LOOKUP_BY_NAME */
    RULE(STORAGE_VOL_LOOKUP_BY_KEY, ALWAYS(STORAGE_VOL, "getattr")),          /* STORAGE_VOL_LOOKUP_BY_KEY */
    RULE(STORAGE_VOL_LOOKUP_BY_PATH, ALWAYS(STORAGE_VOL, "getattr")),         /* STORAGE_VOL_LOOKUP_BY_PATH */
    RULE(STORAGE_VOL_CREATE_XML, ALWAYS(STORAGE_VOL, "create")),              /* STORAGE_VOL_CREATE_XML */
    RULE(STORAGE_VOL_CREATE_XML_FROM, ALWAYS(STORAGE_VOL, "create")),         /* STORAGE_VOL_CREATE_XML_FROM */
    RULE(STORAGE_VOL_DELETE, ALWAYS(STORAGE_VOL, "delete")),                  /* STORAGE_VOL_DELETE */
    RULE(STORAGE_VOL_GET_INFO, ALWAYS(STORAGE_VOL, "read")),                  /* STORAGE_VOL_GET_INFO_FLAGS */
    RULE(STORAGE_VOL_GET_XML_DESC, ALWAYS(STORAGE_VOL, "read")),              /* STORAGE_VOL_GET_XML_DESC */
    RULE(STORAGE_VOL_GET_PATH, ALWAYS(STORAGE_VOL, "read")),                  /* STORAGE_VOL_GET_PATH */
    RULE(STORAGE_VOL_RESIZE, ALWAYS(STORAGE_VOL, "resize")),                  /* STORAGE_VOL_RESIZE */
    RULE(STORAGE_VOL_WIPE, ALWAYS(STORAGE_VOL, "format")),                    /* STORAGE_VOL_WIPE_PATTERN */

    OBJECT_LIST_RULE(CONNECT_LIST_ALL_NODE_DEVICES, NODE_DEVICE,          /* CONNECT_LIST_ALL_NODE_DEVICES */
              ALWAYS(CONNECT, "search_node_devices")),
    RULE(CONNECT_NODE_DEVICE_EVENT_REGISTER_ANY,                              /* CONNECT_NODE_DEVICE_EVENT_REGISTER_ANY */
         ALWAYS(CONNECT, "search_node_devices")),
    RULE(NODE_DEVICE_LOOKUP_BY_NAME, ALWAYS(NODE_DEVICE, "getattr")),         /* NODE_DEVICE_LOOKUP_BY_NAME */
    RULE(NODE_DEVICE_LOOKUP_SCSI_HOST_BY_WWN, ALWAYS(NODE_DEVICE, "getattr")), /* NODE_DEVICE_LOOKUP_SCSI_HOST_BY_WWN */
    RULE(NODE_DEVICE_CREATE_XML, ALWAYS(NODE_DEVICE, "write"),                /* NODE_DEVICE_CREATE_XML */
         ALWAYS(NODE_DEVICE, "start")),
    RULE(NODE_DEVICE_DESTROY, ALWAYS(NODE_DEVICE, "stop")),                   /* NODE_DEVICE_DESTROY */
    RULE(NODE_DEVICE_GET_XML_DESC, ALWAYS(NODE_DEVICE, "read")),              /* NODE_DEVICE_GET_XML_DESC */
    RULE(NODE_DEVICE_GET_PARENT, ALWAYS(NODE_DEVICE, "read")),                /* NODE_DEVICE_GET_PARENT */
    RULE(NODE_DEVICE_LIST_CAPS, ALWAYS(NODE_DEVICE, "read")),                 /* NODE_DEVICE_LIST_CAPS */
    RULE(NODE_DEVICE_DETACH_FLAGS, ALWAYS(NODE_DEVICE, "detach")),            /* NODE_DEVICE_DETACH_FLAGS */
    RULE(NODE_DEVICE_RE_ATTACH, ALWAYS(NODE_DEVICE, "detach")),               /* NODE_DEVICE_RE_ATTACH */
    RULE(NODE_DEVICE_RESET, ALWAYS(NODE_DEVICE, "detach")),                   /* NODE_DEVICE_RESET */

    OBJECT_LIST_RULE(CONNECT_LIST_ALL_INTERFACES, INTERFACE,            /* CONNECT_LIST_ALL_INTERFACES */
              ALWAYS(CONNECT, "search_interfaces")),
    RULE(INTERFACE_LOOKUP_BY_NAME, ALWAYS(INTERFACE, "getattr")),             /* INTERFACE_LOOKUP_BY_NAME */
    RULE(INTERFACE_LOOKUP_BY_MAC_STRING, ALWAYS(INTERFACE, "getattr")),       /* INTERFACE_LOOKUP_BY_MAC_STRING */
    RULE(INTERFACE_DEFINE_XML, ALWAYS(INTERFACE, "write"), ALWAYS(INTERFACE, "save")), /* INTERFACE_DEFINE_XML */
    RULE(INTERFACE_UNDEFINE, ALWAYS(INTERFACE, "delete")),                    /* INTERFACE_UNDEFINE */
    RULE(INTERFACE_CREATE, ALWAYS(INTERFACE, "start")),                       /* INTERFACE_CREATE */
    RULE(INTERFACE_DESTROY, ALWAYS(INTERFACE, "stop")),                       /* INTERFACE_DESTROY */
    RULE(INTERFACE_GET_XML_DESC, ALWAYS(INTERFACE, "read")),                  /* INTERFACE_GET_XML_DESC */
    RULE(INTERFACE_IS_ACTIVE, ALWAYS(INTERFACE, "read")),                     /* INTERFACE_IS_ACTIVE */
    RULE(INTERFACE_CHANGE_BEGIN, ALWAYS(CONNECT, "interface_transaction")),   /* INTERFACE_CHANGE_BEGIN */
    RULE(INTERFACE_CHANGE_COMMIT, ALWAYS(CONNECT, "interface_transaction")),  /* INTERFACE_CHANGE_COMMIT */
    RULE(INTERFACE_CHANGE_ROLLBACK, ALWAYS(CONNECT, "interface_transaction")), /* INTERFACE_CHANGE_ROLLBACK */

    RULE(CONNECT_LIST_ALL_SECRETS,                /* CONNECT_LIST_ALL_SECRETS */
              ALWAYS(CONNECT, "search_secrets")),
    RULE(CONNECT_SECRET_EVENT_REGISTER_ANY, ALWAYS(CONNECT, "search_secrets"), /* CONNECT_SECRET_EVENT_REGISTER_ANY */
         ALWAYS(SECRET, "getattr")),
    RULE(SECRET_LOOKUP_BY_UUID, ALWAYS(SECRET, "getattr")),                   /* SECRET_LOOKUP_BY_UUID */
    RULE(SECRET_LOOKUP_BY_USAGE, ALWAYS(SECRET, "getattr")),                  /* SECRET_LOOKUP_BY_USAGE */
    RULE(SECRET_DEFINE_XML, ALWAYS(SECRET, "write"), ALWAYS(SECRET, "save")), /* SECRET_DEFINE_XML */
    RULE(SECRET_GET_VALUE, ALWAYS(SECRET, "read_secure")),                    /* SECRET_GET_VALUE */
    RULE(SECRET_SET_VALUE, ALWAYS(SECRET, "write")),                          /* SECRET_SET_VALUE */
    RULE(SECRET_GET_XML_DESC, ALWAYS(SECRET, "read")),                        /* SECRET_GET_XML_DESC */
    RULE(SECRET_UNDEFINE, ALWAYS(SECRET, "delete")),                          /* SECRET_UNDEFINE */
    RULE(CONNECT_LIST_ALL_NWFILTERS,              /* CONNECT_LIST_ALL_NWFILTERS */
              ALWAYS(CONNECT, "search_nwfilters")),
    RULE(NWFILTER_LOOKUP_BY_NAME, ALWAYS(NWFILTER, "getattr")),               /* NWFILTER_LOOKUP_BY_NAME */
    RULE(NWFILTER_LOOKUP_BY_UUID, ALWAYS(NWFILTER, "getattr")),               /* NWFILTER_LOOKUP_BY_UUID */
    RULE(NWFILTER_DEFINE_XML, ALWAYS(NWFILTER, "write"), ALWAYS(NWFILTER, "save")), /* NWFILTER_DEFINE_XML */
    RULE(NWFILTER_GET_XML_DESC, ALWAYS(NWFILTER, "read")),                    /* NWFILTER_GET_XML_DESC */
    RULE(NWFILTER_UNDEFINE, ALWAYS(NWFILTER, "delete")),                      /* NWFILTER_UNDEFINE */

    /* Bus-level calls that name objects: Peer needs nothing (libvirt: `@acl: none`);
     * Introspect's child lists show the domains the caller may getattr; the ObjectManager's
     * GetManagedObjects shows every property, so a domain needs getattr and read to appear.
     * Both show the networks, pools, volumes, node devices and interfaces the caller may getattr. */
    RULE(BUS_PEER),
    [VB_OP_BUS_INTROSPECT] = { .defined = true, .list_filter = POLICY_FILTER_GETATTR,
                               .list_object = POLICY_OBJECT_DOMAIN, .list_every_kind = true },
    [VB_OP_BUS_GET_MANAGED_OBJECTS] = { .defined = true, .list_filter = POLICY_FILTER_GETATTR | POLICY_FILTER_READ,
                                        .list_object = POLICY_OBJECT_DOMAIN, .list_every_kind = true,
                                        .permissions = { ALWAYS(CONNECT, "search_domains") } },
};

const struct policy_rule *policy_rule_for(enum vb_operation op)
{
    static const struct policy_rule none = { .defined = false };

    return (unsigned int) op < VB_OP_COUNT ? &rules[op] : &none;
}

bool policy_permission_applies(const struct policy_permission *p, uint32_t flags)
{
    switch (p->when) {
    case POLICY_WHEN_ALWAYS: return true;
    case POLICY_WHEN_FLAGS_ALL: return (flags & p->value) == p->value;
    case POLICY_WHEN_FLAGS_NONE: return (flags & p->value) == 0;
    }
    return true; /* an unknown condition must not let a permission go unchecked */
}

int policy_action_id(enum policy_object object, const char *permission, char *buf, size_t size)
{
    /* On every authorized call: plain copies, no printf. */
    static const char *const prefixes[] = {
        [POLICY_OBJECT_CONNECT] = "org.libvirt.api.connect.",
        [POLICY_OBJECT_DOMAIN] = "org.libvirt.api.domain.",
        [POLICY_OBJECT_NETWORK] = "org.libvirt.api.network.",
        [POLICY_OBJECT_STORAGE_POOL] = "org.libvirt.api.storage-pool.",
        [POLICY_OBJECT_STORAGE_VOL] = "org.libvirt.api.storage-vol.",
        [POLICY_OBJECT_NODE_DEVICE] = "org.libvirt.api.node-device.",
        [POLICY_OBJECT_INTERFACE] = "org.libvirt.api.interface.",
        [POLICY_OBJECT_SECRET] = "org.libvirt.api.secret.",
        [POLICY_OBJECT_NWFILTER] = "org.libvirt.api.nwfilter.",
    };
    const char *prefix = (unsigned int) object < ARRAY_SIZE(prefixes) && prefixes[object] ? prefixes[object]
                                                                                           : "org.libvirt.api.unknown.";
    size_t prefix_len = strlen(prefix), len = strlen(permission);

    if (prefix_len + len + 1 > size)
        return -ENOBUFS;
    memcpy(buf, prefix, prefix_len);
    /* libvirt's permission names use '_', its polkit actions '-'. */
    for (size_t i = 0; i <= len; i++)
        buf[prefix_len + i] = permission[i] == '_' ? '-' : permission[i];
    return 0;
}
