/* The test driver's lifecycle operations: start, stop, pause, save, restore. All finish at once. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drivers/test/test_private.h"
#include "util/file.h"
#include "util/log.h"

#define SAVE_MAGIC "VirtbusTestSave1\n"
#define SAVE_MAX_BYTES (VB_DOMAIN_XML_MAX_BYTES + 4096)

int test_domain_start(struct test_conn *conn, struct vb_domain_obj *obj, int running_reason,
                      int started_detail, bool paused, struct vb_error *err)
{
    int id = conn->next_id;

    if (vb_domain_obj_mark_started(obj, id, paused ? VB_DOMAIN_PAUSED : VB_DOMAIN_RUNNING,
                                   paused ? VB_PAUSED_USER : running_reason, err) < 0)
        return -1;
    if (vb_domain_list_reindex_id(conn->domains, obj, -1) < 0) {
        vb_domain_obj_mark_stopped(obj, VB_SHUTOFF_FAILED);
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    }
    conn->next_id++;
    test_emit(conn, obj, VB_EVENT_STARTED, started_detail);
    if (paused)
        test_emit(conn, obj, VB_EVENT_SUSPENDED, VB_EVENT_SUSPENDED_PAUSED);
    return 0;
}

void test_domain_stop(struct test_conn *conn, struct vb_domain_obj *obj, int shutoff_reason, int stopped_detail)
{
    int old_id = obj->id;

    vb_domain_obj_mark_stopped(obj, shutoff_reason);
    if (vb_domain_list_reindex_id(conn->domains, obj, old_id) < 0)
        vb_log_warning("could not reindex domain '%s'", obj->def->name);
    test_emit(conn, obj, VB_EVENT_STOPPED, stopped_detail);
    if (!obj->persistent)
        vb_domain_list_remove(conn->domains, obj);
}

/* Finds an active domain and takes its job lock; on success the caller ends the job. */
static struct vb_domain_obj *begin_on_active(struct test_conn *conn, vb_uuid_t uuid, const char *operation,
                                             struct vb_error *err)
{
    struct vb_domain_obj *obj = test_find_domain(conn, uuid, err);

    if (!obj || vb_domain_obj_check_active(obj, err) < 0)
        return NULL;
    if (vb_domain_job_begin(&obj->job, VB_JOB_MODIFY, operation, err) < 0)
        return NULL;
    return obj;
}

static int remember_autodestroy(struct vb_domain_obj *obj, unsigned int flags, vb_client_id client,
                                struct vb_error *err)
{
    if (!(flags & VB_START_AUTODESTROY))
        return 0;
    if (!client)
        return vb_error_set(err, VB_ERR_OPERATION_INVALID, "autodestroy needs a client connection");
    obj->autodestroy_owner = strdup(client);
    return obj->autodestroy_owner ? 0 : vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
}

/* Adds def as a running (transient unless it redefines a persistent domain) domain. */
static struct vb_domain_obj *add_live_domain(struct test_conn *conn, struct vb_domain_def *def, struct vb_error *err)
{
    struct vb_domain_obj *obj;
    int conflict;

    obj = vb_domain_list_check_add(conn->domains, def, true, &conflict, err);
    if (conflict) {
        vb_domain_def_free(def);
        return NULL;
    }
    if (obj) {
        /* The persistent definition waits for the next boot; def runs now. */
        vb_domain_def_free(obj->next_def);
        obj->next_def = obj->def;
        obj->def = def;
        return obj;
    }
    obj = vb_domain_obj_new(def);
    if (!obj || vb_domain_list_add(conn->domains, obj) < 0) {
        if (obj)
            vb_domain_obj_free(obj);
        else
            vb_domain_def_free(def);
        vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
        return NULL;
    }
    return obj;
}

/* Undoes add_live_domain after a failed start. */
static void drop_live_domain(struct test_conn *conn, struct vb_domain_obj *obj)
{
    if (!obj->persistent) {
        vb_domain_list_remove(conn->domains, obj);
        return;
    }
    vb_domain_def_free(obj->def);
    obj->def = obj->next_def;
    obj->next_def = NULL;
}

static int start_live_domain(struct test_conn *conn, struct vb_domain_def *def, unsigned int flags,
                             vb_client_id client, int reason, int detail, struct vb_domain_obj **out,
                             struct vb_error *err)
{
    struct vb_domain_obj *obj = add_live_domain(conn, def, err);

    if (!obj)
        return -1;
    if (remember_autodestroy(obj, flags, client, err) < 0 ||
        test_domain_start(conn, obj, reason, detail, flags & VB_START_PAUSED, err) < 0) {
        drop_live_domain(conn, obj);
        return -1;
    }
    *out = obj;
    return 0;
}

int test_create_xml(void *priv, const char *xml, unsigned int flags, vb_client_id client,
                    struct vb_domain_ref *ref, const struct vb_completion *done, struct vb_error *err)
{
    struct test_conn *conn = priv;
    struct vb_domain_def *def;
    struct vb_domain_obj *obj;

    VB_CHECK_FLAGS(flags, VB_START_PAUSED | VB_START_AUTODESTROY | VB_START_VALIDATE, err);
    def = vb_domain_def_parse_string(xml, err);
    if (!def)
        return -1;
    if (start_live_domain(conn, def, flags, client, VB_RUNNING_BOOTED, VB_EVENT_STARTED_BOOTED, &obj, err) < 0)
        return -1;
    return test_domain_fill_ref(obj, ref, err);
}

int test_create(void *priv, vb_uuid_t uuid, unsigned int flags, vb_client_id client,
                const struct vb_completion *done, struct vb_error *err)
{
    struct test_conn *conn = priv;
    struct vb_domain_obj *obj = test_find_domain(conn, uuid, err);
    bool restore;
    int r;

    VB_CHECK_FLAGS(flags, VB_START_PAUSED | VB_START_AUTODESTROY | VB_START_BYPASS_CACHE | VB_START_FORCE_BOOT, err);
    if (!obj || vb_domain_obj_check_inactive(obj, err) < 0)
        return -1;
    if (vb_domain_job_begin(&obj->job, VB_JOB_MODIFY, "virDomainCreateWithFlags", err) < 0)
        return -1;
    restore = obj->has_managed_save && !(flags & VB_START_FORCE_BOOT);
    r = remember_autodestroy(obj, flags, client, err);
    if (r == 0)
        r = test_domain_start(conn, obj, restore ? VB_RUNNING_RESTORED : VB_RUNNING_BOOTED,
                              restore ? VB_EVENT_STARTED_RESTORED : VB_EVENT_STARTED_BOOTED,
                              flags & VB_START_PAUSED, err);
    if (r == 0)
        obj->has_managed_save = false;
    vb_domain_job_end(&obj->job);
    return r;
}

int test_destroy(void *priv, vb_uuid_t uuid, unsigned int flags, const struct vb_completion *done, struct vb_error *err)
{
    struct test_conn *conn = priv;
    struct vb_domain_obj *obj;

    VB_CHECK_FLAGS(flags, VB_DESTROY_GRACEFUL, err);
    obj = begin_on_active(conn, uuid, "virDomainDestroy", err);
    if (!obj)
        return -1;
    vb_domain_job_end(&obj->job);
    test_domain_stop(conn, obj, VB_SHUTOFF_DESTROYED, VB_EVENT_STOPPED_DESTROYED);
    return 0;
}

/* libvirt's virDomainShutdownFlagValues / virDomainRebootFlagValues share these bits. */
#define SHUTDOWN_METHOD_FLAGS 0x1fu

int test_shutdown(void *priv, vb_uuid_t uuid, unsigned int flags, const struct vb_completion *done, struct vb_error *err)
{
    struct test_conn *conn = priv;
    struct vb_domain_obj *obj;

    VB_CHECK_FLAGS(flags, SHUTDOWN_METHOD_FLAGS, err);
    obj = begin_on_active(conn, uuid, "virDomainShutdown", err);
    if (!obj)
        return -1;
    vb_domain_job_end(&obj->job);
    test_domain_stop(conn, obj, VB_SHUTOFF_SHUTDOWN, VB_EVENT_STOPPED_SHUTDOWN);
    return 0;
}

int test_reboot(void *priv, vb_uuid_t uuid, unsigned int flags, const struct vb_completion *done, struct vb_error *err)
{
    struct test_conn *conn = priv;
    struct vb_domain_obj *obj;
    enum vb_lifecycle_action action;

    VB_CHECK_FLAGS(flags, SHUTDOWN_METHOD_FLAGS, err);
    obj = begin_on_active(conn, uuid, "virDomainReboot", err);
    if (!obj)
        return -1;
    vb_domain_job_end(&obj->job);
    action = obj->def->on_reboot;
    if (action == VB_LIFECYCLE_DESTROY || action == VB_LIFECYCLE_PRESERVE) {
        test_domain_stop(conn, obj, VB_SHUTOFF_SHUTDOWN, VB_EVENT_STOPPED_SHUTDOWN);
        return 0;
    }
    /* The guest restarts in place: same id, running again, no lifecycle event (libvirt emits
     * a separate reboot event, not a lifecycle one). */
    vb_domain_obj_set_state(obj, VB_DOMAIN_RUNNING, VB_RUNNING_BOOTED);
    return 0;
}

int test_reset(void *priv, vb_uuid_t uuid, unsigned int flags, const struct vb_completion *done, struct vb_error *err)
{
    struct vb_domain_obj *obj;

    VB_CHECK_FLAGS(flags, 0, err);
    obj = begin_on_active(priv, uuid, "virDomainReset", err);
    if (!obj)
        return -1;
    vb_domain_job_end(&obj->job);
    return 0;
}

int test_suspend(void *priv, vb_uuid_t uuid, const struct vb_completion *done, struct vb_error *err)
{
    struct test_conn *conn = priv;
    struct vb_domain_obj *obj = begin_on_active(conn, uuid, "virDomainSuspend", err);

    if (!obj)
        return -1;
    vb_domain_job_end(&obj->job);
    if (obj->state == VB_DOMAIN_PAUSED)
        return vb_error_set(err, VB_ERR_INTERNAL_ERROR, "domain '%s' not running", obj->def->name);
    vb_domain_obj_set_state(obj, VB_DOMAIN_PAUSED, VB_PAUSED_USER);
    test_emit(conn, obj, VB_EVENT_SUSPENDED, VB_EVENT_SUSPENDED_PAUSED);
    return 0;
}

int test_resume(void *priv, vb_uuid_t uuid, const struct vb_completion *done, struct vb_error *err)
{
    struct test_conn *conn = priv;
    struct vb_domain_obj *obj = begin_on_active(conn, uuid, "virDomainResume", err);

    if (!obj)
        return -1;
    vb_domain_job_end(&obj->job);
    if (obj->state != VB_DOMAIN_PAUSED)
        return vb_error_set(err, VB_ERR_INTERNAL_ERROR, "domain '%s' not paused", obj->def->name);
    vb_domain_obj_set_state(obj, VB_DOMAIN_RUNNING, VB_RUNNING_UNPAUSED);
    test_emit(conn, obj, VB_EVENT_RESUMED, VB_EVENT_RESUMED_UNPAUSED);
    return 0;
}

static int check_save_flags(unsigned int flags, struct vb_error *err)
{
    VB_CHECK_FLAGS(flags, VB_SAVE_BYPASS_CACHE | VB_SAVE_RUNNING | VB_SAVE_PAUSED, err);
    if ((flags & VB_SAVE_RUNNING) && (flags & VB_SAVE_PAUSED))
        return vb_error_set(err, VB_ERR_INVALID_ARG, "flags 'running' and 'paused' are mutually exclusive");
    return 0;
}

int test_managed_save(void *priv, vb_uuid_t uuid, unsigned int flags, const struct vb_completion *done,
                      struct vb_error *err)
{
    struct test_conn *conn = priv;
    struct vb_domain_obj *obj;

    if (check_save_flags(flags, err) < 0)
        return -1;
    obj = begin_on_active(conn, uuid, "virDomainManagedSave", err);
    if (!obj)
        return -1;
    vb_domain_job_end(&obj->job);
    if (!obj->persistent)
        return vb_error_set(err, VB_ERR_OPERATION_INVALID, "cannot do managed save for transient domain");
    test_domain_stop(conn, obj, VB_SHUTOFF_SAVED, VB_EVENT_STOPPED_SAVED);
    obj->has_managed_save = true;
    return 0;
}

int test_managed_save_remove(void *priv, vb_uuid_t uuid, unsigned int flags, struct vb_error *err)
{
    struct vb_domain_obj *obj = test_find_domain(priv, uuid, err);

    VB_CHECK_FLAGS(flags, 0, err);
    if (!obj)
        return -1;
    obj->has_managed_save = false;
    return 0;
}

/* A save image: magic line, run state line, blank line, then the domain XML. */
static char *save_image_format(const struct vb_domain_obj *obj, const char *dxml, unsigned int flags,
                               struct vb_error *err)
{
    _cleanup_free_ char *xml = NULL;
    bool paused = (flags & VB_SAVE_PAUSED) || (obj->state == VB_DOMAIN_PAUSED && !(flags & VB_SAVE_RUNNING));
    char *image = NULL;

    if (dxml) {
        _cleanup_(vb_domain_def_freep) struct vb_domain_def *def = vb_domain_def_parse_string(dxml, err);

        if (!def)
            return NULL;
        if (memcmp(def->uuid, obj->def->uuid, VB_UUID_LEN) != 0 || !streq(def->name, obj->def->name)) {
            vb_error_set(err, VB_ERR_INVALID_ARG, "the XML given for the save image describes another domain");
            return NULL;
        }
        xml = vb_domain_def_format(def, VB_DOMAIN_XML_SECURE | VB_DOMAIN_XML_INACTIVE, err);
    } else {
        xml = vb_domain_def_format(obj->def, VB_DOMAIN_XML_SECURE | VB_DOMAIN_XML_INACTIVE, err);
    }
    if (!xml)
        return NULL;
    if (asprintf(&image, "%sstate=%s\n\n%s", SAVE_MAGIC, paused ? "paused" : "running", xml) < 0) {
        vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
        return NULL;
    }
    return image;
}

static int check_absolute(const char *path, struct vb_error *err)
{
    if (!path || path[0] != '/')
        return vb_error_set(err, VB_ERR_INVALID_ARG, "path '%s' must be absolute", path ? path : "");
    return 0;
}

int test_save(void *priv, vb_uuid_t uuid, const char *path, const char *dxml, unsigned int flags,
              const struct vb_completion *done, struct vb_error *err)
{
    struct test_conn *conn = priv;
    _cleanup_free_ char *image = NULL;
    struct vb_domain_obj *obj;

    if (check_save_flags(flags, err) < 0 || check_absolute(path, err) < 0)
        return -1;
    obj = begin_on_active(conn, uuid, "virDomainSave", err);
    if (!obj)
        return -1;
    image = save_image_format(obj, dxml, flags, err);
    if (!image || vb_file_write_atomic(path, image, strlen(image), 0600, err) < 0) {
        vb_domain_job_end(&obj->job);
        return -1;
    }
    vb_domain_job_end(&obj->job);
    test_domain_stop(conn, obj, VB_SHUTOFF_SAVED, VB_EVENT_STOPPED_SAVED);
    return 0;
}

/* Splits a save image into its paused flag and its XML (pointing into image). */
static int save_image_parse(char *image, bool *paused, const char **xml, struct vb_error *err)
{
    char *state, *body;

    if (strncmp(image, SAVE_MAGIC, strlen(SAVE_MAGIC)) != 0)
        return vb_error_set(err, VB_ERR_INTERNAL_ERROR, "mismatched header magic");
    state = image + strlen(SAVE_MAGIC);
    body = strstr(state, "\n\n");
    if (!body)
        return vb_error_set(err, VB_ERR_OPERATION_FAILED, "incomplete save header");
    if (strncmp(state, "state=paused\n", 13) == 0)
        *paused = true;
    else if (strncmp(state, "state=running\n", 14) == 0)
        *paused = false;
    else
        return vb_error_set(err, VB_ERR_OPERATION_FAILED, "incomplete save header");
    *xml = body + 2;
    return 0;
}

int test_restore(void *priv, const char *path, const char *dxml, unsigned int flags,
                 const struct vb_completion *done, struct vb_error *err)
{
    struct test_conn *conn = priv;
    _cleanup_free_ char *image = NULL;
    struct vb_domain_def *def;
    struct vb_domain_obj *obj;
    const char *xml = NULL;
    bool paused = false;

    if (check_save_flags(flags, err) < 0 || check_absolute(path, err) < 0)
        return -1;
    image = vb_file_read_all(path, SAVE_MAX_BYTES, NULL, err);
    if (!image || save_image_parse(image, &paused, &xml, err) < 0)
        return -1;
    def = vb_domain_def_parse_string(dxml ? dxml : xml, err);
    if (!def)
        return -1;
    if (flags & VB_SAVE_RUNNING)
        paused = false;
    if (flags & VB_SAVE_PAUSED)
        paused = true;
    return start_live_domain(conn, def, paused ? VB_START_PAUSED : 0, NULL, VB_RUNNING_RESTORED,
                             VB_EVENT_STARTED_RESTORED, &obj, err);
}

void test_client_gone(void *priv, vb_client_id client)
{
    struct test_conn *conn = priv;
    _cleanup_free_ struct vb_domain_obj **objs = NULL;
    int n = vb_domain_list_collect(conn->domains, &objs);

    for (int i = 0; i < n; i++) {
        struct vb_domain_obj *obj = objs[i];

        if (!obj->autodestroy_owner || !streq(obj->autodestroy_owner, client) || !vb_domain_obj_is_active(obj))
            continue;
        vb_log_info("destroying domain '%s': its autodestroy client %s went away", obj->def->name, client);
        test_domain_stop(conn, obj, VB_SHUTOFF_DESTROYED, VB_EVENT_STOPPED_DESTROYED);
    }
}

/* Reads a save image and parses the definition it holds. */
static struct vb_domain_def *save_image_load(const char *path, bool *paused, struct vb_error *err)
{
    _cleanup_free_ char *image = NULL;
    const char *xml = NULL;

    if (check_absolute(path, err) < 0)
        return NULL;
    image = vb_file_read_all(path, SAVE_MAX_BYTES, NULL, err);
    if (!image || save_image_parse(image, paused, &xml, err) < 0)
        return NULL;
    return vb_domain_def_parse_string(xml, err);
}

char *test_save_image_get_xml_desc(void *priv, const char *path, unsigned int flags, struct vb_error *err)
{
    _cleanup_(vb_domain_def_freep) struct vb_domain_def *def = NULL;
    bool paused;

    if (flags & ~(unsigned int) VB_DOMAIN_XML_SECURE) {
        vb_error_set(err, VB_ERR_INVALID_ARG, "%s: unsupported flags (0x%x)", __func__, flags);
        return NULL;
    }
    def = save_image_load(path, &paused, err);
    if (!def)
        return NULL;
    return vb_domain_def_format(def, VB_DOMAIN_XML_INACTIVE | (flags & VB_DOMAIN_XML_SECURE), err);
}

int test_save_image_define_xml(void *priv, const char *path, const char *dxml, unsigned int flags,
                               struct vb_error *err)
{
    _cleanup_(vb_domain_def_freep) struct vb_domain_def *old = NULL;
    _cleanup_(vb_domain_def_freep) struct vb_domain_def *def = NULL;
    _cleanup_free_ char *xml = NULL, *image = NULL;
    bool paused;

    if (check_save_flags(flags, err) < 0)
        return -1;
    old = save_image_load(path, &paused, err);
    if (!old || !(def = vb_domain_def_parse_string(dxml, err)))
        return -1;
    if (memcmp(def->uuid, old->uuid, VB_UUID_LEN) != 0 || !streq(def->name, old->name))
        return vb_error_set(err, VB_ERR_INVALID_ARG, "the XML given for the save image describes another domain");
    if (flags & VB_SAVE_RUNNING)
        paused = false;
    if (flags & VB_SAVE_PAUSED)
        paused = true;
    xml = vb_domain_def_format(def, VB_DOMAIN_XML_SECURE | VB_DOMAIN_XML_INACTIVE, err);
    if (!xml)
        return -1;
    if (asprintf(&image, "%sstate=%s\n\n%s", SAVE_MAGIC, paused ? "paused" : "running", xml) < 0)
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    return vb_file_write_atomic(path, image, strlen(image), 0600, err);
}
