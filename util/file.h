/* File helpers: bounded reads and crash-safe atomic writes. */
#pragma once

#include <stddef.h>

#include "util/error.h"

/* Reads the whole file into a NUL-terminated buffer, refusing files over max_bytes
 * (VB_ERR_OPERATION_FAILED "file '%s' is larger than %zu bytes"). Only a regular file is read,
 * opened without following a symbolic link and without blocking: a FIFO, device or socket (even
 * one named like a definition) is refused at once with VB_ERR_OPERATION_FAILED "'%s' is not a
 * regular file", and a symbolic link with a system error (ELOOP). Returns NULL with err set. */
char *vb_file_read_all(const char *path, size_t max_bytes, size_t *length, struct vb_error *err);

/* Replaces path with content so that a crash at any moment leaves either the old file or the
 * new one, never a mix: writes a temporary file in the same directory, fsyncs it, renames it
 * over path, then fsyncs the directory. mode is the new file's permission bits. */
int vb_file_write_atomic(const char *path, const char *content, size_t length, unsigned int mode,
                         struct vb_error *err);

/* Removes path (a missing file is not an error) and fsyncs its directory. */
int vb_file_remove_durable(const char *path, struct vb_error *err);

/* mkdir -p with the given mode for directories it creates. */
int vb_mkdir_parents(const char *path, unsigned int mode, struct vb_error *err);
