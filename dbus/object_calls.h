/* What the org.libvirt.Network, StoragePool, StorageVol, NodeDevice and Interface files share:
 * their paths, the lookup that decodes a path once, the enumerators of their subtrees, and one
 * call type whose outputs (an object, a list, a string, info) every handler answers with. */
#pragma once

#include "api/objects.h"
#include "dbus/bus.h"
#include "policy/acl.h"

/* "org.libvirt.Network", ... */
const char *dbus_kind_interface(enum dbus_kind kind);

int dbus_object_prefixes_init(struct dbus_connect *dc, const char *connect_path);
void dbus_object_prefixes_free(struct dbus_connect *dc);

/* The path of the object ref names (NULL when out of memory). */
char *dbus_object_path(struct dbus_connect *dc, enum dbus_kind kind, const struct vb_object_ref *ref);

/* The sd-bus object lookups (userdata: the connection) and subtree enumerators of each kind. */
int dbus_network_find(sd_bus *bus, const char *path, const char *interface, void *userdata, void **found,
                      sd_bus_error *error);
int dbus_pool_find(sd_bus *bus, const char *path, const char *interface, void *userdata, void **found,
                   sd_bus_error *error);
int dbus_vol_find(sd_bus *bus, const char *path, const char *interface, void *userdata, void **found,
                  sd_bus_error *error);
int dbus_nodedev_find(sd_bus *bus, const char *path, const char *interface, void *userdata, void **found,
                      sd_bus_error *error);
int dbus_iface_find(sd_bus *bus, const char *path, const char *interface, void *userdata, void **found,
                    sd_bus_error *error);
/* Decodes path as an object of kind (into dc->found_object[kind]); NULL when it is not one. */
struct dbus_object *dbus_object_from_path(struct dbus_connect *dc, enum dbus_kind kind, const char *path);

/* Lists every object of kind (volumes: of every active pool). */
int dbus_objects_list(struct dbus_connect *dc, enum dbus_kind kind, struct vb_object_ref **refs, size_t *n,
                      struct vb_error *err);
/* Registers the lookup, the enumerator and vtable for kind's subtree (with the double-wrapped
 * GetAll) under its prefix. */
int dbus_object_subtree_register(struct dbus_connect *dc, enum dbus_kind kind, const char *interface,
                                 const sd_bus_vtable *vtable);

/* One call about an object of these kinds, and what it answers. */
struct dbus_object_call {
    struct dbus_call base;
    struct dbus_connect *dc;
    enum dbus_kind kind;       /* of the object(s) answered */
    unsigned char uuid[VB_UUID_LEN];
    char *name;                /* the target's key or name, copied */
    struct vb_object_ref ref;  /* output: one object, answered as its path */
    struct vb_object_ref *refs; /* output: a list, answered as paths */
    size_t n;
    char *text;                /* output: XML */
    char **strv;               /* output: names (NULL-terminated) */
    size_t n_strv;
    struct vb_pool_info pool_info;
    struct vb_vol_info vol_info;
};

/* A call answered by append (NULL: empty), about target (NULL: none); kind is what it answers
 * (the target's kind when there is one). */
struct dbus_object_call *dbus_object_call_new(struct dbus_connect *dc, sd_bus_message *m, enum dbus_kind kind,
                                              const struct dbus_object *target, dbus_call_append_fn append);

/* The appenders. */
int dbus_object_append_path(struct dbus_call *call, sd_bus_message *reply);
int dbus_object_append_paths(struct dbus_call *call, sd_bus_message *reply);
int dbus_object_append_text(struct dbus_call *call, sd_bus_message *reply);
int dbus_object_append_strv(struct dbus_call *call, sd_bus_message *reply);

/* The operation that lists objects of kind (CONNECT_LIST_ALL_NETWORKS, ...). */
enum vb_operation dbus_kind_list_operation(enum dbus_kind kind);
/* The policy object kind of a D-Bus object kind. */
enum policy_object dbus_kind_policy_object(enum dbus_kind kind);

/* Registry answers, at once: one object's path, or the paths of a list (taking refs, answering
 * only the objects the caller may see). */
int dbus_object_reply_ref(sd_bus_message *m, struct dbus_connect *dc, enum dbus_kind kind, int r,
                          struct vb_object_ref *ref, struct vb_error *err, sd_bus_error *error);
int dbus_object_reply_refs(sd_bus_message *m, struct dbus_connect *dc, enum dbus_kind kind, int r,
                           struct vb_object_ref *refs, size_t n, struct vb_error *err, sd_bus_error *error);

/* The object's current state (a lookup by its identity), for property getters. */
int dbus_object_lookup(const struct dbus_object *o, struct vb_object_ref *ref, struct vb_error *err);

/* Appends the named properties (NULL-terminated) of ref as one a{sv}, single-wrapped (for
 * InterfacesAdded and PropertiesChanged). */
int dbus_object_properties_append(sd_bus_message *m, const struct vb_object_ref *ref, const char *const *names);

/* Properties.Set of a writable Autostart (networks, pools) goes through the core as a call:
 * install with sd_bus_add_fallback on the kind's prefix, before the vtable. */
int dbus_object_handle_set_autostart(sd_bus_message *m, void *userdata, sd_bus_error *error);

/* The getter of every property of these kinds (Active, Autostart, Name, Persistent, UUID, Key,
 * Path, Parent, MAC), read from one lookup of the object the path names. */
int dbus_object_property_get(sd_bus *bus, const char *path, const char *interface, const char *property,
                             sd_bus_message *reply, void *userdata, sd_bus_error *error);

/* --- handlers shared by the kinds ------------------------------------------------------------ */

/* Connect.List*(u flags) → ao. */
typedef int (*dbus_object_list_fn)(struct vb_connect *conn, unsigned int flags, struct vb_object_ref **refs,
                                   size_t *n, struct vb_error *err);
int dbus_object_method_list(sd_bus_message *m, struct dbus_connect *dc, enum dbus_kind kind, dbus_object_list_fn fn,
                            sd_bus_error *error);
/* Connect.*LookupBy*(s) → o, answered at once. */
typedef int (*dbus_object_lookup_fn)(struct vb_connect *conn, const char *text, struct vb_object_ref *ref,
                                     struct vb_error *err);
int dbus_object_method_lookup(sd_bus_message *m, struct dbus_connect *dc, enum dbus_kind kind,
                              dbus_object_lookup_fn fn, sd_bus_error *error);
/* NetworkLookupByUUID, StoragePoolLookupByUUID (userdata: the connection). */
int dbus_object_method_network_by_uuid(sd_bus_message *m, void *userdata, sd_bus_error *error);
int dbus_object_method_pool_by_uuid(sd_bus_message *m, void *userdata, sd_bus_error *error);

/* A method of an object: reads the "u" flags when with_flags, runs op on a call about o
 * answered by append (NULL: empty). */
typedef int (*dbus_object_op_fn)(struct dbus_object_call *call, uint32_t flags);
int dbus_object_method_run(sd_bus_message *m, struct dbus_object *o, bool with_flags, dbus_call_append_fn append,
                           dbus_object_op_fn op, sd_bus_error *error);
/* GetXMLDesc(u flags) → s of every kind (userdata: the object). */
int dbus_object_method_get_xml_desc(sd_bus_message *m, void *userdata, sd_bus_error *error);
/* Connect.*CreateXML / *DefineXML: reads the XML (and "u" flags when with_flags), runs fn and
 * answers with the new object's path. */
typedef int (*dbus_object_from_xml_fn)(struct vb_connect *conn, struct vb_call *call, const char *xml,
                                       unsigned int flags, struct vb_object_ref *ref);
int dbus_object_method_from_xml(sd_bus_message *m, struct dbus_connect *dc, enum dbus_kind kind, bool with_flags,
                                dbus_object_from_xml_fn fn, sd_bus_error *error);
/* Declared Set of Autostart, for introspection: dbus_object_handle_set_autostart answers first. */
int dbus_object_property_set_autostart(sd_bus *bus, const char *path, const char *interface, const char *property,
                                       sd_bus_message *value, void *userdata, sd_bus_error *error);
