/* cmd.h — the command table: one entry per subcommand, each in src/cmd-<name>.c */
#ifndef WEARGATE_CMD_H
#define WEARGATE_CMD_H

#include <getopt.h>
#include <stdint.h>

#include "blockdev.h"
#include "config.h"
#include "drivedb.h"
#include "history.h"
#include "store.h"
#include "throttle.h"

/* What a command needs set up before it runs; cmd_ready() does it, after the arguments are checked. */
enum {
	CMD_NEEDS_CONFIG = 1 << 0,
	CMD_NEEDS_STORE = 1 << 1, /* writable, created when missing; implies the config */
	CMD_READS_STORE = 1 << 2, /* read-only, never created; implies the config */
	/* writable when this user may write it, read-only when not (an unprivileged gate); implies the config */
	CMD_WANTS_STORE = 1 << 3,
};

/*
 * One option of a command, declared once: cmd_parse_options() parses by it, the help lists it
 * and `weargate completion` offers it. A table ends with an entry whose name is NULL; -h, --help
 * is every command's and is in none.
 */
struct cmd_option {
	const char *name; /* the long name, without "--" */
	char short_name;  /* its letter, 0 when it has none */
	/* what it takes, as the help names it (a FILE is completed as a file name); NULL for a flag */
	const char *arg;
	const char *values; /* the values it takes, blank-separated, for the completions; NULL for any */
	/*
	 * For the help, one line per line. Up to its first ": " or "; " outside parentheses it says
	 * what the option is on its own: that is what the completions show.
	 */
	const char *help;
	int id; /* what the command's callback is given: any number but 0 */
	/*
	 * The options of one table that name the same group are alternatives, which the usage
	 * shows as [--a | --b]: once one is on the line the zsh completion offers none of them.
	 * The parser does not check it: each command says what two of them mean (history refuses
	 * two views, the later of --format and --json wins, weargate refuses -q with -v).
	 */
	const char *group;
	bool ends_line; /* -h, -V: weargate answers it and reads no further, so nothing is completed after it */
};

/* -h, --help: every command's, and in no table; the parser, the help and the completions add it. */
extern const struct cmd_option cmd_help_option;

/* What a command's operands are: cmd_parse_options() checks the count of some, the completions offer them. */
enum cmd_operands {
	CMD_OPERANDS_NONE,  /* none: "unexpected argument" */
	CMD_OPERANDS_JOB,   /* one job: "which job?" */
	CMD_OPERANDS_JOBS,  /* any number of jobs */
	CMD_OPERANDS_DRIVES, /* any number of drives */
	/* a job, then a command line whose options are its own: the options end at the job (exec) */
	CMD_OPERANDS_JOB_COMMAND,
	CMD_OPERANDS_WORD,       /* one of the entry's words, checked by the command */
	CMD_OPERANDS_WORD_FILES, /* one of the entry's words, then files, checked by the command */
	CMD_OPERANDS_COMMAND,    /* a command's name (help) */
};

struct cmd_program;

struct cmd_ctx {
	const struct cmd_entry *entry;
	const struct cmd_program *program; /* the commands and the global options, for `weargate completion` */
	const char *config_path;
	struct config *config;
	struct store *store;
	/* smartmontools' drive database, for the commands that record readings (CMD_NEEDS_STORE); NULL otherwise */
	struct drivedb_source *drivedb;
	bool store_writable;
	/* why a CMD_WANTS_STORE history could not be opened for writing, when not for this user's permissions */
	struct wg_err store_unwritable;
	int64_t now;            /* the clock, read once: WEARGATE_NOW in tests */
	const char *sysfs_root; /* WEARGATE_SYSFS_ROOT in tests, else "/sys" */
	struct blockdev_env env; /* that sysfs, and WEARGATE_MOUNTINFO in tests, else /proc/self/mountinfo */
	/* cgroups and systemd for throttling: WEARGATE_CGROUP_ROOT and WEARGATE_SYSTEMD_DIR in tests */
	struct throttle_env throttle_env;
	bool quiet;   /* -q: only what went wrong, and the commands' data */
	bool verbose; /* -v: also each drive's facts behind a verdict, and the watchdog's looks */
};

struct cmd_entry {
	const char *name;
	const char *usage;   /* arguments after the name */
	const char *summary; /* one line for `weargate --help` */
	/* `weargate help NAME`: what it does, then the options from the table, then its exit status */
	const char *help;
	const struct cmd_option *options;
	const char *exit_status;
	enum cmd_operands operands;
	const char *words; /* CMD_OPERANDS_WORD and _WORD_FILES: the first operand's, blank-separated */
	unsigned flags;
	/* argv[0] is the command name; returns the exit code. */
	int (*exec)(struct cmd_ctx *ctx, int argc, char **argv);
};

/* What main.c has, which `weargate completion` describes. */
struct cmd_program {
	const struct cmd_entry *const *commands;
	size_t n_commands;
	const struct cmd_entry *help;     /* `weargate help`, which main.c answers itself */
	const struct cmd_option *options; /* the global ones */
};

extern const struct cmd_entry cmd_check_config_entry;
extern const struct cmd_entry cmd_completion_entry;
extern const struct cmd_entry cmd_done_entry;
extern const struct cmd_entry cmd_exec_entry;
extern const struct cmd_entry cmd_export_entry;
extern const struct cmd_entry cmd_gate_entry;
extern const struct cmd_entry cmd_history_entry;
extern const struct cmd_entry cmd_import_entry;
extern const struct cmd_entry cmd_prune_entry;
extern const struct cmd_entry cmd_report_entry;
extern const struct cmd_entry cmd_run_entry;
extern const struct cmd_entry cmd_sample_entry;
extern const struct cmd_entry cmd_status_entry;

/*
 * Read the clock, load the config and open the store as the entry's flags say; returns 0 or
 * the exit code to use (its message printed). A command that checks its arguments against the
 * config before touching the store calls cmd_load_config() first. A writable store
 * (CMD_NEEDS_STORE) gets the drive database, read when a drive must be matched in it;
 * cmd_ctx_release() warns when it could not be used.
 */
int cmd_ready(struct cmd_ctx *ctx);
int cmd_load_config(struct cmd_ctx *ctx);
void cmd_ctx_release(struct cmd_ctx *ctx);

/* "weargate: MSG" on stderr. */
void cmd_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* From now on, each MSG cmd_error() says is also kept in *lines (a strv), for a command's JSON; NULL stops. */
void cmd_error_capture(char ***lines);
/* A usage error: the message, then "usage: weargate NAME USAGE"; returns WG_EXIT_USAGE. */
int cmd_usage_error(const struct cmd_entry *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void cmd_print_help(const struct cmd_entry *e, FILE *f);
/* The "Options:" lines of TABLE, then of EXTRA (NULL or one option), the texts in one column. */
void cmd_print_options(FILE *f, const struct cmd_option *table, const struct cmd_option *extra);

/* The most options a table has: cmd_getopt_args() fills arrays of this size, plus one. */
#define CMD_OPTIONS_MAX 24
/*
 * getopt_long()'s arguments for TABLE and EXTRA (NULL or one option): LEAD ("+:", ":") then
 * each short letter, with ':' when it takes a value; a long option gives its letter back, or
 * CMD_OPTION_LONG + its index (EXTRA's is the table's length). -E2BIG for a table too long.
 */
#define CMD_OPTION_LONG 0x100
int cmd_getopt_args(const struct cmd_option *table, const struct cmd_option *extra, const char *lead,
		    char shortopts[2 * CMD_OPTIONS_MAX + 4], struct option longopts[CMD_OPTIONS_MAX + 1]);

/* A command's option: ID from its cmd_option, ARG its value or NULL. 0, or the exit code (its message said). */
typedef int cmd_option_fn(struct cmd_ctx *ctx, void *state, int id, const char *arg);
/*
 * Parse the options of ctx->entry's command in argv (argv[0] its name; optind reset), each
 * given to FN with STATE (FN NULL for a command whose only option is --help); -h, --help prints
 * the help. Then the count of operands is checked,
 * where the entry's operands say (none, one job, a job and a command). Returns false when the
 * command goes on, its operands from argv[optind]; true when it ends here, *ret_exit its exit
 * code: 0 after the help, else that of the error said.
 */
bool cmd_parse_options(struct cmd_ctx *ctx, int argc, char **argv, cmd_option_fn *fn, void *state, int *ret_exit);

/*
 * What the history holds stamped later than now (a clock that was set ahead), one line of
 * warning per kind (passes, job runs, decisions); *ret_lines NULL when nothing.
 */
int cmd_ahead_warnings(struct cmd_ctx *ctx, char ***ret_lines, struct wg_err *err);

/* SIGTERM and SIGINT ask the runner to stop its job (recorded as interrupted); SIGHUP is ignored. */
void cmd_stop_signals(void);

/* An --output whose directory is missing is a usage error, said before anything is read; returns 0 or WG_EXIT_USAGE. */
int cmd_check_output_dir(const struct cmd_entry *e, const char *path);
/* OPTION's value ARG, a duration back from now or a date, into *ret; else the usage error's exit status. */
int cmd_parse_when(const struct cmd_entry *e, const char *option, const char *arg, int64_t now, int64_t *ret);

/*
 * Parse `weargate history`'s options and DRIVE names (cmd-history.c; argv[0] is the command
 * name; optind must be reset), check the names against the configuration, which it loads, and
 * --since and --until against ctx->now. 0 when the query may run (or ret->help), else the exit
 * code, its message printed.
 */
int cmd_history_args(struct cmd_ctx *ctx, int argc, char **argv, struct history_args *ret);

/* For getopt_long's '?' and ':' (opterr is off): names the option; returns WG_EXIT_USAGE. */
int cmd_option_error(const struct cmd_entry *e, int c, char **argv);

#endif
