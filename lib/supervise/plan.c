/* A reload of the tree's file (tree.h): what to keep, stop and add, and
 * the new tree grafted onto the running one, which keeps every child that
 * did not change running; ctl start's one child; nodes found by their
 * path of names, and taken out. */
#include <stdlib.h>
#include <string.h>

#include "supervise/tree-int.h"

static int
by_name(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

const char *
osl_sv_twin(const struct osl_sv_tree *t, const struct osl_sv_node *nd)
{
	const char **v, *dup = NULL;

	if (nd->nkids < 2)
		return NULL;
	/* sorted, so that 10,000 replicas are not 50 million comparisons */
	if (!(v = malloc(nd->nkids * sizeof(*v)))) {
		for (size_t a = 0; a < nd->nkids && !dup; a++)
			for (size_t b = a + 1; b < nd->nkids && !dup; b++)
				if (!strcmp(t->nodes[nd->kids[a]].spec.name, t->nodes[nd->kids[b]].spec.name))
					dup = t->nodes[nd->kids[a]].spec.name;
		return dup;
	}
	for (size_t i = 0; i < nd->nkids; i++)
		v[i] = t->nodes[nd->kids[i]].spec.name;
	qsort(v, nd->nkids, sizeof(*v), by_name);
	for (size_t i = 1; i < nd->nkids && !dup; i++)
		if (!strcmp(v[i - 1], v[i]))
			dup = v[i];
	free(v);
	return dup;
}

void
osl_sv_plan_free(struct osl_sv_plan *p)
{
	free(p->map);
	free(p->stop);
	memset(p, 0, sizeof(*p));
}

static bool
under(const struct osl_sv_tree *t, size_t id, const bool *mark)
{
	for (size_t a = t->nodes[id].parent; a != OSL_SV_NONE; a = t->nodes[a].parent)
		if (mark[a])
			return true;
	return false;
}

const struct osl_error *
osl_sv_plan(const struct osl_sv_tree *live, const char *const *lspec,
    const struct osl_sv_tree *next, const char *const *nspec, struct osl_sv_plan *p)
{
	bool *used;

	memset(p, 0, sizeof(*p));
	p->nnext = next->n;
	p->nlive = live->n;
	p->map = malloc((next->n + 1) * sizeof(*p->map));
	p->stop = calloc(live->n + 1, sizeof(*p->stop));
	used = calloc(live->n + 1, sizeof(*used));
	if (!p->map || !p->stop || !used) {
		free(used);
		osl_sv_plan_free(p);
		return osl_error_nomem();
	}
	for (size_t j = 0; j < next->n; j++) {
		const struct osl_sv_node *nj = &next->nodes[j];
		size_t lp, i = OSL_SV_NONE;

		p->map[j] = OSL_SV_NONE;
		if (j == 0) {
			p->map[0] = 0;
			used[0] = true;
			continue;
		}
		/* under an added or changed supervisor: new with it */
		if ((lp = p->map[nj->parent]) == OSL_SV_NONE)
			continue;
		for (size_t k = 0; k < live->nodes[lp].nkids; k++)
			if (!strcmp(live->nodes[live->nodes[lp].kids[k]].spec.name, nj->spec.name))
				i = live->nodes[lp].kids[k];
		if (i == OSL_SV_NONE) {
			p->added++;
			continue;
		}
		used[i] = true;
		if (live->nodes[i].spec.supervisor == nj->spec.supervisor && lspec[i] && nspec[j] &&
		    !strcmp(lspec[i], nspec[j])) {
			p->map[j] = i;
			p->kept++;
		} else {
			p->stop[i] = true;
			p->changed++;
		}
	}
	/* what the file no longer has (its subtree goes with it) */
	for (size_t i = 1; i < live->n; i++) {
		if (used[i] || live->nodes[i].removed || under(live, i, p->stop))
			continue;
		p->stop[i] = true;
		p->removed++;
	}
	free(used);
	return NULL;
}

bool
osl_sv_plan_stop(struct osl_sv_tree *live, const struct osl_sv_plan *p, uint64_t now)
{
	bool any = false;

	live->nact = 0;
	/* in reverse, as a shutdown goes */
	for (size_t i = p->nlive; i-- > 1; ) {
		struct osl_sv_node *nd = &live->nodes[i];

		if (!p->stop[i])
			continue;
		nd->held = true;
		nd->pending = false;
		osl_sv_stop_node(live, nd, now, "reload");
		any = true;
	}
	osl_sv_settle(live, now);
	return any;
}

bool
osl_sv_plan_stopped(const struct osl_sv_tree *live, const struct osl_sv_plan *p)
{
	for (size_t i = 1; i < p->nlive; i++)
		if (p->stop[i] && live->nodes[i].state != OSL_SV_DOWN)
			return false;
	return true;
}

/* The root keeps running under its new settings. */
static const struct osl_error *
root_settings(struct osl_sv_tree *t, const struct osl_sv_spec *s)
{
	struct osl_sv_node *r = &t->nodes[0];

	if (s->intensity != r->spec.intensity) {
		uint64_t *w = realloc(r->window, ((size_t)s->intensity + 1) * sizeof(*w));

		if (!w)
			return osl_error_nomem();
		r->window = w;
		if (r->nwin > s->intensity)
			r->nwin = s->intensity;
	}
	r->spec = *s;
	return NULL;
}

const struct osl_error *
osl_sv_graft(struct osl_sv_tree *live, const struct osl_sv_tree *next, const struct osl_sv_plan *p,
    size_t *liveid, uint64_t now)
{
	const struct osl_error *err;

	for (size_t i = 1; i < p->nlive; i++)
		if (p->stop[i] && !live->nodes[i].removed)
			osl_sv_take_out(live, i);
	if ((err = root_settings(live, &next->nodes[0].spec)))
		return err;
	liveid[0] = 0;
	for (size_t j = 1; j < next->n; j++) {
		liveid[j] = p->map[j];
		if (liveid[j] == OSL_SV_NONE &&
		    (err = osl_sv_add(live, liveid[next->nodes[j].parent], &next->nodes[j].spec,
		    &liveid[j])))
			return err;
	}
	/* the file's order */
	for (size_t j = 0; j < next->n; j++) {
		struct osl_sv_node *s = &live->nodes[liveid[j]];

		for (size_t k = 0; k < next->nodes[j].nkids && k < s->nkids; k++)
			s->kids[k] = liveid[next->nodes[j].kids[k]];
	}
	/* every running supervisor starts, in order, what it is missing */
	live->nact = 0;
	for (size_t i = 0; i < live->n; i++) {
		struct osl_sv_node *s = &live->nodes[i];

		if (s->spec.supervisor && !s->removed && s->phase == OSL_SV_IDLE &&
		    (i == 0 || s->state == OSL_SV_UP)) {
			s->phase = OSL_SV_START_RANGE;
			s->cursor = 0;
		}
	}
	osl_sv_settle(live, now);
	return NULL;
}

size_t
osl_sv_subtree_size(const struct osl_sv_tree *t, size_t id)
{
	size_t n = 1;

	for (size_t k = 0; k < t->nodes[id].nkids; k++)
		n += osl_sv_subtree_size(t, t->nodes[id].kids[k]);
	return n;
}

const struct osl_error *
osl_sv_graft_one(struct osl_sv_tree *live, const struct osl_sv_tree *next, size_t j,
    size_t parent, size_t *liveid, uint64_t now)
{
	const struct osl_error *err;
	struct osl_sv_node *p;

	live->nact = 0;
	/* a parent comes before its children in NEXT: the subtree in one pass */
	for (size_t k = j; k < next->n; k++) {
		size_t np = next->nodes[k].parent;
		size_t lp = k == j ? parent : np != OSL_SV_NONE ? liveid[np] : OSL_SV_NONE;

		if (lp == OSL_SV_NONE)
			continue;
		if ((err = osl_sv_add(live, lp, &next->nodes[k].spec, &liveid[k])))
			return err;
	}
	/* as OTP's: started at once when its supervisor runs; one that is
	 * starting or restarting its children reaches it in order */
	p = &live->nodes[parent];
	if (p->phase == OSL_SV_IDLE && (parent == 0 || p->state == OSL_SV_UP))
		osl_sv_start_node(live, &live->nodes[liveid[j]], now);
	osl_sv_settle(live, now);
	return NULL;
}

size_t
osl_sv_find(const struct osl_sv_tree *t, const char *name)
{
	size_t cur = 0;
	const char *p = name;

	if (t->n == 0)
		return OSL_SV_NONE;
	if (!*name || !strcmp(name, t->nodes[0].spec.name))
		return 0;
	while (*p) {
		const char *e = strchrnul(p, '/');
		const struct osl_sv_node *nd = &t->nodes[cur];
		size_t next = OSL_SV_NONE;

		for (size_t i = 0; i < nd->nkids; i++) {
			const char *kn = t->nodes[nd->kids[i]].spec.name;

			if (strlen(kn) == (size_t)(e - p) && !strncmp(kn, p, (size_t)(e - p)))
				next = nd->kids[i];
		}
		if (next == OSL_SV_NONE)
			return OSL_SV_NONE;
		cur = next;
		p = *e ? e + 1 : e;
	}
	return cur;
}

/* Node ID and its subtree are no longer in the tree (ctl delete, reload). */
void
osl_sv_take_out(struct osl_sv_tree *t, size_t id)
{
	struct osl_sv_node *par = &t->nodes[t->nodes[id].parent];
	size_t j = 0;

	for (size_t k = 0; k < par->nkids; k++)
		if (par->kids[k] != id)
			par->kids[j++] = par->kids[k];
	par->nkids = j;
	t->nodes[id].removed = true;
	for (size_t i = id + 1; i < t->n; i++)
		for (size_t a = t->nodes[i].parent; a != OSL_SV_NONE; a = t->nodes[a].parent)
			if (a == id)
				t->nodes[i].removed = true;
}
