/* osl supervise: a supervisor for OS processes with Erlang/OTP's semantics
 * (lib/supervise/tree.c), and a drop-in for tini as a container's PID 1.
 *
 *     osl supervise [--restart no|on-failure|always] [...] -- CMD [ARGS...]
 *
 * One child is a one-child tree: its restart type comes from --restart,
 * --max-restarts and --period are the root's intensity, and the child is
 * significant unless it is always restarted, so its end ends osl. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "op.h"
#include "supervise/config.h"
#include "supervise/peer.h"
#include "supervise/ctl.h"
#include "supervise/reload.h"
#include "supervise/runner.h"
#include "supervise/tree.h"
#include "proc/proc.h"
#include "util/parse.h"

extern char **environ;

/* osl supervise's options, bound in osl_supervise_opts (defaults here) */
struct sv_opts {
	int restart;			/* R_*: the order of --restart's words */
	unsigned max_restarts;
	uint64_t period_ns, grace_ns, stop_ns;
	const char *config, *socket;
	bool check, warn_reap, require_full;
	uint64_t success[4];		/* -e: a bit a code */
};
enum { R_NO, R_ON_FAILURE, R_ALWAYS };
static struct sv_opts sv_opt = { .restart = R_NO, .max_restarts = 3, .period_ns = 5000000000ULL,
	.grace_ns = 5000000000ULL, .stop_ns = 10000000000ULL };

/* -s PATH; tini's -s (its subreaper flag: osl always is one) ends the
 * options when followed by -- */
static int
socket_opt(const struct osl_opt *o, const char *arg)
{
	(void)o;
	if (!strcmp(arg, "--"))
		return CLI_OPT_END;
	sv_opt.socket = arg;
	return -1;
}

static int
exit_success_opt(const struct osl_opt *o, const char *arg)
{
	uint64_t n;

	if (!osl_parse_uint(arg, 255, &n))
		return cli_usage("'%s': %s is an exit code (0 to 255)", arg, cli_opt_name(o));
	sv_opt.success[n / 64] |= 1ULL << (n % 64);
	return -1;
}

/* as tini -p: osl itself gets it, and passes it on as any other */
static int
pdeathsig_opt(const struct osl_opt *o, const char *arg)
{
	int sig;

	if (!(sig = osl_parse_signal(arg)))
		return cli_usage("'%s': %s: unknown signal (" OSL_SIGNAL_WORDS ")", arg,
		    cli_opt_name(o));
	if (prctl(PR_SET_PDEATHSIG, sig) == -1)
		return cli_error(osl_error_sys(OSL_ESETUP, errno, "pdeathsig"));
	return -1;
}

const struct osl_opt osl_supervise_opts[] = {
	OPT_CHOICE('r', "restart", &sv_opt.restart, "WHEN", "restart the child: no (default), on-failure, always",
	    "no on-failure always"),
	OPT_UINT(0, "max-restarts", &sv_opt.max_restarts, 0, 100000, "N",
	    "give up after more than N restarts in a period (default 3)"),
	OPT_DURATION(0, "period", &sv_opt.period_ns, 1, "the window of --max-restarts (default 5s)"),
	OPT_DURATION(0, "grace", &sv_opt.grace_ns, 0,
	    "leftovers of the child's group: TERM, then KILL after D (default 5s)"),
	OPT_DURATION(0, "stop-timeout", &sv_opt.stop_ns, 0,
	    "on SIGTERM/SIGINT: KILL the child D after passing it on (default 10s)"),
	OPT_STRING('c', "config", &sv_opt.config, "FILE",
	    "run the supervision tree of FILE (with a control socket)", "file"),
	OPT_BOOL(0, "check", &sv_opt.check,
	    "with -c: only validate FILE (exit 0 or 2) and show each child's enforcement report"),
	OPT_BOOL(0, "require-full", &sv_opt.require_full,
	    "with -c: refuse (exit 125) unless every child's sandbox is held in full"),
	OPT_CALLBACK('s', "socket", NULL, "PATH",
	    "the control socket (default $XDG_RUNTIME_DIR/osl/supervise.sock)", "file", socket_opt),
	OPT_CALLBACK('e', "exit-success", NULL, "CODE",
	    "the child's exit CODE counts as 0 (tini -e; repeatable)", NULL, exit_success_opt),
	OPT_BOOL('w', "warn-reap", &sv_opt.warn_reap, "a line on stderr for each orphan reaped (tini -w)"),
	OPT_SET_INT('v', "verbose", &cli_verbosity, 1, "more on stderr (tini -v; as osl -v)"),
	OPT_CALLBACK(0, "pdeathsig", NULL, "SIGNAL", "osl gets SIGNAL when its parent dies (tini -p)",
	    NULL, pdeathsig_opt),
	OPT_BOOL('g', "group", NULL, "tini -g: signals go to the child's process group (always so)"),
	OPT_END
};

static const char *ctl_socket, *ctl_config;
static const struct osl_opt ctl_opts[] = {
	OPT_STRING('s', "socket", &ctl_socket, "PATH",
	    "the control socket (default $XDG_RUNTIME_DIR/osl/supervise.sock)", "file"),
	OPT_STRING('c', "config", &ctl_config, "FILE",
	    "the control socket of the tree file FILE (control.socket)", "file"),
	OPT_END
};

static int cmd_supervise_ctl(int argc, char **argv, struct osl_ctx *ctx);

/* supervise's verbs: a first word that names one is the verb, not a
 * program (a program named ctl is `-- ctl`) */
const struct osl_cmd osl_supervise_cmds[] = {
	{ "ctl", cmd_supervise_ctl, "talk to a running supervisor: status, start, stop, restart, delete, "
	  "signal, reload, shutdown, metrics", 0,
	  "[--socket PATH | -c FILE] status|metrics|reload|shutdown|start NAME|stop NAME|restart NAME|SET|"
	  "delete NAME|signal NAME SIG", ctl_opts, NULL,
	  "status start stop restart delete signal reload shutdown metrics" },
	{ NULL }
};

/* "${XDG_RUNTIME_DIR}/x" as the environment has it; unset is empty. */
static void
expand(const char *in, char *out, size_t size)
{
	size_t n = 0;

	while (*in && n + 1 < size) {
		const char *e;

		if (in[0] == '$' && in[1] == '{' && (e = strchr(in, '}'))) {
			char name[128];
			const char *v;

			snprintf(name, sizeof(name), "%.*s", (int)(e - in - 2), in + 2);
			for (v = getenv(name); v && *v && n + 1 < size; v++)
				out[n++] = *v;
			in = e + 1;
			continue;
		}
		out[n++] = *in++;
	}
	out[n] = '\0';
}

/* The policy (-p, $OSL_POLICY, discovery) and, for a run, the activity
 * log, before anything starts: one that cannot be loaded or opened is 125,
 * as for proc run (osl(1) EXIT STATUS), not a start of each child that
 * fails on it; with --check (CHECK) only the policy, and the error's own
 * status.  -1 to go on. */
static int
policy_first(struct osl_ctx *ctx, bool check)
{
	const struct osl_error *err;
	struct osl_policy *p;
	struct osl_log *log;
	int status;

	if ((err = osl_ctx_policy(ctx, &p)) == NULL && (check ||
	    (err = osl_ctx_log(ctx, &log)) == NULL))
		return -1;
	status = cli_error(err);
	return check ? status : OSL_ESETUP;
}

/* The runner's lines for a person (runner.h). */
static void
say_stderr(const char *line)
{
	cli_stderr_line("osl supervise", line);
}

/* The log this supervisor writes (-l, else its policy's), which its
 * sandboxed children must not see (osl_sv_config_load).  A policy that
 * does not load is said by policy_first. */
static const char *
own_sink(struct osl_ctx *ctx)
{
	struct osl_policy *p;

	if (ctx->opts.log_sink)
		return ctx->opts.log_sink;
	return osl_ctx_policy(ctx, &p) ? NULL : p->log.sink;
}

/* Whether the folder of socket PATH is there. */
static bool
folder_exists(const char *path)
{
	char dir[PATH_MAX], *slash;
	struct stat st;

	snprintf(dir, sizeof(dir), "%s", path);
	if ((slash = strrchr(dir, '/')))
		*slash = '\0';
	return !slash || slash == dir || (stat(dir, &st) == 0 && S_ISDIR(st.st_mode));
}

/* Each sandboxed child's enforcement report, as proc run --dry-run's
 * (osl-supervise(8), --check): in JSON an object by name, in text the
 * level and the entries that are not full. */
static void
child_reports(const struct osl_sv_config *c)
{
	out_obj_open("enforcement");
	for (size_t i = 0; i < c->tree.n; i++) {
		const struct osl_sandbox_report *r = &c->child[i].sb.report;
		const char *name = c->tree.nodes[i].spec.name;
		cJSON *j;

		if (c->tree.nodes[i].spec.supervisor || !c->child[i].policy)
			continue;
		if (out_is_json()) {
			if ((j = osl_report_json(r)))
				out_json_item(name, j);
			continue;
		}
		out_text("%s: enforcement %s\n", name, osl_report_full(r) ? "full" : "partial");
		for (size_t k = 0; k < r->n; k++)
			if (r->entries[k].level != OSL_ENF_FULL)
				out_text("  %-8s %-12s %s: %s\n", osl_enf_level_name(r->entries[k].level),
				    r->entries[k].kind, r->entries[k].pattern ? r->entries[k].pattern :
				    r->entries[k].name ? r->entries[k].name : "-", r->entries[k].reason);
	}
	out_obj_close();
}

static int
run_tree(struct osl_ctx *ctx, const struct sv_opts *so)
{
	const struct osl_error *err;
	struct osl_sv_runner r = { 0 };
	struct osl_sv_reload rl = { 0 };
	struct osl_sv_config c;
	char sock[108];
	const char *first = "";
	size_t kids_bad;
	int status;

	/* the log first: the children's sandboxes, prepared as the file is
	 * read, hide its folder, which must be there to be hidden */
	if ((status = policy_first(ctx, so->check)) != -1)
		return status;
	rl.log_sink = own_sink(ctx);
	if ((err = osl_sv_config_load(&c, so->config, environ, &ctx->env, rl.log_sink))) {
		status = cli_error(err);
		goto done;
	}
	if (so->socket)
		snprintf(sock, sizeof(sock), "%s", so->socket);
	else if (c.socket)
		expand(c.socket, sock, sizeof(sock));
	else
		osl_sv_ctl_default_path(sock, sizeof(sock));
	r.child = c.child;
	r.socket_path = sock;
	r.control_tree = c.control_tree;
	/* the report's control-socket line, before it is shown or required:
	 * its folder is made first (the run makes it anyway); --check makes
	 * nothing, and leaves the line out while there is no folder */
	if (!so->check && (err = osl_sv_ctl_dir(sock, true))) {
		status = cli_error(err) == OSL_EFAIL ? OSL_ESETUP : err->status;
		goto done;
	}
	if (!so->check || folder_exists(sock))
		for (size_t i = 0; i < c.tree.n; i++)
			osl_sv_peer_hide(&r, i);
	if (so->check) {
		size_t kids = 0;

		/* what the run would refuse, --check refuses */
		if ((err = osl_sv_ctl_dir(sock, false))) {
			status = cli_error(err);
			goto done;
		}

		for (size_t i = 0; i < c.tree.n; i++)
			kids += !c.tree.nodes[i].spec.supervisor;
		out_obj_open(NULL);
		out_str("file", "%s: ", so->config);
		out_bool("ok", "ok", true);
		out_u64("children", " (%llu children", kids);
		out_u64("supervisors", ", %llu supervisors)\n", c.tree.n - kids);
		child_reports(&c);
		out_obj_close();
		status = so->require_full && osl_sv_config_not_full(&c, &first) ? OSL_ESETUP : 0;
		goto done;
	}
	if (so->require_full && (kids_bad = osl_sv_config_not_full(&c, &first))) {
		status = cli_error(osl_error_new(OSL_ESETUP, "--require-full: %zu child%s not "
		    "held in full (%s; see --check)", kids_bad, kids_bad == 1 ? " is" : "ren are",
		    first));
		goto done;
	}
	r.tree = &c.tree;
	r.exec = c.exec;
	r.ctx = ctx;
	r.grace_ns = so->grace_ns;
	r.metrics_addr = c.metrics;
	r.say = cli_verbosity >= 0 ? say_stderr : NULL;
	r.warn_reap = so->warn_reap;
	memcpy(r.success, so->success, sizeof(r.success));
	rl.live = &c;
	rl.path = so->config;
	rl.environ_ = environ;
	rl.penv = &ctx->env;
	rl.require_full = so->require_full;
	r.reload = &rl;
	if ((err = osl_sv_run(&r, &status)))
		status = cli_error(err) == OSL_EFAIL ? OSL_ESETUP : err->status;
	osl_sv_reload_release(&rl);
done:
	osl_sv_config_free(&c);
	return status;
}

/* ----------------------------------------------------------------- ctl --- */

/* The operands of ctl VERB (ARGV[0]), as osl-supervise(8) CONTROL lists
 * them: a missing or extra one is a usage error here (2), not a request the
 * supervisor refuses.  -1 to go on. */
static int
ctl_arity(int argc, char **argv)
{
	static const char *const one[] = { "start", "stop", "restart", "delete", NULL };
	int want = 0;

	for (size_t i = 0; one[i]; i++)
		want = strcmp(argv[0], one[i]) ? want : 1;
	if (strcmp(argv[0], "signal") == 0)
		want = 2;
	if (argc - 1 < want)
		return cli_usage("'%s' needs %s: osl supervise ctl %s NAME%s (names: osl "
		    "supervise ctl status)", argv[0], argc < 2 ? "the child's name" : "a signal",
		    argv[0], want == 2 ? " SIGNAL, e.g. HUP" : "");
	if (argc - 1 > want)
		return cli_usage("'%s' takes %s: '%s' is one too many", argv[0],
		    want == 0 ? "no operand" : want == 1 ? "one name" : "a name and a signal",
		    argv[want + 1]);
	if (want == 2 && !osl_parse_signal(argv[2]))
		return cli_usage("'%s': unknown signal (" OSL_SIGNAL_WORDS ")", argv[2]);
	return -1;
}

static void
print_node(const cJSON *n, int depth)
{
	const cJSON *name = cJSON_GetObjectItem(n, "name"), *st = cJSON_GetObjectItem(n, "state"),
	    *pid = cJSON_GetObjectItem(n, "pid"), *rs = cJSON_GetObjectItem(n, "restarts"),
	    *kids = cJSON_GetObjectItem(n, "children"), *k;
	char pids[16] = "-";

	if (cJSON_IsNumber(pid))
		snprintf(pids, sizeof(pids), "%d", pid->valueint);
	out_text("%*s%-*s %-9s %7s %4d%s%s\n", depth * 2, "", 20 - depth * 2,
	    cJSON_IsString(name) ? name->valuestring : "?",
	    cJSON_IsString(st) ? st->valuestring : "?", pids,
	    cJSON_IsNumber(rs) ? rs->valueint : 0,
	    kids ? "  " : "", kids && cJSON_GetObjectItem(n, "strategy") ?
	    cJSON_GetObjectItem(n, "strategy")->valuestring : "");
	cJSON_ArrayForEach(k, kids)
		print_node(k, depth + 1);
}

/* The longest answer read: far beyond a status of 100,000 children. */
#define CTL_ANSWER_MAX (64 << 20)

static int
cmd_supervise_ctl(int argc, char **argv, struct osl_ctx *ctx)
{
	const char *sock, *file;
	char path[108], *buf = NULL;
	cJSON *req, *ans = NULL;
	size_t n = 0, cap = 0;
	bool too_long = false;
	char *line;
	int fd = -1, status, serr = 0;

	if ((status = cli_parse(cli_verb, &argc, &argv)) >= 0)
		return status;
	status = -1;
	sock = ctl_socket;
	file = ctl_config;
	if (file && !sock) {
		struct osl_sv_config cf;
		const struct osl_error *err;

		if ((err = osl_sv_config_load(&cf, file, environ, &ctx->env, NULL)))
			return cli_error(err);
		if (cf.socket) {
			expand(cf.socket, path, sizeof(path));
			sock = path;
		}
		osl_sv_config_free(&cf);
	}
	if (argc < 1)
		return cli_usage("a verb is needed: status, start NAME, stop NAME, restart NAME, "
		    "delete NAME, signal NAME SIG, reload, shutdown, metrics");
	if (!cli_word_in(cli_verb->operands, argv[0]))
		return cli_usage("unknown verb '%s'%s (%s)", argv[0],
		    cli_did_you_mean_words(cli_verb->operands, argv[0]), cli_verb->operands);
	if ((status = ctl_arity(argc, argv)) != -1)
		return status;
	if (!sock)
		sock = osl_sv_ctl_default_path(path, sizeof(path));
	if (strlen(sock) >= sizeof(((struct sockaddr_un *)0)->sun_path))
		return cli_usage("'%s': socket path too long", sock);
	req = cJSON_CreateObject();
	cJSON_AddStringToObject(req, "cmd", argv[0]);
	if (argc > 1)
		cJSON_AddStringToObject(req, "name", argv[1]);
	if (argc > 2)
		cJSON_AddStringToObject(req, "signal", argv[2]);
	line = cJSON_PrintUnformatted(req);
	cJSON_Delete(req);
	if (!line)
		return cli_error(osl_error_nomem());
	{
		const struct osl_error *err = osl_sv_ctl_connect(sock, &fd);

		if (err) {
			status = cli_error(err);
			goto done;
		}
	}
	/* a refusal may be written and the socket closed before our request
	 * is: read the answer even when the send fails */
	if (send(fd, line, strlen(line), MSG_NOSIGNAL) == -1 || send(fd, "\n", 1, MSG_NOSIGNAL) == -1)
		serr = errno;
	/* one answer line, however long (a status of 10,000 children is
	 * megabytes), until its newline or the end of the stream */
	for (;;) {
		struct pollfd p = { fd, POLLIN, 0 };
		ssize_t k;

		if (cap - n < 2) {
			char *b;

			if (cap >= CTL_ANSWER_MAX) {
				too_long = true;
				break;
			}
			cap = cap ? cap * 2 : 1 << 16;
			if (!(b = realloc(buf, cap))) {
				status = cli_error(osl_error_nomem());
				goto done;
			}
			buf = b;
		}
		if (poll(&p, 1, 10000) != 1 || (k = read(fd, buf + n, cap - 1 - n)) <= 0)
			break;
		if (memchr(buf + n, '\n', (size_t)k)) {
			n += (size_t)k;
			break;
		}
		n += (size_t)k;
	}
	if (buf)
		buf[n] = '\0';
	if (too_long) {
		status = cli_error(osl_error_new(OSL_EFAIL, "'%s': the answer is longer than "
		    "%d MiB", sock, CTL_ANSWER_MAX >> 20));
		goto done;
	}
	if (!buf || !(ans = cJSON_Parse(buf)) || !cJSON_IsObject(ans)) {
		status = cli_error(serr ? osl_error_sys(OSL_EFAIL, serr, "'%s'", sock) :
		    osl_error_new(OSL_EFAIL, "'%s': no answer", sock));
		goto done;
	}
	if (!cJSON_IsTrue(cJSON_GetObjectItem(ans, "ok"))) {
		const cJSON *e = cJSON_GetObjectItem(ans, "error");
		const struct osl_error *err = osl_error_new(OSL_EFAIL, "%s",
		    cJSON_IsString(e) ? e->valuestring : "failed");

		/* the supervisor's words become the one shape of an error */
		cJSON_DeleteItemFromObject(ans, "error");
		out_error_into(ans, err);
		status = cli_error(err);
		out_json_item(NULL, ans);
		ans = NULL;
		goto done;
	} else {
		const cJSON *m = cJSON_GetObjectItem(ans, "metrics"), *t = cJSON_GetObjectItem(ans, "tree");

		if (t)
			print_node(t, 0);
		else if (cJSON_IsString(m))
			out_text("%s", m->valuestring);
		else if (cJSON_IsNumber(cJSON_GetObjectItem(ans, "kept")))
			out_text("reload: %d kept, %d added, %d changed, %d removed%s\n",
			    cJSON_GetObjectItem(ans, "kept")->valueint,
			    cJSON_GetObjectItem(ans, "added")->valueint,
			    cJSON_GetObjectItem(ans, "changed")->valueint,
			    cJSON_GetObjectItem(ans, "removed")->valueint,
			    cJSON_GetObjectItem(ans, "rolling") ? " (a replica set rolls: some later)" : "");
		else if (cJSON_IsObject(cJSON_GetObjectItem(ans, "roll")))
			out_text("rolling restart of %s: %d replicas, %d at a time\n",
			    cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetObjectItem(ans, "roll"), "set")),
			    cJSON_GetObjectItem(cJSON_GetObjectItem(ans, "roll"), "replicas")->valueint,
			    cJSON_GetObjectItem(cJSON_GetObjectItem(ans, "roll"), "max_unavailable")->valueint);
		else
			out_text("ok\n");
		status = 0;
	}
	out_json_item(NULL, ans);
	ans = NULL;
done:
	cJSON_Delete(ans);
	if (fd != -1)
		close(fd);
	free(buf);
	free(line);
	return status;
}

static const char *
base_name(const char *p)
{
	const char *s = strrchr(p, '/');

	return s && s[1] ? s + 1 : p;
}

static int
run_single(struct osl_ctx *ctx, const struct sv_opts *so, char **argv)
{
	const struct osl_error *err;
	struct osl_sv_runner r = { 0 };
	struct osl_sv_exec exec[2];
	struct osl_sv_tree t;
	struct osl_sv_spec root, kid;
	char path[PATH_MAX];
	size_t id;
	int status;

	/* looked up first, as env(1) does: not found is 127, before anything runs */
	if ((err = osl_proc_which(argv[0], getenv("PATH"), path, sizeof(path))))
		return cli_error(err);
	if ((status = policy_first(ctx, false)) != -1)
		return status;
	osl_sv_tree_init(&t, (uint64_t)getpid() ^ osl_now_mono_ns());
	osl_sv_spec_default(&root, "supervise", true);
	root.intensity = so->max_restarts;
	root.period_ns = so->period_ns;
	root.auto_shutdown = OSL_SV_AUTO_ANY;
	osl_sv_spec_default(&kid, base_name(argv[0]), false);
	kid.restart = so->restart == R_ALWAYS ? OSL_SV_PERMANENT :
	    so->restart == R_ON_FAILURE ? OSL_SV_TRANSIENT : OSL_SV_TEMPORARY;
	kid.significant = so->restart != R_ALWAYS;
	kid.stop_timeout_ns = so->stop_ns;
	if ((err = osl_sv_add(&t, OSL_SV_NONE, &root, &id)) ||
	    (err = osl_sv_add(&t, id, &kid, &id)) ||
	    (err = osl_sv_validate(&t))) {
		status = cli_error(err);
		goto done;
	}
	memset(exec, 0, sizeof(exec));
	exec[1].path = path;
	exec[1].argv = argv;
	/* a container's environment is the program's: passed on whole */
	exec[1].envp = environ;
	r.tree = &t;
	r.exec = exec;
	r.ctx = ctx;
	r.grace_ns = so->grace_ns;
	r.single = true;
	r.say = cli_verbosity >= 0 ? say_stderr : NULL;
	r.warn_reap = so->warn_reap;
	memcpy(r.success, so->success, sizeof(r.success));
	if ((err = osl_sv_run(&r, &status)))
		status = cli_error(err) == OSL_EFAIL ? OSL_ESETUP : err->status;
	else if (exec[1].why[0])
		cli_error(osl_error_new(status, "%s", exec[1].why));
done:
	osl_sv_tree_free(&t);
	return status;
}

int
cmd_supervise(int argc, char **argv, struct osl_ctx *ctx)
{
	const struct sv_opts *so = &sv_opt;
	int status;

	if ((status = cli_parse(cli_verb, &argc, &argv)) >= 0)
		return status;
	if (so->config) {
		if (argc > 0)
			return cli_usage("-c FILE takes no command");
		return run_tree(ctx, so);
	}
	if (so->check || so->require_full)
		return cli_usage("%s goes with -c FILE", so->check ? "--check" : "--require-full");
	if (argc < 1)
		return cli_usage("a command is needed: osl supervise [OPTIONS] -- CMD [ARGS...]");
	return run_single(ctx, so, argv);
}
