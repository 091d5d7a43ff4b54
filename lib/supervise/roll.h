/* A rolling restart of a replica set (osl-supervise(8), ROLLING RESTARTS):
 * `ctl restart SET` restarts the replicas of SET a few at a time (at most
 * its max_unavailable are restarting at once), each counted as replaced
 * once its new run is up (ready, with `ready:`); a replica that fails
 * instead (it ends, is not ready in time, or its breaker opens) stops the
 * roll: the replicas not yet restarted keep running.  Pure: it reads the
 * tree and makes its commands; the runner steps it after each event and
 * writes its records. */
#ifndef OSL_SUPERVISE_ROLL_H
#define OSL_SUPERVISE_ROLL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "supervise/tree.h"

enum osl_sv_roll_result { OSL_SV_ROLL_RUNNING, OSL_SV_ROLL_DONE, OSL_SV_ROLL_FAILED };

struct osl_sv_roll {
	bool active;			/* a roll is under way */
	bool began;			/* it began since the runner last looked */
	char set[OSL_SV_NAME_MAX];	/* as named: "web", "workers/w" */
	size_t *ids, n;			/* the replicas, in order */
	uint64_t *issued;		/* when each was restarted (0: not yet) */
	unsigned *base;			/* its restarts then: a change is a failure */
	bool *done;			/* its new run is up */
	unsigned max_unavailable;
	size_t replaced;
	enum osl_sv_roll_result result;	/* DONE or FAILED: the runner records it */
	size_t failed;			/* the replica that failed, or OSL_SV_NONE */
	const char *why;		/* static text */
	uint64_t t_begin, t_end;
};

/* Begin a roll of SET (a replica set's name, with its supervisor's path).
 * False, with *WHY, when there is no such set or a roll is under way. */
bool osl_sv_roll_begin(struct osl_sv_roll *r, const struct osl_sv_tree *t, const char *set,
    uint64_t now, const char **why);
/* Move the roll on after an event: true when it made a command (its
 * actions are in t->act).  It makes one at a time: call it again after
 * those actions are carried out. */
bool osl_sv_roll_step(struct osl_sv_roll *r, struct osl_sv_tree *t, uint64_t now);
/* The outcome has been recorded: forget it. */
void osl_sv_roll_end(struct osl_sv_roll *r);

/* A reload's plan P (tree.h) rolls a replica set whose settings changed:
 * of its changed replicas only max_unavailable are replaced this round;
 * the others are kept as they are for now.  The count kept back. */
unsigned osl_sv_roll_plan(struct osl_sv_plan *p, const struct osl_sv_tree *live,
    const struct osl_sv_tree *next);
/* The replicas a round added (LIVE ids IDS[0..N)): 1 when all are up (the
 * next round may go), -1 when one failed (the roll stops), 0 meanwhile. */
int osl_sv_roll_round(const struct osl_sv_tree *t, const size_t *ids, size_t n);

#endif
