/* What a child of a tree has beyond a command line (osl-supervise(8),
 * CHILDREN): readiness by probe or notify socket, health checks, where its
 * output goes, the user it runs as and the policy it is sandboxed with.
 * Read from the file by config.c; carried out by ext.c, the runner's hooks. */
#ifndef OSL_SUPERVISE_CHILD_H
#define OSL_SUPERVISE_CHILD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "net/net.h"
#include "proc/proc.h"
#include "sandbox/sandbox.h"
#include "supervise/listen.h"

enum osl_sv_ready { OSL_SV_READY_NONE, OSL_SV_READY_FD, OSL_SV_READY_NOTIFY, OSL_SV_READY_TCP,
	OSL_SV_READY_EXEC };
enum osl_sv_output { OSL_SV_OUT_INHERIT, OSL_SV_OUT_LOG, OSL_SV_OUT_FILE };

/* A command run beside the child: a readiness or health probe. */
struct osl_sv_probe {
	char *path;			/* resolved; NULL: none */
	char **argv;
};

struct osl_sv_child {
	enum osl_sv_ready ready;
	uint64_t ready_timeout_ns;	/* 0: wait as long as it takes */
	struct osl_net_target tcp;	/* ready.tcp */
	struct osl_sv_probe ready_exec;
	struct osl_sv_probe health;
	uint64_t health_interval_ns, health_timeout_ns;
	unsigned health_retries;
	enum osl_sv_output output;
	char *output_path;		/* file:PATH, absolute */
	bool output_drop;		/* log:drop: lines read while the log lags are
					 * counted and dropped; else the child waits */
	struct osl_ids *ids;		/* user: NAME, or NULL */
	char *user;
	char *policy_path;		/* absolute, or NULL */
	struct osl_policy *policy;
	struct osl_sandbox sb;		/* prepared when policy is set */
	struct osl_sv_listen *listen;	/* sockets the supervisor holds for it (listen.h) */
	size_t nlisten;
	int *listen_fds;		/* run time: their fds, passed as 3, 4, ... */
	char *spec;			/* the child's settings, canonical: reload compares these */
	/* run time, shown by `ctl status` */
	char status[128];		/* sd_notify's STATUS= */
	unsigned health_fails;		/* consecutive */
	unsigned long dropped;		/* output lines dropped while the log lagged */
};

#endif
