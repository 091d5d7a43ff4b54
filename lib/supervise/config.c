/* Loading a supervision tree from YAML.  The parser is the policy's
 * (ydoc_parse: every limit checked, line and column kept), so a bad file gets
 * the same FILE:LINE:COL messages as a bad policy. */
#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "proc/proc.h"
#include "sandbox/unixconn.h"
#include "supervise/config-int.h"
#include "util/parse.h"
#include "util/strbuf.h"

#define CONFIG_MAX_SIZE (1 << 20)
#define REPLICAS_MAX 1000

static void
free_argv(char **argv)
{
	for (size_t j = 0; argv && argv[j]; j++)
		free(argv[j]);
	free(argv);
}

static const struct osl_error *
add_set(const char ***sets, size_t *nset, const char *name, const char *value)
{
	size_t len = strlen(name) + strlen(value) + 2;
	const char **v;
	char *s;

	if (!(v = realloc(*sets, (*nset + 2) * sizeof(*v))))
		return osl_error_nomem();
	*sets = v;
	if (!(s = malloc(len)))
		return osl_error_nomem();
	snprintf(s, len, "%s=%s", name, value);
	v[(*nset)++] = s;
	return NULL;
}

/* Child ID's program, folder and environment; replicas after the first
 * (SHARE, else OSL_SV_NONE) hold the first one's environment. */
static const struct osl_error *
child_exec(struct load *l, const struct ynode *m, size_t id, size_t share)
{
	struct osl_sv_exec *x = &l->c->exec[id];
	const struct osl_sv_child *ch = &l->c->child[id];
	const struct ynode *cmd = ymap_get(m, "cmd"), *env, *set, *cwd;
	const struct osl_error *err = NULL;
	const char **sets = NULL;
	size_t nset = 0;

	if (!cmd)
		return err_node(l->file, m, "a child needs 'cmd' (or 'supervisor')");
	if ((err = osl_svc_cmd(l, cmd, "cmd", (char ***)&x->argv, (char **)&x->path)))
		return err;
	if ((cwd = ymap_get(m, "cwd"))) {
		if ((err = osl_svc_want(l, cwd, Y_SCALAR, "cwd")))
			return err;
		if (!(x->cwd = strdup(cwd->str)))
			return osl_error_nomem();
	}
	if (share != OSL_SV_NONE) {
		x->envp = l->c->exec[share].envp;
		x->env_refs = l->c->exec[share].env_refs;
		++*x->env_refs;
		return NULL;
	}
	if (!(x->env_refs = calloc(1, sizeof(*x->env_refs))))
		return osl_error_nomem();
	*x->env_refs = 1;
	/* a sandboxed child's environment is its policy's, as for `proc run`,
	 * with TMPDIR in its private /tmp (proc.tmp) */
	/* systemd's socket activation (listen.h) */
	if (ch->nlisten) {
		char *le[3];

		if ((err = osl_sv_listen_env(ch->listen, ch->nlisten, le)))
			goto done;
		for (size_t i = 0; i < 3 && !err; i++) {
			char *eq = strchr(le[i], '=');

			*eq = '\0';
			err = add_set(&sets, &nset, le[i], eq + 1);
		}
		for (size_t i = 0; i < 3; i++)
			free(le[i]);
		if (err)
			goto done;
	}
	if (ch->policy && ch->sb.tmp_dirs && (err = add_set(&sets, &nset, "TMPDIR",
	    ch->sb.tmp_sub ? OSL_TMP_SUB : "/tmp")))
		goto done;
	for (size_t i = 0; ch->policy && i < ch->policy->nenv_set; i++)
		if ((err = add_set(&sets, &nset, ch->policy->env_set[i].key,
		    ch->policy->env_set[i].value)))
			goto done;
	/* a child run as another user gets that user's HOME, USER and LOGNAME */
	if (ch->ids) {
		struct passwd *pw = getpwuid(ch->ids->uid);

		if (pw && ((err = add_set(&sets, &nset, "HOME", pw->pw_dir)) ||
		    (err = add_set(&sets, &nset, "USER", pw->pw_name)) ||
		    (err = add_set(&sets, &nset, "LOGNAME", pw->pw_name))))
			goto done;
	}
	if ((env = ymap_get(m, "env"))) {
		static const char *const ek[] = { "set", NULL };

		if ((err = osl_svc_want(l, env, Y_MAP, "env")) || (err = osl_svc_keys(l, env, ek)))
			goto done;
		if ((set = ymap_get(env, "set"))) {
			if ((err = osl_svc_want(l, set, Y_MAP, "env.set")))
				goto done;
			for (size_t i = 0; i + 1 < set->nkids; i += 2) {
				const struct ynode *k = set->kids[i], *v = set->kids[i + 1];

				if (k->type != Y_SCALAR || v->type != Y_SCALAR || !k->len ||
				    strchr(k->str, '=')) {
					err = err_node(l->file, k, "env.set: NAME: VALUE");
					goto done;
				}
				if ((err = add_set(&sets, &nset, k->str, v->str)))
					goto done;
			}
		}
	}
	/* a supervised service gets the supervisor's environment (or what its
	 * policy keeps of it) and its own settings over it */
	{
		const char *all = "*";

		err = ch->policy ? osl_proc_env((char ***)&x->envp, l->environ_,
		    (const char *const *)ch->policy->env_keep, ch->policy->nenv_keep, sets, nset) :
		    osl_proc_env((char ***)&x->envp, l->environ_, &all, 1, sets, nset);
	}
done:
	for (size_t i = 0; i < nset; i++)
		free((char *)sets[i]);
	free(sets);
	return err;
}

/* ready: { fd: N | notify: true | tcp: HOST:PORT | exec: [CMD...], timeout: D } */
static const struct osl_error *
child_ready(struct load *l, const struct ynode *v, struct osl_sv_child *ch, int *ready_fd)
{
	static const char *const rk[] = { "fd", "notify", "tcp", "exec", "timeout", NULL };
	static const char *const kinds[] = { "fd", "notify", "tcp", "exec" };
	const struct osl_error *err;
	const struct ynode *k = NULL;
	unsigned fd = 0;
	bool notify = false;

	if ((err = osl_svc_want(l, v, Y_MAP, "ready")) || (err = osl_svc_keys(l, v, rk)) ||
	    (err = osl_svc_dur(l, v, "timeout", &ch->ready_timeout_ns)))
		return err;
	if (ymap_get(v, "timeout") && !ch->ready_timeout_ns)
		return err_node(l->file, ymap_get(v, "timeout"), "ready.timeout: more than 0");
	for (size_t i = 0; i < 4; i++) {
		const struct ynode *n = ymap_get(v, kinds[i]);

		if (n && k)
			return err_node(l->file, n, "ready: one of fd, notify, tcp or exec, not two");
		if (n) {
			k = n;
			ch->ready = (enum osl_sv_ready)(OSL_SV_READY_FD + i);
		}
	}
	switch (ch->ready) {
	case OSL_SV_READY_FD:
		if ((err = osl_svc_uint(l, v, "fd", 255, &fd)))
			return err;
		if (fd < 3)
			return err_node(l->file, k, "ready.fd: a descriptor from 3 to 255 is needed");
		*ready_fd = (int)fd;
		return NULL;
	case OSL_SV_READY_NOTIFY:
		if ((err = osl_svc_bool(l, v, "notify", &notify)))
			return err;
		if (!notify)
			return err_node(l->file, k, "ready.notify: true (or leave 'ready' out)");
		return NULL;
	case OSL_SV_READY_TCP:
		if (k->type != Y_SCALAR || osl_net_parse(k->str, true, false, &ch->tcp) ||
		    ch->tcp.family == AF_UNIX)
			return err_node(l->file, k, "ready.tcp: HOST:PORT is needed (e.g. "
			    "127.0.0.1:8080)");
		return NULL;
	case OSL_SV_READY_EXEC:
		return osl_svc_cmd(l, k, "ready.exec", &ch->ready_exec.argv, &ch->ready_exec.path);
	default:
		return err_node(l->file, v, "ready: one of fd, notify, tcp or exec is needed");
	}
}

/* health: { exec: [CMD...], interval: D, timeout: D, retries: N } */
static const struct osl_error *
child_health(struct load *l, const struct ynode *v, struct osl_sv_child *ch)
{
	static const char *const hk[] = { "exec", "interval", "timeout", "retries", NULL };
	const struct osl_error *err;
	const struct ynode *n;

	ch->health_interval_ns = 10000000000ULL;
	ch->health_timeout_ns = 2000000000ULL;
	ch->health_retries = 3;
	if ((err = osl_svc_want(l, v, Y_MAP, "health")) || (err = osl_svc_keys(l, v, hk)) ||
	    (err = osl_svc_dur(l, v, "interval", &ch->health_interval_ns)) ||
	    (err = osl_svc_dur(l, v, "timeout", &ch->health_timeout_ns)) ||
	    (err = osl_svc_uint(l, v, "retries", 1000, &ch->health_retries)))
		return err;
	if (!ch->health_interval_ns || !ch->health_timeout_ns || !ch->health_retries)
		return err_node(l->file, !ch->health_retries ? ymap_get(v, "retries") :
		    ymap_get(v, !ch->health_interval_ns ? "interval" : "timeout"),
		    "health: interval, timeout and retries must be more than 0");
	if (!(n = ymap_get(v, "exec")))
		return err_node(l->file, v, "health: 'exec' is needed");
	return osl_svc_cmd(l, n, "health.exec", &ch->health.argv, &ch->health.path);
}

/* user: NAME or UID[:GID].  Only root can become another user. */
static const struct osl_error *
child_user(struct load *l, const struct ynode *v, struct osl_sv_child *ch)
{
	unsigned long uid, gid;
	struct passwd *pw = NULL;
	int ng = 0;
	char *end;

	if (v->type != Y_SCALAR || !v->len)
		return err_node(l->file, v, "user: a user name or UID[:GID] is needed");
	if (geteuid() != 0)
		return err_node(l->file, v, "user: only root can run a child as another user");
	errno = 0;
	uid = strtoul(v->str, &end, 10);
	if (end != v->str && v->str[0] != '-' && !errno && (*end == '\0' || *end == ':') &&
	    uid < (uid_t)-1) {
		gid = uid;
		if (*end == ':' && (!end[1] || end[1] == '-' ||
		    (gid = strtoul(end + 1, &end, 10), errno || *end || gid >= (gid_t)-1)))
			return err_node(l->file, v, "user: UID[:GID] with numbers below 4294967295");
		if (!strchr(v->str, ':') && (pw = getpwuid((uid_t)uid)))
			gid = pw->pw_gid;
		pw = NULL;
	} else if ((pw = getpwnam(v->str))) {
		uid = pw->pw_uid;
		gid = pw->pw_gid;
		(void)getgrouplist(pw->pw_name, pw->pw_gid, NULL, &ng);
	} else {
		return err_node(l->file, v, "user: '%s': no such user", v->str);
	}
	if (!(ch->ids = calloc(1, sizeof(*ch->ids) + (size_t)(ng > 0 ? ng : 0) * sizeof(gid_t))) ||
	    !(ch->user = strdup(v->str)))
		return osl_error_nomem();
	ch->ids->uid = (uid_t)uid;
	ch->ids->gid = (gid_t)gid;
	if (pw && ng > 0 && getgrouplist(pw->pw_name, pw->pw_gid, ch->ids->groups, &ng) != -1)
		ch->ids->ngroups = (size_t)ng;
	return NULL;
}

/* policy: FILE: loaded and the sandbox prepared now, so a bad policy stops
 * the file before anything starts. */
static const struct osl_error *
child_policy(struct load *l, const struct ynode *v, struct osl_sv_child *ch)
{
	struct osl_sandbox_opts so = { 0 };
	const struct osl_error *err;

	if (v->type != Y_SCALAR || !v->len)
		return err_node(l->file, v, "policy: a file is needed");
	if (!(ch->policy_path = osl_svc_path(l, v->str)))
		return osl_error_nomem();
	if ((err = osl_policy_load(&ch->policy, ch->policy_path, l->penv)))
		return err_node(l->file, v, "policy: %s", err->msg);
	so.limits = ch->policy->limits;
	so.audit = ch->policy->mode == OSL_MODE_AUDIT;
	so.serves = true;	/* its binds on the loopback are for the host */
	so.log_sink = l->log_sink;
	so.unix_decide = true;	/* osl answers its connect(): each spawn's pair (start.c) */
	so.unix_dgram = ch->ready == OSL_SV_READY_NOTIFY;	/* sd_notify's datagram */
	if ((err = osl_sandbox_prepare(&ch->sb, ch->policy, &so)))
		return err_node(l->file, v, "policy: %s", err->msg);
	(void)osl_sandbox_unix_pair(&ch->sb, false);
	return NULL;
}

/* output: log | log:drop | inherit | file:PATH */
static const struct osl_error *
child_output(struct load *l, const struct ynode *v, struct osl_sv_child *ch)
{
	if (v->type == Y_SCALAR && (!strcmp(v->str, "log") || !strcmp(v->str, "log:drop"))) {
		ch->output = OSL_SV_OUT_LOG;
		ch->output_drop = v->str[3] != '\0';
	}
	else if (v->type == Y_SCALAR && !strcmp(v->str, "inherit"))
		ch->output = OSL_SV_OUT_INHERIT;
	else if (v->type == Y_SCALAR && !strncmp(v->str, "file:", 5) && v->str[5])
		ch->output = OSL_SV_OUT_FILE;
	else
		return err_node(l->file, v, "output: log, log:drop, inherit or file:PATH is needed");
	if (ch->output == OSL_SV_OUT_FILE && !(ch->output_path = osl_svc_path(l, v->str + 5)))
		return osl_error_nomem();
	return NULL;
}

/* The node as canonical text: two specs are the same when these are. */
static void
canon(struct strbuf *sb, const struct ynode *n, const char *skip)
{
	switch (n->type) {
	case Y_SCALAR:
		sb_addf(sb, "%zu:", n->len);
		sb_add(sb, n->str, n->len);
		return;
	case Y_SEQ:
		sb_addc(sb, '[');
		for (size_t i = 0; i < n->nkids; i++)
			canon(sb, n->kids[i], NULL);
		sb_addc(sb, ']');
		return;
	default:
		sb_addc(sb, '{');
		for (size_t i = 0; i + 1 < n->nkids; i += 2) {
			if (n->kids[i]->type == Y_SCALAR && (!strcmp(n->kids[i]->str, "replicas") ||
			    (skip && !strcmp(n->kids[i]->str, skip))))
				continue;
			canon(sb, n->kids[i], NULL);
			canon(sb, n->kids[i + 1], NULL);
		}
		sb_addc(sb, '}');
		return;
	}
}

static const struct osl_error *
set_spec(struct osl_sv_child *ch, const struct ynode *m, const char *skip)
{
	struct strbuf sb = STRBUF_INIT;

	canon(&sb, m, skip);
	/* a policy file edited in place is a changed child too */
	if (ch->policy)
		sb_addf(&sb, "policy:%s", ch->policy->hash);
	if (sb.oom || !(ch->spec = sb_detach(&sb))) {
		sb_release(&sb);
		return osl_error_nomem();
	}
	return NULL;
}

/* The keys of a child beyond its command line, into l->c->child[ID]. */
static const struct osl_error *
child_extra(struct load *l, const struct ynode *m, size_t id, int *ready_fd)
{
	struct osl_sv_child *ch = &l->c->child[id];
	const struct osl_error *err = NULL;
	const struct ynode *v;

	if ((v = ymap_get(m, "ready")) && (err = child_ready(l, v, ch, ready_fd)))
		return err;
	if ((v = ymap_get(m, "health")) && (err = child_health(l, v, ch)))
		return err;
	if ((v = ymap_get(m, "output")) && (err = child_output(l, v, ch)))
		return err;
	if ((v = ymap_get(m, "user")) && (err = child_user(l, v, ch)))
		return err;
	if ((v = ymap_get(m, "policy")) && (err = child_policy(l, v, ch)))
		return err;
	if ((v = ymap_get(m, "listen")) && (err = osl_svc_listen(l, v, ch,
	    ymap_get(m, "name")->str)))
		return err;
	/* the sockets are fds 3, 4, ...: s6's readiness fd comes after them */
	if (ch->nlisten && *ready_fd && *ready_fd < 3 + (int)ch->nlisten)
		return err_node(l->file, ymap_get(ymap_get(m, "ready"), "fd"), "ready.fd: above "
		    "the listen sockets (fds 3 to %zu)", 2 + ch->nlisten);
	return set_spec(ch, m, NULL);
}

static const struct osl_error *add_sup(struct load *, const struct ynode *, size_t, const char *,
    const struct osl_sv_spec *, size_t *);

static const struct osl_error *
grow(struct load *l)
{
	struct osl_sv_exec *v;
	struct osl_sv_child *w;

	if (!(v = realloc(l->c->exec, (l->c->tree.n + 1) * sizeof(*v))))
		return osl_error_nomem();
	memset(&v[l->c->tree.n], 0, sizeof(*v));
	l->c->exec = v;
	if (!(w = realloc(l->c->child, (l->c->tree.n + 1) * sizeof(*w))))
		return osl_error_nomem();
	memset(&w[l->c->tree.n], 0, sizeof(*w));
	w[l->c->tree.n].sb.ruleset_fd = -1;
	l->c->child = w;
	return NULL;
}

/* A child's stop: {signal, timeout} and backoff: {...} into S. */
static const struct osl_error *
stop_backoff(struct load *l, const struct ynode *m, struct osl_sv_spec *s)
{
	const struct osl_error *err;
	const struct ynode *v;

	if ((v = ymap_get(m, "stop"))) {
		static const char *const sk[] = { "signal", "timeout", NULL };
		const struct ynode *sig;

		const struct ynode *to = ymap_get(v, "timeout");

		if ((err = osl_svc_want(l, v, Y_MAP, "stop")) || (err = osl_svc_keys(l, v, sk)))
			return err;
		/* OTP's shutdown: infinity: no SIGKILL after the stop signal */
		if (to && to->type == Y_SCALAR && !strcmp(to->str, "infinity"))
			s->stop_timeout_ns = OSL_SV_INFINITY;
		else if ((err = osl_svc_dur(l, v, "timeout", &s->stop_timeout_ns)))
			return err;
		if ((sig = ymap_get(v, "signal")) && sig->type != Y_SCALAR)
			return err_node(l->file, sig, "stop.signal: a signal is needed ("
			    OSL_SIGNAL_WORDS ")");
		if (sig && !(s->stop_signal = osl_parse_signal(sig->str)))
			return err_node(l->file, sig, "stop.signal: '%.64s': unknown signal ("
			    OSL_SIGNAL_WORDS ")", sig->str);
	}
	if ((v = ymap_get(m, "backoff"))) {
		static const char *const bk[] = { "initial", "max", "factor", "jitter",
			"reset_after", NULL };

		if ((err = osl_svc_want(l, v, Y_MAP, "backoff")) || (err = osl_svc_keys(l, v, bk)) ||
		    (err = osl_svc_dur(l, v, "initial", &s->backoff.initial_ns)) ||
		    (err = osl_svc_dur(l, v, "max", &s->backoff.max_ns)) ||
		    (err = osl_svc_num(l, v, "factor", 1, 100, &s->backoff.factor)) ||
		    (err = osl_svc_num(l, v, "jitter", 0, 1, &s->backoff.jitter)) ||
		    (err = osl_svc_dur(l, v, "reset_after", &s->backoff.reset_after_ns)))
			return err;
	}
	return NULL;
}

static const struct osl_error *
add_child(struct load *l, const struct ynode *m, size_t parent)
{
	static const char *const keys[] = { "name", "cmd", "restart", "significant", "stop",
		"backoff", "env", "cwd", "replicas", "supervisor", "ready", "health", "output", "user",
		"policy", "listen", "breaker", "max_unavailable", NULL };
	static const char *const restarts[] = { "permanent", "transient", "temporary", NULL };
	const struct osl_error *err;
	const struct ynode *name, *v;
	struct osl_sv_spec s;
	unsigned replicas = 1;
	size_t first;
	int e;

	if ((err = osl_svc_want(l, m, Y_MAP, "children")) || (err = osl_svc_keys(l, m, keys)))
		return err;
	if (!(name = ymap_get(m, "name")) || name->type != Y_SCALAR || !name->len ||
	    name->len >= OSL_SV_NAME_MAX - 8 || strchr(name->str, '/'))
		return err_node(l->file, name ? name : m, "a child needs a 'name' (up to %d "
		    "characters, no '/')", OSL_SV_NAME_MAX - 9);
	if ((v = ymap_get(m, "supervisor")) && ymap_get(m, "cmd"))
		return err_node(l->file, v, "a child is a 'cmd' or a 'supervisor', not both");
	osl_sv_spec_default(&s, name->str, v != NULL);
	e = (int)s.restart;
	if ((err = osl_svc_enum(l, m, "restart", restarts, &e)))
		return err;
	s.restart = (enum osl_sv_restart)e;
	if ((err = osl_svc_bool(l, m, "significant", &s.significant)))
		return err;
	if (s.significant && s.restart == OSL_SV_PERMANENT)
		return err_node(l->file, ymap_get(m, "significant"), "a significant child must be "
		    "transient or temporary");
	if ((err = stop_backoff(l, m, &s)))
		return err;
	if ((v = ymap_get(m, "breaker")) && (err = osl_svc_breaker(l, v, &s.breaker)))
		return err;
	if ((v = ymap_get(m, "supervisor"))) {
		/* as a child of its parent, a supervisor has a restart type, may
		 * be significant and waits out a backoff; the rest is a program's */
		static const char *const sup_keys[] = { "name", "supervisor", "restart",
			"significant", "backoff", NULL };
		size_t id;

		if ((err = osl_svc_keys(l, m, sup_keys)))
			return err;
		return add_sup(l, v, parent, name->str, &s, &id);
	}
	s.wait_ready = ymap_get(m, "ready") != NULL;
	if ((err = osl_svc_uint(l, m, "replicas", REPLICAS_MAX, &replicas)))
		return err;
	if (replicas == 0)
		return err_node(l->file, ymap_get(m, "replicas"), "replicas: at least 1");
	/* a rolling restart of the set (roll.h) restarts this many at once */
	s.max_unavailable = 1;
	if ((err = osl_svc_uint(l, m, "max_unavailable", REPLICAS_MAX, &s.max_unavailable)))
		return err;
	if (!s.max_unavailable || s.max_unavailable > replicas)
		return err_node(l->file, ymap_get(m, "max_unavailable"), "max_unavailable: from 1 "
		    "to replicas (%u)", replicas);
	snprintf(s.set, sizeof(s.set), "%s", name->str);
	first = OSL_SV_NONE;
	for (unsigned r = 1; r <= replicas; r++) {
		int ready_fd = 0;
		size_t id;

		if (replicas > 1)
			snprintf(s.name, sizeof(s.name), "%s-%u", name->str, r);
		if ((err = grow(l)) || (err = osl_sv_add(&l->c->tree, parent, &s, &id)))
			return err;
		if ((err = child_extra(l, m, id, &ready_fd)) ||
		    (err = child_exec(l, m, id, first)))
			return err;
		if (r == 1)
			first = id;
		l->c->exec[id].ready_fd = ready_fd;
	}
	return NULL;
}

/* Supervisor M under PARENT; AS: its settings as a child (NULL: the root). */
static const struct osl_error *
add_sup(struct load *l, const struct ynode *m, size_t parent, const char *name,
    const struct osl_sv_spec *as, size_t *id)
{
	static const char *const keys[] = { "name", "strategy", "intensity", "period",
		"auto_shutdown", "keep_trying", "children", NULL };
	static const char *const strategies[] = { "one_for_one", "one_for_all", "rest_for_one", NULL };
	static const char *const autos[] = { "never", "any_significant", "all_significant", NULL };
	const struct osl_error *err;
	const struct ynode *kids, *nm;
	struct osl_sv_spec s;
	int e;

	if ((err = osl_svc_want(l, m, Y_MAP, "supervisor")) || (err = osl_svc_keys(l, m, keys)))
		return err;
	if ((nm = ymap_get(m, "name")) && (nm->type != Y_SCALAR || !nm->len ||
	    nm->len >= OSL_SV_NAME_MAX || strchr(nm->str, '/')))
		return err_node(l->file, nm, "name: up to %d characters, no '/'", OSL_SV_NAME_MAX - 1);
	osl_sv_spec_default(&s, nm ? nm->str : name, true);
	if (as) {
		s.restart = as->restart;
		s.significant = as->significant;
		s.backoff = as->backoff;
	}
	e = (int)s.strategy;
	if ((err = osl_svc_enum(l, m, "strategy", strategies, &e)))
		return err;
	s.strategy = (enum osl_sv_strategy)e;
	e = (int)s.auto_shutdown;
	if ((err = osl_svc_enum(l, m, "auto_shutdown", autos, &e)))
		return err;
	s.auto_shutdown = (enum osl_sv_auto)e;
	if ((err = osl_svc_uint(l, m, "intensity", 10000, &s.intensity)) ||
	    (err = osl_svc_dur(l, m, "period", &s.period_ns)))
		return err;
	if (s.period_ns == 0)
		return err_node(l->file, ymap_get(m, "period"), "period: more than 0");
	if (parent != OSL_SV_NONE && ymap_get(m, "keep_trying"))
		return err_node(l->file, ymap_get(m, "keep_trying"), "keep_trying: the root "
		    "supervisor's only (a nested one's failed start goes to its parent)");
	if ((err = osl_svc_bool(l, m, "keep_trying", &s.keep_trying)))
		return err;
	if (!(kids = ymap_get(m, "children")))
		return err_node(l->file, m, "a supervisor needs 'children'");
	if ((err = osl_svc_want(l, kids, Y_SEQ, "children")))
		return err;
	if ((err = grow(l)) || (err = osl_sv_add(&l->c->tree, parent, &s, id)) ||
	    (err = set_spec(&l->c->child[*id], m, "children")))
		return err;
	for (size_t i = 0; i < kids->nkids; i++)
		if ((err = add_child(l, kids->kids[i], *id)))
			return err;
	return NULL;
}

const struct osl_error *
osl_sv_config_load(struct osl_sv_config *c, const char *path, char *const *environ_,
    const struct osl_policy_env *penv, const char *log_sink)
{
	static const char *const keys[] = { "version", "supervisor", "control", NULL };
	const struct osl_error *err = NULL;
	struct load l = { c, path, environ_, penv, log_sink, "." };
	const char *slash = strrchr(path, '/');
	struct ynode *root = NULL;
	const struct ynode *v;
	struct stat st;
	char *buf = NULL;
	size_t id;
	FILE *f;

	memset(c, 0, sizeof(*c));
	if (slash)
		snprintf(l.dir, sizeof(l.dir), "%.*s", slash == path ? 1 : (int)(slash - path), path);
	osl_sv_tree_init(&c->tree, (uint64_t)getpid() * 0x9e3779b97f4a7c15ULL);
	if (!(f = fopen(path, "r")))
		return osl_error_sys(OSL_EINPUT, errno, "'%s'", path);
	if (fstat(fileno(f), &st) == -1 || !S_ISREG(st.st_mode) || st.st_size > CONFIG_MAX_SIZE) {
		err = osl_error_new(OSL_EINPUT, "'%s': not a regular file of at most 1 MiB", path);
		goto done;
	}
	if (!(buf = malloc((size_t)st.st_size + 1))) {
		err = osl_error_nomem();
		goto done;
	}
	if (fread(buf, 1, (size_t)st.st_size, f) != (size_t)st.st_size) {
		err = osl_error_sys(OSL_EINPUT, EIO, "'%s': cannot read", path);
		goto done;
	}
	if ((err = ydoc_parse(&root, path, buf, (size_t)st.st_size)))
		goto done;
	if (!root) {
		err = osl_error_new(OSL_EINPUT, "%s:1:1: the file is empty", path);
		goto done;
	}
	if ((err = osl_svc_want(&l, root, Y_MAP, "the document")) || (err = osl_svc_keys(&l, root, keys)))
		goto done;
	if (!(v = ymap_get(root, "version")) || v->type != Y_SCALAR || strcmp(v->str, "1")) {
		err = err_node(path, v ? v : root, "version: 1 is needed");
		goto done;
	}
	if (!(v = ymap_get(root, "supervisor"))) {
		err = err_node(path, root, "'supervisor' is needed");
		goto done;
	}
	if ((err = add_sup(&l, v, OSL_SV_NONE, "root", NULL, &id)))
		goto done;
	if ((v = ymap_get(root, "control"))) {
		static const char *const ck[] = { "socket", "tree", "metrics", NULL };
		const struct ynode *sk, *mk;

		if ((err = osl_svc_want(&l, v, Y_MAP, "control")) || (err = osl_svc_keys(&l, v, ck)) ||
		    (err = osl_svc_bool(&l, v, "tree", &c->control_tree)))
			goto done;
		if ((sk = ymap_get(v, "socket"))) {
			if ((err = osl_svc_want(&l, sk, Y_SCALAR, "control.socket")))
				goto done;
			if (!(c->socket = strdup(sk->str))) {
				err = osl_error_nomem();
				goto done;
			}
		}
		/* ctl metrics over HTTP, for a scraper: a loopback address only */
		if ((mk = ymap_get(v, "metrics"))) {
			struct osl_net_target t;

			if (mk->type != Y_SCALAR || osl_net_parse(mk->str, true, true, &t) ||
			    !((t.family == AF_INET && t.addr[0] == 127) ||
			    (t.family == AF_INET6 && !memcmp(t.addr, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\1", 16)))) {
				err = err_node(path, mk, "control.metrics: a loopback HOST:PORT is needed "
				    "(e.g. 127.0.0.1:9100)");
				goto done;
			}
			if (!(c->metrics = strdup(mk->str))) {
				err = osl_error_nomem();
				goto done;
			}
		}
	}
	if ((err = osl_sv_validate(&c->tree)))
		err = osl_error_new(OSL_EINPUT, "%s: %s", path, err->msg);
	/* the arrays grew while loading: point at the sandboxes only now */
	for (size_t i = 0; i < c->tree.n; i++)
		if (c->child[i].policy)
			c->exec[i].sb = &c->child[i].sb;
done:
	ynode_free(root);
	free(buf);
	fclose(f);
	return err;
}

size_t
osl_sv_config_not_full(const struct osl_sv_config *c, const char **first)
{
	size_t bad = 0;

	for (size_t i = 0; c->child && i < c->tree.n; i++)
		if (!c->tree.nodes[i].spec.supervisor && c->child[i].policy &&
		    !osl_report_full(&c->child[i].sb.report) && !bad++)
			*first = c->tree.nodes[i].spec.name;
	return bad;
}

void
osl_sv_config_free(struct osl_sv_config *c)
{
	for (size_t i = 0; c->exec && i < c->tree.n; i++) {
		struct osl_sv_exec *x = &c->exec[i];

		free_argv((char **)x->argv);
		if (x->env_refs && !--*x->env_refs) {
			osl_proc_env_free((char **)x->envp);
			free(x->env_refs);
		}
		free((void *)x->path);
		free((void *)x->cwd);
		osl_unixconn_release(x->uc);
	}
	for (size_t i = 0; c->child && i < c->tree.n; i++) {
		struct osl_sv_child *ch = &c->child[i];

		free_argv(ch->ready_exec.argv);
		free(ch->ready_exec.path);
		free_argv(ch->health.argv);
		free(ch->health.path);
		free(ch->output_path);
		free(ch->ids);
		free(ch->user);
		free(ch->policy_path);
		osl_sv_listen_free(ch->listen, ch->nlisten);
		free(ch->listen_fds);
		if (ch->policy) {
			osl_sandbox_release(&ch->sb);
			osl_policy_free(ch->policy);
		}
		free(ch->spec);
	}
	free(c->child);
	free(c->exec);
	free(c->socket);
	free(c->metrics);
	osl_sv_tree_free(&c->tree);
	memset(c, 0, sizeof(*c));
}
