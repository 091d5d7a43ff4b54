/* connect(2) decided by osl (man osl(7), "A host service's unix socket").
 * Landlock (up to ABI 7) does not check connect() to a named unix socket,
 * and the over-mounts of sockets.c hold only the sockets listening at the
 * start.  Here every connect() of the sandboxed program is a seccomp user
 * notification that a thread of osl answers, never with CONTINUE (the
 * kernel would read the address and the fd again: a thread of the program
 * could change them in between): it takes the program's socket
 * (pidfd_getfd) and its own copy of the address, and
 *   - a path: opens it as the program sees it (/proc/TID/root, /proc/TID/cwd),
 *     and connects the socket to that very inode if a write rule covers its
 *     real path (and it is not one of sockets.c's power sockets, unless a
 *     rule names it), else answers EACCES;
 *   - an abstract name in the host's network namespace: hands the socket
 *     and the copy to a process the child forked right after its
 *     landlock_restrict_self, before its filters (osl_unixconn_abstract):
 *     in the program's very Landlock domain, it connects to the program's
 *     own abstract sockets, and Landlock's scope refuses one outside, as
 *     for the program.  It is not dumpable (no ptrace, /proc/PID/mem or
 *     pidfd_getfd by the program, which has no CAP_SYS_PTRACE where it is
 *     made) and holds no fd but its socket to osl;
 *   - anything else: connects the socket to the copy itself, from a thread
 *     that restricted itself with the program's Landlock ruleset, so that
 *     Landlock's TCP rules hold as they would for the program.
 * Unix datagram sockets (socket, socketpair) are refused: sendto() and
 * sendmsg() name an address the filter cannot see.  A blocking connect is
 * answered from a thread of its own. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/audit.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/openat2.h>
#include <linux/seccomp.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "sandbox/landlock-uapi.h"
#include "sandbox/sandbox-int.h"
#include "sandbox/unixconn.h"
#include "policy/policy.h"

#ifndef PIDFD_THREAD
#define PIDFD_THREAD O_EXCL
#endif

/* The listener the child sent on SOCK, or -1 (FLAGS: MSG_DONTWAIT, or 0
 * to wait for it until the child's ends of the pair close). */
static int
recv_fd(int sock, int flags)
{
	char cbuf[CMSG_SPACE(sizeof(int))], b;
	struct iovec iov = { &b, 1 };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
	    .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *c;
	int fd;

	ssize_t n;

	while ((n = recvmsg(sock, &m, flags | MSG_CMSG_CLOEXEC)) == -1 && errno == EINTR)
		;
	if (n != 1 || !(c = CMSG_FIRSTHDR(&m)) || c->cmsg_type != SCM_RIGHTS)
		return -1;
	memcpy(&fd, CMSG_DATA(c), sizeof(int));
	return fd;
}

/* --- the decision on a path --- */

static bool
covered(const struct osl_unixconn *u, const char *real)
{
	if (!u->ll_fs)
		return true;
	for (size_t i = 0; i < u->nwrite; i++)
		if (osl_path_within(u->write[i], real))
			return true;
	return false;
}

static bool
named(const struct osl_unixconn *u, const char *real)
{
	for (size_t i = 0; i < u->nexact; i++)
		if (!strcmp(u->exact[i], real))
			return true;
	return false;
}

static bool
allowed(const struct osl_unixconn *u, const char *real)
{
	return covered(u, real) && (!osl_sockets_power(real) || named(u, real));
}

static void
deny_note(struct osl_unixconn *u, const char *what, const char *path, const char *addr, pid_t pid)
{
	char p[64], comm[32] = "";
	ssize_t n;
	int fd;

	snprintf(p, sizeof(p), "/proc/%d/comm", (int)pid);
	if ((fd = open(p, O_RDONLY | O_CLOEXEC)) != -1) {
		if ((n = read(fd, comm, sizeof(comm) - 1)) > 0)
			comm[n - (comm[n - 1] == '\n')] = '\0';
		close(fd);
	}
	pthread_mutex_lock(&u->mu);
	for (size_t i = 0; i < u->n; i++)
		if (!strcmp(u->d[i].blockers, what) && !strcmp(u->d[i].path, path) &&
		    !strcmp(u->d[i].addr, addr)) {
			u->d[i].count++;
			pthread_mutex_unlock(&u->mu);
			return;
		}
	if (u->n == OSL_UNIX_MAX_DENIALS) {
		u->lost++;
	} else {
		struct osl_denial *d = &u->d[u->n++];

		snprintf(d->blockers, sizeof(d->blockers), "%s", what);
		snprintf(d->path, sizeof(d->path), "%s", path);
		snprintf(d->addr, sizeof(d->addr), "%s", addr);
		snprintf(d->comm, sizeof(d->comm), "%s", comm);
		d->pid = pid;
		d->count = 1;
	}
	pthread_mutex_unlock(&u->mu);
}

/* The socket named PATH (LEN bytes of sun_path) as task TID sees it,
 * opened O_PATH into *FD with its real path in REAL: 0 or an errno as
 * connect() would give it.  Magic links (/proc/self/fd/N) are refused:
 * they would be osl's. */
static int
open_sock(pid_t tid, const char *path, int *fd, char *real, size_t size, bool *linked)
{
	struct open_how how = { .flags = O_PATH | O_CLOEXEC,
	    .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS };
	char p[64], full[PATH_MAX + 1], cwd[PATH_MAX];
	struct stat st;
	ssize_t n;
	int root;

	if (path[0] != '/') {
		snprintf(p, sizeof(p), "/proc/%d/cwd", (int)tid);
		if ((n = readlink(p, cwd, sizeof(cwd) - 1)) <= 0)
			return ENOENT;
		cwd[n] = '\0';
		if ((size_t)snprintf(full, sizeof(full), "%s/%s", cwd, path) >= sizeof(full))
			return ENAMETOOLONG;
		path = full;
	}
	snprintf(p, sizeof(p), "/proc/%d/root", (int)tid);
	if ((root = open(p, O_PATH | O_DIRECTORY | O_CLOEXEC)) == -1)
		return ENOENT;
	*fd = (int)syscall(SYS_openat2, root, path, &how, sizeof(how));
	close(root);
	if (*fd == -1)
		return errno == EXDEV ? ELOOP : errno;
	snprintf(p, sizeof(p), "/proc/self/fd/%d", *fd);
	if (fstat(*fd, &st) == -1 || !S_ISSOCK(st.st_mode) ||
	    (n = readlink(p, real, size - 1)) <= 0) {
		close(*fd);
		return ECONNREFUSED;	/* not a socket (an over-mount's /dev/null) */
	}
	real[n] = '\0';
	*linked = st.st_nlink > 1;
	return 0;
}

/* --- one notification --- */

struct job {
	struct osl_unixconn *u;
	uint64_t id;
	pid_t pid;
	int sock;			/* the program's socket (pidfd_getfd) */
	int via;			/* a path: the socket's inode (O_PATH), or -1 */
	struct sockaddr_storage a;	/* osl's copy of the address */
	socklen_t len;
};

static void
answer(struct osl_unixconn *u, uint64_t id, int err)
{
	struct seccomp_notif_resp r = { .id = id, .error = err ? -err : 0 };

	(void)ioctl(u->lfd, SECCOMP_IOCTL_NOTIF_SEND, &r);
	__atomic_add_fetch(&u->answered, 1, __ATOMIC_RELAXED);
}

static void
tcp_note(struct job *j)
{
	char ip[INET6_ADDRSTRLEN] = "?", addr[64];
	unsigned port = 0;

	if (j->a.ss_family == AF_INET) {
		struct sockaddr_in *in = (struct sockaddr_in *)&j->a;

		inet_ntop(AF_INET, &in->sin_addr, ip, sizeof(ip));
		port = ntohs(in->sin_port);
	} else if (j->a.ss_family == AF_INET6) {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&j->a;

		inet_ntop(AF_INET6, &in6->sin6_addr, ip, sizeof(ip));
		port = ntohs(in6->sin6_port);
	}
	snprintf(addr, sizeof(addr), "daddr=%s dest=%u", ip, port);
	deny_note(j->u, "net.connect_tcp", "", addr, j->pid);
}

/* Connect the program's socket to the inode osl opened, or to osl's copy
 * of the address, and answer (on the connecting thread: see serve). */
static void
do_connect(struct job *j)
{
	int e = 0;

	if (j->via >= 0) {
		struct sockaddr_un via = { .sun_family = AF_UNIX };

		snprintf(via.sun_path, sizeof(via.sun_path), "/proc/self/fd/%d", j->via);
		if (connect(j->sock, (struct sockaddr *)&via, sizeof(via)) == -1)
			e = errno;
		close(j->via);
	} else if (connect(j->sock, (struct sockaddr *)&j->a, j->len) == -1) {
		e = errno;
		if (e == EACCES && (j->a.ss_family == AF_INET || j->a.ss_family == AF_INET6))
			tcp_note(j);	/* Landlock refused this thread, for the program */
	}
	answer(j->u, j->id, e);
	close(j->sock);
}

/* A path: the socket as the program sees it, and the decision: 0 (J->via
 * open) or the errno to answer. */
static int
decide_path(struct job *j)
{
	size_t off = offsetof(struct sockaddr_un, sun_path);
	struct sockaddr_un *un = (struct sockaddr_un *)&j->a;
	char path[sizeof(un->sun_path) + 1], real[PATH_MAX];
	int e;

	if (j->len > sizeof(*un))
		return EINVAL;	/* as the kernel says it */
	memcpy(path, un->sun_path, j->len - off);
	path[j->len - off] = '\0';
	bool linked = false;

	if ((e = open_sock(j->pid, path, &j->via, real, sizeof(real), &linked)))
		return e;
	/* a socket with another name (a hard link made before the run) may be
	 * a host's below a folder the policy writes: only a rule naming it */
	if (linked ? named(j->u, real) : allowed(j->u, real))
		return 0;
	close(j->via);
	j->via = -1;
	deny_note(j->u, "unix.connect", real, "", j->pid);
	return EACCES;
}

static void unref(struct osl_unixconn *u);

/* An abstract name in the host's network namespace: connected by the
 * program's abstract connector, one at a time (its answer: the errno). */
static void *
abstract_job(void *arg)
{
	struct job *j = arg;
	struct osl_unixconn *u = j->u;
	struct osl_abs_msg m = { .len = j->len };
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
	struct iovec iov = { &m, sizeof(m) };
	struct msghdr h = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
	    .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *c = CMSG_FIRSTHDR(&h);
	int e = EPERM;

	memcpy(&m.a, &j->a, j->len);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &j->sock, sizeof(int));
	pthread_mutex_lock(&u->abs_mu);
	if (sendmsg(u->abs_fd, &h, MSG_NOSIGNAL) == (ssize_t)sizeof(m) &&
	    recv(u->abs_fd, &e, sizeof(e), 0) != (ssize_t)sizeof(e))
		e = EPERM;	/* the connector is gone: refused as Landlock would */
	pthread_mutex_unlock(&u->abs_mu);
	answer(u, j->id, e);
	close(j->sock);
	free(j);
	unref(u);
	return NULL;
}

static void *
worker(void *arg)
{
	struct job *j = arg;
	struct osl_unixconn *u = j->u;

	do_connect(j);
	free(j);
	unref(u);
	return NULL;
}

/* The call's arguments (fd, address, length): from the registers, or for
 * i386's socketcall from the program's memory (osl's copy). */
static int
args_of(const struct seccomp_notif *n, unsigned long long *a)
{
	if (n->data.arch == AUDIT_ARCH_I386 && n->data.nr == 102) {
		uint32_t v[3];
		struct iovec l = { v, sizeof(v) }, r = { (void *)(uintptr_t)n->data.args[1], sizeof(v) };

		if (process_vm_readv(n->pid, &l, 1, &r, 1, 0) != (ssize_t)sizeof(v))
			return EFAULT;
		for (int i = 0; i < 3; i++)
			a[i] = v[i];
		return 0;
	}
	for (int i = 0; i < 3; i++)
		a[i] = n->data.args[i];
	if (n->data.arch == AUDIT_ARCH_I386 || (n->data.nr & OSL_X32))
		a[0] = (uint32_t)a[0], a[2] = (uint32_t)a[2];
	return 0;
}

static void *connector(void *arg);
static int connector_start(struct osl_unixconn *u);
static int spawn(struct osl_unixconn *u, void *(*fn)(void *), void *arg);

static void
handle(struct osl_unixconn *u, const struct seccomp_notif *n)
{
	size_t off = offsetof(struct sockaddr_un, sun_path);
	struct job *j = calloc(1, sizeof(*j));
	unsigned long long a[3];
	int pidfd = -1, e;

	if (!j) {
		answer(u, n->id, ENOMEM);
		return;
	}
	j->u = u;
	j->id = n->id;
	j->pid = (pid_t)n->pid;
	j->sock = j->via = -1;
	if ((e = args_of(n, a)))
		goto fail;
	if (a[2] < sizeof(sa_family_t) || a[2] > sizeof(j->a)) {
		e = EINVAL;
		goto fail;
	}
	j->len = (socklen_t)a[2];
	{
		struct iovec l = { &j->a, j->len }, r = { (void *)(uintptr_t)a[1], j->len };

		if (process_vm_readv(n->pid, &l, 1, &r, 1, 0) != (ssize_t)j->len) {
			e = EFAULT;
			goto fail;
		}
	}
	if ((pidfd = (int)syscall(SYS_pidfd_open, n->pid, PIDFD_THREAD)) == -1 &&
	    (pidfd = (int)syscall(SYS_pidfd_open, n->pid, 0)) == -1) {
		e = ESRCH;
		goto fail;
	}
	/* the pidfd is the task that asked (not one that took its pid since) */
	if (ioctl(u->lfd, SECCOMP_IOCTL_NOTIF_ID_VALID, &n->id) == -1) {
		close(pidfd);
		free(j);
		return;
	}
	j->sock = (int)syscall(SYS_pidfd_getfd, pidfd, (int)a[0], 0);
	e = errno;
	close(pidfd);
	if (j->sock == -1)
		goto fail;
	if (j->a.ss_family == AF_UNIX && j->len > off && ((char *)&j->a)[off]) {
		if ((e = decide_path(j))) {
			close(j->sock);
			goto fail;
		}
		/* here: Landlock has no say on it (a unix connect waits only
		 * while the listener's backlog is full) */
		do_connect(j);
		free(j);
		return;
	}
	/* an abstract name in a network namespace of the program's own (or the
	 * egress proxy's, where only osl listens, on TCP): only the program's
	 * sockets have names there; the connector's Landlock domain is no
	 * ancestor of the program's, so its scope would refuse them */
	if (j->a.ss_family == AF_UNIX && u->own_net) {
		do_connect(j);
		free(j);
		return;
	}
	/* an abstract name in the host's: the program's abstract connector,
	 * on a thread of its own (a full backlog blocks it) */
	if (j->a.ss_family == AF_UNIX && u->abs_fd >= 0) {
		if (!(e = spawn(u, abstract_job, j)))
			return;
		close(j->sock);
		goto fail;
	}
	/* any other address on the thread under the program's ruleset, made
	 * the first time (most runs connect to no address) */
	if ((e = connector_start(u))) {
		close(j->sock);
		goto fail;
	}
	if (write(u->pipe[1], &j, sizeof(j)) == (ssize_t)sizeof(j))
		return;
	e = errno;
	close(j->sock);
fail:
	answer(u, n->id, e);
	free(j);
}

/* The connects but to a path: under the program's Landlock ruleset, as
 * what Landlock holds for the program (TCP ports, abstract sockets) must
 * hold for what osl does for it; a blocking one but a unix one on a
 * thread of its own (made by this one: the same Landlock domain). */
static void *
connector(void *arg)
{
	struct osl_unixconn *u = arg;
	bool broken = false;
	struct job *j;

	if (u->ruleset_fd >= 0 && (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1 ||
	    syscall(__NR_landlock_restrict_self, u->ruleset_fd, 0) == -1))
		broken = true;	/* refuse every connect rather than widen it */
	while (read(u->pipe[0], &j, sizeof(j)) == (ssize_t)sizeof(j)) {
		int fl = fcntl(j->sock, F_GETFL);

		if (broken) {
			answer(u, j->id, EPERM);
			close(j->sock);
			free(j);
			continue;
		}
		if (fl != -1 && !(fl & O_NONBLOCK) && j->a.ss_family != AF_UNIX &&
		    !spawn(u, worker, j))
			continue;
		do_connect(j);
		free(j);
	}
	unref(u);
	return NULL;
}

/* The connector's pipe and thread, the first time (most runs connect to
 * no address): 0, or an errno with neither left behind.  The pipe's
 * write end is open while the connector runs. */
static int
connector_start(struct osl_unixconn *u)
{
	int e;

	if (u->pipe[1] != -1)
		return 0;
	if (pipe2(u->pipe, O_CLOEXEC) == -1)
		return errno;
	if ((e = spawn(u, connector, u))) {
		close(u->pipe[0]);
		close(u->pipe[1]);
		u->pipe[0] = u->pipe[1] = -1;
	}
	return e;
}

/* The notifications: read, checked and decided here (this thread is not
 * under Landlock: it reads the program's memory and takes its fd). */
static void *
serve(void *arg)
{
	struct osl_unixconn *u = arg;
	struct seccomp_notif n;
	struct pollfd pf;

	/* a supervised child may still be setting up: its listener comes,
	 * or its ends of the pair close (it failed: no task to answer) */
	if (u->lfd == -1) {
		u->lfd = recv_fd(u->wait_fd, 0);
		close(u->wait_fd);
		u->wait_fd = -1;
	}
	pf = (struct pollfd){ .fd = u->lfd, .events = POLLIN };
	while (pf.fd != -1) {
		if (poll(&pf, 1, -1) == -1) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (pf.revents & (POLLHUP | POLLERR | POLLNVAL))
			break;	/* no task left under the filter */
		memset(&n, 0, sizeof(n));
		if (ioctl(u->lfd, SECCOMP_IOCTL_NOTIF_RECV, &n) == -1)
			continue;	/* ENOENT: the call was interrupted */
		handle(u, &n);
	}
	if (u->pipe[1] != -1) {
		close(u->pipe[1]);	/* the connector ends */
		u->pipe[1] = -1;
	}
	unref(u);
	return NULL;
}

static const struct osl_error *
copy_rules(struct osl_unixconn *u, const struct osl_policy *p)
{
	char wp[4096];

	if (!(u->write = calloc(p->nrules + 1, sizeof(char *))) ||
	    !(u->exact = calloc(p->nrules + 1, sizeof(char *))))
		return osl_error_sys(OSL_ESETUP, ENOMEM, "unix connect rules");
	for (size_t j = 0; j < p->nrules; j++) {
		const struct osl_rule *r = &p->rules[j];

		if (r->kind != OSL_RULE_FS_WRITE || !r->real)
			continue;
		osl_landlock_prefix(r->real, wp, sizeof(wp));
		if (!(u->write[u->nwrite] = strdup(wp)))
			return osl_error_sys(OSL_ESETUP, ENOMEM, "unix connect rules");
		u->nwrite++;
		if (!strpbrk(r->real, "*?[") && !(u->exact[u->nexact++] = strdup(r->real)))
			return osl_error_sys(OSL_ESETUP, ENOMEM, "unix connect rules");
	}
	return NULL;
}

/* The last of main and the threads frees U. */
static void
unref(struct osl_unixconn *u)
{
	if (__atomic_sub_fetch(&u->refs, 1, __ATOMIC_ACQ_REL))
		return;
	for (int i = 0; i < 2; i++)
		if (u->pipe[i] != -1)
			close(u->pipe[i]);
	if (u->lfd != -1)
		close(u->lfd);
	if (u->wait_fd != -1)
		close(u->wait_fd);
	if (u->abs_fd != -1)
		close(u->abs_fd);
	pthread_mutex_destroy(&u->abs_mu);
	if (u->ruleset_fd >= 0)
		close(u->ruleset_fd);
	for (size_t i = 0; u->write && i < u->nwrite; i++)
		free(u->write[i]);
	for (size_t i = 0; u->exact && i < u->nexact; i++)
		free(u->exact[i]);
	free(u->write);
	free(u->exact);
	pthread_mutex_destroy(&u->mu);
	free(u);
}

/* A thread that holds a reference to U, detached. */
static int
spawn(struct osl_unixconn *u, void *(*fn)(void *), void *arg)
{
	pthread_attr_t at;
	pthread_t t;
	int e;

	__atomic_add_fetch(&u->refs, 1, __ATOMIC_ACQ_REL);
	pthread_attr_init(&at);
	pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
	/* a few frames and a PATH_MAX or two: not glibc's 8 MiB */
	pthread_attr_setstacksize(&at, 256 * 1024);
	if ((e = pthread_create(&t, &at, fn, arg)))
		__atomic_sub_fetch(&u->refs, 1, __ATOMIC_ACQ_REL);
	pthread_attr_destroy(&at);
	return e;
}

struct osl_unixconn *
osl_unixconn_start(const struct osl_sandbox *sb, const struct osl_policy *p, int peer,
    bool later, const struct osl_error **err)
{
	struct osl_unixconn *u = calloc(1, sizeof(*u));
	int e;

	if (!u) {
		*err = osl_error_sys(OSL_ESETUP, ENOMEM, "unix connect");
		return NULL;
	}
	u->refs = 1;
	u->lfd = u->wait_fd = u->ruleset_fd = u->pipe[0] = u->pipe[1] = u->abs_fd = -1;
	pthread_mutex_init(&u->mu, NULL);
	pthread_mutex_init(&u->abs_mu, NULL);
	u->ll_fs = sb->ll_fs;
	u->own_net = (sb->ns_flags & CLONE_NEWNET) || sb->netns_fd > 0;
	if ((*err = copy_rules(u, p)))
		goto fail;
	if ((u->lfd = recv_fd(peer, MSG_DONTWAIT)) == -1 && !later) {
		*err = osl_error_new(OSL_ESETUP, "the program's connect() filter: no listener came");
		goto fail;
	}
	if (u->lfd == -1 && (u->wait_fd = fcntl(peer, F_DUPFD_CLOEXEC, 3)) == -1) {
		*err = osl_error_sys(OSL_ESETUP, errno, "dup the pair to the child");
		goto fail;
	}
	/* the abstract connector's socket: the listener's, which came first */
	if (osl_unixconn_abstract_wanted(sb) && (u->abs_fd = fcntl(peer, F_DUPFD_CLOEXEC, 3)) == -1) {
		*err = osl_error_sys(OSL_ESETUP, errno, "dup the connector's socket");
		goto fail;
	}
	if (sb->ruleset_fd != -1 && (u->ruleset_fd = fcntl(sb->ruleset_fd, F_DUPFD_CLOEXEC, 3)) == -1) {
		*err = osl_error_sys(OSL_ESETUP, errno, "dup the landlock ruleset");
		goto fail;
	}
	if ((e = spawn(u, serve, u))) {
		*err = osl_error_sys(OSL_ESETUP, e, "the thread that answers connect()");
		goto fail;
	}
	return u;
fail:
	unref(u);
	return NULL;
}

/* The threads end when no task is left under the filter (one the program
 * left behind, a daemon, keeps them: they go with osl); no wait here. */
void
osl_unixconn_release(struct osl_unixconn *u)
{
	if (u)
		unref(u);
}
