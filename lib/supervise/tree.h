/* The supervision tree: Erlang/OTP's supervisor semantics for OS processes,
 * as a pure state machine.  Events go in (a child exited, became ready, a
 * deadline passed, a command), actions come out (start, stop, kill, give up,
 * done).  No syscalls, no clock (time is passed in), no allocation after the
 * tree is built: the runner (runner.c) turns syscalls into events and actions
 * into syscalls, and the tests drive it without processes. */
#ifndef OSL_SUPERVISE_TREE_H
#define OSL_SUPERVISE_TREE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "supervise/breaker.h"

#define OSL_SV_NAME_MAX 64
#define OSL_SV_NONE ((size_t)-1)
#define OSL_SV_INFINITY UINT64_MAX	/* stop.timeout: infinity */
/* The actions one event can make in a tree of N nodes (reserved ahead). */
#define OSL_SV_ACTS(n) (4 * (n) + 8)

enum osl_sv_strategy { OSL_SV_ONE_FOR_ONE, OSL_SV_ONE_FOR_ALL, OSL_SV_REST_FOR_ONE };
enum osl_sv_restart { OSL_SV_PERMANENT, OSL_SV_TRANSIENT, OSL_SV_TEMPORARY };
enum osl_sv_auto { OSL_SV_AUTO_NEVER, OSL_SV_AUTO_ANY, OSL_SV_AUTO_ALL };

struct osl_sv_backoff {
	uint64_t initial_ns;	/* the second consecutive restart waits this */
	uint64_t max_ns;	/* cap */
	double factor;		/* growth per consecutive failure */
	double jitter;		/* +- this fraction, 0..1 */
	uint64_t reset_after_ns;	/* running this long resets the count */
};

/* What the tree knows of a node; the command line, environment and policy
 * of a child stay with the runner, indexed by the node's id. */
struct osl_sv_spec {
	char name[OSL_SV_NAME_MAX];
	bool supervisor;
	/* as a child of its parent */
	enum osl_sv_restart restart;
	bool significant;
	bool wait_ready;		/* start the next sibling only after READY */
	int stop_signal;		/* 15 unless set */
	uint64_t stop_timeout_ns;	/* then SIGKILL (0: at once; OSL_SV_INFINITY: never) */
	struct osl_sv_backoff backoff;
	struct osl_sv_breaker_spec breaker;	/* a child's (breaker.h); failures 0: none */
	char set[OSL_SV_NAME_MAX];	/* a replica's set ("web" of web-1 ...), or "" */
	unsigned max_unavailable;	/* a rolling restart of the set (roll.h): at once */
	/* as a supervisor */
	enum osl_sv_strategy strategy;
	unsigned intensity;		/* more than this many restarts ... */
	uint64_t period_ns;		/* ... within this window: give up */
	enum osl_sv_auto auto_shutdown;
	bool keep_trying;		/* the root: a start that failed is tried again
					 * after its backoff, not the end of the run */
};

enum osl_sv_state {
	OSL_SV_DOWN,		/* not running (never started, stopped, or gone) */
	OSL_SV_STARTING,	/* started, READY not yet seen (supervisor: starting its children) */
	OSL_SV_UP,
	OSL_SV_STOPPING,	/* stop signal sent (supervisor: shutting down) */
	OSL_SV_KILLING,		/* SIGKILL sent after the stop timeout */
	OSL_SV_WAIT,		/* waiting out a backoff delay before a restart */
};

enum osl_sv_phase {
	OSL_SV_IDLE,
	OSL_SV_STOP_RANGE,	/* stopping children [lo, n) in reverse for a group restart */
	OSL_SV_RESTART_WAIT,	/* backoff before the group starts again */
	OSL_SV_START_RANGE,	/* starting children from `cursor`, in order */
	OSL_SV_SHUTDOWN,	/* stopping every child in reverse, then done */
	OSL_SV_FINISHED,
};

struct osl_sv_node {
	struct osl_sv_spec spec;
	size_t id, parent;		/* parent OSL_SV_NONE at the root */
	size_t *kids, nkids, kcap;	/* ids, in start order */
	enum osl_sv_state state;
	bool gone;			/* a temporary child that ended: never restarted */
	bool held;			/* stopped by a command: restarted only by one */
	bool pending;			/* failed while its supervisor was busy */
	bool restart_after_stop;	/* `restart` command */
	bool failing;			/* stopped by a failed health check */
	bool removed;			/* taken out by a reload: no longer in the tree */
	bool started;			/* this run's start is complete (READY; a
					 * supervisor: its children started) */
	uint64_t deadline;		/* kill, backoff or group restart at (0: none) */
	uint64_t started_at;
	unsigned restarts;		/* total, for status and metrics */
	unsigned fails;			/* consecutive, for the backoff */
	struct osl_sv_breaker brk;	/* its circuit breaker (breaker.h) */
	/* as a supervisor */
	enum osl_sv_phase phase;
	size_t lo, cursor;		/* the range of a group restart */
	uint64_t restart_at;		/* its backoff: not before this */
	bool failed;			/* gave up (intensity), or its start failed */
	bool start_failed;		/* a child's start failed during its own start */
	uint64_t *window;		/* restart times in the intensity window (ring) */
	size_t nwin;
};

enum osl_sv_act_kind {
	OSL_SV_ACT_START,	/* start child `id` */
	OSL_SV_ACT_STOP,	/* send `sig` to child `id`'s process group */
	OSL_SV_ACT_KILL,	/* SIGKILL to child `id`'s process group */
	OSL_SV_ACT_RESTART,	/* child `id` will be restarted: `count` in the window */
	OSL_SV_ACT_BACKOFF,	/* the restart of `id` waits until `at` (`delay`) */
	OSL_SV_ACT_GIVEUP,	/* supervisor `id` exceeded its intensity; or with
				 * reason "start", child `child` failed its start */
	OSL_SV_ACT_SHUTDOWN,	/* supervisor `id` begins its shutdown (`reason`) */
	OSL_SV_ACT_DONE,	/* the root has stopped: `failed` says how (reason
				 * "start": its start failed) */
	OSL_SV_ACT_BREAKER,	/* child `id`'s breaker is now `reason` (open: until
				 * `at`, for `delay`, the `count`th time) */
};

struct osl_sv_action {
	enum osl_sv_act_kind kind;
	size_t id, child;
	int sig;
	unsigned count;
	bool failed;
	uint64_t at, delay;
	const char *reason;	/* static text */
};

struct osl_sv_tree {
	struct osl_sv_node *nodes;
	size_t n, cap;
	struct osl_sv_action *act;	/* the actions of the last event, in order */
	size_t nact, actcap;
	uint64_t rng;			/* jitter, deterministic from the seed */
	bool done;
};

/* Defaults: permanent, stop TERM after 5 s, one_for_one, intensity 3 in
 * 5 s, backoff 0 then 100 ms doubling to 30 s, reset after 60 s. */
void osl_sv_spec_default(struct osl_sv_spec *s, const char *name, bool supervisor);
const char *osl_sv_strategy_name(enum osl_sv_strategy s);
const char *osl_sv_restart_name(enum osl_sv_restart r);
const char *osl_sv_state_name(enum osl_sv_state s);

void osl_sv_tree_init(struct osl_sv_tree *t, uint64_t seed);
void osl_sv_tree_free(struct osl_sv_tree *t);
/* Add a node under PARENT (OSL_SV_NONE for the root, which must be a
 * supervisor and come first).  *ID is its index in t->nodes. */
const struct osl_error *osl_sv_add(struct osl_sv_tree *t, size_t parent,
    const struct osl_sv_spec *spec, size_t *id);
/* Check the semantic rules (a significant child is not permanent; a
 * supervisor has children ...); OSL_EINPUT naming the node. */
const struct osl_error *osl_sv_validate(const struct osl_sv_tree *t);

/* Events.  Each clears t->act and leaves the actions to carry out there. */
void osl_sv_begin(struct osl_sv_tree *t, uint64_t now);
/* Child ID ended: EXITED with CODE, or killed by signal CODE. */
void osl_sv_exited(struct osl_sv_tree *t, size_t id, bool exited, int code, uint64_t now);
void osl_sv_ready(struct osl_sv_tree *t, size_t id, uint64_t now);
/* A health check gave up on ID: it is stopped and counted as a failure. */
void osl_sv_unhealthy(struct osl_sv_tree *t, size_t id, uint64_t now);
void osl_sv_timer(struct osl_sv_tree *t, uint64_t now);

/* DELETE: OTP's delete_child: a child that is down (stopped, or a temporary
 * one that ended) is taken out of the running tree (a reload of the file
 * brings it back). */
enum osl_sv_cmd { OSL_SV_CMD_START, OSL_SV_CMD_STOP, OSL_SV_CMD_RESTART, OSL_SV_CMD_SHUTDOWN,
	OSL_SV_CMD_DELETE };
/* false (and no action) when the command does not apply to ID's state. */
bool osl_sv_command(struct osl_sv_tree *t, enum osl_sv_cmd cmd, size_t id, uint64_t now);

/* The earliest deadline of any node, 0 for none: the runner's one timer. */
uint64_t osl_sv_next_deadline(const struct osl_sv_tree *t);
/* ID by name ("db", or "workers/w-1" for a nested one); OSL_SV_NONE. */
size_t osl_sv_find(const struct osl_sv_tree *t, const char *name);

/* Reload: how a tree read again from its file (NEXT) meets the running one
 * (LIVE).  Nodes are matched by their path of names; a node is kept when it
 * is the same kind with the same settings (SPEC, canonical text, one per
 * node) under a kept parent.  The root is always kept (its settings are
 * taken over).  Everything else of LIVE is stopped and taken out, and what
 * NEXT has beyond the kept nodes is added, in NEXT's order. */
struct osl_sv_plan {
	size_t *map;			/* NEXT id -> the LIVE id kept for it, or OSL_SV_NONE */
	bool *stop;			/* LIVE id -> stop it and take it out (with its subtree) */
	size_t nnext, nlive;
	unsigned kept, added, changed, removed;
};
const struct osl_error *osl_sv_plan(const struct osl_sv_tree *live, const char *const *lspec,
    const struct osl_sv_tree *next, const char *const *nspec, struct osl_sv_plan *p);
void osl_sv_plan_free(struct osl_sv_plan *p);
/* Stop what P stops (first half); false when nothing needs to stop. */
bool osl_sv_plan_stop(struct osl_sv_tree *live, const struct osl_sv_plan *p, uint64_t now);
/* True when every node P stops is down. */
bool osl_sv_plan_stopped(const struct osl_sv_tree *live, const struct osl_sv_plan *p);
/* Second half: take the stopped nodes out, add NEXT's other nodes to LIVE
 * in NEXT's order (LIVEID[j]: NEXT node j's id in LIVE), start what is
 * missing. */
const struct osl_error *osl_sv_graft(struct osl_sv_tree *live, const struct osl_sv_tree *next,
    const struct osl_sv_plan *p, size_t *liveid, uint64_t now);
/* OTP's start_child (`ctl start` of a child the running tree does not
 * have): NEXT's node J, with its subtree, added to LIVE as the last child
 * of LIVE's supervisor PARENT, and started when PARENT runs.  LIVEID[k]
 * (OSL_SV_NONE on entry) gets the LIVE id of each node k of the subtree. */
const struct osl_error *osl_sv_graft_one(struct osl_sv_tree *live, const struct osl_sv_tree *next,
    size_t j, size_t parent, size_t *liveid, uint64_t now);
/* The number of nodes of T's subtree at ID (itself included). */
size_t osl_sv_subtree_size(const struct osl_sv_tree *t, size_t id);

#endif
