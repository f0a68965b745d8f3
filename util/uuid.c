/* UUID parsing, formatting and generation. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include "util/uuid.h"

int vb_hex_digit_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int vb_uuid_parse(const char *text, unsigned char uuid[VB_UUID_LEN])
{
    const char *p = text;
    size_t i = 0;

    if (!text)
        return -EINVAL;
    while (isspace((unsigned char) *p))
        p++;
    while (i < VB_UUID_LEN) {
        int hi, lo;

        if (*p == '-') {
            p++;
            continue;
        }
        hi = vb_hex_digit_value(p[0]);
        lo = hi < 0 ? -1 : vb_hex_digit_value(p[1]);
        if (hi < 0 || lo < 0)
            return -EINVAL;
        uuid[i++] = (unsigned char) (hi << 4 | lo);
        p += 2;
    }
    while (isspace((unsigned char) *p))
        p++;
    return *p ? -EINVAL : 0;
}

/* Table-driven rather than snprintf: formatting UUIDs is on the hot path of every lookup
 * and of listing thousands of domains. */
void vb_uuid_format(const unsigned char u[VB_UUID_LEN], char out[VB_UUID_STRING_LEN])
{
    static const char hex[] = "0123456789abcdef";
    char *p = out;

    for (size_t i = 0; i < VB_UUID_LEN; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            *p++ = '-';
        *p++ = hex[u[i] >> 4];
        *p++ = hex[u[i] & 0xf];
    }
    *p = '\0';
}

int vb_uuid_generate(unsigned char uuid[VB_UUID_LEN])
{
    size_t got = 0;

    while (got < VB_UUID_LEN) {
        ssize_t n = getrandom(uuid + got, VB_UUID_LEN - got, 0);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -errno;
        }
        got += (size_t) n;
    }
    uuid[6] = (uuid[6] & 0x0f) | 0x40; /* version 4 */
    uuid[8] = (uuid[8] & 0x3f) | 0x80; /* RFC 4122 variant */
    return 0;
}

bool vb_uuid_is_null(const unsigned char uuid[VB_UUID_LEN])
{
    for (size_t i = 0; i < VB_UUID_LEN; i++)
        if (uuid[i])
            return false;
    return true;
}
