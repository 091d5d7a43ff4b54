/* The reaper: a supervised child's end by its pidfd (or its pid near
 * RLIMIT_NOFILE), adopted orphans on SIGCHLD, and what an ended child's
 * group and cgroup left behind (loop.h). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "supervise/loop.h"

/* Child ID has ended (EXITED with CODE, or killed by signal CODE). */
static void
child_ended(struct osl_sv_loop *l, size_t id, bool exited, int code, uint64_t now)
{
	struct osl_sv_exec *x = &l->r->exec[id];
	bool group;

	osl_sv_unwatch(l, &x->pidfd);
	/* in a PID namespace, the init exits 128+N for its program's signal
	 * N: the program's own status is what it reported */
	if (x->statusfd >= 0) {
		int st;

		if (read(x->statusfd, &st, sizeof(st)) == (ssize_t)sizeof(st) &&
		    (WIFEXITED(st) || WIFSIGNALED(st))) {
			exited = WIFEXITED(st);
			code = exited ? WEXITSTATUS(st) : WTERMSIG(st);
		}
		close(x->statusfd);
		x->statusfd = -1;
	}
	/* an exec that failed: the status is the reason (126, 127), not the
	 * child's _exit */
	osl_sv_exec_result(l, id);
	if (x->exec_status) {
		exited = true;
		code = x->exec_status;
	}
	x->status = exited ? code : 128 + code;
	x->ended = true;
	osl_sv_ready_close(l, x);
	osl_sv_end_record(l, id, exited, code, now);
	/* what is left of its group, and of its cgroup, gets TERM now (unless
	 * the group had its stop signal: once is enough) and KILL after the
	 * grace (or before the child starts again) */
	group = kill(-x->pid, x->stopped ? 0 : SIGTERM) == 0;
	x->leftovers = x->cgfd >= 0 && osl_sv_cgroup_signal(x->cgfd, x->stopped ? 0 : SIGTERM,
	    osl_sv_in_group, &x->pid);
	if (group || x->leftovers)
		osl_sv_leftover_add(l, x->pid, id, now);
	x->pid = 0;
	osl_sv_ext_ended(&l->ext, id);
	/* -e CODE: that exit is a clean one, for the tree and osl's status */
	if (exited && code > 0 && code < 256 &&
	    (l->r->success[code / 64] >> (code % 64) & 1))
		code = 0;
	osl_sv_exited(l->r->tree, id, exited, code, now);
	osl_sv_apply(l);
	if (!x->pid && !x->leftovers && l->r->tree->nodes[id].state == OSL_SV_DOWN)
		osl_sv_child_cgroup_remove(l, id);
}

/* Reap supervised child ID if it has ended: by its pidfd (or its pid on a
 * kernel without pidfds).  False when it has not. */
bool
osl_sv_child_reap(struct osl_sv_loop *l, size_t id)
{
	struct osl_sv_exec *x = &l->r->exec[id];
	siginfo_t si = { 0 };

	if (x->pid <= 0 || waitid(x->pidfd >= 0 ? P_PIDFD : P_PID,
	    (id_t)(x->pidfd >= 0 ? x->pidfd : x->pid), &si, WEXITED | WNOHANG) == -1 ||
	    si.si_pid == 0)
		return false;
	child_ended(l, id, si.si_code == CLD_EXITED, si.si_status, osl_now_mono_ns());
	return true;
}

static size_t
child_of(const struct osl_sv_loop *l, pid_t pid)
{
	for (size_t id = 1; id < l->r->tree->n; id++)
		if (l->r->exec[id].pid == pid)
			return id;
	return OSL_SV_NONE;
}

/* Reap adopted orphans (SIGCHLD).  waitid(P_ALL) only looks (WNOWAIT), and
 * only the pid it names is reaped: an orphan here, a supervised child
 * through its own pidfd (osl_sv_child_reap), so no status of a supervised
 * child is ever taken by this loop.  False when no child at all is left. */
bool
osl_sv_reap(struct osl_sv_loop *l)
{
	for (;;) {
		siginfo_t si = { 0 };
		size_t id;

		if (waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT) == -1)
			return errno != ECHILD;
		if (si.si_pid == 0)
			return true;
		if ((id = child_of(l, si.si_pid)) != OSL_SV_NONE) {
			if (!osl_sv_child_reap(l, id))
				return true;
		} else {
			pid_t pid = si.si_pid;
			int st;

			if (waitpid(pid, &st, WNOHANG) != pid)
				return true;	/* never spin here: the next SIGCHLD tries again */
			if (osl_sv_ext_reaped(&l->ext, pid, st)) {
				osl_sv_apply(l);
			} else {
				l->r->reaped_orphans++;
				if (l->r->warn_reap) {
					char line[96];

					snprintf(line, sizeof(line), "reaped orphan %d (status %d)",
					    (int)pid, WIFEXITED(st) ? WEXITSTATUS(st) :
					    128 + WTERMSIG(st));
					osl_sv_tell(l, line);
				}
			}
		}
	}
}
