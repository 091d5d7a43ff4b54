/* Targets, resolution, connect, bind and accept, each through the pipeline. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "net/net.h"
#include "policy/policy.h"

static pthread_mutex_t ctx_lock = PTHREAD_MUTEX_INITIALIZER;

void
osl_net_lock(void)
{
	pthread_mutex_lock(&ctx_lock);
}

void
osl_net_unlock(void)
{
	pthread_mutex_unlock(&ctx_lock);
}

pid_t
osl_net_fork_worker(void)
{
	pid_t parent = getpid(), pid = fork();

	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		if (getppid() != parent)	/* the parent is already gone */
			raise(SIGTERM);
	}
	return pid;
}

const struct osl_error *
osl_net_parse(const char *s, bool need_port, bool allow_zero, struct osl_net_target *t)
{
	const struct osl_error *err;
	struct osl_request rq;
	char name[256];
	size_t n;

	memset(t, 0, sizeof(*t));
	if (strncmp(s, "unix:", 5) == 0) {
		n = strlen(s + 5);
		if (n == 0)
			return osl_error_new(OSL_EINPUT, "'%s': empty unix socket path", s);
		if (n >= sizeof(t->path))
			return osl_error_new(OSL_EINPUT, "'%.200s': unix socket path longer than %zu bytes",
			    s, sizeof(t->path) - 1);
		memcpy(t->path, s + 5, n + 1);
		t->family = AF_UNIX;
		return NULL;
	}
	/* a 64 KiB name is refused with a short quote of it */
	if (strlen(s) > 300)
		return osl_error_new(OSL_EINPUT, "'%.40s...': host name longer than 253 characters", s);
	if (need_port && !strchr(s, ':'))
		return osl_error_new(OSL_EINPUT, "'%s': missing port (write HOST:PORT)", s);
	if ((err = osl_request_from_target(need_port ? OSL_ACCESS_CONNECT : OSL_ACCESS_RESOLVE,
	    s, &rq, name, sizeof(name))))
		return err;
	if (need_port && rq.port == 0 && !allow_zero)
		return osl_error_new(OSL_EINPUT, "'%s': invalid port (1-65535)", s);
	t->port = rq.port;
	t->family = rq.family;
	memcpy(t->addr, rq.addr, sizeof(t->addr));
	if (rq.host)
		snprintf(t->host, sizeof(t->host), "%s", rq.host);
	return NULL;
}

const char *
osl_net_ntop(const struct sockaddr *sa, char *buf, size_t size)
{
	if (sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, buf, (socklen_t)size);
	else if (sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, buf, (socklen_t)size);
	else if (sa->sa_family == AF_UNIX)
		snprintf(buf, size, "%s", ((const struct sockaddr_un *)sa)->sun_path);
	else
		snprintf(buf, size, "?");
	return buf;
}

static uint16_t
port_of(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)sa)->sin_port);
	if (sa->sa_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)sa)->sin6_port);
	return 0;
}

const char *
osl_net_ntop_port(const struct sockaddr *sa, char *buf, size_t size)
{
	char a[INET6_ADDRSTRLEN];

	osl_net_ntop(sa, a, sizeof(a));
	if (sa->sa_family == AF_INET6)
		snprintf(buf, size, "[%s]:%u", a, port_of(sa));
	else if (sa->sa_family == AF_INET)
		snprintf(buf, size, "%s:%u", a, port_of(sa));
	else
		snprintf(buf, size, "unix:%s", a);
	return buf;
}

bool
osl_net_routed(struct sockaddr_storage *ss)
{
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	uint8_t *a;

	if (ss->ss_family == AF_INET) {
		struct sockaddr_in *in = (struct sockaddr_in *)ss;

		if (in->sin_addr.s_addr != htonl(INADDR_ANY))
			return false;
		in->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		return true;
	}
	if (ss->ss_family != AF_INET6)
		return false;
	a = ((struct sockaddr_in6 *)ss)->sin6_addr.s6_addr;
	if (IN6_IS_ADDR_UNSPECIFIED((struct in6_addr *)a)) {
		a[15] = 1;
		return true;
	}
	if (memcmp(a, mapped, sizeof(mapped)) == 0 && !a[12] && !a[13] && !a[14] && !a[15]) {
		a[12] = 127;
		a[15] = 1;
		return true;
	}
	return false;
}

/* A sockaddr from a literal target. */
static socklen_t
literal_sa(const struct osl_net_target *t, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (t->family == AF_INET) {
		struct sockaddr_in *in = (struct sockaddr_in *)ss;

		in->sin_family = AF_INET;
		in->sin_port = htons(t->port);
		memcpy(&in->sin_addr, t->addr, 4);
		return sizeof(*in);
	}
	if (t->family == AF_INET6) {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(t->port);
		memcpy(&in6->sin6_addr, t->addr, 16);
		return sizeof(*in6);
	}
	if (t->family == AF_UNIX) {
		struct sockaddr_un *un = (struct sockaddr_un *)ss;

		un->sun_family = AF_UNIX;
		memcpy(un->sun_path, t->path, strlen(t->path) + 1);
		return (socklen_t)sizeof(*un);
	}
	return 0;
}

/* The request for one address (and the name it came from). */
static void
fill_req(struct osl_request *rq, const char *host, const struct sockaddr *sa)
{
	rq->host = host && *host ? host : NULL;
	rq->family = sa->sa_family;
	if (sa->sa_family == AF_INET)
		memcpy(rq->addr, &((const struct sockaddr_in *)sa)->sin_addr, 4);
	else
		memcpy(rq->addr, &((const struct sockaddr_in6 *)sa)->sin6_addr, 16);
	rq->port = port_of(sa);
}

/* destination.* / network.* of a record. */
static void
add_dest(cJSON *fields, const char *host, const struct sockaddr *sa, int socktype)
{
	cJSON *d = osl_log_obj(fields, "destination"), *n = osl_log_obj(fields, "network");
	char a[INET6_ADDRSTRLEN + 1];

	if (host && *host)
		osl_log_add_text(d, "domain", host);
	if (sa && sa->sa_family != AF_UNIX) {
		cJSON_AddStringToObject(d, "ip", osl_net_ntop(sa, a, sizeof(a)));
		cJSON_AddNumberToObject(d, "port", port_of(sa));
		cJSON_AddStringToObject(n, "type", sa->sa_family == AF_INET ? "ipv4" : "ipv6");
	} else if (sa)
		osl_log_add_text(d, "address", ((const struct sockaddr_un *)sa)->sun_path);
	cJSON_AddStringToObject(n, "transport", socktype == SOCK_DGRAM ? "udp" : "tcp");
}

static void
add_endpoint(cJSON *fields, const char *key, const struct sockaddr *sa)
{
	cJSON *s = osl_log_obj(fields, key);
	char a[INET6_ADDRSTRLEN + 1];

	/* once: the bound address replaces the asked one */
	cJSON_DeleteItemFromObjectCaseSensitive(s, "ip");
	cJSON_DeleteItemFromObjectCaseSensitive(s, "port");
	if (sa->sa_family == AF_INET || sa->sa_family == AF_INET6) {
		/* once each: a bind to port 0 says the port it got after the bind */
		cJSON_DeleteItemFromObjectCaseSensitive(s, "ip");
		cJSON_DeleteItemFromObjectCaseSensitive(s, "port");
		cJSON_AddStringToObject(s, "ip", osl_net_ntop(sa, a, sizeof(a)));
		cJSON_AddNumberToObject(s, "port", port_of(sa));
	}
}

void
osl_net_target_op(struct osl_op *op, enum osl_action action, const struct osl_net_target *t,
    const char *target)
{
	struct sockaddr_storage ss;

	osl_op_init(op, action, target);
	if (t->family == AF_UNIX) {
		op->req.access = OSL_ACCESS_WRITE;
		op->req.path = t->path;
		osl_log_add_text(osl_log_obj(op->fields, "destination"), "address", t->path);
		return;
	}
	op->req.access = OSL_ACCESS_CONNECT;
	op->req.host = t->host[0] ? t->host : NULL;
	op->req.family = t->family;
	memcpy(op->req.addr, t->addr, sizeof(op->req.addr));
	op->req.port = t->port;
	if (t->family) {
		literal_sa(t, &ss);
		osl_net_routed(&ss);
		fill_req(&op->req, NULL, (struct sockaddr *)&ss);
		add_dest(op->fields, NULL, (struct sockaddr *)&ss, SOCK_STREAM);
	} else {
		add_dest(op->fields, t->host, NULL, SOCK_STREAM);
		cJSON_AddNumberToObject(osl_log_obj(op->fields, "destination"), "port", t->port);
	}
}

const struct osl_error *
osl_net_resolve(struct osl_ctx *ctx, const char *name, int family, uint16_t port,
    bool quiet, struct osl_net_addrs *out)
{
	const struct osl_error *err = NULL;
	struct addrinfo hints, *res = NULL, *ai;
	struct osl_op op;
	cJSON *ips;
	char a[INET6_ADDRSTRLEN];
	int rc;

	memset(out, 0, sizeof(*out));
	osl_op_init(&op, OSL_ACT_NET_RESOLVE, name);
	if (quiet)
		op.level = OSL_LEVEL_DEBUG;
	op.req.host = name;
	osl_log_add_text(osl_log_obj(op.fields, "destination"), "domain", name);
	osl_log_add_text(osl_log_obj(osl_log_obj(op.fields, "dns"), "question"), "name", name);
	osl_net_lock();
	err = osl_op_begin(ctx, &op);
	osl_net_unlock();
	if (err)
		goto done;
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = family;
	hints.ai_socktype = SOCK_STREAM;
	/* no AI_ADDRCONFIG: it hides ::1 on a host with only loopback IPv6;
	 * an address that cannot be reached fails fast and the next is tried */
	rc = getaddrinfo(name, NULL, &hints, &res);
	if (rc == EAI_SYSTEM)
		err = osl_error_errno("'%s': cannot resolve", name);
	else if (rc)
		err = osl_error_new(OSL_EFAIL, "'%s': cannot resolve: %s", name, gai_strerror(rc));
	if (err)
		goto end;
	ips = cJSON_AddArrayToObject(osl_log_obj(op.fields, "dns"), "resolved_ip");
	for (ai = res; ai && out->n < OSL_NET_MAX_ADDRS; ai = ai->ai_next) {
		size_t i;

		if (ai->ai_family != AF_INET && ai->ai_family != AF_INET6)
			continue;
		for (i = 0; i < out->n; i++)
			if (out->len[i] == ai->ai_addrlen &&
			    memcmp(&out->sa[i], ai->ai_addr, ai->ai_addrlen) == 0)
				break;
		if (i < out->n)
			continue;
		memcpy(&out->sa[out->n], ai->ai_addr, ai->ai_addrlen);
		out->len[out->n] = ai->ai_addrlen;
		if (ai->ai_family == AF_INET)
			((struct sockaddr_in *)&out->sa[out->n])->sin_port = htons(port);
		else
			((struct sockaddr_in6 *)&out->sa[out->n])->sin6_port = htons(port);
		cJSON_AddItemToArray(ips, cJSON_CreateString(osl_net_ntop(ai->ai_addr, a, sizeof(a))));
		out->n++;
	}
end:
	osl_net_lock();
	err = osl_op_end(ctx, &op, err);
	osl_net_unlock();
done:
	if (res)
		freeaddrinfo(res);
	osl_op_release(&op);
	return err;
}

/* Happy Eyeballs (RFC 8305): the first address is tried at once, the next
 * one after CONNECT_DELAY_NS or as soon as a try fails, families
 * interleaved; the first connection wins and the others are closed. */
#define CONNECT_DELAY_NS 250000000ULL

/* Start one try through the pipeline: decided and (on failure) logged; on
 * success C->fd is connected or connecting (C->open). */
static const struct osl_error *
try_start(struct osl_ctx *ctx, const char *target, const char *host, const struct sockaddr *sa,
    socklen_t len, const struct osl_net_opts *o, struct osl_net_conn *c, bool *pending)
{
	const struct osl_error *err = NULL;

	memset(c, 0, sizeof(*c));
	c->fd = -1;
	c->socktype = o->socktype ? o->socktype : SOCK_STREAM;
	snprintf(c->target, sizeof(c->target), "%s", target);
	osl_op_init(&c->op, OSL_ACT_NET_CONNECT, c->target);
	if (o->quiet)
		c->op.level = OSL_LEVEL_DEBUG;
	memcpy(&c->peer, sa, len);
	c->peerlen = len;
	if (sa->sa_family == AF_UNIX) {
		c->op.req.access = OSL_ACCESS_WRITE;
		c->op.req.path = ((const struct sockaddr_un *)&c->peer)->sun_path;
	} else
		fill_req(&c->op.req, host, sa);
	add_dest(c->op.fields, host, sa, c->socktype);
	osl_net_lock();
	err = osl_op_begin(ctx, &c->op);
	osl_net_unlock();
	if (err) {
		osl_op_release(&c->op);
		return err;
	}
	c->open = true;
	*pending = false;
	if ((c->fd = socket(sa->sa_family, c->socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, 0)) < 0)
		err = osl_error_errno("'%s': socket", target);
	else if (connect(c->fd, sa, len) == 0)
		;	/* at once: unix, udp */
	else if (errno == EINPROGRESS)
		*pending = true;
	else
		err = osl_error_sys(OSL_EFAIL, errno, "'%s': cannot connect", target);
	return err;
}

/* End a try that did not win: logged, closed. */
static const struct osl_error *
try_fail(struct osl_ctx *ctx, struct osl_net_conn *c, const struct osl_error *err)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	osl_net_lock();
	err = osl_op_end(ctx, &c->op, err);
	osl_net_unlock();
	osl_op_release(&c->op);
	c->open = false;
	return err;
}

/* The winner: blocking again (unless NONBLOCK).  Its source address is
 * read for the record when it ends (osl_net_conn_end): not on the way to
 * the first byte. */
static void
try_won(struct osl_net_conn *c, bool nonblock)
{
	if (!nonblock)
		fcntl(c->fd, F_SETFL, 0);	/* our socket: O_NONBLOCK is its only flag */
	c->won = true;
}

/* Race the N addresses SA[ORDER[i]] as Happy Eyeballs does; the winner
 * goes to C.  The error of the last try when none connects; OSL_ETIMEOUT
 * when DEADLINE passes first; a denial at once. */
static const struct osl_error *
race(struct osl_ctx *ctx, const char *target, const char *host, const struct osl_net_addrs *as,
    const size_t *order, size_t n, const struct osl_net_opts *o, uint64_t deadline,
    struct osl_net_conn *c)
{
	const struct osl_error *err = NULL;
	struct osl_net_conn *tr;
	struct pollfd p[OSL_NET_MAX_ADDRS];
	size_t next = 0, np = 0, slot[OSL_NET_MAX_ADDRS], win = SIZE_MAX;
	uint64_t next_at = 0;

	if (!(tr = calloc(n, sizeof(*tr))))
		return osl_error_nomem();
	for (;;) {
		uint64_t now = osl_now_mono_ns();
		int ms = -1, rc;

		if (deadline && now >= deadline && next > 0) {
			err = osl_error_sys(OSL_ETIMEOUT, ETIMEDOUT, "'%s': cannot connect", target);
			break;
		}
		if (next < n && (now >= next_at || np == 0)) {
			size_t i = next++;
			bool pending;

			err = try_start(ctx, target, host, (const struct sockaddr *)&as->sa[order[i]],
			    as->len[order[i]], o, &tr[i], &pending);
			if (err && !tr[i].open)
				break;		/* denied: nothing more is tried */
			if (err) {
				err = try_fail(ctx, &tr[i], err);
				continue;	/* failed at once: the next one now */
			}
			if (!pending) {
				win = i;
				break;
			}
			p[np] = (struct pollfd){ .fd = tr[i].fd, .events = POLLOUT };
			slot[np++] = i;
			next_at = now + CONNECT_DELAY_NS;
			continue;
		}
		if (np == 0)
			break;		/* every address failed: ERR is the last one's */
		if (deadline)
			ms = (int)((deadline - now + 999999) / 1000000);
		if (next < n && (ms < 0 || next_at - now < (uint64_t)ms * 1000000))
			ms = (int)((next_at - now + 999999) / 1000000);
		rc = poll(p, (nfds_t)np, ms);
		if (rc < 0 && errno != EINTR) {
			err = osl_error_errno("'%s': poll", target);
			break;
		}
		for (size_t k = 0; rc > 0 && k < np && win == SIZE_MAX; k++) {
			int e = 0;
			socklen_t el = sizeof(e);

			if (!p[k].revents)
				continue;
			/* writable and no error or hang-up: connected (the
			 * common case, without asking for SO_ERROR) */
			if ((p[k].revents & (POLLERR | POLLHUP)) &&
			    getsockopt(p[k].fd, SOL_SOCKET, SO_ERROR, &e, &el) < 0)
				e = errno;
			if (!e) {
				win = slot[k];
				break;
			}
			err = try_fail(ctx, &tr[slot[k]], osl_error_sys(OSL_EFAIL, e,
			    "'%s': cannot connect", target));
			p[k] = p[--np];
			slot[k--] = slot[np];
			next_at = 0;	/* a failure starts the next one at once */
		}
		if (win != SIZE_MAX)
			break;
	}
	/* the others: still connecting, they lost (or timed out) */
	for (size_t i = 0; i < next; i++) {
		if (i == win || !tr[i].open)
			continue;
		if (win != SIZE_MAX)
			tr[i].op.level = OSL_LEVEL_DEBUG;
		try_fail(ctx, &tr[i], win != SIZE_MAX ? osl_error_sys(OSL_EFAIL, ECANCELED,
		    "'%s': another address connected first", target) : err);
	}
	if (win != SIZE_MAX) {
		try_won(&tr[win], o->nonblock);
		*c = tr[win];
		c->op.target = c->target;
		err = NULL;
	}
	free(tr);
	return err;
}

size_t
osl_net_interleave(const struct osl_net_addrs *as, const bool *allowed, size_t *order)
{
	size_t n = 0, a = 0, b = 0;
	int first = 0;

	for (size_t i = 0; i < as->n; i++)
		if (allowed[i] && !first)
			first = as->sa[i].ss_family;
	while (a < as->n || b < as->n) {
		while (a < as->n && (!allowed[a] || as->sa[a].ss_family != first))
			a++;
		if (a < as->n)
			order[n++] = a++;
		while (b < as->n && (!allowed[b] || as->sa[b].ss_family == first))
			b++;
		if (b < as->n)
			order[n++] = b++;
	}
	return n;
}

const struct osl_error *
osl_net_connect(struct osl_ctx *ctx, const struct osl_net_target *t,
    const struct osl_net_opts *o, struct osl_net_conn *c)
{
	const struct osl_error *err = NULL;
	struct osl_net_addrs *as = NULL;
	struct osl_policy *p;
	struct osl_decision d;
	struct osl_request rq;
	uint64_t deadline = o->timeout_ns ? osl_now_mono_ns() + o->timeout_ns : 0;
	bool allowed[OSL_NET_MAX_ADDRS];
	size_t order[OSL_NET_MAX_ADDRS], i, n, first_denied = SIZE_MAX;
	char target[300];

	memset(c, 0, sizeof(*c));
	c->fd = -1;
	if (!(as = malloc(sizeof(*as))))
		return osl_error_nomem();
	if (t->family == AF_UNIX)
		snprintf(target, sizeof(target), "unix:%s", t->path);
	else if (t->host[0])
		snprintf(target, sizeof(target), "%s:%u", t->host, t->port);
	if (t->family) {
		/* a literal is decided as it is */
		as->n = 1;
		as->len[0] = literal_sa(t, &as->sa[0]);
		if (t->family != AF_UNIX)
			osl_net_ntop_port((struct sockaddr *)&as->sa[0], target, sizeof(target));
		osl_net_routed(&as->sa[0]);	/* the target stays as written */
		order[0] = 0;
		err = race(ctx, target, NULL, as, order, 1, o, deadline, c);
		goto done;
	}
	if ((err = osl_net_resolve(ctx, t->host, o->family, t->port, o->quiet, as)))
		goto done;
	if (as->n == 0) {
		err = osl_error_new(OSL_EFAIL, "'%s': no address", target);
		goto done;
	}
	/* every address is decided, as the kernel routes it; an explicit
	 * deny on any one denies the name */
	for (i = 0; i < as->n; i++)
		osl_net_routed(&as->sa[i]);
	osl_net_lock();
	err = osl_ctx_policy(ctx, &p);
	for (i = 0; !err && i < as->n; i++) {
		memset(&rq, 0, sizeof(rq));
		rq.access = OSL_ACCESS_CONNECT;
		fill_req(&rq, t->host, (struct sockaddr *)&as->sa[i]);
		osl_policy_decide(p, &rq, &d);
		allowed[i] = d.verdict != OSL_DENY;
		if (!allowed[i] && first_denied == SIZE_MAX)
			first_denied = i;
		if (!allowed[i] && d.rule && d.rule->kind == OSL_RULE_NET_DENY)
			break;
	}
	osl_net_unlock();
	if (err)
		goto done;
	if (i < as->n) {	/* the explicit deny: logged by its try */
		order[0] = i;
		n = 1;
	} else if ((n = osl_net_interleave(as, allowed, order)) == 0) {
		order[0] = first_denied;	/* none allowed: the first one's denial */
		n = 1;
	}
	err = race(ctx, target, t->host, as, order, n, o, deadline, c);
done:
	free(as);
	return err;
}

bool
osl_net_conn_close(struct osl_net_conn *c)
{
	bool open = c->open;

	if (open) {
		/* ECS: source.bytes went from the source to the destination;
		 * the peer of an accepted connection is the source */
		bool acc = c->op.action == OSL_ACT_NET_ACCEPT;
		struct sockaddr_storage local;
		socklen_t ll = sizeof(local);

		if (c->won && c->fd >= 0 && getsockname(c->fd, (struct sockaddr *)&local, &ll) == 0)
			add_endpoint(c->op.fields, "source", (struct sockaddr *)&local);
		osl_log_add_count(osl_log_obj(c->op.fields, "source"), "bytes",
		    acc ? c->bytes_in : c->bytes_out);
		osl_log_add_count(osl_log_obj(c->op.fields, "destination"), "bytes",
		    acc ? c->bytes_out : c->bytes_in);
		c->op.t_end = osl_now_mono_ns();
		c->open = false;
	}
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	return open;
}

const struct osl_error *
osl_net_conn_end(struct osl_ctx *ctx, struct osl_net_conn *c, const struct osl_error *result)
{
	const struct osl_error *err = result;

	if (osl_net_conn_close(c)) {
		osl_net_lock();
		err = osl_op_end(ctx, &c->op, result);
		osl_net_unlock();
		osl_op_release(&c->op);
	}
	return err;
}

const struct osl_error *
osl_net_listen(struct osl_ctx *ctx, const struct osl_net_target *t, int socktype, int *fd,
    struct sockaddr_storage *bound)
{
	const struct osl_error *err = NULL;
	struct osl_net_addrs *as = NULL;
	struct sockaddr_storage ss;
	socklen_t len, bl = sizeof(*bound);
	struct osl_op op;
	char target[300];
	int s = -1, one = 1;

	*fd = -1;
	if (!t->family) {
		if (!(as = malloc(sizeof(*as))))
			return osl_error_nomem();
		if ((err = osl_net_resolve(ctx, t->host, 0, t->port, false, as)))
			goto done;
		if (as->n == 0) {
			err = osl_error_new(OSL_EFAIL, "'%s': no address", t->host);
			goto done;
		}
		memcpy(&ss, &as->sa[0], as->len[0]);
		len = as->len[0];
	} else
		len = literal_sa(t, &ss);
	if (t->family == AF_UNIX)
		snprintf(target, sizeof(target), "unix:%s", t->path);
	else if (t->host[0])
		snprintf(target, sizeof(target), "%s:%u", t->host, t->port);
	else
		osl_net_ntop_port((struct sockaddr *)&ss, target, sizeof(target));
	osl_op_init(&op, OSL_ACT_NET_BIND, target);
	if (t->family == AF_UNIX) {
		op.req.access = OSL_ACCESS_WRITE;
		op.req.path = t->path;
	} else
		fill_req(&op.req, t->host, (struct sockaddr *)&ss);
	add_dest(op.fields, NULL, NULL, socktype);
	add_endpoint(op.fields, "server", (struct sockaddr *)&ss);
	osl_net_lock();
	err = osl_op_begin(ctx, &op);
	osl_net_unlock();
	if (err)
		goto release;
	if ((s = socket(ss.ss_family, socktype | SOCK_CLOEXEC, 0)) < 0) {
		err = osl_error_errno("'%s': socket", target);
		goto end;
	}
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (ss.ss_family == AF_INET6)
		setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(s, (struct sockaddr *)&ss, len) < 0) {
		err = osl_error_sys(OSL_EFAIL, errno, "'%s': cannot bind", target);
		goto end;
	}
	if (socktype == SOCK_STREAM && listen(s, 128) < 0) {
		err = osl_error_errno("'%s': listen", target);
		goto end;
	}
	if (getsockname(s, (struct sockaddr *)bound, &bl) < 0)
		memcpy(bound, &ss, len);
	if (bound->ss_family != AF_UNIX)
		add_endpoint(op.fields, "server", (struct sockaddr *)bound);
end:
	osl_net_lock();
	err = osl_op_end(ctx, &op, err);
	osl_net_unlock();
release:
	osl_op_release(&op);
	if (err && s >= 0)
		close(s);
	else if (!err)
		*fd = s;
done:
	free(as);
	return err;
}

bool
osl_net_fixed_local(int lfd, struct sockaddr_storage *ss)
{
	socklen_t ll = sizeof(*ss);

	if (getsockname(lfd, (struct sockaddr *)ss, &ll) < 0)
		return false;
	if (ss->ss_family == AF_INET)
		return ((struct sockaddr_in *)ss)->sin_addr.s_addr != htonl(INADDR_ANY);
	if (ss->ss_family == AF_INET6)
		return !IN6_IS_ADDR_UNSPECIFIED(&((struct sockaddr_in6 *)ss)->sin6_addr);
	return false;
}

const struct osl_error *
osl_net_accept(struct osl_ctx *ctx, int lfd, struct osl_net_conn *c)
{
	return osl_net_accept_at(ctx, lfd, NULL, c);
}

const struct osl_error *
osl_net_accept_at(struct osl_ctx *ctx, int lfd, const struct sockaddr_storage *at,
    struct osl_net_conn *c)
{
	const struct osl_error *err;
	struct sockaddr_storage local;
	socklen_t ll = sizeof(local);
	char target[300];
	int fd;

	memset(c, 0, sizeof(*c));
	c->fd = -1;
	c->socktype = SOCK_STREAM;
	c->peerlen = sizeof(c->peer);
	do
		fd = accept4(lfd, (struct sockaddr *)&c->peer, &c->peerlen,
		    SOCK_CLOEXEC | SOCK_NONBLOCK);
	while (fd < 0 && errno == EINTR);
	if (fd < 0)
		return osl_error_errno("accept");
	if (at)
		memcpy(&local, at, sizeof(local));
	else if (getsockname(fd, (struct sockaddr *)&local, &ll) < 0)
		memset(&local, 0, sizeof(local));
	if (c->peer.ss_family == AF_UNIX || local.ss_family == AF_UNIX)
		snprintf(target, sizeof(target), "unix:%s", ((struct sockaddr_un *)&local)->sun_path);
	else
		osl_net_ntop_port((struct sockaddr *)&c->peer, target, sizeof(target));
	snprintf(c->target, sizeof(c->target), "%s", target);
	osl_op_init(&c->op, OSL_ACT_NET_ACCEPT, c->target);
	if (local.ss_family == AF_UNIX) {
		c->op.req.access = OSL_ACCESS_WRITE;
		c->op.req.path = ((struct sockaddr_un *)&local)->sun_path;
	} else {
		fill_req(&c->op.req, NULL, (struct sockaddr *)&local);
		c->op.req.access = OSL_ACCESS_BIND;
		add_endpoint(c->op.fields, "source", (struct sockaddr *)&c->peer);
		add_endpoint(c->op.fields, "destination", (struct sockaddr *)&local);
	}
	add_dest(c->op.fields, NULL, NULL, SOCK_STREAM);
	osl_net_lock();
	err = osl_op_begin(ctx, &c->op);
	osl_net_unlock();
	if (err) {
		close(fd);
		osl_op_release(&c->op);
		return err;
	}
	c->open = true;
	c->fd = fd;
	return NULL;
}
