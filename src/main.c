/* osl: one multi-call program.  main() parses the global options, builds the
 * context, finds GROUP VERB in the tables (exactly, never by prefix) and maps
 * the verb's result to the exit status (man/osl.1.scd, EXIT STATUS). */
#include <fcntl.h>
#include <unistd.h>
#include <nss.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "util/sanitizer.h"

int cli_verbosity;

int cmd_help(int argc, char **argv, struct osl_ctx *ctx);
int cmd_completion(int argc, char **argv, struct osl_ctx *ctx);

/* The global options, bound: wherever they are given (cli_parse before the
 * group, cli_arrange after it), they land here. */
static struct osl_ctx_opts ctx_opts;
static bool json;
static bool version;		/* --version: print it (src/version.c) and stop */

static const struct osl_opt global_opts[] = {
	OPT_STRING_FIRST('p', "policy", &ctx_opts.policy_path, "FILE",
	    "policy file (else $OSL_POLICY, then the discovery order)", "policy"),
	OPT_BOOL('j', "json", &json, "machine output: one JSON document on stdout"),
	OPT_STRING_FIRST('l', "log", &ctx_opts.log_sink, "SINK",
	    "log sink: file:PATH, stderr, syslog, journald, none", "file: stderr syslog journald none"),
	OPT_BOOL_FIRST(0, "audit", &ctx_opts.audit,
	    "audit mode: log would-be denials, deny only explicit deny rules"),
	OPT_SET_INT('q', "quiet", &cli_verbosity, -1, "less on stderr"),
	OPT_SET_INT('v', "verbose", &cli_verbosity, 1, "more on stderr"),
	OPT_BOOL('V', "version", &version, "print the version, the build and the kernel's features"),
	OPT_END
};

static const struct osl_opt completion_opts[] = { OPT_END };
static bool help_commands;
static const struct osl_opt help_opts[] = {
	OPT_BOOL(0, "commands", &help_commands, "list every command, one per line, for scripts"),
	OPT_END
};

const struct osl_cmd osl_groups[] = {
	{ "fs", NULL, "file operations under policy", 0, NULL, NULL, osl_fs_cmds, NULL },
	{ "proc", NULL, "run sandboxed programs; list, inspect and signal processes", 0, NULL, NULL, osl_proc_cmds, NULL },
	{ "net", NULL, "resolve, connect, listen, check and wait under policy; the egress proxy", 0, NULL, NULL, osl_net_cmds, NULL },
	{ "policy", NULL, "check, show, explain and test policies", 0, NULL, NULL, osl_policy_cmds, NULL },
	{ "log", NULL, "verify and show the activity log", 0, NULL, NULL, osl_log_cmds, NULL },
	{ "supervise", cmd_supervise, "supervise a program as PID 1 or a subreaper (tini-compatible)",
	  OSL_CMD_VERBATIM | OSL_CMD_RUNS,
	  "[OPTIONS] -- CMD [ARGS...] | -c FILE [--check] | ctl [-s PATH] VERB [NAME]", osl_supervise_opts,
	  osl_supervise_cmds, "command" },
	{ "help", cmd_help, "show help for a group or verb", OSL_CMD_VERBATIM, "[--commands | GROUP [VERB]]", help_opts, NULL, "group" },
	{ "completion", cmd_completion, "print a shell completion script", OSL_CMD_VERBATIM, "bash|zsh|fish",
	  completion_opts, NULL, "bash zsh fish" },
	{ NULL }
};

/* The top level as a command, for help and completions. */
const struct osl_cmd osl_top = {
	"osl", NULL, "secure OS utilities: every operation decided by a policy and logged",
	0, "[GLOBAL OPTIONS] GROUP VERB [OPTIONS] [ARGS]", global_opts, osl_groups, NULL
};

void
cli_put_escaped(FILE *f, const char *s)
{
	for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
		if (*c >= 0x20 && *c != 0x7f)
			fputc(*c, f);
		else if (*c == '\n' || *c == '\r' || *c == '\t' || *c == 0x1b)
			fprintf(f, "\\%c", *c == '\n' ? 'n' : *c == '\r' ? 'r' : *c == '\t' ? 't' : 'e');
		else
			fprintf(f, "\\x%02x", *c);
	}
}

void
cli_stderr_line(const char *prefix, const char *s)
{
	fprintf(stderr, "%s: ", prefix);
	cli_put_escaped(stderr, s);
	fputc('\n', stderr);
}

static void
vmsg(const char *fmt, va_list ap)
{
	char *s = NULL;

	if (vasprintf(&s, fmt, ap) < 0) {
		fprintf(stderr, "%s: out of memory\n", cli_cmdpath);
		return;
	}
	cli_stderr_line(cli_cmdpath, s);
	free(s);
}

int
cli_error(const struct osl_error *e)
{
	if (!e)
		return 0;
	out_note_error(e);
	/* -q: a denial is its exit status and its record (osl(1) -q) */
	if (!(cli_verbosity < 0 && e->status == OSL_EDENIED))
		cli_stderr_line(cli_cmdpath, e->msg);
	return e->status ? e->status : 1;
}

int
cli_usage(const char *fmt, ...)
{
	char msg[OSL_ERROR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	out_note_error(osl_error_new(OSL_EINPUT, "%s", msg));
	cli_stderr_line(cli_cmdpath, msg);
	fprintf(stderr, "%s: see '%s -h'\n", cli_cmdpath, cli_cmdpath);
	return OSL_EINPUT;
}

void
cli_warn(const char *fmt, ...)
{
	va_list ap;

	if (cli_verbosity < 0)
		return;
	va_start(ap, fmt);
	vmsg(fmt, ap);
	va_end(ap);
}

static const struct osl_cmd *
find(const struct osl_cmd *table, const char *name)
{
	for (const struct osl_cmd *c = table; c && c->name; c++)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

static void
setpath(const char *a, const char *b)
{
	snprintf(cli_cmdpath, sizeof(cli_cmdpath), "osl%s%s%s%s",
	    a ? " " : "", a ? a : "", b ? " " : "", b ? b : "");
}

int
cmd_help(int argc, char **argv, struct osl_ctx *ctx)
{
	const struct osl_cmd *g, *v;
	int r;

	(void)ctx;
	if ((r = cli_parse(cli_verb, &argc, &argv)) >= 0)
		return r;
	if (help_commands) {
		/* for scripts and the tests: every command in the tables */
		for (g = osl_groups; g->name; g++) {
			if (!cli_is_group(g))
				printf("%s\n", g->name);
			for (v = cli_is_group(g) ? g->sub : NULL; v && v->name; v++)
				printf("%s %s\n", g->name, v->name);
		}
		return 0;
	}
	if (argc > 0) {
		if (!(g = find(osl_groups, argv[0])))
			return cli_usage("no such group '%s'%s", argv[0],
			    cli_did_you_mean(osl_groups, argv[0]));
		if (argc > 1 && g->sub) {
			if (!(v = find(g->sub, argv[1])))
				return cli_usage("no such verb '%s %s'%s", argv[0], argv[1],
				    cli_did_you_mean(g->sub, argv[1]));
			setpath(g->name, v->name);
			cli_help(v, cli_cmdpath);
		} else {
			setpath(g->name, NULL);
			cli_help(g, cli_cmdpath);
		}
		return 0;
	}
	cli_help(&osl_top, "osl");
	return 0;
}

/* A policy file named by -p or $OSL_POLICY that cannot be opened stops
 * every verb, even one that never reads the policy (proc ps, log verify,
 * supervise ctl): a typo is said, not run past (osl(1) EXIT STATUS).  Not
 * for help, completion and -h, nor for a verb that loads the policy first
 * itself (OSL_CMD_RUNS).  -1 to go on, else the exit status. */
static int
named_policy(const struct osl_cmd *c, int argc, char **argv, const struct osl_ctx *ctx)
{
	const struct osl_error *err;
	const char *path = ctx->opts.policy_path;

	if (c->fn == cmd_help || c->fn == cmd_completion || (c->flags & OSL_CMD_RUNS))
		return -1;
	/* cli_arrange put the options first: -h is among them */
	for (int i = 1; i < argc && argv[i][0] == '-' && strcmp(argv[i], "--"); i++)
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
			return -1;
	if (!path && (path = getenv("OSL_POLICY")) && !*path)
		path = NULL;
	if (!path || (err = osl_policy_openable(path)) == NULL)
		return -1;
	return cli_error(err);
}

/* Run VERB of GROUP with argv[0] = the verb, or the command G. */
static int
run_group(const struct osl_cmd *g, int argc, char **argv, struct osl_ctx *ctx)
{
	const struct osl_cmd *v;
	int status;

	setpath(g->name, NULL);
	if (g->fn && !(argc > 1 && (v = find(g->sub, argv[1])))) {
		cli_verb = g;
		if ((status = named_policy(g, argc, argv, ctx)) != -1)
			return status;
		return g->fn(argc, argv, ctx);
	}
	if (argc < 2)
		return cli_usage("a verb is needed: %s", "see -h");
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		cli_help(g, cli_cmdpath);
		return 0;
	}
	if (!(v = find(g->sub, argv[1])))
		return cli_usage("unknown verb '%s'%s", argv[1], cli_did_you_mean(g->sub, argv[1]));
	setpath(g->name, v->name);
	cli_verb = v;
	if ((status = named_policy(v, argc - 1, argv + 1, ctx)) != -1)
		return status;
	return v->fn(argc - 1, argv + 1, ctx);
}

static void
on_hup(int sig)
{
	(void)sig;
	osl_log_hup();
}

/* SIGHUP means "reopen the log" (logrotate), not "die": any osl that runs
 * long enough to be rotated under keeps writing to the right file. */
static void
signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_hup;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGHUP, &sa, NULL);
}

/* A static osl must not load NSS modules: glibc would dlopen the system's
 * shared ones into it, which crashes (a name that is not in /etc/passwd
 * falls through to systemd's).  Names come from the files, hosts from the
 * files and DNS, as in a container.  A dynamic build keeps nsswitch.conf. */
static void
nss_builtin_only(void)
{
#ifdef OSL_STATIC
	static const char *const files[] = { "passwd", "group", "initgroups", "shadow", "gshadow",
	    "services", "protocols", "networks", "ethers", "rpc", "aliases", "netgroup",
	    "publickey" };

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		__nss_configure_lookup(files[i], "files");
	__nss_configure_lookup("hosts", "files dns");
#endif
}


/* A sanitizer build's leak check stops every thread with ptrace, which a
 * traced process cannot (osl policy learn traces the osl it runs): there it
 * ends without the check, as LeakSanitizer cannot run under a tracer. */
static bool
traced(void)
{
	char buf[4096], *t;
	ssize_t n;
	int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	return (t = strstr(buf, "TracerPid:")) && strtol(t + 10, NULL, 10) != 0;
}

static int osl_main(int argc, char **argv);

int
main(int argc, char **argv)
{
	int status = osl_main(argc, argv);

	if (OSL_SANITIZED && traced()) {
		fflush(NULL);
		_exit(status);
	}
	return status;
}

static int
osl_main(int argc, char **argv)
{
	struct osl_ctx ctx;
	const struct osl_cmd *grp;
	const char *base;
	int status;

	nss_builtin_only();
	ctx_opts.argc = argc;
	ctx_opts.argv = argv;
	base = strrchr(argv[0], '/');
	base = base ? base + 1 : argv[0];

	/* busybox style: osl-fs stat ... is osl fs stat ... */
	if (!(strncmp(base, "osl-", 4) == 0 && (grp = find(osl_groups, base + 4)) &&
	    (cli_is_group(grp) || grp->fn == cmd_supervise))) {
		if ((status = cli_parse(&osl_top, &argc, &argv)) >= 0)
			return out_finish(status);
		if (version) {
			out_init(json);
			cli_version();
			return out_finish(0);
		}
		if (argc < 1) {
			cli_usage("a group is needed (fs, proc, net, supervise, policy, log, help)");
			return OSL_EINPUT;
		}
		if (!(grp = find(osl_groups, argv[0]))) {
			cli_usage("unknown group '%s'%s", argv[0], cli_did_you_mean(osl_groups, argv[0]));
			return OSL_EINPUT;
		}
	}
	/* global options after the group and the verb, options after operands */
	if ((status = cli_arrange(grp, global_opts, &argc, &argv)) != -1)
		return out_finish(status);
	out_init(json);
	if (version) {
		cli_version();
		return out_finish(0);
	}
	signals();
	osl_ctx_init(&ctx, &ctx_opts);
	status = run_group(grp, argc, argv, &ctx);
	osl_ctx_release(&ctx);
	cli_arrange_release();
	return out_finish(status);
}
