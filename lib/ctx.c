#include "ctx.h"
#include "fs/fs.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/utsname.h>

void
osl_ctx_init(struct osl_ctx *ctx, const struct osl_ctx_opts *opts)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->opts = *opts;
	ctx->env.home = getenv("HOME");
	ctx->env.pwd = getenv("PWD");
	ctx->env.tmpdir = getenv("TMPDIR");
	ctx->env.user = getenv("USER");
	ctx->env.xdg_config_home = getenv("XDG_CONFIG_HOME");
	ctx->env.xdg_state_home = getenv("XDG_STATE_HOME");
	ctx->env.xdg_runtime_dir = getenv("XDG_RUNTIME_DIR");
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
	if (!ctx->env.home || !*ctx->env.home)
		ctx->env.home = "/";
	if (!ctx->env.tmpdir || !*ctx->env.tmpdir)
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
	if ((s = ctx->env.xdg_config_home) && *s == '/')
		snprintf(buf, size, "%s/osl/policy.yaml", s);
	else
		snprintf(buf, size, "%s/.config/osl/policy.yaml", ctx->env.home);
	if (access(buf, F_OK) == 0)
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
		err = osl_policy_load(&ctx->policy, osl_ctx_policy_path(ctx, buf, sizeof(buf)),
		    &ctx->env);
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
	if ((err = osl_log_open(&ctx->log, &cfg, &ctx->id)))
		return err;
	*out = ctx->log;
	return NULL;
}
