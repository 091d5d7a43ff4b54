/* The sources of the supervisor's one epoll (runner.h), each named once.
 * An event's data.u64 is its source << 32 | an index (a child's id, a
 * control connection's slot, an output stream's); for a child's pidfd and
 * exec pipe its start count is kept above that (osl_sv_ev_child), so an
 * event of a child that was replaced in the same batch of events is told
 * from its successor's. */
#ifndef OSL_SUPERVISE_EVENT_H
#define OSL_SUPERVISE_EVENT_H

#include <stddef.h>
#include <stdint.h>

enum osl_sv_src {
	/* the runner's (runner.c and the files beside it: loop.h) */
	OSL_SV_SRC_SIGNAL,		/* the signalfd */
	OSL_SV_SRC_LISTEN,		/* the control socket (control.c) */
	OSL_SV_SRC_CONN,		/* a control connection: its slot */
	OSL_SV_SRC_TIMER,		/* the runner's timerfd (timer.c) */
	OSL_SV_SRC_READY,		/* a child's readiness pipe, s6's protocol */
	OSL_SV_SRC_EXEC,		/* a child's exec pipe: the exec's outcome */
	OSL_SV_SRC_EXIT,		/* a child's pidfd: its end */
	OSL_SV_SRC_HTTP,		/* control.metrics: ctl metrics over HTTP (control.c) */
	/* ext.c's and output.c's (ext.h): passed to osl_sv_ext_event */
	OSL_SV_SRC_NOTIFY,		/* a child's sd_notify socket */
	OSL_SV_SRC_TCP,			/* a tcp readiness probe connecting */
	OSL_SV_SRC_PROBE,		/* a child's probe and health timerfd */
	OSL_SV_SRC_STREAM,		/* a child's output pipe: the stream's slot */
	OSL_SV_SRC_COUNT
};

static inline uint64_t
osl_sv_ev(enum osl_sv_src src, size_t index)
{
	return (uint64_t)src << 32 | (uint64_t)(uint32_t)index;
}

/* A child's pidfd or exec pipe: GEN is its start count (24 bits kept). */
static inline uint64_t
osl_sv_ev_child(enum osl_sv_src src, unsigned gen, size_t id)
{
	return (uint64_t)(gen & 0xffffffU) << 40 | osl_sv_ev(src, id);
}

static inline enum osl_sv_src
osl_sv_ev_src(uint64_t data)
{
	return (enum osl_sv_src)(data >> 32 & 0xff);
}

static inline size_t
osl_sv_ev_index(uint64_t data)
{
	return (size_t)(data & 0xffffffffULL);
}

static inline unsigned
osl_sv_ev_gen(uint64_t data)
{
	return (unsigned)(data >> 40);
}

#endif
