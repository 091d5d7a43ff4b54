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

	if (sa->sa_family == AF_INET || sa->sa_family == AF_INET6) {
		cJSON_AddStringToObject(s, "ip", osl_net_ntop(sa, a, sizeof(a)));
		cJSON_AddNumberToObject(s, "port", port_of(sa));
	}
}

const struct osl_error *
osl_net_resolve(struct osl_ctx *ctx, const char *name, int family, uint16_t port,
    struct osl_net_addrs *out)
{
	const struct osl_error *err = NULL;
	struct addrinfo hints, *res = NULL, *ai;
	struct osl_op op;
	cJSON *ips;
	char a[INET6_ADDRSTRLEN];
	int rc;

	memset(out, 0, sizeof(*out));
	osl_op_init(&op, "net.resolve", "network", "info", name);
	op.req.host = name;
	osl_log_add_text(osl_log_obj(op.fields, "destination"), "domain", name);
	osl_log_add_text(osl_log_obj(op.fields, "dns"), "question.name", name);
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

/* Connect FD to SA before DEADLINE (monotonic ns, 0: none). */
static const struct osl_error *
connect_by(int fd, const struct sockaddr *sa, socklen_t len, uint64_t deadline, const char *what)
{
	struct pollfd p = { .fd = fd, .events = POLLOUT };
	int e = 0, fl;
	socklen_t el = sizeof(e);

	fl = fcntl(fd, F_GETFL);
	fcntl(fd, F_SETFL, fl | O_NONBLOCK);
	if (connect(fd, sa, len) == 0)
		goto ok;
	if (errno != EINPROGRESS)
		return osl_error_sys(OSL_EFAIL, errno, "'%s': cannot connect: %s", what, strerror(errno));
	for (;;) {
		int ms = -1, rc;

		if (deadline) {
			uint64_t now = osl_now_mono_ns();

			if (now >= deadline)
				return osl_error_sys(OSL_ETIMEOUT, ETIMEDOUT,
				    "'%s': cannot connect: timed out", what);
			ms = (int)((deadline - now + 999999) / 1000000);
		}
		rc = poll(&p, 1, ms);
		if (rc < 0 && errno == EINTR)
			continue;
		if (rc < 0)
			return osl_error_errno("'%s': poll", what);
		if (rc > 0)
			break;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &el) < 0)
		e = errno;
	if (e)
		return osl_error_sys(OSL_EFAIL, e, "'%s': cannot connect: %s", what, strerror(e));
ok:
	fcntl(fd, F_SETFL, fl);
	return NULL;
}

/* Try one address through the pipeline; on success C is open. */
static const struct osl_error *
try_addr(struct osl_ctx *ctx, const char *target, const char *host, const struct sockaddr *sa,
    socklen_t len, const struct osl_net_opts *o, uint64_t deadline, struct osl_net_conn *c)
{
	const struct osl_error *err;
	struct sockaddr_storage local;
	socklen_t ll = sizeof(local);
	int fd = -1;

	snprintf(c->target, sizeof(c->target), "%s", target);
	osl_op_init(&c->op, o->action ? o->action : "net.connect", "network", "connection",
	    c->target);
	if (sa->sa_family == AF_UNIX) {
		c->op.req.access = OSL_ACCESS_WRITE;
		c->op.req.path = ((const struct sockaddr_un *)sa)->sun_path;
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
	c->fd = -1;
	if ((fd = socket(sa->sa_family, c->socktype | SOCK_CLOEXEC, 0)) < 0)
		err = osl_error_errno("'%s': socket", target);
	else
		err = connect_by(fd, sa, len, deadline, target);
	if (err) {
		if (fd >= 0)
			close(fd);
		osl_net_lock();
		err = osl_op_end(ctx, &c->op, err);
		osl_net_unlock();
		osl_op_release(&c->op);
		c->open = false;
		return err;
	}
	if (getsockname(fd, (struct sockaddr *)&local, &ll) == 0)
		add_endpoint(c->op.fields, "source", (struct sockaddr *)&local);
	c->fd = fd;
	memcpy(&c->peer, sa, len);
	c->peerlen = len;
	return NULL;
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
	char target[300];
	size_t i, first_denied = SIZE_MAX;
	bool tried = false;

	memset(c, 0, sizeof(*c));
	c->fd = -1;
	c->socktype = o->socktype ? o->socktype : SOCK_STREAM;
	if (t->family == AF_UNIX)
		snprintf(target, sizeof(target), "unix:%s", t->path);
	else if (t->host[0])
		snprintf(target, sizeof(target), "%s:%u", t->host, t->port);
	if (t->family) {
		struct sockaddr_storage ss;
		socklen_t len = literal_sa(t, &ss);

		if (t->family != AF_UNIX)
			osl_net_ntop_port((struct sockaddr *)&ss, target, sizeof(target));
		return try_addr(ctx, target, NULL, (struct sockaddr *)&ss, len, o, deadline, c);
	}
	if (!(as = malloc(sizeof(*as))))
		return osl_error_nomem();
	if ((err = osl_net_resolve(ctx, t->host, o->family, t->port, as)))
		goto done;
	if (as->n == 0) {
		err = osl_error_new(OSL_EFAIL, "'%s': no address", target);
		goto done;
	}
	/* an explicit deny on any address denies the name (logged by try_addr) */
	osl_net_lock();
	err = osl_ctx_policy(ctx, &p);
	for (i = 0; !err && i < as->n; i++) {
		memset(&rq, 0, sizeof(rq));
		rq.access = OSL_ACCESS_CONNECT;
		fill_req(&rq, t->host, (struct sockaddr *)&as->sa[i]);
		osl_policy_decide(p, &rq, &d);
		if (d.verdict == OSL_DENY && first_denied == SIZE_MAX)
			first_denied = i;
		if (d.verdict == OSL_DENY && d.rule && d.rule->kind == OSL_RULE_NET_DENY)
			break;
	}
	osl_net_unlock();
	if (err)
		goto done;
	if (i < as->n) {
		err = try_addr(ctx, target, t->host, (struct sockaddr *)&as->sa[i], as->len[i], o,
		    deadline, c);
		goto done;
	}
	for (i = 0; i < as->n; i++) {
		memset(&rq, 0, sizeof(rq));
		rq.access = OSL_ACCESS_CONNECT;
		fill_req(&rq, t->host, (struct sockaddr *)&as->sa[i]);
		osl_net_lock();
		osl_policy_decide(p, &rq, &d);
		osl_net_unlock();
		if (d.verdict == OSL_DENY)
			continue;
		tried = true;
		err = try_addr(ctx, target, t->host, (struct sockaddr *)&as->sa[i], as->len[i], o,
		    deadline, c);
		if (!err || err->status == OSL_EDENIED || err->status == OSL_ETIMEOUT)
			goto done;
	}
	if (!tried)	/* none allowed: log and return the denial of the first */
		err = try_addr(ctx, target, t->host, (struct sockaddr *)&as->sa[first_denied],
		    as->len[first_denied], o, deadline, c);
done:
	free(as);
	return err;
}

const struct osl_error *
osl_net_conn_end(struct osl_ctx *ctx, struct osl_net_conn *c, const struct osl_error *result)
{
	const struct osl_error *err = result;

	if (c->open) {
		/* ECS: source.bytes went from the source to the destination;
		 * the peer of an accepted connection is the source */
		bool acc = strcmp(c->op.action, "net.accept") == 0;

		osl_log_add_u64(osl_log_obj(c->op.fields, "source"), "bytes",
		    acc ? c->bytes_in : c->bytes_out);
		osl_log_add_u64(osl_log_obj(c->op.fields, "destination"), "bytes",
		    acc ? c->bytes_out : c->bytes_in);
		osl_net_lock();
		err = osl_op_end(ctx, &c->op, result);
		osl_net_unlock();
		osl_op_release(&c->op);
		c->open = false;
	}
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
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
		if ((err = osl_net_resolve(ctx, t->host, 0, t->port, as)))
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
	osl_op_init(&op, "net.bind", "network", "start", target);
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
		err = osl_error_sys(OSL_EFAIL, errno, "'%s': cannot bind: %s", target, strerror(errno));
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

const struct osl_error *
osl_net_accept(struct osl_ctx *ctx, int lfd, struct osl_net_conn *c)
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
		fd = accept4(lfd, (struct sockaddr *)&c->peer, &c->peerlen, SOCK_CLOEXEC);
	while (fd < 0 && errno == EINTR);
	if (fd < 0)
		return osl_error_errno("accept");
	if (getsockname(fd, (struct sockaddr *)&local, &ll) < 0)
		memset(&local, 0, sizeof(local));
	if (c->peer.ss_family == AF_UNIX || local.ss_family == AF_UNIX)
		snprintf(target, sizeof(target), "unix:%s", ((struct sockaddr_un *)&local)->sun_path);
	else
		osl_net_ntop_port((struct sockaddr *)&c->peer, target, sizeof(target));
	snprintf(c->target, sizeof(c->target), "%s", target);
	osl_op_init(&c->op, "net.accept", "network", "connection", c->target);
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
