/* Private to conf/domain_store*.c: the store's state and its paths. */
#pragma once

#include "conf/domain_store.h"

#define VB_STORE_XML_SUFFIX ".xml"

struct vb_domain_store {
    char *dir;
    char *autostart_dir;
};

/* "<dir>/<stem>.xml" and "<dir>/autostart/<stem>", malloc'd; NULL when out of memory. The stem
 * is a UUID's text, or a name for files of the older layout. */
char *vb_store_xml_path(const struct vb_domain_store *store, const char *stem);
char *vb_store_marker_path(const struct vb_domain_store *store, const char *stem);

/* Whether a marker exists (whatever it is: it is never opened to be read). */
bool vb_store_marker_exists(const struct vb_domain_store *store, const char *stem);
/* Creates a marker durably. */
int vb_store_marker_create(const struct vb_domain_store *store, const char *stem, struct vb_error *err);

