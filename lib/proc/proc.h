/* Processes: the one spawn function (`osl proc run`, and `osl supervise`
 * later), the environment allowlist, PATH lookup, and reading /proc. */
#ifndef OSL_PROC_H
#define OSL_PROC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/types.h>

#include "error.h"
#include "sandbox/sandbox.h"

struct osl_spawn {
	/* in */
	const char *path;		/* the resolved program */
	char *const *argv;
	char *const *envp;
	const char *cwd;		/* or NULL */
	bool setsid;			/* own session and process group (the default) */
	const struct osl_sandbox *sb;	/* NULL: no sandbox */
	const sigset_t *child_mask;	/* the child's signal mask; NULL: the caller's */
	int pass_fd, pass_as;		/* pass_as > 2: the child gets pass_fd as this fd
					 * (a readiness pipe), kept open across exec */
	int out_fd, err_fd;		/* > 2: the child's stdout and stderr */
	/* systemd's socket activation: these become fds 3, 4, ... (after the
	 * sandbox and the ids: pass_as must be above them), and envp's
	 * "LISTEN_PID=" entry, which has room for ten digits, gets the pid
	 * of the process that execs (in a PID namespace, its pid there) */
	const int *listen_fds;
	unsigned nlisten;
	const struct osl_ids *ids;	/* after the sandbox: setgroups, setgid, setuid */
	int cgroup_fd;			/* > 2: a cgroup v2 folder; the child is in it
					 * before it execs (CLONE_INTO_CGROUP) */
	bool cgroup_join;		/* the child writes itself to its cgroup.procs
					 * instead: on some kernels (6.18) a folder that
					 * has been cgroup.kill'ed kills every child
					 * later cloned into it */
	/* > 3: the caller keeps its many long-lived fds (a supervisor's pidfds)
	 * at or above this number: a child that shares osl's memory shares
	 * its fd table too, until it copies the fds below (0: it gets a copy
	 * of the whole table at the clone) */
	int fd_high;
	/* The child's RLIMIT_NOFILE, set before its sandbox's limits, when
	 * not the caller's (a supervisor raises its own soft limit for its
	 * pidfds: programs get the limit osl was given); NULL: the caller's */
	const struct rlimit *nofile;
	/* A supervisor's spawn: return as soon as the child exists.  Its
	 * exec's outcome comes later on errfd (readable: call
	 * osl_proc_spawn_result); pidfd is the child's pidfd (-1 on a kernel
	 * without pidfds), and the caller reaps the child.  The caller's
	 * signal mask and subreaper status are left alone. */
	bool exec_event;
	/* Observed, not enforced (`osl policy learn`): the child makes itself a
	 * tracee (PTRACE_TRACEME), stops with SIGSTOP so the tracer can set its
	 * options, loads this filter (SECCOMP_RET_TRACE for the calls the
	 * tracer wants to see) and execs.  osl_proc_spawn then returns at that
	 * stop; the tracer reaps the child and calls osl_proc_spawn_traced(). */
	const void *trace_bpf;		/* struct sock_filter[], or NULL */
	unsigned short trace_len;
	/* out */
	pid_t pid;
	int pidfd;			/* exec_event: the child's pidfd, or -1 */
	int errfd;			/* exec_event, trace_bpf: the child's error pipe */
	int statusfd;			/* with a PID namespace: its init writes the
					 * program's wait status here before it exits
					 * (osl_proc_wait reads it; exec_event: the
					 * caller, without blocking, once the init has
					 * ended), or -1 */
	bool exec_known;		/* exec_event: the outcome is in errfd already
					 * (clone3 with CLONE_VFORK waited for it) */
	uint64_t t_start;		/* CLOCK_MONOTONIC ns */
	sigset_t oldmask;		/* the caller's mask, restored by osl_proc_wait */
};

struct osl_proc_result {
	bool exited;			/* else killed by a signal */
	int code;			/* exit code, or the signal */
	bool timed_out;
	struct rusage ru;
	uint64_t duration_ns;
};

/* Fork; in the child: signals restored, setsid, fds beyond 2 closed at exec
 * (close_range CLOEXEC), cwd, the sandbox, execve.  Returns when the exec
 * has succeeded, or with the child's error (status 125, 126 or 127) after
 * reaping it.  Blocks the forwarded signals until osl_proc_wait.  With
 * exec_event, returns at once (see above). */
const struct osl_error *osl_proc_spawn(struct osl_spawn *sp);

/* The exec's outcome, read from errfd (which it closes): NULL when the
 * program runs, else the child's error (status 125, 126 or 127; the child
 * has then exited, or is about to, and is not reaped here). */
const struct osl_error *osl_proc_spawn_result(struct osl_spawn *sp);

/* After tracing a child started with trace_bpf: osl_proc_spawn_result,
 * and the caller's signal mask back. */
const struct osl_error *osl_proc_spawn_traced(struct osl_spawn *sp);

/* Wait for the child, forwarding SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1
 * and SIGUSR2 to its process group (only TERM, HUP, USR1, USR2 to the child
 * itself without setsid: the terminal already sends the others).  At
 * TIMEOUT_NS (0: none) the group gets SIGTERM, then SIGKILL GRACE_NS later. */
const struct osl_error *osl_proc_wait(struct osl_spawn *sp, uint64_t timeout_ns,
    uint64_t grace_ns, struct osl_proc_result *res);

/* The exit status of a result as a shell sees it (124 after a timeout). */
int osl_proc_status(const struct osl_proc_result *res);

/* Look CMD up in PATH_ENV as execvp does: OSL_ENOCMD when not found,
 * OSL_ENOEXEC when found but not executable. */
const struct osl_error *osl_proc_which(const char *cmd, const char *path_env,
    char *out, size_t size);

/* The child's environment: from ENVIRON keep the default allowlist (PATH
 * HOME USER LOGNAME SHELL TERM LANG LC_* TZ TMPDIR) plus KEEP (names, or
 * prefixes ending in '*'), then SET ("VAR=VALUE") over it.  *OUT is a NULL
 * terminated array; free it with osl_proc_env_free. */
const struct osl_error *osl_proc_env(char ***out, char *const *environ,
    const char *const *keep, size_t nkeep, const char *const *set, size_t nset);
void osl_proc_env_free(char **env);

/* --- /proc (procfs.c) --- */
struct osl_procinfo {
	pid_t pid, ppid, pgid, sid;
	uid_t uid;
	char state;
	uint64_t start_sec;		/* since the epoch */
	uint64_t rss_kb;
	char comm[64];
	char cmd[512];			/* argv joined by spaces, or [comm] */
};

/* osl_read_small: util/file.h */
const struct osl_error *osl_proc_read(pid_t pid, struct osl_procinfo *pi);
/* Is PID ANCESTOR or one of its descendants (the ppid chain of /proc)?
 * 1 yes, 0 no, -1 PID is gone (a process of the chain exited first). */
int osl_proc_descends(pid_t pid, pid_t ancestor);
/* Every process, sorted by pid; free(*out). */
const struct osl_error *osl_proc_list(struct osl_procinfo **out, size_t *n);
/* The OSL_SIGNAL_* bits that describe TARGET as seen from SELF (pure over
 * the list): SELF, CHILDREN (a descendant), SAME_USER (same real uid), ANY. */
unsigned osl_proc_signal_scope(pid_t self, uid_t uid, const struct osl_procinfo *list,
    size_t n, const struct osl_procinfo *target);

#endif
