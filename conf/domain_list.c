/* The domain list: objects in insertion order plus hash indexes by UUID, name and id. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/domain_list.h"
#include "util/hashmap.h"

/* Keys are owned here, not by the definitions, because a definition is replaced on redefine. */
struct list_entry {
    struct vb_domain_obj *obj;
    unsigned char uuid[VB_UUID_LEN]; /* a copy, so listing UUIDs never touches the objects */
    char uuid_key[VB_UUID_STRING_LEN];
    char *name_key;
    char id_key[16];
};

struct vb_domain_list {
    struct list_entry **entries;
    unsigned char (*uuids)[VB_UUID_LEN]; /* parallel to entries, contiguous so listing is one copy */
    size_t n_entries, allocated;
    struct vb_hashmap *by_uuid, *by_name, *by_id;
};

struct vb_domain_list *vb_domain_list_new(void)
{
    struct vb_domain_list *list = calloc(1, sizeof(*list));

    if (!list)
        return NULL;
    list->by_uuid = vb_hashmap_new();
    list->by_name = vb_hashmap_new();
    list->by_id = vb_hashmap_new();
    if (!list->by_uuid || !list->by_name || !list->by_id) {
        vb_domain_list_free(list);
        return NULL;
    }
    return list;
}

static void entry_free(struct list_entry *entry)
{
    entry->obj->removed = true;
    vb_domain_obj_unref(entry->obj);
    free(entry->name_key);
    free(entry);
}

void vb_domain_list_free(struct vb_domain_list *list)
{
    if (!list)
        return;
    for (size_t i = 0; i < list->n_entries; i++)
        entry_free(list->entries[i]);
    free(list->entries);
    free(list->uuids);
    vb_hashmap_free(list->by_uuid);
    vb_hashmap_free(list->by_name);
    vb_hashmap_free(list->by_id);
    free(list);
}

static struct list_entry *entry_by_uuid(const struct vb_domain_list *list, const unsigned char uuid[VB_UUID_LEN])
{
    char key[VB_UUID_STRING_LEN];

    vb_uuid_format(uuid, key);
    return vb_hashmap_get(list->by_uuid, key);
}

static struct list_entry *entry_of(const struct vb_domain_list *list, const struct vb_domain_obj *obj)
{
    return entry_by_uuid(list, obj->def->uuid);
}

struct vb_domain_obj *vb_domain_list_check_add(struct vb_domain_list *list, const struct vb_domain_def *def,
                                               bool live_add, int *conflict, struct vb_error *err)
{
    struct list_entry *same_uuid = entry_by_uuid(list, def->uuid);
    struct list_entry *same_name = vb_hashmap_get(list->by_name, def->name);
    char uuid_text[VB_UUID_STRING_LEN];

    *conflict = 0;
    if (same_uuid) {
        if (!streq(same_uuid->obj->def->name, def->name)) {
            *conflict = 1;
            vb_uuid_format(def->uuid, uuid_text);
            vb_error_set(err, VB_ERR_OPERATION_FAILED, "domain '%s' is already defined with uuid %s",
                         same_uuid->obj->def->name, uuid_text);
            return NULL;
        }
        if (live_add && vb_domain_obj_is_active(same_uuid->obj)) {
            *conflict = 1;
            vb_error_set(err, VB_ERR_OPERATION_INVALID, "domain '%s' is already active", def->name);
            return NULL;
        }
        return same_uuid->obj;
    }
    if (same_name) {
        *conflict = 1;
        vb_uuid_format(same_name->obj->def->uuid, uuid_text);
        vb_error_set(err, VB_ERR_OPERATION_FAILED, "domain '%s' already exists with uuid %s",
                     def->name, uuid_text);
    }
    return NULL;
}

static int entries_reserve(struct vb_domain_list *list)
{
    struct list_entry **grown;
    unsigned char (*grown_uuids)[VB_UUID_LEN];
    size_t want;

    if (list->n_entries < list->allocated)
        return 0;
    want = list->allocated ? list->allocated * 2 : 16;
    grown = realloc(list->entries, want * sizeof(*grown));
    if (!grown)
        return -ENOMEM;
    list->entries = grown;
    grown_uuids = realloc(list->uuids, want * sizeof(*grown_uuids));
    if (!grown_uuids)
        return -ENOMEM; /* entries grew; allocated stays, so the next call retries both */
    list->uuids = grown_uuids;
    list->allocated = want;
    return 0;
}

static int index_id(struct vb_domain_list *list, struct list_entry *entry)
{
    entry->id_key[0] = '\0';
    if (entry->obj->id < 0)
        return 0;
    snprintf(entry->id_key, sizeof(entry->id_key), "%d", entry->obj->id);
    return vb_hashmap_put(list->by_id, entry->id_key, entry);
}

int vb_domain_list_add(struct vb_domain_list *list, struct vb_domain_obj *obj)
{
    struct list_entry *entry = calloc(1, sizeof(*entry));

    if (!entry || entries_reserve(list) < 0)
        goto fail;
    entry->obj = obj;
    memcpy(entry->uuid, obj->def->uuid, VB_UUID_LEN);
    vb_uuid_format(obj->def->uuid, entry->uuid_key);
    entry->name_key = strdup(obj->def->name);
    if (!entry->name_key)
        goto fail;
    if (vb_hashmap_put(list->by_uuid, entry->uuid_key, entry) < 0)
        goto fail;
    if (vb_hashmap_put(list->by_name, entry->name_key, entry) < 0)
        goto fail_uuid;
    if (index_id(list, entry) < 0)
        goto fail_name;
    memcpy(list->uuids[list->n_entries], entry->uuid, VB_UUID_LEN);
    list->entries[list->n_entries++] = entry;
    return 0;

fail_name:
    vb_hashmap_remove(list->by_name, entry->name_key);
fail_uuid:
    vb_hashmap_remove(list->by_uuid, entry->uuid_key);
fail:
    if (entry)
        free(entry->name_key);
    free(entry);
    return -ENOMEM;
}

struct vb_domain_obj *vb_domain_list_add_def(struct vb_domain_list *list, struct vb_domain_def *def)
{
    struct vb_domain_obj *obj = vb_domain_obj_new(def);

    if (!obj) {
        vb_domain_def_free(def);
        return NULL;
    }
    if (vb_domain_list_add(list, obj) < 0) {
        vb_domain_obj_unref(obj); /* frees def with it */
        return NULL;
    }
    return obj;
}

void vb_domain_list_remove(struct vb_domain_list *list, struct vb_domain_obj *obj)
{
    struct list_entry *entry = entry_of(list, obj);

    if (!entry)
        return;
    vb_hashmap_remove(list->by_uuid, entry->uuid_key);
    vb_hashmap_remove(list->by_name, entry->name_key);
    if (entry->id_key[0])
        vb_hashmap_remove(list->by_id, entry->id_key);
    for (size_t i = 0; i < list->n_entries; i++) {
        if (list->entries[i] != entry)
            continue;
        memmove(&list->entries[i], &list->entries[i + 1], (list->n_entries - i - 1) * sizeof(*list->entries));
        memmove(&list->uuids[i], &list->uuids[i + 1], (list->n_entries - i - 1) * sizeof(*list->uuids));
        list->n_entries--;
        break;
    }
    entry_free(entry);
}

int vb_domain_list_reindex_id(struct vb_domain_list *list, struct vb_domain_obj *obj, int old_id)
{
    struct list_entry *entry = entry_of(list, obj);

    if (!entry)
        return -ENOENT;
    if (old_id >= 0 && entry->id_key[0])
        vb_hashmap_remove(list->by_id, entry->id_key);
    return index_id(list, entry);
}

int vb_domain_list_rename(struct vb_domain_list *list, struct vb_domain_obj *obj, const char *new_name)
{
    struct list_entry *entry = entry_of(list, obj);
    char *key;

    if (!entry)
        return -ENOENT;
    if (vb_hashmap_get(list->by_name, new_name))
        return -EEXIST;
    key = strdup(new_name);
    if (!key)
        return -ENOMEM;
    if (vb_hashmap_put(list->by_name, key, entry) < 0) {
        free(key);
        return -ENOMEM;
    }
    vb_hashmap_remove(list->by_name, entry->name_key);
    free(entry->name_key);
    entry->name_key = key;
    return 0;
}

struct vb_domain_obj *vb_domain_list_find_by_uuid(const struct vb_domain_list *list,
                                                  const unsigned char uuid[VB_UUID_LEN])
{
    struct list_entry *entry = entry_by_uuid(list, uuid);

    return entry ? entry->obj : NULL;
}

struct vb_domain_obj *vb_domain_list_find_by_name(const struct vb_domain_list *list, const char *name)
{
    struct list_entry *entry = vb_hashmap_get(list->by_name, name);

    return entry ? entry->obj : NULL;
}

struct vb_domain_obj *vb_domain_list_find_by_id(const struct vb_domain_list *list, int id)
{
    struct list_entry *entry;
    char key[16];

    if (id < 0)
        return NULL;
    snprintf(key, sizeof(key), "%d", id);
    entry = vb_hashmap_get(list->by_id, key);
    return entry ? entry->obj : NULL;
}

size_t vb_domain_list_count(const struct vb_domain_list *list)
{
    return list->n_entries;
}

int vb_domain_list_collect(const struct vb_domain_list *list, struct vb_domain_obj ***objs)
{
    struct vb_domain_obj **out = calloc(list->n_entries + 1, sizeof(*out));

    if (!out)
        return -ENOMEM;
    for (size_t i = 0; i < list->n_entries; i++)
        out[i] = list->entries[i]->obj;
    *objs = out;
    return (int) list->n_entries;
}

int vb_domain_list_collect_uuids(const struct vb_domain_list *list, unsigned char (**uuids)[VB_UUID_LEN])
{
    unsigned char (*out)[VB_UUID_LEN] = malloc((list->n_entries + 1) * sizeof(*out));

    if (!out)
        return -ENOMEM;
    if (list->n_entries)
        memcpy(out, list->uuids, list->n_entries * sizeof(*out));
    *uuids = out;
    return (int) list->n_entries;
}
