/* Layouts of records from fields, kept across records: pure.  A record's
 * layout depends only on its fields' paths, its level and the identity
 * (log/build.c), so a writer that makes many records of the same fields
 * (a supervised child's lines, one kind of operation) lays it out once:
 * log/build.c records the bytes with holes where the values go, and each
 * record after that is those bytes with its values written into the holes,
 * the same bytes as laying it out anew. */
#include "log/jw.h"

#include <stdlib.h>
#include <string.h>

#define PLANS		8		/* layouts kept; the oldest gives way */
#define HOLES_MAX	(64 + 3)	/* each field, the time, the sequence, the end */

struct hole {
	uint32_t lit;		/* bytes of layout before it */
	uint8_t kind;		/* enum jw_hole */
	uint8_t field;
};

struct osl_log_plan {
	uint64_t used;		/* 0: empty; else when last found */
	uint64_t made;		/* when recorded: used once it is kept */
	size_t n;
	enum osl_level level;
	bool mark;
	char *paths;		/* the n paths, each with its NUL */
	size_t paths_cap;
	uint32_t path_at[64];
	char *lit;		/* the layout's bytes, holes left out */
	size_t lit_cap;
	struct hole hole[HOLES_MAX];
	size_t nholes;
};

struct osl_log_plans {
	struct osl_log_plan p[PLANS];
	uint64_t tick;
	/* @timestamp of the second last written: only the fraction changes */
	uint64_t ts_sec;
	char ts[32];
	size_t ts_len;
};

struct osl_log_plans *
osl_log_plans_new(void)
{
	return calloc(1, sizeof(struct osl_log_plans));
}

void
osl_log_plans_free(struct osl_log_plans *ps)
{
	size_t i;

	if (!ps)
		return;
	for (i = 0; i < PLANS; i++) {
		free(ps->p[i].paths);
		free(ps->p[i].lit);
	}
	free(ps);
}

static bool
same(const struct osl_log_plan *p, const struct osl_log_field *f, size_t n,
    enum osl_level level, bool mark)
{
	size_t i;

	if (!p->used || p->n != n || p->level != level || p->mark != mark)
		return false;
	/* by content: a caller may build its paths in a buffer it reuses */
	for (i = 0; i < n; i++)
		if (!f[i].path || strcmp(f[i].path, p->paths + p->path_at[i]) != 0)
			return false;
	return true;
}

struct osl_log_plan *
osl_log_plan_find(struct osl_log_plans *ps, const struct osl_log_field *f, size_t n,
    enum osl_level level, bool mark)
{
	size_t i;

	for (i = 0; i < PLANS; i++)
		if (same(&ps->p[i], f, n, level, mark)) {
			ps->p[i].used = ++ps->tick;
			return &ps->p[i];
		}
	return NULL;
}

struct osl_log_plan *
osl_log_plan_start(struct osl_log_plans *ps, const struct osl_log_field *f, size_t n,
    enum osl_level level, bool mark)
{
	struct osl_log_plan *p = &ps->p[0];
	size_t i, len, total = 0;
	char *v;

	for (i = 1; i < PLANS; i++)
		if (ps->p[i].used < p->used)
			p = &ps->p[i];
	p->used = 0;
	p->made = ++ps->tick;
	for (i = 0; i < n; i++)
		total += strlen(f[i].path) + 1;
	if (total > p->paths_cap) {
		if ((v = realloc(p->paths, total)) == NULL)
			return NULL;
		p->paths = v;
		p->paths_cap = total;
	}
	for (i = 0, total = 0; i < n; i++) {
		len = strlen(f[i].path) + 1;
		memcpy(p->paths + total, f[i].path, len);
		p->path_at[i] = (uint32_t)total;
		total += len;
	}
	p->n = n;
	p->level = level;
	p->mark = mark;
	p->nholes = 0;
	return p;
}

void
jw_hole(struct jw *w, enum jw_hole kind, size_t i)
{
	struct osl_log_plan *p = w->plan;

	if (w->over)
		return;
	if (p->nholes == HOLES_MAX) {
		w->over = true;
		return;
	}
	p->hole[p->nholes++] = (struct hole){ .lit = (uint32_t)(w->p - w->mark),
	    .kind = (uint8_t)kind, .field = (uint8_t)i };
	w->mark = w->p;
}

bool
osl_log_plan_finish(struct osl_log_plan *p, struct jw *w)
{
	size_t len = (size_t)(w->p - w->start);
	char *v;

	jw_hole(w, JW_HOLE_END, 0);
	if (w->over || w->cut)
		return false;
	if (len > p->lit_cap) {
		if ((v = realloc(p->lit, len)) == NULL)
			return false;
		p->lit = v;
		p->lit_cap = len;
	}
	memcpy(p->lit, w->start, len);
	p->used = p->made;
	return true;
}

/* @timestamp of NS, RFC 3339 with nine fractional digits: the date and
 * time formatted once a second. */
static void
jw_time(struct jw *w, struct osl_log_plans *ps, uint64_t ns)
{
	uint64_t sec = ns / 1000000000u, frac = ns % 1000000000u;
	int i;

	if (!ps->ts_len || sec != ps->ts_sec) {
		ps->ts_len = osl_log_format_time(ps->ts, ns, 9);
		ps->ts_sec = sec;
	} else {
		/* YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ: the nine digits before Z */
		for (i = 0; i < 9; i++, frac /= 10)
			ps->ts[ps->ts_len - 2 - (size_t)i] = (char)('0' + frac % 10);
	}
	jw_add(w, ps->ts, ps->ts_len);
}

void
osl_log_plan_run(const struct osl_log_plan *p, struct jw *w, const struct osl_log_field *f,
    const struct osl_log_build_args *a)
{
	const struct hole *h;
	const char *lit = p->lit;

	for (h = p->hole;; h++) {
		jw_add(w, lit, h->lit);
		lit += h->lit;
		switch ((enum jw_hole)h->kind) {
		case JW_HOLE_FIELD:
			jw_field_value(w, &f[h->field]);
			break;
		case JW_HOLE_TIME:
			jw_time(w, a->plans, a->now_ns);
			break;
		case JW_HOLE_SEQ:
			jw_u64(w, a->seq);
			break;
		case JW_HOLE_END:
			return;
		}
	}
}
