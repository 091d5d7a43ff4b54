/* The relay between two byte streams and a socket, like nc: two bounded
 * buffers, one poll loop, half-close when one side is done. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net/net.h"

/* Each direction holds at most this much: a peer that never reads stops us
 * reading from the other side instead of growing memory. */
#define RELAY_BUF (128 * 1024)
/* Pipefuls moved per wake-up while both ends keep up. */
#define SPLICE_ROUNDS 8

struct dir {
	int from, to;
	bool to_sock, from_sock;
	char *buf;
	size_t off, len;
	bool eof, done;
	uint64_t *count;
	int pipe[2];		/* socket to socket: splice(2) through it, no copy */
	size_t pipe_size;
};

/* Each thread keeps the two pipes of its last relay, empty, for the next
 * one (a proxy's worker serves client after client): ten system calls and
 * two pipe inodes fewer a connection.  Closed when the thread ends. */
struct spare {
	int fd[2][2];
	size_t size[2];
	int n;
	unsigned forks;		/* made before a fork: the parent's pipes, not ours */
};
static pthread_key_t spare_key;
static pthread_once_t spare_once = PTHREAD_ONCE_INIT;
/* Bumped in a forked child (pthread_atfork): no getpid(2) a relay. */
static unsigned forks;

static void
forked(void)
{
	forks++;
}

static void
spare_free_fds(struct spare *sp)
{
	while (sp->n > 0) {
		sp->n--;
		close(sp->fd[sp->n][0]);
		close(sp->fd[sp->n][1]);
	}
}

static void
spare_free(void *arg)
{
	spare_free_fds(arg);
	free(arg);
}

static void
spare_init(void)
{
	if (pthread_key_create(&spare_key, spare_free) != 0 ||
	    pthread_atfork(NULL, NULL, forked) != 0)
		spare_key = (pthread_key_t)-1;
}

static struct spare *
spares(void)
{
	struct spare *sp;

	pthread_once(&spare_once, spare_init);
	if (spare_key == (pthread_key_t)-1)
		return NULL;
	if (!(sp = pthread_getspecific(spare_key)) && (sp = calloc(1, sizeof(*sp))) &&
	    pthread_setspecific(spare_key, sp) != 0) {
		free(sp);
		sp = NULL;
	}
	if (sp && sp->forks != forks) {
		/* made before a fork: the parent may be using the same pipes */
		spare_free_fds(sp);
		sp->forks = forks;
	}
	return sp;
}

/* The pipe of D: a spare one, else a new one of RELAY_BUF, or what the
 * system lets us have (a user over fs.pipe-user-pages-soft gets less;
 * larger pipes would bring every user there sooner); none when there is
 * no pipe to be had: read/write then. */
static void
splice_pipe(struct dir *d)
{
	struct spare *sp = spares();
	int sz;

	if (sp && sp->n > 0) {
		sp->n--;
		memcpy(d->pipe, sp->fd[sp->n], sizeof(d->pipe));
		d->pipe_size = sp->size[sp->n];
		return;
	}
	if (pipe2(d->pipe, O_CLOEXEC | O_NONBLOCK) < 0)
		return;
	fcntl(d->pipe[1], F_SETPIPE_SZ, RELAY_BUF);
	sz = fcntl(d->pipe[1], F_GETPIPE_SZ);
	d->pipe_size = sz > 0 && sz <= RELAY_BUF ? (size_t)sz : 4096;
}

/* The relay is over: an empty pipe is kept for the next, others closed. */
static void
pipe_done(struct dir *d)
{
	struct spare *sp;

	if (d->pipe[0] < 0)
		return;
	if (d->len == 0 && (sp = spares()) && sp->n < 2) {
		memcpy(sp->fd[sp->n], d->pipe, sizeof(d->pipe));
		sp->size[sp->n++] = d->pipe_size;
	} else {
		close(d->pipe[0]);
		close(d->pipe[1]);
	}
	d->pipe[0] = d->pipe[1] = -1;
}

/* Give up splicing (a file type that cannot splice: EINVAL): what the
 * pipe holds goes to the buffer, and read/write take over. */
static int
unsplice(struct dir *d)
{
	ssize_t n = 0;

	if (!d->buf && !(d->buf = malloc(RELAY_BUF)))
		return ENOMEM;
	if (d->len && (n = read(d->pipe[0], d->buf, d->len)) < 0)
		return errno;
	close(d->pipe[0]);
	close(d->pipe[1]);
	d->pipe[0] = d->pipe[1] = -1;
	d->off = 0;
	d->len = (size_t)n;
	return 0;
}

/* The bytes move through a pipe with splice(2) and never enter user
 * space.  LEN is what the pipe holds.  While both ends keep up, it goes
 * on without asking poll (at most SPLICE_ROUNDS pipefuls, for fairness
 * with the other direction). */
static int
step_splice(struct dir *d, short rev_from)
{
	bool readable = rev_from & (POLLIN | POLLHUP | POLLERR);
	ssize_t n;

	for (int round = 0; round < SPLICE_ROUNDS; round++) {
		if (d->len == 0 && !d->eof && (readable || round > 0)) {
			n = splice(d->from, NULL, d->pipe[1], NULL, d->pipe_size,
			    SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
			if (n < 0 && (errno == EAGAIN || errno == EINTR))
				break;
			if (n < 0 && errno == EINVAL)
				return unsplice(d);
			if (n < 0)
				return errno;
			if (n == 0)
				d->eof = true;
			d->len = (size_t)n;
		}
		while (d->len > 0) {
			n = splice(d->pipe[0], NULL, d->to, NULL, d->len,
			    SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0 && errno == EAGAIN)
				break;
			if (n < 0 && errno == EINVAL)
				return unsplice(d);
			if (n < 0)
				return errno;
			d->len -= (size_t)n;
			*d->count += (uint64_t)n;
		}
		if (d->len > 0 || d->eof)
			break;
	}
	if (d->eof && d->len == 0) {
		d->done = true;
		if (d->to_sock)
			shutdown(d->to, SHUT_WR);
	}
	return 0;
}

static ssize_t
do_write(const struct dir *d)
{
	if (d->to_sock)
		return send(d->to, d->buf + d->off, d->len - d->off, MSG_NOSIGNAL | MSG_DONTWAIT);
	return write(d->to, d->buf + d->off, d->len - d->off);
}

/* Move what can move; returns an errno or 0. */
static int
step(struct dir *d, short rev_from, short rev_to, bool dgram)
{
	size_t max = dgram && !d->from_sock ? 65507 : RELAY_BUF;
	bool fresh = false;
	ssize_t n;

	if (d->done)
		return 0;
	if (d->pipe[0] >= 0) {
		int e = step_splice(d, rev_from);

		if (e || d->pipe[0] >= 0)
			return e;
	}
	if (d->len == 0 && !d->eof && (rev_from & (POLLIN | POLLHUP | POLLERR))) {
		n = d->from_sock ? recv(d->from, d->buf, max, MSG_DONTWAIT) :
		    read(d->from, d->buf, max);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return 0;
		if (n < 0)
			return errno;
		if (n == 0 && !dgram)
			d->eof = true;
		else if (n == 0 && d->from_sock)
			return 0;	/* an empty datagram */
		else if (n == 0)
			d->eof = true;
		d->off = 0;
		d->len = (size_t)n;
		fresh = true;
	}
	/* write at once what was just read: most of the time it fits */
	if (d->len > d->off && (fresh || d->to_sock || d->to < 0 ||
	    (rev_to & (POLLOUT | POLLERR | POLLHUP)))) {
		if (d->to < 0)
			n = (ssize_t)(d->len - d->off);
		else
			n = do_write(d);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return 0;
		if (n < 0)
			return errno;
		d->off += (size_t)n;
		*d->count += (uint64_t)n;
		if (d->off == d->len)
			d->off = d->len = 0;
	}
	if (d->eof && d->len == 0) {
		d->done = true;
		if (d->to_sock && !dgram)
			shutdown(d->to, SHUT_WR);
	}
	return 0;
}

/* The sockets nonblocking, and a pipe or a buffer each way; false when
 * there is no memory for a buffer. */
static bool
relay_setup(struct dir *up, struct dir *down, const struct osl_net_relay *r)
{
	if (!r->dgram) {
		/* our sockets are nonblocking, so that a full one waits in poll
		 * (O_NONBLOCK is the only status flag a socket of ours has);
		 * stdin and stdout are shared with others and stay as they are */
		if (!r->nonblock) {
			fcntl(up->to, F_SETFL, O_NONBLOCK);
			if (r->in_is_sock)
				fcntl(up->from, F_SETFL, O_NONBLOCK);
		}
		if (up->from >= 0)
			splice_pipe(up);
		if (down->to >= 0)
			splice_pipe(down);
	}
	/* a buffer only where no pipe splices (a proxy's tunnel has none: two
	 * 128 KiB mappings fewer, and their unmapping in every thread, a client) */
	return !((up->from >= 0 && up->pipe[0] < 0 && !(up->buf = malloc(RELAY_BUF))) ||
	    (down->pipe[0] < 0 && !(down->buf = malloc(RELAY_BUF))));
}

const struct osl_error *
osl_net_relay(int in, int out, int sock, const struct osl_net_relay *r,
    uint64_t *bytes_out, uint64_t *bytes_in)
{
	const struct osl_error *err = NULL;
	struct dir up = { in, sock, true, r->in_is_sock, NULL, 0, 0, false, false, bytes_out,
	    { -1, -1 } };
	struct dir down = { sock, out, r->in_is_sock, true, NULL, 0, 0, false, false, bytes_in,
	    { -1, -1 } };
	uint64_t last = osl_now_mono_ns();
	int e;

	*bytes_out = *bytes_in = 0;
	if (!relay_setup(&up, &down, r)) {
		err = osl_error_nomem();
		goto done;
	}
	if (in < 0) {
		up.done = true;
		if (!r->dgram)
			shutdown(sock, SHUT_WR);
	}
	while (!(up.done && down.done)) {
		struct pollfd p[4];
		uint64_t bo = *bytes_out, bi = *bytes_in, now;
		int ms = -1, rc;

		/* a datagram exchange has no EOF: stdin's end (and --idle) ends it */
		if (r->dgram && up.done && !r->idle_ns)
			break;
		memset(p, 0, sizeof(p));
		p[0].fd = up.done || up.len ? -1 : in;
		p[0].events = POLLIN;
		p[1].fd = sock;
		p[1].events = (short)((up.len ? POLLOUT : 0) | (down.done || down.len ? 0 : POLLIN));
		p[2].fd = down.len && out >= 0 ? out : -1;
		p[2].events = POLLOUT;
		p[3].fd = r->stop_fd > 0 ? r->stop_fd : -1;
		p[3].events = POLLIN;
		if (r->idle_ns) {
			now = osl_now_mono_ns();
			/* a datagram exchange ends by going quiet after stdin's end */
			if (now - last >= r->idle_ns && r->dgram && up.done)
				break;
			if (now - last >= r->idle_ns) {
				err = osl_error_sys(OSL_ETIMEOUT, ETIMEDOUT, "idle for longer than --idle");
				goto done;
			}
			ms = (int)((r->idle_ns - (now - last) + 999999) / 1000000);
		}
		if (down.len && out < 0)
			ms = 0;
		rc = poll(p, 4, ms);
		if (rc < 0 && errno == EINTR)
			continue;
		if (rc < 0) {
			err = osl_error_errno("poll");
			goto done;
		}
		if (p[3].revents) {
			err = osl_error_new(OSL_EFAIL, OSL_NET_STOPPING);
			goto done;
		}
		if ((e = step(&up, p[0].revents, p[1].revents, r->dgram))) {
			err = osl_error_sys(OSL_EFAIL, e, "sending");
			goto done;
		}
		if ((e = step(&down, p[1].revents, p[2].revents, r->dgram))) {
			err = osl_error_sys(OSL_EFAIL, e, "%s", e == EPIPE && !r->in_is_sock ?
			    "writing output" : "receiving");
			goto done;
		}
		if (*bytes_out != bo || *bytes_in != bi)
			last = osl_now_mono_ns();
		/* the peer hung up both ways: what we still hold cannot go anywhere */
		if (!up.done && (p[1].revents & (POLLERR | POLLHUP)) && down.done && up.len) {
			err = osl_error_sys(OSL_EFAIL, EPIPE, "sending: the peer closed the connection");
			goto done;
		}
	}
	if (r->in_is_sock && !down.done)
		shutdown(out, SHUT_WR);
done:
	pipe_done(&up);
	pipe_done(&down);
	free(up.buf);
	free(down.buf);
	return err;
}
