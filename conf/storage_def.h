/* The storage pool and volume models (libvirt's virStoragePoolDef and virStorageVolDef, kept
 * to what virtbus reads). A pool models its type, name, UUID, target path and sizes; a volume
 * its name, key, path, format and sizes. Both keep the definition as read and print back every
 * element they do not interpret. */
#pragma once

#include <stdint.h>

#include <libxml/tree.h>

#include "util/error.h"
#include "util/macros.h"
#include "util/uuid.h"

struct vb_pool_def {
    char *type;        /* "dir", "fs", "logical", ... */
    char *name;
    unsigned char uuid[VB_UUID_LEN];
    char *target_path; /* sanitized (no "//", no trailing "/"); NULL for network pools */
    uint64_t capacity, allocation, available;
    xmlDocPtr doc;     /* the definition as read */
};

struct vb_vol_def {
    char *name;
    char *key;    /* set by the pool when the volume is created */
    char *path;   /* set by the pool when the volume is created */
    char *format; /* <target><format type=...>, "raw" when not given */
    uint64_t capacity, allocation;
    xmlDocPtr doc; /* NULL when the definition had nothing the model does not keep */
};

/* libvirt's checks and words: "missing pool source name element", "name %s cannot contain '/'",
 * "missing storage pool target path", ... */
struct vb_pool_def *vb_pool_def_parse_string(const char *xml, struct vb_error *err);
char *vb_pool_def_format(const struct vb_pool_def *def, struct vb_error *err);
void vb_pool_def_free(struct vb_pool_def *def);
DEFINE_CLEANUP_FUNC(struct vb_pool_def, vb_pool_def_free)

/* "missing volume name element", "missing capacity element", "malformed capacity element";
 * a name with '/' is refused, as a volume is a file of its pool's directory. */
struct vb_vol_def *vb_vol_def_parse_string(const char *xml, struct vb_error *err);
/* type is the volume type libvirt derives from the pool ("file", "block", "network"). */
char *vb_vol_def_format(const struct vb_vol_def *def, const char *type, struct vb_error *err);
void vb_vol_def_free(struct vb_vol_def *def);
DEFINE_CLEANUP_FUNC(struct vb_vol_def, vb_vol_def_free)

/* libvirt's volume type for a pool type: 0 file, 1 block, 3 network (virStorageVolType). */
int vb_pool_vol_type(const char *pool_type);
const char *vb_vol_type_to_string(int type);
