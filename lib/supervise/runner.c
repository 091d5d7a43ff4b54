/* The supervisor's event loop (see runner.h).  Everything the tree decides
 * is turned into system calls here, and every decision is a log record. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "op.h"
#include "proc/proc.h"
#include "supervise/ctl.h"
#include "supervise/peer.h"
#include "supervise/ext.h"
#include "supervise/reload.h"
#include "supervise/runner.h"

#define CONN_MAX 16

/* epoll data: a tag << 32 | a child's id, and for a child's pidfd and exec
 * pipe its start count above that, so an event of a child that has been
 * replaced in the same batch is told from its successor's */
#define EV_EXEC 16ULL
#define EV_EXIT 17ULL
#define EV_CHILD(tag, x, id) ((uint64_t)(x)->gen << 40 | (tag) << 32 | (uint64_t)(id))

struct conn {
	int fd;
	size_t n;
	char *out;		/* an answer not yet all sent, or NULL */
	size_t outlen, outoff;
	char buf[OSL_SV_CTL_MAX];
};

struct leftover {
	pid_t pgid;
	uint64_t kill_at;
	size_t id;			/* the child; its cgroup too while gen holds */
	unsigned gen;
};

struct loop {
	struct osl_sv_runner *r;
	sigset_t oldmask;
	int ep, sfd, tfd;
	int fd_budget;			/* pidfds only below this descriptor number */
	struct osl_sv_action *acts;	/* a copy: carrying them out makes new ones */
	size_t nacts;
	struct leftover *lg;
	size_t nlg, lgcap;
	size_t *failq, nfail;		/* spawn failures, fed back as exits */
	int *failst;
	bool done, failed, start_failed, draining;
	uint64_t drain_at;
	int lfd;			/* the control socket */
	struct conn *conns;		/* CONN_MAX; fd -1 when free */
	struct osl_sv_ext ext;		/* readiness probes, health, output (ext.c) */
	struct {			/* a child's end, written after the restart */
		cJSON *rec;
		enum osl_level level;
		char msg[256];
	} held;
};

/* ------------------------------------------------------------- records --- */

static cJSON *
rec_new(const char *action, const char *type, bool ok, const char *name)
{
	return osl_sv_rec(action, type, ok, name);
}

static void
rec_emit(struct loop *l, cJSON *rec, enum osl_level level, const char *msg)
{
	osl_sv_rec_emit(l->r->ctx, rec, level, msg);
}

static void
tell(const struct loop *l, const char *line)
{
	if (l->r->say)
		l->r->say(line);
}

/* A start that failed (refused by the policy, or its exec): a line for a
 * person with a tree (the single command's status and message say it). */
static void
say_refused(const struct loop *l, size_t id, const char *why)
{
	char line[384];

	if (l->r->single)
		return;
	snprintf(line, sizeof(line), "supervise.start %s failed: %s",
	    l->r->tree->nodes[id].spec.name, why);
	tell(l, line);
}

static cJSON *
sv_obj(cJSON *rec)
{
	return osl_log_obj(osl_log_obj(rec, "osl"), "supervise");
}

/* ------------------------------------------------------------- signals --- */

static void
signal_group(pid_t pid, int sig)
{
	/* the child leads its own group; if that is gone, the child alone */
	if (pid > 0 && kill(-pid, sig) == -1 && errno == ESRCH)
		kill(pid, sig);
}

/* A process of a child's cgroup that its group's signal reached: the main
 * process (*ARG) or a member of its group.  Each gets a stop signal once:
 * a second TERM or INT is "stop now" to many programs. */
static bool
in_group(pid_t pid, const void *arg)
{
	pid_t main = *(const pid_t *)arg;

	return main > 0 && (pid == main || getpgid(pid) == main);
}

/* SIG to child X's process group (or the child alone if that is gone),
 * then to whatever left the group, in its cgroup.  True when its cgroup
 * held a process. */
static bool
signal_child(struct osl_sv_exec *x, int sig)
{
	pid_t main = x->pid;

	signal_group(main, sig);
	return x->cgfd >= 0 && osl_sv_cgroup_signal(x->cgfd, sig, in_group, &main);
}

/* Everything in child X's cgroup gets SIGKILL. */
static void
cg_kill(struct osl_sv_exec *x)
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
static void
signal_all(struct loop *l, int sig)
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
			cg_kill(x);
		else if (x->cgfd >= 0)
			osl_sv_cgroup_signal(x->cgfd, sig, our_child, &k);
	}
	if (l->r->pid1)
		kill(-1, sig);
	free(k.v);
}

/* ------------------------------------------------------------- actions --- */

static void
fail_later(struct loop *l, size_t id, const struct osl_error *e)
{
	int status = e->status == OSL_EDENIED ? OSL_ENOEXEC : e->status;

	snprintf(l->r->exec[id].why, sizeof(l->r->exec[id].why), "%s", e->msg);
	say_refused(l, id, e->msg);
	l->failq[l->nfail] = id;
	l->failst[l->nfail++] = status;
}

static void
watch(struct loop *l, int fd, uint64_t data)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = data };

	epoll_ctl(l->ep, EPOLL_CTL_ADD, fd, &ev);
}

static void
unwatch(struct loop *l, int *fd)
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
child_cgroup(struct loop *l, size_t id)
{
	struct osl_sv_exec *x = &l->r->exec[id];

	if (!x->cg_made) {
		x->cg_made = true;
		x->cgfd = osl_sv_cgroup_child(&l->r->cg, l->r->tree->nodes[id].spec.name,
		    rlimit_of(x->sb, RLIMIT_AS), rlimit_of(x->sb, RLIMIT_NPROC), x->cgnote,
		    sizeof(x->cgnote));
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
		cg_kill(x);
	x->leftovers = false;
	return x->cgfd;
}

/* A child that is down for good (stopped, or temporary) leaves no folder. */
static void
child_cgroup_remove(struct loop *l, size_t id)
{
	struct osl_sv_exec *x = &l->r->exec[id];

	if (x->cgfd >= 0) {
		close(x->cgfd);
		osl_sv_cgroup_remove(&l->r->cg, l->r->tree->nodes[id].spec.name);
	}
	x->cgfd = -1;
	x->cg_made = x->cg_killed = false;
}

static void
op_free(struct osl_sv_exec *x)
{
	if (x->op)
		osl_op_release(x->op);
	free(x->op);
	x->op = NULL;
	free(x->real);
	x->real = NULL;
}

/* The fields of child ID's start record: the program, its arguments, its
 * name; NULL (out of memory) or its process.child object. */
static cJSON *
start_fields(struct loop *l, size_t id)
{
	struct osl_sv_exec *x = &l->r->exec[id];
	struct osl_op *op = x->op;
	cJSON *o, *args;

	if (!op->fields && !(op->fields = cJSON_CreateObject()))
		return NULL;
	o = osl_log_obj(osl_log_obj(op->fields, "process"), "child");
	/* once each: the fields of a start whose exec's outcome came at once
	 * are made a second time with it */
	cJSON_DeleteItemFromObjectCaseSensitive(o, "executable");
	cJSON_DeleteItemFromObjectCaseSensitive(o, "args");
	cJSON_DeleteItemFromObjectCaseSensitive(sv_obj(op->fields), "name");
	osl_log_add_text(o, "executable", op->req.path);
	if ((args = cJSON_AddArrayToObject(o, "args")))
		for (size_t i = 0; x->argv[i]; i++)
			cJSON_AddItemToArray(args, cJSON_CreateString(x->argv[i]));
	osl_log_add_text(sv_obj(op->fields), "name", l->r->tree->nodes[id].spec.name);
	return o;
}

static void exec_result(struct loop *l, size_t id);

/* Start child ID.  The spawn returns at the fork: the exec's outcome is an
 * event (exec_result), and so is the child's end (its pidfd).  The start
 * record is written with that outcome, after the program is running. */
static void
start_child(struct loop *l, size_t id)
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
	osl_op_init(op, "supervise.start", "process", "start", x->argv[0]);
	op->req.access = OSL_ACCESS_EXEC;
	x->real = realpath(x->path, NULL);
	op->req.path = x->real ? x->real : x->path;
	start_fields(l, id);
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
	sp.cgroup_join = x->cg_killed;
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
		err = osl_proc_spawn(&sp);
	x->gen++;
	osl_sv_ext_started(&l->ext, id, err ? 0 : sp.pid);
	if (sp.pass_as) {
		struct epoll_event ev = { .events = EPOLLIN, .data.u64 = (4ULL << 32) | id };

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
	x->pidfd = sp.pidfd;
	x->errfd = sp.errfd;
	x->exec_status = 0;
	x->stopped = false;
	x->t_start = sp.t_start;
	/* a pidfd per child while descriptors last: near RLIMIT_NOFILE a
	 * child is reaped by its pid on SIGCHLD instead (child_reap) */
	if (x->pidfd >= l->fd_budget) {
		close(x->pidfd);
		x->pidfd = -1;
	}
	if (x->pidfd >= 0)
		watch(l, x->pidfd, EV_CHILD(EV_EXIT, x, id));
	if (sp.exec_known) {
		exec_result(l, id);
		return;
	}
	/* made again with the outcome: 100 children starting at once do not
	 * each hold theirs meanwhile */
	cJSON_Delete(op->fields);
	op->fields = NULL;
	watch(l, x->errfd, EV_CHILD(EV_EXEC, x, id));
	return;
fail:
	op_free(x);
}

/* The exec's outcome, once: the start record, and why it failed. */
static void
exec_result(struct loop *l, size_t id)
{
	struct osl_sv_exec *x = &l->r->exec[id];
	struct osl_spawn sp = { .path = x->path, .cwd = x->cwd, .errfd = x->errfd };
	const struct osl_error *err;
	struct osl_error keep;
	cJSON *o;

	if (x->errfd < 0)
		return;
	if ((o = start_fields(l, id)))
		cJSON_AddNumberToObject(o, "pid", x->pid);
	epoll_ctl(l->ep, EPOLL_CTL_DEL, x->errfd, NULL);
	x->errfd = -1;
	if ((err = osl_proc_spawn_result(&sp))) {
		osl_error_keep(&keep, err);
		x->exec_status = keep.status == OSL_EDENIED ? OSL_ENOEXEC : keep.status;
		snprintf(x->why, sizeof(x->why), "%s", keep.msg);
		say_refused(l, id, keep.msg);
	} else {
		x->why[0] = '\0';
	}
	osl_op_end(l->r->ctx, x->op, err ? &keep : NULL);
	op_free(x);
}

static void
log_action(struct loop *l, const struct osl_sv_action *a)
{
	const char *name = l->r->tree->nodes[a->id].spec.name;
	char msg[256];
	cJSON *rec;

	switch (a->kind) {
	case OSL_SV_ACT_RESTART:
		rec = rec_new("supervise.restart", "start", true, name);
		cJSON_AddStringToObject(sv_obj(rec), "strategy", a->reason);
		cJSON_AddNumberToObject(sv_obj(rec), "count_in_window", a->count);
		snprintf(msg, sizeof(msg), "supervise.restart %s (%s, %u in the window)", name,
		    a->reason, a->count);
		rec_emit(l, rec, OSL_LEVEL_INFO, msg);
		if (!l->r->tree->nodes[a->id].spec.supervisor && l->r->exec[a->id].ended)
			snprintf(msg, sizeof(msg), "supervise.restart %s (status %d; %s, %u in the "
			    "window)", name, l->r->exec[a->id].status, a->reason, a->count);
		tell(l, msg);
		break;
	case OSL_SV_ACT_BACKOFF:
		rec = rec_new("supervise.backoff", "info", true, name);
		cJSON_AddNumberToObject(sv_obj(rec), "delay_ms", (double)(a->delay / 1000000));
		snprintf(msg, sizeof(msg), "supervise.backoff %s %llu ms", name,
		    (unsigned long long)(a->delay / 1000000));
		rec_emit(l, rec, OSL_LEVEL_INFO, msg);
		tell(l, msg);
		break;
	case OSL_SV_ACT_GIVEUP:
		rec = rec_new("supervise.giveup", "end", false, name);
		if (a->reason) {
			const char *child = l->r->tree->nodes[a->child].spec.name;

			cJSON_AddStringToObject(sv_obj(rec), "reason", "start_failed");
			cJSON_AddStringToObject(sv_obj(rec), "child", child);
			snprintf(msg, sizeof(msg), "supervise.giveup %s: '%s' failed to start; the "
			    "children after it are not started", name, child);
		} else {
			cJSON_AddNumberToObject(sv_obj(rec), "count_in_window", a->count);
			snprintf(msg, sizeof(msg), "supervise.giveup %s: %u restarts within the "
			    "period", name, a->count);
		}
		rec_emit(l, rec, OSL_LEVEL_ERROR, msg);
		tell(l, msg);
		break;
	case OSL_SV_ACT_SHUTDOWN:
		rec = rec_new("supervise.shutdown", "end", true, name);
		cJSON_AddStringToObject(sv_obj(rec), "reason", a->reason ? a->reason : "parent");
		snprintf(msg, sizeof(msg), "supervise.shutdown %s (%s)", name,
		    a->reason ? a->reason : "parent");
		rec_emit(l, rec, OSL_LEVEL_INFO, msg);
		break;
	default:
		break;
	}
}

/* Carry out the tree's actions, and feed spawn failures back in. */
static void
apply(struct loop *l)
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
				signal_child(x, a->sig);
				x->stopped = true;
				break;
			case OSL_SV_ACT_KILL:
				signal_group(x->pid, SIGKILL);
				cg_kill(x);
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
		if (l->held.rec) {
			rec_emit(l, l->held.rec, l->held.level, l->held.msg);
			l->held.rec = NULL;
		}
		for (size_t i = 0; i < l->nacts; i++)
			log_action(l, &l->acts[i]);
		if (!l->nfail)
			return;
		/* a spawn that failed is a child that ended at once */
		size_t id = l->failq[--l->nfail];
		int st = l->failst[l->nfail];

		l->r->exec[id].status = st;
		l->r->exec[id].ended = true;
		osl_sv_exited(t, id, true, st, osl_now_mono_ns());
	}
}

static void
ready_close(struct loop *l, struct osl_sv_exec *x)
{
	if (x->ready_rfd > 0) {
		epoll_ctl(l->ep, EPOLL_CTL_DEL, x->ready_rfd, NULL);
		close(x->ready_rfd);
	}
	x->ready_rfd = -1;
}

/* s6's protocol: the child is ready when it writes a newline on its fd. */
static void
ready_read(struct loop *l, size_t id)
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
	ready_close(l, x);
	if (n > 0) {
		osl_sv_ready(l->r->tree, id, osl_now_mono_ns());
		apply(l);
	}
}

/* ------------------------------------------------------------- reaping --- */

static void
child_ended(struct loop *l, size_t id, bool exited, int code, uint64_t now)
{
	struct osl_sv_exec *x = &l->r->exec[id];
	const char *name = l->r->tree->nodes[id].spec.name;
	cJSON *rec;
	bool group;

	unwatch(l, &x->pidfd);
	/* an exec that failed: the status is the reason (126, 127), not the
	 * child's _exit */
	exec_result(l, id);
	if (x->exec_status) {
		exited = true;
		code = x->exec_status;
	}
	x->status = exited ? code : 128 + code;
	x->ended = true;
	ready_close(l, x);
	rec = rec_new("supervise.exit", "end", exited && code == 0, name);
	cJSON_AddNumberToObject(osl_log_obj(osl_log_obj(rec, "process"), "child"), "pid", x->pid);
	if (exited) {
		cJSON_AddNumberToObject(osl_log_obj(rec, "process"), "exit_code", code);
	} else {
		const char *s = sigabbrev_np(code);
		char sn[24];

		snprintf(sn, sizeof(sn), "SIG%s", s ? s : "?");
		cJSON_AddStringToObject(sv_obj(rec), "signal", sn);
	}
	cJSON_AddNumberToObject(sv_obj(rec), "runtime_ms", (double)((now - x->t_start) / 1000000));
	snprintf(l->held.msg, sizeof(l->held.msg), "supervise.exit %s pid %d status %d", name,
	    (int)x->pid, x->status);
	l->held.rec = rec;
	l->held.level = exited && code == 0 ? OSL_LEVEL_INFO : OSL_LEVEL_WARN;
	/* what is left of its group, and of its cgroup, gets TERM now (unless
	 * the group had its stop signal: once is enough) and KILL after the
	 * grace (or before the child starts again) */
	group = kill(-x->pid, x->stopped ? 0 : SIGTERM) == 0;
	x->leftovers = x->cgfd >= 0 && osl_sv_cgroup_signal(x->cgfd, x->stopped ? 0 : SIGTERM,
	    in_group, &x->pid);
	if (group || x->leftovers) {
		if (l->nlg == l->lgcap) {
			size_t cap = l->lgcap ? l->lgcap * 2 : 8;
			struct leftover *v = realloc(l->lg, cap * sizeof(*v));

			if (v) {
				l->lg = v;
				l->lgcap = cap;
			}
		}
		if (l->nlg < l->lgcap)
			l->lg[l->nlg++] = (struct leftover){ x->pid, now + l->r->grace_ns, id, x->gen };
	}
	x->pid = 0;
	osl_sv_ext_ended(&l->ext, id);
	/* -e CODE: that exit is a clean one, for the tree and osl's status */
	if (exited && code > 0 && code < 256 &&
	    (l->r->success[code / 64] >> (code % 64) & 1))
		code = 0;
	osl_sv_exited(l->r->tree, id, exited, code, now);
	apply(l);
	if (!x->pid && !x->leftovers && l->r->tree->nodes[id].state == OSL_SV_DOWN)
		child_cgroup_remove(l, id);
}

/* Reap supervised child ID if it has ended: by its pidfd (or its pid on a
 * kernel without pidfds).  False when it has not. */
static bool
child_reap(struct loop *l, size_t id)
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
child_of(const struct loop *l, pid_t pid)
{
	for (size_t id = 1; id < l->r->tree->n; id++)
		if (l->r->exec[id].pid == pid)
			return id;
	return OSL_SV_NONE;
}

/* Reap adopted orphans (SIGCHLD).  waitid(P_ALL) only looks (WNOWAIT), and
 * only the pid it names is reaped: an orphan here, a supervised child
 * through its own pidfd (child_reap), so no status of a supervised child is
 * ever taken by this loop.  False when no child at all is left. */
static bool
reap(struct loop *l)
{
	for (;;) {
		siginfo_t si = { 0 };
		size_t id;

		if (waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT) == -1)
			return errno != ECHILD;
		if (si.si_pid == 0)
			return true;
		if ((id = child_of(l, si.si_pid)) != OSL_SV_NONE) {
			if (!child_reap(l, id))
				return true;
		} else {
			pid_t pid = si.si_pid;
			int st;

			if (waitpid(pid, &st, WNOHANG) != pid)
				return true;	/* never spin here: the next SIGCHLD tries again */
			if (osl_sv_ext_reaped(&l->ext, pid, st)) {
				apply(l);
			} else {
				l->r->reaped_orphans++;
				if (l->r->warn_reap) {
					char line[96];

					snprintf(line, sizeof(line), "reaped orphan %d (status %d)",
					    (int)pid, WIFEXITED(st) ? WEXITSTATUS(st) :
					    128 + WTERMSIG(st));
					tell(l, line);
				}
			}
		}
	}
}

/* --------------------------------------------------------------- timer --- */

static void
arm(struct loop *l)
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

static void
on_timer(struct loop *l)
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
			cg_kill(x);
			x->leftovers = false;
		}
	}
	l->nlg = j;
	if (l->draining) {
		if (l->drain_at && l->drain_at <= now) {
			signal_all(l, SIGKILL);
			l->drain_at = 0;
		}
		return;
	}
	osl_sv_timer(l->r->tree, now);
	apply(l);
}

static void
on_signal(struct loop *l, int sig)
{
	struct osl_sv_tree *t = l->r->tree;

	switch (sig) {
	case SIGCHLD:
		return;		/* reaped after every wake-up */
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
		apply(l);
		return;
	case SIGHUP:
		osl_log_hup();
		if (!l->r->single) {
			if (l->r->reload)
				free(osl_sv_reload_request(l->r->reload, l->r, osl_now_mono_ns()));
			apply(l);
			return;
		}
		break;
	default:
		break;
	}
	if (l->draining) {
		signal_all(l, sig);
		return;
	}
	for (size_t i = 1; i < t->n; i++)
		if (l->r->exec[i].pid > 0)
			signal_group(l->r->exec[i].pid, sig);
}

/* ------------------------------------------------------------- control --- */

const struct osl_error *
osl_sv_ctl_dir(const char *path, bool make)
{
	char dir[sizeof(((struct sockaddr_un *)0)->sun_path)], *slash;
	struct stat st;

	if (strlen(path) >= sizeof(dir))
		return osl_error_new(OSL_EINPUT, "'%s': socket path too long", path);
	memcpy(dir, path, strlen(path) + 1);
	/* the folder is ours alone (0700): the socket's mode is not the only lock */
	if (!(slash = strrchr(dir, '/')) || slash == dir)
		return NULL;
	*slash = '\0';
	if (make && mkdir(dir, 0700) == -1 && errno != EEXIST)
		return osl_error_sys(OSL_ESETUP, errno, "'%s'", dir);
	if (lstat(dir, &st) == -1) {
		if (!make && errno == ENOENT)
			return NULL;	/* made by the run */
		return osl_error_sys(OSL_ESETUP, errno, "'%s'", dir);
	}
	if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 077))
		return osl_error_new(OSL_ESETUP, "'%s': the socket's folder must be ours "
		    "and mode 0700", dir);
	return NULL;
}

static const struct osl_error *
ctl_listen(struct loop *l, const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	const struct osl_error *err;
	struct epoll_event ev;
	int fd;

	if ((err = osl_sv_ctl_dir(path, true)))
		return err;
	memcpy(sa.sun_path, path, strlen(path) + 1);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0)) == -1)
		return osl_error_sys(OSL_ESETUP, errno, "socket");
	/* a socket left by a supervisor that died is replaced; a live one is not */
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
		close(fd);
		return osl_error_new(OSL_ESETUP, "'%s': another supervisor listens there", path);
	}
	unlink(path);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == -1 || chmod(path, 0600) == -1 ||
	    listen(fd, 16) == -1) {
		int e = errno;

		close(fd);
		return osl_error_sys(OSL_ESETUP, e, "'%s'", path);
	}
	l->lfd = fd;
	ev = (struct epoll_event){ .events = EPOLLIN, .data.u64 = 1ULL << 32 };
	epoll_ctl(l->ep, EPOLL_CTL_ADD, fd, &ev);
	return NULL;
}

static void
conn_close(struct loop *l, struct conn *c)
{
	epoll_ctl(l->ep, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	c->fd = -1;
	c->n = 0;
	free(c->out);
	c->out = NULL;
}

static void
conn_watch(struct loop *l, struct conn *c, uint32_t events)
{
	struct epoll_event ev = { .events = events,
		.data.u64 = (2ULL << 32) | (uint64_t)(c - l->conns) };

	epoll_ctl(l->ep, EPOLL_CTL_MOD, c->fd, &ev);
}

/* Send what is left of C's answer without waiting: a slow client gets the
 * rest when its socket has room (EPOLLOUT), and holds up no one.  False when
 * the connection was closed. */
static bool
conn_flush(struct loop *l, struct conn *c)
{
	while (c->outoff < c->outlen) {
		ssize_t k = send(c->fd, c->out + c->outoff, c->outlen - c->outoff,
		    MSG_NOSIGNAL | MSG_DONTWAIT);

		if (k == -1 && errno == EINTR)
			continue;
		if (k == -1 && errno == EAGAIN) {
			conn_watch(l, c, EPOLLOUT);
			return true;
		}
		if (k <= 0) {
			conn_close(l, c);
			return false;
		}
		c->outoff += (size_t)k;
	}
	free(c->out);
	c->out = NULL;
	conn_watch(l, c, EPOLLIN);
	return true;
}

/* Answer ANS (malloc'd, or NULL when out of memory) on C: whole, however
 * long, in as many turns of the loop as the client needs. */
static bool
conn_answer(struct loop *l, struct conn *c, char *ans)
{
	if (!ans && !(ans = strdup("{\"ok\":false,\"error\":\"out of memory\"}\n"))) {
		conn_close(l, c);
		return false;
	}
	c->out = ans;
	c->outlen = strlen(ans);
	c->outoff = 0;
	return conn_flush(l, c);
}

static void
say(int fd, const char *s)
{
	if (s)
		(void)!send(fd, s, strlen(s), MSG_NOSIGNAL);
}

static void
ctl_accept(struct loop *l)
{
	char why[160];
	int pid;
	struct epoll_event ev;
	size_t i;
	int fd;

	while ((fd = accept4(l->lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK)) != -1) {
		/* our own uid or root, not the tree's processes (peer.c) */
		if (!osl_sv_peer_allowed(l->r, fd, &pid, why, sizeof(why))) {
			osl_sv_peer_refused(l->r, fd, pid, why);
			close(fd);
			continue;
		}
		for (i = 0; i < CONN_MAX && l->conns[i].fd != -1; i++)
			;
		if (i == CONN_MAX) {
			say(fd, "{\"ok\":false,\"error\":\"too many connections\"}\n");
			close(fd);
			continue;
		}
		l->conns[i].fd = fd;
		l->conns[i].n = 0;
		ev = (struct epoll_event){ .events = EPOLLIN, .data.u64 = (2ULL << 32) | i };
		epoll_ctl(l->ep, EPOLL_CTL_ADD, fd, &ev);
	}
}

/* What each child's cgroup holds, for status and metrics. */
static void
sample(struct loop *l)
{
	for (size_t i = 1; i < l->r->tree->n; i++) {
		struct osl_sv_exec *x = &l->r->exec[i];

		x->memory = osl_sv_cgroup_read(x->cgfd, "memory.current");
		x->pids = osl_sv_cgroup_read(x->cgfd, "pids.current");
	}
}

/* Answer the whole requests in C's buffer, one at a time: the next waits
 * until the answer before it is all sent. */
static void
ctl_lines(struct loop *l, struct conn *c)
{
	struct timespec rt;
	char *nl;

	while (c->fd != -1 && !c->out && (nl = memchr(c->buf, '\n', c->n))) {
		size_t len = (size_t)(nl - c->buf);
		struct osl_sv_ctl_out out;
		char *ans;

		clock_gettime(CLOCK_REALTIME, &rt);
		sample(l);
		ans = osl_sv_ctl_answer(l->r, c->buf, len, osl_now_mono_ns(),
		    (uint64_t)rt.tv_sec * 1000000000ULL + (uint64_t)rt.tv_nsec, &out);
		if (out.reload) {
			free(ans);
			ans = osl_sv_reload_request(l->r->reload, l->r, osl_now_mono_ns());
		}
		memmove(c->buf, nl + 1, c->n - len - 1);
		c->n -= len + 1;
		conn_answer(l, c, ans);
		if (out.sig_id != OSL_SV_NONE)
			signal_group(l->r->exec[out.sig_id].pid, out.sig);
		apply(l);
	}
	if (c->fd != -1 && !c->out && c->n == sizeof(c->buf)) {
		say(c->fd, "{\"ok\":false,\"error\":\"request too long\"}\n");
		conn_close(l, c);
	}
}

static void
ctl_read(struct loop *l, struct conn *c)
{
	ssize_t n;

	if (c->out) {		/* EPOLLOUT: room for more of the answer */
		if (conn_flush(l, c) && !c->out)
			ctl_lines(l, c);
		return;
	}
	n = recv(c->fd, c->buf + c->n, sizeof(c->buf) - c->n, MSG_DONTWAIT);
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		conn_close(l, c);
		return;
	}
	c->n += (size_t)n;
	ctl_lines(l, c);
}

/* ---------------------------------------------------------------- loop --- */

/* A reload can finish (what it stopped is down): room for the grown tree
 * first, then its new nodes start. */
static void
reload_finish(struct loop *l)
{
	size_t n = l->r->reload ? osl_sv_reload_due(l->r->reload, l->r) : 0;
	struct osl_sv_action *a;
	size_t *q;
	int *st;

	if (!n)
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
	apply(l);
}

/* Room kept under RLIMIT_NOFILE for what is not a pidfd: the control
 * connections, exec, readiness and output pipes, the log. */
#define FD_RESERVE (CONN_MAX + 16)

static int
fd_budget(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1 || rl.rlim_cur == RLIM_INFINITY ||
	    rl.rlim_cur > INT_MAX)
		return INT_MAX;
	return rl.rlim_cur > FD_RESERVE ? (int)(rl.rlim_cur - FD_RESERVE) : 0;
}

void
osl_sv_exec_fresh(struct osl_sv_exec *x)
{
	x->pidfd = x->errfd = x->cgfd = -1;
	x->memory = x->pids = -1;
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

const struct osl_error *
osl_sv_run(struct osl_sv_runner *r, int *status)
{
	const struct osl_error *err = NULL;
	struct loop l = { .r = r, .ep = -1, .sfd = -1, .tfd = -1, .lfd = -1 };
	struct epoll_event ev;
	sigset_t all;
	bool masked = false;

	*status = 1;
	for (size_t i = 0; i < r->tree->n; i++)
		osl_sv_exec_fresh(&r->exec[i]);
	r->pid1 = getpid() == 1;
	if (!r->pid1 && prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == -1)
		return osl_error_sys(OSL_ESETUP, errno, "cannot become a subreaper");
	osl_sv_cgroup_open(&r->cg);
	l.acts = calloc(r->tree->actcap, sizeof(*l.acts));
	l.failq = calloc(r->tree->n + 1, sizeof(*l.failq));
	l.failst = calloc(r->tree->n + 1, sizeof(*l.failst));
	l.conns = calloc(CONN_MAX, sizeof(*l.conns));
	l.fd_budget = fd_budget();
	if (!l.acts || !l.failq || !l.failst || !l.conns) {
		err = osl_error_nomem();
		goto done;
	}
	fault_signals(&all);
	if (sigprocmask(SIG_BLOCK, &all, &l.oldmask) == -1) {
		err = osl_error_sys(OSL_ESETUP, errno, "sigprocmask");
		goto done;
	}
	masked = true;
	if ((l.sfd = signalfd(-1, &all, SFD_CLOEXEC | SFD_NONBLOCK)) == -1 ||
	    (l.tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK)) == -1 ||
	    (l.ep = epoll_create1(EPOLL_CLOEXEC)) == -1) {
		err = osl_error_sys(OSL_ESETUP, errno, "cannot set up the event loop");
		goto done;
	}
	for (size_t i = 0; i < CONN_MAX; i++)
		l.conns[i].fd = -1;
	ev = (struct epoll_event){ .events = EPOLLIN, .data.u64 = 0 };
	epoll_ctl(l.ep, EPOLL_CTL_ADD, l.sfd, &ev);
	ev = (struct epoll_event){ .events = EPOLLIN, .data.u64 = 3ULL << 32 };
	epoll_ctl(l.ep, EPOLL_CTL_ADD, l.tfd, &ev);
	if (r->socket_path && (err = ctl_listen(&l, r->socket_path)))
		goto done;
	osl_sv_ext_init(&l.ext, r, l.ep, &l.oldmask);
	if ((err = osl_sv_listen_bind(r->ctx, &r->socks, r->child, r->tree->n)))
		goto done;

	osl_sv_begin(r->tree, osl_now_mono_ns());
	apply(&l);
	for (;;) {
		struct epoll_event evs[4];
		int n;

		if (!reap(&l) && l.draining)
			break;
		if (l.done && !l.draining) {
			/* the tree is down: whatever is left gets TERM, then KILL */
			l.draining = true;
			l.nlg = 0;
			if (!reap(&l))
				break;
			signal_all(&l, SIGTERM);
			l.drain_at = osl_now_mono_ns() + r->grace_ns;
			if (!reap(&l))
				break;
		}
		reload_finish(&l);
		arm(&l);
		n = epoll_wait(l.ep, evs, 4, -1);
		if (n == -1 && errno != EINTR) {
			err = osl_error_sys(OSL_EFAIL, errno, "epoll_wait");
			goto done;
		}
		for (int i = 0; i < n; i++) {
			uint64_t d = evs[i].data.u64, tag = (d >> 32) & 0xff;
			size_t id = (size_t)(d & 0xffffffffULL);

			if (tag == EV_EXEC || tag == EV_EXIT) {
				/* a child replaced earlier in this batch: not this one */
				if ((unsigned)(d >> 40) != (l.r->exec[id].gen & 0xffffffU))
					continue;
				if (tag == EV_EXEC)
					exec_result(&l, id);
				else
					child_reap(&l, id);
				continue;
			}
			if (tag == 3) {
				on_timer(&l);
				continue;
			}
			if (tag == 1) {
				ctl_accept(&l);
				continue;
			}
			if (tag == 4) {
				ready_read(&l, id);
				continue;
			}
			if (tag >= OSL_SV_EXT_TAG) {
				osl_sv_ext_event(&l.ext, evs[i].data.u64);
				apply(&l);
				continue;
			}
			if (tag == 2) {
				struct conn *c = &l.conns[id];

				if (c->fd != -1)
					ctl_read(&l, c);
				continue;
			}
			for (;;) {
				struct signalfd_siginfo si;

				if (read(l.sfd, &si, sizeof(si)) != (ssize_t)sizeof(si))
					break;
				on_signal(&l, (int)si.ssi_signo);
			}
		}
	}
	if (r->single && r->tree->n > 1 && r->exec[1].ended) {
		int st = r->exec[1].status;

		if (st > 0 && st < 256 && (r->success[st / 64] >> (st % 64) & 1))
			st = 0;
		*status = l.failed && st == 0 ? 1 : st;
	}
	else
		*status = l.start_failed ? OSL_SV_START_FAILED : l.failed ? 1 : 0;
done:
	osl_sv_ext_release(&l.ext);
	for (size_t i = 0; i < r->tree->n; i++) {
		struct osl_sv_exec *x = &r->exec[i];

		if (x->errfd >= 0) {
			close(x->errfd);
			op_free(x);
		}
		if (x->pidfd >= 0)
			close(x->pidfd);
		/* nothing is left in it: osl exits only when no child is */
		if (x->cgfd >= 0)
			child_cgroup_remove(&l, i);
	}
	osl_sv_cgroup_close(&r->cg);
	osl_sv_socks_close(&r->socks);
	if (l.ep != -1)
		close(l.ep);
	if (l.sfd != -1)
		close(l.sfd);
	if (l.tfd != -1)
		close(l.tfd);
	if (l.lfd != -1) {
		close(l.lfd);
		unlink(r->socket_path);
	}
	for (size_t i = 0; l.conns && i < CONN_MAX; i++) {
		if (l.conns[i].fd != -1)
			close(l.conns[i].fd);
		free(l.conns[i].out);
	}
	free(l.conns);
	if (masked)
		sigprocmask(SIG_SETMASK, &l.oldmask, NULL);
	free(l.acts);
	free(l.failq);
	free(l.failst);
	free(l.lg);
	return err;
}
