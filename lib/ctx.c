#include "ctx.h"
#include "fs/fs.h"

#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/utsname.h>

/* XDG base directories: empty or relative is unset (the XDG Base Directory
 * specification), so the default under $HOME applies. */
static const char *
xdg_env(const char *name)
{
	const char *s = getenv(name);

	return s && s[0] == '/' ? s : NULL;
}

/* The account of the real uid in the password database: its home and
 * name (osl_policy_env.account_home), NULL members when it has none. */
static void
account(const char **home, const char **user)
{
	static char h[4096], u[256];
	struct passwd *pw;

	*home = *user = NULL;
	if ((pw = getpwuid(getuid())) == NULL)
		return;
	if (pw->pw_dir && *pw->pw_dir && strlen(pw->pw_dir) < sizeof(h)) {
		memcpy(h, pw->pw_dir, strlen(pw->pw_dir) + 1);
		*home = h;
	}
	if (pw->pw_name && *pw->pw_name && strlen(pw->pw_name) < sizeof(u)) {
		memcpy(u, pw->pw_name, strlen(pw->pw_name) + 1);
		*user = u;
	}
}

/* Where PATH leads, symlinks resolved: realpath() of the longest part that
 * exists, the rest as written ("/nonexistent" stays itself). */
static const char *
resolve_once(const char *path, char *buf, size_t size)
{
	char head[PATH_MAX], real[PATH_MAX];
	size_t n = strlen(path);
	char *cut;

	if (path[0] != '/' || n >= sizeof(head))
		return NULL;
	memcpy(head, path, n + 1);
	for (;;) {
		if (realpath(head, real) != NULL)
			break;
		if ((errno != ENOENT && errno != ENOTDIR) || (cut = strrchr(head, '/')) == NULL ||
		    cut == head)
			return NULL;
		*cut = '\0';
	}
	n = strlen(head);
	if ((size_t)snprintf(buf, size, "%s%s", strcmp(real, "/") || !path[n] ? real : "",
	    path + n) >= size)
		return NULL;
	return buf;
}

/* Where each path led, for the time of one policy load (osl_ctx_policy):
 * the checks of its variables ask for ${HOME} and the others once per rule
 * and again for the table of variables, and a realpath() is a readlink per
 * folder on the way.  Each load looks anew. */
static __thread struct memo {
	char *path, *real;	/* REAL NULL: it could not be resolved */
} *memo;
static __thread size_t nmemo;
static __thread bool memo_on;

static void
memo_end(void)
{
	for (size_t i = 0; i < nmemo; i++) {
		free(memo[i].path);
		free(memo[i].real);
	}
	free(memo);
	memo = NULL;
	nmemo = 0;
	memo_on = false;
}

static const char *
resolve_path(const char *path, char *buf, size_t size)
{
	const char *r;
	struct memo *m;

	for (size_t i = 0; memo_on && i < nmemo; i++)
		if (!strcmp(memo[i].path, path)) {
			if (!memo[i].real || strlen(memo[i].real) >= size)
				return NULL;
			memcpy(buf, memo[i].real, strlen(memo[i].real) + 1);
			return buf;
		}
	r = resolve_once(path, buf, size);
	if (memo_on && (m = reallocarray(memo, nmemo + 1, sizeof(*memo))) != NULL) {
		memo = m;
		m = &memo[nmemo];
		m->path = strdup(path);
		m->real = r ? strdup(r) : NULL;
		if (m->path && (!r || m->real))
			nmemo++;
		else {		/* out of memory: not remembered */
			free(m->path);
			free(m->real);
		}
	}
	return r;
}

void
osl_ctx_init(struct osl_ctx *ctx, const struct osl_ctx_opts *opts)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->opts = *opts;
	account(&ctx->env.account_home, &ctx->env.account_user);
	/* HOME unset or empty: the account's home (a cron job, `env -i`, a
	 * service), never "/" by default */
	ctx->env.home = getenv("HOME");
	if (!ctx->env.home || !*ctx->env.home)
		ctx->env.home = ctx->env.account_home;
	ctx->env.pwd = getenv("PWD");
	ctx->env.tmpdir = getenv("TMPDIR");
	ctx->env.user = getenv("USER");
	ctx->env.xdg_config_home = xdg_env("XDG_CONFIG_HOME");
	ctx->env.xdg_state_home = xdg_env("XDG_STATE_HOME");
	ctx->env.xdg_runtime_dir = xdg_env("XDG_RUNTIME_DIR");
	ctx->env.real_path = resolve_path;
	/* rules name real paths, as requests do (man/osl-proc.1, RULE PATHS) */
	ctx->env.resolve = osl_fs_rule_resolve;
	/* $PWD may be stale or a lie; the kernel's answer is the truth */
	{
		static char cwd[4096];
		if (getcwd(cwd, sizeof(cwd)))
			ctx->env.pwd = cwd;
	}
	{
		static char uid[16];
		snprintf(uid, sizeof(uid), "%u", (unsigned)getuid());
		ctx->env.uid = uid;
	}
	if (ctx->env.tmpdir && !*ctx->env.tmpdir)
		ctx->env.tmpdir = NULL;
}

void
osl_ctx_release(struct osl_ctx *ctx)
{
	osl_log_close(ctx->log);
	osl_policy_free(ctx->policy);
	ctx->log = NULL;
	ctx->policy = NULL;
}

const char *
osl_ctx_policy_path(const struct osl_ctx *ctx, char *buf, size_t size)
{
	const char *s;

	if (ctx->opts.policy_path)
		return ctx->opts.policy_path;
	if ((s = getenv("OSL_POLICY")) && *s)
		return s;
	/* absolute folders only: a relative one would search the current folder */
	if ((s = ctx->env.xdg_config_home) && *s == '/')
		snprintf(buf, size, "%s/osl/policy.yaml", s);
	else if ((s = ctx->env.home) && *s == '/')
		snprintf(buf, size, "%s/.config/osl/policy.yaml", s);
	else
		*buf = '\0';
	if (*buf && access(buf, F_OK) == 0)
		return buf;
	if (access("/etc/osl/policy.yaml", F_OK) == 0)
		return "/etc/osl/policy.yaml";
	return "builtin:default";
}

const struct osl_error *
osl_ctx_policy(struct osl_ctx *ctx, struct osl_policy **out)
{
	const struct osl_error *err;
	char buf[4096];

	if (!ctx->policy) {
		memo_on = true;
		err = osl_policy_load(&ctx->policy, osl_ctx_policy_path(ctx, buf, sizeof(buf)),
		    &ctx->env);
		memo_end();
		if (err)
			return err;
		if (ctx->opts.audit)
			ctx->policy->mode = OSL_MODE_AUDIT;
	}
	*out = ctx->policy;
	return NULL;
}

const struct osl_error *
osl_ctx_log(struct osl_ctx *ctx, struct osl_log **out)
{
	const struct osl_error *err;
	struct osl_policy *p;
	struct osl_log_config cfg;
	struct utsname u;
	ssize_t n;

	if (ctx->log) {
		*out = ctx->log;
		return NULL;
	}
	if ((err = osl_ctx_policy(ctx, &p)))
		return err;
	cfg = p->log;
	if (ctx->opts.log_sink)
		cfg.sink = (char *)ctx->opts.log_sink;
	ctx->id.pid = getpid();
	ctx->id.ppid = getppid();
	ctx->id.uid = getuid();
	n = readlink("/proc/self/exe", ctx->exe, sizeof(ctx->exe) - 1);
	ctx->exe[n > 0 ? n : 0] = '\0';
	ctx->id.executable = ctx->exe;
	ctx->id.argc = ctx->opts.argc;
	ctx->id.argv = ctx->opts.argv;
	if (uname(&u) == 0)
		snprintf(ctx->hostname, sizeof(ctx->hostname), "%s", u.nodename);
	ctx->id.hostname = ctx->hostname;
	/* a read-only root (a container's) needs to know where else to log */
	if ((err = osl_log_open(&ctx->log, &cfg, &ctx->id)))
		return err->status == OSL_EINPUT ? err : osl_error_new(err->status,
		    "the activity log: %s (-l stderr or -l none send the records elsewhere)",
		    err->msg);
	*out = ctx->log;
	return NULL;
}
