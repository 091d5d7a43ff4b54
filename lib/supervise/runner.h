/* The supervisor's event loop, osl_sv_run: one epoll over a signalfd, a
 * timerfd, the control socket and, per child, its pidfd (its end) and its
 * exec pipe (the exec's outcome: a spawn never waits for it); its sources
 * are named in event.h, and the files that make it up, one concern each,
 * in loop.h.  SIGCHLD reaps adopted orphans (osl is PID 1 or a subreaper)
 * without taking a supervised child's status; each child's end becomes a
 * tree event (tree.c, which makes no system call), and the tree's actions
 * become spawns and signals.  No polling tick: an idle supervisor sleeps in
 * epoll_wait.  ext.c (readiness, health, output) and cgroup.c
 * (containment) make their own system calls, at the loop's call. */
#ifndef OSL_SUPERVISE_RUNNER_H
#define OSL_SUPERVISE_RUNNER_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "ctx.h"
#include "error.h"
#include "op.h"
#include "sandbox/sandbox.h"
#include "supervise/cgroup.h"
#include "supervise/listen.h"
#include "supervise/roll.h"
#include "supervise/tree.h"

/* What to run for a child node (indexed like the tree's nodes). */
struct osl_unixconn;

struct osl_sv_exec {
	const char *path;		/* resolved program */
	char *const *argv;
	char *const *envp;
	unsigned *env_refs;		/* envp is shared by a child's replicas: how
					 * many entries hold it (the last frees it) */
	const char *cwd;
	const struct osl_sandbox *sb;	/* NULL: not sandboxed */
	int ready_fd;			/* > 2: s6's readiness: a newline on this fd */
	int ready_rfd;			/* run time: our end of that pipe, or -1/0 */
	/* run time */
	pid_t pid;
	int pidfd;			/* the running child's pidfd, or -1 */
	int errfd;			/* its exec's outcome, until it is known; or -1 */
	int statusfd;			/* in a PID namespace: its init's report of the
					 * program's wait status (lib/proc/proc.h), or -1 */
	struct osl_op *op;		/* supervise.start until that outcome, or NULL */
	char *real;			/* meanwhile, the program's real path: decided on
					 * that, so "/usr/../x" or a symlink in /usr/bin
					 * borrows no rule (it runs by the name given) */
	unsigned gen;			/* starts so far: tells a stale event from a live one */
	int exec_status;		/* the exec failed: 125, 126 or 127; else 0 */
	bool stopped;			/* its group has had the stop signal this run */
	int cgfd;			/* its cgroup folder (cgroup.h), or -1 */
	bool cg_made;			/* cgfd and cgnote are set for this run */
	bool leftovers;			/* its cgroup held processes when it ended */
	bool cg_killed;			/* cgroup.kill was used on it (cgroup_join) */
	char cgnote[96];		/* the limits applied, or why there is no cgroup */
	int64_t memory, pids;		/* memory.current, pids.current; -1: unknown */
	int64_t memory_peak, cpu_usec;	/* memory.peak, cpu.stat's usage_usec; -1: unknown */
	uint64_t t_start;
	int status;			/* last end as a shell sees it (128+N) */
	char why[256];			/* why the last start failed, or "" */
	bool ended;			/* at least once */
	/* the run's connect() decisions (lib/sandbox/unixconn.h): what osl
	 * refused it is logged at its end (proc.denied), or NULL */
	struct osl_unixconn *uc;
};

/* An entry that has run nothing yet: no pidfd, exec pipe or cgroup. */
void osl_sv_exec_fresh(struct osl_sv_exec *x);

struct osl_sv_runner {
	struct osl_sv_tree *tree;
	struct osl_sv_exec *exec;	/* tree->n entries; supervisors' unused */
	struct osl_sv_child *child;	/* tree->n entries (child.h), or NULL */
	struct osl_sv_reload *reload;	/* SIGHUP and `ctl reload` (reload.h), or NULL */
	struct osl_ctx *ctx;
	uint64_t grace_ns;		/* leftovers of a group: TERM, then KILL after this */
	bool single;			/* `supervise -- CMD`: exit with the child's status */
	const char *socket_path;	/* the control socket, or NULL for none */
	const char *metrics_addr;	/* ctl metrics over HTTP on this HOST:PORT, or NULL */
	bool control_tree;		/* the tree's own processes may use it (peer.c) */
	/* One short line for a person (stderr) per restart, backoff, give-up
	 * and, with a tree, refused start; the record stays the record.
	 * NULL: none (-q). */
	void (*say)(const char *line);
	bool warn_reap;			/* -w: a line for each orphan reaped */
	uint64_t success[4];		/* -e CODE: exit CODE counts as 0 (a bit a code) */
	struct osl_sv_socks socks;	/* the children's listen sockets (listen.h) */
	struct osl_sv_roll roll;	/* a rolling restart under way (roll.h) */
	/* filled by osl_sv_run */
	struct osl_sv_cgroup cg;	/* containment: cg.fd -1 is process groups */
	bool pid1;
	unsigned long reaped_orphans;
};

/* The control socket PATH's folder is ours alone (mode 0700), made first
 * when MAKE; an error says why the run would refuse it. */
const struct osl_error *osl_sv_ctl_dir(const char *path, bool make);

/* The exit status when the tree's start failed: osl could not run what it
 * was given (osl-supervise(8), osl(1) EXIT STATUS). */
#define OSL_SV_START_FAILED OSL_ESETUP

/* Run the tree until it is done and nothing is left to reap.  *STATUS is
 * the exit status: the single child's (128+N for a signal), else 0, 1
 * when the root gave up, or OSL_SV_START_FAILED. */
const struct osl_error *osl_sv_run(struct osl_sv_runner *r, int *status);

#endif
