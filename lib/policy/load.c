/* Loading: reading files with a bound, following extends: depth-first
 * (parents before the child), merging and compiling.  The only part of
 * lib/policy that makes system calls. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "policy/builtin.h"
#include "policy/internal.h"

#define MAX_FILES 64	/* distinct files in one chain, diamonds included */

struct loader {
	const struct osl_policy_env *env;
	struct osl_policy *p;
	struct merge m;
	size_t files_cap;
	const char *stack[OSL_POLICY_MAX_EXTENDS + 1];	/* keys of the files being loaded */
	const char *stack_name[OSL_POLICY_MAX_EXTENDS + 1];
	char **done;		/* keys of the files merged */
	size_t ndone;
};

const struct osl_builtin_policy *
builtin_find(const char *name)
{
	for (const struct osl_builtin_policy *b = osl_builtin_policies; b->name; b++)
		if (strcmp(b->name, name) == 0)
			return b;
	return NULL;
}

/* PATH opened for reading into *FD (not a folder; a regular file when
 * REGULAR_ONLY), with its *ST. */
static const struct osl_error *
open_policy(const char *path, bool regular_only, int *fd, struct stat *st)
{
	const struct osl_error *err = NULL;

	if ((*fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)) < 0)
		return osl_error_errno("cannot open '%s'", path);
	if (fstat(*fd, st) < 0)
		err = osl_error_errno("cannot open '%s'", path);
	else if (S_ISDIR(st->st_mode))
		err = osl_error_sys(OSL_EFAIL, EISDIR, "cannot open '%s'", path);
	else if (regular_only && !S_ISREG(st->st_mode))
		err = osl_error_new(OSL_EINPUT, "cannot open '%s': not a regular file", path);
	if (err) {
		close(*fd);
		*fd = -1;
	}
	return err;
}

/* Read at most OSL_POLICY_MAX_BYTES + 1 bytes: the size in fstat may lie
 * (a growing file, /proc, a pipe). */
static const struct osl_error *
read_bounded(const char *path, bool regular_only, char **out, size_t *outlen)
{
	const struct osl_error *err = NULL;
	struct stat st;
	char *buf = NULL;
	size_t len = 0, cap = OSL_POLICY_MAX_BYTES + 1;
	ssize_t n;
	int fd;

	*out = NULL;
	if ((err = open_policy(path, regular_only, &fd, &st)))
		return err;
	if (S_ISREG(st.st_mode) && st.st_size > (off_t)OSL_POLICY_MAX_BYTES) {
		err = err_at(path, 1, 1, "policy is larger than 1 MiB (%lld bytes)",
		    (long long)st.st_size);
		goto done;
	}
	if (!S_ISREG(st.st_mode) && fcntl(fd, F_SETFL, 0) < 0) {
		err = osl_error_errno("cannot open '%s'", path);
		goto done;
	}
	if (S_ISREG(st.st_mode))
		cap = (size_t)st.st_size + 1;
	if ((buf = malloc(cap + 1)) == NULL) {
		err = osl_error_nomem();
		goto done;
	}
	for (;;) {
		if (len == cap) {
			char *nb;

			if (cap > OSL_POLICY_MAX_BYTES)
				break;
			cap = OSL_POLICY_MAX_BYTES + 1;
			if ((nb = realloc(buf, cap + 1)) == NULL) {
				err = osl_error_nomem();
				goto done;
			}
			buf = nb;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = osl_error_errno("cannot read '%s'", path);
			goto done;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (len > OSL_POLICY_MAX_BYTES) {
		err = err_at(path, 1, 1, "policy is larger than 1 MiB");
		goto done;
	}
	buf[len] = '\0';
	*out = buf;
	*outlen = len;
	buf = NULL;
done:
	free(buf);
	close(fd);
	return err;
}

/* "a/b/c.yaml" + "d.yaml" -> "a/b/d.yaml" */
static char *
join_dir(const char *file, const char *rel)
{
	const char *slash = strrchr(file, '/');
	struct strbuf sb = STRBUF_INIT;

	if (rel[0] == '/' || !slash)
		sb_adds(&sb, rel);
	else {
		sb_add(&sb, file, (size_t)(slash - file + 1));
		sb_adds(&sb, rel);
	}
	if (sb.oom) {
		sb_release(&sb);
		return NULL;
	}
	return sb_detach(&sb);
}

static const struct osl_error *
add_file(struct loader *ld, const char *name, const char *key)
{
	struct osl_policy *p = ld->p;
	char *n = strdup(name), *k = strdup(key);
	char **v;

	if (!n || !k)
		goto nomem;
	if (p->nfiles == ld->files_cap) {
		size_t cap = ld->files_cap ? ld->files_cap * 2 : 4;

		if ((v = realloc(p->files, cap * sizeof(*v))) == NULL)
			goto nomem;
		p->files = v;
		if ((v = realloc(ld->done, cap * sizeof(*v))) == NULL)
			goto nomem;
		ld->done = v;
		ld->files_cap = cap;
	}
	p->files[p->nfiles++] = n;
	ld->done[ld->ndone++] = k;
	return NULL;
nomem:
	free(n);
	free(k);
	return osl_error_nomem();
}

static bool
is_done(const struct loader *ld, const char *key)
{
	for (size_t i = 0; i < ld->ndone; i++)
		if (strcmp(ld->done[i], key) == 0)
			return true;
	return false;
}

static const struct osl_error *load_one(struct loader *ld, const char *name,
    const char *key, const char *buf, size_t len, const struct ynode *tree, int depth);

static const struct osl_error *
cycle_error(const struct loader *ld, const char *file, const struct ynode *e,
    int depth, int from, const char *name)
{
	struct strbuf sb = STRBUF_INIT;
	const struct osl_error *err;

	for (int i = from; i < depth; i++)
		sb_addf(&sb, "%s -> ", ld->stack_name[i]);
	sb_adds(&sb, name);
	err = err_node(file, e, "extends cycle: %s", sb_str(&sb));
	sb_release(&sb);
	return err;
}

static const struct osl_error *
load_parent(struct loader *ld, const char *file, const struct ynode *e, int depth)
{
	const struct osl_error *err = NULL;
	const struct osl_builtin_policy *b = NULL;
	char *path = NULL, *buf = NULL, real[PATH_MAX];
	const char *key, *text;
	size_t len;

	if (e->type != Y_SCALAR || ynode_is_null(e))
		return err_node(file, e, "extends: expected a file name, got %s",
		    ynode_type_name(e));
	if (strncmp(e->str, "builtin:", 8) == 0) {
		if ((b = builtin_find(e->str + 8)) == NULL) {
			struct strbuf sb = STRBUF_INIT;

			for (b = osl_builtin_policies; b->name; b++)
				sb_addf(&sb, "%s%s", b == osl_builtin_policies ? "" : ", ", b->name);
			err = err_node(file, e, "extends: unknown built-in policy '%.100s' "
			    "(known: %s)", e->str, sb_str(&sb));
			sb_release(&sb);
			return err;
		}
		key = e->str;
		text = b->text;
		len = b->len;
		if ((path = strdup(e->str)) == NULL)
			return osl_error_nomem();
	} else {
		if (strncmp(file, "builtin:", 8) == 0 && e->str[0] != '/')
			return err_node(file, e, "extends: a built-in policy cannot extend "
			    "a relative path ('%.100s')", e->str);
		if ((path = join_dir(file, e->str)) == NULL)
			return osl_error_nomem();
		if (realpath(path, real) == NULL) {
			err = osl_error_sys(OSL_EFAIL, errno, "%s:%u:%u: extends: cannot open '%s'",
			    file, e->line, e->col, path);
			goto done;
		}
		key = real;
		text = NULL;
		len = 0;
	}
	for (int i = 0; i < depth; i++)
		if (strcmp(ld->stack[i], key) == 0) {
			err = cycle_error(ld, file, e, depth, i, path);
			goto done;
		}
	if (depth + 1 > OSL_POLICY_MAX_EXTENDS) {
		err = err_node(file, e, "extends chain deeper than %d files",
		    OSL_POLICY_MAX_EXTENDS);
		goto done;
	}
	if (is_done(ld, key))
		goto done;	/* reached twice (a diamond): merged once */
	if (ld->ndone >= MAX_FILES) {
		err = err_node(file, e, "extends: more than %d files in one policy", MAX_FILES);
		goto done;
	}
	if (!b) {
		if ((err = read_bounded(path, true, &buf, &len))) {
			if (strncmp(err->msg, "cannot ", 7) == 0)
				err = osl_error_new(err->status, "%s:%u:%u: extends: %s",
				    file, e->line, e->col, err->msg);
			goto done;
		}
		text = buf;
	}
	err = load_one(ld, path, key, text, len, b ? b->root : NULL, depth + 1);
done:
	free(path);
	free(buf);
	return err;
}

/* One file: BUF, or TREE if it was parsed at build time (a built-in policy:
 * static data, never freed). */
static const struct osl_error *
load_one(struct loader *ld, const char *name, const char *key, const char *buf,
    size_t len, const struct ynode *tree, int depth)
{
	const struct osl_error *err = NULL;
	struct ynode *parsed = NULL;
	const struct ynode *root = tree, *ext;
	struct layer l;

	memset(&l, 0, sizeof(l));
	l.file = name;
	ld->stack[depth - 1] = key;
	ld->stack_name[depth - 1] = name;
	if (!tree) {
		if ((err = ydoc_parse(&parsed, name, buf, len)))
			goto done;
		root = parsed;
	}
	/* this file's own errors first, then its parents' */
	if ((err = schema_layer(&l, root, ld->env)))
		goto done;
	if ((ext = ymap_get(root, "extends")) != NULL) {
		if (ext->type == Y_SCALAR && !ynode_is_null(ext)) {
			if ((err = load_parent(ld, name, ext, depth)))
				goto done;
		} else if (ext->type == Y_SEQ) {
			for (size_t i = 0; i < ext->nkids; i++)
				if ((err = load_parent(ld, name, ext->kids[i], depth)))
					goto done;
		} else if (!ynode_is_null(ext)) {
			err = err_node(name, ext, "extends: expected a list, got %s",
			    ynode_type_name(ext));
			goto done;
		}
	}
	if ((err = merge_layer(&ld->m, &l)) || (err = add_file(ld, name, key)))
		goto done;
done:
	layer_release(&l);
	ynode_free(parsed);
	return err;
}

static void
policy_release(struct osl_policy *p)
{
	struct layer l;

	/* a policy owns what a layer owns, plus the chain's bookkeeping */
	memset(&l, 0, sizeof(l));
	l.p = *p;
	layer_release(&l);
	for (size_t i = 0; i < p->nfiles; i++)
		free(p->files[i]);
	free(p->files);
	free(p->source);
	free(p->dflt_where);
	index_free(p->index);
	for (size_t i = 0; i < p->nvars; i++) {
		free(p->vars[i].value);
		free(p->vars[i].real);
		free(p->vars[i].account);
	}
	free(p->vars);
}

void
osl_policy_free(struct osl_policy *p)
{
	if (!p)
		return;
	policy_release(p);
	free(p);
}

/* Unless the policy says otherwise, records go where the default policy
 * sends them; to stderr when XDG_STATE_HOME (or the HOME it is made from) is
 * not set or not a folder of its own: never to a folder made from "" or "/". */
static const struct osl_error *
default_sink(struct osl_policy *p, const struct osl_policy_env *env)
{
	struct strbuf sb = STRBUF_INIT;
	char emsg[256];

	if (p->log.sink)
		return NULL;
	if (vars_expand("file:${XDG_STATE_HOME}/osl/activity.jsonl", env, VARS_OWN, &sb,
	    emsg, sizeof(emsg)) == VX_OK)
		p->log.sink = sb_detach(&sb);
	else {
		sb_release(&sb);
		p->log.sink = strdup("stderr");
	}
	return p->log.sink ? NULL : osl_error_nomem();
}

/* The inert allow rules (osl_rule.inert) out of p->rules into p->inert, in
 * their order: whatever walks the rules (the index, Landlock, exec trees,
 * learn, export) never sees them. */
static const struct osl_error *
split_inert(struct osl_policy *p)
{
	size_t n = 0, k = 0;

	for (size_t i = 0; i < p->nrules; i++)
		n += p->rules[i].inert != NULL;
	if (n == 0)
		return NULL;
	if ((p->inert = calloc(n, sizeof(*p->inert))) == NULL)
		return osl_error_nomem();
	for (size_t i = 0; i < p->nrules; i++) {
		if (p->rules[i].inert)
			p->inert[p->ninert++] = p->rules[i];
		else
			p->rules[k++] = p->rules[i];
	}
	p->nrules = k;
	return NULL;
}

/* One pattern's literal prefix through ENV's resolver: *REAL gets the
 * pattern with it resolved, or stays as it is (the caller's EXPANDED)
 * when nothing changes.  ALL: any symlink may be followed (deny rules). */
static const struct osl_error *
resolve_pattern(const struct osl_policy_env *env, const char *s, bool all, char **real)
{
	char pre[4096], out[4096];
	struct strbuf sb = STRBUF_INIT;
	const char *e, *rest;

	/* the literal prefix: components up to the first with a glob */
	for (rest = s; *rest; rest = e) {
		for (e = rest + 1; *e && *e != '/'; e++)
			;
		if (glob_has_meta(rest + 1, (size_t)(e - rest - 1)))
			break;
	}
	if (rest == s || (size_t)(rest - s) >= sizeof(pre))
		return NULL;
	memcpy(pre, s, (size_t)(rest - s));
	pre[rest - s] = '\0';
	if (!env->resolve(env, pre, all, out, sizeof(out)))
		return NULL;
	for (const char *o = out; *o; o++) {
		if (strchr("*?[]\\", *o))
			sb_addc(&sb, '\\');
		sb_addc(&sb, *o);
	}
	if (sb.len > 1 || *rest != '/')
		sb_add(&sb, rest, strlen(rest));
	else
		sb_add(&sb, rest + 1, strlen(rest + 1));	/* no "//" */
	if (sb.oom || !sb.buf) {
		sb_release(&sb);
		return osl_error_nomem();
	}
	if (strcmp(sb.buf, s) == 0)
		sb_release(&sb);
	else
		*real = sb_detach(&sb);
	return NULL;
}

/* Each fs rule's literal prefix through ENV's resolver (osl_policy_env):
 * requests are real paths, so the rules must name real paths too.  A
 * deny's except: is resolved as a rule that allows is. */
static const struct osl_error *
resolve_rules(struct osl_policy *p, const struct osl_policy_env *env)
{
	const struct osl_error *err = NULL;

	if (!env->resolve)
		return NULL;
	env->resolve(env, NULL, true, NULL, 0);	/* a batch begins */
	for (size_t i = 0; i < p->nrules && !err; i++) {
		struct osl_rule *r = &p->rules[i];

		if (r->kind > OSL_RULE_FS_DENY)
			continue;
		err = resolve_pattern(env, r->expanded, r->kind == OSL_RULE_FS_DENY, &r->real);
		for (size_t j = 0; j < r->nexcept && !err; j++)
			if (!r->except[j].inert)
				err = resolve_pattern(env, r->except[j].expanded, false,
				    &r->except[j].real);
	}
	env->resolve(env, NULL, false, NULL, 0);	/* and ends */
	return err;
}

static const struct osl_error *
load_top(struct osl_policy **out, const char *name, const char *key, const char *buf,
    size_t len, const struct ynode *tree, const struct osl_policy_env *env)
{
	static const struct osl_policy_env noenv;
	const struct osl_error *err;
	struct loader ld;
	struct osl_policy *p;

	*out = NULL;
	if ((p = calloc(1, sizeof(*p))) == NULL)
		return osl_error_nomem();
	memset(&ld, 0, sizeof(ld));
	ld.env = env ? env : &noenv;
	ld.p = p;
	merge_init(&ld.m, p);
	if ((err = load_one(&ld, name, key, buf, len, tree, 1)))
		goto done;
	if ((p->source = strdup(name)) == NULL) {
		err = osl_error_nomem();
		goto done;
	}
	if ((err = default_sink(p, ld.env)) || (err = split_inert(p)) ||
	    (err = osl_policy_vars(p, ld.env)) ||
	    (err = resolve_rules(p, ld.env)) ||
	    (err = index_build(p)) ||
	    (err = policy_hash(p)))
		goto done;
	*out = p;
	p = NULL;
done:
	for (size_t i = 0; i < ld.ndone; i++)
		free(ld.done[i]);
	free(ld.done);
	merge_release(&ld.m);
	osl_policy_free(p);
	return err;
}

const struct osl_error *
osl_policy_load_buf(struct osl_policy **out, const char *name, const char *buf,
    size_t len, const struct osl_policy_env *env)
{
	char real[PATH_MAX];
	const char *key = name;

	if (strncmp(name, "builtin:", 8) != 0 && realpath(name, real) != NULL)
		key = real;
	return load_top(out, name, key, buf, len, NULL, env);
}

/* "cannot open 'PATH': reason" of the top file: say which file it is (-p,
 * $OSL_POLICY), and that it is bad input (osl(1) EXIT STATUS). */
static const struct osl_error *
policy_file_error(const struct osl_error *err)
{
	struct osl_error e;

	if (strncmp(err->msg, "cannot open '", 13))
		return err;
	osl_error_keep(&e, err);
	return osl_error_new(OSL_EINPUT, "cannot open the policy file %s", e.msg + 12);
}

const struct osl_error *
osl_policy_load(struct osl_policy **out, const char *path, const struct osl_policy_env *env)
{
	const struct osl_builtin_policy *b;
	const struct osl_error *err;
	char *buf = NULL;
	size_t len;

	*out = NULL;
	if (strncmp(path, "builtin:", 8) == 0) {
		if ((b = builtin_find(path + 8)) == NULL)
			return osl_error_new(OSL_EINPUT, "unknown built-in policy '%s'", path);
		return load_top(out, path, path, b->text, b->len, b->root, env);
	}
	if ((err = read_bounded(path, false, &buf, &len)))
		return policy_file_error(err);
	err = osl_policy_load_buf(out, path, buf, len, env);
	free(buf);
	return err;
}

const struct osl_error *
osl_policy_openable(const char *path)
{
	const struct osl_error *err;
	struct stat st;
	int fd;

	if (strncmp(path, "builtin:", 8) == 0)
		return builtin_find(path + 8) ? NULL :
		    osl_error_new(OSL_EINPUT, "unknown built-in policy '%s'", path);
	if ((err = open_policy(path, false, &fd, &st)))
		return policy_file_error(err);
	close(fd);
	return NULL;
}
