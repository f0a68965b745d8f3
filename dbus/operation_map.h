/* Which core operation each org.libvirt method and property is, which object it is about, and
 * which argument carries the flags libvirt's permission checks read. Pure data: the
 * authorization filter reads it, and a test checks every method and writable property of
 * data/org.libvirt.*.xml has an entry. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "api/operation.h"
#include "policy/engine.h"

/* Where a call's object comes from. */
enum dbus_object_source {
    DBUS_OBJECT_NONE,          /* no object (Peer) */
    DBUS_OBJECT_CONNECT,       /* the connection of the Connect path */
    DBUS_OBJECT_DOMAIN_PATH,   /* the domain the object path names */
    DBUS_OBJECT_SNAPSHOT_PATH, /* the domain owning the snapshot the object path names */
    DBUS_OBJECT_OBJECT_PATH,   /* the network, pool, volume, node device or interface the path names */
    DBUS_OBJECT_ARG_OBJECT,    /* argument 0 names an arg_object by arg_ref (a volume by name: in the
                                  pool the path names) */
    DBUS_OBJECT_ARG_NAME,      /* argument 0: a domain name */
    DBUS_OBJECT_ARG_UUID,      /* argument 0: a domain UUID string */
    DBUS_OBJECT_ARG_ID,        /* argument 0: a domain id */
    DBUS_OBJECT_ARG_XML,       /* argument xml_arg: a definition (an empty string: none) */
    DBUS_OBJECT_PATH_SUBTREE,  /* the connection whose subtree holds the path (Introspect) */
    DBUS_OBJECT_ALL_CONNECTS,  /* every connection (GetManagedObjects on /org/libvirt) */
};

struct dbus_operation {
    const char *interface;
    const char *member; /* the method, or the property */
    enum vb_operation op;
    enum dbus_object_source object;
    int xml_arg;   /* DBUS_OBJECT_ARG_XML: which argument */
    int flags_arg; /* the "u" argument libvirt's checks read as flags; -1: none */
    enum policy_object arg_object; /* DBUS_OBJECT_ARG_OBJECT, or ARG_XML of a network or pool: what kind */
    enum policy_ref arg_ref;       /* DBUS_OBJECT_ARG_OBJECT: by what */
};

const struct dbus_operation *dbus_operation_for_method(const char *interface, const char *member);
/* Properties.Get (write false) and Properties.Set (write true) of one property. */
const struct dbus_operation *dbus_operation_for_property(const char *interface, const char *property, bool write);
/* Properties.GetAll(interface): the operations of every readable property of interface, or of
 * every interface with properties when interface is "" (D-Bus: all of them). Returns how many
 * were written to out (at most max). */
size_t dbus_operations_for_get_all(const char *interface, const struct dbus_operation **out, size_t max);

enum dbus_operation_kind {
    DBUS_OPERATION_METHOD,
    DBUS_OPERATION_PROPERTY_READ,
    DBUS_OPERATION_PROPERTY_WRITE,
};

/* The whole table of one kind, for tools and tests that walk every entry. */
const struct dbus_operation *dbus_operation_table(enum dbus_operation_kind kind, size_t *n);
