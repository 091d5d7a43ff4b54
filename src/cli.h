/* The program shell: command tables, option parsing, help, output, errors.
 * Everything a `cmd_<group>_<verb>()` needs from src/. */
#ifndef OSL_CLI_H
#define OSL_CLI_H

#include <stdbool.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "ctx.h"
#include "error.h"

struct osl_opt;
/* An option's own parser (OPT_CALLBACK): -1 to go on, CLI_OPT_END to end
 * the options here, else the exit status (after a message). */
typedef int cli_opt_fn(const struct osl_opt *o, const char *arg);
#define CLI_OPT_END (-2)

enum osl_opt_type {
	OSL_OPT_BOOL = 1,	/* *var.b = set */
	OSL_OPT_INT,		/* *var.i = set */
	OSL_OPT_STRING,		/* *var.s = the argument (the last one given) */
	OSL_OPT_DURATION,	/* *var.ns = the argument as a duration ("250ms"), >= min */
	OSL_OPT_UINT,		/* *var.u = the argument, a number in [min, max] */
	OSL_OPT_CHOICE,		/* *var.i = the index of the argument among complete's words */
	OSL_OPT_CALLBACK,	/* fn(o, arg); var.p is the callback's to use */
};

/* One option of a verb, bound to its variable: the parser, -h, the
 * completions and the man-page check all read this row. */
struct osl_opt {
	char letter;		/* short option; 0 for a long-only one */
	const char *name;	/* long name without "--"; NULL for a short-only one */
	const char *arg;	/* argument's name ("MODE"), NULL for a flag */
	const char *help;
	const char *complete;	/* completion of the argument: "file", "dir", "policy" (a file or
				 * builtin:NAME), "action", or a list "a b c" */
	enum osl_opt_type type;
	union {
		bool *b;
		int *i;
		const char **s;
		uint64_t *ns;
		unsigned *u;
		void *p;
	} var;			/* NULL: accepted and ignored (tini's -g) */
	int set;		/* BOOL, INT: the value set */
	uint64_t min, max;	/* DURATION: min; UINT: the range */
	cli_opt_fn *fn;		/* CALLBACK */
	/* A global option that decides what is allowed or recorded (--policy,
	 * --log, --audit): taken only before the verb, where no shell glob of
	 * the verb's operands reaches (a file named --audit) */
	bool before_verb;
};

/* The rows, git-style: OPT_BOOL('r', "recursive", &recursive, "help").  A
 * long-only option has 0 for its letter, a short-only one NULL for its
 * name.  The compiler checks each variable's type. */
#define OPT_BOOL(l, n, v, h) \
	{ .letter = (l), .name = (n), .help = (h), .type = OSL_OPT_BOOL, .var.b = (v), .set = 1 }
#define OPT_CLEAR(l, n, v, h) \
	{ .letter = (l), .name = (n), .help = (h), .type = OSL_OPT_BOOL, .var.b = (v), .set = 0 }
#define OPT_SET_INT(l, n, v, x, h) \
	{ .letter = (l), .name = (n), .help = (h), .type = OSL_OPT_INT, .var.i = (v), .set = (x) }
#define OPT_STRING(l, n, v, a, h, c) \
	{ .letter = (l), .name = (n), .arg = (a), .help = (h), .complete = (c), \
	  .type = OSL_OPT_STRING, .var.s = (v) }
/* the global options taken only before the verb (osl_opt.before_verb) */
#define OPT_STRING_FIRST(l, n, v, a, h, c) \
	{ .letter = (l), .name = (n), .arg = (a), .help = (h), .complete = (c), \
	  .type = OSL_OPT_STRING, .var.s = (v), .before_verb = true }
#define OPT_BOOL_FIRST(l, n, v, h) \
	{ .letter = (l), .name = (n), .help = (h), .type = OSL_OPT_BOOL, .var.b = (v), .set = 1, \
	  .before_verb = true }
/* a duration ("D" in -h); MN 1: more than 0, MN 0: 0 too */
#define OPT_DURATION(l, n, v, mn, h) \
	{ .letter = (l), .name = (n), .arg = "D", .help = (h), .type = OSL_OPT_DURATION, \
	  .var.ns = (v), .min = (mn) }
#define OPT_UINT(l, n, v, mn, mx, a, h) \
	{ .letter = (l), .name = (n), .arg = (a), .help = (h), .type = OSL_OPT_UINT, \
	  .var.u = (v), .min = (mn), .max = (mx) }
/* one of the words W ("no on-failure always"): *V is its index */
#define OPT_CHOICE(l, n, v, a, h, w) \
	{ .letter = (l), .name = (n), .arg = (a), .help = (h), .complete = (w), \
	  .type = OSL_OPT_CHOICE, .var.i = (v) }
/* A is NULL for an option without an argument */
#define OPT_CALLBACK(l, n, v, a, h, c, f) \
	{ .letter = (l), .name = (n), .arg = (a), .help = (h), .complete = (c), \
	  .type = OSL_OPT_CALLBACK, .var.p = (v), .fn = (f) }
#define OPT_END { 0 }
#define OPT_EACH(o, opts) for (const struct osl_opt *o = (opts); o && (o->letter || o->name); o++)

struct osl_cmd;
typedef int osl_cmd_fn(int argc, char **argv, struct osl_ctx *ctx);

enum {
	/* the first operand starts a child's command line: nothing from
	 * there on is an option of osl (proc run make -j4); cli_arrange */
	OSL_CMD_VERBATIM = 1u << 0,
	/* runs a command whose exit status becomes osl's: it loads the
	 * policy itself, first, and a policy that cannot be loaded is 125
	 * (osl(1) EXIT STATUS), not main's 2 for a named policy file that
	 * cannot be opened */
	OSL_CMD_RUNS = 1u << 1,
};

struct osl_cmd {
	const char *name;
	osl_cmd_fn *fn;			/* NULL for a group */
	const char *summary;		/* one line for help and completions */
	unsigned flags;			/* OSL_CMD_* */
	const char *usage;		/* operands, e.g. "[OPTIONS] PATH..." */
	const struct osl_opt *opts;	/* verb options (terminated by {0}), -h is implicit */
	const struct osl_cmd *sub;	/* a group's verbs (terminated by {NULL}); for a
					 * command (fn), verbs its first word may name
					 * (supervise ctl) */
	const char *operands;		/* completion of operands: "file", "dir", "action", "none",
					 * "command" (a command name, then files), or a list */
};

extern const struct osl_cmd osl_groups[];	/* the top-level table (src/main.c) */

/* The groups' tables (cmd/<group>.c). */
extern const struct osl_cmd osl_fs_cmds[];
extern const struct osl_cmd osl_policy_cmds[];
extern const struct osl_cmd osl_log_cmds[];
extern const struct osl_cmd osl_proc_cmds[];
extern const struct osl_cmd osl_net_cmds[];
/* supervise is a command, not a group of verbs, with a verb of its own:
 * ctl (cmd/supervise.c) */
osl_cmd_fn cmd_supervise;
extern const struct osl_opt osl_supervise_opts[];
extern const struct osl_cmd osl_supervise_cmds[];
/* A group of verbs (fs), not a command (supervise, help). */
static inline bool
cli_is_group(const struct osl_cmd *c)
{
	return c->sub && !c->fn;
}

/* --- options (src/opt.c) --- */
#define OSL_OPT_MAX 40	/* options of one verb */
/* GNU argument order for GROUP (ARGV[0]) and its verb: global options
 * (GLOBALS) between the group and the verb and among the verb's arguments
 * are applied (cli_opt_apply); the verb's options that follow operands are
 * moved before them, until `--`.  For a command with verbs of its own
 * (supervise ctl), a first word that names one is the verb.  A verb's own option wins over a global one of the
 * same name (fs ls -l).  OSL_CMD_VERBATIM verbs keep everything from their
 * first operand on.  ARGC/ARGV are replaced; -1 to go on, else the exit
 * status. */
int cli_arrange(const struct osl_cmd *group, const struct osl_opt *globals, int *argc, char ***argv);
/* Free what cli_arrange made (at the end of main). */
void cli_arrange_release(void);
/* "; did you mean 'stat'?" when a name of TABLE (or a word of WORDS, space
 * separated) is one typo or two from NAME, else "".  A static buffer. */
const char *cli_did_you_mean(const struct osl_cmd *table, const char *name);
const char *cli_did_you_mean_words(const char *words, const char *name);
/* Is NAME one of the space-separated WORDS? */
bool cli_word_in(const char *words, const char *name);
/* The verb being run (set by main before its function is called). */
extern const struct osl_cmd *cli_verb;
/* Parse CMD's options (ARGV[0] is the verb) into their variables: -1 to go
 * on with ARGC and ARGV at the first operand, else the exit status (0
 * after -h, 2 after a usage error). */
int cli_parse(const struct osl_cmd *cmd, int *argc, char ***argv);
/* Apply option O with its argument ARG (NULL for a flag) to its variable:
 * -1 to go on, CLI_OPT_END, or an exit status after a message. */
int cli_opt_apply(const struct osl_opt *o, const char *arg);
/* "--name", or "-c" for a short-only option.  A static buffer. */
const char *cli_opt_name(const struct osl_opt *o);
/* Print a command's help (usage, summary, options, verbs) to stdout. */
void cli_help(const struct osl_cmd *cmd, const char *path);
/* "osl fs stat", for messages. */
extern char cli_cmdpath[128];

/* --- messages (src/main.c) --- */
/* "osl fs stat: <msg>" on stderr; returns E->status. */
int cli_error(const struct osl_error *e);
int cli_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));	/* exit 2 */
/* The one wording of a duration option's bad argument (exit 2). */
int cli_bad_duration(const char *arg);
void cli_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "PREFIX: S" and a newline on stderr, S's control bytes written as \n,
 * \r, \t, \e or \xHH: a file name of a workspace someone else wrote
 * (ESC [2K, a newline) cannot erase or forge a line of osl's. */
void cli_stderr_line(const char *prefix, const char *s);
/* S to F with its control bytes escaped so (a record's message in osl log
 * show, which holds file names). */
void cli_put_escaped(FILE *f, const char *s);
extern int cli_verbosity;	/* -q: -1, default 0, -v: 1 */

/* osl --version (src/version.c): build and kernel features, text or -j */
void cli_version(void);

/* --- output: text and JSON from one code path (src/out.c) --- */
void out_init(bool json);
bool out_is_json(void);
void out_obj_open(const char *key);	/* key NULL inside an array or at the top */
void out_obj_close(void);
void out_arr_open(const char *key);
void out_arr_close(void);
/* In text mode FMT (printf, one conversion) is printed when not NULL; in JSON
 * mode the value goes in under KEY. */
void out_str(const char *key, const char *fmt, const char *val);
void out_u64(const char *key, const char *fmt, uint64_t val);
void out_i64(const char *key, const char *fmt, int64_t val);
void out_bool(const char *key, const char *fmt, bool val);
void out_null(const char *key);
/* JSON only: add ITEM (ownership taken); nothing in text mode (deleted). */
void out_json_item(const char *key, cJSON *item);
/* JSON only: "error": {"code", "message"} and, for a denial, "rule":
 * {"id", "where"} into the open object (osl(1), JSON OUTPUT). */
void out_error(const struct osl_error *e);
/* The same into O, a JSON object of the caller's. */
void out_error_into(cJSON *o, const struct osl_error *e);
/* A failed operand: its message on stderr (cli_error) and, in JSON, the
 * entry {KEY: OPERAND, "error": ..., "rule": ...}.  Returns E's status. */
int out_fail(const char *key, const char *operand, const struct osl_error *e);
/* Keep E for out_finish: a verb that printed no document gets {"error": E}
 * (cli_error and cli_usage call it). */
void out_note_error(const struct osl_error *e);
/* Text only. */
void out_text(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Print the JSON document (if any), then make sure stdout really got
 * everything (fflush, ferror, fclose); returns STATUS or 1 on a write error. */
int out_finish(int status);
/* A file name (bytes) for a terminal or a script: printable names as is,
 * others quoted $'...' with escapes (as GNU ls does).  Returns BUF. */
const char *out_quote(const char *name, char *buf, size_t size);

#endif
