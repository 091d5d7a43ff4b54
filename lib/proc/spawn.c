/* The one spawn function, and the wait that forwards signals and enforces
 * the wall-clock timeout.  The child only makes system calls between fork
 * and exec: everything that allocates was prepared by the caller. */
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/sched.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "op.h"
#include "proc/proc.h"
#include "util/sanitizer.h"

#ifndef CLOSE_RANGE_UNSHARE
#define CLOSE_RANGE_UNSHARE (1U << 1)
#endif
#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif
#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif

static const int fwd_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2 };

/* What the child tells the parent when it cannot exec. */
struct child_err {
	int err;
	char step[48];
};

static void
sigset_spawn(sigset_t *s)
{
	sigemptyset(s);
	for (size_t i = 0; i < sizeof(fwd_signals) / sizeof(fwd_signals[0]); i++)
		sigaddset(s, fwd_signals[i]);
	sigaddset(s, SIGCHLD);
}

static const struct osl_error *child_error(const struct osl_spawn *sp, struct child_err *ce,
    ssize_t n);

static void __attribute__((noreturn))
child_fail(int fd, const char *step, int err)
{
	struct child_err ce = { .err = err };
	size_t i;

	for (i = 0; step[i] && i < sizeof(ce.step) - 1; i++)
		ce.step[i] = step[i];
	ce.step[i] = '\0';
	(void)!write(fd, &ce, sizeof(ce));
	_exit(OSL_ESETUP);
}


/* In PID 1 of a new namespace, its sandbox taken: the program started
 * with vfork (the init has nothing to do until the program has exec'd,
 * and a copy of osl's page tables is most of a fork's cost), then the
 * init's loop.  (A traced program is forked: its tracer must see it stop
 * before its exec.) */
static void __attribute__((noreturn, noinline))
pidns_exec(const struct osl_spawn *sp, int fd)
{
	sigset_t old;
	pid_t prog;
	int e;

	if ((e = osl_pidns_block(&old)))
		child_fail(fd, "fork in the PID namespace", e);
	if ((prog = vfork()) == 0) {
		sigprocmask(SIG_SETMASK, &old, NULL);
		execve(sp->path, sp->argv, sp->envp);
		child_fail(fd, "exec", errno);
	}
	if (prog == -1)
		child_fail(fd, "fork in the PID namespace", errno);
	osl_pidns_serve(prog, sp->setsid, fd, sp->statusfd);
}

/* systemd's socket activation (LISTEN_FDS): SP's sockets as fds 3, 4, ...
 * Each goes above the range first, so one that sits where another must go
 * is not lost; the copies up there close at exec.  *FD, the error pipe,
 * moves out of the range too.  0 or an errno. */
static int
listen_place(const struct osl_spawn *sp, int *fd)
{
	int top = 3 + (int)sp->nlisten, tmp[64];

	if (sp->nlisten > sizeof(tmp) / sizeof(tmp[0]))
		return EMFILE;
	if (*fd < top && (*fd = fcntl(*fd, F_DUPFD_CLOEXEC, top)) == -1)
		return errno;
	for (unsigned i = 0; i < sp->nlisten; i++)
		if ((tmp[i] = fcntl(sp->listen_fds[i], F_DUPFD_CLOEXEC, top)) == -1)
			return errno;
	for (unsigned i = 0; i < sp->nlisten; i++)
		if (dup2(tmp[i], 3 + (int)i) == -1)
			return errno;
	return 0;
}

/* envp's "LISTEN_PID=" entry gets our pid (no allocation: after the fork). */
static void
listen_pid(const struct osl_spawn *sp)
{
	char *const *e = sp->envp;
	char digits[12];
	unsigned long v = (unsigned long)getpid();
	int n = 0;

	for (; e && *e && strncmp(*e, "LISTEN_PID=", 11); e++)
		;
	if (!e || !*e)
		return;
	do
		digits[n++] = (char)('0' + v % 10);
	while ((v /= 10) && n < 10);
	for (int i = 0; i < n; i++)
		(*e)[11 + i] = digits[n - 1 - i];
	(*e)[11 + n] = '\0';
}

static void __attribute__((noreturn))
child(const struct osl_spawn *sp, int fd, pid_t parent, bool join_cgroup, bool unshare)
{
	const char *step = "exec";
	int e;

	/* sharing osl's fd table (CLONE_FILES, see share_files): first a
	 * table of its own, with only the fds below fd_high in it (before
	 * Linux 5.9, a copy of it all) */
	if (unshare && syscall(SYS_close_range, (unsigned)sp->fd_high, ~0U, CLOSE_RANGE_UNSHARE) == -1 &&
	    syscall(SYS_unshare, CLONE_FILES) == -1)
		child_fail(fd, "unshare", errno);
	/* a supervisor that blocks everything for its signalfd passes the mask
	 * it inherited, so the program gets what it would have had */
	if (sigprocmask(SIG_SETMASK, sp->child_mask ? sp->child_mask : &sp->oldmask, NULL) == -1)
		child_fail(fd, "sigprocmask", errno);
	/* the child does not outlive osl (a supervisor must never lose one);
	 * osl may have died before the prctl: then go now */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) == -1)
		child_fail(fd, "prctl", errno);
	/* (the parent of PID 1 of a new namespace reads as 0) */
	if (getppid() != parent && !(sp->sb && sp->sb->pidns))
		_exit(OSL_ESETUP);
	if (sp->setsid && setsid() == -1)
		child_fail(fd, "setsid", errno);
	/* not placed by clone3 (see spawn_fork): into the cgroup before
	 * anything runs ("0" is the writer itself) */
	if (join_cgroup && ((e = openat(sp->cgroup_fd, "cgroup.procs", O_WRONLY | O_CLOEXEC)) == -1 ||
	    write(e, "0", 1) != 1))
		child_fail(fd, "cgroup", errno);
	/* at exec, every fd but 0-2 closes; ours (the pipe, the ruleset) too */
	if (syscall(SYS_close_range, 3, ~0U, CLOSE_RANGE_CLOEXEC) == -1)
		child_fail(fd, "close_range", errno);
	/* but the one fd the caller passes (dup2 clears CLOEXEC on the copy);
	 * our error pipe moves out of its way first */
	if (sp->pass_as > 2 && fd == sp->pass_as && (fd = fcntl(fd, F_DUPFD_CLOEXEC, 3)) == -1)
		_exit(OSL_ESETUP);
	if (sp->pass_as > 2 && (sp->pass_fd == sp->pass_as ?
	    fcntl(sp->pass_as, F_SETFD, 0) : dup2(sp->pass_fd, sp->pass_as)) == -1)
		child_fail(fd, "dup2", errno);
	if ((sp->out_fd > 2 && dup2(sp->out_fd, 1) == -1) ||
	    (sp->err_fd > 2 && dup2(sp->err_fd, 2) == -1))
		child_fail(fd, "dup2", errno);
	if (sp->cwd && chdir(sp->cwd) == -1)
		child_fail(fd, "chdir", errno);
	if (sp->nofile && setrlimit(RLIMIT_NOFILE, sp->nofile) == -1)
		child_fail(fd, "setrlimit", errno);
	/* the sandbox changes the ids where they fit between its steps; a
	 * changed uid clears the parent-death signal, so it is set again */
	if (sp->sb && (e = osl_sandbox_apply(sp->sb, sp->ids, &step)))
		child_fail(fd, step, e);
	if (!sp->sb && sp->ids && (e = osl_ids_apply(sp->ids, false)))
		child_fail(fd, "setuid", e);
	if (sp->ids && (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) == -1 ||
	    (getppid() != parent && !(sp->sb && sp->sb->pidns))))
		_exit(OSL_ESETUP);
	if (sp->nlisten && (e = listen_place(sp, &fd)))
		child_fail(fd, "listen fds", e);
	/* PID 1 of its namespace: the program is its child (lib/sandbox/pidns.c).
	 * Not with vfork in a sanitizer build: its vfork maps memory, which
	 * the policy's RLIMIT_AS (set by now) refuses beside the sanitizer's
	 * reserved shadow. */
	if (sp->sb && sp->sb->pidns && !sp->trace_bpf && !OSL_SANITIZED)
		pidns_exec(sp, fd);
	if (sp->sb && sp->sb->pidns && (e = osl_pidns_init(sp->setsid, fd, sp->statusfd)))
		child_fail(fd, "fork in the PID namespace", e);
	if (sp->trace_bpf) {
		struct sock_fprog prog = { sp->trace_len, (struct sock_filter *)sp->trace_bpf };

		/* the tracer sets PTRACE_O_TRACESECCOMP while we are stopped:
		 * a SECCOMP_RET_TRACE without it would fail the call */
		if (ptrace(PTRACE_TRACEME, 0, NULL, NULL) == -1)
			child_fail(fd, "ptrace", errno);
		raise(SIGSTOP);
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1 ||
		    syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) == -1)
			child_fail(fd, "seccomp", errno);
	}
	if (sp->nlisten)
		listen_pid(sp);
	execve(sp->path, sp->argv, sp->envp);
	child_fail(fd, "exec", errno);
}

#ifdef __x86_64__
/* clone3 with CLONE_VM: the child runs FN(ARG) on the stack given in CA
 * and never returns (it execs or _exits); the parent gets the pid, or
 * -errno.  As glibc's own __clone3, which it does not export. */
long osl_clone3_vm(struct clone_args *ca, size_t size, void (*fn)(void *), void *arg)
    __attribute__((visibility("hidden")));
__asm__(".text\n"
	".globl osl_clone3_vm\n"
	".hidden osl_clone3_vm\n"
	".type osl_clone3_vm, @function\n"
	"osl_clone3_vm:\n"
	"	mov %rcx, %r8\n"	/* ARG: the syscall clobbers rcx */
	"	mov $435, %eax\n"	/* __NR_clone3 */
	"	syscall\n"
	"	test %rax, %rax\n"
	"	jz 1f\n"
	"	ret\n"
	"1:	xor %ebp, %ebp\n"	/* the child: the outermost frame */
	"	and $-16, %rsp\n"
	"	mov %r8, %rdi\n"
	"	call *%rdx\n"
	"	hlt\n"
	".size osl_clone3_vm, .-osl_clone3_vm\n");

struct vm_child {
	const struct osl_spawn *sp;
	int fd;
	pid_t parent;
	bool join, unshare;
};

static void
vm_child(void *arg)
{
	const struct vm_child *c = arg;

	child(c->sp, c->fd, c->parent, c->join, c->unshare);
}

static bool
fd_below(int fd, int high)
{
	return fd < high;
}

/* May a child that shares osl's memory share its fd table too
 * (CLONE_FILES), until it takes a copy of the fds below SP->fd_high
 * (close_range's CLOSE_RANGE_UNSHARE, Linux 5.9)?  Then a spawn costs the
 * same with 10 or 10,000 pidfds up there: without it, clone copies the
 * whole table and exec closes it again, fd by fd.  Every fd the child
 * uses (ERRFD, the passed ones, the sandbox's) must be below. */
static bool
share_files(const struct osl_spawn *sp, int errfd)
{
	int hi = sp->fd_high;
	const struct osl_sandbox *sb = sp->sb;

	if (hi <= 3 || !fd_below(errfd, hi) || !fd_below(sp->pass_fd, hi) ||
	    !fd_below(sp->out_fd, hi) || !fd_below(sp->err_fd, hi) ||
	    (sp->cgroup_join && !fd_below(sp->cgroup_fd, hi)) || !fd_below(sp->statusfd, hi))
		return false;
	for (unsigned i = 0; i < sp->nlisten; i++)
		if (!fd_below(sp->listen_fds[i], hi))
			return false;
	return !sb || (fd_below(sb->ruleset_fd, hi) && fd_below(sb->netns_fd, hi) &&
	    fd_below(sb->userns_fd, hi) && fd_below(sb->unix_sock, hi));
}
#endif

/* Fork.  A supervisor's child comes from clone3: its pidfd and its cgroup
 * come with it, so it never runs outside the cgroup, and osl waits only
 * until it has exec'd (CLONE_VFORK: the child gets the CPU at once).
 * Every child (`proc run`'s too) shares osl's memory until its exec
 * (CLONE_VM|CLONE_VFORK, as posix_spawn): no page tables to copy and tear
 * down, the larger part of a restart's cost and a tenth of `proc run`'s;
 * the sandbox's steps are system calls on data prepared before.  Not when
 * the ids change or the sandbox joins the egress proxy's user namespace
 * (which a process sharing its memory cannot enter).  Where clone3 is
 * ENOSYS (seccomp profiles, Docker's and ours, say so for libc to fall
 * back): fork, pidfd_open, and the child joins the cgroup itself (*JOIN).
 * -1 and errno when no child was made. */
static pid_t
spawn_fork(struct osl_spawn *sp, int errfd, pid_t parent, bool *join)
{
	struct clone_args ca = { .exit_signal = SIGCHLD };
	pid_t pid;

	*join = sp->cgroup_fd > 2 && sp->cgroup_join;
	sp->pidfd = -1;
	if (sp->exec_event) {
		ca.flags |= CLONE_PIDFD | CLONE_VFORK;
		ca.pidfd = (uintptr_t)&sp->pidfd;
	}
	if (sp->cgroup_fd > 2 && !sp->cgroup_join) {
		ca.flags |= CLONE_INTO_CGROUP;
		ca.cgroup = (uint64_t)sp->cgroup_fd;
	}
	if (sp->sb && sp->sb->clone_flags) {
		/* a PID namespace: the child is its init and never execs, so
		 * osl cannot wait for its exec (nor share its memory) */
		ca.flags = (ca.flags & ~(uint64_t)CLONE_VFORK) | sp->sb->clone_flags;
	}
#ifdef __x86_64__
	if (!sp->trace_bpf && !sp->ids && !(sp->sb && sp->sb->userns_fd > 0) &&
	    !(sp->sb && sp->sb->clone_flags)) {
		/* the parent is stopped until the child execs: its stack is free
		 * (a change of ids goes through libc's set*id, which must not
		 * run in memory it shares with osl; a process that shares its
		 * memory cannot setns into a user namespace) */
		char stack[65536] __attribute__((aligned(16)));
		struct vm_child c = { sp, errfd, parent, *join, share_files(sp, errfd) };
		long r;

		ca.flags |= CLONE_VM | CLONE_VFORK | (c.unshare ? CLONE_FILES : 0);
		ca.stack = (uintptr_t)stack;
		ca.stack_size = sizeof(stack);
		if ((r = osl_clone3_vm(&ca, sizeof(ca), vm_child, &c)) >= 0) {
			sp->exec_known = true;
			return (pid_t)r;
		}
		if (r != -ENOSYS) {
			errno = (int)-r;
			return -1;
		}
		ca.flags &= ~(uint64_t)(CLONE_VM | CLONE_FILES);
		ca.stack = ca.stack_size = 0;
	}
#else
	(void)errfd;
	(void)parent;
#endif
	if (ca.flags && ((pid = (pid_t)syscall(SYS_clone3, &ca, sizeof(ca))) != -1 || errno != ENOSYS)) {
		sp->exec_known = pid > 0 && (ca.flags & CLONE_VFORK);
		return pid;
	}
	*join = sp->cgroup_fd > 2;
	if ((pid = fork()) > 0 && sp->exec_event)
		sp->pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	return pid;
}

/* The status pipe of a PID namespace's init: its write end above the fds
 * the child places (the passed fd, the sockets at 3, 4, ...), which would
 * otherwise land on it; a supervisor reads its end without blocking. */
static bool
status_pipe(const struct osl_spawn *sp, int s[2])
{
	int top = 3 + (int)sp->nlisten, w;

	if (sp->pass_as >= top)
		top = sp->pass_as + 1;
	if (pipe2(s, O_CLOEXEC | (sp->exec_event ? O_NONBLOCK : 0)) == -1)
		return false;
	if (s[1] < top) {
		if ((w = fcntl(s[1], F_DUPFD_CLOEXEC, top)) == -1) {
			close(s[0]);
			close(s[1]);
			return false;
		}
		close(s[1]);
		s[1] = w;
	}
	return true;
}

const struct osl_error *
osl_proc_spawn(struct osl_spawn *sp)
{
	const struct osl_error *err;
	sigset_t set;
	pid_t parent;
	bool join;
	int p[2], s[2], st;

	sp->errfd = sp->statusfd = -1;
	sp->exec_known = false;
	/* a user namespace made with the child maps osl's uid only */
	if (sp->ids && sp->sb && (sp->sb->clone_flags & CLONE_NEWUSER))
		return osl_error_new(OSL_ESETUP, "'%s': a PID namespace (proc.namespaces) for a "
		    "child with another user needs CAP_SYS_ADMIN", sp->path);
	/* a supervisor has its own signal handling and is a subreaper already */
	if (!sp->exec_event) {
		sigset_spawn(&set);
		/* orphaned descendants (a grandchild that left the process group
		 * with setsid) come back to us, so a timeout can still reach them */
		(void)prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
		if (sigprocmask(SIG_BLOCK, &set, &sp->oldmask) == -1)
			return osl_error_sys(OSL_ESETUP, errno, "sigprocmask");
	}
	if (pipe2(p, O_CLOEXEC) == -1) {
		int e = errno;

		if (!sp->exec_event)
			sigprocmask(SIG_SETMASK, &sp->oldmask, NULL);
		return osl_error_sys(OSL_ESETUP, e, "pipe");
	}
	/* a PID namespace's init: the program's status (it exits 128+N for a
	 * signal); the child has the write end in statusfd, osl the read end */
	if (sp->sb && sp->sb->pidns && !sp->trace_bpf && status_pipe(sp, s))
		sp->statusfd = s[1];
	sp->t_start = osl_now_mono_ns();
	parent = getpid();
	if ((sp->pid = spawn_fork(sp, p[1], parent, &join)) == -1) {
		int e = errno;

		close(p[0]);
		close(p[1]);
		if (sp->statusfd >= 0) {
			close(s[0]);
			close(s[1]);
			sp->statusfd = -1;
		}
		if (!sp->exec_event)
			sigprocmask(SIG_SETMASK, &sp->oldmask, NULL);
		return osl_error_sys(OSL_ESETUP, e, "fork");
	}
	if (sp->pid == 0) {
		close(p[0]);
		if (sp->statusfd >= 0)
			close(s[0]);
		child(sp, p[1], parent, join, false);
	}
	close(p[1]);
	sp->errfd = p[0];
	if (sp->statusfd >= 0) {
		close(s[1]);
		sp->statusfd = s[0];
	}
	if (sp->exec_event)
		return NULL;
	if (sp->trace_bpf) {
		/* the child's own SIGSTOP, or its end (an error in the pipe) */
		while (waitpid(sp->pid, &st, __WALL) == -1 && errno == EINTR)
			;
		if (WIFSTOPPED(st))
			return NULL;
	}
	if (!(err = osl_proc_spawn_result(sp)))
		return NULL;	/* the pipe closed at exec: the program runs */
	if (sp->statusfd >= 0) {
		close(sp->statusfd);
		sp->statusfd = -1;
	}
	if (!sp->trace_bpf)
		while (waitpid(sp->pid, &st, 0) == -1 && errno == EINTR)
			;
	sigprocmask(SIG_SETMASK, &sp->oldmask, NULL);
	sp->pid = -1;
	return err;
}

const struct osl_error *
osl_proc_spawn_result(struct osl_spawn *sp)
{
	struct child_err ce;
	ssize_t n;

	do
		n = read(sp->errfd, &ce, sizeof(ce));
	while (n == -1 && errno == EINTR);
	close(sp->errfd);
	sp->errfd = -1;
	if (n == 0)
		return NULL;
	return child_error(sp, &ce, n);
}

const struct osl_error *
osl_proc_spawn_traced(struct osl_spawn *sp)
{
	const struct osl_error *err = osl_proc_spawn_result(sp);

	sigprocmask(SIG_SETMASK, &sp->oldmask, NULL);
	return err;
}

/* The message and status for what the child reported before exec. */
static const struct osl_error *
child_error(const struct osl_spawn *sp, struct child_err *ce, ssize_t n)
{
	if (n != (ssize_t)sizeof(*ce))
		return osl_error_new(OSL_ESETUP, "'%s': the child failed before exec", sp->path);
	ce->step[sizeof(ce->step) - 1] = '\0';
	if (!strcmp(ce->step, "exec"))
		return osl_error_sys(ce->err == ENOENT ? OSL_ENOCMD : OSL_ENOEXEC, ce->err,
		    "'%s': cannot run", sp->path);
	if (!strcmp(ce->step, "chdir"))
		return osl_error_sys(OSL_ESETUP, ce->err, "'%s': cannot change directory",
		    sp->cwd);
	if (!strcmp(ce->step, "cgroup"))
		return osl_error_sys(OSL_ESETUP, ce->err, "'%s': cannot join its cgroup",
		    sp->path);
	return osl_error_sys(OSL_ESETUP, ce->err, "sandbox not applied (%s failed)",
	    ce->step);
}

static void
to_timespec(uint64_t ns, struct timespec *ts)
{
	ts->tv_sec = (time_t)(ns / 1000000000ULL);
	ts->tv_nsec = (long)(ns % 1000000000ULL);
}

static void
signal_child(const struct osl_spawn *sp, int sig)
{
	/* the whole group when it is the child's own; else the child alone */
	if (sp->setsid)
		kill(-sp->pid, sig);
	else
		kill(sp->pid, sig);
}

/* After a timeout: descendants that escaped the process group were
 * reparented to us (subreaper); kill and reap them, and theirs in turn.
 * Bounded, so a fork bomb cannot keep osl here. */
static void
kill_orphans(void)
{
	pid_t self = getpid();

	for (int round = 0; round < 64; round++) {
		struct osl_procinfo *v;
		size_t n, found = 0;

		if (osl_proc_list(&v, &n))
			return;
		for (size_t i = 0; i < n; i++) {
			if (v[i].ppid == self && v[i].state != 'Z') {
				kill(v[i].pid, SIGKILL);
				found++;
			}
		}
		free(v);
		/* never block: a victim's own children come back to us too */
		nanosleep(&(struct timespec){ .tv_nsec = 2000000 }, NULL);
		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
		if (!found)
			return;
	}
}

static void
status_close(struct osl_spawn *sp)
{
	if (sp->statusfd >= 0)
		close(sp->statusfd);
	sp->statusfd = -1;
}

const struct osl_error *
osl_proc_wait(struct osl_spawn *sp, uint64_t timeout_ns, uint64_t grace_ns,
    struct osl_proc_result *res)
{
	uint64_t deadline = timeout_ns ? sp->t_start + timeout_ns : 0;
	bool killed = false;
	sigset_t set;
	int st;

	memset(res, 0, sizeof(*res));
	sigset_spawn(&set);
	for (;;) {
		struct timespec ts;
		siginfo_t si;
		pid_t w;
		int sig;

		w = wait4(sp->pid, &st, WNOHANG, &res->ru);
		if (w == sp->pid)
			break;
		if (w == -1 && errno != EINTR) {
			int e = errno;

			sigprocmask(SIG_SETMASK, &sp->oldmask, NULL);
			status_close(sp);
			return osl_error_sys(OSL_EFAIL, e, "wait");
		}
		if (deadline) {
			uint64_t now = osl_now_mono_ns();

			if (now >= deadline) {
				if (!res->timed_out) {
					res->timed_out = true;
					signal_child(sp, SIGTERM);
					deadline = now + grace_ns;
				} else if (!killed) {
					killed = true;
					signal_child(sp, SIGKILL);
					deadline = 0;
				}
				continue;
			}
			to_timespec(deadline - now, &ts);
			sig = sigtimedwait(&set, &si, &ts);
		} else {
			sig = sigwaitinfo(&set, &si);
		}
		if (sig == -1 || sig == SIGCHLD)
			continue;
		if (!sp->setsid && (sig == SIGINT || sig == SIGQUIT))
			continue;	/* the terminal sent it to the child too */
		signal_child(sp, sig);
	}
	res->duration_ns = osl_now_mono_ns() - sp->t_start;
	/* what is left of the group after a timeout goes too (grandchildren) */
	if (res->timed_out) {
		if (sp->setsid)
			kill(-sp->pid, SIGKILL);
		kill_orphans();
	}
	sigprocmask(SIG_SETMASK, &sp->oldmask, NULL);
	/* a PID namespace's init: the program's own status, as without one
	 * (nothing there when the init itself was killed: a timeout's SIGKILL) */
	if (sp->statusfd >= 0) {
		int pst;

		if (read(sp->statusfd, &pst, sizeof(pst)) == (ssize_t)sizeof(pst) &&
		    (WIFEXITED(pst) || WIFSIGNALED(pst)))
			st = pst;
		status_close(sp);
	}
	res->exited = WIFEXITED(st);
	res->code = res->exited ? WEXITSTATUS(st) : WTERMSIG(st);
	return NULL;
}

int
osl_proc_status(const struct osl_proc_result *res)
{
	if (res->timed_out)
		return OSL_ETIMEOUT;
	return res->exited ? res->code : 128 + res->code;
}

const struct osl_error *
osl_proc_which(const char *cmd, const char *path_env, char *out, size_t size)
{
	bool found = false;
	const char *p, *e;
	struct stat st;

	if (!*cmd)
		return osl_error_new(OSL_ENOCMD, "'': command not found");
	if (strchr(cmd, '/')) {
		if (snprintf(out, size, "%s", cmd) >= (int)size)
			return osl_error_new(OSL_ENOCMD, "'%s': name too long", cmd);
		if (stat(out, &st) == -1)
			return osl_error_sys(errno == ENOENT || errno == ENOTDIR ? OSL_ENOCMD : OSL_ENOEXEC,
			    errno, "'%s'", cmd);
		if (S_ISDIR(st.st_mode) || access(out, X_OK) == -1)
			return osl_error_sys(OSL_ENOEXEC, EACCES, "'%s': not executable", cmd);
		return NULL;
	}
	if (!path_env)
		path_env = "/usr/local/bin:/usr/bin:/bin";
	for (p = path_env; ; p = e + 1) {
		size_t dl;

		e = strchrnul(p, ':');
		dl = (size_t)(e - p);
		if (snprintf(out, size, "%.*s%s%s", (int)dl, p, dl ? "/" : "", cmd) < (int)size &&
		    stat(out, &st) == 0 && !S_ISDIR(st.st_mode)) {
			if (access(out, X_OK) == 0)
				return NULL;
			found = true;
		}
		if (!*e)
			break;
	}
	if (found)
		return osl_error_sys(OSL_ENOEXEC, EACCES, "'%s': not executable", cmd);
	return osl_error_new(OSL_ENOCMD, "'%s': command not found", cmd);
}

static const char *const env_default[] = { "PATH", "HOME", "USER", "LOGNAME", "SHELL", "TERM",
	"LANG", "LC_*", "TZ", "TMPDIR", NULL };

static bool
name_is(const char *var, size_t len, const char *pat)
{
	size_t pl = strlen(pat);

	if (pl && pat[pl - 1] == '*')
		return len >= pl - 1 && !strncmp(var, pat, pl - 1);
	return len == pl && !strncmp(var, pat, len);
}

void
osl_proc_env_free(char **env)
{
	if (!env)
		return;
	for (size_t i = 0; env[i]; i++)
		free(env[i]);
	free(env);
}

const struct osl_error *
osl_proc_env(char ***out, char *const *environ_, const char *const *keep, size_t nkeep,
    const char *const *set, size_t nset)
{
	size_t n = 0, cap = nset + 1;
	char **env;

	for (size_t i = 0; environ_ && environ_[i]; i++)
		cap++;
	if (!(env = calloc(cap, sizeof(*env))))
		return osl_error_nomem();
	for (size_t i = 0; environ_ && environ_[i]; i++) {
		const char *v = environ_[i], *eq = strchr(v, '=');
		size_t len = eq ? (size_t)(eq - v) : 0;
		bool ok = false;

		if (!eq)
			continue;
		for (size_t j = 0; env_default[j] && !ok; j++)
			ok = name_is(v, len, env_default[j]);
		for (size_t j = 0; j < nkeep && !ok; j++)
			ok = name_is(v, len, keep[j]);
		/* a name set below is not kept twice */
		for (size_t j = 0; j < nset && ok; j++) {
			const char *se = strchr(set[j], '=');

			if (se && (size_t)(se - set[j]) == len && !strncmp(set[j], v, len))
				ok = false;
		}
		if (ok && !(env[n++] = strdup(v)))
			goto nomem;
	}
	for (size_t j = 0; j < nset; j++) {
		const char *se = strchr(set[j], '=');

		if (!se || se == set[j]) {
			osl_proc_env_free(env);
			return osl_error_new(OSL_EINPUT, "'%s': an environment setting is VAR=VALUE",
			    set[j]);
		}
		/* a later setting of the same name wins */
		for (size_t k = 0; k < n; k++) {
			if (!strncmp(env[k], set[j], (size_t)(se - set[j]) + 1)) {
				free(env[k]);
				env[k] = env[--n];
				env[n] = NULL;
				break;
			}
		}
		if (!(env[n++] = strdup(set[j])))
			goto nomem;
	}
	env[n] = NULL;
	*out = env;
	return NULL;
nomem:
	osl_proc_env_free(env);
	return osl_error_nomem();
}
