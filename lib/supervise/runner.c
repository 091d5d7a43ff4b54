/* The supervisor's event loop (runner.h): sets it up, waits, and hands each
 * event to the file whose concern it is (loop.h).  Everything the tree
 * decides is turned into system calls there, and every decision is a log
 * record. */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "supervise/loop.h"
#include "supervise/reload.h"

/* A reload can finish (what it stopped is down): room for the grown tree
 * first, then its new nodes start. */
static void
reload_finish(struct osl_sv_loop *l)
{
	size_t n;
	struct osl_sv_action *a;
	size_t *q;
	int *st;

	/* a rolling reload's next round, once the last one's replicas are up */
	if (l->r->reload && osl_sv_reload_again(l->r->reload, l->r, osl_now_mono_ns()))
		osl_sv_apply(l);
	if (!(n = l->r->reload ? osl_sv_reload_due(l->r->reload, l->r) : 0))
		return;
	if ((a = realloc(l->acts, OSL_SV_ACTS(n + 1) * sizeof(*a))))
		l->acts = a;
	if ((q = realloc(l->failq, (n + 1) * sizeof(*q))))
		l->failq = q;
	if ((st = realloc(l->failst, (n + 1) * sizeof(*st))))
		l->failst = st;
	if (!a || !q || !st || !osl_sv_ext_grow(&l->ext, n))
		return;		/* tried again after the next event */
	osl_sv_reload_finish(l->r->reload, l->r, osl_now_mono_ns());
	osl_sv_apply(l);
}

/* Room kept under RLIMIT_NOFILE for what is not a pidfd: the control
 * connections, exec, readiness and output pipes, the log. */
#define FD_RESERVE (OSL_SV_CONN_MAX + 16)
/* The descriptors below this are osl's own, the ones a spawn's child
 * copies (its exec and readiness pipes, the sockets it is passed); the
 * children's pidfds and cgroup folders go above (osl_sv_fd_up). */
#define FD_LOW 256

/* The soft RLIMIT_NOFILE raised to the hard one, as systemd does: a
 * pidfd and a cgroup folder per child (at 1024, children past about 490
 * had neither).  The children get the limit osl was given (*GIVEN; its
 * soft limit is 0 when nothing was raised). */
static int
fd_budget(struct rlimit *given)
{
	struct rlimit rl;

	memset(given, 0, sizeof(*given));
	if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
		return INT_MAX;
	if (rl.rlim_cur < rl.rlim_max) {
		struct rlimit up = { rl.rlim_max, rl.rlim_max };

		if (setrlimit(RLIMIT_NOFILE, &up) == 0) {
			*given = rl;
			rl = up;
		}
	}
	if (rl.rlim_cur == RLIM_INFINITY ||
	    rl.rlim_cur > INT_MAX)
		return INT_MAX;
	return rl.rlim_cur > FD_RESERVE ? (int)(rl.rlim_cur - FD_RESERVE) : 0;
}

void
osl_sv_exec_fresh(struct osl_sv_exec *x)
{
	x->pidfd = x->errfd = x->cgfd = x->statusfd = -1;
	x->memory = x->pids = x->memory_peak = x->cpu_usec = -1;
}

static void
fault_signals(sigset_t *s)
{
	/* synchronous faults are ours; SIGKILL and SIGSTOP cannot be had */
	static const int keep[] = { SIGFPE, SIGILL, SIGSEGV, SIGBUS, SIGABRT, SIGTRAP, SIGSYS,
		SIGKILL, SIGSTOP };

	sigfillset(s);
	for (size_t i = 0; i < sizeof(keep) / sizeof(keep[0]); i++)
		sigdelset(s, keep[i]);
}

static void
add(struct osl_sv_loop *l, int fd, enum osl_sv_src src)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = osl_sv_ev(src, 0) };

	epoll_ctl(l->ep, EPOLL_CTL_ADD, fd, &ev);
}

/* Every signal but the faults goes to the signalfd; a timerfd; the epoll
 * over them; the control socket; ext's hooks. */
static const struct osl_error *
loop_open(struct osl_sv_loop *l)
{
	struct osl_sv_runner *r = l->r;
	sigset_t all;

	r->pid1 = getpid() == 1;
	if (!r->pid1 && prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == -1)
		return osl_error_sys(OSL_ESETUP, errno, "cannot become a subreaper");
	osl_sv_cgroup_open(&r->cg);
	l->acts = calloc(r->tree->actcap, sizeof(*l->acts));
	l->failq = calloc(r->tree->n + 1, sizeof(*l->failq));
	l->failst = calloc(r->tree->n + 1, sizeof(*l->failst));
	l->conns = calloc(OSL_SV_CONN_MAX, sizeof(*l->conns));
	l->fd_budget = fd_budget(&l->nofile);
	l->fd_high = l->fd_budget > 2 * FD_LOW ? FD_LOW : 0;
	if (!l->acts || !l->failq || !l->failst || !l->conns)
		return osl_error_nomem();
	for (size_t i = 0; i < OSL_SV_CONN_MAX; i++)
		l->conns[i].fd = -1;
	fault_signals(&all);
	if (sigprocmask(SIG_BLOCK, &all, &l->oldmask) == -1)
		return osl_error_sys(OSL_ESETUP, errno, "sigprocmask");
	l->masked = true;
	if ((l->sfd = signalfd(-1, &all, SFD_CLOEXEC | SFD_NONBLOCK)) == -1 ||
	    (l->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK)) == -1 ||
	    (l->ep = epoll_create1(EPOLL_CLOEXEC)) == -1)
		return osl_error_sys(OSL_ESETUP, errno, "cannot set up the event loop");
	add(l, l->sfd, OSL_SV_SRC_SIGNAL);
	add(l, l->tfd, OSL_SV_SRC_TIMER);
	if (r->socket_path) {
		const struct osl_error *err = osl_sv_ctl_listen(l, r->socket_path);

		if (err)
			return err;
	}
	if (r->metrics_addr) {
		const struct osl_error *err = osl_sv_http_listen(l, r->metrics_addr);

		if (err)
			return err;
	}
	osl_sv_ext_init(&l->ext, r, l->ep, &l->oldmask);
	l->ext.fd_high = l->fd_high;
	return osl_sv_listen_bind(r->ctx, &r->socks, r->child, r->tree->n);
}

static void
loop_close(struct osl_sv_loop *l)
{
	struct osl_sv_runner *r = l->r;

	osl_sv_ext_release(&l->ext);
	for (size_t i = 0; i < r->tree->n; i++) {
		struct osl_sv_exec *x = &r->exec[i];

		if (x->errfd >= 0) {
			close(x->errfd);
			osl_sv_op_free(x);
		}
		if (x->pidfd >= 0)
			close(x->pidfd);
		if (x->statusfd >= 0)
			close(x->statusfd);
		/* nothing is left in it: osl exits only when no child is */
		if (x->cgfd >= 0)
			osl_sv_child_cgroup_remove(l, i);
	}
	osl_sv_cgroup_close(&r->cg);
	osl_sv_socks_close(&r->socks);
	osl_sv_roll_end(&r->roll);
	if (l->ep != -1)
		close(l->ep);
	if (l->sfd != -1)
		close(l->sfd);
	if (l->tfd != -1)
		close(l->tfd);
	osl_sv_ctl_close(l);
	if (l->masked)
		sigprocmask(SIG_SETMASK, &l->oldmask, NULL);
	free(l->acts);
	free(l->failq);
	free(l->failst);
	free(l->lg);
}

static void
signals(struct osl_sv_loop *l)
{
	struct signalfd_siginfo si;

	while (read(l->sfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		l->chld |= si.ssi_signo == SIGCHLD;
		osl_sv_on_signal(l, (int)si.ssi_signo);
	}
}

/* Hand the event with epoll data D to the file whose concern it is. */
static void
dispatch(struct osl_sv_loop *l, uint64_t d)
{
	size_t i = osl_sv_ev_index(d);
	enum osl_sv_src src = osl_sv_ev_src(d);

	/* a child replaced earlier in this batch: not this one */
	if ((src == OSL_SV_SRC_EXEC || src == OSL_SV_SRC_EXIT) &&
	    osl_sv_ev_gen(d) != (l->r->exec[i].gen & 0xffffffU))
		return;
	switch (src) {
	case OSL_SV_SRC_SIGNAL:
		signals(l);
		break;
	case OSL_SV_SRC_LISTEN:
		osl_sv_ctl_accept(l);
		break;
	case OSL_SV_SRC_HTTP:
		osl_sv_http_accept(l);
		break;
	case OSL_SV_SRC_CONN:
		if (l->conns[i].fd != -1)
			osl_sv_ctl_read(l, &l->conns[i]);
		break;
	case OSL_SV_SRC_TIMER:
		osl_sv_on_timer(l);
		break;
	case OSL_SV_SRC_READY:
		osl_sv_ready_read(l, i);
		break;
	case OSL_SV_SRC_EXEC:
		osl_sv_exec_result(l, i);
		break;
	case OSL_SV_SRC_EXIT:
		osl_sv_child_reap(l, i);
		break;
	case OSL_SV_SRC_NOTIFY:
	case OSL_SV_SRC_TCP:
	case OSL_SV_SRC_PROBE:
	case OSL_SV_SRC_STREAM:
		osl_sv_ext_event(&l->ext, d);
		osl_sv_apply(l);
		break;
	case OSL_SV_SRC_COUNT:
		break;
	}
}

/* The tree is down: whatever is left gets TERM, then KILL after the
 * grace.  False when nothing is left. */
static bool
drain(struct osl_sv_loop *l)
{
	l->draining = true;
	l->nlg = 0;
	if (!osl_sv_reap(l))
		return false;
	osl_sv_signal_all(l, SIGTERM);
	l->drain_at = osl_now_mono_ns() + l->r->grace_ns;
	return osl_sv_reap(l);
}

/* osl's exit status (runner.h). */
static int
exit_status(const struct osl_sv_loop *l)
{
	const struct osl_sv_runner *r = l->r;
	int st;

	if (!r->single || r->tree->n < 2 || !r->exec[1].ended)
		return l->start_failed ? OSL_SV_START_FAILED : l->failed ? 1 : 0;
	st = r->exec[1].status;
	if (st > 0 && st < 256 && (r->success[st / 64] >> (st % 64) & 1))
		st = 0;
	return l->failed && st == 0 ? 1 : st;
}

const struct osl_error *
osl_sv_run(struct osl_sv_runner *r, int *status)
{
	struct osl_sv_loop l = { .r = r, .ep = -1, .sfd = -1, .tfd = -1, .lfd = -1, .mfd = -1,
		.chld = true };
	const struct osl_error *err;

	*status = 1;
	for (size_t i = 0; i < r->tree->n; i++)
		osl_sv_exec_fresh(&r->exec[i]);
	if ((err = loop_open(&l)))
		goto done;
	osl_sv_begin(r->tree, osl_now_mono_ns());
	osl_sv_apply(&l);
	for (;;) {
		struct epoll_event evs[4];
		int n;

		/* orphans after a SIGCHLD only: waitid(P_ALL) goes through
		 * every child, and a supervised one is reaped by its pidfd */
		if (l.chld || l.draining) {
			l.chld = false;
			if (!osl_sv_reap(&l) && l.draining)
				break;
		}
		if (l.done && !l.draining && !drain(&l))
			break;
		reload_finish(&l);
		osl_sv_arm(&l);
		if ((n = epoll_wait(l.ep, evs, 4, -1)) == -1 && errno != EINTR) {
			err = osl_error_sys(OSL_EFAIL, errno, "epoll_wait");
			goto done;
		}
		for (int i = 0; i < n; i++)
			dispatch(&l, evs[i].data.u64);
	}
	*status = exit_status(&l);
done:
	loop_close(&l);
	return err;
}
