/* The runner's one timerfd, armed at the next deadline of all: the tree's
 * (backoff, shutdown timeouts, readiness), the KILL of what an ended
 * child's group left, and the end of the drain (loop.h). */
#include <signal.h>
#include <stdlib.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "supervise/loop.h"

void
osl_sv_arm(struct osl_sv_loop *l)
{
	struct itimerspec its = { 0 };
	uint64_t next = l->draining ? l->drain_at : osl_sv_next_deadline(l->r->tree);

	for (size_t i = 0; i < l->nlg; i++)
		if (!next || l->lg[i].kill_at < next)
			next = l->lg[i].kill_at;
	if (next) {
		its.it_value.tv_sec = (time_t)(next / 1000000000ULL);
		its.it_value.tv_nsec = (long)(next % 1000000000ULL);
	}
	timerfd_settime(l->tfd, TFD_TIMER_ABSTIME, &its, NULL);
}

void
osl_sv_on_timer(struct osl_sv_loop *l)
{
	uint64_t now = osl_now_mono_ns(), ticks;
	size_t j = 0;

	(void)!read(l->tfd, &ticks, sizeof(ticks));
	for (size_t i = 0; i < l->nlg; i++) {
		struct osl_sv_exec *x = &l->r->exec[l->lg[i].id];

		if (l->lg[i].kill_at > now) {
			l->lg[j++] = l->lg[i];
			continue;
		}
		kill(-l->lg[i].pgid, SIGKILL);
		if (x->leftovers && x->gen == l->lg[i].gen) {
			osl_sv_cg_kill(x);
			x->leftovers = false;
		}
	}
	l->nlg = j;
	if (l->draining) {
		if (l->drain_at && l->drain_at <= now) {
			osl_sv_signal_all(l, SIGKILL);
			l->drain_at = 0;
		}
		return;
	}
	osl_sv_timer(l->r->tree, now);
	osl_sv_apply(l);
}

void
osl_sv_leftover_add(struct osl_sv_loop *l, pid_t pgid, size_t id, uint64_t now)
{
	if (l->nlg == l->lgcap) {
		size_t cap = l->lgcap ? l->lgcap * 2 : 8;
		struct osl_sv_leftover *v = realloc(l->lg, cap * sizeof(*v));

		if (v) {
			l->lg = v;
			l->lgcap = cap;
		}
	}
	if (l->nlg < l->lgcap)
		l->lg[l->nlg++] = (struct osl_sv_leftover){ pgid, now + l->r->grace_ns, id,
			l->r->exec[id].gen };
}
