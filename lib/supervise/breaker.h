/* A circuit breaker for a child (osl-supervise(8), CIRCUIT BREAKER): after
 * `failures` consecutive failures (an abnormal end, a failed health check
 * or readiness) the child is open, not started, for `cool_down`; then one
 * half-open start decides: a success (ready, or still running after
 * `settle` without `ready`) closes it, a failure opens it again for twice
 * as long, up to `max`.  Unlike the intensity (which gives the supervisor
 * up) and the backoff (which keeps trying), it waits out what the child
 * depends on.  Pure: no clock (NOW is passed in), no system calls; the
 * tree (tree.c) feeds it and turns its answers into actions. */
#ifndef OSL_SUPERVISE_BREAKER_H
#define OSL_SUPERVISE_BREAKER_H

#include <stdbool.h>
#include <stdint.h>

struct osl_sv_breaker_spec {
	unsigned failures;		/* 0: no breaker */
	uint64_t cool_down_ns;		/* the first open time (30 s) */
	uint64_t max_ns;		/* the longest (10 min) */
	uint64_t settle_ns;		/* a start without `ready` that runs this long is a success (1 s) */
};

enum osl_sv_brk_state { OSL_SV_BRK_CLOSED, OSL_SV_BRK_OPEN, OSL_SV_BRK_HALF_OPEN };

struct osl_sv_breaker {
	enum osl_sv_brk_state state;
	unsigned fails;			/* consecutive, while closed */
	uint64_t cool;			/* this open time */
	uint64_t until;			/* open: until then */
	uint64_t since;			/* in this state since (0: never changed) */
	uint64_t settle_at;		/* a start that succeeds if it runs until then (0: none) */
	unsigned opened;		/* times it opened */
};

void osl_sv_breaker_spec_default(struct osl_sv_breaker_spec *s);
const char *osl_sv_breaker_state_name(enum osl_sv_brk_state s);

/* A failure at NOW.  True when it opens (again): nothing starts the child
 * until b->until. */
bool osl_sv_breaker_fail(struct osl_sv_breaker *b, const struct osl_sv_breaker_spec *s,
    uint64_t now);
/* A start at NOW (READY: the child has a readiness check, its success
 * comes from osl_sv_breaker_ok).  True when that makes the breaker
 * half-open (the start after the open time). */
bool osl_sv_breaker_start(struct osl_sv_breaker *b, const struct osl_sv_breaker_spec *s,
    bool ready, uint64_t now);
/* The start succeeded (ready, or settled).  True when that closes a
 * half-open breaker. */
bool osl_sv_breaker_ok(struct osl_sv_breaker *b, uint64_t now);
/* A timer at NOW: true when the running start has settled (a success:
 * call osl_sv_breaker_ok). */
bool osl_sv_breaker_settled(const struct osl_sv_breaker *b, uint64_t now);

#endif
