/* virtbusctl: the domain commands that change something: define, start, stop, save, resize, devices. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/ctl_domain.h"

/* libvirt's flag values, as the D-Bus API passes them through. */
#define START_PAUSED 1u
#define AFFECT_LIVE 1u
#define AFFECT_CONFIG 2u

/* Resolves the domain argument and asks for its name, so messages say what virsh says. */
struct target {
    char *path;
    char *name;
};

static void target_clear(struct target *t)
{
    free(t->path);
    free(t->name);
}

static char *domain_name(struct ctl *ctl, const char *path, const char *fallback)
{
    _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
    char *name = NULL;

    if (sd_bus_get_property_string(ctl->bus, CTL_BUS_NAME, path, CTL_DOMAIN_INTERFACE, "Name", &error, &name) < 0)
        return strdup(fallback);
    return name;
}

static int target_resolve(struct ctl *ctl, const char *arg, struct target *t)
{
    int r = ctl_lookup_domain(ctl, arg, &t->path);

    if (r != 0)
        return r;
    t->name = domain_name(ctl, t->path, arg);
    if (!t->name)
        return ctl_error("%s", strerror(ENOMEM));
    return 0;
}

static unsigned affect_flags(const struct ctl *ctl)
{
    return (ctl->opt.live ? AFFECT_LIVE : 0) | (ctl->opt.config ? AFFECT_CONFIG : 0);
}

/* Calls a Domain method on the domain named by arg, then says "Domain 'NAME' <done>". */
static int domain_action(struct ctl *ctl, const char *arg, const char *member, const char *done,
                         const char *types, unsigned flags)
{
    _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
    struct target t = { 0 };
    int r = target_resolve(ctl, arg, &t);

    if (r == 0) {
        if (types)
            r = ctl_call(ctl, t.path, CTL_DOMAIN_INTERFACE, member, &error, NULL, types, flags);
        else
            r = ctl_call(ctl, t.path, CTL_DOMAIN_INTERFACE, member, &error, NULL, NULL);
        if (r < 0) {
            r = ctl_bus_error(NULL, &error, r);
        } else {
            printf("Domain '%s' %s\n", t.name, done);
            r = 0;
        }
    }
    target_clear(&t);
    return r;
}

/* ---- defining and creating ------------------------------------------------------------ */

static int print_created(struct ctl *ctl, sd_bus_message *reply, const char *what, const char *file)
{
    _cleanup_free_ char *name = NULL;
    const char *path;
    int r = sd_bus_message_read(reply, "o", &path);

    if (r < 0)
        return ctl_error("%s", strerror(-r));
    name = domain_name(ctl, path, path);
    printf("Domain '%s' %s from %s\n", name ? name : path, what, file);
    return 0;
}

static int from_xml_file(struct ctl *ctl, const char *file, bool define)
{
    _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
    _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
    _cleanup_free_ char *xml = NULL;
    int r = ctl_read_file(file, &xml);

    if (r != 0)
        return r;
    if (define)
        r = ctl_call(ctl, ctl->connect_path, CTL_CONNECT_INTERFACE, "DomainDefineXML", &error, &reply, "s", xml);
    else
        r = ctl_call(ctl, ctl->connect_path, CTL_CONNECT_INTERFACE, "DomainCreateXML", &error, &reply, "su", xml,
                     ctl->opt.paused ? START_PAUSED : 0u);
    if (r < 0)
        return ctl_bus_error(define ? "failed to define domain" : "failed to create domain", &error, r);
    return print_created(ctl, reply, define ? "defined" : "created", file);
}

int ctl_cmd_define(struct ctl *ctl, int argc, char **argv)
{
    return from_xml_file(ctl, argv[0], true);
}

int ctl_cmd_create(struct ctl *ctl, int argc, char **argv)
{
    return from_xml_file(ctl, argv[0], false);
}

/* libvirt's VIR_DOMAIN_UNDEFINE_MANAGED_SAVE and _SNAPSHOTS_METADATA */
#define UNDEFINE_MANAGED_SAVE 1u
#define UNDEFINE_SNAPSHOTS_METADATA 2u

int ctl_cmd_undefine(struct ctl *ctl, int argc, char **argv)
{
    unsigned flags = (ctl->opt.managed_save ? UNDEFINE_MANAGED_SAVE : 0) |
                     (ctl->opt.snapshots_metadata ? UNDEFINE_SNAPSHOTS_METADATA : 0);

    return domain_action(ctl, argv[0], "Undefine", "has been undefined", "u", flags);
}

/* ---- lifecycle ------------------------------------------------------------------------ */

int ctl_cmd_start(struct ctl *ctl, int argc, char **argv)
{
    return domain_action(ctl, argv[0], "Create", "started", "u", ctl->opt.paused ? START_PAUSED : 0);
}

int ctl_cmd_shutdown(struct ctl *ctl, int argc, char **argv)
{
    return domain_action(ctl, argv[0], "Shutdown", "is being shutdown", "u", 0);
}

int ctl_cmd_destroy(struct ctl *ctl, int argc, char **argv)
{
    return domain_action(ctl, argv[0], "Destroy", "destroyed", "u", 0);
}

int ctl_cmd_reboot(struct ctl *ctl, int argc, char **argv)
{
    return domain_action(ctl, argv[0], "Reboot", "is being rebooted", "u", 0);
}

int ctl_cmd_reset(struct ctl *ctl, int argc, char **argv)
{
    return domain_action(ctl, argv[0], "Reset", "was reset", "u", 0);
}

int ctl_cmd_suspend(struct ctl *ctl, int argc, char **argv)
{
    return domain_action(ctl, argv[0], "Suspend", "suspended", NULL, 0);
}

int ctl_cmd_resume(struct ctl *ctl, int argc, char **argv)
{
    return domain_action(ctl, argv[0], "Resume", "resumed", NULL, 0);
}

int ctl_cmd_managedsave(struct ctl *ctl, int argc, char **argv)
{
    return domain_action(ctl, argv[0], "ManagedSave", "state saved by libvirt", "u", 0);
}

/* ---- save and restore ----------------------------------------------------------------- */

/* libvirt's VIR_DOMAIN_SAVE_RUNNING and _PAUSED: the state the saved domain comes back in */
#define SAVE_RUNNING 2u
#define SAVE_PAUSED 4u

int ctl_cmd_save(struct ctl *ctl, int argc, char **argv)
{
    _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
    unsigned flags = (ctl->opt.running ? SAVE_RUNNING : 0) | (ctl->opt.paused ? SAVE_PAUSED : 0);
    struct target t = { 0 };
    int r;

    if (ctl->opt.running && ctl->opt.paused)
        return ctl_usage_error("--running and --paused are mutually exclusive");
    r = target_resolve(ctl, argv[0], &t);

    /* Save(s to, s xml, u flags): an empty xml means "keep the domain's own". */
    if (r == 0) {
        r = ctl_call(ctl, t.path, CTL_DOMAIN_INTERFACE, "Save", &error, NULL, "ssu", argv[1], "", flags);
        if (r < 0) {
            r = ctl_bus_error("failed to save domain", &error, r);
        } else {
            printf("Domain '%s' saved to %s\n", t.name, argv[1]);
            r = 0;
        }
    }
    target_clear(&t);
    return r;
}

int ctl_cmd_restore(struct ctl *ctl, int argc, char **argv)
{
    _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
    int r;

    r = ctl_call(ctl, ctl->connect_path, CTL_CONNECT_INTERFACE, "DomainRestore", &error, NULL, "ssu", argv[0], "",
                 ctl->opt.paused ? 4u /* VIR_DOMAIN_SAVE_PAUSED */ : 0u);
    if (r < 0)
        return ctl_bus_error("failed to restore domain", &error, r);
    printf("Domain restored from %s\n", argv[0]);
    return 0;
}

/* ---- resources ------------------------------------------------------------------------ */

/* A size with an optional libvirt unit suffix, in bytes (virsh's vshCommandOptScaledInt with a
 * default scale of 1024): "k", "KiB" scale by 1024, "KB" by 1000, "b"/"bytes" is bytes, no
 * suffix is KiB. */
static int parse_scaled_bytes(const char *text, uint64_t *bytes)
{
    static const char powers[] = "bkmgt";
    unsigned long long value, unit = 1024;
    const char *letter;
    char *end;

    if (*text < '0' || *text > '9')
        return -EINVAL;
    errno = 0;
    value = strtoull(text, &end, 10);
    if (errno)
        return -ERANGE;
    if (*end && (streq(end, "bytes") || streq(end, "b") || streq(end, "B"))) {
        unit = 1;
    } else if (*end) {
        letter = strchr(powers, tolower((unsigned char) *end));
        if (!letter || letter == powers)
            return -EINVAL;
        if (end[1] == '\0' || streq(end + 1, "iB") || streq(end + 1, "ib"))
            unit = 1ull << (10 * (letter - powers));
        else if (streq(end + 1, "B") || streq(end + 1, "b"))
            for (unit = 1; letter > powers; letter--)
                unit *= 1000;
        else
            return -EINVAL;
    }
    if (value > UINT64_MAX / unit)
        return -ERANGE;
    *bytes = value * unit;
    return 0;
}

/* The same in KiB (virsh setmem's default unit), rounded down. */
static int parse_kib(const char *text, uint64_t *kib)
{
    uint64_t bytes;
    int r = parse_scaled_bytes(text, &bytes);

    if (r == 0)
        *kib = bytes / 1024;
    return r;
}

int ctl_cmd_setmem(struct ctl *ctl, int argc, char **argv)
{
    _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
    struct target t = { 0 };
    uint64_t kib;
    int r;

    if (parse_kib(argv[1], &kib) < 0)
        return ctl_usage_error("invalid memory size '%s'", argv[1]);
    r = target_resolve(ctl, argv[0], &t);
    if (r == 0) {
        r = ctl_call(ctl, t.path, CTL_DOMAIN_INTERFACE, "SetMemory", &error, NULL, "tu", kib, affect_flags(ctl));
        r = r < 0 ? ctl_bus_error("failed to set memory", &error, r) : 0;
    }
    target_clear(&t);
    return r;
}

/* virsh blockresize: KiB when the size is a whole number of them (the older interface), bytes
 * (VIR_DOMAIN_BLOCK_RESIZE_BYTES) otherwise. */
int ctl_cmd_blockresize(struct ctl *ctl, int argc, char **argv)
{
    _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
    _cleanup_free_ char *context = NULL;
    struct target t = { 0 };
    uint32_t flags = 0;
    uint64_t size;
    int r;

    if (parse_scaled_bytes(argv[2], &size) < 0)
        return ctl_usage_error("Scaled numeric value '%s' for <size> option is malformed or out of range", argv[2]);
    if (size % 1024 == 0)
        size /= 1024;
    else
        flags |= 1; /* VIR_DOMAIN_BLOCK_RESIZE_BYTES */
    r = target_resolve(ctl, argv[0], &t);
    if (r == 0) {
        r = ctl_call(ctl, t.path, CTL_DOMAIN_INTERFACE, "BlockResize", &error, NULL, "stu", argv[1], size, flags);
        if (r < 0 && asprintf(&context, "Failed to resize block device '%s'", argv[1]) < 0)
            context = NULL;
        r = r < 0 ? ctl_bus_error(context ? context : "Failed to resize block device", &error, r) : 0;
        if (r == 0)
            printf("Block device '%s' is resized\n", argv[1]);
    }
    target_clear(&t);
    return r;
}

int ctl_cmd_setvcpus(struct ctl *ctl, int argc, char **argv)
{
    _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
    struct target t = { 0 };
    unsigned long count;
    char *end;
    int r;

    errno = 0;
    count = strtoul(argv[1], &end, 10);
    if (argv[1][0] < '0' || argv[1][0] > '9' || *end || errno || count == 0 || count > UINT32_MAX)
        return ctl_usage_error("invalid vCPU count '%s'", argv[1]);
    r = target_resolve(ctl, argv[0], &t);
    if (r == 0) {
        r = ctl_call(ctl, t.path, CTL_DOMAIN_INTERFACE, "SetVcpus", &error, NULL, "uu", (uint32_t) count,
                     affect_flags(ctl));
        r = r < 0 ? ctl_bus_error("failed to set vcpus", &error, r) : 0;
    }
    target_clear(&t);
    return r;
}

int ctl_cmd_autostart(struct ctl *ctl, int argc, char **argv)
{
    _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
    struct target t = { 0 };
    int r = target_resolve(ctl, argv[0], &t);

    if (r == 0) {
        r = sd_bus_set_property(ctl->bus, CTL_BUS_NAME, t.path, CTL_DOMAIN_INTERFACE, "Autostart", &error, "b",
                                (int) !ctl->opt.disable);
        if (r < 0) {
            r = ctl_bus_error("failed to change autostart", &error, r);
        } else {
            printf("Domain '%s' %s as autostarted\n", t.name, ctl->opt.disable ? "unmarked" : "marked");
            r = 0;
        }
    }
    target_clear(&t);
    return r;
}

/* ---- devices -------------------------------------------------------------------------- */

static int device_change(struct ctl *ctl, char **argv, const char *member, const char *done)
{
    _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
    _cleanup_free_ char *xml = NULL;
    struct target t = { 0 };
    int r = ctl_read_file(argv[1], &xml);

    if (r == 0)
        r = target_resolve(ctl, argv[0], &t);
    if (r == 0) {
        r = ctl_call(ctl, t.path, CTL_DOMAIN_INTERFACE, member, &error, NULL, "su", xml, affect_flags(ctl));
        if (r < 0) {
            r = ctl_bus_error(streq(member, "AttachDevice") ? "failed to attach device" : "failed to detach device",
                              &error, r);
        } else {
            puts(done);
            r = 0;
        }
    }
    target_clear(&t);
    return r;
}

int ctl_cmd_attach_device(struct ctl *ctl, int argc, char **argv)
{
    return device_change(ctl, argv, "AttachDevice", "Device attached successfully");
}

int ctl_cmd_detach_device(struct ctl *ctl, int argc, char **argv)
{
    return device_change(ctl, argv, "DetachDevice", "Device detached successfully");
}
