/* The tree's actions carried out: a start (the policy's decision, the
 * child's cgroup, the spawn; the exec's outcome comes later as an event),
 * a stop, a kill; and s6's readiness pipe (loop.h). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <unistd.h>

#include "op.h"
#include "proc/proc.h"
#include "sandbox/unixconn.h"
#include "supervise/child.h"
#include "supervise/loop.h"
#include "supervise/peer.h"

static void
fail_later(struct osl_sv_loop *l, size_t id, const struct osl_error *e)
{
	int status = e->status == OSL_EDENIED ? OSL_ENOEXEC : e->status;

	snprintf(l->r->exec[id].why, sizeof(l->r->exec[id].why), "%s", e->msg);
	osl_sv_say_refused(l, id, e->msg);
	l->failq[l->nfail] = id;
	l->failst[l->nfail++] = status;
}

void
osl_sv_watch(struct osl_sv_loop *l, int fd, uint64_t data)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = data };

	epoll_ctl(l->ep, EPOLL_CTL_ADD, fd, &ev);
}

int
osl_sv_fd_up(const struct osl_sv_loop *l, int fd)
{
	int up;

	if (fd < 0 || !l->fd_high || fd >= l->fd_high ||
	    (up = fcntl(fd, F_DUPFD_CLOEXEC, l->fd_high)) == -1)
		return fd;
	close(fd);
	return up;
}

void
osl_sv_unwatch(struct osl_sv_loop *l, int *fd)
{
	if (*fd < 0)
		return;
	/* explicitly: a copy in a child that has not exec'd yet would keep
	 * the registration alive past the close */
	epoll_ctl(l->ep, EPOLL_CTL_DEL, *fd, NULL);
	close(*fd);
	*fd = -1;
}

/* The policy's limit RES for a child, or UINT64_MAX. */
static uint64_t
rlimit_of(const struct osl_sandbox *sb, int res)
{
	for (size_t i = 0; sb && i < sb->nrlim; i++)
		if (sb->rlim[i].res == res)
			return sb->rlim[i].rl.rlim_max;
	return UINT64_MAX;
}

/* Child ID's cgroup for the run about to start: made on the first start
 * (and again after it was removed); what its last run left is killed
 * first, so the new run starts alone in it. */
static int
child_cgroup(struct osl_sv_loop *l, size_t id)
{
	struct osl_sv_exec *x = &l->r->exec[id];

	if (!x->cg_made) {
		x->cg_made = true;
		x->cgfd = osl_sv_cgroup_child(&l->r->cg, l->r->tree->nodes[id].spec.name,
		    rlimit_of(x->sb, RLIMIT_AS), rlimit_of(x->sb, RLIMIT_NPROC), x->cgnote,
		    sizeof(x->cgnote));
		x->cgfd = osl_sv_fd_up(l, x->cgfd);
		if (x->cgfd >= l->fd_budget) {
			/* held open for the child's life: not near RLIMIT_NOFILE */
			close(x->cgfd);
			x->cgfd = -1;
			osl_sv_cgroup_remove(&l->r->cg, l->r->tree->nodes[id].spec.name);
			snprintf(x->cgnote, sizeof(x->cgnote), "no cgroup: too few descriptors "
			    "left under RLIMIT_NOFILE");
		}
	}
	if (x->leftovers)
		osl_sv_cg_kill(x);
	x->leftovers = false;
	return x->cgfd;
}

/* A child that is down for good (stopped, or temporary) leaves no folder. */
void
osl_sv_child_cgroup_remove(struct osl_sv_loop *l, size_t id)
{
	struct osl_sv_exec *x = &l->r->exec[id];

	if (x->cgfd >= 0) {
		close(x->cgfd);
		osl_sv_cgroup_remove(&l->r->cg, l->r->tree->nodes[id].spec.name);
	}
	x->cgfd = -1;
	x->cg_made = x->cg_killed = false;
}

void
osl_sv_op_free(struct osl_sv_exec *x)
{
	if (x->op)
		osl_op_release(x->op);
	free(x->op);
	x->op = NULL;
	free(x->real);
	x->real = NULL;
}

/* The sandbox is one, prepared when the file was read; each spawn gets a
 * copy with a pair of its own, so a listener or a connector of one run is
 * never another's.  The spawn may return before the child's exec (a
 * child with user:): the thread waits for its listener.  Should the
 * thread not start, the child's connect() calls fail (its listener is
 * dropped with the pair: ENOSYS), never pass unchecked.  A thread per
 * run, not the supervisor's epoll: an answer may wait (a unix connect
 * while the listener's backlog is full, the abstract connector's one job
 * at a time), and must hold up neither the loop nor another child's
 * connects; an idle one is a poll(2) on its listener, gone with the run. */
const struct osl_error *
osl_sv_spawn(struct osl_spawn *sp, const struct osl_policy *p, struct osl_unixconn **uc)
{
	const struct osl_sandbox *sb = sp->sb;
	const struct osl_error *err, *uerr;
	struct osl_unixconn *u = NULL;
	struct osl_sandbox b;
	int e;

	if (uc) {
		osl_unixconn_release(*uc);	/* a run before (its records are out) */
		*uc = NULL;
	}
	if (!sb || !sb->unix_decide || !p)
		return osl_proc_spawn(sp);
	b = *sb;
	b.unix_sock = b.unix_peer = 0;
	if ((e = osl_sandbox_unix_pair(&b, true)))
		return osl_error_sys(OSL_ESETUP, e, "socketpair");
	sp->sb = &b;
	err = osl_proc_spawn(sp);
	sp->sb = sb;
	if (!err)
		u = osl_unixconn_start(&b, p, b.unix_peer, true, &uerr);
	/* ours closed: only the child's end keeps the pair open (the
	 * thread's EOF when the child fails before it sends its listener) */
	(void)osl_sandbox_unix_pair(&b, false);
	if (uc)
		*uc = u;
	else
		osl_unixconn_release(u);
	return err;
}

/* Start child ID.  The spawn returns at the fork: the exec's outcome is an
 * event (osl_sv_exec_result), and so is the child's end (its pidfd).  The
 * start record is written with that outcome, after the program runs. */
static void
start_child(struct osl_sv_loop *l, size_t id)
{
	struct osl_sv_runner *r = l->r;
	struct osl_sv_exec *x = &r->exec[id];
	const struct osl_error *err;
	struct osl_spawn sp = { 0 };
	struct osl_error keep;
	struct osl_op *op;

	if (!(op = x->op = malloc(sizeof(*op)))) {
		osl_error_keep(&keep, osl_error_nomem());
		fail_later(l, id, &keep);
		return;
	}
	osl_op_init(op, OSL_ACT_SV_START, x->argv[0]);
	op->req.access = OSL_ACCESS_EXEC;
	x->real = realpath(x->path, NULL);
	op->req.path = x->real ? x->real : x->path;
	osl_sv_start_fields(l, id);
	if ((err = osl_op_begin(r->ctx, op))) {
		osl_error_keep(&keep, err);
		fail_later(l, id, &keep);
		goto fail;
	}
	sp.path = x->path;
	sp.argv = x->argv;
	sp.envp = x->envp;
	sp.cwd = x->cwd;
	sp.setsid = true;
	osl_sv_peer_hide(r, id);
	sp.sb = x->sb;
	sp.child_mask = &l->oldmask;
	sp.exec_event = true;
	sp.cgroup_fd = child_cgroup(l, id);
	sp.nofile = l->nofile.rlim_cur ? &l->nofile : NULL;
	sp.cgroup_join = x->cg_killed;
	sp.fd_high = l->fd_high;
	if (x->ready_fd > 2) {
		int p[2];

		if (pipe2(p, O_CLOEXEC | O_NONBLOCK) == -1) {
			osl_error_keep(&keep, osl_error_sys(OSL_ESETUP, errno, "pipe"));
			osl_op_end(r->ctx, op, &keep);
			fail_later(l, id, &keep);
			goto fail;
		}
		x->ready_rfd = p[0];
		sp.pass_fd = p[1];
		sp.pass_as = x->ready_fd;
	}
	if (!(err = osl_sv_ext_prestart(&l->ext, id, &sp)))
		err = osl_sv_spawn(&sp, r->child ? r->child[id].policy : NULL, &x->uc);
	x->gen++;
	osl_sv_ext_started(&l->ext, id, err ? 0 : sp.pid);
	if (sp.pass_as) {
		struct epoll_event ev = { .events = EPOLLIN, .data.u64 =
			osl_sv_ev(OSL_SV_SRC_READY, id) };

		close(sp.pass_fd);
		if (err || epoll_ctl(l->ep, EPOLL_CTL_ADD, x->ready_rfd, &ev) == -1) {
			close(x->ready_rfd);
			x->ready_rfd = -1;
		}
	}
	if (err) {
		osl_error_keep(&keep, err);
		osl_op_end(r->ctx, op, &keep);
		fail_later(l, id, &keep);
		goto fail;
	}
	x->pid = sp.pid;
	x->pidfd = osl_sv_fd_up(l, sp.pidfd);
	x->statusfd = osl_sv_fd_up(l, sp.statusfd);
	x->errfd = sp.errfd;
	x->exec_status = 0;
	x->stopped = false;
	x->t_start = sp.t_start;
	/* a pidfd per child while descriptors last: near RLIMIT_NOFILE a
	 * child is reaped by its pid on SIGCHLD instead (osl_sv_reap) */
	if (x->pidfd >= l->fd_budget) {
		close(x->pidfd);
		x->pidfd = -1;
	}
	if (x->pidfd >= 0)
		osl_sv_watch(l, x->pidfd, osl_sv_ev_child(OSL_SV_SRC_EXIT, x->gen, id));
	if (sp.exec_known) {
		osl_sv_exec_result(l, id);
		return;
	}
	/* made again with the outcome: 100 children starting at once do not
	 * each hold theirs meanwhile */
	cJSON_Delete(op->fields);
	op->fields = NULL;
	osl_sv_watch(l, x->errfd, osl_sv_ev_child(OSL_SV_SRC_EXEC, x->gen, id));
	return;
fail:
	osl_sv_op_free(x);
}

/* The exec's outcome, once: the start record, and why it failed. */
void
osl_sv_exec_result(struct osl_sv_loop *l, size_t id)
{
	struct osl_sv_exec *x = &l->r->exec[id];
	struct osl_spawn sp = { .path = x->path, .cwd = x->cwd, .errfd = x->errfd };
	const struct osl_error *err;
	struct osl_error keep;
	cJSON *o;

	if (x->errfd < 0)
		return;
	if ((o = osl_sv_start_fields(l, id)))
		cJSON_AddNumberToObject(o, "pid", x->pid);
	epoll_ctl(l->ep, EPOLL_CTL_DEL, x->errfd, NULL);
	x->errfd = -1;
	if ((err = osl_proc_spawn_result(&sp))) {
		osl_error_keep(&keep, err);
		x->exec_status = keep.status == OSL_EDENIED ? OSL_ENOEXEC : keep.status;
		snprintf(x->why, sizeof(x->why), "%s", keep.msg);
		osl_sv_say_refused(l, id, keep.msg);
	} else {
		x->why[0] = '\0';
	}
	osl_op_end(l->r->ctx, x->op, err ? &keep : NULL);
	osl_sv_op_free(x);
}

void
osl_sv_apply(struct osl_sv_loop *l)
{
	struct osl_sv_tree *t = l->r->tree;

	for (;;) {
		l->nacts = t->nact;
		memcpy(l->acts, t->act, t->nact * sizeof(*t->act));
		t->nact = 0;
		/* the system calls first: a restart's new child is on its way
		 * before the records of what led to it are written */
		for (size_t i = 0; i < l->nacts; i++) {
			const struct osl_sv_action *a = &l->acts[i];
			struct osl_sv_exec *x = &l->r->exec[a->id];

			switch (a->kind) {
			case OSL_SV_ACT_START:
				start_child(l, a->id);
				break;
			case OSL_SV_ACT_STOP:
				osl_sv_signal_child(x, a->sig);
				x->stopped = true;
				break;
			case OSL_SV_ACT_KILL:
				osl_sv_signal_group(x->pid, SIGKILL);
				osl_sv_cg_kill(x);
				break;
			case OSL_SV_ACT_DONE:
				l->done = true;
				l->failed = a->failed;
				l->start_failed = a->reason != NULL;
				break;
			default:
				break;
			}
		}
		osl_sv_held_emit(l);
		for (size_t i = 0; i < l->nacts; i++)
			osl_sv_log_action(l, &l->acts[i]);
		if (!l->nfail) {
			/* a rolling restart moves on one command at a time */
			if (osl_sv_roll_moved(l))
				continue;
			return;
		}
		/* a spawn that failed is a child that ended at once */
		size_t id = l->failq[--l->nfail];
		int st = l->failst[l->nfail];

		l->r->exec[id].status = st;
		l->r->exec[id].ended = true;
		osl_sv_exited(t, id, true, st, osl_now_mono_ns());
	}
}

void
osl_sv_ready_close(struct osl_sv_loop *l, struct osl_sv_exec *x)
{
	if (x->ready_rfd > 0) {
		epoll_ctl(l->ep, EPOLL_CTL_DEL, x->ready_rfd, NULL);
		close(x->ready_rfd);
	}
	x->ready_rfd = -1;
}

/* s6's protocol: the child is ready when it writes a newline on its fd. */
void
osl_sv_ready_read(struct osl_sv_loop *l, size_t id)
{
	struct osl_sv_exec *x = &l->r->exec[id];
	char buf[256];
	ssize_t n;

	if (x->ready_rfd <= 0)
		return;
	n = read(x->ready_rfd, buf, sizeof(buf));
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n > 0 && !memchr(buf, '\n', (size_t)n))
		return;
	osl_sv_ready_close(l, x);
	if (n > 0) {
		osl_sv_ready(l->r->tree, id, osl_now_mono_ns());
		osl_sv_apply(l);
	}
}
