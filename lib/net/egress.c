/* Egress by host name for a sandboxed child: the proxy runs in a thread of
 * osl for the life of the child.  Where a network namespace can be made
 * (as root, or inside an unprivileged user namespace), a helper process
 * makes the child's namespace (only loopback), creates the proxy's
 * listening socket inside it and hands it back over a socketpair with the
 * namespaces' fds; the child joins them (sandbox apply) and reaches the
 * proxy on its own loopback, while the proxy accepts there and connects
 * out from osl's namespace.  Elsewhere the proxy listens on the host's
 * loopback and Landlock limits the child to its port. */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "net/net.h"
#include "sandbox/sandbox.h"

bool
osl_egress_wanted(const struct osl_policy *p)
{
	for (size_t i = 0; i < p->nrules; i++)
		if (p->rules[i].kind == OSL_RULE_NET_CONNECT &&
		    (p->rules[i].net.host == OSL_NH_NAME || p->rules[i].net.host == OSL_NH_SUFFIX))
			return true;
	return false;
}

/* A listening socket on 127.0.0.1, port chosen by the kernel. */
static int
loopback_listener(uint16_t *port)
{
	struct sockaddr_in in = { .sin_family = AF_INET };
	socklen_t len = sizeof(in);
	int s;

	in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return -1;
	if (bind(s, (struct sockaddr *)&in, sizeof(in)) < 0 || listen(s, 128) < 0 ||
	    getsockname(s, (struct sockaddr *)&in, &len) < 0) {
		close(s);
		return -1;
	}
	*port = ntohs(in.sin_port);
	return s;
}

/* What the helper sends back: an errno and the step that failed, or the
 * port with three fds (listener, net ns, user ns or a second net ns fd). */
struct ns_reply {
	int err;
	unsigned step;		/* index in steps[] */
	uint16_t port;
	bool user;
};

static const char *const steps[] = { "unshare", "user namespace maps", "bringing up lo",
	"listening on 127.0.0.1", "/proc/self/ns/net", "/proc/self/ns/user" };

/* Send R and, when it holds no error, FDS[3] over SOCK. */
static void
send_reply(int sock, const struct ns_reply *r, const int *fds)
{
	char cbuf[CMSG_SPACE(3 * sizeof(int))];
	struct iovec iov = { (void *)r, sizeof(*r) };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *c;

	if (!r->err) {
		memset(cbuf, 0, sizeof(cbuf));
		m.msg_control = cbuf;
		m.msg_controllen = sizeof(cbuf);
		c = CMSG_FIRSTHDR(&m);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(3 * sizeof(int));
		memcpy(CMSG_DATA(c), fds, 3 * sizeof(int));
	}
	while (sendmsg(sock, &m, MSG_NOSIGNAL) < 0 && errno == EINTR)
		;
}

#define FAIL(s) do { r.err = errno ? errno : EIO; r.step = s; goto out; } while (0)

/* The helper, after fork (system calls only): a new network namespace, in
 * a new user namespace when osl alone cannot make one, with loopback up
 * and the listener in it.  MAPS: the uid and gid maps for the user
 * namespace ("UID UID 1"). */
static void
helper(int sock, const char *uid_map, const char *gid_map)
{
	struct ns_reply r = { 0 };
	int fds[3] = { -1, -1, -1 };

	errno = 0;
	if (geteuid() != 0 || unshare(CLONE_NEWNET) < 0) {
		r.user = true;
		if (unshare(CLONE_NEWUSER | CLONE_NEWNET) < 0)
			FAIL(0);
		if ((errno = osl_userns_map(uid_map, gid_map)))
			FAIL(1);
	}
	if ((errno = osl_lo_up()))
		FAIL(2);
	if ((fds[0] = loopback_listener(&r.port)) < 0)
		FAIL(3);
	if ((fds[1] = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC)) < 0)
		FAIL(4);
	/* no user namespace: the third fd is the net one again, never used */
	if ((fds[2] = open(r.user ? "/proc/self/ns/user" : "/proc/self/ns/net",
	    O_RDONLY | O_CLOEXEC)) < 0)
		FAIL(5);
out:
	send_reply(sock, &r, fds);
	_exit(0);
}

/* Receive the helper's reply into E. */
static bool
recv_reply(int sock, struct osl_egress *e)
{
	char cbuf[CMSG_SPACE(3 * sizeof(int))];
	struct ns_reply r;
	struct iovec iov = { &r, sizeof(r) };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
	    .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *c;
	int fds[3];
	ssize_t n;

	while ((n = recvmsg(sock, &m, MSG_CMSG_CLOEXEC)) < 0 && errno == EINTR)
		;
	if (n != (ssize_t)sizeof(r)) {
		snprintf(e->reason, sizeof(e->reason), "the network namespace helper said nothing");
		return false;
	}
	if (r.err) {
		snprintf(e->reason, sizeof(e->reason), "%s: %s",
		    r.step < sizeof(steps) / sizeof(steps[0]) ? steps[r.step] : "?", strerror(r.err));
		return false;
	}
	c = CMSG_FIRSTHDR(&m);
	if (!c || c->cmsg_type != SCM_RIGHTS || c->cmsg_len != CMSG_LEN(sizeof(fds))) {
		snprintf(e->reason, sizeof(e->reason), "the network namespace helper sent no fds");
		return false;
	}
	memcpy(fds, CMSG_DATA(c), sizeof(fds));
	e->lfd = fds[0];
	e->netns_fd = fds[1];
	if (r.user)
		e->userns_fd = fds[2];
	else
		close(fds[2]);
	e->port = r.port;
	return true;
}

/* The child's namespace with the listener inside; false (and REASON) when
 * one cannot be made here. */
static bool
make_ns(struct osl_egress *e)
{
	char uid_map[48], gid_map[48];
	int sv[2], ws;
	pid_t pid;
	bool ok;

	snprintf(uid_map, sizeof(uid_map), "%u %u 1\n", geteuid(), geteuid());
	snprintf(gid_map, sizeof(gid_map), "%u %u 1\n", getegid(), getegid());
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		snprintf(e->reason, sizeof(e->reason), "socketpair: %s", strerror(errno));
		return false;
	}
	if ((pid = fork()) < 0) {
		snprintf(e->reason, sizeof(e->reason), "fork: %s", strerror(errno));
		close(sv[0]);
		close(sv[1]);
		return false;
	}
	if (pid == 0) {
		close(sv[0]);
		helper(sv[1], uid_map, gid_map);
	}
	close(sv[1]);
	ok = recv_reply(sv[0], e);
	close(sv[0]);
	while (waitpid(pid, &ws, 0) < 0 && errno == EINTR)
		;
	return ok;
}

static void *
egress_main(void *arg)
{
	struct osl_egress *e = arg;
	struct osl_proxy_opts po = { 64, 10000000000ULL, 600000000000ULL, &e->stop, true,
	    e->stop_pipe[0] };
	const struct osl_error *err;

	if ((err = osl_proxy_serve(e->ctx, e->lfd, &po)))
		osl_error_keep(&e->err, err);
	return NULL;
}

const struct osl_error *
osl_egress_start(struct osl_ctx *ctx, struct osl_egress *e)
{
	memset(e, 0, sizeof(*e));
	e->lfd = e->netns_fd = e->userns_fd = -1;
	e->stop_pipe[0] = e->stop_pipe[1] = -1;
	e->ctx = ctx;
	/* none: the proxy sees the stop within 200 ms instead */
	if (pipe2(e->stop_pipe, O_CLOEXEC) < 0)
		e->stop_pipe[0] = e->stop_pipe[1] = -1;
	if (!make_ns(e)) {
		if ((e->lfd = loopback_listener(&e->port)) < 0)
			return osl_error_errno("egress proxy: cannot listen on 127.0.0.1");
	}
	snprintf(e->url, sizeof(e->url), "http://127.0.0.1:%u", e->port);
	if (pthread_create(&e->th, NULL, egress_main, e) != 0) {
		osl_egress_stop(e);
		return osl_error_new(OSL_ESETUP, "egress proxy: cannot start its thread");
	}
	e->running = true;
	return NULL;
}

void
osl_egress_stop(struct osl_egress *e)
{
	if (e->running) {
		e->stop = 1;
		if (e->stop_pipe[1] >= 0)
			(void)!write(e->stop_pipe[1], "", 1);
		pthread_join(e->th, NULL);
		e->running = false;
	}
	for (int i = 0; i < 2; i++)
		if (e->stop_pipe[i] >= 0)
			close(e->stop_pipe[i]);
	e->stop_pipe[0] = e->stop_pipe[1] = -1;
	if (e->lfd >= 0)
		close(e->lfd);
	if (e->netns_fd >= 0)
		close(e->netns_fd);
	if (e->userns_fd >= 0)
		close(e->userns_fd);
	e->lfd = e->netns_fd = e->userns_fd = -1;
}
