/* The values of a tree's file read from its YAML nodes (config-int.h):
 * each a checked type, each error as FILE:LINE:COL. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proc/proc.h"
#include "supervise/config-int.h"
#include "util/parse.h"

const struct osl_error *
osl_svc_want(const struct load *l, const struct ynode *n, enum ytype t, const char *what)
{
	if (!n || n->type != t)
		return err_node(l->file, n, "%s: a %s is needed", what,
		    t == Y_MAP ? "map" : t == Y_SEQ ? "list" : "scalar");
	return NULL;
}

/* Every key of map M must be one of KEYS (NULL-terminated). */
const struct osl_error *
osl_svc_keys(const struct load *l, const struct ynode *m, const char *const *keys)
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

const struct osl_error *
osl_svc_dur(const struct load *l, const struct ynode *m, const char *key, uint64_t *out)
{
	const struct ynode *v = ymap_get(m, key);

	if (!v)
		return NULL;
	if (v->type != Y_SCALAR || !osl_parse_duration(v->str, out))
		return err_node(l->file, v, "%s: '%.100s': " OSL_BAD_DURATION, key,
		    v->type == Y_SCALAR ? v->str : "(not a scalar)");
	return NULL;
}

const struct osl_error *
osl_svc_uint(const struct load *l, const struct ynode *m, const char *key, unsigned max,
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

const struct osl_error *
osl_svc_num(const struct load *l, const struct ynode *m, const char *key, double lo,
    double hi, double *out)
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

const struct osl_error *
osl_svc_bool(const struct load *l, const struct ynode *m, const char *key, bool *out)
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
const struct osl_error *
osl_svc_enum(const struct load *l, const struct ynode *m, const char *key,
    const char *const *names, int *out)
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

/* CMD, a list [PROGRAM, ARGS...]: a NULL-terminated copy in *ARGVP and the
 * program looked up in PATH in *PATHP (both set before any error). */
const struct osl_error *
osl_svc_cmd(const struct load *l, const struct ynode *cmd, const char *what,
    char ***argvp, char **pathp)
{
	const struct osl_error *err;
	char path[PATH_MAX], **argv;

	if ((err = osl_svc_want(l, cmd, Y_SEQ, what)))
		return err;
	if (cmd->nkids == 0)
		return err_node(l->file, cmd, "%s: the program is needed", what);
	if (!(argv = calloc(cmd->nkids + 1, sizeof(*argv))))
		return osl_error_nomem();
	*argvp = argv;
	for (size_t i = 0; i < cmd->nkids; i++) {
		if ((err = osl_svc_want(l, cmd->kids[i], Y_SCALAR, what)))
			return err;
		if (!(argv[i] = strdup(cmd->kids[i]->str)))
			return osl_error_nomem();
	}
	if ((err = osl_proc_which(argv[0], getenv("PATH"), path, sizeof(path))))
		return err_node(l->file, cmd->kids[0], "%s", err->msg);
	if (!(*pathp = strdup(path)))
		return osl_error_nomem();
	return NULL;
}

/* PATH as written, or under the file's folder when relative. */
char *
osl_svc_path(const struct load *l, const char *path)
{
	size_t n;
	char *s;

	if (path[0] == '/' || !strncmp(path, "builtin:", 8))
		return strdup(path);
	n = strlen(l->dir) + strlen(path) + 2;
	if ((s = malloc(n)))
		snprintf(s, n, "%s/%s", l->dir, path);
	return s;
}

const struct osl_error *
osl_svc_breaker(const struct load *l, const struct ynode *v, struct osl_sv_breaker_spec *b)
{
	static const char *const keys[] = { "failures", "cool_down", "max", "settle", NULL };
	const struct osl_error *err;

	if ((err = osl_svc_want(l, v, Y_MAP, "breaker")) || (err = osl_svc_keys(l, v, keys)) ||
	    (err = osl_svc_uint(l, v, "failures", 1000, &b->failures)) ||
	    (err = osl_svc_dur(l, v, "cool_down", &b->cool_down_ns)) ||
	    (err = osl_svc_dur(l, v, "max", &b->max_ns)) ||
	    (err = osl_svc_dur(l, v, "settle", &b->settle_ns)))
		return err;
	if (!ymap_get(v, "failures") || !b->failures)
		return err_node(l->file, ymap_get(v, "failures") ? ymap_get(v, "failures") : v,
		    "breaker: 'failures' (1 or more) is needed");
	if (!b->cool_down_ns || !b->settle_ns)
		return err_node(l->file, ymap_get(v, !b->cool_down_ns ? "cool_down" : "settle"),
		    "breaker: cool_down and settle must be more than 0");
	if (ymap_get(v, "max") && b->max_ns < b->cool_down_ns)
		return err_node(l->file, ymap_get(v, "max"), "breaker: max is at least cool_down");
	if (!ymap_get(v, "max") && b->max_ns < b->cool_down_ns)
		b->max_ns = b->cool_down_ns;
	return NULL;
}
