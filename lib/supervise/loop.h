/* Inside the supervisor's event loop (runner.h), between the files that
 * make it up, one concern each:
 *   runner.c   osl_sv_run: sets the loop up, waits, hands each event on
 *   start.c    carries out the tree's actions: starts, stops, kills
 *   reap.c     a child's end: reaping (pidfds, adopted orphans), its record
 *   signal.c   signals sent (to a child's group and cgroup) and received
 *   timer.c    the one timerfd: the tree's deadlines, leftovers' KILL, drain
 *   control.c  the control socket's server (ctl.c answers the requests)
 *   records.c  the records of what the tree did, and the lines for a person
 * The epoll's sources are named in event.h.  ext.c and output.c (ext.h)
 * are hooked in beside: readiness, health, output. */
#ifndef OSL_SUPERVISE_LOOP_H
#define OSL_SUPERVISE_LOOP_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/resource.h>

#include "supervise/ctl.h"
#include "supervise/event.h"
#include "supervise/ext-int.h"
#include "supervise/runner.h"

/* control connections at once */
#define OSL_SV_CONN_MAX 16

struct osl_sv_conn {
	int fd;				/* -1: the slot is free */
	size_t n;
	char *out;			/* an answer not yet all sent, or NULL */
	size_t outlen, outoff;
	char buf[OSL_SV_CTL_MAX];
	bool http;			/* control.metrics: one HTTP request, then closed */
};

/* What is left of an ended child's group: KILL at kill_at. */
struct osl_sv_leftover {
	pid_t pgid;
	uint64_t kill_at;
	size_t id;			/* the child; its cgroup too while gen holds */
	unsigned gen;
};

struct osl_sv_loop {
	struct osl_sv_runner *r;
	sigset_t oldmask;		/* the children's signal mask */
	bool masked;			/* oldmask is to be restored */
	int ep, sfd, tfd;
	int fd_budget;			/* pidfds only below this descriptor number */
	struct rlimit nofile;		/* the children's RLIMIT_NOFILE (osl_spawn.nofile):
					 * osl's as it was given; rlim_cur 0: not raised */
	int fd_high;			/* a child's pidfd, cgroup folder and status
					 * pipe at or above this number, the rest of
					 * osl's below: no spawn copies them
					 * (osl_spawn.fd_high); 0: anywhere */
	struct osl_sv_action *acts;	/* a copy: carrying them out makes new ones */
	size_t nacts;
	struct osl_sv_leftover *lg;
	size_t nlg, lgcap;
	size_t *failq, nfail;		/* spawn failures, fed back as exits */
	int *failst;
	bool done, failed, start_failed, draining;
	bool chld;			/* a SIGCHLD since the last osl_sv_reap */
	uint64_t drain_at;
	int lfd;			/* the control socket */
	int mfd;			/* control.metrics's listening socket, or -1 */
	struct osl_sv_conn *conns;	/* OSL_SV_CONN_MAX; fd -1 when free */
	struct osl_sv_ext ext;		/* readiness probes, health, output (ext.c) */
	struct {			/* a child's end, written after the restart */
		cJSON *rec;
		enum osl_level level;
		char msg[256];
	} held;
};

/* records.c: a rolling restart (roll.h) moved on after the last actions:
 * its records; true when it made a command (more actions to carry out). */
bool osl_sv_roll_moved(struct osl_sv_loop *l);

/* start.c */
/* Carry out the tree's actions, and feed spawn failures back in. */
void osl_sv_apply(struct osl_sv_loop *l);
/* Child ID's exec has an outcome (its exec pipe): the start record. */
void osl_sv_exec_result(struct osl_sv_loop *l, size_t id);
/* Child ID's readiness pipe has something (s6's protocol). */
void osl_sv_ready_read(struct osl_sv_loop *l, size_t id);
void osl_sv_ready_close(struct osl_sv_loop *l, struct osl_sv_exec *x);
/* FD moved to fd_high or above (loop.h), or left where it is. */
int osl_sv_fd_up(const struct osl_sv_loop *l, int fd);
void osl_sv_watch(struct osl_sv_loop *l, int fd, uint64_t data);
/* Stop watching *FD and close it. */
void osl_sv_unwatch(struct osl_sv_loop *l, int *fd);
/* A child that is down for good (stopped, or temporary) leaves no cgroup. */
void osl_sv_child_cgroup_remove(struct osl_sv_loop *l, size_t id);
/* The start's operation and real path are done with. */
void osl_sv_op_free(struct osl_sv_exec *x);

/* reap.c */
/* Reap supervised child ID if it has ended.  False when it has not. */
bool osl_sv_child_reap(struct osl_sv_loop *l, size_t id);
/* Reap what has ended (SIGCHLD).  False when no child at all is left. */
bool osl_sv_reap(struct osl_sv_loop *l);

/* signal.c */
/* SIG to the group PID leads, or to PID alone if that is gone. */
void osl_sv_signal_group(pid_t pid, int sig);
/* A process of a cgroup that the group of the main process *ARG reached. */
bool osl_sv_in_group(pid_t pid, const void *arg);
/* SIG to child X's group, then to what left it in its cgroup.  True when
 * its cgroup held a process. */
bool osl_sv_signal_child(struct osl_sv_exec *x, int sig);
/* Everything in child X's cgroup gets SIGKILL. */
void osl_sv_cg_kill(struct osl_sv_exec *x);
/* SIG to every process left to us, once each. */
void osl_sv_signal_all(struct osl_sv_loop *l, int sig);
/* A signal osl received (the signalfd). */
void osl_sv_on_signal(struct osl_sv_loop *l, int sig);

/* timer.c */
/* The timerfd at the next deadline of all. */
void osl_sv_arm(struct osl_sv_loop *l);
void osl_sv_on_timer(struct osl_sv_loop *l);
/* What is left of child ID's group PGID gets KILL after the grace. */
void osl_sv_leftover_add(struct osl_sv_loop *l, pid_t pgid, size_t id, uint64_t now);

/* control.c */
const struct osl_error *osl_sv_ctl_listen(struct osl_sv_loop *l, const char *path);
void osl_sv_ctl_accept(struct osl_sv_loop *l);
/* control.metrics: listen on ADDR (a net.bind the policy decides), and
 * take its connections, each one HTTP request answered with ctl metrics. */
const struct osl_error *osl_sv_http_listen(struct osl_sv_loop *l, const char *addr);
void osl_sv_http_accept(struct osl_sv_loop *l);
/* Connection C can be read (or, with an answer pending, written). */
void osl_sv_ctl_read(struct osl_sv_loop *l, struct osl_sv_conn *c);
/* Closes the socket and every connection. */
void osl_sv_ctl_close(struct osl_sv_loop *l);

/* records.c */
/* A line for a person (stderr), unless -q. */
void osl_sv_tell(const struct osl_sv_loop *l, const char *line);
/* A start that failed: the line for a person. */
void osl_sv_say_refused(const struct osl_sv_loop *l, size_t id, const char *why);
/* Child ID's start record's fields; NULL (out of memory) or its
 * process.child object. */
cJSON *osl_sv_start_fields(struct osl_sv_loop *l, size_t id);
/* The record of the tree's action A. */
void osl_sv_log_action(struct osl_sv_loop *l, const struct osl_sv_action *a);
/* Child ID's end: its record, held until the actions it leads to are
 * carried out (osl_sv_held_emit). */
void osl_sv_end_record(struct osl_sv_loop *l, size_t id, bool exited, int code, uint64_t now);
void osl_sv_held_emit(struct osl_sv_loop *l);

#endif
