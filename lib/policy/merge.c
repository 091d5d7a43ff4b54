/* extends: merging.  Layers arrive parents first; allows and denies add up,
 * scalars are overridden by later layers, except that `default` and `mode`
 * may only get stricter and limits only lower. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nettle/sha2.h>

#include "policy/internal.h"
#include "util/parse.h"

void
policy_defaults(struct osl_policy *p)
{
	p->mode = OSL_MODE_ENFORCE;
	p->dflt = OSL_DENY;
	p->net_resolve = false;
	p->signal_scope = OSL_SIGNAL_SELF | OSL_SIGNAL_CHILDREN;
	p->limits.cpu_ns = p->limits.wall_ns = p->limits.memory = OSL_LIMIT_UNSET;
	p->limits.nofile = p->limits.nproc = p->limits.fsize = OSL_LIMIT_UNSET;
	p->limits.core = OSL_LIMIT_UNSET;
	p->seccomp.base = OSL_SECCOMP_DEFAULT;
	p->log.level = OSL_LEVEL_INFO;
	p->log.sync = OSL_SYNC_BATCH;
	p->log.chain = true;
	p->log.on_failure = OSL_ONFAIL_DENY;
	p->log.rotate_size = 0;
	p->log.rotate_keep = 10;
	p->log.checkpoint_every = 1000;
	p->log.checkpoint_interval_ns = 0;
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

static uint64_t *
limit_ptr(struct osl_limits *l, int k)
{
	uint64_t *v[7] = { &l->cpu_ns, &l->wall_ns, &l->memory, &l->nofile, &l->nproc,
		&l->fsize, &l->core };

	return v[k];
}

static const char *
limit_text(int k, uint64_t v, char *buf, size_t n)
{
	if (k <= 1)
		return osl_format_duration(v, buf, n);
	if (k == 3 || k == 4) {
		snprintf(buf, n, "%llu", (unsigned long long)v);
		return buf;
	}
	return osl_format_size(v, buf, n);
}

/* Only for the checks: a later layer may not weaken what an earlier set. */
static const struct osl_error *
check_stricter(struct merge *m, const struct layer *l)
{
	const struct osl_policy *acc = m->p, *p = &l->p;
	char a[32], b[32];

	if (l->set[LF_DEFAULT] && m->set[LF_DEFAULT] && acc->dflt == OSL_DENY &&
	    p->dflt == OSL_ALLOW)
		return err_at(l->file, l->pos[LF_DEFAULT].line, l->pos[LF_DEFAULT].col,
		    "default: allow would weaken default: deny from %s (default may only "
		    "get stricter down an extends chain)", m->where[LF_DEFAULT]);
	if (l->set[LF_MODE] && m->set[LF_MODE] && acc->mode == OSL_MODE_ENFORCE &&
	    p->mode == OSL_MODE_AUDIT)
		return err_at(l->file, l->pos[LF_MODE].line, l->pos[LF_MODE].col,
		    "mode: audit would weaken mode: enforce from %s (mode may only get "
		    "stricter down an extends chain)", m->where[LF_MODE]);
	for (int k = 0; k < 7; k++) {
		uint64_t old = *limit_ptr(&m->p->limits, k);
		uint64_t nw = *limit_ptr((struct osl_limits *)&p->limits, k);

		if (!l->set[LF_LIMIT + k] || !m->set[LF_LIMIT + k] || nw <= old)
			continue;
		return err_at(l->file, l->pos[LF_LIMIT + k].line, l->pos[LF_LIMIT + k].col,
		    "proc.limits.%s: %s is above %s from %s (limits may only get lower "
		    "down an extends chain)", limit_names[k], limit_text(k, nw, a, sizeof(a)),
		    limit_text(k, old, b, sizeof(b)), m->where[LF_LIMIT + k]);
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

const struct osl_error *
merge_layer(struct merge *m, struct layer *l)
{
	struct osl_policy *acc = m->p, *p = &l->p;
	const struct osl_error *err;

	if ((err = check_stricter(m, l)))
		return err;
	for (int f = 0; f < LF__COUNT; f++) {
		char *w;

		if (!l->set[f])
			continue;
		if ((w = where_at(l->file, l->pos[f].line, l->pos[f].col)) == NULL)
			return osl_error_nomem();
		free(m->where[f]);
		m->where[f] = w;
		switch (f) {
		case LF_NAME:
			take_str(&acc->name, &p->name);
			break;
		case LF_DESC:
			take_str(&acc->description, &p->description);
			break;
		case LF_MODE:
			acc->mode = p->mode;
			break;
		case LF_DEFAULT:
			acc->dflt = p->dflt;
			break;
		case LF_RESOLVE:
			acc->net_resolve = p->net_resolve;
			break;
		case LF_SIGNAL:
			/* allows add up */
			acc->signal_scope = m->set[f] ? acc->signal_scope | p->signal_scope :
			    p->signal_scope;
			break;
		case LF_CAPS:
			/* the stricter wins: a file that names a list bounds what
			 * the files extending it may keep */
			acc->capabilities = m->set[f] ? acc->capabilities & p->capabilities :
			    p->capabilities;
			break;
		case LF_NAMESPACES:
			/* the stricter wins: what any file asks for */
			acc->namespaces = m->set[f] ? acc->namespaces | p->namespaces :
			    p->namespaces;
			break;
		case LF_SECCOMP:
			acc->seccomp.base = p->seccomp.base;
			break;
		case LF_TMP:
			acc->tmp = p->tmp;
			break;
		case LF_LEVEL:
			acc->log.level = p->log.level;
			break;
		case LF_SINK:
			take_str(&acc->log.sink, &p->log.sink);
			break;
		case LF_SYNC:
			acc->log.sync = p->log.sync;
			break;
		case LF_CHAIN:
			acc->log.chain = p->log.chain;
			break;
		case LF_ONFAIL:
			acc->log.on_failure = p->log.on_failure;
			break;
		case LF_ROT_SIZE:
			acc->log.rotate_size = p->log.rotate_size;
			break;
		case LF_ROT_KEEP:
			acc->log.rotate_keep = p->log.rotate_keep;
			break;
		case LF_CP_EVERY:
			acc->log.checkpoint_every = p->log.checkpoint_every;
			break;
		case LF_CP_INTERVAL:
			acc->log.checkpoint_interval_ns = p->log.checkpoint_interval_ns;
			break;
		case LF_CP_KEY:
			take_str(&acc->log.checkpoint_key, &p->log.checkpoint_key);
			break;
		case LF_CP_SINK:
			take_str(&acc->log.checkpoint_sink, &p->log.checkpoint_sink);
			break;
		default:
			*limit_ptr(&acc->limits, f - LF_LIMIT) = *limit_ptr(&p->limits, f - LF_LIMIT);
			break;
		}
		m->set[f] = true;
	}
	if (p->nrules) {
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
	}
	if ((err = union_strs(&acc->env_keep, &acc->nenv_keep, p->env_keep, p->nenv_keep)) ||
	    (err = merge_env_set(acc, p)) ||
	    (err = union_strs(&acc->seccomp.deny, &acc->seccomp.ndeny, p->seccomp.deny,
	    p->seccomp.ndeny)) ||
	    (err = union_strs(&acc->seccomp.allow, &acc->seccomp.nallow, p->seccomp.allow,
	    p->seccomp.nallow)))
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

/* Everything the policy does, nothing of where it was written (files, lines,
 * patterns before expansion): the same merged content has the same hash,
 * whatever its layout.  Rules go by kind, in order within a kind, as
 * `osl policy show` lists them. */
const struct osl_error *
policy_hash(struct osl_policy *p)
{
	static const char hex[] = "0123456789abcdef";
	const struct osl_log_config *lg = &p->log;
	struct hasher h;
	uint8_t dig[SHA256_DIGEST_SIZE];

	sha256_init(&h.ctx);
	h.n = 0;
	h_bytes(&h, "osl1", 5);
	h_opt(&h, p->name);
	h_opt(&h, p->description);
	h_num(&h, p->mode);
	h_num(&h, p->dflt);
	for (int k = 0; k < OSL_RULE__COUNT; k++) {
		size_t n = 0;

		for (size_t i = 0; i < p->nrules; i++)
			n += p->rules[i].kind == (enum osl_rule_kind)k;
		h_num(&h, n);
		for (size_t i = 0; i < p->nrules; i++)
			if (p->rules[i].kind == (enum osl_rule_kind)k) {
				h_opt(&h, p->rules[i].id);
				h_str(&h, p->rules[i].expanded);
			}
	}
	h_num(&h, p->net_resolve);
	h_num(&h, p->signal_scope);
	for (int k = 0; k < 7; k++)
		h_num(&h, *limit_ptr(&p->limits, k));
	h_strs(&h, p->env_keep, p->nenv_keep);
	h_num(&h, p->nenv_set);
	for (size_t i = 0; i < p->nenv_set; i++) {
		h_str(&h, p->env_set[i].key);
		h_str(&h, p->env_set[i].value);
	}
	h_num(&h, p->seccomp.base);
	if (p->tmp != OSL_TMP_PRIVATE)	/* the default leaves older hashes as they were */
		h_num(&h, p->tmp);
	h_strs(&h, p->seccomp.deny, p->seccomp.ndeny);
	h_strs(&h, p->seccomp.allow, p->seccomp.nallow);
	/* only when some are kept: the hashes of policies without stay */
	if (p->capabilities) {
		h_str(&h, "capabilities");
		h_num(&h, p->capabilities);
	}
	if (p->namespaces) {
		h_str(&h, "namespaces");
		h_num(&h, p->namespaces);
	}
	h_num(&h, lg->level);
	h_str(&h, lg->sink ? lg->sink : "none");
	h_num(&h, lg->sync);
	h_num(&h, lg->chain);
	h_num(&h, lg->on_failure);
	h_num(&h, lg->rotate_size);
	h_num(&h, lg->rotate_keep);
	h_num(&h, lg->checkpoint_every);
	h_num(&h, lg->checkpoint_interval_ns);
	h_opt(&h, lg->checkpoint_key);
	h_opt(&h, lg->checkpoint_sink);
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
