/* What the kernel refused a sandboxed run: Landlock's audit records
 * (ABI 7 and later: AUDIT_LANDLOCK_ACCESS, AUDIT_LANDLOCK_DOMAIN), read
 * from the audit netlink socket for the life of the run (man osl-proc(1),
 * DENIALS).
 *
 * Only one process on a machine receives the audit records (auditd, or
 * whoever set AUDIT_SET's pid): osl takes that place only when nobody
 * holds it, audit is enabled and osl may (CAP_AUDIT_CONTROL), and gives it
 * back at the end.  Otherwise the watch is off and says why. */
#ifndef OSL_SANDBOX_DENIED_H
#define OSL_SANDBOX_DENIED_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include <cjson/cJSON.h>

struct osl_denial {
	char blockers[64];	/* Landlock's words: "fs.read_file", "fs.execute", "net.connect_tcp" */
	char path[512];		/* or "" (a port: in ADDR) */
	char addr[64];		/* net: "daddr=... dest=PORT" as the kernel wrote it */
	char comm[32];
	pid_t pid;
	size_t count;		/* the same (blockers, path) again */
};

struct osl_denied_watch {
	int fd;			/* the audit socket, or -1 */
	bool on;
	char why[160];		/* when off: why */
	unsigned long long domains[8];	/* the Landlock domains of the run */
	size_t ndomains;
	struct osl_denial *d;
	size_t n, cap;
	size_t lost;		/* records past the table, or a full socket */
};

/* Ask the kernel's audit status.  Its answer comes from a kernel thread
 * the kernel starts for it (microseconds, milliseconds under load): ask
 * before the sandbox is prepared, and that wait overlaps the work.  Never
 * an error: when it cannot, W->why says why. */
void osl_denied_watch_ask(struct osl_denied_watch *w);
/* Start receiving audit records (after osl_denied_watch_ask, before the
 * child is started).  Never an error: when it cannot, W->on is false and
 * W->why says why. */
void osl_denied_watch_start(struct osl_denied_watch *w);
/* Read the records that arrived; CHILD is the process that made the
 * sandbox (its domains are the run's).  WAIT_MS: how long to wait for
 * records still on their way once one of the run's was seen. */
void osl_denied_watch_collect(struct osl_denied_watch *w, pid_t child, int wait_ms);
/* Give the audit socket back and free the table. */
void osl_denied_watch_stop(struct osl_denied_watch *w);

/* The proc.denied record of D (man osl-log(5)), refused to the run whose
 * process is PID, its message "proc.denied BLOCKERS PATH by COMM (landlock
 * or osl)" set; NULL when out of memory. */
cJSON *osl_denial_record(const struct osl_denial *d, pid_t pid);

/* One audit record's text (pure: for the tests): "domain=... blockers=...
 * path=..." into D; true when it is a Landlock access record. */
bool osl_denial_parse(const char *text, unsigned long long *domain, struct osl_denial *d);

#endif
