/* connect(2) decided by osl (seccomp user notification): man osl(7), "A
 * host service's unix socket"; lib/sandbox/unixconn.c. */
#ifndef OSL_SANDBOX_UNIXCONN_H
#define OSL_SANDBOX_UNIXCONN_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct osl_sandbox;
struct osl_policy;

/* One connect osl refused (or Landlock refused the thread that made it). */
struct osl_unix_denial {
	char what[32];		/* "unix.connect", "net.connect_tcp" */
	char path[512];		/* the socket (real path), or "" */
	char addr[64];		/* "daddr=A dest=PORT", or "" */
	char comm[32];
	pid_t pid;
	size_t count;
};

#define OSL_UNIX_MAX_DENIALS 32

struct osl_unixconn {
	int lfd;			/* the child's listener, or -1 */
	int ruleset_fd;			/* the connector's Landlock ruleset, or -1 */
	bool ll_fs;
	bool own_net;			/* the child has a network namespace of its own */
	char **write;			/* the write rules' Landlock prefixes */
	size_t nwrite;
	char **exact;			/* write rules naming a path (no glob) */
	size_t nexact;
	int pipe[2];			/* serve (and the spawn) to connector: the jobs */
	unsigned refs;			/* main's and each thread's (unixconn.c) */
	bool sstarted;			/* serve runs (it ends the connector) */
	pthread_mutex_t mu;
	struct osl_unix_denial d[OSL_UNIX_MAX_DENIALS];
	size_t n, lost;
	size_t answered;		/* connects answered (all families) */
};

/* Whether this kernel can have osl decide connect(2): user notification
 * (5.0), pidfd_getfd (5.6). */
bool osl_unixconn_supported(void);
/* In the child, after Landlock: the filter (connect notified; unix
 * datagram sockets refused), its listener sent over SOCK and closed.
 * Returns 0 or errno. */
int osl_unixconn_install(int sock);
/* In osl before the spawn: the rules copied, and the thread that connects
 * for the program, restricted by SB->connect_ruleset_fd.  The child is
 * forked on it: osl_unixconn_fork_on with U is the spawn's fork_on
 * (lib/proc/proc.h), so the program's Landlock domain nests in its. */
struct osl_unixconn *osl_unixconn_new(const struct osl_sandbox *sb,
    const struct osl_policy *p, const struct osl_error **err);
pid_t osl_unixconn_fork_on(void *u, pid_t (*fn)(void *), void *a);
/* After the spawn: the listener from PEER (the other end of the child's
 * SOCK), and the thread that answers. */
const struct osl_error *osl_unixconn_start(struct osl_unixconn *u, int peer);
/* After the child is waited for (its denials read under U->mu): main's
 * reference dropped; the last thread frees U. */
void osl_unixconn_release(struct osl_unixconn *u);

#endif
