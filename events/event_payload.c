/* Copying and freeing an event's identity and payload: which strings each event id owns. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "events/event.h"

/* The string fields of a payload, by id, so copy and clear walk one list. */
static size_t payload_strings(struct vb_event *e, char ***out)
{
    union vb_event_payload *p = &e->payload;

    switch (e->object == VB_OBJECT_DOMAIN ? e->id : -1) {
    case VB_DOMAIN_EVENT_ID_IO_ERROR:
    case VB_DOMAIN_EVENT_ID_IO_ERROR_REASON:
        out[0] = &p->io_error.src_path, out[1] = &p->io_error.dev_alias, out[2] = &p->io_error.reason;
        return 3;
    case VB_DOMAIN_EVENT_ID_GRAPHICS:
        out[0] = &p->graphics.local.node, out[1] = &p->graphics.local.service;
        out[2] = &p->graphics.remote.node, out[3] = &p->graphics.remote.service;
        out[4] = &p->graphics.auth_scheme;
        return 5;
    case VB_DOMAIN_EVENT_ID_BLOCK_JOB:
    case VB_DOMAIN_EVENT_ID_BLOCK_JOB_2:
        out[0] = &p->block_job.disk;
        return 1;
    case VB_DOMAIN_EVENT_ID_DISK_CHANGE:
        out[0] = &p->disk_change.old_src_path, out[1] = &p->disk_change.new_src_path;
        out[2] = &p->disk_change.dev_alias;
        return 3;
    case VB_DOMAIN_EVENT_ID_TRAY_CHANGE:
        out[0] = &p->tray_change.dev_alias;
        return 1;
    case VB_DOMAIN_EVENT_ID_DEVICE_ADDED:
    case VB_DOMAIN_EVENT_ID_DEVICE_REMOVED:
    case VB_DOMAIN_EVENT_ID_DEVICE_REMOVAL_FAILED:
        out[0] = &p->device.dev_alias;
        return 1;
    case VB_DOMAIN_EVENT_ID_METADATA_CHANGE:
        out[0] = &p->metadata_change.nsuri;
        return 1;
    case VB_DOMAIN_EVENT_ID_BLOCK_THRESHOLD:
        out[0] = &p->block_threshold.dev, out[1] = &p->block_threshold.path;
        return 2;
    case VB_DOMAIN_EVENT_ID_MEMORY_DEVICE_SIZE_CHANGE:
        out[0] = &p->memory_device_size_change.alias;
        return 1;
    default:
        return 0;
    }
}

#define MAX_PAYLOAD_STRINGS 5

static bool has_params(const struct vb_event *e)
{
    return e->object == VB_OBJECT_DOMAIN &&
           (e->id == VB_DOMAIN_EVENT_ID_TUNABLE || e->id == VB_DOMAIN_EVENT_ID_JOB_COMPLETED);
}

static bool has_identities(const struct vb_event *e)
{
    return e->object == VB_OBJECT_DOMAIN && e->id == VB_DOMAIN_EVENT_ID_GRAPHICS;
}

void vb_event_init_domain(struct vb_event *event, const char *driver, const char *uri,
                          const unsigned char uuid[VB_UUID_LEN], const char *name, int id)
{
    *event = (struct vb_event){ .driver = (char *) driver, .uri = (char *) uri, .object = VB_OBJECT_DOMAIN,
                                .name = (char *) name, .id = id };
    if (uuid)
        memcpy(event->uuid, uuid, VB_UUID_LEN);
}

void vb_event_clear(struct vb_event *event)
{
    char **owned[MAX_PAYLOAD_STRINGS];
    size_t n = payload_strings(event, owned);

    for (size_t i = 0; i < n; i++)
        free(owned[i][0]);
    if (has_params(event))
        vb_typed_params_clear(&event->payload.params);
    if (has_identities(event)) {
        for (size_t i = 0; i < event->payload.graphics.n_identities; i++) {
            free(event->payload.graphics.identities[i].type);
            free(event->payload.graphics.identities[i].name);
        }
        free(event->payload.graphics.identities);
    }
    free(event->driver);
    free(event->uri);
    free(event->name);
    memset(event, 0, sizeof(*event));
}

static int copy_string(char **dst, const char *src)
{
    *dst = NULL;
    if (src && !(*dst = strdup(src)))
        return -ENOMEM;
    return 0;
}

static int copy_identities(struct vb_event *dst, const struct vb_event *src)
{
    size_t n = src->payload.graphics.n_identities;
    struct vb_graphics_identity *ids;

    dst->payload.graphics.identities = NULL;
    dst->payload.graphics.n_identities = 0;
    if (n == 0)
        return 0;
    ids = calloc(n, sizeof(*ids));
    if (!ids)
        return -ENOMEM;
    dst->payload.graphics.identities = ids;
    dst->payload.graphics.n_identities = n;
    for (size_t i = 0; i < n; i++)
        if (copy_string(&ids[i].type, src->payload.graphics.identities[i].type) < 0 ||
            copy_string(&ids[i].name, src->payload.graphics.identities[i].name) < 0)
            return -ENOMEM;
    return 0;
}

/* Copies the payload's owned parts; on failure dst holds only copies made so far (or NULLs). */
static int copy_payload(struct vb_event *dst, const struct vb_event *src)
{
    char **dst_strings[MAX_PAYLOAD_STRINGS], **src_strings[MAX_PAYLOAD_STRINGS];
    size_t n = payload_strings(dst, dst_strings);
    int r = 0;

    payload_strings((struct vb_event *) src, src_strings);
    for (size_t i = 0; i < n; i++)
        *dst_strings[i] = NULL;
    for (size_t i = 0; r == 0 && i < n; i++)
        r = copy_string(dst_strings[i], *src_strings[i]);
    if (has_params(src)) {
        dst->payload.params = VB_TYPED_PARAMS_INIT;
        if (r == 0 && vb_typed_params_copy(&dst->payload.params, &src->payload.params, NULL) < 0)
            r = -ENOMEM;
    }
    if (has_identities(src) && copy_identities(dst, src) < 0)
        r = -ENOMEM;
    return r;
}

int vb_event_copy(struct vb_event *dst, const struct vb_event *src)
{
    *dst = *src;
    dst->driver = dst->uri = dst->name = NULL;
    if (copy_payload(dst, src) < 0 || copy_string(&dst->driver, src->driver) < 0 ||
        copy_string(&dst->uri, src->uri) < 0 || copy_string(&dst->name, src->name) < 0) {
        vb_event_clear(dst);
        return -ENOMEM;
    }
    return 0;
}
