/* connect(2) decided by osl, the child's side (man osl(7), "A host
 * service's unix socket"): the filter that notifies osl of each connect(),
 * its listener sent to osl, and the abstract connector.  osl's side, the
 * thread that answers: unixconn.c. */
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "sandbox/sandbox-int.h"
#include "sandbox/unixconn.h"

bool
osl_unixconn_supported(void)
{
	struct seccomp_notif_sizes sz;

	char y = '0';
	int fd;

	/* Yama's ptrace_scope 2: pidfd_getfd for root only (CAP_SYS_PTRACE); 3: none */
	if ((fd = open("/proc/sys/kernel/yama/ptrace_scope", O_RDONLY | O_CLOEXEC)) != -1) {
		if (read(fd, &y, 1) != 1)
			y = '0';
		close(fd);
	}
	return syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sz) == 0 &&
	    syscall(SYS_pidfd_getfd, -1, 0, 0) == -1 && errno == EBADF &&
	    (y < '2' || (y == '2' && geteuid() == 0));
}

/* The filter: x86-64 and x32 (nr | OSL_X32), i386 (direct calls and socketcall).
 * io_uring (425-427 on all three) would connect past it: refused as the
 * default profile does, for a policy with seccomp: none too. */
enum { L_URING = 21, L_SOCK = 24, L_NOTIFY = 30, L_EPERM, L_ENOSYS, L_ALLOW };
#define LD(off) BPF_STMT(BPF_LD | BPF_W | BPF_ABS, (off))
#define ARG(i) LD(offsetof(struct seccomp_data, args[i]))	/* the low 32 bits */
#define JEQ(pc, k, t, f) BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (k), (t) - (pc) - 1, (f) - (pc) - 1)
#define RET(v) BPF_STMT(BPF_RET | BPF_K, (v))
static const struct sock_filter filter[] = {
	/* 0 */ LD(offsetof(struct seccomp_data, arch)),
	/* 1 */ JEQ(1, AUDIT_ARCH_X86_64, 2, 11),
	/* 2 */ LD(offsetof(struct seccomp_data, nr)),
	/* 3 */ JEQ(3, 42, L_NOTIFY, 4),		/* connect */
	/* 4 */ JEQ(4, 42 | OSL_X32, L_NOTIFY, 5),
	/* 5 */ JEQ(5, 41, L_SOCK, 6),		/* socket */
	/* 6 */ JEQ(6, 41 | OSL_X32, L_SOCK, 7),
	/* 7 */ JEQ(7, 53, L_SOCK, 8),		/* socketpair */
	/* 8 */ JEQ(8, 53 | OSL_X32, L_SOCK, 9),
	/* 9 */ BPF_STMT(BPF_ALU | BPF_AND | BPF_K, ~OSL_X32),
	/* 10 */ BPF_STMT(BPF_JMP | BPF_JA, L_URING - 11),
	/* 11 */ JEQ(11, AUDIT_ARCH_I386, 12, L_ALLOW),
	/* 12 */ LD(offsetof(struct seccomp_data, nr)),
	/* 13 */ JEQ(13, 362, L_NOTIFY, 14),	/* connect */
	/* 14 */ JEQ(14, 359, L_SOCK, 15),	/* socket */
	/* 15 */ JEQ(15, 360, L_SOCK, 16),	/* socketpair */
	/* 16 */ JEQ(16, 102, 17, L_URING),	/* socketcall: its arguments are in memory */
	/* 17 */ ARG(0),
	/* 18 */ JEQ(18, 3, L_NOTIFY, 19),	/* SYS_CONNECT */
	/* 19 */ JEQ(19, 1, L_ENOSYS, 20),	/* SYS_SOCKET: libc then calls socket(2) */
	/* 20 */ JEQ(20, 8, L_ENOSYS, L_ALLOW),	/* SYS_SOCKETPAIR */
	/* 21 L_URING: the number in A */ JEQ(21, 425, L_ENOSYS, 22),
	/* 22 */ JEQ(22, 426, L_ENOSYS, 23),
	/* 23 */ JEQ(23, 427, L_ENOSYS, L_ALLOW),
	/* 24 L_SOCK */ ARG(0),
	/* 25 */ JEQ(25, AF_UNIX, 26, L_ALLOW),
	/* 26 */ ARG(1),
	/* 27 */ BPF_STMT(BPF_ALU | BPF_AND | BPF_K, 0xf),
	/* 28 */ JEQ(28, SOCK_DGRAM, L_EPERM, 29),
	/* 29 */ JEQ(29, SOCK_RAW, L_EPERM, L_ALLOW),	/* a unix SOCK_RAW is a datagram one */
	/* 30 L_NOTIFY */ RET(SECCOMP_RET_USER_NOTIF),
	/* 31 L_EPERM */ RET(SECCOMP_RET_ERRNO | EPERM),
	/* 32 L_ENOSYS */ RET(SECCOMP_RET_ERRNO | ENOSYS),
	/* 33 L_ALLOW */ RET(SECCOMP_RET_ALLOW),
};

int
osl_unixconn_install(int sock, bool dgram)
{
	struct sock_filter f[sizeof(filter) / sizeof(filter[0])];
	struct sock_fprog prog = { sizeof(f) / sizeof(f[0]), f };
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
	struct msghdr m = { .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
	struct iovec iov = { "l", 1 };
	struct cmsghdr *c;
	int lfd, e;

	memcpy(f, filter, sizeof(f));
	/* unix datagram sockets kept: L_SOCK's "AF_UNIX?" goes to L_ALLOW both ways */
	if (dgram)
		f[L_SOCK + 1].jt = f[L_SOCK + 1].jf;
	if ((lfd = (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
	    SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog)) == -1)
		return errno;
	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	c = CMSG_FIRSTHDR(&m);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &lfd, sizeof(int));
	e = sendmsg(sock, &m, MSG_NOSIGNAL) == 1 ? 0 : errno ? errno : EIO;
	close(lfd);
	return e;
}

bool
osl_unixconn_abstract_wanted(const struct osl_sandbox *sb)
{
	/* not in a PID namespace of the program's: it would be a process
	 * there, and the program no longer PID 2 (osl-proc(1)) */
	return sb->unix_sock > 0 && sb->ll_scoped && !(sb->ns_flags & CLONE_NEWNET) &&
	    sb->netns_fd <= 0 && !sb->pidns && sb->caps_drop &&
	    !(sb->caps_keep & (1ULL << CAP_SYS_PTRACE));
}

static void __attribute__((noreturn))
abstract_loop(int sock)
{
	struct osl_abs_msg m;
	int fd, e;

	(void)prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	if (sock > 0)
		(void)syscall(SYS_close_range, 0, (unsigned)sock - 1, 0);
	(void)syscall(SYS_close_range, (unsigned)sock + 1, ~0U, 0);
	for (;;) {
		char cbuf[CMSG_SPACE(sizeof(int))];
		struct iovec iov = { &m, sizeof(m) };
		struct msghdr h = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
		    .msg_controllen = sizeof(cbuf) };
		struct cmsghdr *c;
		ssize_t n = recvmsg(sock, &h, MSG_CMSG_CLOEXEC);

		if (n == -1 && errno == EINTR)
			continue;
		if (n != (ssize_t)sizeof(m) || !(c = CMSG_FIRSTHDR(&h)) || c->cmsg_type != SCM_RIGHTS)
			_exit(0);	/* osl is done (or not osl) */
		memcpy(&fd, CMSG_DATA(c), sizeof(int));
		e = m.len <= sizeof(m.a) && connect(fd, (struct sockaddr *)&m.a, m.len) == -1 ? errno : 0;
		close(fd);
		if (send(sock, &e, sizeof(e), MSG_NOSIGNAL) != (ssize_t)sizeof(e))
			_exit(0);
	}
}

void
osl_unixconn_abstract(int sock)
{
	int was = prctl(PR_GET_DUMPABLE, 0, 0, 0, 0);
	long pid;

	/* not dumpable from its first instruction (fork keeps it) */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == -1)
		return;
	/* no exit signal: wait(2) without __WALL in the program never sees it */
	if ((pid = syscall(SYS_clone, 0UL, NULL, NULL, NULL, NULL)) == 0)
		abstract_loop(sock);
	if (was > 0)
		(void)prctl(PR_SET_DUMPABLE, was, 0, 0, 0);
	/* none made: osl finds its socket closed at the exec and answers EPERM */
}
