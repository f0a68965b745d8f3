/* UUIDs in libvirt's text forms: parse (with or without dashes), format, generate. */
#pragma once

#include <stdbool.h>

#define VB_UUID_LEN 16
#define VB_UUID_STRING_LEN 37 /* 36 characters and the terminating NUL */

/* Parses "6695eb01-f6a4-8304-79aa-97f2502e193f" (dashes optional, any case, surrounding
 * blanks allowed as libvirt allows them). Returns 0, or -EINVAL. */
/* The value of one hexadecimal digit, or -1. */
int vb_hex_digit_value(char c);

int vb_uuid_parse(const char *text, unsigned char uuid[VB_UUID_LEN]);

void vb_uuid_format(const unsigned char uuid[VB_UUID_LEN], char out[VB_UUID_STRING_LEN]);

/* A random version-4 UUID from getrandom(2). Returns 0 or a negative errno. */
int vb_uuid_generate(unsigned char uuid[VB_UUID_LEN]);

bool vb_uuid_is_null(const unsigned char uuid[VB_UUID_LEN]);
