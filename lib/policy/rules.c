/* Rules of one file (fs.read ... net.deny): a path or network pattern, an
 * optional id, each checked as the schema reads it (schema.c); and the ids
 * unique within the file. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/internal.h"

#define MAX_PATTERN 4096

bool
is_id(const char *s)
{
	size_t n = 0;

	for (; s[n]; n++)
		if (!(s[n] >= 'a' && s[n] <= 'z') && !(s[n] >= 'A' && s[n] <= 'Z') &&
		    !(s[n] >= '0' && s[n] <= '9') && s[n] != '.' && s[n] != '_' && s[n] != '-')
			return false;
	return n > 0 && n <= 64;
}

/* Brackets must close: "[abc" would silently never match. */
static bool
glob_ok(const char *s)
{
	for (; *s; s++) {
		if (*s == '\\') {
			if (!*++s)
				return false;
		} else if (*s == '[') {
			s++;
			if (*s == '!' || *s == '^')
				s++;
			if (*s == ']')
				s++;
			for (; *s != ']'; s++) {
				if (!*s)
					return false;
				if (*s == '[' && s[1] == ':') {
					const char *e = strstr(s + 2, ":]");

					if (!e)
						return false;
					s = e + 1;
				} else if (*s == '\\' && s[1])
					s++;
			}
		}
	}
	return true;
}

void
rule_release(struct osl_rule *r)
{
	for (size_t i = 0; i < r->nexcept; i++) {
		if (r->except[i].real != r->except[i].expanded)
			free(r->except[i].real);
		free(r->except[i].pattern);	/* and expanded, inert with it */
	}
	free(r->except);
	if (r->real != r->expanded)
		free(r->real);
	free(r->where);		/* and id, pattern, expanded with it (add_rule) */
	osl_netpat_release(&r->net);
	memset(r, 0, sizeof(*r));
}

/* Path pattern PAT of WHAT expanded into C->tmp with FLAGS (vars.c) and
 * checked as a glob: VX_OK, VX_INERT (EMSG says why), or VX_ERROR with
 * *ERR the FILE:LINE:COL error. */
static enum vx
expand_path(struct sctx *c, const struct ynode *pat, unsigned flags, const char *what,
    char *emsg, size_t esz, const struct osl_error **err)
{
	enum vx vx = pattern_expand(pat->str, c->env, flags, &c->tmp, emsg, esz);

	if (vx == VX_ERROR)
		*err = err_node(c->file, pat, "%s: '%.200s': %s", what, pat->str, emsg);
	else if (!glob_ok(c->tmp.buf)) {
		*err = err_node(c->file, pat, "%s: '%.200s': unclosed '[' or trailing '\\'",
		    what, pat->str);
		vx = VX_ERROR;
	}
	return vx;
}

/* One path of a deny rule's except: list (N) into R: expanded as a rule
 * that allows is (VARS_OWN: a variable that cannot be used makes it inert,
 * so that it excepts nothing). */
static const struct osl_error *
add_except(struct sctx *c, struct osl_rule *r, const struct ynode *n, const char *what)
{
	const struct osl_error *err;
	struct osl_except *e, *v;
	char emsg[512], *w;
	size_t elen, rlen = 0;
	enum vx vx;

	if ((err = schema_want_str(c, n, what)))
		return err;
	if (n->len > MAX_PATTERN)
		return err_node(c->file, n, "%s: pattern longer than %d characters", what,
		    MAX_PATTERN);
	if ((vx = expand_path(c, n, VARS_OWN, what, emsg, sizeof(emsg), &err)) == VX_ERROR)
		return err;
	if (vx == VX_INERT)
		rlen = strlen(emsg) + 1;
	if ((v = realloc(r->except, (r->nexcept + 1) * sizeof(*v))) == NULL)
		return osl_error_nomem();
	r->except = v;
	elen = strlen(c->tmp.buf);
	if ((w = malloc(n->len + 1 + elen + 1 + rlen)) == NULL)
		return osl_error_nomem();
	e = &r->except[r->nexcept++];
	memset(e, 0, sizeof(*e));
	e->pattern = memcpy(w, n->str, n->len + 1);
	e->expanded = memcpy(w + n->len + 1, c->tmp.buf, elen + 1);
	e->real = e->expanded;	/* until load.c resolves it */
	if (rlen)
		e->inert = memcpy(w + n->len + 1 + elen + 1, emsg, rlen);
	return NULL;
}

/* except: of a deny rule: a list of paths, or one path. */
static const struct osl_error *
add_excepts(struct sctx *c, struct osl_rule *r, const struct ynode *n)
{
	const struct osl_error *err;

	if (n->type == Y_SCALAR)
		return add_except(c, r, n, "fs.deny.except");
	if ((err = schema_want_list(c, n, "fs.deny.except")))
		return err;
	for (size_t i = 0; i < n->nkids; i++)
		if ((err = add_except(c, r, n->kids[i], "fs.deny.except")))
			return err;
	return NULL;
}

/* R (its kind, and net pattern), written at N with pattern node PAT and id
 * node ID (or NULL), expanded to EXP, inert for INERT (or NULL), into the
 * layer; R is released on failure.  EXP may be c->tmp: it is copied before
 * the excepts use it. */
static const struct osl_error *
put_rule(struct sctx *c, struct osl_rule *r, const struct ynode *n, const struct ynode *pat,
    const struct ynode *id, const char *exp, const char *inert)
{
	const struct osl_error *err = NULL;
	struct osl_policy *p = &c->l->p;
	const struct ynode *ex;
	size_t flen = strlen(c->file), elen = strlen(exp), ilen = id ? id->len : 0;
	size_t rlen = inert ? strlen(inert) + 1 : 0;
	char *w;

	/* where, pattern, expanded and id in one block, owned by where */
	if ((w = malloc(flen + 24 + pat->len + 1 + elen + 1 + ilen + 1 + rlen)) == NULL)
		goto nomem;
	r->where = w;
	w += where_put(w, c->file, n->line, n->col) + 1;
	r->pattern = memcpy(w, pat->str, pat->len + 1);
	w += pat->len + 1;
	r->expanded = memcpy(w, exp, elen + 1);
	r->real = r->expanded;	/* until load.c resolves it */
	w += elen + 1;
	if (id)
		r->id = memcpy(w, id->str, ilen + 1);
	w += ilen + 1;
	if (rlen)
		r->inert = memcpy(w, inert, rlen);
	if (n->type == Y_MAP && (ex = ymap_get(n, "except")) != NULL &&
	    (err = add_excepts(c, r, ex)))
		goto done;
	if (p->nrules == c->l->rules_cap) {
		size_t cap = c->l->rules_cap ? c->l->rules_cap * 2 : 16;
		struct osl_rule *nr = realloc(p->rules, cap * sizeof(*nr));

		if (!nr)
			goto nomem;
		p->rules = nr;
		c->l->rules_cap = cap;
	}
	p->rules[p->nrules++] = *r;
	memset(r, 0, sizeof(*r));
	goto done;
nomem:
	err = osl_error_nomem();
done:
	rule_release(r);
	return err;
}

/* The deny rule just added, once more with the account's own values for
 * its variables (osl_policy_env.account_home) when they give another path:
 * a HOME, TMPDIR or XDG folder from the environment never takes the
 * account's own files out of a deny (man/osl-policy.5, VARIABLES). */
static const struct osl_error *
add_account_twin(struct sctx *c, const struct ynode *n, const struct ynode *pat,
    const struct ynode *id)
{
	struct osl_policy_env a;
	struct osl_rule r;
	char emsg[512];

	vars_account_env(c->env, &a);
	if (pattern_expand(pat->str, &a, 0, &c->tmp, emsg, sizeof(emsg)) != VX_OK ||
	    !glob_ok(c->tmp.buf) || !strcmp(c->tmp.buf, c->l->p.rules[c->l->p.nrules - 1].expanded))
		return NULL;	/* no account value, or the same path */
	memset(&r, 0, sizeof(r));
	r.kind = OSL_RULE_FS_DENY;
	r.account = true;
	return put_rule(c, &r, n, pat, id, c->tmp.buf, NULL);
}

static const struct osl_error *
add_rule(struct sctx *c, enum osl_rule_kind kind, const struct ynode *n, const char *what)
{
	static const char *const fs_keys[] = { "path", "id", NULL };
	static const char *const deny_keys[] = { "path", "id", "except", NULL };
	static const char *const net_keys[] = { "addr", "id", NULL };
	const struct osl_error *err = NULL;
	bool fs = kind <= OSL_RULE_FS_DENY;
	const struct ynode *pat = n, *id = NULL;
	struct osl_rule r;
	char emsg[512];
	enum vx vx = VX_OK;

	memset(&r, 0, sizeof(r));
	r.kind = kind;
	if (n->type == Y_MAP) {
		if ((err = schema_check_keys(c, n, what, kind == OSL_RULE_FS_DENY ? deny_keys :
		    fs ? fs_keys : net_keys)))
			return err;
		if ((pat = ymap_get(n, fs ? "path" : "addr")) == NULL)
			return err_node(c->file, n, "%s: a rule map needs '%s:'", what,
			    fs ? "path" : "addr");
		if ((id = ymap_get(n, "id")) != NULL) {
			if ((err = schema_want_str(c, id, what)))
				return err;
			if (!is_id(id->str))
				return err_node(c->file, id, "%s: invalid id '%.100s' (1-64 letters, "
				    "digits, '.', '_' or '-')", what, id->str);
		}
	} else if (n->type != Y_SCALAR)
		return err_node(c->file, n, "%s: a rule is a string or a map, got %s", what,
		    ynode_type_name(n));
	if ((err = schema_want_str(c, pat, what)))
		return err;
	if (pat->len > MAX_PATTERN)
		return err_node(c->file, pat, "%s: pattern longer than %d characters", what,
		    MAX_PATTERN);
	if (!fs) {
		if ((err = osl_netpat_parse(pat->str, &r.net))) {
			err = err_node(c->file, pat, "%s: %s", what, err->msg);
			rule_release(&r);
			return err;
		}
		return put_rule(c, &r, n, pat, id, pat->str, NULL);
	}
	/* a deny rule can only narrow: its variables are taken as they are (and
	 * as the account's own); an allow rule whose variable cannot be used is
	 * inert */
	if ((vx = expand_path(c, pat, kind == OSL_RULE_FS_DENY ? 0 : VARS_OWN, what, emsg,
	    sizeof(emsg), &err)) == VX_ERROR)
		return err;
	if ((err = put_rule(c, &r, n, pat, id, c->tmp.buf, vx == VX_INERT ? emsg : NULL)))
		return err;
	return kind == OSL_RULE_FS_DENY ? add_account_twin(c, n, pat, id) : NULL;
}

const struct osl_error *
rule_list(struct sctx *c, enum osl_rule_kind kind, const struct ynode *n, const char *what)
{
	const struct osl_error *err;

	if ((err = schema_want_list(c, n, what)))
		return err;
	for (size_t i = 0; i < n->nkids; i++)
		if ((err = add_rule(c, kind, n->kids[i], what)))
			return err;
	return NULL;
}


/* Two rules of one file with the same id would make `rule:` in tests and
 * the logs ambiguous.  Reported: of the ids that repeat, the first in byte
 * order, at its second rule.  A hash table, not a sort: this runs on every
 * load. */
const struct osl_error *
check_ids(struct sctx *c)
{
	const struct osl_policy *p = &c->l->p;
	const struct osl_rule *dup = NULL, *first = NULL;
	const size_t seen = (size_t)1 << (sizeof(size_t) * 8 - 1);	/* repeated */
	size_t mask = 15, *slot;	/* rule index + 1 (| seen); 0 is empty */

	while (mask < 2 * p->nrules)
		mask = mask * 2 + 1;
	if ((slot = calloc(mask + 1, sizeof(*slot))) == NULL)
		return osl_error_nomem();
	for (size_t i = 0; i < p->nrules; i++) {
		const struct osl_rule *r = &p->rules[i];
		uint32_t h = 2166136261u;
		size_t k;

		if (!r->id || r->account)	/* a twin keeps its rule's id */
			continue;
		for (const char *s = r->id; *s; s++)
			h = (h ^ (unsigned char)*s) * 16777619u;
		for (k = h & mask; slot[k]; k = (k + 1) & mask)
			if (strcmp(p->rules[(slot[k] & ~seen) - 1].id, r->id) == 0)
				break;
		if (!slot[k]) {
			slot[k] = i + 1;
			continue;
		}
		if (slot[k] & seen)
			continue;	/* a third or later: the second was taken */
		if (!dup || strcmp(r->id, dup->id) < 0) {
			dup = r;
			first = &p->rules[slot[k] - 1];
		}
		slot[k] |= seen;
	}
	free(slot);
	if (!dup)
		return NULL;
	return osl_error_new(OSL_EINPUT, "%s: duplicate rule id '%s' (first at %s)",
	    dup->where, dup->id, first->where);
}
