/* The control socket's server: a non-blocking unix socket, up to
 * OSL_SV_CONN_MAX connections, one request a line, each answer sent whole
 * however long (a slow client gets the rest on EPOLLOUT and holds up no
 * one).  ctl.c reads the requests and writes the answers (loop.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "net/net.h"
#include "supervise/ctl.h"
#include "supervise/loop.h"
#include "supervise/metrics.h"
#include "supervise/peer.h"
#include "supervise/reload.h"

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

/* Is uid U osl's user or root? */
static bool
trusted_uid(uid_t u)
{
	return u == geteuid() || u == 0;
}

const struct osl_error *
osl_sv_ctl_connect(const char *path, int *fdp)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char dir[sizeof(sa.sun_path)];
	const char *base = strrchr(path, '/');
	const struct osl_error *err = NULL;
	struct ucred uc;
	socklen_t ul = sizeof(uc);
	struct stat st;
	int dfd, fd = -1;

	*fdp = -1;
	if (strlen(path) >= sizeof(dir))
		return osl_error_new(OSL_EINPUT, "'%s': socket path too long", path);
	if (!base)
		snprintf(dir, sizeof(dir), ".");
	else
		snprintf(dir, sizeof(dir), "%.*s", base == path ? 1 : (int)(base - path), path);
	base = base ? base + 1 : path;
	/* the folder as opened, then the socket through it: no swap between */
	if ((dfd = open(dir, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) == -1 ||
	    fstat(dfd, &st) == -1) {
		err = osl_error_sys(OSL_EFAIL, errno, "'%s': cannot connect: its folder '%s'",
		    path, dir);
		goto done;
	}
	if (!trusted_uid(st.st_uid)) {
		err = osl_error_new(OSL_EFAIL, "'%s': not trusted: its folder '%s' belongs to uid "
		    "%u, neither osl's user nor root", path, dir, (unsigned)st.st_uid);
		goto done;
	}
	if (st.st_mode & 022) {
		err = osl_error_new(OSL_EFAIL, "'%s': not trusted: its folder '%s' has mode %04o, "
		    "writable by others", path, dir, (unsigned)(st.st_mode & 07777));
		goto done;
	}
	if ((size_t)snprintf(sa.sun_path, sizeof(sa.sun_path), "/proc/self/fd/%d/%s", dfd,
	    base) >= sizeof(sa.sun_path)) {
		err = osl_error_new(OSL_EINPUT, "'%s': socket name too long", path);
		goto done;
	}
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1 ||
	    connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == -1 ||
	    getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &uc, &ul) == -1) {
		err = osl_error_sys(OSL_EFAIL, errno, "'%s': cannot connect", path);
		goto done;
	}
	if (!trusted_uid(uc.uid)) {
		err = osl_error_new(OSL_EFAIL, "'%s': not trusted: its server is uid %u, neither "
		    "osl's user nor root", path, (unsigned)uc.uid);
		goto done;
	}
	*fdp = fd;
	fd = -1;
done:
	if (fd != -1)
		close(fd);
	if (dfd != -1)
		close(dfd);
	return err;
}

const struct osl_error *
osl_sv_ctl_listen(struct osl_sv_loop *l, const char *path)
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
	ev = (struct epoll_event){ .events = EPOLLIN, .data.u64 = osl_sv_ev(OSL_SV_SRC_LISTEN, 0) };
	epoll_ctl(l->ep, EPOLL_CTL_ADD, fd, &ev);
	return NULL;
}

static void
conn_close(struct osl_sv_loop *l, struct osl_sv_conn *c)
{
	epoll_ctl(l->ep, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	c->fd = -1;
	c->n = 0;
	free(c->out);
	c->out = NULL;
}

static void
conn_watch(struct osl_sv_loop *l, struct osl_sv_conn *c, uint32_t events)
{
	struct epoll_event ev = { .events = events,
		.data.u64 = osl_sv_ev(OSL_SV_SRC_CONN, (size_t)(c - l->conns)) };

	epoll_ctl(l->ep, EPOLL_CTL_MOD, c->fd, &ev);
}

/* Send what is left of C's answer without waiting: a slow client gets the
 * rest when its socket has room (EPOLLOUT), and holds up no one.  False when
 * the connection was closed. */
static bool
conn_flush(struct osl_sv_loop *l, struct osl_sv_conn *c)
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
	if (c->http) {		/* one request, one answer */
		conn_close(l, c);
		return false;
	}
	conn_watch(l, c, EPOLLIN);
	return true;
}

/* Answer ANS (malloc'd, or NULL when out of memory) on C: whole, however
 * long, in as many turns of the loop as the client needs. */
static bool
conn_answer(struct osl_sv_loop *l, struct osl_sv_conn *c, char *ans)
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

/* A free slot for connection FD (HTTP: control.metrics), or it is closed. */
static void
conn_take(struct osl_sv_loop *l, int fd, bool http)
{
	struct epoll_event ev;
	size_t i;

	for (i = 0; i < OSL_SV_CONN_MAX && l->conns[i].fd != -1; i++)
		;
	if (i == OSL_SV_CONN_MAX) {
		say(fd, http ? "HTTP/1.0 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n" :
		    "{\"ok\":false,\"error\":\"too many connections\"}\n");
		close(fd);
		return;
	}
	l->conns[i].fd = fd;
	l->conns[i].n = 0;
	l->conns[i].http = http;
	ev = (struct epoll_event){ .events = EPOLLIN, .data.u64 = osl_sv_ev(OSL_SV_SRC_CONN, i) };
	epoll_ctl(l->ep, EPOLL_CTL_ADD, fd, &ev);
}

void
osl_sv_ctl_accept(struct osl_sv_loop *l)
{
	char why[160];
	int pid;
	int fd;

	while ((fd = accept4(l->lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK)) != -1) {
		/* our own uid or root, not the tree's processes (peer.c) */
		if (!osl_sv_peer_allowed(l->r, fd, &pid, why, sizeof(why))) {
			osl_sv_peer_refused(l->r, fd, pid, why);
			close(fd);
			continue;
		}
		conn_take(l, fd, false);
	}
}

/* What each child's cgroup holds, for status and metrics. */
static void
sample(struct osl_sv_loop *l)
{
	for (size_t i = 1; i < l->r->tree->n; i++) {
		struct osl_sv_exec *x = &l->r->exec[i];

		osl_sv_metrics_sample(x);
	}
}

/* Answer the whole requests in C's buffer, one at a time: the next waits
 * until the answer before it is all sent. */
/* control.metrics: C's request, once whole, gets ctl metrics (or 404). */
static void
http_answer(struct osl_sv_loop *l, struct osl_sv_conn *c)
{
	static const char head[] = "HTTP/1.0 200 OK\r\nContent-Type: text/plain; version=0.0.4; "
	    "charset=utf-8\r\nConnection: close\r\nContent-Length: %zu\r\n\r\n%s";
	char *m = NULL, *ans;
	size_t len;

	if (!memmem(c->buf, c->n, "\r\n\r\n", 4) && !memmem(c->buf, c->n, "\n\n", 2)) {
		if (c->n == sizeof(c->buf))
			conn_close(l, c);
		return;
	}
	if (c->n < 13 || memcmp(c->buf, "GET /metrics", 12) || (c->buf[12] != ' ' &&
	    c->buf[12] != '?')) {
		conn_answer(l, c, strdup("HTTP/1.0 404 Not Found\r\nConnection: close\r\n"
		    "Content-Length: 21\r\n\r\nonly GET /metrics is\n"));
		return;
	}
	sample(l);
	if (!(m = osl_sv_metrics_text(l->r, osl_now_mono_ns())) ||
	    !(ans = malloc((len = strlen(m)) + sizeof(head) + 24))) {
		free(m);
		conn_close(l, c);
		return;
	}
	snprintf(ans, len + sizeof(head) + 24, head, len, m);
	free(m);
	conn_answer(l, c, ans);
}

static void
ctl_lines(struct osl_sv_loop *l, struct osl_sv_conn *c)
{
	struct timespec rt;
	char *nl;

	if (c->http) {
		if (!c->out)
			http_answer(l, c);
		return;
	}

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
		} else if (out.start_new[0]) {
			free(ans);
			ans = osl_sv_reload_start(l->r->reload, l->r, out.start_new,
			    osl_now_mono_ns());
		}
		memmove(c->buf, nl + 1, c->n - len - 1);
		c->n -= len + 1;
		conn_answer(l, c, ans);
		if (out.sig_id != OSL_SV_NONE)
			osl_sv_signal_group(l->r->exec[out.sig_id].pid, out.sig);
		osl_sv_apply(l);
	}
	if (c->fd != -1 && !c->out && c->n == sizeof(c->buf)) {
		say(c->fd, "{\"ok\":false,\"error\":\"request too long\"}\n");
		conn_close(l, c);
	}
}

void
osl_sv_ctl_read(struct osl_sv_loop *l, struct osl_sv_conn *c)
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

const struct osl_error *
osl_sv_http_listen(struct osl_sv_loop *l, const char *addr)
{
	struct osl_net_target t;
	struct sockaddr_storage bound;
	const struct osl_error *err;
	struct epoll_event ev;

	if ((err = osl_net_parse(addr, true, true, &t)) ||
	    (err = osl_net_listen(l->r->ctx, &t, SOCK_STREAM, &l->mfd, &bound)))
		return err;
	fcntl(l->mfd, F_SETFL, O_NONBLOCK);
	ev = (struct epoll_event){ .events = EPOLLIN, .data.u64 = osl_sv_ev(OSL_SV_SRC_HTTP, 0) };
	epoll_ctl(l->ep, EPOLL_CTL_ADD, l->mfd, &ev);
	return NULL;
}

void
osl_sv_http_accept(struct osl_sv_loop *l)
{
	int fd;

	while ((fd = accept4(l->mfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK)) != -1)
		conn_take(l, fd, true);
}

void
osl_sv_ctl_close(struct osl_sv_loop *l)
{
	if (l->mfd != -1) {
		close(l->mfd);
		l->mfd = -1;
	}
	if (l->lfd != -1) {
		close(l->lfd);
		unlink(l->r->socket_path);
		l->lfd = -1;
	}
	for (size_t i = 0; l->conns && i < OSL_SV_CONN_MAX; i++) {
		if (l->conns[i].fd != -1)
			close(l->conns[i].fd);
		free(l->conns[i].out);
	}
	free(l->conns);
	l->conns = NULL;
}
