/* virtbusctl amqp-passwd: adds or changes a principal in the AMQP users file; talks to no bus. */
#include <crypt.h>
#include <errno.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "bus/users.h"
#include "tools/ctl_amqp_passwd.h"
#include "util/file.h"

/* crypt(3)'s alphabet has 64 letters, so the low six bits of a random byte pick one without bias. */
static const char salt_alphabet[] = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
#define SALT_LENGTH 16

/* ---- arguments ------------------------------------------------------------------------------ */

static int check_name(const char *name)
{
    if (!name[0])
        return ctl_usage_error("the principal name must not be empty");
    if (strpbrk(name, "\n\r"))
        return ctl_usage_error("the principal name must not contain a line break");
    /* The users file would take the line for a comment; this also means no comment line can
     * ever look like the line of the principal being changed. */
    if (name[strspn(name, " \t")] == '#')
        return ctl_usage_error("the principal name must not start with '#'");
    return 0;
}

/* As bus/users.c resolves it: a user name, else a number taken as a uid. */
static int check_unix_user(const char *user)
{
    char *end = NULL;
    unsigned long long uid;

    if (!user[0] || strpbrk(user, ":\n\r"))
        return ctl_error("invalid unix user '%s'", user);
    if (getpwnam(user))
        return 0;
    errno = 0;
    uid = strtoull(user, &end, 10);
    if (user[0] >= '0' && user[0] <= '9' && !errno && !*end && uid < (uid_t) -1)
        return 0;
    return ctl_error("unknown unix user '%s'", user);
}

/* ---- the password --------------------------------------------------------------------------- */

static struct termios saved_termios;
static volatile sig_atomic_t echo_is_off;

/* A password prompt interrupted by ^C must not leave the terminal without echo. */
static void restore_echo_and_die(int sig)
{
    if (echo_is_off)
        (void) tcsetattr(STDIN_FILENO, TCSANOW, &saved_termios);
    raise(sig); /* SA_RESETHAND: the default action now */
}

static void echo_off(void)
{
    struct sigaction sa = { .sa_handler = restore_echo_and_die, .sa_flags = SA_RESETHAND };
    struct termios quiet;

    if (tcgetattr(STDIN_FILENO, &saved_termios) < 0)
        return;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    quiet = saved_termios;
    quiet.c_lflag &= ~(tcflag_t) ECHO;
    echo_is_off = tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) == 0;
}

static void echo_on(void)
{
    if (echo_is_off)
        (void) tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_termios);
    echo_is_off = 0;
}

static void free_secret(char *secret)
{
    if (secret) {
        explicit_bzero(secret, strlen(secret));
        free(secret);
    }
}

/* One line of standard input without its newline; "" at end of input. */
static int read_line(const char *prompt, bool tty, char **out)
{
    char *line = NULL;
    size_t size = 0;
    ssize_t n;

    if (tty)
        fputs(prompt, stderr);
    n = getline(&line, &size, stdin);
    if (tty)
        fputc('\n', stderr); /* the user's newline was not echoed */
    if (n < 0 && ferror(stdin)) {
        free(line);
        return ctl_error("cannot read the password: %s", strerror(errno));
    }
    if (n < 0)
        n = 0;
    if (n > 0 && line[n - 1] == '\n')
        n--;
    if (line && memchr(line, '\0', (size_t) n)) {
        explicit_bzero(line, (size_t) n);
        free(line);
        return ctl_error("the password must not contain a NUL byte");
    }
    if (line)
        line[n] = '\0';
    *out = line ? line : strdup("");
    return *out ? 0 : ctl_error("%s", strerror(ENOMEM));
}

/* The first line of standard input; at a terminal, asked twice without echo, as passwd(1) does. */
static int read_password(char **password)
{
    bool tty = isatty(STDIN_FILENO);
    char *first = NULL, *again = NULL;
    int r;

    if (tty)
        echo_off();
    r = read_line("Password: ", tty, &first);
    if (r == 0 && tty && first[0])
        r = read_line("Retype password: ", tty, &again);
    if (tty)
        echo_on();
    if (r == 0 && !first[0])
        r = ctl_error("empty password (give one on the first line of standard input, or use --no-password)");
    if (r == 0 && strlen(first) > BUS_USERS_PASSWORD_MAX)
        r = ctl_error("the password is longer than %d bytes", BUS_USERS_PASSWORD_MAX);
    if (r == 0 && again && !streq(first, again))
        r = ctl_error("the passwords do not match");
    free_secret(again);
    if (r != 0) {
        free_secret(first);
        return r;
    }
    *password = first;
    return 0;
}

static int make_salt(char salt[SALT_LENGTH + 1])
{
    unsigned char bytes[SALT_LENGTH];
    size_t got = 0;

    while (got < sizeof(bytes)) {
        ssize_t n = getrandom(bytes + got, sizeof(bytes) - got, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -errno;
        got += (size_t) n;
    }
    for (size_t i = 0; i < SALT_LENGTH; i++)
        salt[i] = salt_alphabet[bytes[i] & 63];
    salt[SALT_LENGTH] = '\0';
    return 0;
}

/* "$6$<salt>$<hash>": SHA-512 crypt with crypt's default rounds. */
static int hash_password(const char *password, char **hash)
{
    char salt[SALT_LENGTH + 1], setting[sizeof("$6$$") + SALT_LENGTH];
    struct crypt_data *data;
    const char *result;
    int r = make_salt(salt);

    if (r < 0)
        return ctl_error("cannot make a salt: %s", strerror(-r));
    snprintf(setting, sizeof(setting), "$6$%s$", salt);
    data = calloc(1, sizeof(*data)); /* ~32 KiB: not on the stack */
    if (!data)
        return ctl_error("%s", strerror(ENOMEM));
    result = crypt_r(password, setting, data);
    if (!result || result[0] == '*') /* crypt_r's failure token */
        r = ctl_error("cannot hash the password: %s", strerror(errno));
    else if (!(*hash = strdup(result)))
        r = ctl_error("%s", strerror(ENOMEM));
    explicit_bzero(data, sizeof(*data));
    free(data);
    return r;
}

/* ---- the users file ------------------------------------------------------------------------- */

/* The file's text, "" when it does not exist yet. */
static int read_users_file(const char *path, char **text)
{
    struct vb_error err = VB_ERROR_INIT;
    struct stat st;
    size_t length = 0;

    if (lstat(path, &st) < 0 && errno == ENOENT) {
        *text = strdup("");
        return *text ? 0 : ctl_error("%s", strerror(ENOMEM));
    }
    *text = vb_file_read_all(path, BUS_USERS_MAX_BYTES, &length, &err);
    if (!*text) {
        ctl_error("%s", vb_error_message(&err));
        vb_error_clear(&err);
        return CTL_EXIT_FAILURE;
    }
    if (memchr(*text, '\0', length)) {
        free(*text);
        *text = NULL;
        return ctl_error("'%s' contains a NUL byte: not a users file", path);
    }
    return 0;
}

/* Whether line (len bytes, no newline) is NAME:UNIXUSER:HASH for name, split as bus/users.c does:
 * on the last two ':'. */
static bool line_names(const char *line, size_t len, const char *name)
{
    const char *hash_sep = memrchr(line, ':', len);
    const char *user_sep = hash_sep ? memrchr(line, ':', (size_t) (hash_sep - line)) : NULL;

    return user_sep && (size_t) (user_sep - line) == strlen(name) && memcmp(line, name, strlen(name)) == 0;
}

/* The old text with name's line replaced by entry (later duplicates dropped), or entry appended;
 * every other line, comments and blank ones included, is kept in its place. */
static int replace_or_append(const char *old, const char *name, const char *entry, char **out, size_t *length,
                             bool *replaced)
{
    FILE *f = open_memstream(out, length);
    const char *line = old;

    if (!f)
        return -ENOMEM;
    *replaced = false;
    while (*line) {
        const char *end = strchrnul(line, '\n');
        bool match = line_names(line, (size_t) (end - line), name);

        if (!match)
            fprintf(f, "%.*s\n", (int) (end - line), line);
        else if (!*replaced)
            fprintf(f, "%s\n", entry);
        *replaced = *replaced || match;
        line = *end ? end + 1 : end;
    }
    if (!*replaced)
        fprintf(f, "%s\n", entry);
    if (ferror(f)) {
        fclose(f);
        free(*out);
        *out = NULL;
        return -ENOMEM;
    }
    return fclose(f) == 0 ? 0 : -ENOMEM;
}

static int write_users_file(const char *path, const char *old, const char *name, const char *entry,
                            bool *replaced)
{
    _cleanup_free_ char *content = NULL;
    struct vb_error err = VB_ERROR_INIT;
    size_t length = 0;

    if (replace_or_append(old, name, entry, &content, &length, replaced) < 0)
        return ctl_error("%s", strerror(ENOMEM));
    /* A temporary file (mode 0600 from its creation), fsynced, renamed over the old one. */
    if (vb_file_write_atomic(path, content, length, 0600, &err) < 0) {
        ctl_error("%s", vb_error_message(&err));
        vb_error_clear(&err);
        return CTL_EXIT_FAILURE;
    }
    return 0;
}

int ctl_cmd_amqp_passwd(struct ctl *ctl, int argc, char **argv)
{
    const char *path = ctl->opt.users_file, *name = argv[0], *unix_user = argv[1];
    _cleanup_free_ char *old = NULL, *hash = NULL, *entry = NULL;
    char *password = NULL;
    bool replaced = false;
    int r;

    if (!path || !path[0])
        return ctl_usage_error("amqp-passwd needs --users-file FILE");
    r = check_name(name);
    if (r == 0)
        r = check_unix_user(unix_user);
    if (r == 0)
        r = read_users_file(path, &old);
    if (r == 0 && !ctl->opt.no_password)
        r = read_password(&password);
    if (r == 0)
        r = ctl->opt.no_password ? 0 : hash_password(password, &hash);
    free_secret(password);
    if (r != 0)
        return r;
    if (asprintf(&entry, "%s:%s:%s", name, unix_user, hash ? hash : BUS_USERS_NO_PASSWORD) < 0) {
        entry = NULL;
        return ctl_error("%s", strerror(ENOMEM));
    }
    r = write_users_file(path, old, name, entry, &replaced);
    if (r != 0)
        return r;
    printf("AMQP principal '%s' %s '%s'\n", name, replaced ? "updated in" : "added to", path);
    return CTL_EXIT_OK;
}
