/* Signals: those the supervisor sends (a child's stop signal reaches each
 * of its processes once: its group, then what left the group in its
 * cgroup) and those it receives (loop.h). */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include "proc/proc.h"
#include "supervise/loop.h"
#include "supervise/reload.h"

void
osl_sv_signal_group(pid_t pid, int sig)
{
	/* the child leads its own group; if that is gone, the child alone */
	if (pid > 0 && kill(-pid, sig) == -1 && errno == ESRCH)
		kill(pid, sig);
}

/* A process of a child's cgroup that its group's signal reached: the main
 * process (*ARG) or a member of its group.  Each gets a stop signal once:
 * a second TERM or INT is "stop now" to many programs. */
bool
osl_sv_in_group(pid_t pid, const void *arg)
{
	pid_t main = *(const pid_t *)arg;

	return main > 0 && (pid == main || getpgid(pid) == main);
}

/* SIG to child X's process group (or the child alone if that is gone),
 * then to whatever left the group, in its cgroup.  True when its cgroup
 * held a process. */
bool
osl_sv_signal_child(struct osl_sv_exec *x, int sig)
{
	pid_t main = x->pid;

	osl_sv_signal_group(main, sig);
	return x->cgfd >= 0 && osl_sv_cgroup_signal(x->cgfd, sig, osl_sv_in_group, &main);
}

/* Everything in child X's cgroup gets SIGKILL. */
void
osl_sv_cg_kill(struct osl_sv_exec *x)
{
	if (x->cgfd >= 0 && osl_sv_cgroup_kill(x->cgfd))
		x->cg_killed = true;
}

/* Our direct children, sorted by pid (osl_proc_list's order). */
struct kids {
	struct osl_procinfo *v;
	size_t n;
};

static bool
our_child(pid_t pid, const void *arg)
{
	const struct kids *k = arg;
	size_t lo = 0, hi = k->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (k->v[mid].pid == pid)
			return true;
		if (k->v[mid].pid < pid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

/* Every process left to us, once each: as PID 1 everything in the
 * namespace, else our direct children (adopted orphans included; theirs
 * come back to us) and what is in the children's cgroups. */
void
osl_sv_signal_all(struct osl_sv_loop *l, int sig)
{
	struct kids k = { NULL, 0 };
	pid_t self = getpid();

	/* as PID 1, kill(-1) reaches every process, those in cgroups too */
	if (l->r->pid1 && sig != SIGKILL) {
		kill(-1, sig);
		return;
	}
	if (!l->r->pid1 && !osl_proc_list(&k.v, &k.n)) {
		size_t j = 0;

		for (size_t i = 0; i < k.n; i++)
			if (k.v[i].ppid == self && k.v[i].state != 'Z') {
				kill(k.v[i].pid, sig);
				k.v[j++] = k.v[i];
			}
		k.n = j;
	}
	for (size_t i = 1; i < l->r->tree->n; i++) {
		struct osl_sv_exec *x = &l->r->exec[i];

		if (sig == SIGKILL)
			osl_sv_cg_kill(x);
		else if (x->cgfd >= 0)
			osl_sv_cgroup_signal(x->cgfd, sig, our_child, &k);
	}
	if (l->r->pid1)
		kill(-1, sig);
	free(k.v);
}

void
osl_sv_on_signal(struct osl_sv_loop *l, int sig)
{
	struct osl_sv_tree *t = l->r->tree;

	switch (sig) {
	case SIGCHLD:
		return;		/* reaped after the wake-up (runner.c) */
	case SIGTERM:
	case SIGINT:
		if (l->draining || t->done)
			break;
		if (l->r->single) {
			/* as tini does: the child gets the very signal, and
			 * osl exits with the status it ends with */
			for (size_t i = 1; i < t->n; i++)
				t->nodes[i].spec.stop_signal = sig;
			if (t->nodes[0].phase == OSL_SV_SHUTDOWN)
				break;
		}
		osl_sv_command(t, OSL_SV_CMD_SHUTDOWN, 0, osl_now_mono_ns());
		osl_sv_apply(l);
		return;
	case SIGHUP:
		osl_log_hup();
		if (!l->r->single) {
			if (l->r->reload)
				free(osl_sv_reload_request(l->r->reload, l->r, osl_now_mono_ns()));
			osl_sv_apply(l);
			return;
		}
		break;
	default:
		break;
	}
	if (l->draining) {
		osl_sv_signal_all(l, sig);
		return;
	}
	for (size_t i = 1; i < t->n; i++)
		if (l->r->exec[i].pid > 0)
			osl_sv_signal_group(l->r->exec[i].pid, sig);
}
