/* The test driver's lifecycle operations: start, stop, pause, save, restore, autostart. */
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

/* Starts def as a live domain for call, which then holds the domain until it answers (calls on
 * it wait); an existing domain's job must be free. */
static int start_live_domain(struct test_conn *conn, struct vb_call *call, struct vb_domain_def *def,
                             unsigned int flags, int reason, int detail, struct vb_domain_obj **out)
{
    struct vb_domain_obj *existing = vb_domain_list_find_by_uuid(conn->domains, def->uuid);
    struct vb_error *err = &call->err;
    struct vb_domain_obj *obj;

    if (existing && vb_call_hold(call, existing, VB_JOB_MODIFY) < 0) {
        vb_domain_def_free(def);
        return -1;
    }
    obj = vb_registry_add_live(conn->domains, def, err);
    if (!obj)
        return -1;
    if (remember_autodestroy(obj, flags, call->client, err) < 0 ||
        test_domain_start(conn, obj, reason, detail, flags & VB_START_PAUSED, err) < 0) {
        vb_registry_drop_live(conn->domains, obj);
        return -1;
    }
    /* A new domain's job is free: this cannot fail. */
    if (!existing && vb_call_hold(call, obj, VB_JOB_MODIFY) < 0)
        return -1;
    *out = obj;
    return 0;
}

int test_create_xml(void *priv, struct vb_call *call, const char *xml, unsigned int flags, struct vb_domain_ref *ref)
{
    struct test_conn *conn = priv;
    struct vb_error *err = &call->err;
    struct vb_domain_def *def;
    struct vb_domain_obj *obj;

    VB_CHECK_FLAGS(flags, VB_START_PAUSED | VB_START_AUTODESTROY | VB_START_VALIDATE, err);
    def = vb_domain_def_parse_string(xml, err);
    if (!def)
        return -1;
    if (start_live_domain(conn, call, def, flags, VB_RUNNING_BOOTED, VB_EVENT_STARTED_BOOTED, &obj) < 0)
        return -1;
    return test_done(conn, call, test_domain_fill_ref(obj, ref, err));
}

/* Starts an inactive domain: a managed save image is restored unless FORCE_BOOT. */
static int start_defined(struct test_conn *conn, struct vb_domain_obj *obj, unsigned int flags, vb_client_id client,
                         struct vb_error *err)
{
    bool restore;

    if (vb_domain_obj_check_inactive(obj, err) < 0)
        return -1;
    restore = obj->has_managed_save && !(flags & VB_START_FORCE_BOOT);
    if (remember_autodestroy(obj, flags, client, err) < 0)
        return -1;
    if (test_domain_start(conn, obj, restore ? VB_RUNNING_RESTORED : VB_RUNNING_BOOTED,
                          restore ? VB_EVENT_STARTED_RESTORED : VB_EVENT_STARTED_BOOTED, flags & VB_START_PAUSED,
                          err) < 0)
        return -1;
    obj->has_managed_save = false;
    return 0;
}

int test_create(void *priv, struct vb_call *call, struct vb_domain_obj *obj, unsigned int flags)
{
    struct test_conn *conn = priv;
    struct vb_error *err = &call->err;

    VB_CHECK_FLAGS(flags, VB_START_PAUSED | VB_START_AUTODESTROY | VB_START_BYPASS_CACHE | VB_START_FORCE_BOOT, err);
    if (start_defined(conn, obj, flags, call->client, err) < 0)
        return -1;
    return test_done(conn, call, 0);
}

int test_domain_autostart(struct test_conn *conn, struct vb_domain_obj *obj, struct vb_error *err)
{
    return start_defined(conn, obj, 0, NULL, err);
}

int test_destroy(void *priv, struct vb_call *call, struct vb_domain_obj *obj, unsigned int flags)
{
    struct test_conn *conn = priv;
    struct vb_error *err = &call->err;

    VB_CHECK_FLAGS(flags, VB_DESTROY_GRACEFUL, err);
    if (vb_domain_obj_check_active(obj, err) < 0)
        return -1;
    test_domain_stop(conn, obj, VB_SHUTOFF_DESTROYED, VB_EVENT_STOPPED_DESTROYED);
    return test_done(conn, call, 0);
}

/* libvirt's virDomainShutdownFlagValues / virDomainRebootFlagValues share these bits. */
#define SHUTDOWN_METHOD_FLAGS 0x1fu

int test_shutdown(void *priv, struct vb_call *call, struct vb_domain_obj *obj, unsigned int flags)
{
    struct test_conn *conn = priv;
    struct vb_error *err = &call->err;

    VB_CHECK_FLAGS(flags, SHUTDOWN_METHOD_FLAGS, err);
    if (vb_domain_obj_check_active(obj, err) < 0)
        return -1;
    test_domain_stop(conn, obj, VB_SHUTOFF_SHUTDOWN, VB_EVENT_STOPPED_SHUTDOWN);
    return test_done(conn, call, 0);
}

/* A guest that restarts in place stays running with the same id. libvirt's test driver
 * announces nothing for it; its QEMU driver emits the reboot event when the guest resets, and
 * so do we, so that clients see every reboot. */
static void restart_in_place(struct test_conn *conn, struct vb_domain_obj *obj)
{
    struct vb_event event;

    vb_domain_obj_set_state(obj, VB_DOMAIN_RUNNING, VB_RUNNING_BOOTED);
    vb_event_init_domain(&event, "test", conn->uri, obj->def->uuid, obj->def->name, VB_DOMAIN_EVENT_ID_REBOOT);
    test_emit_event(conn, obj, &event);
}

int test_reboot(void *priv, struct vb_call *call, struct vb_domain_obj *obj, unsigned int flags)
{
    struct test_conn *conn = priv;
    struct vb_error *err = &call->err;
    enum vb_lifecycle_action action;

    VB_CHECK_FLAGS(flags, SHUTDOWN_METHOD_FLAGS, err);
    if (vb_domain_obj_check_active(obj, err) < 0)
        return -1;
    action = obj->def->on_reboot;
    if (action == VB_LIFECYCLE_DESTROY || action == VB_LIFECYCLE_PRESERVE)
        test_domain_stop(conn, obj, VB_SHUTOFF_SHUTDOWN, VB_EVENT_STOPPED_SHUTDOWN);
    else
        restart_in_place(conn, obj);
    return test_done(conn, call, 0);
}

int test_reset(void *priv, struct vb_call *call, struct vb_domain_obj *obj, unsigned int flags)
{
    struct test_conn *conn = priv;
    struct vb_error *err = &call->err;

    VB_CHECK_FLAGS(flags, 0, err);
    if (vb_domain_obj_check_active(obj, err) < 0)
        return -1;
    restart_in_place(conn, obj);
    return test_done(conn, call, 0);
}

int test_suspend(void *priv, struct vb_call *call, struct vb_domain_obj *obj)
{
    struct test_conn *conn = priv;
    struct vb_error *err = &call->err;

    if (vb_domain_obj_check_active(obj, err) < 0)
        return -1;
    if (obj->state == VB_DOMAIN_PAUSED)
        return vb_error_set(err, VB_ERR_INTERNAL_ERROR, "domain '%s' not running", obj->def->name);
    vb_domain_obj_set_state(obj, VB_DOMAIN_PAUSED, VB_PAUSED_USER);
    test_emit(conn, obj, VB_EVENT_SUSPENDED, VB_EVENT_SUSPENDED_PAUSED);
    return test_done(conn, call, 0);
}

int test_resume(void *priv, struct vb_call *call, struct vb_domain_obj *obj)
{
    struct test_conn *conn = priv;
    struct vb_error *err = &call->err;

    if (vb_domain_obj_check_active(obj, err) < 0)
        return -1;
    if (obj->state != VB_DOMAIN_PAUSED)
        return vb_error_set(err, VB_ERR_INTERNAL_ERROR, "domain '%s' not paused", obj->def->name);
    vb_domain_obj_set_state(obj, VB_DOMAIN_RUNNING, VB_RUNNING_UNPAUSED);
    test_emit(conn, obj, VB_EVENT_RESUMED, VB_EVENT_RESUMED_UNPAUSED);
    return test_done(conn, call, 0);
}

static int check_save_flags(unsigned int flags, struct vb_error *err)
{
    VB_CHECK_FLAGS(flags, VB_SAVE_BYPASS_CACHE | VB_SAVE_RUNNING | VB_SAVE_PAUSED, err);
    if ((flags & VB_SAVE_RUNNING) && (flags & VB_SAVE_PAUSED))
        return vb_error_set(err, VB_ERR_INVALID_ARG, "flags 'running' and 'paused' are mutually exclusive");
    return 0;
}

int test_managed_save(void *priv, struct vb_call *call, struct vb_domain_obj *obj, unsigned int flags)
{
    struct test_conn *conn = priv;
    struct vb_error *err = &call->err;

    if (check_save_flags(flags, err) < 0 || vb_domain_obj_check_active(obj, err) < 0)
        return -1;
    if (!obj->persistent)
        return vb_error_set(err, VB_ERR_OPERATION_INVALID, "cannot do managed save for transient domain");
    test_domain_stop(conn, obj, VB_SHUTOFF_SAVED, VB_EVENT_STOPPED_SAVED);
    obj->has_managed_save = true;
    return test_done(conn, call, 0);
}

int test_managed_save_remove(void *priv, struct vb_call *call, struct vb_domain_obj *obj, unsigned int flags)
{
    struct vb_error *err = &call->err;

    VB_CHECK_FLAGS(flags, 0, err);
    if (obj->has_managed_save) {
        obj->has_managed_save = false;
        test_emit_changed(priv, obj);
    }
    return test_done(priv, call, 0);
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

int test_save(void *priv, struct vb_call *call, struct vb_domain_obj *obj, const char *path, const char *dxml,
              unsigned int flags)
{
    struct test_conn *conn = priv;
    struct vb_error *err = &call->err;
    _cleanup_free_ char *image = NULL;

    if (check_save_flags(flags, err) < 0 || check_absolute(path, err) < 0 ||
        vb_domain_obj_check_active(obj, err) < 0)
        return -1;
    image = save_image_format(obj, dxml, flags, err);
    if (!image || vb_file_write_atomic(path, image, strlen(image), 0600, err) < 0)
        return -1;
    test_domain_stop(conn, obj, VB_SHUTOFF_SAVED, VB_EVENT_STOPPED_SAVED);
    return test_done(conn, call, 0);
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

int test_restore(void *priv, struct vb_call *call, const char *path, const char *dxml, unsigned int flags)
{
    struct test_conn *conn = priv;
    struct vb_error *err = &call->err;
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
    if (start_live_domain(conn, call, def, paused ? VB_START_PAUSED : 0, VB_RUNNING_RESTORED,
                          VB_EVENT_STARTED_RESTORED, &obj) < 0)
        return -1;
    return test_done(conn, call, 0);
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

int test_save_image_get_xml_desc(void *priv, struct vb_call *call, const char *path, unsigned int flags, char **xml)
{
    _cleanup_(vb_domain_def_freep) struct vb_domain_def *def = NULL;
    struct vb_error *err = &call->err;
    bool paused;

    if (flags & ~(unsigned int) VB_DOMAIN_XML_SECURE)
        return vb_error_set(err, VB_ERR_INVALID_ARG, "%s: unsupported flags (0x%x)", __func__, flags);
    def = save_image_load(path, &paused, err);
    if (!def)
        return -1;
    *xml = vb_domain_def_format(def, VB_DOMAIN_XML_INACTIVE | (flags & VB_DOMAIN_XML_SECURE), err);
    return test_done(priv, call, *xml ? 0 : -1);
}

int test_save_image_define_xml(void *priv, struct vb_call *call, const char *path, const char *dxml,
                               unsigned int flags)
{
    _cleanup_(vb_domain_def_freep) struct vb_domain_def *old = NULL;
    _cleanup_(vb_domain_def_freep) struct vb_domain_def *def = NULL;
    _cleanup_free_ char *xml = NULL, *image = NULL;
    struct vb_error *err = &call->err;
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
    return test_done(priv, call, vb_file_write_atomic(path, image, strlen(image), 0600, err));
}
