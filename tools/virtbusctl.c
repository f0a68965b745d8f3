/* virtbusctl: the command-line client of virtbusd; parses options and dispatches to a command. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/ctl_amqp_passwd.h"
#include "tools/ctl_common.h"
#include "tools/ctl_domain.h"
#include "tools/ctl_events.h"

/* Options a command accepts, as bits; the global ones are always accepted. */
enum {
    OPT_ALL = 1 << 0,
    OPT_INACTIVE = 1 << 1,
    OPT_NAME = 1 << 2,
    OPT_UUID = 1 << 3,
    OPT_PAUSED = 1 << 4,
    OPT_DISABLE = 1 << 5,
    OPT_FOLLOW = 1 << 6,
    OPT_TIMEOUT = 1 << 7,
    OPT_LIVE = 1 << 8,
    OPT_CONFIG = 1 << 9,
    OPT_MANAGED_SAVE = 1 << 10,
    OPT_SNAPSHOTS_METADATA = 1 << 11,
    OPT_RUNNING = 1 << 12,
    OPT_USERS_FILE = 1 << 13,
    OPT_NO_PASSWORD = 1 << 14,
    OPT_COMPLETED = 1 << 15,
    OPT_KEEP_COMPLETED = 1 << 16,
    OPT_RAWSTATS = 1 << 17,
};

#define OPT_AFFECT (OPT_LIVE | OPT_CONFIG)

typedef int (*command_fn)(struct ctl *ctl, int argc, char **argv);

struct command {
    const char *name;
    command_fn run;
    int min_args, max_args;
    unsigned options;
    bool no_bus; /* runs without connecting */
    const char *synopsis;
    const char *summary;
};

static int cmd_help(struct ctl *ctl, int argc, char **argv);

static const struct command commands[] = {
    { "list", ctl_cmd_list, 0, 0, OPT_ALL | OPT_INACTIVE | OPT_NAME | OPT_UUID, false,
      "[--all | --inactive] [--name | --uuid]", "list domains (running ones by default)" },
    { "dominfo", ctl_cmd_dominfo, 1, 1, 0, false, "DOMAIN", "show domain information" },
    { "dumpxml", ctl_cmd_dumpxml, 1, 1, OPT_INACTIVE, false, "DOMAIN [--inactive]", "print the domain XML" },
    { "define", ctl_cmd_define, 1, 1, 0, false, "FILE", "define a persistent domain from an XML file" },
    { "undefine", ctl_cmd_undefine, 1, 1, OPT_MANAGED_SAVE | OPT_SNAPSHOTS_METADATA, false,
      "DOMAIN [--managed-save] [--snapshots-metadata]", "remove a domain's persistent definition" },
    { "create", ctl_cmd_create, 1, 1, OPT_PAUSED, false, "FILE [--paused]",
      "start a transient domain from an XML file" },
    { "start", ctl_cmd_start, 1, 1, OPT_PAUSED, false, "DOMAIN [--paused]", "start a defined domain" },
    { "shutdown", ctl_cmd_shutdown, 1, 1, 0, false, "DOMAIN", "ask a domain to shut down" },
    { "destroy", ctl_cmd_destroy, 1, 1, 0, false, "DOMAIN", "stop a domain at once" },
    { "reboot", ctl_cmd_reboot, 1, 1, 0, false, "DOMAIN", "reboot a domain" },
    { "reset", ctl_cmd_reset, 1, 1, 0, false, "DOMAIN", "reset a domain, as the reset button does" },
    { "suspend", ctl_cmd_suspend, 1, 1, 0, false, "DOMAIN", "pause a running domain" },
    { "resume", ctl_cmd_resume, 1, 1, 0, false, "DOMAIN", "resume a paused domain" },
    { "save", ctl_cmd_save, 2, 2, OPT_RUNNING | OPT_PAUSED, false, "DOMAIN FILE [--running|--paused]",
      "save a domain's state to a file and stop it" },
    { "restore", ctl_cmd_restore, 1, 1, OPT_PAUSED, false, "FILE [--paused]",
      "start a domain from a saved state file" },
    { "managedsave", ctl_cmd_managedsave, 1, 1, 0, false, "DOMAIN",
      "save a domain's state where the next start finds it" },
    { "setvcpus", ctl_cmd_setvcpus, 2, 2, OPT_AFFECT, false, "DOMAIN COUNT [--live] [--config]",
      "change the number of virtual CPUs" },
    { "setmem", ctl_cmd_setmem, 2, 2, OPT_AFFECT, false, "DOMAIN SIZE [--live] [--config]",
      "change the memory allocation (KiB, or with a unit: 512M, 2G)" },
    { "blockresize", ctl_cmd_blockresize, 3, 3, 0, false, "DOMAIN DISK SIZE",
      "resize a disk of a running domain (KiB, or with a unit: 512M, 2G)" },
    { "autostart", ctl_cmd_autostart, 1, 1, OPT_DISABLE, false, "DOMAIN [--disable]",
      "start a domain when the daemon starts" },
    { "attach-device", ctl_cmd_attach_device, 2, 2, OPT_AFFECT, false, "DOMAIN FILE [--live] [--config]",
      "attach a device from an XML file" },
    { "detach-device", ctl_cmd_detach_device, 2, 2, OPT_AFFECT, false, "DOMAIN FILE [--live] [--config]",
      "detach a device described by an XML file" },
    { "domjobinfo", ctl_cmd_domjobinfo, 1, 1, OPT_COMPLETED | OPT_KEEP_COMPLETED | OPT_RAWSTATS, false,
      "DOMAIN [--completed [--keep-completed]] [--rawstats]",
      "show the job a domain runs (a save), or the last one it completed" },
    { "domjobabort", ctl_cmd_domjobabort, 1, 1, 0, false, "DOMAIN", "abort the job a domain runs" },
    { "events", ctl_cmd_events, 0, 1, OPT_FOLLOW | OPT_TIMEOUT, false, "[DOMAIN] [--follow] [--timeout SECONDS]",
      "print lifecycle events as they happen" },
    { "amqp-passwd", ctl_cmd_amqp_passwd, 2, 2, OPT_USERS_FILE | OPT_NO_PASSWORD, true,
      "--users-file FILE NAME UNIXUSER [--no-password]",
      "set an AMQP principal's password (read from standard input) in a users file" },
    { "help", cmd_help, 0, 1, 0, true, "[COMMAND]", "show this help, or a command's" },
};

enum {
    LONG_ALL = 256, LONG_INACTIVE, LONG_NAME, LONG_UUID, LONG_PAUSED, LONG_DISABLE, LONG_FOLLOW, LONG_TIMEOUT,
    LONG_LIVE, LONG_CONFIG, LONG_JSON, LONG_SYSTEM, LONG_SESSION, LONG_VERSION, LONG_MANAGED_SAVE,
    LONG_SNAPSHOTS_METADATA, LONG_RUNNING, LONG_USERS_FILE, LONG_NO_PASSWORD,
    LONG_COMPLETED, LONG_KEEP_COMPLETED, LONG_RAWSTATS,
};

static const struct option long_options[] = {
    { "all", no_argument, NULL, LONG_ALL },
    { "inactive", no_argument, NULL, LONG_INACTIVE },
    { "name", no_argument, NULL, LONG_NAME },
    { "uuid", no_argument, NULL, LONG_UUID },
    { "paused", no_argument, NULL, LONG_PAUSED },
    { "disable", no_argument, NULL, LONG_DISABLE },
    { "follow", no_argument, NULL, LONG_FOLLOW },
    { "timeout", required_argument, NULL, LONG_TIMEOUT },
    { "live", no_argument, NULL, LONG_LIVE },
    { "config", no_argument, NULL, LONG_CONFIG },
    { "json", no_argument, NULL, LONG_JSON },
    { "managed-save", no_argument, NULL, LONG_MANAGED_SAVE },
    { "snapshots-metadata", no_argument, NULL, LONG_SNAPSHOTS_METADATA },
    { "running", no_argument, NULL, LONG_RUNNING },
    { "users-file", required_argument, NULL, LONG_USERS_FILE },
    { "no-password", no_argument, NULL, LONG_NO_PASSWORD },
    { "completed", no_argument, NULL, LONG_COMPLETED },
    { "keep-completed", no_argument, NULL, LONG_KEEP_COMPLETED },
    { "rawstats", no_argument, NULL, LONG_RAWSTATS },
    { "connect", required_argument, NULL, 'c' },
    { "system", no_argument, NULL, LONG_SYSTEM },
    { "session", no_argument, NULL, LONG_SESSION },
    { "help", no_argument, NULL, 'h' },
    { "version", no_argument, NULL, LONG_VERSION },
    { NULL, 0, NULL, 0 },
};

/* ---- help ----------------------------------------------------------------------------------- */

static void usage(FILE *out)
{
    fputs("Usage: virtbusctl [OPTIONS] COMMAND [ARGS...]\n"
          "Manage virtual machines through virtbusd's org.libvirt D-Bus API.\n\n"
          "Options:\n"
          "  -c, --connect URI   test:///default (default), qemu:///session or qemu:///system\n"
          "      --system        talk to the system bus\n"
          "      --session       talk to the session bus (default, except for qemu:///system)\n"
          "      --json          print listings and events as JSON\n"
          "  -h, --help          show this help\n"
          "      --version       show the version\n\n"
          "Commands:\n",
          out);
    for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
        fprintf(out, "  %-15s %s\n", commands[i].name, commands[i].summary);
    fputs("\nDOMAIN is a name, a UUID or a numeric id. amqp-passwd edits a file and needs no daemon.\n"
          "See virtbusctl(1).\n",
          out);
}

static const struct command *find_command(const char *name)
{
    for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
        if (streq(commands[i].name, name))
            return &commands[i];
    return NULL;
}

static void command_usage(FILE *out, const struct command *cmd)
{
    fprintf(out, "Usage: virtbusctl %s %s\n%s.\n", cmd->name, cmd->synopsis, cmd->summary);
}

static int cmd_help(struct ctl *ctl, int argc, char **argv)
{
    const struct command *cmd;

    if (argc == 0) {
        usage(stdout);
        return CTL_EXIT_OK;
    }
    cmd = find_command(argv[0]);
    if (!cmd)
        return ctl_usage_error("unknown command '%s'", argv[0]);
    command_usage(stdout, cmd);
    return CTL_EXIT_OK;
}

/* ---- options -------------------------------------------------------------------------------- */

struct command_line {
    const char *uri;
    enum ctl_bus_kind bus_kind;
    bool help, version;
    unsigned given; /* OPT_* bits seen */
    const char *given_names[16];
};

static int parse_timeout(const char *text, double *seconds)
{
    char *end;
    double v = strtod(text, &end);

    if (end == text || *end || !(v > 0) || v > 1e9)
        return ctl_usage_error("invalid timeout '%s' (seconds, greater than 0)", text);
    *seconds = v;
    return 0;
}

static void mark(struct command_line *cl, unsigned bit, const char *name)
{
    cl->given |= bit;
    for (unsigned i = 0; i < ARRAY_SIZE(cl->given_names); i++)
        if (bit == 1u << i)
            cl->given_names[i] = name;
}

static int apply_bus(struct command_line *cl, enum ctl_bus_kind kind)
{
    if (cl->bus_kind != CTL_BUS_DEFAULT && cl->bus_kind != kind)
        return ctl_usage_error("--system and --session exclude each other");
    cl->bus_kind = kind;
    return 0;
}

static int apply_option(int c, struct command_line *cl, struct ctl_options *opt)
{
    switch (c) {
    case LONG_ALL: opt->all = true; mark(cl, OPT_ALL, "--all"); break;
    case LONG_INACTIVE: opt->inactive = true; mark(cl, OPT_INACTIVE, "--inactive"); break;
    case LONG_NAME: opt->name_only = true; mark(cl, OPT_NAME, "--name"); break;
    case LONG_UUID: opt->uuid_only = true; mark(cl, OPT_UUID, "--uuid"); break;
    case LONG_PAUSED: opt->paused = true; mark(cl, OPT_PAUSED, "--paused"); break;
    case LONG_DISABLE: opt->disable = true; mark(cl, OPT_DISABLE, "--disable"); break;
    case LONG_FOLLOW: opt->follow = true; mark(cl, OPT_FOLLOW, "--follow"); break;
    case LONG_TIMEOUT: mark(cl, OPT_TIMEOUT, "--timeout"); return parse_timeout(optarg, &opt->timeout);
    case LONG_LIVE: opt->live = true; mark(cl, OPT_LIVE, "--live"); break;
    case LONG_CONFIG: opt->config = true; mark(cl, OPT_CONFIG, "--config"); break;
    case LONG_JSON: opt->json = true; break;
    case LONG_MANAGED_SAVE: opt->managed_save = true; mark(cl, OPT_MANAGED_SAVE, "--managed-save"); break;
    case LONG_SNAPSHOTS_METADATA:
        opt->snapshots_metadata = true;
        mark(cl, OPT_SNAPSHOTS_METADATA, "--snapshots-metadata");
        break;
    case LONG_RUNNING: opt->running = true; mark(cl, OPT_RUNNING, "--running"); break;
    case LONG_USERS_FILE: opt->users_file = optarg; mark(cl, OPT_USERS_FILE, "--users-file"); break;
    case LONG_NO_PASSWORD: opt->no_password = true; mark(cl, OPT_NO_PASSWORD, "--no-password"); break;
    case LONG_COMPLETED: opt->completed = true; mark(cl, OPT_COMPLETED, "--completed"); break;
    case LONG_KEEP_COMPLETED: opt->keep_completed = true; mark(cl, OPT_KEEP_COMPLETED, "--keep-completed"); break;
    case LONG_RAWSTATS: opt->rawstats = true; mark(cl, OPT_RAWSTATS, "--rawstats"); break;
    case 'c': cl->uri = optarg; break;
    case LONG_SYSTEM: return apply_bus(cl, CTL_BUS_SYSTEM);
    case LONG_SESSION: return apply_bus(cl, CTL_BUS_SESSION);
    case 'h': cl->help = true; break;
    case LONG_VERSION: cl->version = true; break;
    default: return ctl_usage_error("unrecognized option; see 'virtbusctl --help'");
    }
    return 0;
}

static int parse_options(int argc, char **argv, struct command_line *cl, struct ctl_options *opt)
{
    int c;

    opterr = 0; /* our own one-line message instead of getopt's */
    while ((c = getopt_long(argc, argv, ":c:h", long_options, NULL)) != -1) {
        int r;

        if (c == '?')
            return ctl_usage_error("unrecognized option '%s'", argv[optind - 1]);
        if (c == ':')
            return ctl_usage_error("option '%s' needs an argument", argv[optind - 1]);
        r = apply_option(c, cl, opt);
        if (r != 0)
            return r;
    }
    return 0;
}

static int check_command(const struct command *cmd, const struct command_line *cl, int n_args,
                         const struct ctl_options *opt)
{
    unsigned rejected = cl->given & ~cmd->options;

    for (unsigned i = 0; rejected && i < ARRAY_SIZE(cl->given_names); i++)
        if (rejected & (1u << i))
            return ctl_usage_error("command '%s' does not take %s", cmd->name, cl->given_names[i]);
    if (opt->all && opt->inactive)
        return ctl_usage_error("--all and --inactive exclude each other");
    if (opt->name_only && opt->uuid_only)
        return ctl_usage_error("--name and --uuid exclude each other");
    if (n_args < cmd->min_args)
        return ctl_usage_error("command '%s' needs %s", cmd->name, cmd->synopsis);
    if (n_args > cmd->max_args)
        return ctl_usage_error("too many arguments for '%s' (usage: virtbusctl %s %s)", cmd->name, cmd->name,
                               cmd->synopsis);
    return 0;
}

/* ---- main ----------------------------------------------------------------------------------- */

static const char *default_uri(const struct command_line *cl)
{
    const char *env = getenv("VIRTBUSCTL_DEFAULT_URI");

    if (cl->uri)
        return cl->uri;
    return env && *env ? env : CTL_DEFAULT_URI;
}

static int run(const struct command *cmd, const struct command_line *cl, struct ctl *ctl, int argc, char **argv)
{
    int r;

    if (!cmd->no_bus) {
        r = ctl_open(ctl, default_uri(cl), cl->bus_kind);
        if (r != 0)
            return r;
    }
    r = cmd->run(ctl, argc, argv);
    ctl_close(ctl);
    if (fflush(stdout) != 0 || ferror(stdout))
        return ctl_error("cannot write the output");
    return r;
}

int main(int argc, char **argv)
{
    struct command_line cl = { .bus_kind = CTL_BUS_DEFAULT };
    struct ctl ctl = { 0 };
    const struct command *cmd;
    int r;

    r = parse_options(argc, argv, &cl, &ctl.opt);
    if (r != 0)
        return r;
    if (cl.version) {
        printf("virtbusctl %s\n", PACKAGE_VERSION);
        return CTL_EXIT_OK;
    }
    if (optind >= argc) {
        if (cl.help) {
            usage(stdout);
            return CTL_EXIT_OK;
        }
        return ctl_usage_error("no command given");
    }
    cmd = find_command(argv[optind]);
    if (!cmd)
        return ctl_usage_error("unknown command '%s'", argv[optind]);
    if (cl.help) {
        command_usage(stdout, cmd);
        return CTL_EXIT_OK;
    }
    r = check_command(cmd, &cl, argc - optind - 1, &ctl.opt);
    if (r != 0)
        return r;
    return run(cmd, &cl, &ctl, argc - optind - 1, argv + optind + 1);
}
