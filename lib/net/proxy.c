/* The egress proxy: HTTP CONNECT (TLS) and plain http:// requests.  A request
 * goes out only when net.connect allows the requested name and port (and
 * every address it resolves to: osl_net_connect).  One thread per client,
 * one that waits for the stop, one that writes the records (records.c);
 * the context is shared under osl_net_lock. */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "net/net.h"
#include "util/strbuf.h"

/* A request head larger than this is refused (431); a request line longer
 * than LINE_MAX is refused (414).  The client has HEAD_NS to send it. */
#define HEAD_MAX (64 * 1024)
#define LINE_MAX_ (8 * 1024)
#define HEAD_NS (10ULL * 1000000000ULL)

/* The workers: each waits for a client on the listening socket, accepts
 * it and serves it.  One is always idle (a new one is started off the
 * client's path when the last idle one takes a client), up to max_clients;
 * the others wait in the backlog. */
struct proxy {
	struct osl_ctx *ctx;
	const struct osl_proxy_opts *o;
	int lfd;
	struct sockaddr_storage local;	/* LFD's own address, when not a wildcard */
	bool fixed;
	pthread_attr_t attr;
	pthread_mutex_t mu;
	pthread_cond_t gone;	/* signalled when the last worker ends */
	unsigned threads, idle;
	bool nothread;		/* a worker could not be started: not again */
	bool denied;		/* a client was denied: the proxy stops (ERR) */
	struct osl_error err;
	struct osl_net_records *rec;	/* the connections' records, written in batches */
	int wake[2];		/* readable when the proxy stops: every tunnel ends */
};

struct client {
	struct proxy *px;
	struct osl_net_conn in;		/* the accepted client (net.accept) */
};

/* An error answer to the client; the bytes that went. */
static uint64_t
reply(int fd, int code, const char *text, const char *body)
{
	char buf[1600];
	ssize_t sent = 0;
	int n;

	n = snprintf(buf, sizeof(buf), "HTTP/1.1 %d %s\r\nContent-Type: text/plain\r\n"
	    "Connection: close\r\nContent-Length: %zu\r\n\r\nosl proxy: %s\n",
	    code, text, strlen(body) + 12, body);
	if (n > (int)sizeof(buf))
		n = (int)sizeof(buf);
	if (n > 0)
		sent = send(fd, buf, (size_t)n, MSG_NOSIGNAL | MSG_DONTWAIT);
	return sent > 0 ? (uint64_t)sent : 0;
}

/* Read the request head into SB (with whatever followed it) from FD
 * (recv first, poll only when nothing is there: a client is accepted with
 * its request, TCP_DEFER_ACCEPT); *HEADLEN is the length of the head
 * including the blank line.  STOP readable: the proxy stops. */
static const struct osl_error *
read_head(int fd, int stop, struct strbuf *sb, size_t *headlen, int *code)
{
	uint64_t deadline = osl_now_mono_ns() + HEAD_NS;
	char buf[8192];

	for (;;) {
		struct pollfd p[2] = { { .fd = fd, .events = POLLIN }, { .fd = stop, .events = POLLIN } };
		uint64_t now = osl_now_mono_ns();
		const char *end, *nl;
		ssize_t n;

		end = sb->len ? memmem(sb->buf, sb->len, "\r\n\r\n", 4) : NULL;
		if (end) {
			*headlen = (size_t)(end - sb->buf) + 4;
			return NULL;
		}
		nl = sb->len ? memchr(sb->buf, '\n', sb->len) : NULL;
		if ((!nl && sb->len > LINE_MAX_) || (nl && (size_t)(nl - sb->buf) > LINE_MAX_)) {
			*code = 414;
			return osl_error_new(OSL_EINPUT, "request line longer than %d bytes", LINE_MAX_);
		}
		if (sb->len > HEAD_MAX) {
			*code = 431;
			return osl_error_new(OSL_EINPUT, "request head longer than %d bytes", HEAD_MAX);
		}
		if (now >= deadline) {
			*code = 408;
			return osl_error_sys(OSL_ETIMEOUT, ETIMEDOUT, "no complete request head in 10s");
		}
		n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n < 0 && (errno == EINTR || errno == EAGAIN)) {
			if (poll(p, 2, (int)((deadline - now) / 1000000 + 1)) > 0 && p[1].revents) {
				*code = 503;
				return osl_error_new(OSL_EFAIL, OSL_NET_STOPPING);
			}
			continue;
		}
		if (n <= 0) {
			*code = 0;
			return n == 0 ? osl_error_new(OSL_EINPUT, "the client closed before a request") :
			    osl_error_errno("receiving the request");
		}
		sb_add(sb, buf, (size_t)n);
		if (sb->oom)
			return osl_error_nomem();
	}
}

static bool
printable_token(const char *s, size_t n)
{
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] <= ' ' || (unsigned char)s[i] >= 0x7f)
			return false;
	return true;
}

/* Split "http://host[:port]/path" into TARGET ("host:port") and PATH. */
static bool
split_url(const char *url, char *target, size_t tsize, const char **path)
{
	const char *h, *slash;
	size_t hn;

	if (strncasecmp(url, "http://", 7) != 0)
		return false;
	h = url + 7;
	slash = strchr(h, '/');
	hn = slash ? (size_t)(slash - h) : strlen(h);
	if (hn == 0 || hn + 4 >= tsize || memchr(h, '@', hn))
		return false;
	memcpy(target, h, hn);
	target[hn] = '\0';
	/* no port: 80 ("[v6]" ends with ']', a name or v4 has no ':') */
	if ((target[0] == '[' && target[hn - 1] == ']') || (target[0] != '[' && !strchr(target, ':')))
		snprintf(target + hn, tsize - hn, ":80");
	*path = slash ? slash : "/";
	return true;
}

/* The request as the origin server should see it: origin-form, without
 * the proxy's own headers, one request per connection. */
static void
rewrite(struct strbuf *out, const char *method, const char *path, const char *version,
    const char *headers, size_t hlen)
{
	const char *p = headers, *end = headers + hlen;

	sb_addf(out, "%s %s %s\r\n", method, path, version);
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) + 1 : (size_t)(end - p);

		if (n > 2 && strncasecmp(p, "proxy-", 6) != 0 && strncasecmp(p, "connection:", 11) != 0 &&
		    strncasecmp(p, "keep-alive:", 11) != 0)
			sb_add(out, p, n);
		p += n;
	}
	sb_adds(out, "Connection: close\r\n\r\n");
}

/* The request line "METHOD TARGET HTTP/1.x" (LEN bytes, the line end
 * not counted): the method and version into their TOKEN_MAX bytes, the
 * target into *LINE, malloc'd. */
enum { TOKEN_MAX = 16 };

static const struct osl_error *
request_line(const char *buf, size_t len, char *method, char *version, char **line)
{
	const char *sp1, *sp2;

	if (len && buf[len - 1] == '\r')
		len--;
	sp1 = memchr(buf, ' ', len);
	sp2 = sp1 ? memchr(sp1 + 1, ' ', len - (size_t)(sp1 + 1 - buf)) : NULL;
	if (!sp1 || !sp2 || (size_t)(sp1 - buf) >= TOKEN_MAX ||
	    !printable_token(buf, (size_t)(sp1 - buf)) ||
	    !printable_token(sp1 + 1, (size_t)(sp2 - sp1 - 1)) ||
	    (size_t)(buf + len - sp2 - 1) >= TOKEN_MAX ||
	    strncmp(sp2 + 1, "HTTP/1.", 7) != 0)
		return osl_error_new(OSL_EINPUT, "not an HTTP request");
	memcpy(method, buf, (size_t)(sp1 - buf));
	method[sp1 - buf] = '\0';
	memcpy(version, sp2 + 1, (size_t)(buf + len - sp2 - 1));
	version[buf + len - sp2 - 1] = '\0';
	if (!(*line = strndup(sp1 + 1, (size_t)(sp2 - sp1 - 1))))
		return osl_error_nomem();
	return NULL;
}

/* REQ to the upstream UP, whose socket is nonblocking. */
static const struct osl_error *
send_all(struct osl_net_conn *up, const struct strbuf *req, const char *target)
{
	for (size_t off = 0; off < req->len;) {
		ssize_t n = send(up->fd, req->buf + off, req->len - off, MSG_NOSIGNAL);
		struct pollfd pw = { .fd = up->fd, .events = POLLOUT };

		if (n < 0 && errno == EAGAIN && poll(&pw, 1, 10000) > 0)
			continue;	/* the socket is nonblocking: its buffer was full */
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return osl_error_errno("'%s': sending", target);
		off += (size_t)n;
		up->bytes_out += (uint64_t)n;
	}
	return NULL;
}

static const struct osl_error *
handle(struct client *cl)
{
	struct proxy *px = cl->px;
	const struct osl_error *err;
	struct strbuf head = STRBUF_INIT, req = STRBUF_INIT;
	/* both sockets are nonblocking: the upstream from its connect, the
	 * client's from its accept */
	struct osl_net_opts o = { .timeout_ns = px->o->connect_timeout_ns, .nonblock = true };
	struct osl_net_relay r = { .idle_ns = px->o->idle_ns, .in_is_sock = true, .nonblock = true,
	    .stop_fd = px->wake[0] };
	struct osl_net_target t;
	struct osl_net_conn up;
	char method[TOKEN_MAX], version[TOKEN_MAX], target[300], *line = NULL;
	const char *eol, *path = NULL;
	size_t headlen = 0;
	int fd = cl->in.fd, code = 400;
	bool tunnel;

	memset(&up, 0, sizeof(up));
	up.fd = -1;
	if ((err = read_head(fd, px->wake[0], &head, &headlen, &code)))
		goto bad;
	eol = memchr(head.buf, '\n', headlen);
	if ((err = request_line(head.buf, (size_t)(eol - head.buf), method, version, &line)))
		goto bad;
	tunnel = strcmp(method, "CONNECT") == 0;
	if (tunnel) {
		if (strlen(line) >= sizeof(target)) {
			err = osl_error_new(OSL_EINPUT, "CONNECT target too long");
			goto bad;
		}
		snprintf(target, sizeof(target), "%s", line);
	} else if (!split_url(line, target, sizeof(target), &path)) {
		err = osl_error_new(OSL_EINPUT, "'%.200s': not an http:// URL (use CONNECT for https)",
		    line);
		goto bad;
	}
	if ((err = osl_net_parse(target, true, false, &t)))
		goto bad;
	if (t.family == AF_UNIX) {
		err = osl_error_new(OSL_EINPUT, "'%s': not a network target", target);
		goto bad;
	}
	err = osl_net_connect(px->ctx, &t, &o, &up);
	if (err) {
		code = err->status == OSL_EDENIED ? 403 : err->status == OSL_ETIMEOUT ? 504 : 502;
		goto bad;
	}
	if (tunnel) {
		static const char ok[] = "HTTP/1.1 200 Connection established\r\n\r\n";

		if (send(fd, ok, sizeof(ok) - 1, MSG_NOSIGNAL | MSG_DONTWAIT) < 0) {
			err = osl_error_errno("replying to the client");
			goto end;
		}
		cl->in.bytes_out += sizeof(ok) - 1;
	} else {
		rewrite(&req, method, path, version, eol + 1, headlen - (size_t)(eol + 1 - head.buf));
	}
	/* what the client sent after the head (a TLS hello, a body) goes first */
	sb_add(&req, head.buf + headlen, head.len - headlen);
	if (req.oom) {
		err = osl_error_nomem();
		goto end;
	}
	if ((err = send_all(&up, &req, target)))
		goto end;
	{
		uint64_t bo = 0, bi = 0;

		err = osl_net_relay(fd, fd, up.fd, &r, &bo, &bi);
		up.bytes_out += bo;
		up.bytes_in += bi;
		cl->in.bytes_in += bo;
		cl->in.bytes_out += bi;
	}
end:
	err = osl_net_records_end(px->rec, &up, err);
	goto done;
bad:
	if (code)
		cl->in.bytes_out += reply(fd, code, code == 403 ? "Forbidden" : code == 414 ? "URI Too Long" :
		    code == 431 ? "Request Header Fields Too Large" : code == 408 ? "Request Timeout" :
		    code == 502 ? "Bad Gateway" : code == 504 ? "Gateway Timeout" :
		    code == 503 ? "Service Unavailable" : "Bad Request",
		    err->msg);
done:
	cl->in.bytes_in += head.len;	/* the head, and what came with it */
	free(line);
	sb_release(&head);
	sb_release(&req);
	return err;
}

static void *worker(void *arg);

/* The last idle worker took a client: start the next one now. */
static void
took_one(struct proxy *px)
{
	pthread_t th;
	bool spawn;

	pthread_mutex_lock(&px->mu);
	px->idle--;
	spawn = px->idle == 0 && px->threads < px->o->max_clients && !px->nothread;
	if (spawn) {
		px->threads++;
		px->idle++;
	}
	pthread_mutex_unlock(&px->mu);
	if (spawn && pthread_create(&th, &px->attr, worker, px) != 0) {
		pthread_mutex_lock(&px->mu);
		px->threads--;
		px->idle--;
		px->nothread = true;
		pthread_mutex_unlock(&px->mu);
	}
}

static bool
stopping(struct proxy *px)
{
	bool denied;

	pthread_mutex_lock(&px->mu);
	denied = px->denied;
	pthread_mutex_unlock(&px->mu);
	return (px->o->stop && *px->o->stop) || denied;
}

/* Accept one client into CL: false when there was none to take (another
 * worker took it, or it went away). */
static bool
accept_one(struct proxy *px, struct client *cl)
{
	const struct osl_error *err;

	memset(cl, 0, sizeof(*cl));
	cl->px = px;
	if (px->o->internal) {
		/* osl's own socket for its child: nothing to decide */
		cl->in.fd = accept4(px->lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
		return cl->in.fd >= 0;
	}
	if (!(err = osl_net_accept_at(px->ctx, px->lfd, px->fixed ? &px->local : NULL, &cl->in)))
		return true;
	if (err->status == OSL_EDENIED) {
		pthread_mutex_lock(&px->mu);
		if (!px->denied)
			osl_error_keep(&px->err, err);
		px->denied = true;
		pthread_mutex_unlock(&px->mu);
	}
	return false;	/* one client's failure is not the proxy's */
}

static void *
worker(void *arg)
{
	struct proxy *px = arg;
	struct client cl;

	while (!stopping(px)) {
		/* a blocking accept wakes one waiting worker a client, where a
		 * poll on the listening socket wakes them all (SO_RCVTIMEO:
		 * back every 200 ms to see whether to stop) */
		if (!accept_one(px, &cl))
			continue;
		took_one(px);
		osl_net_records_end(px->rec, &cl.in, handle(&cl));
		pthread_mutex_lock(&px->mu);
		px->idle++;
		pthread_mutex_unlock(&px->mu);
	}
	pthread_mutex_lock(&px->mu);
	px->threads--;
	px->idle--;
	if (!px->threads)
		pthread_cond_signal(&px->gone);
	pthread_mutex_unlock(&px->mu);
	return NULL;
}

/* The workers are gone: the records, the pipe, the rest. */
static const struct osl_error *
serve_end(struct proxy *px)
{
	const struct osl_error *err = NULL;

	osl_net_records_stop(px->rec);
	if (px->wake[0] >= 0) {
		close(px->wake[0]);
		close(px->wake[1]);
	}
	pthread_attr_destroy(&px->attr);
	pthread_cond_destroy(&px->gone);
	pthread_mutex_destroy(&px->mu);
	if (px->denied)
		err = osl_error_new(px->err.status, "%s", px->err.msg);
	free(px);
	return err;
}

const struct osl_error *
osl_proxy_serve(struct osl_ctx *ctx, int lfd, const struct osl_proxy_opts *o)
{
	struct proxy *px = calloc(1, sizeof(*px));
	const struct osl_error *err;
	struct timeval tick = { 0, 200000 };
	pthread_t th;
	int defer = 1;

	if (!px)
		return osl_error_nomem();
	px->ctx = ctx;
	px->o = o;
	px->lfd = lfd;
	px->wake[0] = px->wake[1] = -1;
	/* one address listened on: every client's local address, no getsockname each */
	px->fixed = osl_net_fixed_local(lfd, &px->local);
	pthread_mutex_init(&px->mu, NULL);
	pthread_cond_init(&px->gone, NULL);
	pthread_attr_init(&px->attr);
	pthread_attr_setdetachstate(&px->attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&px->attr, 256 * 1024);
	if ((err = osl_net_records_start(ctx, &px->rec)))
		goto fail;
	if (pipe2(px->wake, O_CLOEXEC) < 0) {
		err = osl_error_errno("proxy: pipe");
		goto fail;
	}
	/* the workers wait in accept, 200 ms at a time */
	fcntl(lfd, F_SETFL, fcntl(lfd, F_GETFL) & ~O_NONBLOCK);
	setsockopt(lfd, SOL_SOCKET, SO_RCVTIMEO, &tick, sizeof(tick));
	/* a client is handed over with its request: one wake-up fewer */
	setsockopt(lfd, IPPROTO_TCP, TCP_DEFER_ACCEPT, &defer, sizeof(defer));
	px->threads = px->idle = 1;
	if (pthread_create(&th, &px->attr, worker, px) != 0) {
		err = osl_error_new(OSL_ESETUP, "proxy: cannot start a thread");
		goto fail;
	}
	/* this thread waits for the stop (seen within 200 ms, or at once
	 * through STOP_FD), even when every worker is busy; then every tunnel and request head ends at
	 * once, a connect under way within --timeout, and every record is
	 * written (osl-net(1), proxy) */
	while (!stopping(px)) {
		struct pollfd pf = { .fd = o->stop_fd > 0 ? o->stop_fd : -1, .events = POLLIN };

		poll(&pf, 1, 200);
	}
	(void)!write(px->wake[1], "", 1);
	/* the workers waiting in accept return now (EINVAL), not within 200 ms */
	shutdown(lfd, SHUT_RD);
	pthread_mutex_lock(&px->mu);
	while (px->threads)
		pthread_cond_wait(&px->gone, &px->mu);
	pthread_mutex_unlock(&px->mu);
	return serve_end(px);
fail:
	px->denied = false;
	serve_end(px);
	return err;
}
