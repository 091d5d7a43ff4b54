/* A PID namespace for a sandboxed child (man osl-policy(5),
 * proc.namespaces), with osl as its init, and the exec-from-memory guard
 * that needs it (vm.memfd_noexec is a setting of a PID namespace).
 *
 * The child osl forks is PID 1 of the new namespace (clone3 with
 * CLONE_NEWPID): it sets the namespace up (a /proc of its own,
 * vm.memfd_noexec=2), takes the whole sandbox, then starts the program
 * (lib/proc/spawn.c vforks it; osl_pidns_init forks a traced one) and
 * stays as its init, as tini does: it reaps every process that ends up
 * with it, forwards signals, and exits with the program's status (128+N
 * when the program was killed by signal N: an init cannot be killed by a
 * signal of its own), having written the program's wait status to osl
 * first (osl_proc_wait reports the signal from it).  When it exits, the
 * kernel kills whatever is left in the namespace. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sandbox/landlock-uapi.h"
#include "sandbox/sandbox-int.h"

#define MEMFD_NOEXEC "/proc/sys/vm/memfd_noexec"

/* The report line of a rule on a process's own /proc entries (man
 * osl-proc(1), RULE PATHS). */
static void
self_report(struct osl_sandbox *sb, const struct osl_policy *p, const struct osl_rule *ru)
{
	struct osl_enf_entry *ent;

	if (sb->pidns) {
		osl_report_add(&sb->report, osl_rule_kind_name(ru->kind), osl_rule_name(ru),
		    ru->pattern, OSL_ENF_FULL, "landlock %s beneath the PID namespace's own /proc%s%s",
		    ru->kind == OSL_RULE_FS_READ ? "read" : ru->kind == OSL_RULE_FS_WRITE ?
		    "write" : "exec", sb->proc_subset ? " (mounted subset=pid): each process's "
		    "own /proc/self and the sandbox's other pid folders (only its processes are "
		    "there); no global /proc file is there" : ": each process's own /proc/self, "
		    "the sandbox's other pid folders (only its processes are there), /proc's "
		    "global files (other /proc rules need them)", sb->proc_ro ? "; /proc/sys, "
		    "sysrq-trigger, irq, bus, fs read-only" : "");
		return;
	}
	if ((ent = osl_report_add(&sb->report, osl_rule_kind_name(ru->kind), osl_rule_name(ru),
	    ru->pattern, OSL_ENF_PARTIAL, "%s: landlock holds the program's own /proc/<pid> "
	    "only; its children's /proc/self are refused (proc.namespaces: [pid] holds it for "
	    "every process)", p->namespaces & OSL_NS_PID ? "the PID namespace cannot be made "
	    "here" : "no PID namespace")))
		ent->by_policy = !(p->namespaces & OSL_NS_PID);
}

const struct osl_error *
osl_pidns_prepare(struct osl_sandbox *sb, const struct osl_policy *p, bool ns_ok, bool need_user,
    bool proxy_userns)
{
	size_t nself = 0, nother = 0;

	/* without CAP_SYS_ADMIN the namespace comes with a user namespace of
	 * its own, and the child could not join the egress proxy's then */
	if ((p->namespaces & OSL_NS_PID) && ns_ok && !(need_user && proxy_userns)) {
		sb->pidns = true;
		/* the namespace is made with the child; without CAP_SYS_ADMIN,
		 * with the user namespace that owns it */
		sb->clone_flags = CLONE_NEWPID | (need_user ? CLONE_NEWUSER : 0);
		sb->ns_flags |= CLONE_NEWNS;
		/* the setting's file is the host root's: not writable from a
		 * user namespace of osl's own (seccomp alone holds memfds there) */
		sb->memfd_noexec = !need_user && access(MEMFD_NOEXEC, F_OK) == 0;
	}
	if (sb->ruleset_fd == -1 || !sb->ll_fs)
		return NULL;
	/* Landlock skips a mount point hidden by a mount (the rules on the
	 * host's /proc): the rules below /proc are added again on the new
	 * one, in the child.  A rule on /proc/self is added in the child in
	 * any case (osl's own /proc/self is another folder): on the new
	 * /proc's root in a PID namespace, else on the program's own */
	for (size_t i = 0; i < p->nrules; i++) {
		const struct osl_rule *ru = &p->rules[i];
		struct osl_sandbox_proc_rule *v;
		bool self;
		char prefix[4096];

		if (ru->kind != OSL_RULE_FS_READ && ru->kind != OSL_RULE_FS_WRITE &&
		    ru->kind != OSL_RULE_FS_EXEC)
			continue;
		osl_landlock_prefix(ru->expanded, prefix, sizeof(prefix));
		if ((self = osl_path_proc_self(ru->expanded))) {
			nself++;
			if (sb->pidns)
				snprintf(prefix, sizeof(prefix), "/proc");
		} else if (!sb->pidns || !osl_path_within("/proc", prefix) || !strcmp(prefix, "/"))
			continue;
		else
			nother++;
		if (!(v = reallocarray(sb->proc_rules, sb->nproc_rules + 1, sizeof(*v))))
			return osl_error_nomem();
		sb->proc_rules = v;
		v += sb->nproc_rules;
		v->rights = osl_landlock_rights(ru->kind, sb->abi, prefix);
		if (!(v->path = strdup(prefix)))
			return osl_error_nomem();
		sb->nproc_rules++;
	}
	/* only the processes' own entries asked for: only the pid folders */
	sb->proc_subset = sb->pidns && nself && !nother;
	/* a write beneath the whole new /proc: not its system settings */
	for (size_t i = 0; sb->pidns && !sb->proc_subset && i < sb->nproc_rules; i++)
		if (!strcmp(sb->proc_rules[i].path, "/proc") &&
		    (sb->proc_rules[i].rights & ~osl_landlock_rights(OSL_RULE_FS_READ, sb->abi, "/proc")))
			sb->proc_ro = true;
	for (size_t i = 0; i < p->nrules; i++)
		if ((p->rules[i].kind == OSL_RULE_FS_READ || p->rules[i].kind == OSL_RULE_FS_WRITE ||
		    p->rules[i].kind == OSL_RULE_FS_EXEC) && osl_path_proc_self(p->rules[i].expanded))
			self_report(sb, p, &p->rules[i]);
	return NULL;
}

void
osl_pidns_release(struct osl_sandbox *sb)
{
	for (size_t i = 0; i < sb->nproc_rules; i++)
		free(sb->proc_rules[i].path);
	free(sb->proc_rules);
	sb->proc_rules = NULL;
	sb->nproc_rules = 0;
}

/* The report's pid line and the exec-from-memory guard's; the exec rules
 * say what they cannot hold. */
void
osl_pidns_report(struct osl_sandbox *sb, const struct osl_policy *p, bool ns_ok)
{
	struct osl_sandbox_report *r = &sb->report;

	r->ns_pid = sb->pidns;
	if (p->namespaces & OSL_NS_PID)
		osl_report_add(r, "ns", "pid", NULL, sb->pidns ? OSL_ENF_FULL : OSL_ENF_NONE, "%s",
		    sb->pidns ? "a PID namespace with osl as its init and a /proc of its own: "
		    "the program sees and signals only its own processes" : ns_ok ?
		    "not with the egress proxy's user namespace (needs CAP_SYS_ADMIN)" :
		    "no namespace can be made here (needs CAP_SYS_ADMIN or user namespaces)");
	if (sb->bpf) {
		osl_report_add(r, "exec", "exec-from-memory", NULL, OSL_ENF_FULL,
		    "seccomp: a memfd is made only sealed and not executable (MFD_NOEXEC_SEAL), "
		    "execveat(AT_EMPTY_PATH) is refused%s: what runs is a file of the exec "
		    "trees (exec rules do not cover code a program writes into its own memory)",
		    sb->pidns && sb->memfd_noexec ? "; vm.memfd_noexec=2 in the PID namespace" : "");
		return;
	}
	osl_report_add(r, "exec", "exec-from-memory", NULL, OSL_ENF_NONE, "%s",
	    "no seccomp filter: a program can run a copy of any file from a memfd "
	    "(execve of /proc/self/fd/N), past every exec rule");
	/* Landlock never checks a memfd: the exec rules hold only as far */
	for (size_t i = 0; i + 1 < r->n; i++) {
		struct osl_enf_entry *e = &r->entries[i];

		if (strcmp(e->kind, "fs.exec") || e->level != OSL_ENF_FULL)
			continue;
		e->level = OSL_ENF_PARTIAL;
		if (!r->terse)
			snprintf(e->reason + strlen(e->reason), sizeof(e->reason) - strlen(e->reason),
			    "; a copy in memory runs past it (exec-from-memory)");
	}
}

/* --- in the child: system calls only --- */

/* The rules kept for the child (osl_pidns_prepare) on what their paths
 * are in the child. */
int
osl_pidns_rules(const struct osl_sandbox *sb, const char **step)
{
	*step = "landlock rules on /proc";
	for (size_t i = 0; i < sb->nproc_rules; i++) {
		struct osl_landlock_path_beneath_attr pb = { .allowed_access =
		    sb->proc_rules[i].rights };
		struct stat st;
		int fd, e = 0;

		if ((fd = open(sb->proc_rules[i].path, O_PATH | O_CLOEXEC)) == -1)
			continue;	/* not there in this namespace: nothing to allow */
		if (fstat(fd, &st) == 0 && !S_ISDIR(st.st_mode))
			pb.allowed_access &= OSL_LL_FS_FILE_RIGHTS;
		pb.parent_fd = fd;
		if (pb.allowed_access && syscall(__NR_landlock_add_rule, sb->ruleset_fd,
		    OSL_LL_RULE_PATH_BENEATH, &pb, 0) == -1)
			e = errno;
		close(fd);
		if (e)
			return e;
	}
	return 0;
}

/* In PID 1 of the new namespace, with CAP_SYS_ADMIN over it: no memfd can
 * be made executable there, by anything (the setting only goes up). */
static int
osl_pidns_memfd(const struct osl_sandbox *sb, const char **step)
{
	int fd, e = 0;

	*step = "PID namespace";
	if (getpid() != 1)
		return ESRCH;	/* not made (clone3 refused): never the host's */
	if (!sb->memfd_noexec)
		return 0;
	*step = "vm.memfd_noexec";
	if ((fd = open(MEMFD_NOEXEC, O_WRONLY | O_CLOEXEC)) == -1)
		return errno;
	if (write(fd, "2", 1) != 1)
		e = errno ? errno : EIO;
	close(fd);
	return e;
}

static const char *const proc_ro[] = { "/proc/sys", "/proc/sysrq-trigger", "/proc/irq",
    "/proc/bus", "/proc/fs" };

/* After the mount namespace is private: the namespace's memfd setting
 * (through the host's /proc: not in a subset=pid one), a /proc of the new
 * namespace, and the policy's Landlock rules below /proc on it. */
int
osl_pidns_proc(const struct osl_sandbox *sb, const char **step)
{
	int e;

	if ((e = osl_pidns_memfd(sb, step)))
		return e;
	*step = "mount /proc for the PID namespace";
	if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC,
	    sb->proc_subset ? "subset=pid" : NULL) == -1)
		return errno;
	/* as a container runtime leaves them: read-only, whatever Landlock
	 * allows beneath /proc */
	*step = "read-only /proc/sys, /proc/sysrq-trigger, /proc/irq, /proc/bus, /proc/fs";
	for (size_t i = 0; sb->proc_ro && i < sizeof(proc_ro) / sizeof(proc_ro[0]); i++) {
		if (mount(proc_ro[i], proc_ro[i], NULL, MS_BIND, NULL) == -1) {
			if (errno == ENOENT)
				continue;
			return errno;
		}
		if (mount(NULL, proc_ro[i], NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID |
		    MS_NODEV | MS_NOEXEC, NULL) == -1)
			return errno;
	}
	return osl_pidns_rules(sb, step);
}

int
osl_pidns_block(sigset_t *old)
{
	sigset_t all;

	sigfillset(&all);
	return sigprocmask(SIG_SETMASK, &all, old) == -1 ? errno : 0;
}

int
osl_pidns_init(bool group, int errfd, int statusfd)
{
	sigset_t old;
	pid_t prog;
	int e;

	if ((e = osl_pidns_block(&old)))
		return e;
	if ((prog = fork()) == -1)
		return errno;
	if (prog == 0) {
		/* the program: the signal mask it would have had (the status
		 * pipe closes at its exec) */
		sigprocmask(SIG_SETMASK, &old, NULL);
		return 0;
	}
	osl_pidns_serve(prog, group, errfd, statusfd);
}

void
osl_pidns_serve(pid_t prog, bool group, int errfd, int statusfd)
{
	sigset_t all;

	sigfillset(&all);
	/* the error pipe is the program's: it closes at its exec */
	close(errfd);
	/* its /proc/1 (osl's environment, before proc.env) root's, and no
	 * ptrace of it: the program can read its sandbox's pid folders */
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	for (;;) {
		siginfo_t si;
		pid_t w;
		int sig, st;

		if ((sig = sigwaitinfo(&all, &si)) == -1)
			continue;
		if (sig == SIGCHLD) {
			while ((w = waitpid(-1, &st, WNOHANG)) > 0)
				if (w == prog) {
					if (statusfd >= 0)
						(void)!write(statusfd, &st, sizeof(st));
					_exit(WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
				}
			continue;
		}
		/* a signal to the whole group reached the program too; from
		 * the terminal, INT and QUIT reach it as well (as osl's wait) */
		if (group || sig == SIGINT || sig == SIGQUIT)
			continue;
		kill(prog, sig);
	}
}
