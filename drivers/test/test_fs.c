/* The test driver's guest file systems and core dumps, as libvirt's test driver fakes them: a
 * guest with "/" and "/boot" that can be frozen and thawed, and a dump that is only a header. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "drivers/driver_guest.h"
#include "drivers/test/test_private.h"

static const char *const mountpoint_names[2] = { "/", "/boot" };

/* libvirt's TEST_SAVE_MAGIC, with its terminating NUL, is all a test core dump holds. */
static const char dump_magic[] = "TestGuestMagic";

static int mountpoint_index(const char *mountpoint, struct vb_error *err)
{
    for (int i = 0; i < 2; i++)
        if (streq(mountpoint, mountpoint_names[i]))
            return i;
    return vb_error_set(err, VB_ERR_OPERATION_INVALID, "mount point not found: %s", mountpoint);
}

/* Sets the named file systems (all without names) to `frozen`; *changed counts those that
 * changed. Changes nothing when a name is unknown. */
static int set_frozen(struct vb_domain_obj *obj, const char *const *mountpoints, size_t n, bool frozen,
                      unsigned int *changed, struct vb_error *err)
{
    bool next[2];
    unsigned int count = 0;

    if (vb_domain_obj_check_active(obj, err) < 0)
        return -1;
    memcpy(next, obj->fs_frozen, sizeof(next));
    for (size_t i = 0; i < (n ? n : 2); i++) {
        int index = n ? mountpoint_index(mountpoints[i], err) : (int) i;

        if (index < 0)
            return -1;
        count += next[index] != frozen;
        next[index] = frozen;
    }
    memcpy(obj->fs_frozen, next, sizeof(next));
    *changed = count;
    return 0;
}

int test_fs_freeze(void *priv, struct vb_call *call, struct vb_domain_obj *obj, const char *const *mountpoints,
                   size_t n, unsigned int flags, unsigned int *changed)
{
    struct vb_error *err = &call->err;

    VB_CHECK_FLAGS(flags, 0, err);
    if (set_frozen(obj, mountpoints, n, true, changed, err) < 0)
        return -1;
    return test_done(priv, call, 0);
}

int test_fs_thaw(void *priv, struct vb_call *call, struct vb_domain_obj *obj, const char *const *mountpoints,
                 size_t n, unsigned int flags, unsigned int *changed)
{
    struct vb_error *err = &call->err;

    VB_CHECK_FLAGS(flags, 0, err);
    if (set_frozen(obj, mountpoints, n, false, changed, err) < 0)
        return -1;
    return test_done(priv, call, 0);
}

int test_fs_trim(void *priv, struct vb_call *call, struct vb_domain_obj *obj, const char *mountpoint,
                 unsigned long long minimum, unsigned int flags)
{
    struct vb_error *err = &call->err;

    (void) minimum;
    VB_CHECK_FLAGS(flags, 0, err);
    if (vb_domain_obj_check_active(obj, err) < 0)
        return -1;
    if (mountpoint && mountpoint_index(mountpoint, err) < 0)
        return -1;
    return test_done(priv, call, 0);
}

static int write_dump(const struct vb_domain_obj *obj, const char *to, struct vb_error *err)
{
    int fd = open(to, O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, S_IRUSR | S_IWUSR);
    const char *name = obj->def->name;

    if (fd < 0)
        return vb_error_set(err, VB_ERR_SYSTEM_ERROR, "domain '%s' coredump: failed to open %s: %s", name, to,
                            strerror(errno));
    if (write(fd, dump_magic, sizeof(dump_magic)) != (ssize_t) sizeof(dump_magic)) {
        int saved = errno;

        close(fd);
        return vb_error_set(err, VB_ERR_SYSTEM_ERROR, "domain '%s' coredump: failed to write header to %s: %s",
                            name, to, strerror(saved));
    }
    if (close(fd) < 0)
        return vb_error_set(err, VB_ERR_SYSTEM_ERROR, "domain '%s' coredump: write failed: %s: %s", name, to,
                            strerror(errno));
    return 0;
}

/* As libvirt's test driver, the header is written before the format is refused. */
int test_core_dump(void *priv, struct vb_call *call, struct vb_domain_obj *obj, const char *to, unsigned int format,
                   unsigned int flags)
{
    struct vb_error *err = &call->err;

    VB_CHECK_FLAGS(flags, VB_DUMP_CRASH, err);
    if (vb_domain_obj_check_active(obj, err) < 0)
        return -1;
    if (write_dump(obj, to, err) < 0)
        return test_done(priv, call, -1);
    if (format != VB_CORE_DUMP_FORMAT_RAW)
        return test_done(priv, call, vb_error_set(err, VB_ERR_OPERATION_UNSUPPORTED,
                                                  "kdump-compressed format is not supported here"));
    if (flags & VB_DUMP_CRASH)
        test_domain_stop(priv, obj, VB_SHUTOFF_CRASHED, VB_EVENT_STOPPED_CRASHED);
    return test_done(priv, call, 0);
}
