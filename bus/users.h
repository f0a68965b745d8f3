/* The AMQP users file: SASL principals, the unix user each maps to, and their password hashes. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "util/error.h"

/* A users file larger than this is refused; it lists principals, not data. */
#define BUS_USERS_MAX_BYTES (1024 * 1024)
/* Longer passwords are never hashed: SHA-512 crypt costs time in proportion to the length, and
 * a PLAIN password comes from an unauthenticated peer. virtbusctl amqp-passwd refuses them too. */
#define BUS_USERS_PASSWORD_MAX 1024
/* The hash field of a principal that has no password: it may log in with SASL EXTERNAL only. */
#define BUS_USERS_NO_PASSWORD "!"

struct bus_users;

/* Reads the users file: one principal per line, NAME:UNIXUSER:HASH, split on the last two ':'
 * so NAME may hold ':' (a certificate subject); '#' comment lines and blank lines are skipped.
 * HASH is a crypt(3) SHA-512 string ($6$salt$hash) or "!". UNIXUSER is resolved now, with
 * getpwnam_r; a number is taken as a uid. The file must be a regular file owned by root or by
 * us, with no access for group or others (as ssh demands of a private key). On error, returns
 * -1 with err naming the file and line, and *out is untouched. */
int bus_users_load(const char *path, struct bus_users **out, struct vb_error *err);
void bus_users_free(struct bus_users *users);
DEFINE_CLEANUP_FUNC(struct bus_users, bus_users_free)

/* SASL PLAIN: true when name exists, has a password, and password matches it; *uid is then
 * the mapped unix user's. Takes about as long for an unknown name as for a wrong password. */
bool bus_users_check_password(const struct bus_users *users, const char *name, const char *password, uid_t *uid);
/* SASL EXTERNAL: true when name (the TLS client certificate's subject) exists, with or without
 * a password; *uid is then the mapped unix user's. */
bool bus_users_lookup(const struct bus_users *users, const char *name, uid_t *uid);
size_t bus_users_count(const struct bus_users *users);
