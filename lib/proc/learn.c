/* `osl policy learn`: the tracer (learn.h).
 *
 * Each traced call is seen twice: at its seccomp stop (entry: the
 * arguments, read from the tracee's registers and memory) and at its
 * syscall-exit stop (the result), so only what succeeded is recorded:
 * a library search that fails ten times adds nothing.  Opened files are
 * named by the kernel (/proc/PID/fd/N after the open), so symlinks and
 * relative paths come out resolved. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/openat2.h>
#include <netinet/in.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <dirent.h>
#include <unistd.h>

#include "op.h"
#include "proc/learn-int.h"
#include "proc/learn.h"
#include "sandbox/sandbox.h"

static const char *const traced[] = {
	"open", "openat", "openat2", "creat", "execve", "execveat", "mkdir", "mkdirat",
	"unlink", "unlinkat", "rmdir", "rename", "renameat", "renameat2", "truncate",
	"symlink", "symlinkat", "connect", "bind", "sendto", "sendmmsg",
	"mmap",			/* only with PROT_EXEC (osl_seccomp_trace_build) */
	NULL
};

struct task {
	pid_t pid;
	bool started;		/* its first SIGSTOP (auto-attach) has been swallowed */
	bool in_call;		/* between a seccomp stop and the syscall-exit stop */
	bool execed;		/* it, or the process it was forked from, executed a program */
	long nr;
	int flags;		/* open flags */
	long dirfd;		/* open: the folder RAW is relative to */
	unsigned long raw_addr;	/* open: the path argument in the tracee */
	char raw[PATH_MAX];	/* open: the path as given, resolved only if refused */
	char path[2][PATH_MAX];	/* resolved at entry: exec, mkdir, unlink, rename targets, mmap */
	struct sockaddr_storage sa;
	socklen_t salen;
	int fd;			/* connect: the socket */
};

/* A socket connected to a name server, by the thread that connected it:
 * what it sends are queries, and their names are what was resolved. */
struct dns_sock {
	pid_t pid;
	int fd;
};

#define MAX_DNS_SOCKS 64

struct tracer {
	struct osl_learn *l;
	struct task *t;
	size_t n, cap;
	pid_t root;
	struct dns_sock dns[MAX_DNS_SOCKS];
	size_t ndns;
};

static uint64_t
fnv(enum osl_seen_kind k, bool refused, const char *s)
{
	uint64_t h = 1469598103934665603ULL ^ (uint64_t)k ^ ((uint64_t)refused << 8);

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static const struct osl_error *
rehash(struct osl_learn *l)
{
	size_t cap = l->hcap ? l->hcap * 2 : 256, *h;

	if (!(h = calloc(cap, sizeof(*h))))
		return osl_error_nomem();
	for (size_t i = 0; i < l->n; i++) {
		size_t j = fnv(l->seen[i].kind, l->seen[i].refused, l->seen[i].what) & (cap - 1);

		while (h[j])
			j = (j + 1) & (cap - 1);
		h[j] = i + 1;
	}
	free(l->hash);
	l->hash = h;
	l->hcap = cap;
	return NULL;
}

const struct osl_error *
osl_learn_add(struct osl_learn *l, enum osl_seen_kind kind, bool refused, const char *what,
    const char *by)
{
	const struct osl_error *err;
	struct osl_seen *s;
	size_t j;

	if (l->n * 2 >= l->hcap && (err = rehash(l)))
		return err;
	for (j = fnv(kind, refused, what) & (l->hcap - 1); l->hash[j]; j = (j + 1) & (l->hcap - 1)) {
		s = &l->seen[l->hash[j] - 1];
		if (s->kind == kind && s->refused == refused && !strcmp(s->what, what))
			return NULL;
	}
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 128;

		if (!(s = reallocarray(l->seen, cap, sizeof(*s))))
			return osl_error_nomem();
		l->seen = s;
		l->cap = cap;
	}
	s = &l->seen[l->n];
	memset(s, 0, sizeof(*s));
	s->kind = kind;
	s->refused = refused;
	if (!(s->what = strdup(what)))
		return osl_error_nomem();
	snprintf(s->by, sizeof(s->by), "%s", by ? by : "");
	l->hash[j] = ++l->n;
	return NULL;
}

void
osl_learn_release(struct osl_learn *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->seen[i].what);
	free(l->seen);
	free(l->hash);
	memset(l, 0, sizeof(*l));
}

static const struct osl_error *
add_seen(struct tracer *tr, const struct task *t, enum osl_seen_kind kind, bool refused,
    const char *what)
{
	char comm[16], p[PATH_MAX];

	if (tr->l->enforced && !t->execed)
		return NULL;	/* osl's own setup, before the command runs */
	learn_comm_of(t->pid, comm, sizeof(comm));
	if (what[0] == '/' && !strncmp(what, "/proc/", 6)) {
		snprintf(p, sizeof(p), "%s", what);
		learn_proc_self(t->pid, p, sizeof(p));
		what = p;
	}
	return osl_learn_add(tr->l, kind, refused, what, comm);
}

static const struct osl_error *
add(struct tracer *tr, const struct task *t, enum osl_seen_kind kind, const char *what)
{
	return add_seen(tr, t, kind, false, what);
}

/* --- the tasks --- */

static struct task *
task_find(struct tracer *tr, pid_t pid)
{
	for (size_t i = 0; i < tr->n; i++)
		if (tr->t[i].pid == pid)
			return &tr->t[i];
	return NULL;
}

static struct task *
task_add(struct tracer *tr, pid_t pid, bool started)
{
	struct task *t;

	if ((t = task_find(tr, pid)))
		return t;
	if (tr->n == tr->cap) {
		size_t cap = tr->cap ? tr->cap * 2 : 16;

		if (!(t = reallocarray(tr->t, cap, sizeof(*t))))
			return NULL;
		tr->t = t;
		tr->cap = cap;
	}
	t = &tr->t[tr->n++];
	memset(t, 0, sizeof(*t));
	t->pid = pid;
	t->started = started;
	if (tr->n > tr->l->peak_tasks)
		tr->l->peak_tasks = tr->n;
	return t;
}

static void
task_del(struct tracer *tr, pid_t pid)
{
	struct task *t = task_find(tr, pid);

	if (t)
		*t = tr->t[--tr->n];
}

/* The peaks of a process about to exit: VmPeak, VmHWM, its highest fd. */
static void
peaks(struct tracer *tr, pid_t pid)
{
	char p[64], line[256];
	struct dirent *de;
	FILE *f;
	DIR *d;

	snprintf(p, sizeof(p), "/proc/%d/status", (int)pid);
	if ((f = fopen(p, "re"))) {
		unsigned long long kb;

		while (fgets(line, sizeof(line), f)) {
			if (sscanf(line, "VmPeak: %llu kB", &kb) == 1 && kb * 1024 > tr->l->peak_vm)
				tr->l->peak_vm = kb * 1024;
			if (sscanf(line, "VmHWM: %llu kB", &kb) == 1 && kb * 1024 > tr->l->peak_rss)
				tr->l->peak_rss = kb * 1024;
		}
		fclose(f);
	}
	snprintf(p, sizeof(p), "/proc/%d/fd", (int)pid);
	if ((d = opendir(p))) {
		while ((de = readdir(d))) {
			unsigned long long fd = strtoull(de->d_name, NULL, 10);

			if (de->d_name[0] != '.' && fd + 1 > tr->l->peak_fd)
				tr->l->peak_fd = fd + 1;
		}
		closedir(d);
	}
}

/* --- the calls --- */

#if defined(__x86_64__)
#define REG_NR(r) ((long)(r).orig_rax)
#define REG_RET(r) ((long)(r).rax)
#define REG_ARG(r, i) ((unsigned long)((i) == 0 ? (r).rdi : (i) == 1 ? (r).rsi : \
	(i) == 2 ? (r).rdx : (i) == 3 ? (r).r10 : (i) == 4 ? (r).r8 : (r).r9))
#define LEARN_SUPPORTED 1
#endif

#ifdef LEARN_SUPPORTED
/* The path argument I (with DIRFD argument D, or -1 for AT_FDCWD) into T->path[K]. */
static bool
arg_path(struct task *t, const struct user_regs_struct *r, int d, int i, int k)
{
	char raw[PATH_MAX];
	long dirfd = d < 0 ? AT_FDCWD : (long)(int)REG_ARG(*r, d);

	if (!learn_read_str(t->pid, REG_ARG(*r, i), raw, sizeof(raw)) || !raw[0])
		return false;
	return learn_resolve_at(t->pid, dirfd, raw, t->path[k], sizeof(t->path[k]));
}

/* The name of a DNS query (RFC 1035 4.1): one question, QR clear, labels
 * of letters, digits, '-' and '_' only; anything else is not a query. */
static bool
dns_qname(const unsigned char *m, size_t len, char *out, size_t size)
{
	size_t i = 12, o = 0;

	if (len < 17 || (m[2] & 0x80) || m[4] != 0 || m[5] != 1)
		return false;
	while (i < len && m[i]) {
		size_t n = m[i++];

		if (n > 63 || i + n >= len || o + n + 2 > size)
			return false;
		if (o)
			out[o++] = '.';
		for (size_t k = 0; k < n; k++) {
			unsigned char c = m[i + k];

			if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			    (c >= '0' && c <= '9') || c == '-' || c == '_'))
				return false;
			out[o++] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
		}
		i += n;
	}
	out[o] = '\0';
	return o > 0;
}

static void
dns_add(struct tracer *tr, const struct task *t, const unsigned char *m, size_t len)
{
	char name[256];

	if (dns_qname(m, len, name, sizeof(name)))
		(void)add(tr, t, OSL_SEEN_RESOLVE, name);
}

/* sendto or sendmmsg on a name server's socket: the names asked for
 * (glibc sends the A and AAAA queries together with sendmmsg). */
static void
on_send(struct tracer *tr, const struct task *t, const struct user_regs_struct *r)
{
	int fd = (int)REG_ARG(*r, 0);
	unsigned char m[512];
	bool dns = false;

	for (size_t i = 0; i < tr->ndns; i++)
		if (tr->dns[i].pid == t->pid && tr->dns[i].fd == fd)
			dns = true;
	if (!dns)
		return;
	if (REG_NR(*r) == SYS_sendto) {
		size_t len = REG_ARG(*r, 2) < sizeof(m) ? REG_ARG(*r, 2) : sizeof(m);

		if (learn_read_mem(t->pid, REG_ARG(*r, 1), m, len))
			dns_add(tr, t, m, len);
		return;
	}
	for (unsigned long k = 0; k < REG_ARG(*r, 2) && k < 4; k++) {
		struct mmsghdr mh;
		struct iovec iov;
		size_t len;

		if (!learn_read_mem(t->pid, REG_ARG(*r, 1) + k * sizeof(mh), &mh, sizeof(mh)) ||
		    mh.msg_hdr.msg_iovlen < 1 ||
		    !learn_read_mem(t->pid, (unsigned long)mh.msg_hdr.msg_iov, &iov, sizeof(iov)))
			return;
		len = iov.iov_len < sizeof(m) ? iov.iov_len : sizeof(m);
		if (learn_read_mem(t->pid, (unsigned long)iov.iov_base, m, len))
			dns_add(tr, t, m, len);
	}
}

static void
on_entry(struct tracer *tr, struct task *t)
{
	struct user_regs_struct r;
	long nr;

	t->path[0][0] = t->path[1][0] = t->raw[0] = '\0';
	t->salen = 0;
	if (ptrace(PTRACE_GETREGS, t->pid, NULL, &r) == -1)
		return;
	t->nr = nr = REG_NR(r);
	switch (nr) {
	case SYS_open: case SYS_creat:
		t->flags = nr == SYS_creat ? O_WRONLY | O_CREAT | O_TRUNC : (int)REG_ARG(r, 1);
		t->dirfd = AT_FDCWD;
		t->raw_addr = REG_ARG(r, 0);
		if (tr->l->enforced && !learn_read_str(t->pid, REG_ARG(r, 0), t->raw, sizeof(t->raw)))
			t->raw[0] = '\0';
		break;
	case SYS_openat: case SYS_openat2:
		if (nr == SYS_openat)
			t->flags = (int)REG_ARG(r, 2);
		else {
			struct open_how how;

			t->flags = learn_read_mem(t->pid, REG_ARG(r, 2), &how, sizeof(how)) ?
			    (int)how.flags : 0;
		}
		t->dirfd = (long)(int)REG_ARG(r, 0);
		t->raw_addr = REG_ARG(r, 1);
		if (tr->l->enforced && !learn_read_str(t->pid, REG_ARG(r, 1), t->raw, sizeof(t->raw)))
			t->raw[0] = '\0';
		break;
	case SYS_mmap: {
		char fd[32];

		/* the filter stops only PROT_EXEC maps; a file's, not anonymous */
		snprintf(fd, sizeof(fd), "fd/%d", (int)REG_ARG(r, 4));
		if ((int)REG_ARG(r, 4) < 0 || !learn_proc_link(t->pid, fd, t->path[0], sizeof(t->path[0])))
			t->path[0][0] = '\0';
		break;
	}
	case SYS_execve: arg_path(t, &r, -1, 0, 0); break;
	case SYS_execveat: arg_path(t, &r, 0, 1, 0); break;
	case SYS_mkdir: case SYS_unlink: case SYS_rmdir: case SYS_truncate:
		arg_path(t, &r, -1, 0, 0);
		break;
	case SYS_mkdirat: case SYS_unlinkat: arg_path(t, &r, 0, 1, 0); break;
	case SYS_rename:
		arg_path(t, &r, -1, 0, 0);
		arg_path(t, &r, -1, 1, 1);
		break;
	case SYS_renameat: case SYS_renameat2:
		arg_path(t, &r, 0, 1, 0);
		arg_path(t, &r, 2, 3, 1);
		break;
	case SYS_symlink: arg_path(t, &r, -1, 1, 0); break;
	case SYS_symlinkat: arg_path(t, &r, 1, 2, 0); break;
	case SYS_sendto: case SYS_sendmmsg:
		on_send(tr, t, &r);
		break;
	case SYS_connect: case SYS_bind: {
		socklen_t len = (socklen_t)REG_ARG(r, 2);

		t->fd = (int)REG_ARG(r, 0);

		if (len > sizeof(t->sa))
			len = sizeof(t->sa);
		if (learn_read_mem(t->pid, REG_ARG(r, 1), &t->sa, len))
			t->salen = len;
		break;
	}
	}
}

static const struct osl_error *
on_net(struct tracer *tr, struct task *t, bool bind, bool refused)
{
	char host[INET6_ADDRSTRLEN], what[INET6_ADDRSTRLEN + 16];
	unsigned port;

	if (t->sa.ss_family == AF_INET && t->salen >= sizeof(struct sockaddr_in)) {
		const struct sockaddr_in *a = (const struct sockaddr_in *)&t->sa;

		inet_ntop(AF_INET, &a->sin_addr, host, sizeof(host));
		port = ntohs(a->sin_port);
		snprintf(what, sizeof(what), "%s:%u", host, port);
	} else if (t->sa.ss_family == AF_INET6 && t->salen >= sizeof(struct sockaddr_in6)) {
		const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)&t->sa;

		inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof(host));
		port = ntohs(a->sin6_port);
		snprintf(what, sizeof(what), "[%s]:%u", host, port);
	} else
		return NULL;	/* UNIX sockets are files; other families are not policy */
	if (!bind && port == 53 && !refused) {
		/* a resolver: net.resolve, not a connect rule; its queries name
		 * what was resolved (the oldest socket gives way when full) */
		tr->l->resolved = true;
		if (tr->ndns == MAX_DNS_SOCKS)
			memmove(tr->dns, tr->dns + 1, --tr->ndns * sizeof(tr->dns[0]));
		tr->dns[tr->ndns++] = (struct dns_sock){ t->pid, t->fd };
		return NULL;
	}
	if (bind && port == 0)
		return NULL;	/* an ephemeral port: nothing to allow */
	if (!bind && tr->l->proxy[0] && !strcmp(what, tr->l->proxy))
		return NULL;	/* osl's egress proxy: the names it was asked for are decided there */
	return add_seen(tr, t, bind ? OSL_SEEN_BIND : OSL_SEEN_CONNECT, refused, what);
}

/* An open's accesses: O_RDWR is a read and a write. */
static const struct osl_error *
add_open(struct tracer *tr, const struct task *t, bool refused, const char *path)
{
	const struct osl_error *err = NULL;
	int acc = t->flags & O_ACCMODE;

	if (acc != O_WRONLY)
		err = add_seen(tr, t, OSL_SEEN_READ, refused, path);
	if (!err && (acc != O_RDONLY || (t->flags & (O_CREAT | O_TRUNC))))
		err = add_seen(tr, t, OSL_SEEN_WRITE, refused, path);
	return err;
}

static bool
is_refusal(long ret)
{
	return ret == -EACCES || ret == -EPERM;
}

static const struct osl_error *
on_exit_call(struct tracer *tr, struct task *t)
{
	struct user_regs_struct r;
	char path[PATH_MAX], fd[32];
	bool refused;
	long ret;

	if (ptrace(PTRACE_GETREGS, t->pid, NULL, &r) == -1)
		return NULL;
	ret = REG_RET(r);
	/* a refusal matters only under a sandbox: then it is the kernel's */
	refused = tr->l->enforced && is_refusal(ret);
	switch (t->nr) {
	case SYS_open: case SYS_openat: case SYS_openat2: case SYS_creat:
		if (refused && t->raw[0] && !(t->flags & O_PATH) &&
		    learn_resolve_at(t->pid, t->dirfd, t->raw, path, sizeof(path)))
			return add_open(tr, t, true, path);
		/* a device with nothing behind it (/dev/tty without a terminal):
		 * tried, and a sandbox would refuse it first (EACCES, not ENXIO) */
		if (ret == -ENXIO && !tr->l->enforced && !(t->flags & O_PATH) &&
		    learn_read_str(t->pid, t->raw_addr, path, sizeof(path)) && !strncmp(path, "/dev/", 5))
			return add_open(tr, t, false, path);
		if (ret == -EMFILE)
			tr->l->nofile_hit = true;
		if (ret < 0 || (t->flags & O_PATH))
			return NULL;
		if ((uint64_t)ret + 1 > tr->l->peak_fd)
			tr->l->peak_fd = (uint64_t)ret + 1;
		snprintf(fd, sizeof(fd), "fd/%ld", ret);
		if (!learn_proc_link(t->pid, fd, path, sizeof(path)))
			return NULL;	/* a pipe or an anonymous inode */
		return add_open(tr, t, false, path);
	case SYS_mmap:
		if (!t->path[0][0] || (ret < 0 && ret > -4096 && !refused))
			return NULL;
		return add_seen(tr, t, OSL_SEEN_EXEC, refused, t->path[0]);
	case SYS_execve: case SYS_execveat:
		/* a success is seen at PTRACE_EVENT_EXEC */
		return refused && t->path[0][0] ? add_seen(tr, t, OSL_SEEN_EXEC, true, t->path[0]) : NULL;
	case SYS_mkdir: case SYS_mkdirat:
		if (refused && t->path[0][0])
			return add_seen(tr, t, OSL_SEEN_WRITE, true, t->path[0]);
		return ret == 0 && t->path[0][0] ? add(tr, t, OSL_SEEN_MKDIR, t->path[0]) : NULL;
	case SYS_unlink: case SYS_unlinkat: case SYS_rmdir: case SYS_truncate:
	case SYS_symlink: case SYS_symlinkat:
		return (ret == 0 || refused) && t->path[0][0] ?
		    add_seen(tr, t, OSL_SEEN_WRITE, refused, t->path[0]) : NULL;
	case SYS_rename: case SYS_renameat: case SYS_renameat2: {
		const struct osl_error *err = NULL;

		if ((ret == 0 || refused) && t->path[0][0])
			err = add_seen(tr, t, OSL_SEEN_WRITE, refused, t->path[0]);
		if (!err && (ret == 0 || refused) && t->path[1][0])
			err = add_seen(tr, t, OSL_SEEN_WRITE, refused, t->path[1]);
		return err;
	}
	case SYS_connect:
		return ret == 0 || ret == -EINPROGRESS || refused ? on_net(tr, t, false, refused) : NULL;
	case SYS_bind:
		return ret == 0 || refused ? on_net(tr, t, true, refused) : NULL;
	}
	return NULL;
}

/* The egress proxy `osl proc run` gave PID (http_proxy=http://ADDR:PORT/)
 * as "ADDR:PORT", or "". */
static void
proxy_of(pid_t pid, char *out, size_t size)
{
	char p[64], env[16384];
	ssize_t n;
	FILE *f;

	out[0] = '\0';
	snprintf(p, sizeof(p), "/proc/%d/environ", (int)pid);
	if (!(f = fopen(p, "re")))
		return;
	n = (ssize_t)fread(env, 1, sizeof(env) - 1, f);
	fclose(f);
	env[n > 0 ? n : 0] = '\0';
	for (char *e = env; e < env + n; e += strlen(e) + 1)
		if (!strncmp(e, "http_proxy=http://", 18)) {
			snprintf(out, size, "%.*s", (int)strcspn(e + 18, "/"), e + 18);
			return;
		}
}

/* An exec succeeded: the file named (a script, maybe) and the program the
 * kernel runs for it (its interpreter). */
static const struct osl_error *
on_exec(struct tracer *tr, struct task *t)
{
	const struct osl_error *err = NULL;
	char exe[PATH_MAX];

	if (tr->l->enforced && t->pid == tr->root) {
		t->path[0][0] = '\0';	/* `osl proc run` itself */
		return NULL;
	}
	tr->l->nexec++;
	if (tr->l->enforced && !t->execed && !tr->l->proxy[0])
		proxy_of(t->pid, tr->l->proxy, sizeof(tr->l->proxy));
	t->execed = true;
	if (t->path[0][0])
		err = add(tr, t, OSL_SEEN_EXEC, t->path[0]);
	if (!err && learn_proc_link(t->pid, "exe", exe, sizeof(exe)) && strcmp(exe, t->path[0]))
		err = add(tr, t, OSL_SEEN_EXEC, exe);
	t->path[0][0] = '\0';
	return err;
}

static const struct osl_error *
trace(struct tracer *tr)
{
	const struct osl_error *err = NULL;
	int st;

	while (tr->n > 0) {
		struct task *t, *m;
		size_t n0;
		pid_t pid;
		int sig, ev, req = PTRACE_CONT, inject = 0;

		if ((pid = waitpid(-1, &st, __WALL)) == -1) {
			if (errno == EINTR)
				continue;
			break;		/* ECHILD: nothing left */
		}
		if (WIFEXITED(st) || WIFSIGNALED(st)) {
			if (pid == tr->root)
				tr->l->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
			task_del(tr, pid);
			continue;
		}
		if (!WIFSTOPPED(st))
			continue;
		n0 = tr->n;
		if (!(t = task_add(tr, pid, false)))
			return osl_error_nomem();
		/* a task seen before its maker's fork event (under load): the
		 * command's if its maker is (not osl's own set-up) */
		if (tr->n > n0 && pid != tr->root && (m = task_find(tr, learn_maker_of(pid))))
			t->execed = m->execed;
		sig = WSTOPSIG(st);
		ev = st >> 16;
		if (sig == SIGTRAP && ev == PTRACE_EVENT_SECCOMP) {
			on_entry(tr, t);
			/* a send needs no result: no exit stop for it */
			t->in_call = t->nr != SYS_sendto && t->nr != SYS_sendmmsg;
		} else if (sig == (SIGTRAP | 0x80)) {
			if (t->in_call && !err)
				err = on_exit_call(tr, t);
			t->in_call = false;
		} else if (sig == SIGTRAP && ev == PTRACE_EVENT_EXEC) {
			if (!err)
				err = on_exec(tr, t);
		} else if (sig == SIGTRAP && ev == PTRACE_EVENT_EXIT) {
			if (!tr->l->enforced || t->execed)	/* not osl's own */
				peaks(tr, pid);
		} else if (sig == SIGTRAP && (ev == PTRACE_EVENT_FORK || ev == PTRACE_EVENT_VFORK ||
		    ev == PTRACE_EVENT_CLONE)) {
			unsigned long child;

			struct task *c;

			if (ptrace(PTRACE_GETEVENTMSG, pid, NULL, &child) == 0) {
				bool execed = t->execed;

				if (!(c = task_add(tr, (pid_t)child, false)))
					return osl_error_nomem();
				/* the child's own stops may come first (under
				 * load): an exec seen there stays seen */
				c->execed = c->execed || execed;
			}
			t = task_find(tr, pid);	/* the table may have moved */
		} else if (sig == SIGSTOP && !t->started) {
			/* a new tracee's first stop: swallowed */
			t->started = true;
		} else if (sig != SIGTRAP || ev == 0)
			inject = sig;	/* a real signal: delivered as it would be */
		if (t->in_call)
			req = PTRACE_SYSCALL;
		(void)ptrace(req, pid, NULL, (void *)(long)inject);
	}
	return err;
}
#endif

const struct osl_error *
osl_proc_learn(struct osl_spawn *sp, struct osl_learn *l)
{
#ifdef LEARN_SUPPORTED
	const struct osl_error *err, *cerr;
	struct tracer tr = { .l = l };
	void *bpf = NULL;
	unsigned short len = 0;
	long opts = PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACESECCOMP | PTRACE_O_TRACECLONE |
	    PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK | PTRACE_O_TRACEEXEC |
	    PTRACE_O_TRACEEXIT | PTRACE_O_EXITKILL;

	if ((err = osl_seccomp_trace_build(traced, &bpf, &len)))
		return err;
	sp->trace_bpf = bpf;
	sp->trace_len = len;
	sp->errfd = -1;
	sp->sb = NULL;		/* learning never enforces */
	if ((err = osl_proc_spawn(sp)))
		goto done;
	tr.root = sp->pid;
	if (ptrace(PTRACE_SETOPTIONS, sp->pid, NULL, (void *)opts) == -1) {
		err = osl_error_sys(OSL_ESETUP, errno, "ptrace: cannot trace the program");
		kill(sp->pid, SIGKILL);
	}
	if (!task_add(&tr, sp->pid, true))
		err = osl_error_nomem();
	else if (!err)
		(void)ptrace(PTRACE_CONT, sp->pid, NULL, NULL);
	if (!err)
		err = trace(&tr);
	else
		while (waitpid(sp->pid, NULL, __WALL) == -1 && errno == EINTR)
			;
	l->duration_ns = osl_now_mono_ns() - sp->t_start;
	/* the child's own error before exec (not found, cannot chdir) wins */
	if ((cerr = osl_proc_spawn_traced(sp)))
		err = cerr;
done:
	free(tr.t);
	free(bpf);
	sp->trace_bpf = NULL;
	return err;
#else
	(void)sp;
	(void)l;
	return osl_error_new(OSL_ESETUP, "learning is not supported on this architecture yet");
#endif
}
