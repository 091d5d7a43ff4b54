/* The schema: one file's tree into a layer.  Every key is known, every value
 * has one type, and every error names FILE:LINE:COL and the key. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/internal.h"
#include "util/parse.h"

/* SEP and WORD after what LIST holds, cut to its SIZE. */
static void
word_after(char *list, size_t size, const char *sep, const char *word)
{
	size_t n = strlen(list);

	if (n < size)
		snprintf(list + n, size - n, "%s%s", sep, word);
}

const struct osl_error *
schema_check_keys(const struct sctx *c, const struct ynode *m, const char *what,
    const char *const *keys)
{
	for (size_t i = 0; i < m->nkids; i += 2) {
		const struct ynode *k = m->kids[i];
		size_t j;
		char list[256] = "";

		for (j = 0; keys[j]; j++)
			if (strcmp(keys[j], k->str) == 0)
				break;
		if (keys[j])
			continue;
		for (j = 0; keys[j]; j++)
			word_after(list, sizeof(list), j ? ", " : "", keys[j]);
		return err_node(c->file, k, "unknown key '%.100s' in %s (expected %s)",
		    k->str, what, list);
	}
	return NULL;
}

static const struct osl_error *
want_map(const struct sctx *c, const struct ynode *n, const char *what)
{
	if (n->type == Y_MAP || ynode_is_null(n))
		return NULL;
	return err_node(c->file, n, "%s: expected a map, got %s", what, ynode_type_name(n));
}

const struct osl_error *
schema_want_list(const struct sctx *c, const struct ynode *n, const char *what)
{
	if (n->type == Y_SEQ || ynode_is_null(n))
		return NULL;
	return err_node(c->file, n, "%s: expected a list, got %s", what, ynode_type_name(n));
}

const struct osl_error *
schema_want_str(const struct sctx *c, const struct ynode *n, const char *what)
{
	if (n->type == Y_SCALAR && !ynode_is_null(n))
		return NULL;
	return err_node(c->file, n, "%s: expected a string, got %s", what, ynode_type_name(n));
}

static const struct osl_error *
want_bool(const struct sctx *c, const struct ynode *n, const char *what, bool *out)
{
	const struct osl_error *err;

	if ((err = schema_want_str(c, n, what)))
		return err;
	if (strcmp(n->str, "true") == 0)
		*out = true;
	else if (strcmp(n->str, "false") == 0)
		*out = false;
	else
		return err_node(c->file, n, "%s: expected true or false, got '%.100s'",
		    what, n->str);
	return NULL;
}

/* One of NAMES; *out is its index. */
static const struct osl_error *
want_enum(const struct sctx *c, const struct ynode *n, const char *what,
    const char *const *names, int *out)
{
	const struct osl_error *err;
	char list[256] = "";

	if ((err = schema_want_str(c, n, what)))
		return err;
	for (int i = 0; names[i]; i++) {
		if (strcmp(names[i], n->str) == 0) {
			*out = i;
			return NULL;
		}
		word_after(list, sizeof(list), i ? " | " : "", names[i]);
	}
	return err_node(c->file, n, "%s: expected %s, got '%.100s'", what, list, n->str);
}

static void
mark(struct sctx *c, enum lfield f, const struct ynode *n)
{
	c->l->set[f] = true;
	c->l->pos[f].line = n->line;
	c->l->pos[f].col = n->col;
}

static const struct osl_error *
dup_str(char **out, const char *s)
{
	char *d = strdup(s);

	if (!d)
		return osl_error_nomem();
	free(*out);
	*out = d;
	return NULL;
}

/* A number setting of the table (a limit, a log size or count) from V. */
static const struct osl_error *
number_setting(struct sctx *c, const struct ynode *v, enum lfield f)
{
	const struct setting *s = &settings[f];
	const struct osl_error *err;
	uint64_t n = 0;
	bool good;

	if ((err = schema_want_str(c, v, s->key)))
		return err;
	if (s->type == ST_DURATION)
		good = osl_parse_duration(v->str, &n) && (n > 0 || !(s->flags & S_POSITIVE));
	else if (s->type == ST_COUNT)
		good = osl_parse_uint(v->str, s->max, &n);
	else
		good = osl_parse_size(v->str, &n);
	if (!good || n > s->max) {
		char hint[64] = "";

		if (s->type == ST_DURATION)
			return err_node(c->file, v, "%s: '%.100s': " OSL_BAD_DURATION "%s", s->key,
			    v->str, s->flags & S_POSITIVE ? "; more than 0 is needed" : "");
		if (s->type == ST_SIZE)
			snprintf(hint, sizeof(hint), " (e.g. 512K, 64M, 1G)");
		else if (s->max < UINT32_MAX)
			snprintf(hint, sizeof(hint), " (0-%llu)", (unsigned long long)s->max);
		return err_node(c->file, v, "%s: invalid %s '%.100s'%s", s->key,
		    s->type == ST_COUNT ? "number" : "size",
		    v->str, hint);
	}
	setting_set_num(&c->l->p, s, n);
	mark(c, f, v);
	return NULL;
}

/* An enum or boolean setting of the table from V. */
static const struct osl_error *
word_setting(struct sctx *c, const struct ynode *v, enum lfield f)
{
	const struct setting *s = &settings[f];
	const struct osl_error *err;
	bool b = false;
	int e;

	if (s->type == ST_BOOL) {
		if ((err = want_bool(c, v, s->key, &b)))
			return err;
		e = b;
	} else if ((err = want_enum(c, v, s->key, s->names, &e)))
		return err;
	setting_set_num(&c->l->p, s, (uint64_t)e);
	mark(c, f, v);
	return NULL;
}

/* The settings of map M at PREFIX ("proc.limits.", "log.rotate."): rows
 * FIRST to LAST of the table, all numbers. */
static const struct osl_error *
number_map(struct sctx *c, const struct ynode *m, enum lfield first, enum lfield last)
{
	const char *keys[LF__COUNT + 1];
	const struct osl_error *err;
	char what[64];
	int n = 0;

	snprintf(what, sizeof(what), "%.*s", (int)(setting_leaf(&settings[first]) - 1 -
	    settings[first].key), settings[first].key);
	for (int f = first; f <= (int)last; f++)
		keys[n++] = setting_leaf(&settings[f]);
	keys[n] = NULL;
	if ((err = want_map(c, m, what)) || (err = schema_check_keys(c, m, what, keys)))
		return err;
	for (int f = first; f <= (int)last; f++) {
		const struct ynode *v = ymap_get(m, setting_leaf(&settings[f]));

		if (v && (err = number_setting(c, v, (enum lfield)f)))
			return err;
	}
	return NULL;
}

static const struct osl_error *
parse_fs(struct sctx *c, const struct ynode *m)
{
	static const char *const keys[] = { "read", "write", "exec", "deny", NULL };
	static const enum osl_rule_kind kinds[] = {
		OSL_RULE_FS_READ, OSL_RULE_FS_WRITE, OSL_RULE_FS_EXEC, OSL_RULE_FS_DENY
	};
	const struct osl_error *err;

	if ((err = want_map(c, m, "fs")) || (err = schema_check_keys(c, m, "fs", keys)))
		return err;
	for (size_t i = 0; i < m->nkids; i += 2)
		for (int k = 0; keys[k]; k++)
			if (strcmp(m->kids[i]->str, keys[k]) == 0 &&
			    (err = rule_list(c, kinds[k], m->kids[i + 1], kind_key(kinds[k]))))
				return err;
	return NULL;
}

static const struct osl_error *
parse_net(struct sctx *c, const struct ynode *m)
{
	static const char *const keys[] = { "connect", "bind", "resolve", "deny", NULL };
	const struct osl_error *err;

	if ((err = want_map(c, m, "net")) || (err = schema_check_keys(c, m, "net", keys)))
		return err;
	for (size_t i = 0; i < m->nkids; i += 2) {
		const char *k = m->kids[i]->str;
		const struct ynode *v = m->kids[i + 1];

		if (strcmp(k, "resolve") == 0) {
			if ((err = word_setting(c, v, LF_RESOLVE)))
				return err;
		} else if ((err = rule_list(c, strcmp(k, "connect") == 0 ? OSL_RULE_NET_CONNECT :
		    strcmp(k, "bind") == 0 ? OSL_RULE_NET_BIND : OSL_RULE_NET_DENY, v,
		    strcmp(k, "connect") == 0 ? "net.connect" :
		    strcmp(k, "bind") == 0 ? "net.bind" : "net.deny")))
			return err;
	}
	return NULL;
}

static bool
is_env_name(const char *s)
{
	if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || *s == '_'))
		return false;
	for (s++; *s; s++)
		if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') ||
		    (*s >= '0' && *s <= '9') || *s == '_'))
			return false;
	return true;
}

static const struct osl_error *
str_list(struct sctx *c, const struct ynode *n, const char *what,
    bool (*valid)(const char *), const char *hint, char ***out, size_t *nout)
{
	const struct osl_error *err;
	char **v;

	if ((err = schema_want_list(c, n, what)))
		return err;
	if (n->nkids == 0)
		return NULL;
	if ((v = realloc(*out, (*nout + n->nkids) * sizeof(*v))) == NULL)
		return osl_error_nomem();
	*out = v;
	for (size_t i = 0; i < n->nkids; i++) {
		if ((err = schema_want_str(c, n->kids[i], what)))
			return err;
		if (!valid(n->kids[i]->str))
			return err_node(c->file, n->kids[i], "%s: invalid name '%.100s' (%s)",
			    what, n->kids[i]->str, hint);
		if ((v[*nout] = strdup(n->kids[i]->str)) == NULL)
			return osl_error_nomem();
		(*nout)++;
	}
	return NULL;
}

static const struct osl_error *
parse_env(struct sctx *c, const struct ynode *m)
{
	static const char *const keys[] = { "keep", "set", NULL };
	struct osl_policy *p = &c->l->p;
	const struct osl_error *err;
	const struct ynode *keep = ymap_get(m, "keep"), *set = ymap_get(m, "set");

	if ((err = want_map(c, m, "proc.env")) || (err = schema_check_keys(c, m, "proc.env", keys)))
		return err;
	if (keep && (err = str_list(c, keep, "proc.env.keep", is_env_name,
	    "letters, digits and '_'", &p->env_keep, &p->nenv_keep)))
		return err;
	if (!set)
		return NULL;
	if ((err = want_map(c, set, "proc.env.set")))
		return err;
	if (set->nkids == 0)
		return NULL;
	if ((p->env_set = calloc(set->nkids / 2, sizeof(*p->env_set))) == NULL)
		return osl_error_nomem();
	for (size_t i = 0; i < set->nkids; i += 2) {
		const struct ynode *k = set->kids[i], *v = set->kids[i + 1];
		struct osl_kv *kv = &p->env_set[p->nenv_set];

		if (!is_env_name(k->str))
			return err_node(c->file, k, "proc.env.set: invalid name '%.100s' "
			    "(letters, digits and '_')", k->str);
		if (v->type != Y_SCALAR)
			return err_node(c->file, v, "proc.env.set.%.100s: expected a string, got %s",
			    k->str, ynode_type_name(v));
		kv->key = strdup(k->str);
		kv->value = strdup(v->str);
		p->nenv_set++;
		if (!kv->key || !kv->value)
			return osl_error_nomem();
	}
	return NULL;
}

static bool
is_syscall(const char *s)
{
	if (*s == '@')
		s++;
	if (!*s)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_' ||
		    *s == '-'))
			return false;
	return true;
}

static const struct osl_error *
parse_seccomp(struct sctx *c, const struct ynode *n)
{
	static const char *const keys[] = { "base", "deny", "allow", NULL };
	struct osl_seccomp *sc = &c->l->p.seccomp;
	const struct osl_error *err;
	const struct ynode *v;
	int b = 0;

	if (n->type == Y_SCALAR) {
		if ((err = want_enum(c, n, "proc.seccomp", policy_seccomp_names, &b)))
			return err;
		sc->base = (enum osl_seccomp_base)b;
		mark(c, LF_SECCOMP, n);
		return NULL;
	}
	if ((err = want_map(c, n, "proc.seccomp")) ||
	    (err = schema_check_keys(c, n, "proc.seccomp", keys)))
		return err;
	if ((v = ymap_get(n, "base")) && (err = word_setting(c, v, LF_SECCOMP)))
		return err;
	if ((v = ymap_get(n, "deny")) && (err = str_list(c, v, "proc.seccomp.deny", is_syscall,
	    "a system call name or @group", &sc->deny, &sc->ndeny)))
		return err;
	if ((v = ymap_get(n, "allow")) && (err = str_list(c, v, "proc.seccomp.allow",
	    is_syscall, "a system call name or @group", &sc->allow, &sc->nallow)))
		return err;
	return NULL;
}

/* proc.capabilities: names of capabilities(7), "cap_" optional */
static const struct osl_error *
parse_caps(struct sctx *c, const struct ynode *n)
{
	const struct osl_error *err;

	if ((err = schema_want_list(c, n, "proc.capabilities")))
		return err;
	c->l->p.capabilities = 0;
	for (size_t i = 0; i < n->nkids; i++) {
		int cap;

		if ((err = schema_want_str(c, n->kids[i], "proc.capabilities")))
			return err;
		if ((cap = osl_cap_parse(n->kids[i]->str)) < 0)
			return err_node(c->file, n->kids[i], "proc.capabilities: unknown "
			    "capability '%.100s' (a name of capabilities(7), e.g. net_bind_service)",
			    n->kids[i]->str);
		c->l->p.capabilities |= 1ULL << cap;
	}
	mark(c, LF_CAPS, n);
	return NULL;
}

/* A list of names that are bits (proc.signal, proc.namespaces). */
static const struct osl_error *
bits_setting(struct sctx *c, const struct ynode *n, enum lfield f)
{
	const struct setting *s = &settings[f];
	const struct osl_error *err;
	uint64_t bits = 0;

	if ((err = schema_want_list(c, n, s->key)))
		return err;
	for (size_t i = 0; i < n->nkids; i++) {
		int k;

		if ((err = want_enum(c, n->kids[i], s->key, s->names, &k)))
			return err;
		bits |= 1u << k;
	}
	setting_set_num(&c->l->p, s, bits);
	mark(c, f, n);
	return NULL;
}

static const struct osl_error *
parse_proc(struct sctx *c, const struct ynode *m)
{
	static const char *const keys[] = { "signal", "limits", "env", "seccomp", "capabilities",
		"tmp", "namespaces", NULL };
	const struct osl_error *err;
	const struct ynode *v;

	if ((err = want_map(c, m, "proc")) || (err = schema_check_keys(c, m, "proc", keys)))
		return err;
	if ((v = ymap_get(m, "signal")) && (err = bits_setting(c, v, LF_SIGNAL)))
		return err;
	if ((v = ymap_get(m, "limits")) && (err = number_map(c, v, LF_LIM_CPU, LF_LIM_CORE)))
		return err;
	if ((v = ymap_get(m, "env")) && (err = parse_env(c, v)))
		return err;
	if ((v = ymap_get(m, "seccomp")) && (err = parse_seccomp(c, v)))
		return err;
	if ((v = ymap_get(m, "capabilities")) && (err = parse_caps(c, v)))
		return err;
	if ((v = ymap_get(m, "tmp")) && (err = word_setting(c, v, LF_TMP)))
		return err;
	if ((v = ymap_get(m, "namespaces")) && (err = bits_setting(c, v, LF_NAMESPACES)))
		return err;
	return NULL;
}

/* A path in the log section: variables expanded, no glob escaping. */
static const struct osl_error *
log_path(struct sctx *c, const struct ynode *n, const char *s, const char *what, char **out)
{
	struct strbuf sb = STRBUF_INIT;
	char emsg[512];

	if (vars_expand(s, c->env, 0, &sb, emsg, sizeof(emsg)) != VX_OK ||
	    !path_normalise(&sb, emsg, sizeof(emsg))) {
		sb_release(&sb);
		return err_node(c->file, n, "%s: '%.200s': %s", what, s, emsg);
	}
	free(*out);
	if ((*out = sb_detach(&sb)) == NULL)
		return osl_error_nomem();
	return NULL;
}

/* A sink (log.sink, log.checkpoint.sink) into *OUT, setting field F. */
static const struct osl_error *
parse_sink(struct sctx *c, const struct ynode *v, const char *what, char **out, enum lfield f)
{
	const struct osl_error *err;
	const char *rest = NULL;
	enum osl_log_sink kind;
	char *path = NULL;

	if ((err = schema_want_str(c, v, what)))
		return err;
	mark(c, f, v);
	/* the grammar is lib/log/sinkspec.c's; a path here is expanded */
	if (osl_log_sink_parse(v->str, &kind, &rest) && !rest)
		return dup_str(out, v->str);
	if (rest) {
		struct strbuf sb = STRBUF_INIT;

		if ((err = log_path(c, v, rest, what, &path)))
			return err;
		sb_addf(&sb, "%.*s%s", (int)(rest - v->str), v->str, path);
		free(path);
		if (sb.oom) {
			sb_release(&sb);
			return osl_error_nomem();
		}
		free(*out);
		*out = sb_detach(&sb);
		return NULL;
	}
	return err_node(c->file, v, "%s: expected file:PATH | stderr | syslog | "
	    "syslog:PATH | journald | none, got '%.100s'", what, v->str);
}

static const struct osl_error *
parse_log(struct sctx *c, const struct ynode *m)
{
	static const char *const keys[] = { "level", "sink", "sync", "chain", "on_failure",
		"rotate", "checkpoint", NULL };
	static const char *const ckeys[] = { "every", "interval", "key", "sink", NULL };
	struct osl_log_config *lg = &c->l->p.log;
	const struct osl_error *err;
	const struct ynode *v, *r;

	if ((err = want_map(c, m, "log")) || (err = schema_check_keys(c, m, "log", keys)))
		return err;
	if ((v = ymap_get(m, "level")) && (err = word_setting(c, v, LF_LEVEL)))
		return err;
	if ((v = ymap_get(m, "sink")) && (err = parse_sink(c, v, "log.sink", &lg->sink, LF_SINK)))
		return err;
	if ((v = ymap_get(m, "sync")) && (err = word_setting(c, v, LF_SYNC)))
		return err;
	if ((v = ymap_get(m, "chain")) && (err = word_setting(c, v, LF_CHAIN)))
		return err;
	if ((v = ymap_get(m, "on_failure")) && (err = word_setting(c, v, LF_ONFAIL)))
		return err;
	if ((r = ymap_get(m, "rotate")) && (err = number_map(c, r, LF_ROT_SIZE, LF_ROT_KEEP)))
		return err;
	if ((r = ymap_get(m, "checkpoint")) != NULL) {
		if ((err = want_map(c, r, "log.checkpoint")) ||
		    (err = schema_check_keys(c, r, "log.checkpoint", ckeys)))
			return err;
		if ((v = ymap_get(r, "every")) && (err = number_setting(c, v, LF_CP_EVERY)))
			return err;
		if ((v = ymap_get(r, "interval")) && (err = number_setting(c, v, LF_CP_INTERVAL)))
			return err;
		if ((v = ymap_get(r, "key")) != NULL) {
			if ((err = schema_want_str(c, v, "log.checkpoint.key")) ||
			    (err = log_path(c, v, v->str, "log.checkpoint.key", &lg->checkpoint_key)))
				return err;
			mark(c, LF_CP_KEY, v);
		}
		if ((v = ymap_get(r, "sink")) != NULL && (err = parse_sink(c, v,
		    "log.checkpoint.sink", &lg->checkpoint_sink, LF_CP_SINK)))
			return err;
	}
	return NULL;
}


static const struct osl_error *
parse_root(struct sctx *c, const struct ynode *root)
{
	static const char *const keys[] = { "version", "name", "description", "extends",
		"mode", "default", "fs", "net", "proc", "log", NULL };
	struct layer *l = c->l;
	const struct osl_error *err;
	const struct ynode *v;

	if (!root)
		return err_at(l->file, 1, 1, "empty policy (version: 1 is required)");
	if (root->type != Y_MAP)
		return err_node(l->file, root, "a policy is a map, got %s", ynode_type_name(root));
	if ((err = schema_check_keys(c, root, "the policy", keys)))
		return err;
	if ((v = ymap_get(root, "version")) == NULL)
		return err_node(l->file, root, "version is required (version: 1)");
	if (v->type != Y_SCALAR || strcmp(v->str, "1") != 0)
		return err_node(l->file, v, "unsupported version '%.20s' (only 1 is known)",
		    v->type == Y_SCALAR ? v->str : ynode_type_name(v));
	if ((v = ymap_get(root, "name")) != NULL) {
		if ((err = schema_want_str(c, v, "name")) || (err = dup_str(&l->p.name, v->str)))
			return err;
		mark(c, LF_NAME, v);
	}
	if ((v = ymap_get(root, "description")) != NULL) {
		if ((err = schema_want_str(c, v, "description")) ||
		    (err = dup_str(&l->p.description, v->str)))
			return err;
		mark(c, LF_DESC, v);
	}
	if ((v = ymap_get(root, "mode")) && (err = word_setting(c, v, LF_MODE)))
		return err;
	if ((v = ymap_get(root, "default")) && (err = word_setting(c, v, LF_DEFAULT)))
		return err;
	if ((v = ymap_get(root, "fs")) && (err = parse_fs(c, v)))
		return err;
	if ((v = ymap_get(root, "net")) && (err = parse_net(c, v)))
		return err;
	if ((v = ymap_get(root, "proc")) && (err = parse_proc(c, v)))
		return err;
	if ((v = ymap_get(root, "log")) && (err = parse_log(c, v)))
		return err;
	return check_ids(c);
}

const struct osl_error *
schema_layer(struct layer *l, const struct ynode *root, const struct osl_policy_env *env)
{
	struct sctx c = { l, l->file, env, STRBUF_INIT };
	const struct osl_error *err = parse_root(&c, root);

	sb_release(&c.tmp);
	return err;
}

void
layer_release(struct layer *l)
{
	struct osl_policy *p = &l->p;

	for (size_t i = 0; i < p->nrules; i++)
		rule_release(&p->rules[i]);
	free(p->rules);
	for (size_t i = 0; i < p->ninert; i++)
		rule_release(&p->inert[i]);
	free(p->inert);
	free(p->name);
	free(p->description);
	for (size_t i = 0; i < p->nenv_keep; i++)
		free(p->env_keep[i]);
	free(p->env_keep);
	for (size_t i = 0; i < p->nenv_set; i++) {
		free(p->env_set[i].key);
		free(p->env_set[i].value);
	}
	free(p->env_set);
	for (size_t i = 0; i < p->seccomp.ndeny; i++)
		free(p->seccomp.deny[i]);
	free(p->seccomp.deny);
	for (size_t i = 0; i < p->seccomp.nallow; i++)
		free(p->seccomp.allow[i]);
	free(p->seccomp.allow);
	free(p->log.sink);
	free(p->log.checkpoint_key);
	free(p->log.checkpoint_sink);
	memset(l, 0, sizeof(*l));
}
