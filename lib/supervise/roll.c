/* A rolling restart's state machine (see roll.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "supervise/roll.h"

static void
roll_free(struct osl_sv_roll *r)
{
	free(r->ids);
	free(r->issued);
	free(r->base);
	free(r->done);
	r->ids = NULL;
	r->issued = NULL;
	r->base = NULL;
	r->done = NULL;
}

bool
osl_sv_roll_begin(struct osl_sv_roll *r, const struct osl_sv_tree *t, const char *set,
    uint64_t now, const char **why)
{
	const char *slash = strrchr(set, '/'), *base = slash ? slash + 1 : set;
	size_t parent = 0, n = 0;

	if (r->active || r->result != OSL_SV_ROLL_RUNNING) {
		*why = "a rolling restart is under way";
		return false;
	}
	if (slash) {
		char path[256];

		if ((size_t)(slash - set) >= sizeof(path)) {
			*why = "no such child";
			return false;
		}
		memcpy(path, set, (size_t)(slash - set));
		path[slash - set] = '\0';
		if ((parent = osl_sv_find(t, path)) == OSL_SV_NONE ||
		    !t->nodes[parent].spec.supervisor) {
			*why = "no such child";
			return false;
		}
	}
	for (size_t i = 0; i < t->nodes[parent].nkids; i++) {
		const struct osl_sv_node *k = &t->nodes[t->nodes[parent].kids[i]];

		n += !k->removed && !k->spec.supervisor && !strcmp(k->spec.set, base);
	}
	if (!*base || !n) {
		*why = "no such child";
		return false;
	}
	roll_free(r);
	memset(r, 0, sizeof(*r));
	if (!(r->ids = calloc(n, sizeof(*r->ids))) || !(r->issued = calloc(n, sizeof(*r->issued))) ||
	    !(r->base = calloc(n, sizeof(*r->base))) || !(r->done = calloc(n, sizeof(*r->done)))) {
		roll_free(r);
		*why = "out of memory";
		return false;
	}
	for (size_t i = 0; i < t->nodes[parent].nkids; i++) {
		const struct osl_sv_node *k = &t->nodes[t->nodes[parent].kids[i]];

		if (!k->removed && !k->spec.supervisor && !strcmp(k->spec.set, base)) {
			r->ids[r->n++] = k->id;
			r->max_unavailable = k->spec.max_unavailable;
		}
	}
	if (!r->max_unavailable)
		r->max_unavailable = 1;
	snprintf(r->set, sizeof(r->set), "%s", set);
	r->active = r->began = true;
	r->failed = OSL_SV_NONE;
	r->t_begin = now;
	return true;
}

static void
finish(struct osl_sv_roll *r, enum osl_sv_roll_result res, size_t failed, const char *why,
    uint64_t now)
{
	r->active = false;
	r->result = res;
	r->failed = failed;
	r->why = why;
	r->t_end = now;
}

bool
osl_sv_roll_step(struct osl_sv_roll *r, struct osl_sv_tree *t, uint64_t now)
{
	unsigned busy = 0;
	size_t next = OSL_SV_NONE;

	if (!r->active)
		return false;
	if (t->done || t->nodes[0].phase == OSL_SV_SHUTDOWN) {
		finish(r, OSL_SV_ROLL_FAILED, OSL_SV_NONE, "the tree is shutting down", now);
		return false;
	}
	for (size_t i = 0; i < r->n; i++) {
		const struct osl_sv_node *nd = &t->nodes[r->ids[i]];

		if (!r->issued[i]) {
			if (next == OSL_SV_NONE)
				next = i;
			continue;
		}
		if (r->done[i])
			continue;
		/* it failed (and the tree restarts it as usual), or someone
		 * stopped it or took it out: the rest are kept as they are */
		if (nd->restarts != r->base[i] || nd->held || nd->removed) {
			finish(r, OSL_SV_ROLL_FAILED, r->ids[i], nd->held || nd->removed ?
			    "stopped during the roll" : "failed to start", now);
			return false;
		}
		if (nd->state == OSL_SV_UP && nd->started && nd->started_at >= r->issued[i]) {
			r->done[i] = true;
			r->replaced++;
			continue;
		}
		busy++;
	}
	if (next == OSL_SV_NONE) {
		if (!busy)
			finish(r, OSL_SV_ROLL_DONE, OSL_SV_NONE, NULL, now);
		return false;
	}
	if (busy >= r->max_unavailable)
		return false;
	r->issued[next] = now ? now : 1;
	r->base[next] = t->nodes[r->ids[next]].restarts;
	if (!osl_sv_command(t, OSL_SV_CMD_RESTART, r->ids[next], now)) {
		finish(r, OSL_SV_ROLL_FAILED, r->ids[next], "not possible in the child's state", now);
		return false;
	}
	return true;
}

void
osl_sv_roll_end(struct osl_sv_roll *r)
{
	roll_free(r);
	memset(r, 0, sizeof(*r));
	r->failed = OSL_SV_NONE;
}

unsigned
osl_sv_roll_plan(struct osl_sv_plan *p, const struct osl_sv_tree *live,
    const struct osl_sv_tree *next)
{
	unsigned held = 0;

	for (size_t j = 1; j < next->n; j++) {
		const struct osl_sv_node *nj = &next->nodes[j];
		size_t lp = p->map[nj->parent], i = OSL_SV_NONE, going = 0;

		if (nj->spec.supervisor || !nj->spec.set[0] || p->map[j] != OSL_SV_NONE ||
		    lp == OSL_SV_NONE)
			continue;
		for (size_t k = 0; k < live->nodes[lp].nkids; k++)
			if (!strcmp(live->nodes[live->nodes[lp].kids[k]].spec.name, nj->spec.name))
				i = live->nodes[lp].kids[k];
		/* a changed replica of the same set, running: replaced in turn */
		if (i == OSL_SV_NONE || !p->stop[i] || live->nodes[i].spec.supervisor ||
		    strcmp(live->nodes[i].spec.set, nj->spec.set) ||
		    live->nodes[i].state == OSL_SV_DOWN)
			continue;
		/* the first max_unavailable of the set (in its order) go now */
		for (size_t k = 0; k < live->nodes[lp].nkids && live->nodes[lp].kids[k] != i; k++) {
			size_t o = live->nodes[lp].kids[k];

			going += p->stop[o] && !live->nodes[o].spec.supervisor && !live->nodes[o].removed &&
			    !strcmp(live->nodes[o].spec.set, nj->spec.set);
		}
		if (going < nj->spec.max_unavailable)
			continue;
		p->stop[i] = false;
		p->map[j] = i;
		held++;
	}
	return held;
}

int
osl_sv_roll_round(const struct osl_sv_tree *t, const size_t *ids, size_t n)
{
	int r = 1;

	for (size_t k = 0; k < n; k++) {
		const struct osl_sv_node *nd = &t->nodes[ids[k]];

		if (nd->restarts || nd->held || nd->removed || nd->state == OSL_SV_WAIT)
			return -1;
		if (nd->state != OSL_SV_UP || !nd->started)
			r = 0;
	}
	return r;
}
