/* A supervision tree from a YAML file (osl-supervise(8)): checked whole before
 * anything starts, every error as FILE:LINE:COL (status 2). */
#ifndef OSL_SUPERVISE_CONFIG_H
#define OSL_SUPERVISE_CONFIG_H

#include "error.h"
#include "supervise/child.h"
#include "supervise/runner.h"
#include "supervise/tree.h"

struct osl_sv_config {
	struct osl_sv_tree tree;
	struct osl_sv_exec *exec;	/* tree.n entries; owns argv, envp, path, cwd */
	char *socket;			/* control.socket, or NULL */
	char *metrics;			/* control.metrics: HOST:PORT on the loopback, or NULL */
	bool control_tree;		/* control.tree: the tree's processes may use it */
	struct osl_sv_child *child;	/* tree.n entries: readiness, health, output ... */
};

/* PENV expands ${VAR} in the children's policies (the context's env).
 * LOG_SINK is the supervisor's own log (a sink as -l takes it, or NULL for
 * a child policy's own): a sandboxed child that could write its folder
 * does not see it (osl(7), the log's rewrite). */
const struct osl_error *osl_sv_config_load(struct osl_sv_config *c, const char *path,
    char *const *environ_, const struct osl_policy_env *penv, const char *log_sink);
void osl_sv_config_free(struct osl_sv_config *c);
/* How many children of C have a policy whose enforcement report is not
 * full (--require-full); *FIRST names the first of them. */
size_t osl_sv_config_not_full(const struct osl_sv_config *c, const char **first);

#endif
