/* Loading a supervision tree from YAML.  The parser is the policy's
 * (ydoc_parse: every limit checked, line and column kept), so a bad file gets
 * the same FILE:LINE:COL messages as a bad policy. */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "policy/internal.h"
#include "proc/proc.h"
#include "supervise/config.h"
#include "util/parse.h"

#define CONFIG_MAX_SIZE (1 << 20)
#define REPLICAS_MAX 1000

struct load {
	struct osl_sv_config *c;
	const char *file;
	char *const *environ_;
};

static const struct osl_error *
want(const struct load *l, const struct ynode *n, enum ytype t, const char *what)
{
	if (!n || n->type != t)
		return err_node(l->file, n, "%s: a %s is needed", what,
		    t == Y_MAP ? "map" : t == Y_SEQ ? "list" : "scalar");
	return NULL;
}

/* Every key of map M must be one of KEYS (NULL-terminated). */
static const struct osl_error *
only_keys(const struct load *l, const struct ynode *m, const char *const *keys)
{
	for (size_t i = 0; i + 1 < m->nkids; i += 2) {
		const struct ynode *k = m->kids[i];
		bool ok = false;

		for (size_t j = 0; keys[j] && !ok; j++)
			ok = k->type == Y_SCALAR && !strcmp(k->str, keys[j]);
		if (!ok)
			return err_node(l->file, k, "'%s': unknown or unsupported key",
			    k->type == Y_SCALAR ? k->str : "?");
	}
	return NULL;
}

static const struct osl_error *
get_dur(const struct load *l, const struct ynode *m, const char *key, uint64_t *out)
{
	const struct ynode *v = ymap_get(m, key);

	if (!v)
		return NULL;
	if (v->type != Y_SCALAR || !osl_parse_duration(v->str, out))
		return err_node(l->file, v, "%s: a duration is needed (e.g. 250ms, 10s, 5m)", key);
	return NULL;
}

static const struct osl_error *
get_uint(const struct load *l, const struct ynode *m, const char *key, unsigned max,
    unsigned *out)
{
	const struct ynode *v = ymap_get(m, key);
	unsigned long n;
	char *end;

	if (!v)
		return NULL;
	errno = 0;
	if (v->type != Y_SCALAR || !v->len || v->str[0] == '-' ||
	    (n = strtoul(v->str, &end, 10), errno || *end || n > max))
		return err_node(l->file, v, "%s: a number from 0 to %u is needed", key, max);
	*out = (unsigned)n;
	return NULL;
}

static const struct osl_error *
get_num(const struct load *l, const struct ynode *m, const char *key, double lo, double hi,
    double *out)
{
	const struct ynode *v = ymap_get(m, key);
	char *end;
	double d;

	if (!v)
		return NULL;
	if (v->type != Y_SCALAR || !v->len || (d = strtod(v->str, &end), *end) || !(d >= lo && d <= hi))
		return err_node(l->file, v, "%s: a number from %g to %g is needed", key, lo, hi);
	*out = d;
	return NULL;
}

static const struct osl_error *
get_bool(const struct load *l, const struct ynode *m, const char *key, bool *out)
{
	const struct ynode *v = ymap_get(m, key);

	if (!v)
		return NULL;
	if (v->type == Y_SCALAR && !strcmp(v->str, "true"))
		*out = true;
	else if (v->type == Y_SCALAR && !strcmp(v->str, "false"))
		*out = false;
	else
		return err_node(l->file, v, "%s: true or false", key);
	return NULL;
}

/* One of NAMES (NULL-terminated) as its index. */
static const struct osl_error *
get_enum(const struct load *l, const struct ynode *m, const char *key, const char *const *names,
    int *out)
{
	const struct ynode *v = ymap_get(m, key);

	if (!v)
		return NULL;
	for (int i = 0; v->type == Y_SCALAR && names[i]; i++) {
		if (!strcmp(v->str, names[i])) {
			*out = i;
			return NULL;
		}
	}
	return err_node(l->file, v, "%s: one of %s%s%s%s%s is needed", key, names[0],
	    names[1] ? ", " : "", names[1] ? names[1] : "", names[2] ? ", " : "",
	    names[2] ? names[2] : "");
}

static int
signal_number(const char *s)
{
	char *end;
	long n;

	if (!strncmp(s, "SIG", 3))
		s += 3;
	n = strtol(s, &end, 10);
	if (*s && !*end)
		return n > 0 && n < NSIG ? (int)n : 0;
	for (int i = 1; i < NSIG; i++) {
		const char *a = sigabbrev_np(i);

		if (a && !strcmp(a, s))
			return i;
	}
	return 0;
}

static const struct osl_error *
child_exec(struct load *l, const struct ynode *m, size_t id)
{
	struct osl_sv_exec *x = &l->c->exec[id];
	const struct ynode *cmd = ymap_get(m, "cmd"), *env, *set, *cwd;
	const struct osl_error *err;
	char path[PATH_MAX], **argv;
	const char **sets = NULL;
	size_t nset = 0;

	if (!cmd)
		return err_node(l->file, m, "a child needs 'cmd' (or 'supervisor')");
	if ((err = want(l, cmd, Y_SEQ, "cmd")))
		return err;
	if (cmd->nkids == 0)
		return err_node(l->file, cmd, "cmd: the program is needed");
	if (!(argv = calloc(cmd->nkids + 1, sizeof(*argv))))
		return osl_error_nomem();
	x->argv = argv;
	for (size_t i = 0; i < cmd->nkids; i++) {
		if ((err = want(l, cmd->kids[i], Y_SCALAR, "cmd")))
			return err;
		if (!(argv[i] = strdup(cmd->kids[i]->str)))
			return osl_error_nomem();
	}
	if ((err = osl_proc_which(argv[0], getenv("PATH"), path, sizeof(path))))
		return err_node(l->file, cmd->kids[0], "%s", err->msg);
	if (!(x->path = strdup(path)))
		return osl_error_nomem();
	if ((cwd = ymap_get(m, "cwd"))) {
		if ((err = want(l, cwd, Y_SCALAR, "cwd")))
			return err;
		if (!(x->cwd = strdup(cwd->str)))
			return osl_error_nomem();
	}
	if ((env = ymap_get(m, "env"))) {
		static const char *const ek[] = { "set", NULL };

		if ((err = want(l, env, Y_MAP, "env")) || (err = only_keys(l, env, ek)))
			return err;
		if ((set = ymap_get(env, "set"))) {
			if ((err = want(l, set, Y_MAP, "env.set")))
				return err;
			if (!(sets = calloc(set->nkids / 2 + 1, sizeof(*sets))))
				return osl_error_nomem();
			for (size_t i = 0; i + 1 < set->nkids; i += 2) {
				const struct ynode *k = set->kids[i], *v = set->kids[i + 1];
				size_t len;
				char *s;

				if (k->type != Y_SCALAR || v->type != Y_SCALAR || !k->len ||
				    strchr(k->str, '=')) {
					err = err_node(l->file, k, "env.set: NAME: VALUE");
					goto done;
				}
				len = k->len + v->len + 2;
				if (!(s = malloc(len))) {
					err = osl_error_nomem();
					goto done;
				}
				snprintf(s, len, "%s=%s", k->str, v->str);
				sets[nset++] = s;
			}
		}
	}
	/* a supervised service gets the supervisor's environment and its own
	 * settings over it */
	{
		const char *all = "*";

		err = osl_proc_env((char ***)&x->envp, l->environ_, &all, 1, sets, nset);
	}
done:
	for (size_t i = 0; i < nset; i++)
		free((char *)sets[i]);
	free(sets);
	return err;
}

static const struct osl_error *add_sup(struct load *, const struct ynode *, size_t, const char *,
    size_t *);

static const struct osl_error *
grow_exec(struct load *l)
{
	struct osl_sv_exec *v;

	if (!(v = realloc(l->c->exec, (l->c->tree.n + 1) * sizeof(*v))))
		return osl_error_nomem();
	memset(&v[l->c->tree.n], 0, sizeof(*v));
	l->c->exec = v;
	return NULL;
}

static const struct osl_error *
add_child(struct load *l, const struct ynode *m, size_t parent)
{
	static const char *const keys[] = { "name", "cmd", "restart", "significant", "stop",
		"backoff", "env", "cwd", "replicas", "supervisor", "ready", NULL };
	static const char *const restarts[] = { "permanent", "transient", "temporary", NULL };
	const struct osl_error *err;
	const struct ynode *name, *v;
	struct osl_sv_spec s;
	unsigned replicas = 1, ready_fd = 0;
	int e;

	if ((err = want(l, m, Y_MAP, "children")) || (err = only_keys(l, m, keys)))
		return err;
	if (!(name = ymap_get(m, "name")) || name->type != Y_SCALAR || !name->len ||
	    name->len >= OSL_SV_NAME_MAX - 8 || strchr(name->str, '/'))
		return err_node(l->file, name ? name : m, "a child needs a 'name' (up to %d "
		    "characters, no '/')", OSL_SV_NAME_MAX - 9);
	if ((v = ymap_get(m, "supervisor"))) {
		size_t id;

		if (ymap_get(m, "cmd"))
			return err_node(l->file, v, "a child is a 'cmd' or a 'supervisor', not both");
		return add_sup(l, v, parent, name->str, &id);
	}
	osl_sv_spec_default(&s, name->str, false);
	e = (int)s.restart;
	if ((err = get_enum(l, m, "restart", restarts, &e)))
		return err;
	s.restart = (enum osl_sv_restart)e;
	if ((err = get_bool(l, m, "significant", &s.significant)))
		return err;
	if (s.significant && s.restart == OSL_SV_PERMANENT)
		return err_node(l->file, ymap_get(m, "significant"), "a significant child must be "
		    "transient or temporary");
	if ((v = ymap_get(m, "stop"))) {
		static const char *const sk[] = { "signal", "timeout", NULL };
		const struct ynode *sig;

		if ((err = want(l, v, Y_MAP, "stop")) || (err = only_keys(l, v, sk)) ||
		    (err = get_dur(l, v, "timeout", &s.stop_timeout_ns)))
			return err;
		if ((sig = ymap_get(v, "signal")) && (sig->type != Y_SCALAR ||
		    !(s.stop_signal = signal_number(sig->str))))
			return err_node(l->file, sig, "stop.signal: a signal name (TERM, INT, ...)");
	}
	if ((v = ymap_get(m, "backoff"))) {
		static const char *const bk[] = { "initial", "max", "factor", "jitter",
			"reset_after", NULL };

		if ((err = want(l, v, Y_MAP, "backoff")) || (err = only_keys(l, v, bk)) ||
		    (err = get_dur(l, v, "initial", &s.backoff.initial_ns)) ||
		    (err = get_dur(l, v, "max", &s.backoff.max_ns)) ||
		    (err = get_num(l, v, "factor", 1, 100, &s.backoff.factor)) ||
		    (err = get_num(l, v, "jitter", 0, 1, &s.backoff.jitter)) ||
		    (err = get_dur(l, v, "reset_after", &s.backoff.reset_after_ns)))
			return err;
	}
	if ((v = ymap_get(m, "ready"))) {
		static const char *const rk[] = { "fd", NULL };

		if ((err = want(l, v, Y_MAP, "ready")) || (err = only_keys(l, v, rk)) ||
		    (err = get_uint(l, v, "fd", 255, &ready_fd)))
			return err;
		if (ready_fd < 3)
			return err_node(l->file, v, "ready.fd: a descriptor from 3 to 255 is needed");
		s.wait_ready = true;
	}
	if ((err = get_uint(l, m, "replicas", REPLICAS_MAX, &replicas)))
		return err;
	if (replicas == 0)
		return err_node(l->file, ymap_get(m, "replicas"), "replicas: at least 1");
	for (unsigned r = 1; r <= replicas; r++) {
		size_t id;

		if (replicas > 1)
			snprintf(s.name, sizeof(s.name), "%s-%u", name->str, r);
		if ((err = grow_exec(l)) || (err = osl_sv_add(&l->c->tree, parent, &s, &id)))
			return err;
		if ((err = child_exec(l, m, id)))
			return err;
		l->c->exec[id].ready_fd = (int)ready_fd;
	}
	return NULL;
}

static const struct osl_error *
add_sup(struct load *l, const struct ynode *m, size_t parent, const char *name, size_t *id)
{
	static const char *const keys[] = { "name", "strategy", "intensity", "period",
		"auto_shutdown", "children", NULL };
	static const char *const strategies[] = { "one_for_one", "one_for_all", "rest_for_one", NULL };
	static const char *const autos[] = { "never", "any_significant", "all_significant", NULL };
	const struct osl_error *err;
	const struct ynode *kids, *nm;
	struct osl_sv_spec s;
	int e;

	if ((err = want(l, m, Y_MAP, "supervisor")) || (err = only_keys(l, m, keys)))
		return err;
	if ((nm = ymap_get(m, "name")) && (nm->type != Y_SCALAR || !nm->len ||
	    nm->len >= OSL_SV_NAME_MAX || strchr(nm->str, '/')))
		return err_node(l->file, nm, "name: up to %d characters, no '/'", OSL_SV_NAME_MAX - 1);
	osl_sv_spec_default(&s, nm ? nm->str : name, true);
	e = (int)s.strategy;
	if ((err = get_enum(l, m, "strategy", strategies, &e)))
		return err;
	s.strategy = (enum osl_sv_strategy)e;
	e = (int)s.auto_shutdown;
	if ((err = get_enum(l, m, "auto_shutdown", autos, &e)))
		return err;
	s.auto_shutdown = (enum osl_sv_auto)e;
	if ((err = get_uint(l, m, "intensity", 10000, &s.intensity)) ||
	    (err = get_dur(l, m, "period", &s.period_ns)))
		return err;
	if (s.period_ns == 0)
		return err_node(l->file, ymap_get(m, "period"), "period: more than 0");
	if (!(kids = ymap_get(m, "children")))
		return err_node(l->file, m, "a supervisor needs 'children'");
	if ((err = want(l, kids, Y_SEQ, "children")))
		return err;
	if ((err = grow_exec(l)) || (err = osl_sv_add(&l->c->tree, parent, &s, id)))
		return err;
	for (size_t i = 0; i < kids->nkids; i++)
		if ((err = add_child(l, kids->kids[i], *id)))
			return err;
	return NULL;
}

const struct osl_error *
osl_sv_config_load(struct osl_sv_config *c, const char *path, char *const *environ_)
{
	static const char *const keys[] = { "version", "supervisor", "control", NULL };
	const struct osl_error *err = NULL;
	struct load l = { c, path, environ_ };
	struct ynode *root = NULL;
	const struct ynode *v;
	struct stat st;
	char *buf = NULL;
	size_t id;
	FILE *f;

	memset(c, 0, sizeof(*c));
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
	if ((err = want(&l, root, Y_MAP, "the document")) || (err = only_keys(&l, root, keys)))
		goto done;
	if (!(v = ymap_get(root, "version")) || v->type != Y_SCALAR || strcmp(v->str, "1")) {
		err = err_node(path, v ? v : root, "version: 1 is needed");
		goto done;
	}
	if (!(v = ymap_get(root, "supervisor"))) {
		err = err_node(path, root, "'supervisor' is needed");
		goto done;
	}
	if ((err = add_sup(&l, v, OSL_SV_NONE, "root", &id)))
		goto done;
	if ((v = ymap_get(root, "control"))) {
		static const char *const ck[] = { "socket", NULL };
		const struct ynode *sk;

		if ((err = want(&l, v, Y_MAP, "control")) || (err = only_keys(&l, v, ck)))
			goto done;
		if ((sk = ymap_get(v, "socket"))) {
			if ((err = want(&l, sk, Y_SCALAR, "control.socket")))
				goto done;
			if (!(c->socket = strdup(sk->str))) {
				err = osl_error_nomem();
				goto done;
			}
		}
	}
	if ((err = osl_sv_validate(&c->tree)))
		err = osl_error_new(OSL_EINPUT, "%s: %s", path, err->msg);
done:
	ynode_free(root);
	free(buf);
	fclose(f);
	return err;
}

void
osl_sv_config_free(struct osl_sv_config *c)
{
	for (size_t i = 0; c->exec && i < c->tree.n; i++) {
		struct osl_sv_exec *x = &c->exec[i];

		for (size_t j = 0; x->argv && x->argv[j]; j++)
			free(x->argv[j]);
		free((void *)x->argv);
		osl_proc_env_free((char **)x->envp);
		free((void *)x->path);
		free((void *)x->cwd);
	}
	free(c->exec);
	free(c->socket);
	osl_sv_tree_free(&c->tree);
	memset(c, 0, sizeof(*c));
}
