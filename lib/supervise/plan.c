/* A reload of the tree's file (tree.h): what to keep, stop and add, and
 * the new tree grafted onto the running one, which keeps every child that
 * did not change running. */
#include <stdlib.h>
#include <string.h>

#include "supervise/tree-int.h"

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
