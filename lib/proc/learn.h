/* `osl policy learn`: run a program under observation and record what it
 * touches.  Observation only: nothing is refused while learning.
 *
 * The program is started by the one spawn function with a seccomp filter
 * that returns SECCOMP_RET_TRACE for the calls that matter (opens, execs,
 * directory and name changes, connect, bind), so it stops only on those;
 * every process and thread it starts is followed (PTRACE_O_TRACECLONE,
 * TRACEFORK, TRACEVFORK, TRACEEXEC).  A file mapped as code
 * (mmap with PROT_EXEC: a shared library, a Python extension) counts as
 * executed: a noexec mount refuses both.  Paths under /proc/PID of the
 * process itself are recorded as /proc/self/..., /proc/thread-self/.... */
#ifndef OSL_PROC_LEARN_H
#define OSL_PROC_LEARN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "proc/proc.h"
#include "util/strbuf.h"

enum osl_seen_kind {
	OSL_SEEN_READ,		/* a file or folder opened for reading */
	OSL_SEEN_WRITE,		/* opened for writing, created, removed, renamed, truncated */
	OSL_SEEN_MKDIR,		/* a folder made */
	OSL_SEEN_EXEC,		/* a program (or script) executed */
	OSL_SEEN_CONNECT,	/* "ADDR:PORT" ("[V6]:PORT") connected to */
	OSL_SEEN_BIND,		/* "ADDR:PORT" bound */
	OSL_SEEN_RESOLVE,	/* a host name asked of a name server (port 53) */
	OSL_SEEN__COUNT
};

struct osl_seen {
	enum osl_seen_kind kind;
	bool refused;		/* the kernel refused it (EACCES, EPERM): under a sandbox */
	char *what;		/* an absolute, resolved path, or ADDR:PORT */
	char by[16];		/* the program (comm) that did it first */
};

struct osl_learn {
	struct osl_seen *seen;	/* in the order first seen, each (kind, what) once */
	size_t n, cap;
	size_t *hash;		/* open addressing over seen[] (index + 1; 0 empty) */
	size_t hcap;
	bool resolved;		/* a connect to port 53: names were resolved */
	uint64_t peak_vm;	/* bytes of address space (VmPeak), the largest process */
	uint64_t peak_rss;	/* bytes (VmHWM), the largest process */
	uint64_t peak_fd;	/* the highest fd number seen + 1 */
	uint64_t peak_tasks;	/* processes and threads alive at once */
	bool nofile_hit;	/* an open failed with EMFILE: the fd limit was reached */
	uint64_t nexec;		/* programs executed */
	uint64_t duration_ns;
	int status;		/* the program's exit status as a shell sees it */
	/* set by the caller when the program is an `osl proc run` (--diff):
	 * what the kernel refuses is recorded too, and only what processes do
	 * once they have executed a program (osl's own setup is not the
	 * command's) */
	bool enforced;
	char proxy[64];		/* enforced: osl's egress proxy ("127.0.0.1:PORT"), as the
				 * command's http_proxy names it: not the command's connect */
};

/* Run SP (path, argv, envp, cwd; no sandbox) to its end, observing it and
 * all its descendants.  On success L->status is the program's status. */
const struct osl_error *osl_proc_learn(struct osl_spawn *sp, struct osl_learn *l);
void osl_learn_release(struct osl_learn *l);
/* Add an observation (used by the tracer, and by the tests); REFUSED: the
 * kernel refused it. */
const struct osl_error *osl_learn_add(struct osl_learn *l, enum osl_seen_kind kind,
    bool refused, const char *what, const char *by);

/* --- the policy from what was seen (learn-policy.c) --- */
struct osl_policy;
struct osl_learn_emit {
	const char *home, *pwd, *tmpdir;	/* put back as ${HOME}, ${PWD}, ${TMPDIR} */
	const char *extends;		/* written as `extends:`, or NULL */
	bool secrets;			/* extends builtin:secrets too (the shipped denies) */
	/* the names the run resolved, by address: pairs {address, name} (the
	 * address as the tracer writes it, without brackets) */
	char *const (*addr_names)[2];
	size_t naddr_names;
	const struct osl_policy *base;	/* the loaded --base, for its limits, or NULL */
	char *const *argv;		/* the command, for the header */
};
/* A policy in osl's YAML: paths folded into trees, a comment on each rule
 * saying what it came from, limits a margin above the peaks. */
const struct osl_error *osl_learn_to_yaml(const struct osl_learn *l,
    const struct osl_learn_emit *o, struct strbuf *out);

#endif
