/* The compiled form of a merged policy, so that a decision never scans every
 * rule:
 *
 *  - fs: a trie over the literal (glob-free) leading components of each
 *    pattern.  A decision walks the path's components down the trie once and
 *    tests only the rules hung on the nodes it passes: those whose literal
 *    prefix is an ancestor of the path.  Rules that start with a glob hang on
 *    the root.  A node's rule is EXACT (all literal), SUBTREE (prefix, then "**":
 *    no matching needed), SUFFIX ("**", then literal components, as in the
 *    common "**" + ".env": the path's tail is compared) or GLOB (wildmatch on
 *    the rest of the path).
 *  - net: host names and "*.domain" suffixes in a hash table, addresses in
 *    the same table keyed by (family, prefix length, masked address) and
 *    looked up once per distinct prefix length, "*" hosts in a list.
 *
 * Trie edges live in one open-addressing table keyed by (parent, component).
 * Nothing here allocates after index_build. */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "policy/internal.h"

enum { FS_READ, FS_WRITE, FS_EXEC, FS_DENY };
enum { HOW_EXACT, HOW_SUBTREE, HOW_GLOB, HOW_SUFFIX };
enum { NK_NAME = 1, NK_SUFFIX, NK_V4, NK_V6 };

struct frule {
	const struct osl_rule *rule;
	const char *rest;	/* GLOB: pattern below the node (no leading '/');
				 * SUFFIX: the literal after a leading "**" component */
	size_t rest_len;
	char *rest_dir;		/* GLOB ending in a "**" component: rest without it; owned */
	uint32_t node;
	uint8_t kind, how;
	unsigned score;
};

struct tnode {
	uint32_t first, count;	/* slice of idx->fr */
	uint8_t kinds;		/* bit per FS_* present */
};

struct edge {
	const char *comp;	/* NULL: empty slot */
	uint32_t len, hash, parent, child;
};

struct nrule {
	const struct osl_rule *rule;
	unsigned score;
};

struct nslot {
	uint8_t type;		/* 0: empty */
	uint8_t alen;
	uint32_t hash;
	const char *name;	/* NK_NAME, NK_SUFFIX */
	size_t nlen;
	uint8_t addr[17];	/* NK_V4/NK_V6: prefix length, then the masked address */
	uint32_t first, count;
};

struct index {
	struct tnode *nodes;
	uint32_t nnodes;
	struct frule *fr;
	size_t nfr;
	struct edge *edges;
	uint32_t emask;

	struct nrule *nr;	/* lists of the slots, then the "*" hosts */
	size_t nnr;
	struct nslot *slots;
	uint32_t smask;
	uint32_t any_first, any_count;
	uint8_t plen[2][129];	/* distinct prefix lengths, longest first */
	unsigned nplen[2];
};

static uint32_t
hash_bytes(uint32_t h, const void *data, size_t n)
{
	const unsigned char *p = data;

	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 16777619u;
	return h ^ (h >> 15);
}

static uint32_t
edge_hash(uint32_t parent, const char *s, size_t n)
{
	return hash_bytes(2166136261u ^ (parent * 2654435761u), s, n);
}

static uint32_t
pow2_above(size_t n)
{
	uint32_t v = 16;

	while (v < n * 2)
		v <<= 1;
	return v;
}

static uint32_t
edge_find(const struct index *ix, uint32_t parent, const char *s, size_t n)
{
	uint32_t h = edge_hash(parent, s, n), i = h & ix->emask;
	const struct edge *e;

	for (;; i = (i + 1) & ix->emask) {
		e = &ix->edges[i];
		if (!e->comp)
			return UINT32_MAX;
		if (e->hash == h && e->parent == parent && e->len == n &&
		    memcmp(e->comp, s, n) == 0)
			return e->child;
	}
}

static uint32_t
edge_add(struct index *ix, uint32_t parent, const char *s, size_t n)
{
	uint32_t h = edge_hash(parent, s, n), i = h & ix->emask;
	struct edge *e;

	for (;; i = (i + 1) & ix->emask) {
		e = &ix->edges[i];
		if (!e->comp)
			break;
		if (e->hash == h && e->parent == parent && e->len == n &&
		    memcmp(e->comp, s, n) == 0)
			return e->child;
	}
	e->comp = s;
	e->len = (uint32_t)n;
	e->hash = h;
	e->parent = parent;
	e->child = ix->nnodes++;
	return e->child;
}

/* Literal characters weigh most, then the number of components. */
static unsigned
fs_score(const char *s)
{
	unsigned lit = 0, comps = 0;

	for (; *s; s++) {
		if (*s == '/')
			comps++;
		else if (*s == '\\' && s[1])
			s++, lit++;
		else if (*s != '*' && *s != '?' && *s != '[' && *s != ']')
			lit++;
	}
	return lit * 64 + (comps < 63 ? comps : 63);
}

static int
fs_kind(enum osl_rule_kind k)
{
	switch (k) {
	case OSL_RULE_FS_READ:
		return FS_READ;
	case OSL_RULE_FS_WRITE:
		return FS_WRITE;
	case OSL_RULE_FS_EXEC:
		return FS_EXEC;
	case OSL_RULE_FS_DENY:
		return FS_DENY;
	default:
		return -1;
	}
}

/* One entry of the trie: rule R under pattern PAT. */
static const struct osl_error *
fs_entry(struct index *ix, const struct osl_rule *r, int k, const char *pat)
{
	struct frule *f = &ix->fr[ix->nfr++];
	const char *s, *e;
	uint32_t node = 0;

	f->rule = r;
	f->kind = (uint8_t)k;
	f->score = fs_score(pat);
	f->how = HOW_EXACT;
	for (s = pat + 1; *s; s = *e ? e + 1 : e) {
		e = strchr(s, '/');
		if (!e)
			e = s + strlen(s);
		if (glob_has_meta(s, (size_t)(e - s))) {
			size_t n = strlen(s);

			if (strcmp(s, "**") == 0) {
				f->how = HOW_SUBTREE;
				break;
			}
			f->how = HOW_GLOB;
			f->rest = s;
			if (strncmp(s, "**/", 3) == 0 && !glob_has_meta(s + 3, n - 3)) {
				f->how = HOW_SUFFIX;
				f->rest = s + 3;
				f->rest_len = n - 3;
				break;
			}
			if (n > 3 && strcmp(s + n - 3, "/**") == 0 && s[n - 4] != '\\' &&
			    (f->rest_dir = strndup(s, n - 3)) == NULL)
				return osl_error_nomem();
			break;
		}
		node = edge_add(ix, node, s, (size_t)(e - s));
	}
	f->node = node;
	return NULL;
}

/* A rule is matched on its real pattern; a deny rule whose path was
 * resolved through a symlink also on the path as written (the link may be
 * a folder again one day). */
static bool
deny_twice(const struct osl_rule *r)
{
	return r->kind == OSL_RULE_FS_DENY && r->real && r->real != r->expanded;
}

static const struct osl_error *
build_fs(struct index *ix, struct osl_policy *p)
{
	const struct osl_error *err;
	size_t ncomp = 1, nfs = 0;
	struct frule *sorted;

	for (size_t i = 0; i < p->nrules; i++) {
		const struct osl_rule *r = &p->rules[i];

		if (fs_kind(r->kind) < 0)
			continue;
		nfs += 1 + deny_twice(r);
		for (const char *s = r->expanded; *s; s++)
			ncomp += *s == '/';
		for (const char *s = r->real ? r->real : ""; *s && r->real != r->expanded; s++)
			ncomp += *s == '/';
	}
	ix->emask = pow2_above(ncomp) - 1;
	ix->edges = calloc((size_t)ix->emask + 1, sizeof(*ix->edges));
	ix->fr = calloc(nfs ? nfs : 1, sizeof(*ix->fr));
	if (!ix->edges || !ix->fr)
		return osl_error_nomem();
	ix->nnodes = 1;
	for (size_t i = 0; i < p->nrules; i++) {
		struct osl_rule *r = &p->rules[i];
		int k = fs_kind(r->kind);

		if (k < 0)
			continue;
		if ((err = fs_entry(ix, r, k, r->real ? r->real : r->expanded)) ||
		    (deny_twice(r) && (err = fs_entry(ix, r, k, r->expanded))))
			return err;
	}
	/* Group the entries by node, in rule order within a node: a counting
	 * sort, as the entries are in rule order already. */
	if ((ix->nodes = calloc(ix->nnodes, sizeof(*ix->nodes))) == NULL ||
	    (sorted = malloc((ix->nfr ? ix->nfr : 1) * sizeof(*sorted))) == NULL)
		return osl_error_nomem();
	for (size_t i = 0; i < ix->nfr; i++) {
		struct tnode *t = &ix->nodes[ix->fr[i].node];

		t->count++;
		t->kinds |= (uint8_t)(1u << ix->fr[i].kind);
	}
	for (uint32_t n = 0, at = 0; n < ix->nnodes; n++) {
		ix->nodes[n].first = ix->nodes[n].count ? at : 0;
		at += ix->nodes[n].count;
	}
	for (size_t i = 0; i < ix->nfr; i++)
		sorted[ix->nodes[ix->fr[i].node].first++] = ix->fr[i];
	for (uint32_t n = 0; n < ix->nnodes; n++)
		ix->nodes[n].first -= ix->nodes[n].count;
	free(ix->fr);
	ix->fr = sorted;
	return NULL;
}

/* Net. */

static bool
net_kind(enum osl_rule_kind k)
{
	return k == OSL_RULE_NET_CONNECT || k == OSL_RULE_NET_BIND || k == OSL_RULE_NET_DENY;
}

static unsigned
net_score(const struct osl_netpat *np)
{
	unsigned s = 0;

	switch (np->host) {
	case OSL_NH_ANY:
		s = 0;
		break;
	case OSL_NH_SUFFIX:
		s = 300 + (unsigned)strlen(np->name);
		break;
	case OSL_NH_ADDR:
		s = (np->prefix == (np->family == AF_INET ? 32u : 128u) ? 600 : 150) + np->prefix;
		break;
	case OSL_NH_NAME:
		s = 600 + (unsigned)strlen(np->name);
		break;
	}
	return s * 2 + (np->port_lo == np->port_hi);
}

static void
addr_key(uint8_t out[17], const uint8_t *addr, unsigned nbytes, unsigned plen)
{
	memset(out, 0, 17);
	out[0] = (uint8_t)plen;
	for (unsigned i = 0; i < nbytes; i++) {
		unsigned keep = plen >= (i + 1) * 8 ? 8 : plen > i * 8 ? plen - i * 8 : 0;

		out[1 + i] = keep ? (uint8_t)(addr[i] & (0xff << (8 - keep))) : 0;
	}
}

static uint32_t
slot_hash(uint8_t type, const void *key, size_t n)
{
	return hash_bytes(2166136261u ^ type, key, n);
}

static struct nslot *
slot_find(const struct index *ix, uint8_t type, const void *key, size_t n)
{
	uint32_t h = slot_hash(type, key, n), i = h & ix->smask;
	struct nslot *s;

	for (;; i = (i + 1) & ix->smask) {
		s = &ix->slots[i];
		if (!s->type)
			return s;	/* empty: where it would go */
		if (s->hash != h || s->type != type)
			continue;
		if (type == NK_NAME || type == NK_SUFFIX) {
			if (s->nlen == n && memcmp(s->name, key, n) == 0)
				return s;
		} else if (s->alen == n && memcmp(s->addr, key, n) == 0)
			return s;
	}
}

static struct nslot *
slot_of(struct index *ix, const struct osl_netpat *np)
{
	uint8_t key[17], type;
	const void *k;
	size_t n;
	struct nslot *s;

	switch (np->host) {
	case OSL_NH_NAME:
	case OSL_NH_SUFFIX:
		type = np->host == OSL_NH_NAME ? NK_NAME : NK_SUFFIX;
		k = np->name;
		n = strlen(np->name);
		break;
	case OSL_NH_ADDR:
		type = np->family == AF_INET ? NK_V4 : NK_V6;
		n = type == NK_V4 ? 5 : 17;
		addr_key(key, np->addr, (unsigned)n - 1, np->prefix);
		k = key;
		break;
	default:
		return NULL;
	}
	s = slot_find(ix, type, k, n);
	if (!s->type) {
		s->type = type;
		s->hash = slot_hash(type, k, n);
		if (type == NK_NAME || type == NK_SUFFIX) {
			s->name = np->name;
			s->nlen = n;
		} else {
			memcpy(s->addr, key, n);
			s->alen = (uint8_t)n;
		}
	}
	return s;
}

static const struct osl_error *
build_net(struct index *ix, struct osl_policy *p)
{
	size_t nnet = 0, off = 0;
	bool seen[2][129];

	memset(seen, 0, sizeof(seen));
	for (size_t i = 0; i < p->nrules; i++)
		nnet += net_kind(p->rules[i].kind);
	ix->smask = pow2_above(nnet) - 1;
	ix->slots = calloc((size_t)ix->smask + 1, sizeof(*ix->slots));
	ix->nr = calloc(nnet ? nnet : 1, sizeof(*ix->nr));
	if (!ix->slots || !ix->nr)
		return osl_error_nomem();
	/* count per slot, then lay the lists out, then fill them */
	for (size_t i = 0; i < p->nrules; i++) {
		const struct osl_netpat *np = &p->rules[i].net;
		struct nslot *s;

		if (!net_kind(p->rules[i].kind))
			continue;
		if ((s = slot_of(ix, np)) != NULL)
			s->count++;
		else
			ix->any_count++;
		if (np->host == OSL_NH_ADDR)
			seen[np->family == AF_INET6][np->prefix] = true;
	}
	for (uint32_t i = 0; i <= ix->smask; i++) {
		ix->slots[i].first = (uint32_t)off;
		off += ix->slots[i].count;
		ix->slots[i].count = 0;
	}
	ix->any_first = (uint32_t)off;
	ix->any_count = 0;
	for (size_t i = 0; i < p->nrules; i++) {
		struct osl_rule *r = &p->rules[i];
		struct nslot *s;
		struct nrule *n;

		if (!net_kind(r->kind))
			continue;
		if ((s = slot_of(ix, &r->net)) != NULL)
			n = &ix->nr[s->first + s->count++];
		else
			n = &ix->nr[ix->any_first + ix->any_count++];
		n->rule = r;
		n->score = net_score(&r->net);
		r->priv = n;
	}
	ix->nnr = nnet;
	for (int f = 0; f < 2; f++)
		for (int l = f ? 128 : 32; l >= 0; l--)
			if (seen[f][l])
				ix->plen[f][ix->nplen[f]++] = (uint8_t)l;
	return NULL;
}

void
index_free(void *index)
{
	struct index *ix = index;

	if (!ix)
		return;
	for (size_t i = 0; i < ix->nfr; i++)
		free(ix->fr[i].rest_dir);
	free(ix->fr);
	free(ix->nodes);
	free(ix->edges);
	free(ix->nr);
	free(ix->slots);
	free(ix);
}

const struct osl_error *
index_build(struct osl_policy *p)
{
	const struct osl_error *err;
	struct index *ix;

	if ((ix = calloc(1, sizeof(*ix))) == NULL)
		return osl_error_nomem();
	if ((err = build_fs(ix, p)) || (err = build_net(ix, p))) {
		index_free(ix);
		return err;
	}
	index_free(p->index);
	p->index = ix;
	return NULL;
}

/* Deciding. */

void
hits_add(struct hits *h, const struct osl_rule *r, unsigned score)
{
	size_t i, n = h->n < OSL_DECISION_MAX_RULES ? h->n : OSL_DECISION_MAX_RULES;

	if (r->kind == OSL_RULE_FS_DENY || r->kind == OSL_RULE_NET_DENY) {
		if (!h->deny || score > h->deny_score) {
			h->deny = r;
			h->deny_score = score;
		}
	} else if (!h->allow || score > h->allow_score) {
		h->allow = r;
		h->allow_score = score;
	}
	h->n++;
	/* keep the best few, most specific first (stable for equal scores) */
	for (i = n; i > 0 && h->top[i - 1].score < score; i--)
		if (i < OSL_DECISION_MAX_RULES)
			h->top[i] = h->top[i - 1];
	if (i < OSL_DECISION_MAX_RULES) {
		h->top[i].rule = r;
		h->top[i].score = score;
	}
}

/* PATH is the whole path (a deny's except: is matched on it), REM what is
 * left of it below NODE. */
static void
visit(const struct index *ix, uint32_t node, uint8_t want, const char *path, const char *rem,
    size_t rem_len, struct hits *h)
{
	const struct tnode *t = &ix->nodes[node];
	bool at_end = rem_len == 0;

	if (!(t->kinds & want))
		return;
	for (uint32_t i = t->first; i < t->first + t->count; i++) {
		const struct frule *f = &ix->fr[i];
		bool m;

		if (!(want & (1u << f->kind)))
			continue;
		switch (f->how) {
		case HOW_EXACT:
			m = at_end;
			break;
		case HOW_SUBTREE:
			m = true;
			break;
		case HOW_SUFFIX:
			/* REM is LIT, or ends in "/" LIT */
			m = rem_len >= f->rest_len &&
			    memcmp(rem + rem_len - f->rest_len, f->rest, f->rest_len) == 0 &&
			    (rem_len == f->rest_len || rem[rem_len - f->rest_len - 1] == '/');
			break;
		default:
			/* below a named directory a glob needs something after it */
			if (at_end && node != 0)
				m = false;
			else
				m = wildmatch_path(f->rest, rem) ||
				    (f->rest_dir && wildmatch_path(f->rest_dir, rem));
			break;
		}
		/* a deny yields to its except: (then it is not a match at all) */
		if (m && f->rule->nexcept && osl_rule_excepts(f->rule, path, false))
			m = false;
		if (m)
			hits_add(h, f->rule, f->score);
	}
}

void
index_fs(const void *index, enum osl_rule_kind kind, const char *path, struct hits *h)
{
	const struct index *ix = index;
	uint8_t want = (uint8_t)(1u << FS_DENY);
	uint32_t node = 0, child;
	const char *s = path + 1, *e, *end = s + strlen(s);
	int k = fs_kind(kind);

	if (k >= 0)
		want |= (uint8_t)(1u << k);
	visit(ix, 0, want, path, s, (size_t)(end - s), h);
	while (*s) {
		for (e = s; *e && *e != '/'; e++)
			;
		if ((child = edge_find(ix, node, s, (size_t)(e - s))) == UINT32_MAX)
			break;
		node = child;
		s = *e ? e + 1 : e;
		visit(ix, node, want, path, s, (size_t)(end - s), h);
	}
}

static void
net_list(const struct index *ix, uint32_t first, uint32_t count,
    enum osl_rule_kind kind, const struct osl_request *rq, bool resolve, struct hits *h)
{
	for (uint32_t i = first; i < first + count; i++) {
		const struct nrule *n = &ix->nr[i];
		const struct osl_rule *r = n->rule;

		if (r->kind != kind && r->kind != OSL_RULE_NET_DENY)
			continue;
		if (resolve) {
			/* a name is refused only by a deny of every port */
			if (r->kind != OSL_RULE_NET_DENY || r->net.port_lo != 0 ||
			    r->net.port_hi != 65535)
				continue;
		} else if (rq->port < r->net.port_lo || rq->port > r->net.port_hi)
			continue;
		hits_add(h, r, n->score);
	}
}

static void
net_lookup(const struct index *ix, uint8_t type, const void *key, size_t n,
    enum osl_rule_kind kind, const struct osl_request *rq, bool resolve, struct hits *h)
{
	const struct nslot *s = slot_find(ix, type, key, n);

	if (s->type)
		net_list(ix, s->first, s->count, kind, rq, resolve, h);
}

static void
net_addr(const struct index *ix, int fam, const uint8_t *addr, enum osl_rule_kind kind,
    const struct osl_request *rq, struct hits *h)
{
	uint8_t key[17];
	unsigned nb = fam ? 16 : 4;

	for (unsigned i = 0; i < ix->nplen[fam]; i++) {
		addr_key(key, addr, nb, ix->plen[fam][i]);
		net_lookup(ix, fam ? NK_V6 : NK_V4, key, nb + 1, kind, rq, false, h);
	}
}

void
index_net(const void *index, enum osl_rule_kind kind, const struct osl_request *rq,
    bool resolve, struct hits *h)
{
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	const struct index *ix = index;
	char name[256];
	size_t n;

	if (rq->host && (n = strlen(rq->host)) > 0 && n <= 254) {
		for (size_t i = 0; i < n; i++) {
			char c = rq->host[i];

			name[i] = c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
		}
		if (name[n - 1] == '.')
			n--;
		name[n] = '\0';
		if (n > 0) {
			net_lookup(ix, NK_NAME, name, n, kind, rq, resolve, h);
			for (size_t i = 0; i < n; i++)
				if (name[i] == '.' && i + 1 < n)
					net_lookup(ix, NK_SUFFIX, name + i + 1, n - i - 1,
					    kind, rq, resolve, h);
		}
	}
	if (!resolve && rq->family == AF_INET)
		net_addr(ix, 0, rq->addr, kind, rq, h);
	if (!resolve && rq->family == AF_INET6) {
		net_addr(ix, 1, rq->addr, kind, rq, h);
		if (memcmp(rq->addr, mapped, sizeof(mapped)) == 0)
			net_addr(ix, 0, rq->addr + 12, kind, rq, h);
	}
	net_list(ix, ix->any_first, ix->any_count, kind, rq, resolve, h);
}
