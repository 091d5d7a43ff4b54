/* The runner's hooks for what a child has beyond a command line
 * (child.h): sd_notify sockets, tcp and exec readiness probes, health
 * checks, output captured as log records or sent to a file, the user a
 * child runs as.  Everything is an event in the runner's one epoll: a
 * socket, a pipe, a timerfd per child (probe backoff, deadlines, health
 * interval) and the probes' exits, which the runner's reaping passes on. */
#ifndef OSL_SUPERVISE_EXT_H
#define OSL_SUPERVISE_EXT_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "proc/proc.h"
#include "supervise/runner.h"

struct osl_sv_xrun;
struct osl_sv_stream;

struct osl_sv_ext {
	struct osl_sv_runner *r;
	int ep;
	const sigset_t *mask;		/* the children's signal mask */
	struct osl_sv_xrun *x;		/* nx entries, one a node; NULL: nothing to do */
	size_t nx;
	struct osl_sv_stream **st;	/* output pipes being read */
	size_t nst;
	char *ndir;			/* the notify sockets' folder, once made */
	uint64_t log_ns, log_at;	/* output: the log's time left while behind, as of */
	int devnull;
	int fd_high;		/* a probe's spawn copies only the fds below (loop.h) */
};

void osl_sv_ext_init(struct osl_sv_ext *e, struct osl_sv_runner *r, int ep, const sigset_t *mask);
/* Reads what is left in the output pipes, closes and removes everything. */
void osl_sv_ext_release(struct osl_sv_ext *e);
/* Before child ID is spawned: its notify socket, output, ids into SP. */
const struct osl_error *osl_sv_ext_prestart(struct osl_sv_ext *e, size_t id, struct osl_spawn *sp);
/* After the spawn: PID, or 0 when it failed. */
void osl_sv_ext_started(struct osl_sv_ext *e, size_t id, pid_t pid);
/* The tree grows to N nodes (a reload): room for them.  False when out of memory. */
bool osl_sv_ext_grow(struct osl_sv_ext *e, size_t n);
/* Child ID ended: its probes and timers stop. */
void osl_sv_ext_ended(struct osl_sv_ext *e, size_t id);
/* PID was reaped: true when it was one of our probes. */
bool osl_sv_ext_reaped(struct osl_sv_ext *e, pid_t pid, int st);
/* An epoll event of ext's sources (event.h): notify, tcp, probe, stream. */
void osl_sv_ext_event(struct osl_sv_ext *e, uint64_t data);

/* A supervise.* record about child NAME (event.*, osl.supervise.name), and
 * writing it with MSG as its message (the runner's records too). */
cJSON *osl_sv_rec(enum osl_action action, bool ok, const char *name);
void osl_sv_rec_emit(struct osl_ctx *ctx, cJSON *rec, enum osl_level level, const char *msg);
/* What osl refused process PID of child NAME (its connect() calls:
 * unixconn.c; the child's run or its ready or health command), a
 * proc.denied record each, as osl proc run writes them; *UC is let go and
 * set to NULL (records.c). */
struct osl_unixconn;
void osl_sv_denied_records(struct osl_ctx *ctx, struct osl_unixconn **uc, pid_t pid,
    const char *name);

#endif
