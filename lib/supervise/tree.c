/* The supervision tree as a pure state machine (see tree.h).  Everything
 * here is OTP's supervisor: strategies, restart types, intensity windows,
 * significant children, ordered start and shutdown; plus a backoff before
 * restarts, which never hides a failure from the intensity count.
 *
 * A supervisor works in phases (a group restart stops a range of children
 * one at a time in reverse, waits out the backoff, then starts them in order,
 * each waiting for READY when asked to).  After every event, osl_sv_settle()
 * steps every supervisor until nothing moves, so an event deep in the tree
 * carries up to the root in the same call.  A reload's plan and graft are in
 * plan.c. */
#include <stdlib.h>
#include <string.h>

#include "supervise/tree-int.h"

void
osl_sv_spec_default(struct osl_sv_spec *s, const char *name, bool supervisor)
{
	memset(s, 0, sizeof(*s));
	if (name) {
		size_t l = strnlen(name, sizeof(s->name) - 1);

		memcpy(s->name, name, l);
		s->name[l] = '\0';
	}
	s->supervisor = supervisor;
	s->restart = OSL_SV_PERMANENT;
	s->stop_signal = 15;
	s->stop_timeout_ns = 5000000000ULL;
	s->backoff.initial_ns = 100000000ULL;
	s->backoff.max_ns = 30000000000ULL;
	s->backoff.factor = 2;
	s->backoff.jitter = 0;
	s->backoff.reset_after_ns = 60000000000ULL;
	osl_sv_breaker_spec_default(&s->breaker);
	s->strategy = OSL_SV_ONE_FOR_ONE;
	s->intensity = 3;
	s->period_ns = 5000000000ULL;
	s->auto_shutdown = OSL_SV_AUTO_NEVER;
}

const char *
osl_sv_strategy_name(enum osl_sv_strategy s)
{
	switch (s) {
	case OSL_SV_ONE_FOR_ONE: return "one_for_one";
	case OSL_SV_ONE_FOR_ALL: return "one_for_all";
	case OSL_SV_REST_FOR_ONE: return "rest_for_one";
	}
	return "?";
}

const char *
osl_sv_restart_name(enum osl_sv_restart r)
{
	switch (r) {
	case OSL_SV_PERMANENT: return "permanent";
	case OSL_SV_TRANSIENT: return "transient";
	case OSL_SV_TEMPORARY: return "temporary";
	}
	return "?";
}

const char *
osl_sv_state_name(enum osl_sv_state s)
{
	switch (s) {
	case OSL_SV_DOWN: return "down";
	case OSL_SV_STARTING: return "starting";
	case OSL_SV_UP: return "up";
	case OSL_SV_STOPPING: return "stopping";
	case OSL_SV_KILLING: return "killing";
	case OSL_SV_WAIT: return "backoff";
	}
	return "?";
}

void
osl_sv_tree_init(struct osl_sv_tree *t, uint64_t seed)
{
	memset(t, 0, sizeof(*t));
	t->rng = seed ? seed : 0x9e3779b97f4a7c15ULL;
}

void
osl_sv_tree_free(struct osl_sv_tree *t)
{
	for (size_t i = 0; i < t->n; i++) {
		free(t->nodes[i].kids);
		free(t->nodes[i].window);
	}
	free(t->nodes);
	free(t->act);
	memset(t, 0, sizeof(*t));
}

const struct osl_error *
osl_sv_add(struct osl_sv_tree *t, size_t parent, const struct osl_sv_spec *spec, size_t *id)
{
	struct osl_sv_node *nd;
	size_t need;

	if (parent == OSL_SV_NONE ? t->n != 0 || !spec->supervisor :
	    parent >= t->n || !t->nodes[parent].spec.supervisor)
		return osl_error_new(OSL_EINPUT, "'%s': misplaced in the tree", spec->name);
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 8;
		struct osl_sv_node *v = realloc(t->nodes, cap * sizeof(*v));

		if (!v)
			return osl_error_nomem();
		t->nodes = v;
		t->cap = cap;
	}
	if (parent != OSL_SV_NONE) {
		struct osl_sv_node *p = &t->nodes[parent];

		if (p->nkids == p->kcap) {
			size_t cap = p->kcap ? p->kcap * 2 : 4;
			size_t *v = realloc(p->kids, cap * sizeof(*v));

			if (!v)
				return osl_error_nomem();
			p->kids = v;
			p->kcap = cap;
		}
	}
	/* every event emits at most a few actions per node: reserve them now
	 * so that events never allocate */
	need = OSL_SV_ACTS(t->n + 1);
	if (need > t->actcap) {
		struct osl_sv_action *v = realloc(t->act, need * sizeof(*v));

		if (!v)
			return osl_error_nomem();
		t->act = v;
		t->actcap = need;
	}
	nd = &t->nodes[t->n];
	memset(nd, 0, sizeof(*nd));
	nd->spec = *spec;
	nd->spec.name[sizeof(nd->spec.name) - 1] = '\0';
	nd->id = t->n;
	nd->parent = parent;
	if (spec->supervisor && !(nd->window = calloc((size_t)spec->intensity + 1,
	    sizeof(*nd->window))))
		return osl_error_nomem();
	if (parent != OSL_SV_NONE) {
		struct osl_sv_node *p = &t->nodes[parent];

		p->kids[p->nkids++] = t->n;
	}
	*id = t->n++;
	return NULL;
}

const struct osl_error *
osl_sv_validate(const struct osl_sv_tree *t)
{
	if (t->n == 0 || !t->nodes[0].spec.supervisor)
		return osl_error_new(OSL_EINPUT, "the tree has no root supervisor");
	for (size_t i = 0; i < t->n; i++) {
		const struct osl_sv_node *nd = &t->nodes[i];
		const char *dup;

		if (!nd->spec.name[0] || strchr(nd->spec.name, '/'))
			return osl_error_new(OSL_EINPUT, "'%s': a name is needed, without '/'",
			    nd->spec.name);
		if (nd->spec.significant && nd->spec.restart == OSL_SV_PERMANENT)
			return osl_error_new(OSL_EINPUT, "'%s': a significant child must be "
			    "transient or temporary", nd->spec.name);
		if ((dup = osl_sv_twin(t, nd)))
			return osl_error_new(OSL_EINPUT, "'%s': two children of '%s' have this "
			    "name", dup, nd->spec.name);
	}
	return NULL;
}

/* ------------------------------------------------------------- helpers --- */

static struct osl_sv_action *
emit(struct osl_sv_tree *t, enum osl_sv_act_kind kind, size_t id)
{
	struct osl_sv_action *a;

	/* the reserve is generous; if it ever ran out, the oldest
	 * informational action is what would be lost, never a start or kill */
	if (t->nact == t->actcap)
		return &t->act[t->nact - 1];
	a = &t->act[t->nact++];
	memset(a, 0, sizeof(*a));
	a->kind = kind;
	a->id = id;
	return a;
}

static uint64_t
rnd(struct osl_sv_tree *t)
{
	uint64_t x = t->rng;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	t->rng = x;
	return x * 0x2545F4914F6CDD1DULL;
}

static size_t
index_in_parent(const struct osl_sv_tree *t, const struct osl_sv_node *nd)
{
	const struct osl_sv_node *p = &t->nodes[nd->parent];

	for (size_t i = 0; i < p->nkids; i++)
		if (p->kids[i] == nd->id)
			return i;
	return 0;
}

static uint64_t
backoff_delay(struct osl_sv_tree *t, struct osl_sv_node *nd)
{
	const struct osl_sv_backoff *b = &nd->spec.backoff;
	double d;

	/* the first restart is immediate, as in OTP */
	if (nd->fails++ == 0)
		return 0;
	d = (double)b->initial_ns;
	for (unsigned i = 1; i < nd->fails - 1 && d < (double)b->max_ns; i++)
		d *= b->factor;
	if (d > (double)b->max_ns)
		d = (double)b->max_ns;
	if (b->jitter > 0) {
		double r = (double)(rnd(t) >> 11) / 9007199254740992.0;

		d *= 1 + b->jitter * (2 * r - 1);
	}
	return d < 0 ? 0 : (uint64_t)d;
}

/* Child ND's breaker changed state: an action says so. */
static void
breaker_moved(struct osl_sv_tree *t, struct osl_sv_node *nd)
{
	struct osl_sv_action *a = emit(t, OSL_SV_ACT_BREAKER, nd->id);

	a->reason = osl_sv_breaker_state_name(nd->brk.state);
	a->at = nd->brk.until;
	a->delay = nd->brk.cool;
	a->count = nd->brk.opened;
}

void
osl_sv_start_node(struct osl_sv_tree *t, struct osl_sv_node *nd, uint64_t now)
{
	nd->pending = false;
	nd->deadline = 0;
	nd->started_at = now;
	nd->started = !nd->spec.supervisor && !nd->spec.wait_ready;
	if (nd->spec.supervisor) {
		/* a restarted supervisor is a new one: fresh window and children */
		nd->state = OSL_SV_STARTING;
		nd->phase = OSL_SV_START_RANGE;
		nd->cursor = 0;
		nd->failed = nd->start_failed = false;
		nd->nwin = 0;
		for (size_t i = 0; i < nd->nkids; i++) {
			struct osl_sv_node *k = &t->nodes[nd->kids[i]];

			k->gone = k->held = k->pending = false;
			k->fails = 0;
		}
		return;
	}
	nd->state = nd->spec.wait_ready ? OSL_SV_STARTING : OSL_SV_UP;
	if (osl_sv_breaker_start(&nd->brk, &nd->spec.breaker, nd->spec.wait_ready, now))
		breaker_moved(t, nd);
	emit(t, OSL_SV_ACT_START, nd->id);
}

/* Child ND's start succeeded (ready, or settled): its breaker hears it. */
static void
breaker_ok(struct osl_sv_tree *t, struct osl_sv_node *nd, uint64_t now)
{
	if (nd->spec.breaker.failures && osl_sv_breaker_ok(&nd->brk, now))
		breaker_moved(t, nd);
}

/* Child ND failed: true when its breaker opens (it waits, uncounted by
 * the intensity, until the open time is over). */
static bool
breaker_open(struct osl_sv_tree *t, struct osl_sv_node *nd, uint64_t now)
{
	if (!osl_sv_breaker_fail(&nd->brk, &nd->spec.breaker, now))
		return false;
	nd->state = OSL_SV_WAIT;
	nd->deadline = nd->brk.until;
	nd->restarts++;
	breaker_moved(t, nd);
	return true;
}

void
osl_sv_stop_node(struct osl_sv_tree *t, struct osl_sv_node *nd, uint64_t now,
    const char *reason)
{
	switch (nd->state) {
	case OSL_SV_WAIT:
		nd->state = OSL_SV_DOWN;
		nd->deadline = 0;
		return;
	case OSL_SV_UP:
	case OSL_SV_STARTING:
		break;
	default:
		return;
	}
	nd->state = OSL_SV_STOPPING;
	if (nd->spec.supervisor) {
		nd->phase = OSL_SV_SHUTDOWN;
		emit(t, OSL_SV_ACT_SHUTDOWN, nd->id)->reason = reason;
		return;
	}
	if (nd->spec.stop_timeout_ns == 0) {
		nd->state = OSL_SV_KILLING;
		emit(t, OSL_SV_ACT_KILL, nd->id);
		return;
	}
	emit(t, OSL_SV_ACT_STOP, nd->id)->sig = nd->spec.stop_signal;
	nd->deadline = nd->spec.stop_timeout_ns == OSL_SV_INFINITY ? 0 :
	    now + nd->spec.stop_timeout_ns;
}

static void
begin_shutdown(struct osl_sv_tree *t, struct osl_sv_node *s, const char *reason)
{
	if (s->phase == OSL_SV_SHUTDOWN || s->phase == OSL_SV_FINISHED)
		return;
	s->phase = OSL_SV_SHUTDOWN;
	s->deadline = 0;
	emit(t, OSL_SV_ACT_SHUTDOWN, s->id)->reason = reason;
}

static bool
significant_alive(const struct osl_sv_tree *t, const struct osl_sv_node *p)
{
	for (size_t i = 0; i < p->nkids; i++) {
		const struct osl_sv_node *k = &t->nodes[p->kids[i]];

		if (k->spec.significant && (k->state != OSL_SV_DOWN || k->pending))
			return true;
	}
	return false;
}

/* Node ND is down: as asked (stopping), or on its own (a failure or an
 * exit).  ABNORMAL says which for the restart type. */
static void
ended(struct osl_sv_tree *t, struct osl_sv_node *nd, bool abnormal, uint64_t now)
{
	enum osl_sv_state was = nd->state;
	struct osl_sv_node *p;
	size_t idx;
	bool restart;

	if (was == OSL_SV_DOWN || was == OSL_SV_WAIT)
		return;		/* stray: nothing of ours was running */
	nd->state = OSL_SV_DOWN;
	nd->deadline = 0;
	nd->brk.settle_at = 0;
	if (nd->parent == OSL_SV_NONE)
		return;
	p = &t->nodes[nd->parent];
	idx = index_in_parent(t, nd);
	if (was == OSL_SV_STOPPING || was == OSL_SV_KILLING) {
		if (!nd->restart_after_stop || nd->held) {
			/* OTP drops a temporary child that a group restart stopped */
			if (p->phase == OSL_SV_STOP_RANGE && nd->spec.restart == OSL_SV_TEMPORARY)
				nd->gone = true;
			return;
		}
		nd->restart_after_stop = false;
		if (p->phase == OSL_SV_IDLE || p->phase == OSL_SV_START_RANGE)
			osl_sv_start_node(t, nd, now);
		return;
	}
	/* on its own: a group restart or a shutdown in progress absorbs it */
	if (p->phase == OSL_SV_SHUTDOWN || p->phase == OSL_SV_FINISHED ||
	    ((p->phase == OSL_SV_STOP_RANGE || p->phase == OSL_SV_RESTART_WAIT) && idx >= p->lo))
		return;
	/* ended before its start was complete, while its supervisor starts:
	 * as OTP's, the supervisor's start fails (later children are not
	 * started), and so on up while the parents are starting too */
	if (!nd->started && p->phase == OSL_SV_START_RANGE && p->state == OSL_SV_STARTING) {
		struct osl_sv_action *a;

		if (nd->spec.restart == OSL_SV_TEMPORARY)
			nd->gone = true;
		p->failed = p->start_failed = true;
		a = emit(t, OSL_SV_ACT_GIVEUP, p->id);
		a->reason = "start";
		a->child = nd->id;
		begin_shutdown(t, p, "start_failed");
		return;
	}
	if (nd->spec.backoff.reset_after_ns && now - nd->started_at >= nd->spec.backoff.reset_after_ns)
		nd->fails = 0;
	restart = nd->spec.restart == OSL_SV_PERMANENT ||
	    (nd->spec.restart == OSL_SV_TRANSIENT && abnormal);
	if (restart) {
		if (abnormal && breaker_open(t, nd, now))
			return;
		nd->pending = true;
		return;
	}
	if (nd->spec.restart == OSL_SV_TEMPORARY)
		nd->gone = true;
	if (nd->spec.significant && (p->spec.auto_shutdown == OSL_SV_AUTO_ANY ||
	    (p->spec.auto_shutdown == OSL_SV_AUTO_ALL && !significant_alive(t, p))))
		begin_shutdown(t, p, "auto_shutdown");
}

/* Count a restart in S's window; false when that is one too many. */
static bool
intensity_ok(struct osl_sv_node *s, uint64_t now, unsigned *count)
{
	size_t j = 0;

	for (size_t i = 0; i < s->nwin; i++)
		if (now - s->window[i] < s->spec.period_ns)
			s->window[j++] = s->window[i];
	s->nwin = j;
	s->window[s->nwin++] = now;
	*count = (unsigned)s->nwin;
	if (s->nwin > s->spec.intensity) {
		s->nwin = s->spec.intensity;	/* keep the ring in bounds */
		return false;
	}
	return true;
}

/* The first pending failure of S's children: restart as the strategy says. */
static bool
handle_pending(struct osl_sv_tree *t, struct osl_sv_node *s, uint64_t now)
{
	for (size_t i = 0; i < s->nkids; i++) {
		struct osl_sv_node *k = &t->nodes[s->kids[i]];
		struct osl_sv_action *a;
		uint64_t delay;
		unsigned count;

		if (!k->pending)
			continue;
		k->pending = false;
		if (k->state != OSL_SV_DOWN || k->held)
			return true;
		if (!intensity_ok(s, now, &count)) {
			s->failed = true;
			emit(t, OSL_SV_ACT_GIVEUP, s->id)->count = count;
			begin_shutdown(t, s, "intensity");
			return true;
		}
		k->restarts++;
		delay = backoff_delay(t, k);
		a = emit(t, OSL_SV_ACT_RESTART, k->id);
		a->count = count;
		a->reason = osl_sv_strategy_name(s->spec.strategy);
		if (delay) {
			a = emit(t, OSL_SV_ACT_BACKOFF, k->id);
			a->delay = delay;
			a->at = now + delay;
		}
		if (s->spec.strategy == OSL_SV_ONE_FOR_ONE) {
			if (delay) {
				k->state = OSL_SV_WAIT;
				k->deadline = now + delay;
			} else {
				osl_sv_start_node(t, k, now);
			}
			return true;
		}
		s->lo = s->spec.strategy == OSL_SV_ONE_FOR_ALL ? 0 : i;
		s->phase = OSL_SV_STOP_RANGE;
		s->restart_at = now + delay;	/* armed once the range is down */
		return true;
	}
	return false;
}

static void finish(struct osl_sv_tree *, struct osl_sv_node *, uint64_t);

/* Move supervisor S on as far as it can go now; true if anything changed. */
static bool
sup_step(struct osl_sv_tree *t, struct osl_sv_node *s, uint64_t now)
{
	bool moved = false;

	switch (s->phase) {
	case OSL_SV_IDLE:
		return handle_pending(t, s, now);
	case OSL_SV_STOP_RANGE:
	case OSL_SV_SHUTDOWN: {
		size_t lo = s->phase == OSL_SV_SHUTDOWN ? 0 : s->lo;

		for (size_t i = s->nkids; i-- > lo; ) {
			struct osl_sv_node *k = &t->nodes[s->kids[i]];

			if (k->state == OSL_SV_DOWN)
				continue;
			if (k->state == OSL_SV_WAIT) {
				osl_sv_stop_node(t, k, now, NULL);
				moved = true;
				continue;
			}
			if (k->state == OSL_SV_STOPPING || k->state == OSL_SV_KILLING)
				return moved;
			osl_sv_stop_node(t, k, now, s->phase == OSL_SV_SHUTDOWN ? "shutdown" : "restart");
			return true;
		}
		if (s->phase == OSL_SV_SHUTDOWN) {
			finish(t, s, now);
			return true;
		}
		/* the range is down; the backoff counts from the failure */
		s->phase = OSL_SV_RESTART_WAIT;
		s->deadline = s->restart_at > now ? s->restart_at : 0;
		return true;
	}
	case OSL_SV_RESTART_WAIT:
		if (s->deadline > now)
			return false;
		s->deadline = 0;
		s->phase = OSL_SV_START_RANGE;
		s->cursor = s->lo;
		return true;
	case OSL_SV_START_RANGE:
		while (s->cursor < s->nkids) {
			struct osl_sv_node *k = &t->nodes[s->kids[s->cursor]];

			if (k->pending && s->spec.strategy != OSL_SV_ONE_FOR_ONE) {
				/* failed in a group restart: the later ones wait
				 * for the group's next restart */
				s->phase = OSL_SV_IDLE;
				return true;
			}
			if (k->gone || k->held || k->pending) {
				s->cursor++;
				continue;
			}
			if (k->state == OSL_SV_DOWN) {
				osl_sv_start_node(t, k, now);
				moved = true;
			}
			if (k->state == OSL_SV_STARTING || k->state == OSL_SV_STOPPING ||
			    k->state == OSL_SV_KILLING)
				return moved;
			s->cursor++;
		}
		s->phase = OSL_SV_IDLE;
		s->started = true;
		if (s->parent == OSL_SV_NONE)
			s->fails = 0;	/* keep_trying: a later failed start waits anew */
		if (s->state == OSL_SV_STARTING)
			s->state = OSL_SV_UP;	/* a nested supervisor is ready */
		return true;
	case OSL_SV_FINISHED:
		return false;
	}
	return moved;
}

/* Every child of S is down after its shutdown. */
static void
finish(struct osl_sv_tree *t, struct osl_sv_node *s, uint64_t now)
{
	s->phase = OSL_SV_FINISHED;
	s->deadline = 0;
	if (s->parent == OSL_SV_NONE) {
		struct osl_sv_action *a;
		bool never;

		if (s->start_failed && s->spec.keep_trying) {
			/* the start is tried again after the backoff (osl_sv_timer) */
			s->state = OSL_SV_WAIT;
			a = emit(t, OSL_SV_ACT_BACKOFF, s->id);
			a->delay = backoff_delay(t, s);
			s->deadline = now + a->delay;
			return;
		}
		s->state = OSL_SV_DOWN;
		a = emit(t, OSL_SV_ACT_DONE, s->id);
		/* keep_trying: shut down before a start got through, the tree's
		 * start failed */
		never = s->spec.keep_trying && !s->started;
		a->failed = s->failed || never;
		a->reason = s->start_failed || never ? "start" : NULL;
		t->done = true;
		return;
	}
	/* as OTP's: a supervisor that gives up exits with reason shutdown, so
	 * a transient one is not restarted either (a permanent one is); one
	 * whose start failed has failed */
	ended(t, s, s->start_failed, now);
}

void
osl_sv_settle(struct osl_sv_tree *t, uint64_t now)
{
	bool moved;

	do {
		moved = false;
		/* children come after their parent in t->nodes: bottom-up */
		for (size_t i = t->n; i-- > 0; ) {
			struct osl_sv_node *s = &t->nodes[i];

			if (!s->spec.supervisor)
				continue;
			if (i != 0 && (s->state == OSL_SV_DOWN || s->state == OSL_SV_WAIT))
				continue;
			while (sup_step(t, s, now))
				moved = true;
		}
	} while (moved);
}

/* -------------------------------------------------------------- events --- */

void
osl_sv_begin(struct osl_sv_tree *t, uint64_t now)
{
	t->nact = 0;
	if (t->n == 0)
		return;
	osl_sv_start_node(t, &t->nodes[0], now);
	osl_sv_settle(t, now);
}

void
osl_sv_exited(struct osl_sv_tree *t, size_t id, bool exited, int code, uint64_t now)
{
	struct osl_sv_node *nd;
	bool abnormal;

	t->nact = 0;
	if (id >= t->n || (nd = &t->nodes[id])->spec.supervisor)
		return;
	abnormal = exited ? code != 0 : code != nd->spec.stop_signal;
	/* a health check that failed makes the exit a failure, whatever it is */
	if (nd->failing) {
		nd->failing = false;
		if (nd->state == OSL_SV_STOPPING || nd->state == OSL_SV_KILLING)
			nd->state = OSL_SV_UP;
		abnormal = true;
	}
	ended(t, nd, abnormal, now);
	osl_sv_settle(t, now);
}

void
osl_sv_ready(struct osl_sv_tree *t, size_t id, uint64_t now)
{
	t->nact = 0;
	if (id < t->n && !t->nodes[id].spec.supervisor && t->nodes[id].state == OSL_SV_STARTING) {
		t->nodes[id].state = OSL_SV_UP;
		t->nodes[id].started = true;
		breaker_ok(t, &t->nodes[id], now);
	}
	osl_sv_settle(t, now);
}

void
osl_sv_unhealthy(struct osl_sv_tree *t, size_t id, uint64_t now)
{
	struct osl_sv_node *nd;

	t->nact = 0;
	if (id >= t->n || (nd = &t->nodes[id])->spec.supervisor ||
	    (nd->state != OSL_SV_UP && nd->state != OSL_SV_STARTING))
		return;
	osl_sv_stop_node(t, nd, now, NULL);
	nd->failing = true;
	osl_sv_settle(t, now);
}

void
osl_sv_timer(struct osl_sv_tree *t, uint64_t now)
{
	t->nact = 0;
	for (size_t i = 0; i < t->n; i++) {
		struct osl_sv_node *nd = &t->nodes[i];

		if (nd->state == OSL_SV_UP && osl_sv_breaker_settled(&nd->brk, now))
			breaker_ok(t, nd, now);
		/* a supervisor's own deadline is its group restart's (sup_step),
		 * unless it waits out a backoff as a child of its parent */
		if (!nd->deadline || nd->deadline > now ||
		    (nd->spec.supervisor && nd->state != OSL_SV_WAIT))
			continue;
		nd->deadline = 0;
		if (nd->state == OSL_SV_STOPPING) {
			nd->state = OSL_SV_KILLING;
			emit(t, OSL_SV_ACT_KILL, nd->id);
		} else if (nd->state == OSL_SV_WAIT) {
			nd->state = OSL_SV_DOWN;
			osl_sv_start_node(t, nd, now);
		}
	}
	osl_sv_settle(t, now);
}

bool
osl_sv_command(struct osl_sv_tree *t, enum osl_sv_cmd cmd, size_t id, uint64_t now)
{
	struct osl_sv_node *nd, *p;
	bool ok = false;

	t->nact = 0;
	if (id >= t->n || t->done)
		return false;
	nd = &t->nodes[id];
	if (cmd == OSL_SV_CMD_SHUTDOWN || (id == 0 && cmd == OSL_SV_CMD_STOP)) {
		if (id == 0 && nd->state == OSL_SV_WAIT) {
			/* keep_trying, between two starts: the start failed */
			nd->spec.keep_trying = false;
			nd->deadline = 0;
			finish(t, nd, now);
			return true;
		}
		if (id == 0) {
			ok = t->nodes[0].phase != OSL_SV_SHUTDOWN;
			/* no more tries (also mid-shutdown after a failed one) */
			if (nd->spec.keep_trying && !nd->started)
				nd->failed = nd->start_failed = true;
			nd->spec.keep_trying = false;
			begin_shutdown(t, nd, "command");
		} else if ((ok = nd->state != OSL_SV_DOWN)) {
			nd->held = true;
			osl_sv_stop_node(t, nd, now, "command");
		}
		osl_sv_settle(t, now);
		return ok;
	}
	if (id == 0)
		return false;
	p = &t->nodes[nd->parent];
	if (p->phase == OSL_SV_SHUTDOWN || p->phase == OSL_SV_FINISHED || p->state == OSL_SV_DOWN)
		return false;
	switch (cmd) {
	case OSL_SV_CMD_DELETE:
		/* as OTP's: not while it runs, nor in the midst of a restart */
		if ((ok = nd->state == OSL_SV_DOWN && !nd->pending && p->phase == OSL_SV_IDLE))
			osl_sv_take_out(t, id);
		return ok;
	case OSL_SV_CMD_STOP:
		ok = nd->state != OSL_SV_DOWN || !nd->held;
		nd->held = true;
		nd->pending = false;
		osl_sv_stop_node(t, nd, now, "command");
		break;
	case OSL_SV_CMD_START:
	case OSL_SV_CMD_RESTART:
		nd->held = nd->gone = false;
		if (nd->state == OSL_SV_DOWN || nd->state == OSL_SV_WAIT) {
			osl_sv_start_node(t, nd, now);
			ok = true;
		} else if (cmd == OSL_SV_CMD_RESTART && (nd->state == OSL_SV_UP ||
		    nd->state == OSL_SV_STARTING)) {
			nd->restart_after_stop = true;
			osl_sv_stop_node(t, nd, now, "command");
			ok = true;
		}
		break;
	default:
		break;
	}
	osl_sv_settle(t, now);
	return ok;
}

uint64_t
osl_sv_next_deadline(const struct osl_sv_tree *t)
{
	uint64_t d = 0;

	for (size_t i = 0; i < t->n; i++) {
		const struct osl_sv_node *nd = &t->nodes[i];

		if (nd->deadline && (!d || nd->deadline < d))
			d = nd->deadline;
		if (nd->state == OSL_SV_UP && nd->brk.settle_at && (!d || nd->brk.settle_at < d))
			d = nd->brk.settle_at;
	}
	return d;
}
