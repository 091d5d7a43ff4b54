/* extends: merging, and the hash of the result.  Layers arrive parents
 * first; each setting combines as its row in settings.c says (rules and
 * lists add up, scalars are overridden by later layers, except that
 * `default` and `mode` may only get stricter and limits only lower). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nettle/sha2.h>

#include "policy/internal.h"
#include "util/parse.h"

void
policy_defaults(struct osl_policy *p)
{
	for (int f = 0; f < LF__COUNT; f++) {
		const struct setting *s = &settings[f];

		if (s->size && s->type != ST_STR)
			setting_set_num(p, s, s->flags & S_LIMIT ? OSL_LIMIT_UNSET : s->dflt);
	}
}

void
merge_init(struct merge *m, struct osl_policy *p)
{
	memset(m, 0, sizeof(*m));
	m->p = p;
	policy_defaults(p);
}

void
merge_release(struct merge *m)
{
	for (int i = 0; i < LF__COUNT; i++)
		free(m->where[i]);
	memset(m, 0, sizeof(*m));
}

/* Only for the checks: a later layer may not weaken what an earlier set. */
static const struct osl_error *
check_stricter(struct merge *m, const struct layer *l)
{
	char a[32], b[32];

	for (int f = 0; f < LF__COUNT; f++) {
		const struct setting *s = &settings[f];
		uint64_t old, nw;

		if (!l->set[f] || !m->set[f])
			continue;
		old = setting_num(m->p, s);
		nw = setting_num(&l->p, s);
		if (s->merge == SM_STRICTER && old == (uint64_t)s->arg && nw != old)
			return err_at(l->file, l->pos[f].line, l->pos[f].col,
			    "%s: %s would weaken %s: %s from %s (%s may only get stricter down "
			    "an extends chain)", s->key, s->names[nw], s->key, s->names[old],
			    m->where[f], s->key);
		if (s->merge == SM_LOWER && nw > old)
			return err_at(l->file, l->pos[f].line, l->pos[f].col,
			    "%s: %s is above %s from %s (limits may only get lower down an "
			    "extends chain)", s->key, setting_text(s, nw, a, sizeof(a)),
			    setting_text(s, old, b, sizeof(b)), m->where[f]);
	}
	return NULL;
}

static void
take_str(char **dst, char **src)
{
	free(*dst);
	*dst = *src;
	*src = NULL;
}

/* Append SRC's strings not yet in DST; SRC keeps what it does not give. */
static const struct osl_error *
union_strs(char ***dst, size_t *ndst, char **src, size_t nsrc)
{
	char **v;

	if (nsrc == 0)
		return NULL;
	if ((v = realloc(*dst, (*ndst + nsrc) * sizeof(*v))) == NULL)
		return osl_error_nomem();
	*dst = v;
	for (size_t i = 0; i < nsrc; i++) {
		size_t j;

		for (j = 0; j < *ndst; j++)
			if (strcmp(v[j], src[i]) == 0)
				break;
		if (j < *ndst)
			continue;
		v[(*ndst)++] = src[i];
		src[i] = NULL;
	}
	return NULL;
}

static const struct osl_error *
merge_env_set(struct osl_policy *acc, struct osl_policy *p)
{
	struct osl_kv *v;

	if (p->nenv_set == 0)
		return NULL;
	if ((v = realloc(acc->env_set, (acc->nenv_set + p->nenv_set) * sizeof(*v))) == NULL)
		return osl_error_nomem();
	acc->env_set = v;
	for (size_t i = 0; i < p->nenv_set; i++) {
		size_t j;

		for (j = 0; j < acc->nenv_set; j++)
			if (strcmp(v[j].key, p->env_set[i].key) == 0)
				break;
		if (j == acc->nenv_set) {
			v[j].key = p->env_set[i].key;
			v[j].value = NULL;
			p->env_set[i].key = NULL;
			acc->nenv_set++;
		}
		take_str(&v[j].value, &p->env_set[i].value);
	}
	return NULL;
}

/* One setting of layer L into the accumulated policy. */
static const struct osl_error *
merge_setting(struct merge *m, struct layer *l, const struct setting *s, bool was_set)
{
	struct osl_policy *acc = m->p, *p = &l->p;
	uint64_t old = setting_num(acc, s), nw;

	switch (s->type) {
	case ST_STR:
		take_str(setting_ptr(acc, s), setting_ptr(p, s));
		return NULL;
	case ST_STRS:
		return union_strs(setting_ptr(acc, s), setting_count(acc, s),
		    *(char ***)setting_ptr(p, s), *setting_count(p, s));
	case ST_ENV:
		return merge_env_set(acc, p);
	case ST_RULES:
		return NULL;	/* merge_layer appends them, every kind at once */
	default:
		nw = setting_num(p, s);
		if (was_set && s->merge == SM_OR)
			nw |= old;
		else if (was_set && s->merge == SM_AND)
			nw &= old;
		setting_set_num(acc, s, nw);
		return NULL;
	}
}

static const struct osl_error *
add_rules(struct merge *m, struct osl_policy *p)
{
	struct osl_policy *acc = m->p;

	if (acc->nrules + p->nrules > m->rules_cap) {
		size_t cap = m->rules_cap ? m->rules_cap : 16;
		struct osl_rule *v;

		while (cap < acc->nrules + p->nrules)
			cap *= 2;
		if ((v = realloc(acc->rules, cap * sizeof(*v))) == NULL)
			return osl_error_nomem();
		acc->rules = v;
		m->rules_cap = cap;
	}
	memcpy(acc->rules + acc->nrules, p->rules, p->nrules * sizeof(*p->rules));
	acc->nrules += p->nrules;
	p->nrules = 0;
	return NULL;
}

const struct osl_error *
merge_layer(struct merge *m, struct layer *l)
{
	struct osl_policy *acc = m->p;
	const struct osl_error *err;

	if ((err = check_stricter(m, l)))
		return err;
	for (int f = 0; f < LF__COUNT; f++) {
		const struct setting *s = &settings[f];
		char *w;

		/* lists and rules add up whether a file sets them or not */
		if (s->merge == SM_ADD) {
			if ((err = merge_setting(m, l, s, m->set[f])))
				return err;
			continue;
		}
		if (!l->set[f])
			continue;
		if ((w = where_at(l->file, l->pos[f].line, l->pos[f].col)) == NULL)
			return osl_error_nomem();
		free(m->where[f]);
		m->where[f] = w;
		if ((err = merge_setting(m, l, s, m->set[f])))
			return err;
		m->set[f] = true;
	}
	if (l->p.nrules && (err = add_rules(m, &l->p)))
		return err;
	/* where the `default:` in force was written, for explanations */
	if (l->set[LF_DEFAULT]) {
		free(acc->dflt_where);
		if ((acc->dflt_where = strdup(m->where[LF_DEFAULT])) == NULL)
			return osl_error_nomem();
	}
	return NULL;
}

/* The hash reads the policy as a stream of fields, buffered into SHA-256:
 * no tree and no text are built.  A string ends with its NUL (none has one
 * inside); one that may be absent has a byte before it (0 absent, 1 there);
 * a number is 7 bits a byte, low first, the high bit set on all but the
 * last; a list is its length, then its items. */
struct hasher {
	struct sha256_ctx ctx;
	size_t n;
	uint8_t buf[256];
};

static void
h_bytes(struct hasher *h, const void *data, size_t len)
{
	if (h->n + len > sizeof(h->buf)) {
		sha256_update(&h->ctx, h->n, h->buf);
		h->n = 0;
		if (len > sizeof(h->buf)) {
			sha256_update(&h->ctx, len, data);
			return;
		}
	}
	memcpy(h->buf + h->n, data, len);
	h->n += len;
}

static void
h_num(struct hasher *h, uint64_t v)
{
	uint8_t b[10];
	size_t n = 0;

	for (; v >= 0x80; v >>= 7)
		b[n++] = (uint8_t)(v | 0x80);
	b[n++] = (uint8_t)v;
	h_bytes(h, b, n);
}

static void
h_str(struct hasher *h, const char *s)
{
	h_bytes(h, s, strlen(s) + 1);
}

static void
h_opt(struct hasher *h, const char *s)
{
	h_bytes(h, s ? "\1" : "\0", 1);
	if (s)
		h_str(h, s);
}

static void
h_strs(struct hasher *h, char *const *v, size_t n)
{
	h_num(h, n);
	for (size_t i = 0; i < n; i++)
		h_str(h, v[i]);
}

/* A deny's except: in force, as `policy show` has it (an inert one excepts
 * nothing). */
static void
h_excepts(struct hasher *h, const struct osl_rule *r)
{
	size_t n = 0;

	for (size_t i = 0; i < r->nexcept; i++)
		n += !r->except[i].inert;
	h_num(h, n);
	for (size_t i = 0; i < r->nexcept; i++)
		if (!r->except[i].inert)
			h_str(h, r->except[i].expanded);
}

/* One setting into the hash, as its type says. */
static void
h_setting(struct hasher *h, const struct osl_policy *p, const struct setting *s)
{
	const char *str;
	size_t n;

	switch (s->type) {
	case ST_STR:
		str = *(char **)setting_ptr(p, s);
		if (s->flags & S_NONE)
			h_str(h, str ? str : "none");
		else
			h_opt(h, str);
		break;
	case ST_STRS:
		h_strs(h, *(char ***)setting_ptr(p, s), *setting_count(p, s));
		break;
	case ST_ENV:
		h_num(h, p->nenv_set);
		for (size_t i = 0; i < p->nenv_set; i++) {
			h_str(h, p->env_set[i].key);
			h_str(h, p->env_set[i].value);
		}
		break;
	case ST_RULES:
		n = 0;
		for (size_t i = 0; i < p->nrules; i++)
			n += p->rules[i].kind == (enum osl_rule_kind)s->arg;
		h_num(h, n);
		for (size_t i = 0; i < p->nrules; i++)
			if (p->rules[i].kind == (enum osl_rule_kind)s->arg) {
				h_opt(h, p->rules[i].id);
				h_str(h, p->rules[i].expanded);
				if (s->arg == OSL_RULE_FS_DENY)
					h_excepts(h, &p->rules[i]);
			}
		break;
	default:
		h_num(h, setting_num(p, s));
		break;
	}
}

/* Everything the policy does, nothing of where it was written (files, lines,
 * patterns before expansion): the same merged content has the same hash,
 * whatever its layout.  Every setting of the table, in its order; rules go
 * by kind, in order within a kind, as `osl policy show` lists them. */
const struct osl_error *
policy_hash(struct osl_policy *p)
{
	static const char hex[] = "0123456789abcdef";
	struct hasher h;
	uint8_t dig[SHA256_DIGEST_SIZE];

	sha256_init(&h.ctx);
	h.n = 0;
	h_bytes(&h, "osl2", 5);		/* osl1: before the settings table */
	for (int f = 0; f < LF__COUNT; f++)
		h_setting(&h, p, &settings[f]);
	sha256_update(&h.ctx, h.n, h.buf);
	sha256_digest(&h.ctx, sizeof(dig), dig);
	memcpy(p->hash, "sha256:", 7);
	for (size_t i = 0; i < sizeof(dig); i++) {
		p->hash[7 + 2 * i] = hex[dig[i] >> 4];
		p->hash[8 + 2 * i] = hex[dig[i] & 15];
	}
	p->hash[7 + 2 * sizeof(dig)] = '\0';
	return NULL;
}
