/* The circuit breaker's state machine (see breaker.h). */
#include "supervise/breaker.h"

void
osl_sv_breaker_spec_default(struct osl_sv_breaker_spec *s)
{
	s->failures = 0;
	s->cool_down_ns = 30000000000ULL;
	s->max_ns = 600000000000ULL;
	s->settle_ns = 1000000000ULL;
}

const char *
osl_sv_breaker_state_name(enum osl_sv_brk_state s)
{
	switch (s) {
	case OSL_SV_BRK_OPEN: return "open";
	case OSL_SV_BRK_HALF_OPEN: return "half_open";
	default: return "closed";
	}
}

static void
open_for(struct osl_sv_breaker *b, uint64_t cool, uint64_t now)
{
	b->state = OSL_SV_BRK_OPEN;
	b->cool = cool;
	b->until = now + cool;
	b->since = now;
	b->opened++;
}

bool
osl_sv_breaker_fail(struct osl_sv_breaker *b, const struct osl_sv_breaker_spec *s, uint64_t now)
{
	b->settle_at = 0;
	if (!s->failures)
		return false;
	switch (b->state) {
	case OSL_SV_BRK_HALF_OPEN:
		/* the try failed: open again, for longer */
		open_for(b, b->cool > s->max_ns / 2 ? s->max_ns : b->cool * 2, now);
		return true;
	case OSL_SV_BRK_OPEN:
		/* a start forced by a command failed: the open time goes on */
		return true;
	default:
		if (++b->fails < s->failures)
			return false;
		b->fails = 0;
		open_for(b, s->cool_down_ns < s->max_ns ? s->cool_down_ns : s->max_ns, now);
		return true;
	}
}

bool
osl_sv_breaker_start(struct osl_sv_breaker *b, const struct osl_sv_breaker_spec *s, bool ready,
    uint64_t now)
{
	bool half = false;

	if (!s->failures)
		return false;
	if (b->state == OSL_SV_BRK_OPEN) {
		b->state = OSL_SV_BRK_HALF_OPEN;
		b->since = now;
		half = true;
	}
	/* without a readiness check, running `settle` is the success */
	b->settle_at = ready ? 0 : now + (s->settle_ns ? s->settle_ns : 1);
	return half;
}

bool
osl_sv_breaker_ok(struct osl_sv_breaker *b, uint64_t now)
{
	bool closed = b->state == OSL_SV_BRK_HALF_OPEN;

	b->settle_at = 0;
	b->fails = 0;
	if (closed) {
		b->state = OSL_SV_BRK_CLOSED;
		b->since = now;
		b->cool = 0;
		b->until = 0;
	}
	return closed;
}

bool
osl_sv_breaker_settled(const struct osl_sv_breaker *b, uint64_t now)
{
	return b->settle_at && b->settle_at <= now;
}
