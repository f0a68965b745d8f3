/* The method → permission table. Every row follows the `@acl:` lines of the libvirt API the
 * method calls, as libvirt 9.0's src/remote/remote_protocol.x declares them (the procedure is
 * named in each comment); methods libvirt-dbus answers with "not supported" are checked like
 * the API they stand for. A method or property missing here is refused. */
#include <errno.h>
#include <string.h>

#include "policy/acl.h"
#include "util/macros.h"

#define CONNECT "org.libvirt.Connect"
#define DOMAIN "org.libvirt.Domain"
#define SNAPSHOT "org.libvirt.DomainSnapshot"

#define ALWAYS(object, perm) { POLICY_OBJECT_##object, perm, POLICY_WHEN_ALWAYS, 0, 0 }
#define IF_FLAGS(object, perm, arg, mask) { POLICY_OBJECT_##object, perm, POLICY_WHEN_FLAGS_ALL, mask, arg }
#define IF_ARG(object, perm, arg, v) { POLICY_OBJECT_##object, perm, POLICY_WHEN_ARG_EQUALS, v, arg }
/* libvirt's `domain:save:!VIR_DOMAIN_AFFECT_CONFIG|VIR_DOMAIN_AFFECT_LIVE` and
 * `domain:save:VIR_DOMAIN_AFFECT_CONFIG`: a change that may reach the persistent definition. */
#define SAVE_IF_CONFIG(arg)                                                                           \
    { POLICY_OBJECT_DOMAIN, "save", POLICY_WHEN_FLAGS_NONE,                                            \
      POLICY_DOMAIN_AFFECT_CONFIG | POLICY_DOMAIN_AFFECT_LIVE, arg },                                  \
        IF_FLAGS(DOMAIN, "save", arg, POLICY_DOMAIN_AFFECT_CONFIG)

/* A method on the Connect object / on a domain object, with its permissions. */
#define C(member, ...) { CONNECT, member, POLICY_TARGET_CONNECT, POLICY_FILTER_NONE, 0, { __VA_ARGS__ } }
#define D(member, ...) { DOMAIN, member, POLICY_TARGET_DOMAIN_PATH, POLICY_FILTER_NONE, 0, { __VA_ARGS__ } }
#define S(member, ...) { SNAPSHOT, member, POLICY_TARGET_SNAPSHOT_PATH, POLICY_FILTER_NONE, 0, { __VA_ARGS__ } }
#define WRITE_SAVE(arg) ALWAYS(DOMAIN, "write"), SAVE_IF_CONFIG(arg)

static const struct policy_rule rules[] = {
    /* org.libvirt.Connect: domains */
    { CONNECT, "ListDomains", POLICY_TARGET_CONNECT, POLICY_FILTER_DOMAIN_GETATTR, 0,
      { ALWAYS(CONNECT, "search_domains") } },                                    /* CONNECT_LIST_ALL_DOMAINS */
    { CONNECT, "GetAllDomainStats", POLICY_TARGET_CONNECT, POLICY_FILTER_DOMAIN_READ, 0,
      { ALWAYS(CONNECT, "search_domains") } },                                    /* CONNECT_GET_ALL_DOMAIN_STATS */
    { CONNECT, "DomainLookupByName", POLICY_TARGET_LOOKUP_NAME, POLICY_FILTER_NONE, 0,
      { ALWAYS(DOMAIN, "getattr") } },                                            /* DOMAIN_LOOKUP_BY_NAME */
    { CONNECT, "DomainLookupByUUID", POLICY_TARGET_LOOKUP_UUID, POLICY_FILTER_NONE, 0,
      { ALWAYS(DOMAIN, "getattr") } },                                            /* DOMAIN_LOOKUP_BY_UUID */
    { CONNECT, "DomainLookupByID", POLICY_TARGET_LOOKUP_ID, POLICY_FILTER_NONE, 0,
      { ALWAYS(DOMAIN, "getattr") } },                                            /* DOMAIN_LOOKUP_BY_ID */
    { CONNECT, "DomainDefineXML", POLICY_TARGET_DOMAIN_XML, POLICY_FILTER_NONE, 0,
      { ALWAYS(DOMAIN, "write"), ALWAYS(DOMAIN, "save") } },                      /* DOMAIN_DEFINE_XML */
    { CONNECT, "DomainCreateXML", POLICY_TARGET_DOMAIN_XML, POLICY_FILTER_NONE, 0,
      { ALWAYS(DOMAIN, "write"), ALWAYS(DOMAIN, "start") } },                     /* DOMAIN_CREATE_XML */
    { CONNECT, "DomainCreateXMLWithFiles", POLICY_TARGET_DOMAIN_XML, POLICY_FILTER_NONE, 0,
      { ALWAYS(DOMAIN, "write"), ALWAYS(DOMAIN, "start") } },                     /* DOMAIN_CREATE_XML_WITH_FILES */
    /* The domain is the one in the save image; the daemon does not open a file the caller
     * names before it is authorized, so the check carries the replacement XML's domain when
     * one is given and only the connection otherwise. */
    { CONNECT, "DomainRestore", POLICY_TARGET_DOMAIN_XML, POLICY_FILTER_NONE, 1,
      { ALWAYS(DOMAIN, "start"), ALWAYS(DOMAIN, "write") } },                     /* DOMAIN_RESTORE_FLAGS */
    { CONNECT, "DomainSaveImageDefineXML", POLICY_TARGET_DOMAIN_XML, POLICY_FILTER_NONE, 1,
      { ALWAYS(DOMAIN, "write"), ALWAYS(DOMAIN, "hibernate") } },                 /* DOMAIN_SAVE_IMAGE_DEFINE_XML */
    { CONNECT, "DomainSaveImageGetXMLDesc", POLICY_TARGET_CONNECT, POLICY_FILTER_NONE, 0,
      { ALWAYS(DOMAIN, "write") } },                                              /* DOMAIN_SAVE_IMAGE_GET_XML_DESC */
    /* org.libvirt.Connect: host and node (dbus/connect_node.c) */
    C("BaselineCPU", ALWAYS(CONNECT, "read")),                                    /* CONNECT_BASELINE_CPU */
    C("CompareCPU", ALWAYS(CONNECT, "read")),                                     /* CONNECT_COMPARE_CPU */
    C("GetCapabilities", ALWAYS(CONNECT, "read")),                                /* CONNECT_GET_CAPABILITIES */
    C("GetCPUModelNames", ALWAYS(CONNECT, "read")),                               /* CONNECT_GET_CPU_MODEL_NAMES */
    C("GetDomainCapabilities", ALWAYS(CONNECT, "write")),                         /* CONNECT_GET_DOMAIN_CAPABILITIES */
    C("GetSysinfo", ALWAYS(CONNECT, "read")),                                     /* CONNECT_GET_SYSINFO */
    C("NodeGetCPUMap", ALWAYS(CONNECT, "read")),                                  /* NODE_GET_CPU_MAP */
    C("NodeGetCPUStats", ALWAYS(CONNECT, "read")),                                /* NODE_GET_CPU_STATS */
    C("NodeGetFreeMemory", ALWAYS(CONNECT, "read")),
    C("NodeGetInfo", ALWAYS(CONNECT, "read")),                                    /* NODE_GET_INFO */                              /* NODE_GET_FREE_MEMORY */
    C("NodeGetMemoryParameters", ALWAYS(CONNECT, "read")),                        /* NODE_GET_MEMORY_PARAMETERS */
    C("NodeGetMemoryStats", ALWAYS(CONNECT, "read")),                             /* NODE_GET_MEMORY_STATS */
    C("NodeGetSecurityModel", ALWAYS(CONNECT, "read")),                           /* NODE_GET_SECURITY_MODEL */
    C("NodeSetMemoryParameters", ALWAYS(CONNECT, "write")),                       /* NODE_SET_MEMORY_PARAMETERS */

    /* org.libvirt.Domain: lifecycle and definition (dbus/domain.c) */
    D("Create", ALWAYS(DOMAIN, "start")),                                         /* DOMAIN_CREATE_WITH_FLAGS */
    D("Destroy", ALWAYS(DOMAIN, "stop")),                                         /* DOMAIN_DESTROY_FLAGS */
    D("GetState", ALWAYS(DOMAIN, "read")),                                        /* DOMAIN_GET_STATE */
    D("GetXMLDesc", ALWAYS(DOMAIN, "read"),                                       /* DOMAIN_GET_XML_DESC */
      IF_FLAGS(DOMAIN, "read_secure", 0, POLICY_DOMAIN_XML_SECURE),
      IF_FLAGS(DOMAIN, "read_secure", 0, POLICY_DOMAIN_XML_MIGRATABLE)),
    D("ManagedSave", ALWAYS(DOMAIN, "hibernate")),                                /* DOMAIN_MANAGED_SAVE */
    D("Reboot", ALWAYS(DOMAIN, "init_control"),                                   /* DOMAIN_REBOOT */
      IF_FLAGS(DOMAIN, "write", 0, POLICY_DOMAIN_GUEST_AGENT)),
    D("Reset", ALWAYS(DOMAIN, "reset")),                                          /* DOMAIN_RESET */
    D("Resume", ALWAYS(DOMAIN, "suspend")),                                       /* DOMAIN_RESUME */
    D("Shutdown", ALWAYS(DOMAIN, "init_control"),                                 /* DOMAIN_SHUTDOWN_FLAGS */
      IF_FLAGS(DOMAIN, "write", 0, POLICY_DOMAIN_GUEST_AGENT)),
    D("Suspend", ALWAYS(DOMAIN, "suspend")),                                      /* DOMAIN_SUSPEND */
    D("Undefine", ALWAYS(DOMAIN, "delete")),                                      /* DOMAIN_UNDEFINE_FLAGS */
    /* org.libvirt.Domain: configuration (dbus/domain_config.c) */
    D("AttachDevice", WRITE_SAVE(1)),                                             /* DOMAIN_ATTACH_DEVICE_FLAGS */
    D("DetachDevice", WRITE_SAVE(1)),                                             /* DOMAIN_DETACH_DEVICE_FLAGS */
    D("UpdateDevice", WRITE_SAVE(1)),                                             /* DOMAIN_UPDATE_DEVICE_FLAGS */
    D("GetMetadata", ALWAYS(DOMAIN, "read")),                                     /* DOMAIN_GET_METADATA */
    D("SetMetadata", WRITE_SAVE(4)),                                              /* DOMAIN_SET_METADATA */
    D("GetVcpuPinInfo", ALWAYS(DOMAIN, "read")),                                  /* DOMAIN_GET_VCPU_PIN_INFO */
    D("GetVcpus", ALWAYS(DOMAIN, "read"),                                         /* DOMAIN_GET_VCPUS_FLAGS */
      IF_FLAGS(DOMAIN, "write", 0, POLICY_DOMAIN_VCPU_GUEST)),
    D("SetVcpus", WRITE_SAVE(1),                                                  /* DOMAIN_SET_VCPUS_FLAGS */
      IF_FLAGS(DOMAIN, "write", 1, POLICY_DOMAIN_VCPU_GUEST)),
    D("PinVcpu", WRITE_SAVE(2)),                                                  /* DOMAIN_PIN_VCPU_FLAGS */
    D("SetMemory", WRITE_SAVE(1)),                                                /* DOMAIN_SET_MEMORY_FLAGS */
    D("SetMemoryStatsPeriod", WRITE_SAVE(1)),                                     /* DOMAIN_SET_MEMORY_STATS_PERIOD */
    D("HasManagedSaveImage", ALWAYS(DOMAIN, "read")),                             /* DOMAIN_HAS_MANAGED_SAVE_IMAGE */
    D("ManagedSaveRemove", ALWAYS(DOMAIN, "hibernate")),                          /* DOMAIN_MANAGED_SAVE_REMOVE */
    D("Save", ALWAYS(DOMAIN, "hibernate")),                                       /* DOMAIN_SAVE_FLAGS */
    /* org.libvirt.Domain: guest information (dbus/domain_info.c) */
    D("AbortJob", ALWAYS(DOMAIN, "write")),                                       /* DOMAIN_ABORT_JOB */
    D("GetBlockInfo", ALWAYS(DOMAIN, "read")),                                    /* DOMAIN_GET_BLOCK_INFO */
    D("GetInfo", ALWAYS(DOMAIN, "read")),                                         /* DOMAIN_GET_INFO */
    D("GetJobInfo", ALWAYS(DOMAIN, "read")),                                      /* DOMAIN_GET_JOB_INFO */
    D("GetStats", ALWAYS(CONNECT, "search_domains"), ALWAYS(DOMAIN, "read")),    /* CONNECT_GET_ALL_DOMAIN_STATS */
    D("InterfaceAddresses", ALWAYS(DOMAIN, "read"),                               /* DOMAIN_INTERFACE_ADDRESSES */
      IF_ARG(DOMAIN, "write", 0, POLICY_INTERFACE_ADDRESSES_SRC_AGENT)),
    /* org.libvirt.Domain: snapshots (dbus/snapshot.c) */
    D("ListDomainSnapshots", ALWAYS(DOMAIN, "read")),                             /* DOMAIN_LIST_ALL_SNAPSHOTS */
    D("SnapshotCreateXML", ALWAYS(DOMAIN, "snapshot"),                            /* DOMAIN_SNAPSHOT_CREATE_XML */
      IF_FLAGS(DOMAIN, "fs_freeze", 1, POLICY_SNAPSHOT_CREATE_QUIESCE)),
    D("SnapshotCurrent", ALWAYS(DOMAIN, "read")),                                 /* DOMAIN_SNAPSHOT_CURRENT */
    D("SnapshotLookupByName", ALWAYS(DOMAIN, "read")),                            /* DOMAIN_SNAPSHOT_LOOKUP_BY_NAME */
    /* org.libvirt.Domain: answered "not supported" (dbus/domain_unsupported.c) */
    D("AddIOThread", WRITE_SAVE(1)),                                              /* DOMAIN_ADD_IOTHREAD */
    D("BlockCommit", ALWAYS(DOMAIN, "block_write")),                              /* DOMAIN_BLOCK_COMMIT */
    D("BlockCopy", ALWAYS(DOMAIN, "block_write")),                                /* DOMAIN_BLOCK_COPY */
    D("BlockJobAbort", ALWAYS(DOMAIN, "write")),                                  /* DOMAIN_BLOCK_JOB_ABORT */
    D("BlockJobSetSpeed", ALWAYS(DOMAIN, "write")),                               /* DOMAIN_BLOCK_JOB_SET_SPEED */
    D("BlockPeek", ALWAYS(DOMAIN, "block_read")),                                 /* DOMAIN_BLOCK_PEEK */
    D("BlockPull", ALWAYS(DOMAIN, "block_write")),                                /* DOMAIN_BLOCK_PULL */
    D("BlockRebase", ALWAYS(DOMAIN, "block_write")),                              /* DOMAIN_BLOCK_REBASE */
    D("BlockResize", ALWAYS(DOMAIN, "block_write")),                              /* DOMAIN_BLOCK_RESIZE */
    D("CoreDump", ALWAYS(DOMAIN, "core_dump")),                                   /* DOMAIN_CORE_DUMP_WITH_FORMAT */
    D("CreateWithFiles", ALWAYS(DOMAIN, "start")),                                /* DOMAIN_CREATE_WITH_FILES */
    D("DelIOThread", WRITE_SAVE(1)),                                              /* DOMAIN_DEL_IOTHREAD */
    D("FSFreeze", ALWAYS(DOMAIN, "fs_freeze")),                                   /* DOMAIN_FSFREEZE */
    D("FSThaw", ALWAYS(DOMAIN, "fs_freeze")),                                     /* DOMAIN_FSTHAW */
    D("FSTrim", ALWAYS(DOMAIN, "fs_trim")),                                       /* DOMAIN_FSTRIM */
    D("GetBlockIOParameters", ALWAYS(DOMAIN, "read")),                            /* DOMAIN_GET_BLKIO_PARAMETERS */
    D("GetBlockIOTune", ALWAYS(DOMAIN, "read")),                                  /* DOMAIN_GET_BLOCK_IO_TUNE */
    D("GetBlockJobInfo", ALWAYS(DOMAIN, "read")),                                 /* DOMAIN_GET_BLOCK_JOB_INFO */
    D("GetControlInfo", ALWAYS(DOMAIN, "read")),                                  /* DOMAIN_GET_CONTROL_INFO */
    D("GetDiskErrors", ALWAYS(DOMAIN, "read")),                                   /* DOMAIN_GET_DISK_ERRORS */
    D("GetEmulatorPinInfo", ALWAYS(DOMAIN, "read")),                              /* DOMAIN_GET_EMULATOR_PIN_INFO */
    D("GetFSInfo", ALWAYS(DOMAIN, "fs_freeze")),                                  /* DOMAIN_GET_FSINFO */
    D("GetGuestVcpus", ALWAYS(DOMAIN, "write")),                                  /* DOMAIN_GET_GUEST_VCPUS */
    D("GetHostname", ALWAYS(DOMAIN, "write")),                                    /* DOMAIN_GET_HOSTNAME */
    D("GetInterfaceParameters", ALWAYS(DOMAIN, "read")),                          /* DOMAIN_GET_INTERFACE_PARAMETERS */
    D("GetIOThreadInfo", ALWAYS(DOMAIN, "read")),                                 /* DOMAIN_GET_IOTHREAD_INFO */
    D("GetJobStats", ALWAYS(DOMAIN, "read")),                                     /* DOMAIN_GET_JOB_STATS */
    D("GetMemoryParameters", ALWAYS(DOMAIN, "read")),                             /* DOMAIN_GET_MEMORY_PARAMETERS */
    D("GetNumaParameters", ALWAYS(DOMAIN, "read")),                               /* DOMAIN_GET_NUMA_PARAMETERS */
    D("GetPerfEvents", ALWAYS(DOMAIN, "read")),                                   /* DOMAIN_GET_PERF_EVENTS */
    D("GetSchedulerParameters", ALWAYS(DOMAIN, "read")),                          /* DOMAIN_GET_SCHEDULER_PARAMETERS_FLAGS */
    D("GetSecurityLabelList", ALWAYS(DOMAIN, "read")),                            /* DOMAIN_GET_SECURITY_LABEL_LIST */
    D("GetTime", ALWAYS(DOMAIN, "write")),                                        /* DOMAIN_GET_TIME */
    D("InjectNMI", ALWAYS(DOMAIN, "inject_nmi")),                                 /* DOMAIN_INJECT_NMI */
    D("MemoryPeek", ALWAYS(DOMAIN, "mem_read")),                                  /* DOMAIN_MEMORY_PEEK */
    D("MemoryStats", ALWAYS(DOMAIN, "read")),                                     /* DOMAIN_MEMORY_STATS */
    D("MigrateGetCompressionCache", ALWAYS(DOMAIN, "migrate")),                   /* DOMAIN_MIGRATE_GET_COMPRESSION_CACHE */
    D("MigrateGetMaxSpeed", ALWAYS(DOMAIN, "migrate")),                           /* DOMAIN_MIGRATE_GET_MAX_SPEED */
    D("MigrateSetCompressionCache", ALWAYS(DOMAIN, "migrate")),                   /* DOMAIN_MIGRATE_SET_COMPRESSION_CACHE */
    D("MigrateSetMaxDowntime", ALWAYS(DOMAIN, "migrate")),                        /* DOMAIN_MIGRATE_SET_MAX_DOWNTIME */
    D("MigrateSetMaxSpeed", ALWAYS(DOMAIN, "migrate")),                           /* DOMAIN_MIGRATE_SET_MAX_SPEED */
    D("MigrateStartPostCopy", ALWAYS(DOMAIN, "migrate")),                         /* DOMAIN_MIGRATE_START_POST_COPY */
    D("MigrateToURI3", ALWAYS(DOMAIN, "migrate")),                                /* DOMAIN_MIGRATE_PERFORM3_PARAMS */
    D("OpenGraphicsFD", ALWAYS(DOMAIN, "open_graphics")),                         /* DOMAIN_OPEN_GRAPHICS_FD */
    D("PinEmulator", WRITE_SAVE(1)),                                              /* DOMAIN_PIN_EMULATOR */
    D("PinIOThread", WRITE_SAVE(2)),                                              /* DOMAIN_PIN_IOTHREAD */
    D("PMWakeup", ALWAYS(DOMAIN, "pm_control")),                                  /* DOMAIN_PM_WAKEUP */
    D("Rename", ALWAYS(DOMAIN, "write"), ALWAYS(DOMAIN, "save")),                /* DOMAIN_RENAME */
    D("SendKey", ALWAYS(DOMAIN, "send_input")),                                   /* DOMAIN_SEND_KEY */
    D("SendProcessSignal", ALWAYS(DOMAIN, "send_signal")),                        /* DOMAIN_SEND_PROCESS_SIGNAL */
    D("SetBlockIOParameters", WRITE_SAVE(1)),                                     /* DOMAIN_SET_BLKIO_PARAMETERS */
    D("SetBlockIOTune", WRITE_SAVE(2)),                                           /* DOMAIN_SET_BLOCK_IO_TUNE */
    D("SetGuestVcpus", ALWAYS(DOMAIN, "write")),                                  /* DOMAIN_SET_GUEST_VCPUS */
    D("SetInterfaceParameters", WRITE_SAVE(2)),                                   /* DOMAIN_SET_INTERFACE_PARAMETERS */
    D("SetMemoryParameters", WRITE_SAVE(1)),                                      /* DOMAIN_SET_MEMORY_PARAMETERS */
    D("SetNumaParameters", WRITE_SAVE(1)),                                        /* DOMAIN_SET_NUMA_PARAMETERS */
    D("SetPerfEvents", ALWAYS(DOMAIN, "write")),                                  /* DOMAIN_SET_PERF_EVENTS */
    D("SetSchedulerParameters", WRITE_SAVE(1)),                                   /* DOMAIN_SET_SCHEDULER_PARAMETERS_FLAGS */
    D("SetTime", ALWAYS(DOMAIN, "set_time")),                                     /* DOMAIN_SET_TIME */
    D("SetUserPassword", ALWAYS(DOMAIN, "set_password")),                         /* DOMAIN_SET_USER_PASSWORD */

    /* org.libvirt.DomainSnapshot (dbus/snapshot.c) */
    S("Delete", ALWAYS(DOMAIN, "snapshot")),                                      /* DOMAIN_SNAPSHOT_DELETE */
    S("GetParent", ALWAYS(DOMAIN, "read")),                                       /* DOMAIN_SNAPSHOT_GET_PARENT */
    S("GetXMLDesc", ALWAYS(DOMAIN, "read"),                                       /* DOMAIN_SNAPSHOT_GET_XML_DESC */
      IF_FLAGS(DOMAIN, "read_secure", 0, POLICY_SNAPSHOT_XML_SECURE)),
    S("IsCurrent", ALWAYS(DOMAIN, "read")),                                       /* DOMAIN_SNAPSHOT_IS_CURRENT */
    S("ListChildren", ALWAYS(DOMAIN, "read")),                                    /* DOMAIN_SNAPSHOT_LIST_ALL_CHILDREN */
    S("Revert", ALWAYS(DOMAIN, "snapshot")),                                      /* DOMAIN_REVERT_TO_SNAPSHOT */

    /* Standard interfaces. Introspection and Peer reveal no domain state (libvirt: `@acl: none`);
     * GetManagedObjects returns every domain's properties, so it needs what listing and reading
     * every domain needs, all or nothing. */
    { "org.freedesktop.DBus.Introspectable", "Introspect", POLICY_TARGET_NONE, POLICY_FILTER_NONE, 0, { { 0 } } },
    { "org.freedesktop.DBus.Peer", "Ping", POLICY_TARGET_NONE, POLICY_FILTER_NONE, 0, { { 0 } } },
    { "org.freedesktop.DBus.Peer", "GetMachineId", POLICY_TARGET_NONE, POLICY_FILTER_NONE, 0, { { 0 } } },
    { "org.freedesktop.DBus.ObjectManager", "GetManagedObjects", POLICY_TARGET_ALL_CONNECTS,
      POLICY_FILTER_DOMAIN_REQUIRED, 0, { ALWAYS(CONNECT, "search_domains") } },
};

/* Properties: virDomainGetName/UUID/ID need nothing beyond the lookup's domain:getattr; the
 * rest are the virDomainIsActive/... calls libvirt-dbus makes. Connect properties: Encrypted and
 * Secure are `@acl: none` in libvirt, answered without a round trip; here they need what
 * opening the connection needs (connect:getattr), as every libvirt client has. */
#define P(iface, name, ...) { iface, name, POLICY_TARGET_DOMAIN_PATH, POLICY_FILTER_NONE, 0, { __VA_ARGS__ } }
#define PC(name, ...) { CONNECT, name, POLICY_TARGET_CONNECT, POLICY_FILTER_NONE, 0, { __VA_ARGS__ } }

static const struct policy_rule property_get_rules[] = {
    PC("Encrypted", ALWAYS(CONNECT, "getattr")),       /* CONNECT_OPEN (virConnectIsEncrypted: none) */
    PC("Hostname", ALWAYS(CONNECT, "getattr")),        /* CONNECT_GET_HOSTNAME */
    PC("LibVersion", ALWAYS(CONNECT, "getattr")),      /* CONNECT_GET_LIB_VERSION */
    PC("Secure", ALWAYS(CONNECT, "getattr")),          /* CONNECT_OPEN (CONNECT_IS_SECURE: none) */
    PC("Version", ALWAYS(CONNECT, "getattr")),         /* CONNECT_GET_VERSION */
    P(DOMAIN, "Active", ALWAYS(DOMAIN, "read")),       /* DOMAIN_IS_ACTIVE */
    P(DOMAIN, "Autostart", ALWAYS(DOMAIN, "read")),    /* DOMAIN_GET_AUTOSTART */
    P(DOMAIN, "Id", ALWAYS(DOMAIN, "getattr")),        /* virDomainGetID: the lookup's getattr */
    P(DOMAIN, "Name", ALWAYS(DOMAIN, "getattr")),      /* virDomainGetName */
    P(DOMAIN, "OSType", ALWAYS(DOMAIN, "read")),       /* DOMAIN_GET_OS_TYPE */
    P(DOMAIN, "Persistent", ALWAYS(DOMAIN, "read")),   /* DOMAIN_IS_PERSISTENT */
    P(DOMAIN, "SchedulerType", ALWAYS(DOMAIN, "read")), /* DOMAIN_GET_SCHEDULER_TYPE */
    P(DOMAIN, "Updated", ALWAYS(DOMAIN, "read")),      /* DOMAIN_IS_UPDATED */
    P(DOMAIN, "UUID", ALWAYS(DOMAIN, "getattr")),      /* virDomainGetUUIDString */
};

static const struct policy_rule property_set_rules[] = {
    P(DOMAIN, "Autostart", ALWAYS(DOMAIN, "write")),   /* DOMAIN_SET_AUTOSTART */
};

static const struct policy_rule *find_in(const struct policy_rule *table, size_t n, const char *interface,
                                         const char *member)
{
    if (!interface || !member)
        return NULL;
    for (size_t i = 0; i < n; i++)
        if (streq(table[i].interface, interface) && streq(table[i].member, member))
            return &table[i];
    return NULL;
}

const struct policy_rule *policy_acl_find(const char *interface, const char *member)
{
    return find_in(rules, ARRAY_SIZE(rules), interface, member);
}

const struct policy_rule *policy_acl_find_property(const char *interface, const char *property, bool write)
{
    if (write)
        return find_in(property_set_rules, ARRAY_SIZE(property_set_rules), interface, property);
    return find_in(property_get_rules, ARRAY_SIZE(property_get_rules), interface, property);
}

static bool same_permission(const struct policy_permission *a, const struct policy_permission *b)
{
    return a->object == b->object && streq(a->name, b->name) && a->when == b->when && a->value == b->value &&
           a->arg == b->arg;
}

int policy_acl_get_all_permissions(const char *interface, const struct policy_permission **out, size_t max)
{
    size_t n = 0;
    bool found = false;

    for (size_t i = 0; i < ARRAY_SIZE(property_get_rules); i++) {
        const struct policy_rule *rule = &property_get_rules[i];

        if (!interface || !streq(rule->interface, interface))
            continue;
        found = true;
        for (const struct policy_permission *p = rule->permissions; p->name; p++) {
            bool seen = false;

            for (size_t j = 0; j < n && !seen; j++)
                seen = same_permission(out[j], p);
            if (seen)
                continue;
            if (n == max)
                return -ENOBUFS;
            out[n++] = p;
        }
    }
    return found ? (int) n : -ENOENT;
}

bool policy_permission_applies(const struct policy_permission *p, uint32_t arg)
{
    switch (p->when) {
    case POLICY_WHEN_ALWAYS: return true;
    case POLICY_WHEN_FLAGS_ALL: return (arg & p->value) == p->value;
    case POLICY_WHEN_FLAGS_NONE: return (arg & p->value) == 0;
    case POLICY_WHEN_ARG_EQUALS: return arg == p->value;
    }
    return true; /* an unknown condition must not let a permission go unchecked */
}

int policy_action_id(enum policy_object object, const char *permission, char *buf, size_t size)
{
    /* On every authorized call: plain copies, no printf. */
    const char *prefix = object == POLICY_OBJECT_CONNECT ? "org.libvirt.api.connect." : "org.libvirt.api.domain.";
    size_t prefix_len = strlen(prefix), len = strlen(permission);

    if (prefix_len + len + 1 > size)
        return -ENOBUFS;
    memcpy(buf, prefix, prefix_len);
    /* libvirt's permission names use '_', its polkit actions '-'. */
    for (size_t i = 0; i <= len; i++)
        buf[prefix_len + i] = permission[i] == '_' ? '-' : permission[i];
    return 0;
}

const struct policy_rule *policy_acl_rules(size_t *n)
{
    *n = ARRAY_SIZE(rules);
    return rules;
}

const struct policy_rule *policy_acl_property_rules(size_t *n, bool write)
{
    *n = write ? ARRAY_SIZE(property_set_rules) : ARRAY_SIZE(property_get_rules);
    return write ? property_set_rules : property_get_rules;
}
