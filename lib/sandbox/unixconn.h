/* connect(2) decided by osl (seccomp user notification): man osl(7), "A
 * host service's unix socket"; lib/sandbox/unixconn.c. */
#ifndef OSL_SANDBOX_UNIXCONN_H
#define OSL_SANDBOX_UNIXCONN_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "sandbox/denied.h"

struct osl_sandbox;
struct osl_policy;

#define OSL_UNIX_MAX_DENIALS 32

struct osl_unixconn {
	int lfd;			/* the child's listener, or -1 */
	int wait_fd;			/* until it comes: the pair (serve), or -1 */
	int ruleset_fd;			/* the child's Landlock ruleset, or -1 */
	bool ll_fs;
	bool own_net;			/* the child has a network namespace of its own */
	char **write;			/* the write rules' Landlock prefixes */
	size_t nwrite;
	char **exact;			/* write rules naming a path (no glob) */
	size_t nexact;
	int pipe[2];			/* serve to connector: the jobs (-1: no connector yet) */
	int abs_fd;			/* to the abstract connector (unixconn.c), or -1 */
	pthread_mutex_t abs_mu;		/* one job at a time on it */
	unsigned refs;			/* main's and each thread's (unixconn.c) */
	pthread_mutex_t mu;
	struct osl_denial d[OSL_UNIX_MAX_DENIALS];	/* blockers: "unix.connect",
						 * "net.connect_tcp" (Landlock refused the
						 * thread that connected for the program) */
	size_t n, lost;
	size_t answered;		/* connects answered (all families) */
};

/* Whether this kernel can have osl decide connect(2): user notification
 * (5.0), pidfd_getfd (5.6). */
bool osl_unixconn_supported(void);
/* In the child, after Landlock: the filter (connect notified; unix
 * datagram sockets refused unless DGRAM), its listener sent over SOCK and
 * closed.  Returns 0 or errno. */
int osl_unixconn_install(int sock, bool dgram);
/* Whether the child makes the abstract connector: Landlock's scope, the
 * host's network namespace, no PID namespace, no CAP_SYS_PTRACE kept. */
bool osl_unixconn_abstract_wanted(const struct osl_sandbox *sb);
/* In the child, right after landlock_restrict_self: the process in the
 * program's domain that connects abstract names for it, on SOCK (none
 * made: osl's jobs fail, EPERM). */
void osl_unixconn_abstract(int sock);
/* In osl after the spawn, before the sandbox is released: the listener
 * from PEER (the other end of the child's SOCK), the rules copied, and the
 * thread that answers (restricted by the child's Landlock ruleset).  With
 * LATER the listener may still be on its way (a spawn that returns before
 * the child's exec, osl supervise's): the thread waits for it, until the
 * child's ends of the pair close; osl must close its own copy of SOCK. */
struct osl_unixconn *osl_unixconn_start(const struct osl_sandbox *sb,
    const struct osl_policy *p, int peer, bool later, const struct osl_error **err);
/* After the child is waited for (its denials read under U->mu): main's
 * reference dropped; the last thread frees U. */
void osl_unixconn_release(struct osl_unixconn *u);

#endif
