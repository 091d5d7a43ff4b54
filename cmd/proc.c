/* osl proc: run a program with the policy enforced by the kernel, and list,
 * inspect and signal processes.  The sandbox is prepared here, in the parent
 * (lib/sandbox), and applied by the one spawn function (lib/proc). */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "net/net.h"
#include "op.h"
#include "sandbox/denied.h"
#include "proc/proc.h"
#include "sandbox/sandbox.h"
#include "sandbox/unixconn.h"
#include "util/parse.h"
#include "util/time.h"

extern char **environ;

static int cmd_proc_run(int argc, char **argv, struct osl_ctx *ctx);
static int cmd_proc_ps(int argc, char **argv, struct osl_ctx *ctx);
static int cmd_proc_info(int argc, char **argv, struct osl_ctx *ctx);
static int cmd_proc_kill(int argc, char **argv, struct osl_ctx *ctx);
static int cmd_proc_tree(int argc, char **argv, struct osl_ctx *ctx);

/* proc run's options, bound in run_opts below */
struct run_opts {
	uint64_t timeout_ns;
	struct osl_limits limits;	/* osl_limits_unset before parsing */
	const char **keep, **set;	/* argc long each, allocated before parsing */
	size_t nkeep, nset;
	const char *cwd;
	bool dry_run, require_full, setsid;
};
static struct run_opts run_opt = { .setsid = true };

static int
limit_opt(const struct osl_opt *o, const char *arg)
{
	const struct osl_error *err;

	(void)o;
	if ((err = osl_limit_parse(arg, &run_opt.limits)))
		return cli_usage("%s", err->msg);
	return -1;
}

static int
env_opt(const struct osl_opt *o, const char *arg)
{
	if (o->var.p == &run_opt.keep) {
		run_opt.keep[run_opt.nkeep++] = arg;
		return -1;
	}
	if (!strchr(arg, '=') || arg[0] == '=')
		return cli_usage("'%s': --env-set takes VAR=VALUE", arg);
	run_opt.set[run_opt.nset++] = arg;
	return -1;
}

static int kill_signal = SIGTERM;
static bool parse_signal(const char *s, int *sig);

static int
signal_opt(const struct osl_opt *o, const char *arg)
{
	(void)o;
	if (!parse_signal(arg, &kill_signal))
		return cli_usage("'%s': unknown signal (" OSL_SIGNAL_WORDS ", or 0)", arg);
	return -1;
}

static const struct osl_opt run_opts[] = {
	OPT_DURATION(0, "timeout", &run_opt.timeout_ns, 1,
	    "kill the process group after D (TERM, then KILL): exit 124"),
	OPT_CALLBACK(0, "limit", NULL, "K=V", "lower a limit: cpu, memory, nofile, nproc, fsize, core, wall",
	    "cpu= memory= nofile= nproc= fsize= core= wall=", limit_opt),
	OPT_CALLBACK(0, "env-keep", &run_opt.keep, "VAR", "keep VAR (or a prefix VAR*) in the environment",
	    NULL, env_opt),
	OPT_CALLBACK(0, "env-set", &run_opt.set, "VAR=VAL", "set VAR in the environment", NULL, env_opt),
	OPT_STRING(0, "cwd", &run_opt.cwd, "DIR", "run in DIR", "dir"),
	OPT_BOOL(0, "dry-run", &run_opt.dry_run, "print the enforcement report and run nothing"),
	OPT_BOOL(0, "require-full", &run_opt.require_full,
	    "refuse to run (125) unless every rule is held in full"),
	OPT_CLEAR(0, "best-effort", &run_opt.require_full, "run with what the kernel can hold (the default)"),
	OPT_CLEAR(0, "no-setsid", &run_opt.setsid, "stay in the terminal's session (job control)"),
	OPT_END
};
static const struct osl_opt no_opts[] = { OPT_END };
static const struct osl_opt kill_opts[] = {
	OPT_CALLBACK('s', "signal", NULL, "SIG", "the signal (name or number; default TERM)",
	    "TERM KILL INT HUP QUIT USR1 USR2 STOP CONT", signal_opt),
	OPT_END
};

const struct osl_cmd osl_proc_cmds[] = {
	{ "run", cmd_proc_run, "run a program with the policy enforced by the kernel",
	  OSL_CMD_VERBATIM | OSL_CMD_RUNS, "[OPTIONS] -- CMD [ARGS...]", run_opts, NULL, "command" },
	{ "ps", cmd_proc_ps, "list processes", 0, "", no_opts, NULL, "none" },
	{ "info", cmd_proc_info, "show a process: status, limits, cgroup, namespaces, sandbox, fds",
	  0, "PID", no_opts, NULL, "none" },
	{ "kill", cmd_proc_kill, "signal processes the policy's proc.signal allows",
	  0, "[-s SIG] PID...", kill_opts, NULL, "none" },
	{ "tree", cmd_proc_tree, "show the process tree below PID (default 1)", 0,
	  "[PID]", no_opts, NULL, "none" },
	{ 0 }
};

static bool
parse_pid(const char *s, pid_t *pid)
{
	uint64_t v;

	if (!osl_parse_uint(s, INT_MAX, &v) || v == 0)
		return false;
	*pid = (pid_t)v;
	return true;
}

/* ---------------------------------------------------------------- run --- */

static void
print_report(const struct osl_sandbox_report *r)
{
	if (out_is_json()) {
		cJSON *j = osl_report_json(r);

		if (j)
			out_json_item(NULL, j);
		return;
	}
	for (size_t i = 0; i < r->n; i++) {
		const struct osl_enf_entry *e = &r->entries[i];

		out_text("%-8s %-12s %-28s %s%s%s\n", osl_enf_level_name(e->level), e->kind,
		    e->pattern ? e->pattern : e->name ? e->name : "-", e->name && e->pattern ?
		    e->name : "", e->name && e->pattern ? ": " : "", e->reason);
	}
	out_text("landlock ABI %d, seccomp %s, namespaces:%s%s%s%s%s%s%s\n", r->landlock_abi,
	    r->seccomp ? r->seccomp : "none", r->ns_user ? " user" : "", r->ns_mount ? " mount" : "",
	    r->ns_net ? " net" : "", r->ns_ipc ? " ipc" : "", r->ns_uts ? " uts" : "",
	    r->ns_pid ? " pid" : "", !r->ns_user && !r->ns_mount && !r->ns_net && !r->ns_ipc &&
	    !r->ns_uts && !r->ns_pid ? " none" : "");
	out_text("enforcement: %s\n", osl_report_full(r) ? "full" : "partial");
}

/* The variables that send a child's http(s) through the egress proxy. */
static const char *const proxy_vars[] = { "http_proxy", "https_proxy", "HTTP_PROXY",
	"HTTPS_PROXY", "ALL_PROXY" };
#define NPROXY_VARS (sizeof(proxy_vars) / sizeof(proxy_vars[0]))

static const struct osl_error *
build_env(char ***env, const struct osl_policy *p, const struct run_opts *ro, const char *proxy,
    int private_tmp)
{
	const struct osl_error *err = NULL;
	size_t nk = p->nenv_keep + ro->nkeep, i;
	size_t ns = p->nenv_set + ro->nset + (proxy ? NPROXY_VARS : 0) + (private_tmp != 0);
	const char **keep = calloc(nk + 1, sizeof(*keep));
	char **setv = calloc(ns + 1, sizeof(*setv));

	if (!keep || !setv) {
		err = osl_error_nomem();
		goto done;
	}
	for (i = 0; i < p->nenv_keep; i++)
		keep[i] = p->env_keep[i];
	for (i = 0; i < ro->nkeep; i++)
		keep[p->nenv_keep + i] = ro->keep[i];
	for (i = 0; i < p->nenv_set; i++) {
		size_t len = strlen(p->env_set[i].key) + strlen(p->env_set[i].value) + 2;

		if (!(setv[i] = malloc(len))) {
			err = osl_error_nomem();
			goto done;
		}
		snprintf(setv[i], len, "%s=%s", p->env_set[i].key, p->env_set[i].value);
	}
	for (i = 0; i < ro->nset; i++)
		if (!(setv[p->nenv_set + i] = strdup(ro->set[i]))) {
			err = osl_error_nomem();
			goto done;
		}
	for (i = 0; proxy && i < NPROXY_VARS; i++) {
		size_t at = p->nenv_set + ro->nset + i;
		size_t len = strlen(proxy_vars[i]) + strlen(proxy) + 2;

		if (!(setv[at] = malloc(len))) {
			err = osl_error_nomem();
			goto done;
		}
		snprintf(setv[at], len, "%s=%s", proxy_vars[i], proxy);
	}
	/* the private /tmp (proc.tmp); the policy's and --env-set's come later and win */
	if (private_tmp) {
		memmove(setv + 1, setv, (ns - 1) * sizeof(*setv));
		if (!(setv[0] = strdup(private_tmp == 2 ? "TMPDIR=" OSL_TMP_SUB : "TMPDIR=/tmp"))) {
			err = osl_error_nomem();
			goto done;
		}
	}
	err = osl_proc_env(env, environ, keep, nk, (const char *const *)setv, ns);
done:
	if (setv)
		for (i = 0; i < ns; i++)
			free(setv[i]);
	free(setv);
	free(keep);
	return err;
}

static void
log_exit(struct osl_ctx *ctx, const char *cmd, const char *real, pid_t pid,
    const struct osl_proc_result *res)
{
	struct osl_log *log;
	cJSON *rec, *ev, *o, *ru, *pr;
	char msg[512];

	if (osl_ctx_log(ctx, &log) || !log || !(rec = osl_action_record(OSL_ACT_PROC_EXIT,
	    res->exited && res->code == 0 && !res->timed_out ? "success" : "failure")))
		return;
	ev = osl_log_obj(rec, "event");
	cJSON_AddNumberToObject(ev, "duration", (double)res->duration_ns);
	pr = osl_log_obj(rec, "process");
	cJSON_AddNumberToObject(pr, "pid", pid);
	osl_log_add_text(pr, "executable", real);
	osl_log_add_text(pr, "name", strrchr(real, '/') ? strrchr(real, '/') + 1 : real);
	o = osl_log_obj(rec, "osl");
	if (res->exited) {
		cJSON_AddNumberToObject(pr, "exit_code", res->code);
	} else {
		const char *s = sigabbrev_np(res->code);
		char name[24];

		snprintf(name, sizeof(name), "SIG%s", s ? s : "?");
		cJSON_AddStringToObject(o, "signal", name);
	}
	if (res->timed_out)
		cJSON_AddBoolToObject(o, "timed_out", 1);
	ru = osl_log_obj(o, "rusage");
	cJSON_AddNumberToObject(ru, "max_rss_kb", (double)res->ru.ru_maxrss);
	cJSON_AddNumberToObject(ru, "user_us", (double)res->ru.ru_utime.tv_sec * 1e6 +
	    (double)res->ru.ru_utime.tv_usec);
	cJSON_AddNumberToObject(ru, "sys_us", (double)res->ru.ru_stime.tv_sec * 1e6 +
	    (double)res->ru.ru_stime.tv_usec);
	snprintf(msg, sizeof(msg), "proc.exit %s status %d", cmd, osl_proc_status(res));
	osl_log_add_text(rec, "message", msg);
	osl_log_emit(log, OSL_LEVEL_INFO, rec);
}

/* What the kernel refused the run: a proc.denied record each, and one
 * line on stderr (man osl-proc(1), DENIALS). */
static void
report_denied(struct osl_ctx *ctx, const struct osl_denied_watch *w, pid_t pid)
{
	struct osl_log *log = NULL;
	size_t total = 0;

	if (!w->on || (!w->n && !w->lost))
		return;
	if (osl_ctx_log(ctx, &log))
		log = NULL;
	for (size_t i = 0; i < w->n; i++) {
		cJSON *rec;

		total += w->d[i].count;
		if (log && (rec = osl_denial_record(&w->d[i], pid)))
			osl_log_emit(log, OSL_LEVEL_WARN, rec);
	}
	if (cli_verbosity < 0)
		return;
	{
		char line[1024];
		size_t o = 0;

		o += (size_t)snprintf(line, sizeof(line), "%zu action%s refused by the sandbox:", total,
		    total == 1 ? "" : "s");
		for (size_t i = 0; i < w->n && i < 5 && o < sizeof(line); i++)
			o += (size_t)snprintf(line + o, sizeof(line) - o, "%s %s %s (%s)%s",
			    i ? "," : "", w->d[i].blockers, w->d[i].path[0] ? w->d[i].path : w->d[i].addr,
			    w->d[i].comm[0] ? w->d[i].comm : "?",
			    w->d[i].count > 1 ? " and again" : "");
		if (w->n > 5 && o < sizeof(line))
			o += (size_t)snprintf(line + o, sizeof(line) - o, ", and %zu more", w->n - 5);
		if (w->lost && o < sizeof(line))
			snprintf(line + o, sizeof(line) - o, " (%zu record%s lost)", w->lost,
			    w->lost == 1 ? "" : "s");
		cli_warn("%s", line);
	}
}

/* What osl's connect() thread refused (lib/sandbox/unixconn.c), with what
 * the kernel refused: a proc.denied record each, the same stderr line. */
static void
unix_denied(struct osl_denied_watch *w, struct osl_unixconn *u)
{
	if (!u)
		return;
	pthread_mutex_lock(&u->mu);
	for (size_t i = 0; i < u->n; i++) {
		if (w->n == w->cap) {
			size_t cap = w->cap ? 2 * w->cap : 16;
			struct osl_denial *nd = realloc(w->d, cap * sizeof(*nd));

			if (!nd) {
				w->lost += u->n - i;
				break;
			}
			w->d = nd;
			w->cap = cap;
		}
		w->d[w->n++] = u->d[i];
	}
	w->lost += u->lost;
	if (u->n)
		w->on = true;
	pthread_mutex_unlock(&u->mu);
}

static int
run(struct osl_ctx *ctx, const struct run_opts *ro, int argc, char **argv)
{
	const struct osl_error *err;
	struct osl_sandbox_opts so = { 0 };
	struct osl_sandbox sb;
	struct osl_spawn sp = { 0 };
	struct osl_proc_result res;
	struct osl_policy *p;
	struct osl_op op;
	struct osl_egress eg;
	struct osl_denied_watch dw = { .fd = -1 };
	struct osl_unixconn *uc = NULL;
	struct osl_log *log = NULL;
	bool sb_ok = false, op_ok = false, eg_on = false, watch;
	char path[PATH_MAX], real[PATH_MAX], cwd[PATH_MAX];
	char **env = NULL;
	cJSON *args, *o;
	int status;

	if ((err = osl_ctx_policy(ctx, &p))) {
		cli_error(err);
		return OSL_ESETUP;
	}
	so.limits = p->limits;
	osl_limits_lower(&so.limits, &ro->limits);
	so.audit = ctx->opts.audit || p->mode == OSL_MODE_AUDIT;
	so.log_sink = ctx->opts.log_sink;
	so.terse = !ro->dry_run && cli_verbosity <= 0;	/* reasons are shown only there */
	so.unix_decide = true;	/* osl answers connect() while it waits (unixconn.c) */
	if (osl_egress_wanted(p) && !so.audit && p->dflt == OSL_DENY) {
		/* host-name rules: the egress proxy, for the life of the child */
		if ((err = osl_egress_start(ctx, &eg))) {
			cli_error(err);
			return OSL_ESETUP;
		}
		eg_on = true;
		so.proxy_port = eg.port;
		so.proxy_netns = eg.netns_fd;
		so.proxy_userns = eg.userns_fd;
		so.proxy_reason = eg.reason;
	}
	/* the kernel's own word on what it refused (Landlock ABI 7 audit),
	 * when stderr or the log takes it: asked now, while the sandbox is
	 * prepared, and the answer read before the start */
	watch = !so.audit && !ro->dry_run && osl_landlock_abi() >= 7 && (cli_verbosity >= 0 ||
	    osl_ctx_log(ctx, &log) || osl_log_enabled(log, OSL_LEVEL_WARN));
	if (watch)
		osl_denied_watch_ask(&dw);
	/* the log's folder made (the first time) before the sandbox hides it
	 * from the child (an error is said where the log is first written) */
	if (!ro->dry_run)
		(void)osl_ctx_log(ctx, &log);
	if ((err = osl_sandbox_prepare(&sb, p, &so))) {
		osl_denied_watch_stop(&dw);
		status = cli_error(err) == OSL_EINPUT ? OSL_ESETUP : err->status;
		if (eg_on)
			osl_egress_stop(&eg);
		return status == OSL_EFAIL ? OSL_ESETUP : status;
	}
	sb_ok = true;
	if (ro->dry_run) {
		print_report(&sb.report);
		status = ro->require_full && !osl_report_full(&sb.report) ? OSL_ESETUP : 0;
		goto done;
	}
	if (ro->require_full && !osl_report_full(&sb.report)) {
		size_t bad = 0, policy = 0;

		for (size_t i = 0; i < sb.report.n; i++) {
			bad += sb.report.entries[i].level != OSL_ENF_FULL;
			policy += sb.report.entries[i].level != OSL_ENF_FULL &&
			    sb.report.entries[i].by_policy;
		}
		/* what the policy says (fixable in it) apart from what this
		 * kernel cannot do */
		status = cli_error(osl_error_new(OSL_ESETUP, "--require-full: %zu of %zu entries are "
		    "not held in full: %zu by what the policy says, %zu by this kernel's limits "
		    "(see --dry-run)", bad, sb.report.n, policy, bad - policy));
		goto done;
	}
	/* best effort: what the kernel cannot hold is in the log, and with -v here */
	if (cli_verbosity > 0 && !osl_report_full(&sb.report)) {
		for (size_t i = 0; i < sb.report.n; i++) {
			const struct osl_enf_entry *e = &sb.report.entries[i];

			if (e->level != OSL_ENF_FULL)
				cli_warn("%s %s: %s: %s", e->kind, e->pattern ? e->pattern : e->name,
				    osl_enf_level_name(e->level), e->reason);
		}
	}
	if ((err = osl_proc_which(argv[0], getenv("PATH"), path, sizeof(path)))) {
		status = cli_error(err);
		goto done;
	}
	if (!realpath(path, real)) {
		status = cli_error(osl_error_sys(errno == ENOENT || errno == ENOTDIR ? OSL_ENOCMD :
		    OSL_ENOEXEC, errno, "'%s'", argv[0]));
		goto done;
	}
	if (!getcwd(cwd, sizeof(cwd)))
		snprintf(cwd, sizeof(cwd), "?");

	osl_op_init(&op, OSL_ACT_PROC_EXEC, argv[0]);
	op_ok = true;
	op.req.access = OSL_ACCESS_EXEC;
	op.req.path = real;
	/* process.* is the program run, osl its process.parent (the logger's) */
	o = osl_log_obj(op.fields, "process");
	osl_log_add_text(o, "executable", real);
	osl_log_add_text(o, "name", strrchr(real, '/') ? strrchr(real, '/') + 1 : real);
	osl_log_add_text(o, "working_directory", ro->cwd ? ro->cwd : cwd);
	if ((args = cJSON_AddArrayToObject(o, "args")))
		for (int i = 0; i < argc; i++)
			cJSON_AddItemToArray(args, cJSON_CreateString(argv[i]));
	osl_report_summary(&sb.report, osl_log_obj(osl_log_obj(op.fields, "osl"), "enforcement"));
	if ((err = osl_op_begin(ctx, &op))) {
		/* exec denied by policy: 126 as env(1) has it, with the rule named;
		 * anything else (the log cannot be opened) failed before the run */
		status = cli_error(err->status == OSL_EDENIED ?
		    osl_error_new(OSL_ENOEXEC, "exec %s", err->msg) :
		    osl_error_new(err->status == OSL_EINPUT ? OSL_EINPUT : OSL_ESETUP, "%s", err->msg));
		goto done;
	}
	if ((err = build_env(&env, p, ro, eg_on ? eg.url : NULL, sb.tmp_dirs ? 1 + sb.tmp_sub : 0))) {
		status = cli_error(err) == OSL_EINPUT ? OSL_EINPUT : OSL_ESETUP;
		osl_op_end(ctx, &op, err);
		goto done;
	}
	sp.path = real;
	sp.argv = argv;
	sp.envp = env;
	sp.cwd = ro->cwd;
	sp.setsid = ro->setsid;
	sp.sb = &sb;
	if (watch) {
		osl_denied_watch_start(&dw);
		if (!dw.on && cli_verbosity > 0)
			cli_warn("what the kernel refuses is not reported: %s", dw.why);
	}
	if ((err = osl_proc_spawn(&sp))) {
		struct osl_error keep;

		osl_error_keep(&keep, err);
		osl_op_end(ctx, &op, &keep);
		status = cli_error(&keep);
		goto done;
	}
	/* the listener of its connect() filter (before its socket closes) */
	if (sb.unix_peer > 0 && !(uc = osl_unixconn_start(&sb, p, sb.unix_peer, false, &err)))
		cli_warn("%s: the program's connect() calls fail (ENOSYS)", err->msg);
	/* the child has its own copies now; nothing of ours stays open in it */
	osl_sandbox_release(&sb);
	sb_ok = false;
	cJSON_AddNumberToObject(osl_log_obj(op.fields, "process"), "pid", sp.pid);
	osl_net_lock();		/* the proxy's thread logs too */
	osl_op_end(ctx, &op, NULL);
	osl_net_unlock();
	if ((err = osl_proc_wait(&sp, ro->timeout_ns ? ro->timeout_ns :
	    p->limits.wall_ns != OSL_LIMIT_UNSET ? p->limits.wall_ns : 0, 2000000000ULL, &res))) {
		status = cli_error(err);
		goto done;
	}
	if (eg_on) {
		osl_egress_stop(&eg);
		eg_on = false;
	}
	osl_denied_watch_collect(&dw, sp.pid, 50);
	unix_denied(&dw, uc);
	report_denied(ctx, &dw, sp.pid);
	log_exit(ctx, argv[0], real, sp.pid, &res);
	if (res.timed_out && cli_verbosity >= 0)
		cli_warn("'%s': timed out", argv[0]);
	status = osl_proc_status(&res);
done:
	osl_unixconn_release(uc);
	osl_denied_watch_stop(&dw);
	if (eg_on)
		osl_egress_stop(&eg);
	if (op_ok)
		osl_op_release(&op);
	if (sb_ok)
		osl_sandbox_release(&sb);
	osl_proc_env_free(env);
	return status;
}

static int
cmd_proc_run(int argc, char **argv, struct osl_ctx *ctx)
{
	struct run_opts *ro = &run_opt;
	int status;

	osl_limits_unset(&ro->limits);
	ro->keep = calloc((size_t)argc + 1, sizeof(*ro->keep));
	ro->set = calloc((size_t)argc + 1, sizeof(*ro->set));
	if (!ro->keep || !ro->set) {
		status = cli_error(osl_error_nomem());
		goto done;
	}
	if ((status = cli_parse(cli_verb, &argc, &argv)) >= 0)
		goto done;
	if (argc < 1 && !ro->dry_run)
		status = cli_usage("a command is needed: osl proc run [OPTIONS] -- CMD [ARGS...]");
	else
		status = run(ctx, ro, argc, argv);
done:
	free(ro->keep);
	free(ro->set);
	return status;
}

/* ----------------------------------------------------------- ps, tree --- */

static const char *
user_name(uid_t uid, char *buf, size_t size)
{
	struct passwd *pw = getpwuid(uid);

	if (pw)
		snprintf(buf, size, "%s", pw->pw_name);
	else
		snprintf(buf, size, "%u", (unsigned)uid);
	return buf;
}

static void
print_proc(const struct osl_procinfo *pi, bool open)
{
	char user[64], t[40], st[2] = { pi->state, '\0' };

	out_obj_open(NULL);
	out_i64("pid", "%7lld", pi->pid);
	out_i64("ppid", " %7lld", pi->ppid);
	out_u64("uid", NULL, pi->uid);
	out_str("user", " %-10.10s", user_name(pi->uid, user, sizeof(user)));
	out_str("state", " %s", st);
	/* /proc/stat's btime is whole seconds: so is a start time */
	out_str("start", " %-20s", osl_time_rfc3339((time_t)pi->start_sec, -1, t, sizeof(t)));
	out_text(" %9llu", (unsigned long long)pi->rss_kb);
	out_u64("rss", NULL, pi->rss_kb * 1024);
	out_str("cmd", " %s\n", pi->cmd);
	if (!open)
		out_obj_close();
}

static int
cmd_proc_ps(int argc, char **argv, struct osl_ctx *ctx)
{
	const struct osl_error *err;
	struct osl_procinfo *v;
	size_t n;
	int st;

	(void)ctx;
	if ((st = cli_parse(cli_verb, &argc, &argv)) != -1)
		return st;
	if (argc > 0)
		return cli_usage("'%s': ps takes no operands", argv[0]);
	if ((err = osl_proc_list(&v, &n)))
		return cli_error(err);
	out_text("%7s %7s %-10s %s %-20s %9s %s\n", "PID", "PPID", "USER", "S", "START", "RSS_KB", "CMD");
	out_arr_open(NULL);
	for (size_t i = 0; i < n; i++)
		print_proc(&v[i], false);
	out_arr_close();
	free(v);
	return 0;
}

static void
tree_print(const struct osl_procinfo *v, size_t n, const struct osl_procinfo *pi, int depth)
{
	if (depth > 256)
		return;
	out_obj_open(NULL);
	out_text("%*s", depth * 2, "");
	out_i64("pid", "%lld", pi->pid);
	out_i64("ppid", NULL, pi->ppid);
	out_str("cmd", " %s\n", pi->cmd);
	out_arr_open("children");
	for (size_t i = 0; i < n; i++)
		if (v[i].ppid == pi->pid && v[i].pid != pi->pid)
			tree_print(v, n, &v[i], depth + 1);
	out_arr_close();
	out_obj_close();
}

static int
cmd_proc_tree(int argc, char **argv, struct osl_ctx *ctx)
{
	const struct osl_error *err;
	struct osl_procinfo *v;
	pid_t root = 1;
	size_t n, i;
	int st;

	(void)ctx;
	if ((st = cli_parse(cli_verb, &argc, &argv)) != -1)
		return st;
	if (argc > 1)
		return cli_usage("tree takes one PID at most");
	if (argc == 1 && !parse_pid(argv[0], &root))
		return cli_usage("'%s': not a process id", argv[0]);
	if ((err = osl_proc_list(&v, &n)))
		return cli_error(err);
	for (i = 0; i < n && v[i].pid != root; i++)
		;
	if (i == n) {
		free(v);
		return cli_error(osl_error_new(OSL_EFAIL, "'%d': no such process", (int)root));
	}
	tree_print(v, n, &v[i], 0);
	free(v);
	return 0;
}

/* --------------------------------------------------------------- info --- */

/* A /proc/PID/status value for -j: numbers as numbers, sizes in bytes,
 * the four ids of Uid and Gid by name (proc(5)). */
static void
status_json(const char *key, const char *v)
{
	static const char *const ids[] = { "real", "effective", "saved", "fs" };
	char *end;

	if (!strcmp(key, "Name"))
		out_str("name", NULL, v);
	else if (!strcmp(key, "State")) {
		/* "S (sleeping)": the word */
		const char *w = strchr(v, '(');
		char word[32];

		snprintf(word, sizeof(word), "%.*s", w ? (int)strcspn(w + 1, ")") : (int)strlen(v),
		    w ? w + 1 : v);
		out_str("state", NULL, word);
	} else if (!strcmp(key, "Uid") || !strcmp(key, "Gid")) {
		out_obj_open(!strcmp(key, "Uid") ? "uid" : "gid");
		for (size_t i = 0; i < 4; i++, v = end)
			out_u64(ids[i], NULL, strtoull(v, &end, 10));
		out_obj_close();
	} else if (!strcmp(key, "VmRSS"))
		out_u64("vm_rss", NULL, strtoull(v, NULL, 10) * 1024);	/* "3992 kB" */
	else if (!strcmp(key, "CapEff"))
		out_u64("cap_eff", NULL, strtoull(v, NULL, 16));
	else if (!strcmp(key, "NoNewPrivs"))
		out_bool("no_new_privs", NULL, strtoull(v, NULL, 10) != 0);
	else {
		char name[32];
		size_t i;

		/* Tgid, PPid, Threads, Seccomp, Seccomp_filters */
		for (i = 0; key[i] && i + 1 < sizeof(name); i++)
			name[i] = (char)(key[i] >= 'A' && key[i] <= 'Z' ? key[i] - 'A' + 'a' : key[i]);
		name[i] = '\0';
		out_u64(name, NULL, strtoull(v, NULL, 10));
	}
}

static void
status_lines(pid_t pid)
{
	static const char *const keys[] = { "Name", "State", "Tgid", "PPid", "Uid", "Gid", "Threads",
		"VmRSS", "CapEff", "NoNewPrivs", "Seccomp", "Seccomp_filters", NULL };
	char path[64], line[512];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if (!(f = fopen(path, "re")))
		return;
	out_obj_open("status");
	out_text("status:\n");
	while (fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':'), *v;

		if (!colon)
			continue;
		*colon = '\0';
		for (v = colon + 1; *v == ' ' || *v == '\t'; v++)
			;
		v[strcspn(v, "\n")] = '\0';
		for (size_t i = 0; keys[i]; i++) {
			if (strcmp(line, keys[i]))
				continue;
			out_text("  %s: %s\n", keys[i], v);
			if (out_is_json())
				status_json(keys[i], v);
		}
	}
	fclose(f);
	out_obj_close();
}

/* /proc/PID/limits for -j: {"cpu": {"soft", "hard", "unit"}, ...}, in the
 * kernel's order of resources; "unlimited" is null. */
static void
limits(pid_t pid)
{
	static const char *const names[] = { "cpu", "fsize", "data", "stack", "core", "rss",
		"nproc", "nofile", "memlock", "as", "locks", "sigpending", "msgqueue", "nice",
		"rtprio", "rttime" };
	char path[64], line[512];
	size_t soft = 0, hard = 0, unit = 0, i = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/limits", (int)pid);
	out_obj_open("limits");
	out_text("limits:\n");
	if ((f = fopen(path, "re"))) {
		while (fgets(line, sizeof(line), f)) {
			char *u;
			size_t len;

			line[strcspn(line, "\n")] = '\0';
			out_text("  %s\n", line);
			len = strlen(line);
			if (!soft) {
				/* the header says where the columns are */
				char *s = strstr(line, "Soft Limit"), *h = strstr(line, "Hard Limit");

				u = strstr(line, "Units");
				if (!s || !h || !u)
					break;
				soft = (size_t)(s - line);
				hard = (size_t)(h - line);
				unit = (size_t)(u - line);
				continue;
			}
			if (i >= sizeof(names) / sizeof(names[0]) || len < hard)
				break;
			out_obj_open(names[i++]);
			for (int k = 0; k < 2; k++) {
				const char *v = line + (k ? hard : soft);

				if (!strncmp(v, "unlimited", 9))
					out_null(k ? "hard" : "soft");
				else
					out_u64(k ? "hard" : "soft", NULL, strtoull(v, NULL, 10));
			}
			u = len > unit ? line + unit : line + len;
			u[strcspn(u, " ")] = '\0';
			if (*u)
				out_str("unit", NULL, u);
			else
				out_null("unit");
			out_obj_close();
		}
		fclose(f);
	}
	out_obj_close();
}

/* /proc/PID/cgroup for -j: [{"hierarchy", "controllers": [...], "path"}]. */
static void
cgroups(pid_t pid)
{
	char path[64], line[4096];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)pid);
	out_arr_open("cgroup");
	out_text("cgroup:\n");
	if ((f = fopen(path, "re"))) {
		while (fgets(line, sizeof(line), f)) {
			char *c1, *c2, *tok, *save = NULL;

			line[strcspn(line, "\n")] = '\0';
			out_text("  %s\n", line);
			if (!(c1 = strchr(line, ':')) || !(c2 = strchr(c1 + 1, ':')))
				continue;
			*c1 = *c2 = '\0';
			out_obj_open(NULL);
			out_u64("hierarchy", NULL, strtoull(line, NULL, 10));
			out_arr_open("controllers");
			for (tok = strtok_r(c1 + 1, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
				out_str(NULL, NULL, tok);
			out_arr_close();
			out_str("path", NULL, c2 + 1);
			out_obj_close();
		}
		fclose(f);
	}
	out_arr_close();
}

static void
links(pid_t pid, const char *dir, const char *key, bool numeric)
{
	char path[64], lp[400], target[4096];
	struct dirent *de;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, dir);
	out_arr_open(key);
	out_text("%s:\n", key);
	if ((d = opendir(path))) {
		while ((de = readdir(d))) {
			ssize_t n;

			if (de->d_name[0] == '.')
				continue;
			snprintf(lp, sizeof(lp), "%s/%s", path, de->d_name);
			if ((n = readlink(lp, target, sizeof(target) - 1)) < 0)
				continue;
			target[n] = '\0';
			out_obj_open(NULL);
			if (numeric) {
				out_i64("fd", "  %lld", strtol(de->d_name, NULL, 10));
				out_str("target", " -> %s\n", target);
			} else {
				/* "net:[4026531840]": the namespace's inode */
				const char *ino = strchr(target, '[');

				out_str("name", "  %s", de->d_name);
				out_text(" -> %s\n", target);
				out_u64("inode", NULL, ino ? strtoull(ino + 1, NULL, 10) : 0);
			}
			out_obj_close();
		}
		closedir(d);
	}
	out_arr_close();
}

static int
cmd_proc_info(int argc, char **argv, struct osl_ctx *ctx)
{
	const struct osl_error *err;
	struct osl_procinfo pi;
	pid_t pid;
	int st;

	(void)ctx;
	if ((st = cli_parse(cli_verb, &argc, &argv)) != -1)
		return st;
	if (argc != 1)
		return cli_usage("one PID is needed");
	if (!parse_pid(argv[0], &pid))
		return cli_usage("'%s': not a process id", argv[0]);
	if ((err = osl_proc_read(pid, &pi)))
		return cli_error(err);
	print_proc(&pi, true);
	status_lines(pid);
	limits(pid);
	cgroups(pid);
	links(pid, "ns", "namespaces", false);
	links(pid, "fd", "fds", true);
	out_obj_close();
	return 0;
}

/* --------------------------------------------------------------- kill --- */

/* osl(1) SIGNALS, and kill(1)'s 0: is the process there, may it be
 * signalled */
static bool
parse_signal(const char *s, int *sig)
{
	*sig = strcmp(s, "0") ? osl_parse_signal(s) : 0;
	return *sig || !strcmp(s, "0");
}

static void
scope_words(unsigned bits, char *buf, size_t size)
{
	static const char *const w[] = { "self", "children", "same-user", "any" };
	size_t off = 0;

	buf[0] = '\0';
	for (int i = 0; i < 4; i++)
		if (bits & (1u << i) && off < size)
			off += (size_t)snprintf(buf + off, size - off, "%s%s", off ? ", " : "", w[i]);
	if (!off)
		snprintf(buf, size, "nothing");
}

/* One entry of kill's document: {"pid", "signal"} and, when it failed,
 * "error" (and "rule"); the message on stderr.  Returns the status. */
static int
kill_entry(pid_t pid, int sig, const struct osl_error *err)
{
	int status = err ? cli_error(err) : 0;

	out_obj_open(NULL);
	out_i64("pid", NULL, pid);
	out_i64("signal", NULL, sig);
	out_error(err);
	out_obj_close();
	return status;
}

static int
kill_one(struct osl_ctx *ctx, const struct osl_policy *p, const struct osl_procinfo *v, size_t n,
    const char *arg, int sig)
{
	const struct osl_error *err;
	const struct osl_procinfo *t = NULL;
	struct osl_op op;
	unsigned bits;
	pid_t pid;
	int status = 0;

	if (!parse_pid(arg, &pid))
		return cli_usage("'%s': not a process id", arg);
	for (size_t i = 0; i < n; i++)
		if (v[i].pid == pid)
			t = &v[i];
	if (!t) {
		struct osl_error gone;

		osl_error_keep(&gone, osl_error_new(OSL_EFAIL, "'%s': no such process", arg));
		gone.sys_errno = ESRCH;
		return kill_entry(pid, sig, &gone);
	}
	bits = osl_proc_signal_scope(getpid(), getuid(), v, n, t);
	osl_op_init(&op, OSL_ACT_PROC_SIGNAL, arg);
	op.req.access = OSL_ACCESS_SIGNAL;
	op.req.signal = bits & ~(unsigned)OSL_SIGNAL_ANY;
	cJSON_AddNumberToObject(osl_log_obj(op.fields, "osl"), "target_pid", pid);
	cJSON_AddNumberToObject(osl_log_obj(op.fields, "osl"), "signal_number", sig);
	err = osl_op_begin(ctx, &op);
	/* proc.signal decides (policy.h: signal_scope); the pipeline logs it */
	if (!err && !(bits & p->signal_scope) && !op.decision.audit) {
		struct osl_error denied;
		char allow[64], is[64];

		scope_words(p->signal_scope, allow, sizeof(allow));
		scope_words(bits & ~(unsigned)OSL_SIGNAL_ANY, is, sizeof(is));
		osl_error_keep(&denied, osl_error_new(OSL_EDENIED, "'%s': denied by policy "
		    "(proc.signal allows %s; the target is %s)", arg, allow,
		    bits & ~(unsigned)OSL_SIGNAL_ANY ? is : "another user's"));
		snprintf(denied.rule, sizeof(denied.rule), "proc.signal");
		osl_op_end(ctx, &op, &denied);
		status = kill_entry(pid, sig, &denied);
		goto done;
	}
	if (err) {
		char allow[64];

		scope_words(p->signal_scope, allow, sizeof(allow));
		status = kill_entry(pid, sig, osl_error_wrap(err, "%s; proc.signal allows %s",
		    err->msg, allow));
		goto done;
	}
	if (kill(pid, sig) == -1)
		err = osl_error_sys(OSL_EFAIL, errno, "'%s'", arg);
	status = kill_entry(pid, sig, osl_op_end(ctx, &op, err));
done:
	osl_op_release(&op);
	return status;
}

static int
cmd_proc_kill(int argc, char **argv, struct osl_ctx *ctx)
{
	const struct osl_error *err;
	struct osl_procinfo *v;
	struct osl_policy *p;
	int sig, status;
	size_t n;

	if ((status = cli_parse(cli_verb, &argc, &argv)) >= 0)
		return status;
	status = 0;
	sig = kill_signal;
	if (argc < 1)
		return cli_usage("a PID is needed");
	for (int i = 0; i < argc; i++) {
		pid_t pid;

		if (!parse_pid(argv[i], &pid))
			return cli_usage("'%s': not a process id", argv[i]);
	}
	if ((err = osl_ctx_policy(ctx, &p)))
		return cli_error(err);
	if ((err = osl_proc_list(&v, &n)))
		return cli_error(err);
	out_arr_open(NULL);
	for (int i = 0; i < argc; i++) {
		int s = kill_one(ctx, p, v, n, argv[i], sig);

		if (s == OSL_EDENIED || (s && !status))
			status = s;
	}
	out_arr_close();
	free(v);
	return status;
}
