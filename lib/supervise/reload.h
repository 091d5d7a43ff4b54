/* Reload (SIGHUP, `ctl reload`): read the file again; if it is bad, keep the
 * running tree and say why; else stop what changed or went, then add what
 * is new (plan.c's plan and graft, the pure half).  Children whose settings
 * did not change keep running.  `ctl start` of a child only the file has
 * adds that one child the same way. */
#ifndef OSL_SUPERVISE_RELOAD_H
#define OSL_SUPERVISE_RELOAD_H

#include <stdbool.h>
#include <stdint.h>

#include "supervise/config.h"

struct osl_sv_reload {
	struct osl_sv_config *live;	/* the running tree's (its arrays grow) */
	const char *path;
	char *const *environ_;
	const struct osl_policy_env *penv;
	const char *log_sink;		/* the supervisor's log (config.h) */
	bool require_full;		/* --require-full: a file with a child whose
					 * report is not full is refused */
	/* a reload under way: the old nodes are stopping */
	bool pending;
	struct osl_sv_config next;
	struct osl_sv_plan plan;
	/* `ctl start` of a child the running tree does not have: its id in
	 * NEXT and its supervisor's in the running tree (else OSL_SV_NONE);
	 * only it is added, nothing else changes */
	size_t only, only_parent;
	/* a replica set whose settings changed rolls (roll.h): this round
	 * held back `held` of its replicas; the ones it replaced (live ids)
	 * must be up before the file is read again for the next round */
	unsigned held;
	size_t *round, nround;
};

/* Begin a reload: the answer for `ctl reload` (a JSON line, malloc'd; NULL
 * when out of memory), and a supervise.reload record.  Stops are left in
 * the tree's actions. */
char *osl_sv_reload_request(struct osl_sv_reload *rl, struct osl_sv_runner *r, uint64_t now);
/* `ctl start NAME` of a child that is in the file but not in the running
 * tree (OTP's start_child): NAME is added, last of its supervisor's
 * children, and started; the rest of the file is not looked at beyond
 * being valid.  The answer, as osl_sv_reload_request's. */
char *osl_sv_reload_start(struct osl_sv_reload *rl, struct osl_sv_runner *r, const char *name,
    uint64_t now);
/* 0, or the size of the tree once the reload under way can finish (what
 * it stopped is down): the runner makes room, then calls finish. */
size_t osl_sv_reload_due(const struct osl_sv_reload *rl, const struct osl_sv_runner *r);
/* Graft the new nodes on (their starts are left in the tree's actions). */
void osl_sv_reload_finish(struct osl_sv_reload *rl, struct osl_sv_runner *r, uint64_t now);
void osl_sv_reload_release(struct osl_sv_reload *rl);
/* A rolling reload's round is over: true when the next one began (its
 * stops are in the tree's actions); a replica of the round that failed
 * ends the roll (a supervise.roll record). */
bool osl_sv_reload_again(struct osl_sv_reload *rl, struct osl_sv_runner *r, uint64_t now);

#endif
