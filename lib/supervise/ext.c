/* Readiness, health checks and output of a tree's children (see ext.h). */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "op.h"
#include "sandbox/unixconn.h"
#include "supervise/child.h"
#include "supervise/ext-int.h"

#define PROBE_DELAY_MIN 10000000ULL	/* a failed probe is retried after 10 ms, */
#define PROBE_DELAY_MAX 1000000000ULL	/* doubling up to 1 s */
#define NOTIFY_MAX 4096

struct osl_sv_xrun {
	int nfd;			/* notify socket, or -1 */
	char **env;			/* the child's environment plus NOTIFY_SOCKET */
	int tfd;			/* deadlines below, or -1 */
	int sfd;			/* a tcp probe connecting, or -1 */
	struct sockaddr_storage sa;	/* its address */
	socklen_t salen;
	pid_t probe;			/* an exec probe running, or 0 */
	struct osl_unixconn *probe_uc;	/* what osl refused it (unixconn.h), or NULL */
	bool probe_health, probe_stale;
	uint64_t ready_by, retry_at, health_at, probe_kill;	/* 0: none */
	uint64_t delay;			/* the probes' backoff */
	int pend[2], wend[2];		/* output: our ends and the child's, during a start */
};

static const char *
name_of(const struct osl_sv_ext *e, size_t id)
{
	return e->r->tree->nodes[id].spec.name;
}

static enum osl_sv_state
state_of(const struct osl_sv_ext *e, size_t id)
{
	return e->r->tree->nodes[id].state;
}

/* ------------------------------------------------------------- records --- */

cJSON *
osl_sv_rec(enum osl_action action, bool ok, const char *name)
{
	cJSON *r = osl_action_record(action, ok ? "success" : "failure");

	if (!r)
		return NULL;
	osl_log_add_text(osl_log_obj(osl_log_obj(r, "osl"), "supervise"), "name", name);
	return r;
}

void
osl_sv_rec_emit(struct osl_ctx *ctx, cJSON *r, enum osl_level level, const char *msg)
{
	struct osl_log *log;

	if (!r)
		return;
	if (osl_ctx_log(ctx, &log) || !log) {
		cJSON_Delete(r);
		return;
	}
	osl_log_add_text(r, "message", msg);
	osl_log_emit(log, level, r);
}

static cJSON *
rec(enum osl_action action, bool ok, const char *name)
{
	return osl_sv_rec(action, ok, name);
}

static void
put(const struct osl_sv_ext *e, cJSON *r, enum osl_level level, const char *msg)
{
	osl_sv_rec_emit(e->r->ctx, r, level, msg);
}

/* ----------------------------------------------------------- the timer --- */

static void
arm(struct osl_sv_ext *e, size_t id)
{
	struct osl_sv_xrun *x = &e->x[id];
	uint64_t t[] = { x->ready_by, x->retry_at, x->health_at, x->probe_kill }, next = 0;
	struct itimerspec its = { 0 };

	if (x->tfd == -1)
		return;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (t[i] && (!next || t[i] < next))
			next = t[i];
	its.it_value.tv_sec = (time_t)(next / 1000000000ULL);
	its.it_value.tv_nsec = (long)(next % 1000000000ULL);
	timerfd_settime(x->tfd, TFD_TIMER_ABSTIME, &its, NULL);
}

static void
retry_later(struct osl_sv_ext *e, size_t id)
{
	struct osl_sv_xrun *x = &e->x[id];

	x->delay = x->delay ? x->delay * 2 : PROBE_DELAY_MIN;
	if (x->delay > PROBE_DELAY_MAX)
		x->delay = PROBE_DELAY_MAX;
	x->retry_at = osl_now_mono_ns() + x->delay;
	arm(e, id);
}

/* ----------------------------------------------------------- readiness --- */

static void
ready(struct osl_sv_ext *e, size_t id, const char *how)
{
	const char *name = name_of(e, id);
	uint64_t now = osl_now_mono_ns(), ms = (now - e->r->exec[id].t_start) / 1000000;
	char msg[160];
	cJSON *r;

	if (state_of(e, id) != OSL_SV_STARTING)
		return;
	e->x[id].ready_by = e->x[id].retry_at = 0;
	arm(e, id);
	r = rec(OSL_ACT_SV_READY, true, name);
	cJSON_AddStringToObject(svo(r), "ready", how);
	osl_log_add_count(svo(r), "ready_ms", ms);
	snprintf(msg, sizeof(msg), "supervise.ready %s by %s after %llu ms", name, how,
	    (unsigned long long)ms);
	put(e, r, OSL_LEVEL_INFO, msg);
	osl_sv_ready(e->r->tree, id, now);
}

/* The sender of a notification is the child or runs in its session (the
 * child leads one) or descends from it. */
static bool
from_child(pid_t sender, pid_t child)
{
	if (child <= 0 || sender <= 0)
		return false;
	return getsid(sender) == child || osl_proc_descends(sender, child) == 1;
}

static void
notify_line(struct osl_sv_ext *e, size_t id, const char *s, size_t n)
{
	struct osl_sv_child *ch = &e->r->child[id];

	if (n == 7 && !memcmp(s, "READY=1", 7)) {
		ready(e, id, "notify");
	} else if (n >= 7 && !memcmp(s, "STATUS=", 7)) {
		size_t k = n - 7 < sizeof(ch->status) - 1 ? n - 7 : sizeof(ch->status) - 1;

		memcpy(ch->status, s + 7, k);
		ch->status[k] = '\0';
	}
}

static void
notify_read(struct osl_sv_ext *e, size_t id)
{
	struct osl_sv_xrun *x = &e->x[id];

	for (int i = 0; i < 64; i++) {
		char buf[NOTIFY_MAX + 1];
		union { char c[CMSG_SPACE(sizeof(struct ucred)) + CMSG_SPACE(16 * sizeof(int))];
			struct cmsghdr align; } cb;
		struct iovec iov = { buf, NOTIFY_MAX };
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cb.c,
			.msg_controllen = sizeof(cb.c) };
		const struct ucred *cr = NULL;
		struct cmsghdr *c, *fds = NULL;
		ssize_t n;
		bool ours;

		if ((n = recvmsg(x->nfd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC)) < 0)
			return;
		for (c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
			if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS)
				cr = (const struct ucred *)(void *)CMSG_DATA(c);
			if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
				fds = c;
		}
		ours = cr && from_child(cr->pid, e->r->exec[id].pid);
		/* descriptors (FDSTORE) are not kept; closed only now, after the
		 * sender was looked at: sd_notify's BARRIER=1 (systemd-notify
		 * --ready since 254) waits for that close, so its sender is still
		 * there to be told from a stranger */
		for (size_t k = 0; fds && k < (fds->cmsg_len - CMSG_LEN(0)) / sizeof(int); k++)
			close(((int *)(void *)CMSG_DATA(fds))[k]);
		if (!ours) {
			char msg[160];
			cJSON *r = rec(OSL_ACT_SV_NOTIFY, false, name_of(e, id));

			cJSON_AddNumberToObject(svo(r), "peer_pid", cr ? cr->pid : 0);
			snprintf(msg, sizeof(msg), "supervise.notify %s: from pid %d, not the child's: "
			    "ignored", name_of(e, id), cr ? (int)cr->pid : 0);
			put(e, r, OSL_LEVEL_WARN, msg);
			continue;
		}
		buf[n] = '\0';
		for (char *p = buf, *end = buf + n; p < end; ) {
			char *nl = memchr(p, '\n', (size_t)(end - p));
			size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);

			notify_line(e, id, p, len);
			p += len + 1;
		}
	}
}

/* The child's socket, made at its first start: a datagram socket in a
 * folder of ours that only the child's user may write to, and whose
 * messages count only when the kernel says they come from the child. */
static const struct osl_error *
notify_open(struct osl_sv_ext *e, size_t id)
{
	struct osl_sv_xrun *x = &e->x[id];
	const struct osl_sv_child *ch = &e->r->child[id];
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = osl_sv_ev(OSL_SV_SRC_NOTIFY, id) };
	const char *tmp = getenv("TMPDIR");
	char var[sizeof(sa.sun_path) + 16];
	const char *set = var;
	int one = 1;

	if (!e->ndir) {
		char d[sizeof(sa.sun_path)];

		/* root's children may run as other users: a folder all can reach */
		snprintf(d, sizeof(d), "%s/osl-notify-XXXXXX", geteuid() == 0 ?
		    (access("/run", W_OK) == 0 ? "/run" : "/tmp") : tmp && *tmp == '/' ? tmp : "/tmp");
		if (!mkdtemp(d) || chmod(d, 0711) == -1 || !(e->ndir = strdup(d)))
			return osl_error_sys(OSL_ESETUP, errno, "'%s': cannot make the notify folder", d);
	}
	if (snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/%zu", e->ndir, id) >=
	    (int)sizeof(sa.sun_path))
		return osl_error_new(OSL_ESETUP, "'%s': notify socket path too long", e->ndir);
	if ((x->nfd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0)) == -1)
		return osl_error_sys(OSL_ESETUP, errno, "socket");
	if (setsockopt(x->nfd, SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)) == -1 ||
	    bind(x->nfd, (struct sockaddr *)&sa, sizeof(sa)) == -1 ||
	    chmod(sa.sun_path, 0600) == -1 ||
	    (ch->ids && chown(sa.sun_path, ch->ids->uid, ch->ids->gid) == -1) ||
	    epoll_ctl(e->ep, EPOLL_CTL_ADD, x->nfd, &ev) == -1) {
		int err = errno;

		close(x->nfd);
		x->nfd = -1;
		return osl_error_sys(OSL_ESETUP, err, "'%s': cannot make the notify socket",
		    sa.sun_path);
	}
	snprintf(var, sizeof(var), "NOTIFY_SOCKET=%s", sa.sun_path);
	return osl_proc_env(&x->env, e->r->exec[id].envp, (const char *const[]){ "*" }, 1, &set, 1);
}

static void
tcp_close(struct osl_sv_ext *e, struct osl_sv_xrun *x)
{
	if (x->sfd == -1)
		return;
	epoll_ctl(e->ep, EPOLL_CTL_DEL, x->sfd, NULL);
	close(x->sfd);
	x->sfd = -1;
}

/* One connection attempt: refused or not yet there is a retry later. */
static void
tcp_try(struct osl_sv_ext *e, size_t id)
{
	struct osl_sv_xrun *x = &e->x[id];
	struct epoll_event ev = { .events = EPOLLOUT, .data.u64 = osl_sv_ev(OSL_SV_SRC_TCP, id) };

	if (!x->salen) {
		const struct osl_net_target *t = &e->r->child[id].tcp;
		struct osl_net_addrs as;

		if (t->host[0]) {
			/* a name is resolved through the pipeline (net.resolve) */
			if (osl_net_resolve(e->r->ctx, t->host, 0, t->port, true, &as) || !as.n) {
				retry_later(e, id);
				return;
			}
			memcpy(&x->sa, &as.sa[0], as.len[0]);
			x->salen = as.len[0];
		} else if (t->family == AF_INET) {
			struct sockaddr_in *in = (struct sockaddr_in *)&x->sa;

			in->sin_family = AF_INET;
			in->sin_port = htons(t->port);
			memcpy(&in->sin_addr, t->addr, 4);
			x->salen = sizeof(*in);
		} else {
			struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&x->sa;

			in6->sin6_family = AF_INET6;
			in6->sin6_port = htons(t->port);
			memcpy(&in6->sin6_addr, t->addr, 16);
			x->salen = sizeof(*in6);
		}
		osl_net_routed(&x->sa);	/* 0.0.0.0 is 127.0.0.1 (osl-net(1)) */
	}
	if ((x->sfd = socket(x->sa.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) == -1) {
		retry_later(e, id);
		return;
	}
	if (connect(x->sfd, (struct sockaddr *)&x->sa, x->salen) == 0) {
		tcp_close(e, x);
		ready(e, id, "tcp");
		return;
	}
	if (errno != EINPROGRESS || epoll_ctl(e->ep, EPOLL_CTL_ADD, x->sfd, &ev) == -1) {
		tcp_close(e, x);
		retry_later(e, id);
	}
}

static void
tcp_done(struct osl_sv_ext *e, size_t id)
{
	struct osl_sv_xrun *x = &e->x[id];
	socklen_t len = sizeof(int);
	int err = 0;

	if (x->sfd == -1)
		return;
	if (getsockopt(x->sfd, SOL_SOCKET, SO_ERROR, &err, &len) == -1)
		err = errno;
	tcp_close(e, x);
	if (err)
		retry_later(e, id);
	else
		ready(e, id, "tcp");
}

/* ---------------------------------------------------------- exec probes --- */

/* Run PR as the child runs (environment, folder, user, sandbox), its output
 * to /dev/null; its end comes back through osl_sv_ext_reaped. */
static void health_result(struct osl_sv_ext *e, size_t id, bool ok, int st);

static bool
probe_run(struct osl_sv_ext *e, size_t id, const struct osl_sv_probe *pr, bool health)
{
	struct osl_sv_xrun *x = &e->x[id];
	const struct osl_sv_exec *xe = &e->r->exec[id];
	const struct osl_sv_child *ch = &e->r->child[id];
	struct osl_spawn sp = { 0 };
	const struct osl_error *err;

	if (x->probe)
		return false;
	sp.path = pr->path;
	sp.argv = pr->argv;
	sp.envp = x->env ? x->env : xe->envp;
	sp.cwd = xe->cwd;
	sp.setsid = true;
	sp.sb = xe->sb;
	sp.child_mask = e->mask;
	sp.ids = ch->ids;
	sp.out_fd = sp.err_fd = e->devnull;
	sp.fd_high = e->fd_high;
	if ((err = osl_sv_spawn(&sp, ch->policy, &x->probe_uc))) {
		char msg[300];
		cJSON *r = rec(health ? OSL_ACT_SV_HEALTH : OSL_ACT_SV_READY, false,
		    name_of(e, id));

		snprintf(msg, sizeof(msg), "%s %s: %s", health ? "supervise.health" : "supervise.ready",
		    name_of(e, id), err->msg);
		put(e, r, OSL_LEVEL_WARN, msg);
		/* a check that cannot run has failed */
		if (health)
			health_result(e, id, false, (err->status & 0xff) << 8);
		return false;
	}
	x->probe = sp.pid;
	x->probe_health = health;
	x->probe_stale = false;
	if (health) {
		x->probe_kill = osl_now_mono_ns() + ch->health_timeout_ns;
		arm(e, id);
	}
	return true;
}

static void
probe_kill(struct osl_sv_xrun *x)
{
	if (x->probe > 0)
		kill(-x->probe, SIGKILL);
	x->probe_kill = 0;
}

static void
health_result(struct osl_sv_ext *e, size_t id, bool ok, int st)
{
	struct osl_sv_child *ch = &e->r->child[id];
	const char *name = name_of(e, id);
	char msg[200];
	cJSON *r;

	if (ok) {
		if (ch->health_fails) {
			r = rec(OSL_ACT_SV_HEALTH, true, name);
			snprintf(msg, sizeof(msg), "supervise.health %s: passes again", name);
			put(e, r, OSL_LEVEL_INFO, msg);
		}
		ch->health_fails = 0;
		return;
	}
	ch->health_fails++;
	r = rec(OSL_ACT_SV_HEALTH, false, name);
	cJSON_AddNumberToObject(svo(r), "failures", ch->health_fails);
	cJSON_AddNumberToObject(svo(r), "retries", ch->health_retries);
	if (WIFEXITED(st))
		cJSON_AddNumberToObject(svo(r), "check_exit_code", WEXITSTATUS(st));
	snprintf(msg, sizeof(msg), "supervise.health %s: check failed (%s %d), %u of %u", name,
	    WIFEXITED(st) ? "status" : "signal", WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st),
	    ch->health_fails, ch->health_retries);
	if (ch->health_fails < ch->health_retries) {
		put(e, r, OSL_LEVEL_WARN, msg);
		return;
	}
	/* unhealthy: stopped, and the restart counts as a failure */
	cJSON_AddStringToObject(svo(r), "verdict", "unhealthy");
	put(e, r, OSL_LEVEL_ERROR, msg);
	ch->health_fails = 0;
	osl_sv_unhealthy(e->r->tree, id, osl_now_mono_ns());
}

bool
osl_sv_ext_reaped(struct osl_sv_ext *e, pid_t pid, int st)
{
	size_t id;

	for (id = 0; e->x && id < e->nx && e->x[id].probe != pid; id++)
		;
	if (!e->x || id == e->nx || pid <= 0)
		return false;
	struct osl_sv_xrun *x = &e->x[id];
	bool ok = WIFEXITED(st) && WEXITSTATUS(st) == 0, stale = x->probe_stale;

	kill(-pid, SIGKILL);	/* what the probe left behind */
	osl_sv_denied_records(e->r->ctx, &x->probe_uc, pid, name_of(e, id));
	x->probe = 0;
	x->probe_kill = 0;
	if (stale)
		return true;
	if (x->probe_health) {
		health_result(e, id, ok, st);
		if (x->health_at == 0 && state_of(e, id) == OSL_SV_UP)
			x->health_at = osl_now_mono_ns() + e->r->child[id].health_interval_ns;
	} else if (state_of(e, id) == OSL_SV_STARTING) {
		if (ok)
			ready(e, id, "exec");
		else
			retry_later(e, id);
	}
	arm(e, id);
	return true;
}

/* -------------------------------------------------------------- hooks --- */

static void
xrun_init(struct osl_sv_xrun *x, size_t n)
{
	memset(x, 0, n * sizeof(*x));
	for (size_t i = 0; i < n; i++) {
		x[i].nfd = x[i].tfd = x[i].sfd = -1;
		x[i].pend[0] = x[i].pend[1] = x[i].wend[0] = x[i].wend[1] = -1;
	}
}

void
osl_sv_ext_init(struct osl_sv_ext *e, struct osl_sv_runner *r, int ep, const sigset_t *mask)
{
	memset(e, 0, sizeof(*e));
	e->r = r;
	e->ep = ep;
	e->mask = mask;
	e->devnull = -1;
	if (!r->child || !(e->x = malloc(r->tree->n * sizeof(*e->x))))
		return;
	xrun_init(e->x, r->tree->n);
	e->nx = r->tree->n;
	e->devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
}

bool
osl_sv_ext_grow(struct osl_sv_ext *e, size_t n)
{
	struct osl_sv_xrun *v;

	if (!e->x || n <= e->nx)
		return true;
	if (!(v = realloc(e->x, n * sizeof(*v))))
		return false;
	xrun_init(&v[e->nx], n - e->nx);
	e->x = v;
	e->nx = n;
	return true;
}

static void
close_fd(int *fd)
{
	if (*fd != -1)
		close(*fd);
	*fd = -1;
}

void
osl_sv_ext_release(struct osl_sv_ext *e)
{
	if (!e->r)
		return;		/* never initialised */
	for (size_t i = 0; i < e->nst; i++) {
		if (!e->st[i])
			continue;
		osl_sv_out_read(e, i, OSL_SV_OUT_FINAL);
		if (e->st[i])
			osl_sv_out_close(e, i);
	}
	free(e->st);
	for (size_t i = 0; e->x && i < e->nx; i++) {
		struct osl_sv_xrun *x = &e->x[i];
		char p[4096];

		probe_kill(x);
		osl_unixconn_release(x->probe_uc);
		close_fd(&x->tfd);
		tcp_close(e, x);
		if (x->nfd != -1) {
			close_fd(&x->nfd);
			snprintf(p, sizeof(p), "%s/%zu", e->ndir, i);
			unlink(p);
		}
		osl_proc_env_free(x->env);
	}
	if (e->ndir)
		rmdir(e->ndir);
	free(e->ndir);
	free(e->x);
	close_fd(&e->devnull);
	memset(e, 0, sizeof(*e));
}

const struct osl_error *
osl_sv_ext_prestart(struct osl_sv_ext *e, size_t id, struct osl_spawn *sp)
{
	const struct osl_sv_child *ch;
	struct osl_sv_xrun *x;
	const struct osl_error *err;

	if (!e->x)
		return NULL;
	ch = &e->r->child[id];
	x = &e->x[id];
	if (ch->ready == OSL_SV_READY_NOTIFY && x->nfd == -1 && (err = notify_open(e, id)))
		return err;
	if (x->env)
		sp->envp = x->env;
	sp->ids = ch->ids;
	sp->listen_fds = ch->listen_fds;
	sp->nlisten = (unsigned)ch->nlisten;
	if (ch->output == OSL_SV_OUT_FILE) {
		/* opened by us, so the child needs no right to the file */
		if ((x->wend[0] = open(ch->output_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC |
		    O_NOCTTY, 0600)) == -1)
			return osl_error_sys(OSL_ESETUP, errno, "'%s': cannot open the output file",
			    ch->output_path);
		sp->out_fd = sp->err_fd = x->wend[0];
	} else if (ch->output == OSL_SV_OUT_LOG) {
		for (int k = 0; k < 2; k++) {
			int p[2];

			if (pipe2(p, O_CLOEXEC) == -1 || fcntl(p[0], F_SETFL, O_NONBLOCK) == -1)
				return osl_error_sys(OSL_ESETUP, errno, "pipe");
			x->pend[k] = p[0];
			x->wend[k] = p[1];
		}
		sp->out_fd = x->wend[0];
		sp->err_fd = x->wend[1];
	}
	return NULL;
}

void
osl_sv_ext_started(struct osl_sv_ext *e, size_t id, pid_t pid)
{
	const struct osl_sv_child *ch;
	struct osl_sv_xrun *x;
	uint64_t now = osl_now_mono_ns();

	if (!e->x)
		return;
	ch = &e->r->child[id];
	x = &e->x[id];
	close_fd(&x->wend[0]);
	close_fd(&x->wend[1]);
	for (int k = 0; k < 2; k++) {
		if (x->pend[k] != -1 && (!pid || osl_sv_out_add(e, id, x->pend[k], k == 1)))
			close(x->pend[k]);
		x->pend[k] = -1;
	}
	if (!pid)
		return;
	if (x->tfd == -1 && (ch->ready_timeout_ns || ch->ready >= OSL_SV_READY_TCP ||
	    ch->health.path)) {
		struct epoll_event ev = { .events = EPOLLIN, .data.u64 = osl_sv_ev(OSL_SV_SRC_PROBE, id) };

		x->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
		if (x->tfd != -1 && epoll_ctl(e->ep, EPOLL_CTL_ADD, x->tfd, &ev) == -1)
			close_fd(&x->tfd);
	}
	x->delay = 0;
	x->salen = 0;
	x->ready_by = ch->ready_timeout_ns ? now + ch->ready_timeout_ns : 0;
	x->health_at = ch->health.path ? now + ch->health_interval_ns : 0;
	e->r->child[id].health_fails = 0;
	if (ch->ready == OSL_SV_READY_TCP)
		tcp_try(e, id);
	else if (ch->ready == OSL_SV_READY_EXEC && !probe_run(e, id, &ch->ready_exec, false))
		retry_later(e, id);
	arm(e, id);
}

void
osl_sv_ext_ended(struct osl_sv_ext *e, size_t id)
{
	struct osl_sv_xrun *x;

	if (!e->x)
		return;
	x = &e->x[id];
	osl_sv_out_drain(e, id);
	tcp_close(e, x);
	probe_kill(x);
	x->probe_stale = x->probe != 0;
	x->ready_by = x->retry_at = x->health_at = 0;
	arm(e, id);
}

static void
on_timer(struct osl_sv_ext *e, size_t id)
{
	struct osl_sv_xrun *x = &e->x[id];
	const struct osl_sv_child *ch = &e->r->child[id];
	uint64_t now = osl_now_mono_ns(), ticks;

	(void)!read(x->tfd, &ticks, sizeof(ticks));
	if (x->probe_kill && x->probe_kill <= now)
		probe_kill(x);
	if (x->ready_by && x->ready_by <= now) {
		x->ready_by = x->retry_at = 0;
		if (state_of(e, id) == OSL_SV_STARTING) {
			char msg[160];
			cJSON *r = rec(OSL_ACT_SV_READY, false, name_of(e, id));

			cJSON_AddStringToObject(svo(r), "reason", "timeout");
			snprintf(msg, sizeof(msg), "supervise.ready %s: not ready within ready.timeout",
			    name_of(e, id));
			put(e, r, OSL_LEVEL_ERROR, msg);
			tcp_close(e, x);
			if (!x->probe_health)
				probe_kill(x);
			osl_sv_unhealthy(e->r->tree, id, now);
		}
	}
	if (x->retry_at && x->retry_at <= now) {
		x->retry_at = 0;
		if (state_of(e, id) == OSL_SV_STARTING && ch->ready == OSL_SV_READY_TCP)
			tcp_try(e, id);
		else if (state_of(e, id) == OSL_SV_STARTING &&
		    !probe_run(e, id, &ch->ready_exec, false))
			retry_later(e, id);
	}
	if (x->health_at && x->health_at <= now) {
		x->health_at = 0;
		/* checks begin once the child is up; one at a time */
		if (state_of(e, id) != OSL_SV_UP || !probe_run(e, id, &ch->health, true))
			x->health_at = now + ch->health_interval_ns;
	}
	arm(e, id);
}

void
osl_sv_ext_event(struct osl_sv_ext *e, uint64_t data)
{
	enum osl_sv_src src = osl_sv_ev_src(data);
	size_t v = osl_sv_ev_index(data);

	if (src == OSL_SV_SRC_STREAM) {
		if (v < e->nst && e->st[v])
			osl_sv_out_read(e, v, OSL_SV_OUT_WAKE);
		return;
	}
	if (!e->x || v >= e->nx)
		return;
	if (src == OSL_SV_SRC_NOTIFY)
		notify_read(e, v);
	else if (src == OSL_SV_SRC_TCP)
		tcp_done(e, v);
	else if (src == OSL_SV_SRC_PROBE)
		on_timer(e, v);
}
