/* The AMQP users file: loading and checking SASL PLAIN and EXTERNAL principals. */
#include <crypt.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bus/users.h"
#include "util/hashmap.h"
#include "util/macros.h"

/* crypt(3)'s salt and hash alphabet. */
#define CRYPT_ALPHABET "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
#define SHA512_PREFIX "$6$"
#define SHA512_SALT_MAX 16
#define SHA512_HASH_LEN 86
#define GETPW_BUFFER_MAX (1024 * 1024)

/* Hashed in place of a missing or password-less principal's hash, so that a PLAIN attempt on
 * such a name costs what a wrong password costs and does not tell which names exist. */
static const char dummy_hash[] = "$6$virtbusdummysalt$okR4sySNdrLauaefcXvCuj17td/cfvV6O2/4SbMATR4CjLtmsxqNCWADwtZyrD."
                                 "CIpfrdGnys4uC0EfWxNAL00";

struct bus_user {
    char *name;
    char *hash; /* NULL: no password, EXTERNAL only */
    uid_t uid;
    unsigned int line;
};

struct bus_users {
    struct vb_hashmap *by_name; /* owns its struct bus_user values */
};

static void user_free(void *p)
{
    struct bus_user *user = p;

    if (!user)
        return;
    free(user->name);
    free(user->hash);
    free(user);
}

DEFINE_CLEANUP_FUNC(struct bus_user, user_free)

void bus_users_free(struct bus_users *users)
{
    if (!users)
        return;
    vb_hashmap_free_with(users->by_name, user_free);
    free(users);
}

static struct bus_users *users_new(void)
{
    struct bus_users *users = calloc(1, sizeof(*users));

    if (users)
        users->by_name = vb_hashmap_new();
    if (users && !users->by_name) {
        free(users);
        return NULL;
    }
    return users;
}

size_t bus_users_count(const struct bus_users *users)
{
    return users ? vb_hashmap_size(users->by_name) : 0;
}

/* ---- parsing -------------------------------------------------------------------------------- */

static size_t span_alphabet(const char *s, size_t max)
{
    size_t n = 0;

    while (n < max && s[n] && strchr(CRYPT_ALPHABET, s[n]))
        n++;
    return n;
}

/* $6$[rounds=N$]salt$hash, exactly as crypt(3) writes it: anything else could never match. */
static bool is_sha512_hash(const char *s)
{
    size_t n;

    if (strncmp(s, SHA512_PREFIX, strlen(SHA512_PREFIX)) != 0)
        return false;
    s += strlen(SHA512_PREFIX);
    if (strncmp(s, "rounds=", strlen("rounds=")) == 0) {
        s += strlen("rounds=");
        n = strspn(s, "0123456789");
        if (n == 0 || n > 9 || s[n] != '$')
            return false;
        s += n + 1;
    }
    n = span_alphabet(s, SHA512_SALT_MAX);
    if (n == 0 || s[n] != '$')
        return false;
    s += n + 1;
    n = span_alphabet(s, SHA512_HASH_LEN);
    return n == SHA512_HASH_LEN && s[n] == '\0';
}

static int parse_uid(const char *text, uid_t *uid)
{
    char *end = NULL;
    unsigned long long v;

    if (text[0] < '0' || text[0] > '9')
        return -EINVAL;
    errno = 0;
    v = strtoull(text, &end, 10);
    /* (uid_t) -1 means "no change" to chown(2) and setreuid(2): never a user. */
    if (errno || *end || v >= (uid_t) -1)
        return -EINVAL;
    *uid = (uid_t) v;
    return 0;
}

/* A user name as getpwnam_r knows it, else a number; -ENOENT when neither. */
static int resolve_unix_user(const char *user, uid_t *uid)
{
    long suggested = sysconf(_SC_GETPW_R_SIZE_MAX);
    size_t size = suggested > 0 ? (size_t) suggested : 16384;

    for (;;) {
        _cleanup_free_ char *buffer = malloc(size);
        struct passwd pw, *found = NULL;
        int r;

        if (!buffer)
            return -ENOMEM;
        r = getpwnam_r(user, &pw, buffer, size, &found);
        if (r == ERANGE && size < GETPW_BUFFER_MAX) {
            size *= 2;
            continue;
        }
        if (r != 0 && r != ENOENT && r != ESRCH)
            return -r;
        if (found) {
            *uid = pw.pw_uid;
            return 0;
        }
        break;
    }
    return parse_uid(user, uid) < 0 ? -ENOENT : 0;
}

static bool is_blank_or_comment(const char *line)
{
    line += strspn(line, " \t");
    return *line == '\0' || *line == '#';
}

/* NAME:UNIXUSER:HASH, split on the last two ':'; line is modified in place. */
static int parse_line(char *line, const char *path, unsigned int number, struct bus_user **out,
                      struct vb_error *err)
{
    _cleanup_(user_freep) struct bus_user *user = NULL;
    char *hash_sep = strrchr(line, ':');
    char *user_sep;
    const char *hash;
    int r;

    if (!hash_sep)
        return vb_error_set(err, VB_ERR_CONF_SYNTAX, "%s:%u: expected NAME:UNIXUSER:HASH", path, number);
    *hash_sep = '\0';
    user_sep = strrchr(line, ':');
    if (!user_sep)
        return vb_error_set(err, VB_ERR_CONF_SYNTAX, "%s:%u: expected NAME:UNIXUSER:HASH", path, number);
    *user_sep = '\0';
    hash = hash_sep + 1;
    if (!line[0])
        return vb_error_set(err, VB_ERR_CONF_SYNTAX, "%s:%u: empty principal name", path, number);
    if (!user_sep[1])
        return vb_error_set(err, VB_ERR_CONF_SYNTAX, "%s:%u: empty unix user", path, number);
    if (!streq(hash, BUS_USERS_NO_PASSWORD) && strncmp(hash, SHA512_PREFIX, strlen(SHA512_PREFIX)) != 0)
        return vb_error_set(err, VB_ERR_CONF_SYNTAX,
                            "%s:%u: the hash is neither a SHA-512 crypt string ($6$salt$hash) nor '!'", path,
                            number);
    if (!streq(hash, BUS_USERS_NO_PASSWORD) && !is_sha512_hash(hash))
        return vb_error_set(err, VB_ERR_CONF_SYNTAX, "%s:%u: malformed SHA-512 crypt hash", path, number);

    user = calloc(1, sizeof(*user));
    if (!user)
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    user->line = number;
    r = resolve_unix_user(user_sep + 1, &user->uid);
    if (r == -ENOENT)
        return vb_error_set(err, VB_ERR_CONF_SYNTAX, "%s:%u: unknown unix user '%s'", path, number, user_sep + 1);
    if (r < 0)
        return vb_error_set_errno(err, -r, "%s:%u: cannot look up unix user '%s'", path, number, user_sep + 1);
    user->name = strdup(line);
    user->hash = streq(hash, BUS_USERS_NO_PASSWORD) ? NULL : strdup(hash);
    if (!user->name || (!user->hash && !streq(hash, BUS_USERS_NO_PASSWORD)))
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    *out = TAKE_PTR(user);
    return 0;
}

static int add_user(struct bus_users *users, struct bus_user *user, const char *path, struct vb_error *err)
{
    const struct bus_user *before = vb_hashmap_get(users->by_name, user->name);

    if (before) {
        vb_error_set(err, VB_ERR_CONF_SYNTAX, "%s:%u: principal '%s' is already given on line %u", path, user->line,
                     user->name, before->line);
        user_free(user);
        return -1;
    }
    if (vb_hashmap_put(users->by_name, user->name, user) < 0) {
        user_free(user);
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    }
    return 0;
}

/* text is the whole file, NUL-terminated, and is cut into lines in place. */
static int parse_text(struct bus_users *users, char *text, const char *path, struct vb_error *err)
{
    char *line, *next;
    unsigned int number = 0;

    /* strtok_r would merge empty lines and break line numbers, so split by hand. */
    for (line = text; line; line = next) {
        struct bus_user *user = NULL;
        size_t len;

        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        number++;
        len = strlen(line);
        if (len > 0 && line[len - 1] == '\r')
            line[len - 1] = '\0';
        if (is_blank_or_comment(line))
            continue;
        if (parse_line(line, path, number, &user, err) < 0 || add_user(users, user, path, err) < 0)
            return -1;
    }
    return 0;
}

/* ---- reading -------------------------------------------------------------------------------- */

/* Anyone who can write the file can log in as any unix user it names; anyone who can read it
 * can attack the hashes offline. */
static int check_file(int fd, const char *path, struct vb_error *err)
{
    struct stat st;

    if (fstat(fd, &st) < 0)
        return vb_error_set_errno(err, errno, "cannot stat users file '%s'", path);
    if (!S_ISREG(st.st_mode))
        return vb_error_set(err, VB_ERR_OPEN_FAILED, "'%s': not a regular file", path);
    if (st.st_uid != 0 && st.st_uid != geteuid())
        return vb_error_set(err, VB_ERR_OPEN_FAILED,
                            "'%s': owned by uid %u, but it must be owned by root or by uid %u", path,
                            (unsigned int) st.st_uid, (unsigned int) geteuid());
    if (st.st_mode & (S_IRWXG | S_IRWXO))
        return vb_error_set(err, VB_ERR_OPEN_FAILED,
                            "'%s': mode %04o, but the users file must not be readable by others "
                            "nor writable by them (chmod 600)",
                            path, (unsigned int) (st.st_mode & 07777));
    return 0;
}

/* Reads one byte more than the bound, so that an oversized file is seen without st_size. */
static char *read_text(int fd, const char *path, struct vb_error *err)
{
    _cleanup_free_ char *text = malloc(BUS_USERS_MAX_BYTES + 2);
    size_t done = 0;

    if (!text) {
        vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
        return NULL;
    }
    while (done <= BUS_USERS_MAX_BYTES) {
        ssize_t n = read(fd, text + done, BUS_USERS_MAX_BYTES + 1 - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            vb_error_set_errno(err, errno, "cannot read users file '%s'", path);
            return NULL;
        }
        if (n == 0)
            break;
        done += (size_t) n;
    }
    if (done > BUS_USERS_MAX_BYTES) {
        vb_error_set(err, VB_ERR_OPEN_FAILED, "'%s': larger than %d bytes", path, BUS_USERS_MAX_BYTES);
        return NULL;
    }
    if (memchr(text, '\0', done)) {
        vb_error_set(err, VB_ERR_CONF_SYNTAX, "%s: contains a NUL byte", path);
        return NULL;
    }
    text[done] = '\0';
    return TAKE_PTR(text);
}

int bus_users_load(const char *path, struct bus_users **out, struct vb_error *err)
{
    _cleanup_(bus_users_freep) struct bus_users *users = NULL;
    _cleanup_close_ int fd = -1;
    _cleanup_free_ char *text = NULL;

    /* O_NONBLOCK: a FIFO would otherwise wait for a writer; O_NOFOLLOW, as util/file.c. */
    fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | O_NOFOLLOW);
    if (fd < 0)
        return vb_error_set_errno(err, errno, "cannot open users file '%s'", path);
    if (check_file(fd, path, err) < 0)
        return -1;
    text = read_text(fd, path, err);
    if (!text)
        return -1;
    users = users_new();
    if (!users)
        return vb_error_set(err, VB_ERR_NO_MEMORY, NULL);
    if (parse_text(users, text, path, err) < 0)
        return -1;
    *out = TAKE_PTR(users);
    return 0;
}

/* ---- checking ------------------------------------------------------------------------------- */

/* Touches every byte whatever differs, so the time taken says nothing about where. */
static bool equal_constant_time(const char *a, const char *b, size_t length)
{
    volatile unsigned char diff = 0;

    for (size_t i = 0; i < length; i++)
        diff |= (unsigned char) a[i] ^ (unsigned char) b[i];
    return diff == 0;
}

static bool password_matches(const char *password, const char *hash)
{
    struct crypt_data *data = calloc(1, sizeof(*data)); /* ~32 KiB: not on the stack */
    const char *result;
    bool ok = false;

    if (!data)
        return false;
    result = crypt_r(password, hash, data);
    /* A failed crypt_r returns NULL or a string starting with '*', which no stored hash is. The
     * length of a result depends only on the stored hash, so comparing it first leaks nothing. */
    if (result && result[0] != '*' && strlen(result) == strlen(hash))
        ok = equal_constant_time(result, hash, strlen(hash));
    explicit_bzero(data, sizeof(*data));
    free(data);
    return ok;
}

bool bus_users_check_password(const struct bus_users *users, const char *name, const char *password, uid_t *uid)
{
    const struct bus_user *user = users && name ? vb_hashmap_get(users->by_name, name) : NULL;

    if (!password || strnlen(password, BUS_USERS_PASSWORD_MAX + 1) > BUS_USERS_PASSWORD_MAX)
        return false;
    if (!user || !user->hash) {
        (void) password_matches(password, dummy_hash);
        return false;
    }
    if (!password_matches(password, user->hash))
        return false;
    if (uid)
        *uid = user->uid;
    return true;
}

bool bus_users_lookup(const struct bus_users *users, const char *name, uid_t *uid)
{
    const struct bus_user *user = users && name ? vb_hashmap_get(users->by_name, name) : NULL;

    if (!user)
        return false;
    if (uid)
        *uid = user->uid;
    return true;
}
