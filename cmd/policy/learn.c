/* osl policy learn: run a command under observation and write the policy
 * it needs (-o), or say what it does that a policy does not allow (--diff). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "net/net.h"
#include "policy-int.h"
#include "proc/learn.h"
#include "sandbox/sandbox.h"
#include "proc/proc.h"
#include "util/strbuf.h"

extern char **environ;

static struct {
	const char *out, *base, *diff;
	bool secrets;
} learn_opt = { .secrets = true };
const struct osl_opt policy_learn_opts[] = {
	OPT_STRING('o', "output", &learn_opt.out, "FILE", "write the learned policy to FILE (- for stdout)", "file"),
	OPT_STRING(0, "base", &learn_opt.base, "POLICY", "extend POLICY (a file or builtin:NAME)", "policy"),
	OPT_STRING(0, "diff", &learn_opt.diff, "FILE", "run the command under FILE, enforced, and report "
	    "what it needs that FILE does not allow (exit 1 if anything)", "file"),
	OPT_CLEAR(0, "no-secrets", &learn_opt.secrets,
	    "do not extend builtin:secrets (the shipped denies of keys and tokens)"),
	OPT_END
};

static const char *const kind_action[] = {
	[OSL_SEEN_READ] = "fs.read", [OSL_SEEN_WRITE] = "fs.write", [OSL_SEEN_MKDIR] = "fs.write",
	[OSL_SEEN_EXEC] = "fs.exec", [OSL_SEEN_CONNECT] = "net.connect", [OSL_SEEN_BIND] = "net.bind",
	[OSL_SEEN_RESOLVE] = NULL,	/* net.resolve is one setting: checked below */
};

/* A peak above the policy's limit: the run would fail under it. */
static size_t
limit_drift(const char *key, uint64_t peak, uint64_t limit)
{
	char what[96];

	if (limit == OSL_LIMIT_UNSET || peak <= limit)
		return 0;
	snprintf(what, sizeof(what), "%s: the run needed %llu or more, the limit is %llu", key,
	    (unsigned long long)peak, (unsigned long long)limit);
	out_obj_open(NULL);
	out_str("action", "%s: ", "proc.limits");
	out_str("reason", "%s\n", what);
	out_obj_close();
	return 1;
}

/* Every observation the policy would deny: drift. */
static int
report_drift(const struct osl_learn *l, const struct osl_policy *p)
{
	size_t ndrift = 0;

	out_obj_open(NULL);
	out_str("policy", NULL, p->source);
	out_arr_open("drift");
	for (size_t i = 0; i < l->n; i++) {
		const struct osl_seen *s = &l->seen[i];
		enum osl_access acc;
		struct osl_request rq;
		struct osl_decision d;
		char buf[PATH_MAX + 64], reason[512];

		if (!kind_action[s->kind] || !osl_action_access(kind_action[s->kind], &acc) ||
		    osl_request_from_target(acc, s->what, &rq, buf, sizeof(buf)))
			continue;
		osl_policy_decide(p, &rq, &d);
		/* refused by the kernel: drift whatever the policy says (a
		 * rule on a path missing at the start allows nothing) */
		if (!s->refused && d.verdict == OSL_ALLOW && !d.audit)
			continue;
		/* in the child's own /tmp (proc.tmp: private) a path is not the
		 * one here, nor ${TMPDIR} the same: the kernel's word is all */
		if (!s->refused && p->tmp == OSL_TMP_PRIVATE && rq.path &&
		    osl_sandbox_private_path(rq.path))
			continue;
		ndrift++;
		osl_decision_reason(p, &d, reason, sizeof(reason));
		out_obj_open(NULL);
		out_str("action", "%s ", kind_action[s->kind]);
		out_str("target", "%s", s->what);
		out_str("by", " (by %s)", s->by);
		out_bool("refused", s->refused ? " refused by the kernel" : NULL, s->refused);
		out_str("reason", ": %s\n", reason);
		out_obj_close();
	}
	if (l->resolved && !p->net_resolve) {
		ndrift++;
		out_obj_open(NULL);
		out_str("action", "%s: ", "net.resolve");
		out_str("reason", "%s\n", "the run resolved names; the policy has net.resolve: false");
		out_obj_close();
	}
	ndrift += limit_drift("memory", l->peak_vm, p->limits.memory);
	ndrift += limit_drift("nofile", l->nofile_hit && p->limits.nofile != OSL_LIMIT_UNSET ?
	    p->limits.nofile + 1 : l->peak_fd, p->limits.nofile);
	if (p->limits.wall_ns != OSL_LIMIT_UNSET)
		ndrift += limit_drift("wall", l->duration_ns, p->limits.wall_ns);
	if (l->status) {
		char what[96];

		ndrift++;
		snprintf(what, sizeof(what), "the command exited with %d under the policy", l->status);
		out_obj_open(NULL);
		out_str("action", "%s: ", "proc.exit");
		out_str("reason", "%s\n", what);
		out_obj_close();
	}
	out_arr_close();
	out_u64("count", "# %llu", ndrift);
	out_text(" %s\n", ndrift == 1 ? "thing the policy does not allow" :
	    "things the policy does not allow");
	out_obj_close();
	return ndrift ? 1 : 0;
}

/* The names the run resolved, resolved again here: {address, name} pairs
 * for the addresses it connected to, so a connect rule can name the host
 * (a name that no longer resolves to the address keeps the address). */
static const struct osl_error *
names_by_address(struct osl_ctx *ctx, const struct osl_learn *l, char *(**out)[2], size_t *n)
{
	char *(*v)[2] = NULL;
	size_t cap = 0;

	*n = 0;
	for (size_t i = 0; i < l->n; i++) {
		struct osl_net_addrs as;
		char a[INET6_ADDRSTRLEN];

		if (l->seen[i].kind != OSL_SEEN_RESOLVE ||
		    osl_net_resolve(ctx, l->seen[i].what, 0, 0, true, &as))
			continue;
		for (size_t k = 0; k < as.n; k++) {
			bool connected = false;

			if (!osl_net_ntop((const struct sockaddr *)&as.sa[k], a, sizeof(a)))
				continue;
			for (size_t j = 0; j < l->n && !connected; j++) {
				const char *w = l->seen[j].what, *c = strrchr(w, ':');
				size_t al = strlen(a);

				if (l->seen[j].kind != OSL_SEEN_CONNECT || !c)
					continue;
				connected = (w[0] == '[') ? (size_t)(c - w) == al + 2 &&
				    !strncmp(w + 1, a, al) : (size_t)(c - w) == al && !strncmp(w, a, al);
			}
			if (!connected)
				continue;
			if (*n == cap) {
				char *(*t)[2];

				cap = cap ? cap * 2 : 8;
				if (!(t = reallocarray(v, cap, sizeof(*v))))
					goto nomem;
				v = t;
			}
			v[*n][0] = strdup(a);
			v[*n][1] = strdup(l->seen[i].what);
			(*n)++;
			if (!v[*n - 1][0] || !v[*n - 1][1])
				goto nomem;
		}
	}
	*out = v;
	return NULL;
nomem:
	*out = v;
	return osl_error_nomem();
}

/* FILE.tmp then rename: a reader never sees half a policy. */
static const struct osl_error *
write_file(const char *path, const struct strbuf *sb)
{
	char tmp[PATH_MAX];
	FILE *f;

	struct stat st;

	if (!strcmp(path, "-")) {
		fwrite(sb_str(sb), 1, sb->len, stdout);
		return NULL;
	}
	/* a device or a pipe (/dev/null, a fifo) is written in place: a
	 * rename would replace the node itself */
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		if (!(f = fopen(path, "we")))
			return osl_error_sys(OSL_EFAIL, errno, "cannot open '%s'", path);
		if (fwrite(sb_str(sb), 1, sb->len, f) != sb->len || fclose(f)) {
			int e = errno;

			return osl_error_sys(OSL_EFAIL, e, "cannot write '%s'", path);
		}
		return NULL;
	}
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp))
		return osl_error_new(OSL_EINPUT, "'%s': name too long", path);
	if (!(f = fopen(tmp, "we")))
		return osl_error_sys(OSL_EFAIL, errno, "cannot create '%s'", tmp);
	if (fwrite(sb_str(sb), 1, sb->len, f) != sb->len || fflush(f) || fsync(fileno(f))) {
		int e = errno;

		fclose(f);
		unlink(tmp);
		return osl_error_sys(OSL_EFAIL, e, "cannot write '%s'", tmp);
	}
	if (fclose(f) || rename(tmp, path)) {
		int e = errno;

		unlink(tmp);
		return osl_error_sys(OSL_EFAIL, e, "cannot write '%s'", path);
	}
	return NULL;
}

int
cmd_policy_learn(int argc, char **argv, struct osl_ctx *ctx)
{
	const struct osl_error *err = NULL;
	struct osl_policy *base = NULL, *check = NULL, *diff = NULL;
	struct osl_learn l = { 0 };
	struct osl_spawn sp = { 0 };
	struct strbuf sb = STRBUF_INIT;
	char path[PATH_MAX], base_abs[PATH_MAX], cwd[PATH_MAX];
	char **env = NULL, **run_argv = NULL, *(*names)[2] = NULL;
	size_t nnames = 0;
	const char *out, *base_path, *diff_path;
	bool secrets;
	int status;

	if ((status = cli_parse(cli_verb, &argc, &argv)) >= 0)
		return status;
	status = 0;
	out = learn_opt.out;
	base_path = learn_opt.base;
	diff_path = learn_opt.diff;
	secrets = learn_opt.secrets;
	if (!out == !diff_path)
		return cli_usage("one of -o FILE and --diff FILE is needed");
	if (diff_path && base_path)
		return cli_usage("--base goes with -o, not --diff");
	if (argc < 1)
		return cli_usage("a command is needed: osl policy learn -o FILE -- CMD [ARGS]");
	if (!getcwd(cwd, sizeof(cwd)))
		return cli_error(osl_error_sys(OSL_EFAIL, errno, "getcwd"));

	/* the policies first: a typo should not cost a whole run */
	if (base_path) {
		if ((err = osl_policy_load(&base, base_path, &ctx->env)))
			goto bad_policy;
		if (strncmp(base_path, "builtin:", 8) && !realpath(base_path, base_abs)) {
			err = osl_error_sys(OSL_EINPUT, errno, "'%s'", base_path);
			goto done;
		}
	}
	if (diff_path && (err = osl_policy_load(&diff, diff_path, &ctx->env)))
		goto bad_policy;
	if (diff) {
		/* step 2 itself, observed: `osl -p FILE proc run -- CMD` */
		char pol[PATH_MAX];
		ssize_t n;

		if ((n = readlink("/proc/self/exe", path, sizeof(path) - 1)) <= 0) {
			err = osl_error_sys(OSL_EFAIL, errno, "cannot find osl itself");
			goto done;
		}
		path[n] = '\0';
		if (strncmp(diff_path, "builtin:", 8) && !realpath(diff_path, pol)) {
			err = osl_error_sys(OSL_EINPUT, errno, "'%s'", diff_path);
			goto done;
		}
		if (!(run_argv = calloc((size_t)argc + 7, sizeof(*run_argv)))) {
			err = osl_error_nomem();
			goto done;
		}
		run_argv[0] = path;
		run_argv[1] = "-p";
		run_argv[2] = strncmp(diff_path, "builtin:", 8) ? pol : (char *)diff_path;
		run_argv[3] = "proc";
		run_argv[4] = "run";
		run_argv[5] = "--";
		for (int i = 0; i < argc; i++)
			run_argv[6 + i] = argv[i];
		if (!(run_argv[2] = strdup(run_argv[2]))) {
			err = osl_error_nomem();
			goto done;
		}
		l.enforced = true;
	} else if ((err = osl_proc_which(argv[0], getenv("PATH"), path, sizeof(path))))
		goto done;
	/* the environment `osl proc run` would give it */
	if ((err = osl_proc_env(&env, environ, base ? (const char *const *)base->env_keep : NULL,
	    base ? base->nenv_keep : 0, NULL, 0)))
		goto done;
	sp.path = path;
	sp.argv = run_argv ? run_argv : argv;
	/* --diff: `osl proc run` gives the command the environment it would */
	sp.envp = run_argv ? environ : env;
	sp.setsid = false;	/* stays in the terminal's group: ^C reaches it */
	if ((err = osl_proc_learn(&sp, &l)))
		goto done;

	if (diff) {
		status = report_drift(&l, diff);
		goto done;
	}
	if ((err = names_by_address(ctx, &l, &names, &nnames)))
		goto done;
	{
		struct osl_learn_emit o = {
			.addr_names = names, .naddr_names = nnames,
			.home = ctx->env.home, .pwd = cwd, .tmpdir = ctx->env.tmpdir,
			.extends = base_path ? (strncmp(base_path, "builtin:", 8) ? base_abs : base_path) : NULL,
			.base = base, .argv = argv, .secrets = secrets,
		};

		if ((err = osl_learn_to_yaml(&l, &o, &sb)))
			goto done;
	}
	/* what we write must load: check it before anyone relies on it */
	if ((err = osl_policy_load_buf(&check, out, sb_str(&sb), sb.len, &ctx->env)))
		goto done;
	if ((err = write_file(out, &sb)))
		goto done;
	/* the workspace inside HOME or TMPDIR: kept a rule of its own, but a
	 * reader should know why ${PWD} is not covered by the wider tree */
	for (size_t i = 0; cli_verbosity >= 0 && i < 2; i++) {
		const char *d = !i ? ctx->env.home : ctx->env.tmpdir && *ctx->env.tmpdir ?
		    ctx->env.tmpdir : "/tmp";	/* as the policy has it (learn-policy.c) */
		size_t n = d ? strlen(d) : 0;

		if (n > 1 && !strncmp(cwd, d, n) && cwd[n] == '/')
			cli_warn("the workspace %s lies inside ${%s} (%s): its rules are ${PWD}'s, "
			    "kept apart from ${%s}'s", cwd, i ? "TMPDIR" : "HOME", d, i ? "TMPDIR" : "HOME");
	}
	if (cli_verbosity >= 0 && strcmp(out, "-"))
		fprintf(stderr, "%s: wrote '%s': %zu rules from %zu observations; the command "
		    "exited with %d\n", cli_cmdpath, out, check->nrules, l.n, l.status);
	if (strcmp(out, "-")) {
		out_obj_open(NULL);
		out_str("output", NULL, out);
		out_u64("rules", NULL, check->nrules);
		out_u64("observations", NULL, l.n);
		out_i64("status", NULL, l.status);
		out_obj_close();
	}
	/* the command's own failure is the result, as with `osl proc run` */
	status = l.status;
	goto done;
bad_policy:
	/* unreadable or invalid: bad input, as for `osl policy check` */
	cli_error(err);
	err = NULL;
	status = OSL_EINPUT;
done:
	if (err)
		status = cli_error(err);
	sb_release(&sb);
	osl_learn_release(&l);
	osl_proc_env_free(env);
	for (size_t i = 0; i < nnames; i++) {
		free(names[i][0]);
		free(names[i][1]);
	}
	free(names);
	if (run_argv)
		free(run_argv[2]);
	free(run_argv);
	osl_policy_free(base);
	osl_policy_free(check);
	osl_policy_free(diff);
	return status;
}
