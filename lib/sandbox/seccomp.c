/* The seccomp filter of a spawned program, built with libseccomp in the
 * parent and exported as raw BPF, so that the child only has to load it.
 *
 * Profiles: `default` refuses what a sandboxed program never needs and what
 * has been a kernel attack surface; `strict` allows only what ordinary
 * programs use; `none` has no filter.  The policy's deny/allow lists (names
 * or @groups) adjust the base.  Every architecture the kernel runs here is
 * covered; a system call from any other architecture kills the process. */
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <linux/sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <netinet/in.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <seccomp.h>

#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U
#endif
#ifndef MFD_NOEXEC_SEAL
#define MFD_NOEXEC_SEAL 0x0008U
#endif

#include "sandbox/sandbox-int.h"
#include "util/strbuf.h"

/* A filter compiled at build time (src/build/seccomp-gen.c) for a profile
 * that osl ships: libseccomp takes most of a millisecond to build one, the
 * copy takes nothing.  KEY is the profile resolved (profile_key): a filter
 * is only ever taken for exactly the profile it was compiled from. */
struct osl_seccomp_pre {
	const char *key;
	const struct sock_filter *insns;
	unsigned short len;
};
#ifdef OSL_SECCOMP_GEN
static const struct osl_seccomp_pre precompiled[] = { { NULL, NULL, 0 } };
#else
#include "seccomp_bpf.h"	/* generated: $(B)/gen */
#endif

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

struct group {
	const char *name;
	const char *const *calls;
};

static const char *const g_mount[] = { "mount", "umount", "umount2", "pivot_root", "fsopen",
	"fsconfig", "fsmount", "fspick", "move_mount", "open_tree", "mount_setattr", NULL };
static const char *const g_ns[] = { "unshare", "setns", NULL };
static const char *const g_debug[] = { "ptrace", "process_vm_readv", "process_vm_writev",
	"perf_event_open", "kcmp", NULL };
static const char *const g_keyring[] = { "keyctl", "add_key", "request_key", NULL };
static const char *const g_io_uring[] = { "io_uring_setup", "io_uring_enter", "io_uring_register", NULL };
static const char *const g_kexec[] = { "kexec_load", "kexec_file_load", NULL };
static const char *const g_module[] = { "init_module", "finit_module", "delete_module", NULL };
static const char *const g_bpf[] = { "bpf", NULL };
static const char *const g_reboot[] = { "reboot", NULL };
static const char *const g_swap[] = { "swapon", "swapoff", NULL };
static const char *const g_clock[] = { "settimeofday", "clock_settime", "adjtimex", "clock_adjtime", NULL };
static const char *const g_raw_io[] = { "ioperm", "iopl", NULL };
/* a file by its handle, past every path rule ("shocker"); a whole
 * filesystem's opens, with a descriptor of each file */
static const char *const g_handle[] = { "open_by_handle_at", "name_to_handle_at", NULL };
static const char *const g_fanotify[] = { "fanotify_init", "fanotify_mark", NULL };

static const struct group groups[] = {
	{ "@mount", g_mount }, { "@namespace", g_ns }, { "@debug", g_debug },
	{ "@keyring", g_keyring }, { "@io_uring", g_io_uring }, { "@kexec", g_kexec },
	{ "@module", g_module }, { "@bpf", g_bpf }, { "@reboot", g_reboot }, { "@swap", g_swap },
	{ "@clock", g_clock }, { "@raw-io", g_raw_io }, { "@handle", g_handle },
	{ "@fanotify", g_fanotify }, { NULL, NULL }
};

/* What `default` refuses outright (EPERM); ENOSYS ones make libc fall back. */
static const char *const default_eperm[] = {
	"@mount", "@namespace", "@debug", "@keyring", "@kexec", "@module", "@bpf",
	"@reboot", "@swap", "@raw-io", "@handle", "@fanotify", "userfaultfd", "quotactl", "acct", "lookup_dcookie",
	"vhangup", "nfsservctl", "uselib", "chroot", NULL
};
static const char *const default_enosys[] = { "@io_uring", "clone3", NULL };

/* `strict`: what ordinary programs (shells, compilers, interpreters) use. */
static const char *const strict_allow[] = {
	"read", "write", "readv", "writev", "pread64", "pwrite64", "preadv", "pwritev", "preadv2",
	"pwritev2", "open", "openat", "openat2", "close", "close_range", "creat", "stat", "fstat",
	"lstat", "newfstatat", "statx", "fstatat64", "stat64", "fstat64", "lstat64", "statfs",
	"fstatfs", "statfs64", "fstatfs64", "lseek", "_llseek", "poll", "ppoll", "select",
	"_newselect", "pselect6", "mmap", "mmap2", "mprotect", "munmap", "mremap", "msync",
	"mincore", "madvise", "brk", "rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "sigreturn",
	"rt_sigsuspend", "rt_sigpending", "rt_sigtimedwait", "rt_sigqueueinfo", "sigaltstack",
	"ioctl", "access", "faccessat", "faccessat2", "pipe", "pipe2", "sched_yield", "dup", "dup2",
	"dup3", "pause", "nanosleep", "clock_nanosleep", "getitimer", "setitimer", "alarm",
	"getpid", "gettid", "getppid", "getuid", "geteuid", "getgid", "getegid", "getuid32",
	"geteuid32", "getgid32", "getegid32", "getresuid", "getresgid", "getresuid32",
	"getresgid32", "getgroups", "getgroups32", "getpgrp", "getpgid", "setpgid", "getsid",
	"setsid", "sendfile", "sendfile64", "socket", "socketpair", "connect", "accept", "accept4",
	"sendto", "recvfrom", "sendmsg", "recvmsg", "sendmmsg", "recvmmsg", "shutdown", "bind",
	"listen", "getsockname", "getpeername", "setsockopt", "getsockopt", "clone", "fork",
	"vfork", "execve", "execveat", "exit", "exit_group", "wait4", "waitid", "waitpid", "kill",
	"tkill", "tgkill", "uname", "fcntl", "fcntl64", "flock", "fsync", "fdatasync", "truncate",
	"ftruncate", "truncate64", "ftruncate64", "getdents", "getdents64", "getcwd", "chdir",
	"fchdir", "rename", "renameat", "renameat2", "mkdir", "mkdirat", "rmdir", "link",
	"linkat", "unlink", "unlinkat", "symlink", "symlinkat", "readlink", "readlinkat", "chmod",
	"fchmod", "fchmodat", "fchmodat2", "chown", "fchown", "lchown", "fchownat", "umask",
	"gettimeofday", "time", "getrlimit", "ugetrlimit", "setrlimit", "prlimit64", "getrusage",
	"sysinfo", "times", "getpriority", "setpriority", "sched_getaffinity", "sched_setaffinity",
	"sched_getparam", "sched_getscheduler", "sched_get_priority_max", "sched_get_priority_min",
	"prctl", "arch_prctl", "set_thread_area", "get_thread_area", "futex", "futex_waitv",
	"set_tid_address", "set_robust_list", "get_robust_list", "rseq", "clock_gettime",
	"clock_gettime64", "clock_getres", "clock_nanosleep_time64", "epoll_create", "epoll_create1",
	"epoll_ctl", "epoll_wait", "epoll_pwait", "epoll_pwait2", "eventfd", "eventfd2", "signalfd",
	"signalfd4", "timerfd_create", "timerfd_settime", "timerfd_gettime", "inotify_init",
	"inotify_init1", "inotify_add_watch", "inotify_rm_watch", "utime", "utimes", "utimensat",
	"futimesat", "getrandom", "memfd_create", "copy_file_range", "splice", "tee",
	"sync_file_range", "fadvise64", "fadvise64_64", "fallocate", "mlock", "munlock", "membarrier",
	"restart_syscall", "getcpu", "pidfd_open", "pidfd_send_signal", "getxattr", "lgetxattr",
	"fgetxattr", "listxattr", "llistxattr", "flistxattr", "capget", "socketcall", "ipc",
	"sync", "syncfs", "mlock2", "pkey_alloc", "pkey_free", "pkey_mprotect", "set_mempolicy",
	"get_mempolicy", "mbind", "personality", "landlock_create_ruleset", "landlock_add_rule",
	"landlock_restrict_self", "seccomp", NULL
};

/* A small set of syscall names, each with an action. */
struct sysset {
	char **names;
	size_t n, cap;
};

static const struct group *
find_group(const char *name)
{
	for (const struct group *g = groups; g->name; g++)
		if (!strcmp(g->name, name))
			return g;
	return NULL;
}

static bool
set_has(const struct sysset *s, const char *name)
{
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->names[i], name))
			return true;
	return false;
}

static const struct osl_error *
set_add1(struct sysset *s, const char *name)
{
	if (set_has(s, name))
		return NULL;
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		char **n = reallocarray(s->names, cap, sizeof(*n));

		if (!n)
			return osl_error_nomem();
		s->names = n;
		s->cap = cap;
	}
	if (!(s->names[s->n] = strdup(name)))
		return osl_error_nomem();
	s->n++;
	return NULL;
}

/* NAME or @group; an unknown name is an input error, so a typo in a policy
 * never leaves a call allowed that the author meant to refuse. */
static const struct osl_error *
set_add(struct sysset *s, const char *name)
{
	const struct osl_error *err;
	const struct group *g;

	if (name[0] == '@') {
		if (!(g = find_group(name)))
			return osl_error_new(OSL_EINPUT, "seccomp: unknown group '%s'", name);
		for (size_t i = 0; g->calls[i]; i++)
			if ((err = set_add1(s, g->calls[i])))
				return err;
		return NULL;
	}
	if (seccomp_syscall_resolve_name(name) == __NR_SCMP_ERROR)
		return osl_error_new(OSL_EINPUT, "seccomp: unknown system call '%s'", name);
	return set_add1(s, name);
}

static void
set_del(struct sysset *s, const char *name)
{
	const struct group *g;

	if (name[0] == '@' && (g = find_group(name))) {
		for (size_t i = 0; g->calls[i]; i++)
			set_del(s, g->calls[i]);
		return;
	}
	for (size_t i = 0; i < s->n; i++) {
		if (!strcmp(s->names[i], name)) {
			free(s->names[i]);
			s->names[i] = s->names[--s->n];
			return;
		}
	}
}

static void
set_free(struct sysset *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->names[i]);
	free(s->names);
	memset(s, 0, sizeof(*s));
}

static const struct osl_error *
set_add_list(struct sysset *s, const char *const *names)
{
	const struct osl_error *err;

	for (size_t i = 0; names[i]; i++)
		if ((err = set_add(s, names[i])))
			return err;
	return NULL;
}

/* A rule for every name: names this libseccomp cannot place on one of the
 * architectures (e.g. an x86_64-only call on i386) are skipped there. */
static const struct osl_error *
add_rules(scmp_filter_ctx f, uint32_t action, const struct sysset *s)
{
	for (size_t i = 0; i < s->n; i++) {
		int nr = seccomp_syscall_resolve_name(s->names[i]);
		int rc;

		if (nr == __NR_SCMP_ERROR)
			continue;
		rc = seccomp_rule_add(f, action, nr, 0);
		if (rc < 0 && rc != -EEXIST && rc != -EDOM && rc != -EINVAL)
			return osl_error_sys(OSL_ESETUP, -rc, "seccomp: cannot add a rule for '%s'",
			    s->names[i]);
	}
	return NULL;
}

/* Argument checks the default profile makes on calls it otherwise allows:
 * one table, read by the filter built here and by `osl policy export`, so
 * an exported profile says exactly what osl enforces.  A rule is left out
 * when the policy's allow or deny list names its call (or ALSO): the list
 * then says what happens to that call. */
/* socket(D, ...) refused: the family is an int, 32 bits */
#define FAMILY(d) { "socket", NULL, EAFNOSUPPORT, 0, OSL_SCMP_MASKED_EQ, 0xffffffffu, d, false }
static const struct osl_seccomp_argrule argrules[] = {
	/* clone with any namespace flag: one rule per flag, rules OR together */
	{ "clone", NULL, EPERM, 0, OSL_SCMP_MASKED_EQ, CLONE_NEWNS, CLONE_NEWNS, false },
	{ "clone", NULL, EPERM, 0, OSL_SCMP_MASKED_EQ, CLONE_NEWUTS, CLONE_NEWUTS, false },
	{ "clone", NULL, EPERM, 0, OSL_SCMP_MASKED_EQ, CLONE_NEWIPC, CLONE_NEWIPC, false },
	{ "clone", NULL, EPERM, 0, OSL_SCMP_MASKED_EQ, CLONE_NEWUSER, CLONE_NEWUSER, false },
	{ "clone", NULL, EPERM, 0, OSL_SCMP_MASKED_EQ, CLONE_NEWPID, CLONE_NEWPID, false },
	{ "clone", NULL, EPERM, 0, OSL_SCMP_MASKED_EQ, CLONE_NEWNET, CLONE_NEWNET, false },
	{ "clone", NULL, EPERM, 0, OSL_SCMP_MASKED_EQ, CLONE_NEWCGROUP, CLONE_NEWCGROUP, false },
	{ "clone", NULL, EPERM, 0, OSL_SCMP_MASKED_EQ, CLONE_NEWTIME, CLONE_NEWTIME, false },
	/* the kernel takes the ioctl request as 32 bits: compare only those */
	{ "ioctl", NULL, EPERM, 1, OSL_SCMP_MASKED_EQ, 0xffffffffu, TIOCSTI, false },
	{ "ioctl", NULL, EPERM, 1, OSL_SCMP_MASKED_EQ, 0xffffffffu, TIOCLINUX, false },
	/* device nodes: a write rule must not let root make /dev/mem anew */
	{ "mknod", "mknodat", EPERM, 1, OSL_SCMP_MASKED_EQ, S_IFMT, S_IFCHR, false },
	{ "mknodat", "mknod", EPERM, 2, OSL_SCMP_MASKED_EQ, S_IFMT, S_IFCHR, false },
	{ "mknod", "mknodat", EPERM, 1, OSL_SCMP_MASKED_EQ, S_IFMT, S_IFBLK, false },
	{ "mknodat", "mknod", EPERM, 2, OSL_SCMP_MASKED_EQ, S_IFMT, S_IFBLK, false },
	/* exec from memory: every memfd is made sealed and not executable
	 * (MFD_NOEXEC_SEAL, Linux 6.3; ENOSYS without it, so that a program
	 * falls back to shared memory on a noexec mount, as on a kernel
	 * without memfd), none with MFD_EXEC; no exec of a descriptor
	 * (fexecve: a memfd or any file opened before the mounts) */
	{ "memfd_create", NULL, EPERM, 1, OSL_SCMP_MASKED_EQ, MFD_EXEC, MFD_EXEC, false },
	{ "memfd_create", NULL, ENOSYS, 1, OSL_SCMP_MASKED_EQ, MFD_NOEXEC_SEAL, 0, false },
	{ "execveat", NULL, EPERM, 4, OSL_SCMP_MASKED_EQ, AT_EMPTY_PATH, AT_EMPTY_PATH, false },
	/* another process's rlimits: Landlock does not scope prlimit(2), and
	 * the program's parent is osl (RLIMIT_FSIZE 0 cuts its records, RLIMIT_CPU
	 * kills it, a supervisor with its tree); 0 is the caller (libc's
	 * getrlimit and setrlimit), any other value is refused, its own pid too */
	{ "prlimit64", NULL, EPERM, 0, OSL_SCMP_NE, 0, 0, false },
	/* no net rules: UNIX sockets only (UDP, raw and packet are refused) */
	{ "socket", NULL, EAFNOSUPPORT, 0, OSL_SCMP_NE, AF_UNIX, 0, true },
	/* with net rules: unix, inet, inet6, netlink and packet (the report's
	 * udp-raw-packet line) only.  Every other family is refused: vsock
	 * reaches a virtual machine's host past any network namespace,
	 * AF_ALG, XDP, RDS, TIPC, CAN, ... are kernel attack surface that
	 * ordinary programs never use, and a family's first socket loads its
	 * module (as Docker's default profile refuses AF_VSOCK) */
	FAMILY(3), FAMILY(4), FAMILY(5), FAMILY(6), FAMILY(7), FAMILY(8), FAMILY(9),
	FAMILY(11), FAMILY(12), FAMILY(13), FAMILY(14), FAMILY(15),
	FAMILY(18), FAMILY(19), FAMILY(20), FAMILY(21), FAMILY(22), FAMILY(23), FAMILY(24),
	FAMILY(25), FAMILY(26), FAMILY(27), FAMILY(28), FAMILY(29), FAMILY(30), FAMILY(31),
	FAMILY(32), FAMILY(33), FAMILY(34), FAMILY(35), FAMILY(36), FAMILY(37), FAMILY(38),
	FAMILY(39), FAMILY(40), FAMILY(41), FAMILY(42), FAMILY(43), FAMILY(44), FAMILY(45),
	{ "socket", NULL, EAFNOSUPPORT, 0, OSL_SCMP_GT, 45, 0, false },	/* AF_MCTP: the last in 6.18 */
	{ NULL }
};

/* The names in these tables, for `osl policy export`. */
static const char *const arches_names[] = { "SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32", NULL };
static const uint32_t arches[] = { SCMP_ARCH_X86_64, SCMP_ARCH_X86, SCMP_ARCH_X32 };

static const struct osl_error *
add_arg_rules(scmp_filter_ctx f, const struct osl_seccomp_profile *pr)
{
	for (size_t i = 0; i < pr->nargs; i++) {
		const struct osl_seccomp_argrule *a = pr->args[i];
		struct scmp_arg_cmp c = { .arg = a->arg, .datum_a = a->a, .datum_b = a->b,
		    .op = a->op == OSL_SCMP_NE ? SCMP_CMP_NE : a->op == OSL_SCMP_GT ? SCMP_CMP_GT :
		    SCMP_CMP_MASKED_EQ };
		int nr = seccomp_syscall_resolve_name(a->name), rc;

		if (nr == __NR_SCMP_ERROR)
			continue;
		rc = seccomp_rule_add_array(f, SCMP_ACT_ERRNO(a->err), nr, 1, &c);
		if (rc < 0 && rc != -EDOM && rc != -EINVAL)
			return osl_error_sys(OSL_ESETUP, -rc, "seccomp: cannot filter %s", a->name);
	}
	return NULL;
}

/* (sandbox-int.h) */
const struct osl_error *
osl_seccomp_export(scmp_filter_ctx f, void **bpf, unsigned short *len)
{
	const struct osl_error *err = NULL;
	struct stat st;
	void *buf = NULL;
	int fd, rc;

	/* sealed and not executable, as osl's own seccomp lets a sandboxed
	 * program make one (an osl, or its build, under osl); a kernel before
	 * 6.3 has no such flag (EINVAL) */
	if ((fd = memfd_create("osl-seccomp", MFD_CLOEXEC | MFD_NOEXEC_SEAL)) == -1 &&
	    (errno != EINVAL || (fd = memfd_create("osl-seccomp", MFD_CLOEXEC)) == -1))
		return osl_error_sys(OSL_ESETUP, errno, "seccomp: memfd_create");
	if ((rc = seccomp_export_bpf(f, fd)) < 0) {
		err = osl_error_sys(OSL_ESETUP, -rc, "seccomp: cannot export the filter");
		goto done;
	}
	if (fstat(fd, &st) == -1 || st.st_size <= 0 || st.st_size % 8 || st.st_size / 8 > 0xffff) {
		err = osl_error_new(OSL_ESETUP, "seccomp: bad filter size");
		goto done;
	}
	if (!(buf = malloc((size_t)st.st_size))) {
		err = osl_error_nomem();
		goto done;
	}
	if (pread(fd, buf, (size_t)st.st_size, 0) != st.st_size) {
		err = osl_error_sys(OSL_ESETUP, errno, "seccomp: cannot read the filter");
		goto done;
	}
	*bpf = buf;
	*len = (unsigned short)(st.st_size / 8);
	buf = NULL;
done:
	free(buf);
	close(fd);
	return err;
}

static bool
either(const struct osl_seccomp *s, const char *name)
{
	for (size_t i = 0; i < s->nallow; i++)
		if (!strcmp(s->allow[i], name))
			return true;
	for (size_t i = 0; i < s->ndeny; i++)
		if (!strcmp(s->deny[i], name))
			return true;
	return false;
}

static bool
names_have(char *const *names, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(names[i], name))
			return true;
	return false;
}

bool
osl_seccomp_refuses_families(const struct osl_seccomp *s)
{
	if (names_have(s->deny, s->ndeny, "socket"))
		return true;	/* no socket at all */
	return s->base != OSL_SECCOMP_NONE && !either(s, "socket");
}

/* The argument checks of PR: every one of the table but those whose call
 * the policy names (its list says what happens to the call then). */
static const struct osl_error *
pick_argrules(const struct osl_seccomp *s, bool net_any, struct osl_seccomp_profile *pr)
{
	size_t n = sizeof(argrules) / sizeof(argrules[0]) - 1;

	if (!(pr->args = calloc(n, sizeof(*pr->args))))
		return osl_error_nomem();
	for (size_t i = 0; i < n; i++) {
		const struct osl_seccomp_argrule *a = &argrules[i];

		if (either(s, a->name) || (a->also && either(s, a->also)) ||
		    (a->no_net_only && net_any))
			continue;
		/* strict refuses a call it does not allow whatever its arguments */
		if (!pr->default_allow && !names_have(pr->allow, pr->nallow, a->name))
			continue;
		pr->args[pr->nargs++] = a;
	}
	return NULL;
}

/* Hand the names of FROM to the profile. */
static void
steal(struct sysset *from, char ***names, size_t *n)
{
	*names = from->names;
	*n = from->n;
	memset(from, 0, sizeof(*from));
}

/* The policy's seccomp setting resolved into sets of calls: the one place
 * that decides what a profile holds (osl_seccomp_build compiles it,
 * `osl policy export` writes it out). */
const struct osl_error *
osl_seccomp_profile(const struct osl_seccomp *s, bool net_any, struct osl_seccomp_profile *pr)
{
	const struct osl_error *err = NULL;
	struct sysset deny = { 0 }, enosys = { 0 }, allow = { 0 };
	bool strict = s->base == OSL_SECCOMP_STRICT;

	memset(pr, 0, sizeof(*pr));
	pr->base = s->base == OSL_SECCOMP_NONE ? "none" : strict ? "strict" : "default";
	pr->arches = arches_names;
	pr->default_allow = !strict;
	if (s->base == OSL_SECCOMP_NONE && s->ndeny == 0) {
		pr->empty = true;
		return NULL;
	}
	if (strict) {
		/* ENOSYS, not EPERM: libc falls back from clone3 only on ENOSYS */
		if ((err = set_add_list(&allow, strict_allow)) ||
		    (err = set_add_list(&enosys, default_enosys)))
			goto done;
		for (size_t i = 0; i < s->nallow; i++)
			if ((err = set_add(&allow, s->allow[i])))
				goto done;
		for (size_t i = 0; i < s->ndeny; i++) {
			if ((err = set_add(&deny, s->deny[i])))	/* validates the name */
				goto done;
			set_del(&allow, s->deny[i]);
		}
		set_free(&deny);
		for (size_t i = 0; i < allow.n; i++)
			set_del(&enosys, allow.names[i]);
	} else {
		if (s->base == OSL_SECCOMP_DEFAULT) {
			if ((err = set_add_list(&deny, default_eperm)) ||
			    (err = set_add_list(&enosys, default_enosys)))
				goto done;
		}
		for (size_t i = 0; i < s->ndeny; i++) {
			if ((err = set_add(&deny, s->deny[i])))
				goto done;
			set_del(&enosys, s->deny[i]);
		}
		for (size_t i = 0; i < s->nallow; i++) {
			if ((err = set_add(&allow, s->allow[i])))	/* validates */
				goto done;
			set_del(&deny, s->allow[i]);
			set_del(&enosys, s->allow[i]);
		}
		set_free(&allow);
	}
	steal(&allow, &pr->allow, &pr->nallow);
	steal(&deny, &pr->eperm, &pr->neperm);
	steal(&enosys, &pr->enosys, &pr->nenosys);
	/* one table of argument checks for both profiles: strict holds at
	 * least what default holds */
	if (s->base != OSL_SECCOMP_NONE)
		err = pick_argrules(s, net_any, pr);
done:
	set_free(&deny);
	set_free(&enosys);
	set_free(&allow);
	if (err)
		osl_seccomp_profile_release(pr);
	return err;
}

void
osl_seccomp_profile_release(struct osl_seccomp_profile *pr)
{
	struct sysset s;

	s = (struct sysset){ pr->allow, pr->nallow, pr->nallow };
	set_free(&s);
	s = (struct sysset){ pr->eperm, pr->neperm, pr->neperm };
	set_free(&s);
	s = (struct sysset){ pr->enosys, pr->nenosys, pr->nenosys };
	set_free(&s);
	free(pr->args);
	memset(pr, 0, sizeof(*pr));
}

/* Egress through osl's proxy without a network namespace: Landlock holds
 * TCP to the proxy's port, so every other way out is refused here: UDP,
 * raw, SCTP and the other IPv4/IPv6 socket types and protocols, and every
 * family but unix, inet, inet6 and netlink (packet, vsock, ...); io_uring
 * would open sockets past this filter.  Arguments are ints: 32 bits. */
static const struct osl_error *
add_tcp_only(scmp_filter_ctx f)
{
	static const int inet[] = { AF_INET, AF_INET6 };
	int nr = seccomp_syscall_resolve_name("socket"), rc = 0;

	for (int d = 0; d <= AF_NETLINK && rc >= 0; d++)
		if (d != AF_UNIX && d != AF_INET && d != AF_INET6 && d != AF_NETLINK)
			rc = seccomp_rule_add(f, SCMP_ACT_ERRNO(EAFNOSUPPORT), nr, 1,
			    SCMP_A0(SCMP_CMP_MASKED_EQ, 0xffffffffu, (unsigned)d));
	if (rc >= 0)
		rc = seccomp_rule_add(f, SCMP_ACT_ERRNO(EAFNOSUPPORT), nr, 1,
		    SCMP_A0(SCMP_CMP_GT, AF_NETLINK));
	/* SOCK_STREAM is 1: any of the type bits 2, 4, 8 is another type */
	for (size_t i = 0; i < 2 && rc >= 0; i++) {
		for (unsigned bit = 2; bit <= 8 && rc >= 0; bit <<= 1)
			rc = seccomp_rule_add(f, SCMP_ACT_ERRNO(EPERM), nr, 2,
			    SCMP_A0(SCMP_CMP_MASKED_EQ, 0xffffffffu, (unsigned)inet[i]),
			    SCMP_A1(SCMP_CMP_MASKED_EQ, bit, bit));
		if (rc >= 0)
			rc = seccomp_rule_add(f, SCMP_ACT_ERRNO(EPERM), nr, 2,
			    SCMP_A0(SCMP_CMP_MASKED_EQ, 0xffffffffu, (unsigned)inet[i]),
			    SCMP_A2(SCMP_CMP_GT, IPPROTO_TCP));
	}
	if (rc < 0 && rc != -EDOM && rc != -EINVAL)
		return osl_error_sys(OSL_ESETUP, -rc, "seccomp: cannot filter socket");
	for (const char *const *n = g_io_uring; *n; n++)
		if ((rc = seccomp_rule_add(f, SCMP_ACT_ERRNO(ENOSYS),
		    seccomp_syscall_resolve_name(*n), 0)) < 0 && rc != -EEXIST)
			return osl_error_sys(OSL_ESETUP, -rc, "seccomp: cannot refuse %s", *n);
	return NULL;
}

static const struct osl_error *
add_names(scmp_filter_ctx f, uint32_t action, char **names, size_t n)
{
	struct sysset s = { names, n, n };

	return add_rules(f, action, &s);
}

/* Everything the filter of PR depends on, in the order libseccomp is given
 * it, as text: the native architecture, the default action, the calls of
 * each action, the argument checks with their values and TCP_ONLY's socket
 * checks (add_tcp_only).  NULL when out of memory. */
static char *
profile_key(const struct osl_seccomp_profile *pr, bool tcp_only)
{
	struct strbuf k = STRBUF_INIT;
	const struct { const char *tag; char **names; size_t n; } sets[] = {
		{ "allow", pr->allow, pr->nallow }, { "eperm", pr->eperm, pr->neperm },
		{ "enosys", pr->enosys, pr->nenosys },
	};

	sb_addf(&k, "native %#x default %s arches", seccomp_arch_native(),
	    pr->default_allow ? "allow" : "eperm");
	/* appended, not printed: the key is made at every start */
	for (size_t i = 0; pr->arches[i]; i++) {
		sb_addc(&k, ' ');
		sb_adds(&k, pr->arches[i]);
	}
	for (size_t i = 0; i < sizeof(sets) / sizeof(sets[0]); i++) {
		sb_addc(&k, '\n');
		sb_adds(&k, sets[i].tag);
		for (size_t j = 0; j < sets[i].n; j++) {
			sb_addc(&k, ' ');
			sb_adds(&k, sets[i].names[j]);
		}
	}
	/* each argument check by its place in argrules: the build-time filters
	 * come from this very table (seccomp-gen compiles this file), and 50
	 * checks printed in full took 10 us of every start */
	sb_adds(&k, "\nargs");
	for (size_t i = 0; i < pr->nargs; i++) {
		size_t at = (size_t)(pr->args[i] - argrules);
		char d[24], *e = d + sizeof(d);

		do
			*--e = (char)('0' + at % 10);
		while ((at /= 10));
		*--e = ' ';
		sb_add(&k, e, (size_t)(d + sizeof(d) - e));
	}
	if (tcp_only)
		sb_adds(&k, "\ntcp-only");
	if (k.oom) {
		sb_release(&k);
		return NULL;
	}
	return sb_detach(&k);
}

/* The errno a strict filter's default is built with (see compile) */
#define DEFAULT_MARK 4094

/* The filter of PR from libseccomp.  TREE: a binary tree of system call
 * numbers (optimize level 2), which the kernel attaches in less than half
 * the time of a linear filter (default 218 -> 89 us, strict 718 -> 262 us)
 * but libseccomp takes longer to build (strict: 5.3 -> 7.7 ms): worth it
 * for the filters compiled once at build time, not for one made per run. */
static const struct osl_error *
compile(const struct osl_seccomp_profile *pr, bool tree, bool tcp_only, void **bpf,
    unsigned short *len)
{
	const struct osl_error *err = NULL;
	scmp_filter_ctx f;
	int rc;

	/* strict: libseccomp refuses a rule whose action is the default's, and
	 * the argument checks on allowed calls fail with EPERM too; the
	 * default is built as an errno no rule uses, then made EPERM */
	if (!(f = seccomp_init(pr->default_allow ? SCMP_ACT_ALLOW : SCMP_ACT_ERRNO(DEFAULT_MARK))))
		return osl_error_new(OSL_ESETUP, "seccomp: cannot initialise libseccomp");
	/* a call from an architecture not in the filter kills the process */
	if ((rc = seccomp_attr_set(f, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS)) < 0 ||
	    (rc = seccomp_attr_set(f, SCMP_FLTATR_CTL_NNP, 0)) < 0 ||
	    (rc = seccomp_attr_set(f, SCMP_FLTATR_CTL_OPTIMIZE, tree ? 2 : 1)) < 0) {
		err = osl_error_sys(OSL_ESETUP, -rc, "seccomp: cannot set attributes");
		goto done;
	}
	for (size_t i = 0; i < sizeof(arches) / sizeof(arches[0]); i++) {
		if (arches[i] == seccomp_arch_native())
			continue;
		if ((rc = seccomp_arch_add(f, arches[i])) < 0 && rc != -EEXIST) {
			err = osl_error_sys(OSL_ESETUP, -rc, "seccomp: cannot add an architecture");
			goto done;
		}
	}
	if ((err = add_names(f, SCMP_ACT_ALLOW, pr->allow, pr->nallow)) ||
	    (err = add_names(f, SCMP_ACT_ERRNO(EPERM), pr->eperm, pr->neperm)) ||
	    (err = add_names(f, SCMP_ACT_ERRNO(ENOSYS), pr->enosys, pr->nenosys)) ||
	    (err = add_arg_rules(f, pr)) || (tcp_only && (err = add_tcp_only(f))))
		goto done;
	if (!(err = osl_seccomp_export(f, bpf, len)) && !pr->default_allow) {
		struct sock_filter *in = *bpf;

		for (unsigned short i = 0; i < *len; i++)
			if (in[i].code == (BPF_RET | BPF_K) &&
			    in[i].k == (SECCOMP_RET_ERRNO | DEFAULT_MARK))
				in[i].k = SECCOMP_RET_ERRNO | EPERM;
	}
done:
	seccomp_release(f);
	return err;
}

/* A strict profile is two filters: libseccomp drops a call's argument
 * checks when the call also has a rule without conditions (strict's
 * allow-list), so they go into a second filter that allows everything
 * else; the kernel takes the stricter answer of the two.  ARGS: the
 * second one (NULL unless strict with checks), else the first. */
static bool
strict_split(struct osl_seccomp_profile *pr, bool args)
{
	if (pr->default_allow)
		return !args;
	if (!args) {
		pr->nargs = 0;
		return true;
	}
	if (!pr->nargs)
		return false;
	pr->default_allow = true;
	pr->nallow = pr->neperm = pr->nenosys = 0;	/* still owned, freed by release */
	return true;
}

/* USE_PRE: take the build-time copy when there is one for exactly this
 * profile (TCP_ONLY included: builtin:ci's), else compile a linear filter
 * now; !USE_PRE: compile it now, as a tree when TREE.  ARGS: the argument
 * checks of a strict profile (strict_split), never with TCP_ONLY's. */
static const struct osl_error *
build(const struct osl_seccomp *s, bool net_any, bool tcp_only, bool use_pre, bool tree,
    bool args, void **bpf, unsigned short *len)
{
	const struct osl_error *err = NULL;
	struct osl_seccomp_profile pr;
	size_t na, ne, nn;
	char *key = NULL;

	*bpf = NULL;
	*len = 0;
	if ((err = osl_seccomp_profile(s, net_any, &pr)))
		return err;
	na = pr.nallow, ne = pr.neperm, nn = pr.nenosys;
	if ((pr.empty && !tcp_only) || !strict_split(&pr, args))
		goto done;
	tcp_only = tcp_only && !args;
	if (use_pre && !(key = profile_key(&pr, tcp_only))) {
		err = osl_error_nomem();
		goto done;
	}
	for (size_t i = 0; key && precompiled[i].key; i++) {
		if (strcmp(precompiled[i].key, key))
			continue;
		if (!(*bpf = malloc(precompiled[i].len * sizeof(struct sock_filter)))) {
			err = osl_error_nomem();
			goto done;
		}
		memcpy(*bpf, precompiled[i].insns, precompiled[i].len * sizeof(struct sock_filter));
		*len = precompiled[i].len;
		goto done;
	}
	err = compile(&pr, tree, tcp_only, bpf, len);
done:
	free(key);
	pr.nallow = na, pr.neperm = ne, pr.nenosys = nn;
	osl_seccomp_profile_release(&pr);
	return err;
}

const struct osl_error *
osl_seccomp_build(const struct osl_seccomp *s, bool net_any, bool tcp_only, void **bpf,
    unsigned short *len, const char **profile)
{
	*profile = s->base == OSL_SECCOMP_NONE ? "none" :
	    s->base == OSL_SECCOMP_STRICT ? "strict" : "default";
	return build(s, net_any, tcp_only, true, false, false, bpf, len);
}

const struct osl_error *
osl_seccomp_args(const struct osl_seccomp *s, bool net_any, bool use_pre, void **bpf,
    unsigned short *len)
{
	return build(s, net_any, false, use_pre, !use_pre, true, bpf, len);
}

const struct osl_error *
osl_seccomp_compile(const struct osl_seccomp *s, bool net_any, bool tcp_only, bool tree,
    void **bpf, unsigned short *len)
{
	return build(s, net_any, tcp_only, false, tree, false, bpf, len);
}

size_t
osl_seccomp_nprecompiled(void)
{
	size_t n = 0;

	while (precompiled[n].key)
		n++;
	return n;
}
