/* Egress by host name for a sandboxed child: the proxy runs in a thread of
 * osl for the life of the child.  Where osl may make a network namespace,
 * the child's namespace (only loopback) is made here, the proxy's listening
 * socket is created inside it, and osl switches back: the child reaches the
 * proxy on its own loopback, and the proxy connects out from osl's
 * namespace.  Elsewhere the proxy listens on the host's loopback and
 * Landlock limits the child to its port. */
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
#include <unistd.h>

#include "net/net.h"

bool
osl_egress_wanted(const struct osl_policy *p)
{
	for (size_t i = 0; i < p->nrules; i++)
		if (p->rules[i].kind == OSL_RULE_NET_CONNECT &&
		    (p->rules[i].net.host == OSL_NH_NAME || p->rules[i].net.host == OSL_NH_SUFFIX))
			return true;
	return false;
}

static int
lo_up(void)
{
	struct ifreq ifr;
	int s, e = 0;

	if ((s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0)
		return errno;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
	if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0)
		e = errno;
	ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
	if (!e && ioctl(s, SIOCSIFFLAGS, &ifr) < 0)
		e = errno;
	close(s);
	return e;
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

/* The child's namespace with the listener inside; false (and REASON) when
 * one cannot be made here. */
static bool
make_ns(struct osl_egress *e)
{
	int orig, err = 0;

	if ((orig = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC)) < 0) {
		snprintf(e->reason, sizeof(e->reason), "cannot open /proc/self/ns/net: %s",
		    strerror(errno));
		return false;
	}
	if (unshare(CLONE_NEWNET) < 0) {
		snprintf(e->reason, sizeof(e->reason), "no network namespace can be made here (%s)",
		    strerror(errno));
		close(orig);
		return false;
	}
	if ((err = lo_up()) == 0 && (e->lfd = loopback_listener(&e->port)) < 0)
		err = errno;
	if (!err && (e->netns_fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC)) < 0)
		err = errno;
	/* back to osl's own namespace: the proxy connects out from there */
	if (setns(orig, CLONE_NEWNET) < 0 && !err)
		err = errno;
	close(orig);
	if (err) {
		snprintf(e->reason, sizeof(e->reason), "network namespace set-up failed (%s)",
		    strerror(err));
		if (e->lfd >= 0)
			close(e->lfd);
		if (e->netns_fd >= 0)
			close(e->netns_fd);
		e->lfd = e->netns_fd = -1;
		return false;
	}
	return true;
}

static void *
egress_main(void *arg)
{
	struct osl_egress *e = arg;
	struct osl_proxy_opts po = { 64, 10000000000ULL, 600000000000ULL, &e->stop, true };
	const struct osl_error *err;

	if ((err = osl_proxy_serve(e->ctx, e->lfd, &po)))
		osl_error_keep(&e->err, err);
	return NULL;
}

const struct osl_error *
osl_egress_start(struct osl_ctx *ctx, struct osl_egress *e)
{
	memset(e, 0, sizeof(*e));
	e->lfd = e->netns_fd = -1;
	e->ctx = ctx;
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
		pthread_join(e->th, NULL);
		e->running = false;
	}
	if (e->lfd >= 0)
		close(e->lfd);
	if (e->netns_fd >= 0)
		close(e->netns_fd);
	e->lfd = e->netns_fd = -1;
}
