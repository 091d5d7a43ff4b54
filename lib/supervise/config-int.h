/* Between config.c (the tree's file, node by node) and config-get.c (its
 * values read from the YAML nodes, each error as FILE:LINE:COL). */
#ifndef OSL_SUPERVISE_CONFIG_INT_H
#define OSL_SUPERVISE_CONFIG_INT_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#include "policy/yaml.h"
#include "supervise/config.h"

/* A load in progress. */
struct load {
	struct osl_sv_config *c;
	const char *file;
	char *const *environ_;
	const struct osl_policy_env *penv;
	const char *log_sink;		/* the supervisor's log (config.h) */
	char dir[PATH_MAX];		/* the file's folder: relative paths start there */
};

/* N is a node of type T (WHAT says which, in the error). */
const struct osl_error *osl_svc_want(const struct load *l, const struct ynode *n, enum ytype t,
    const char *what);
/* Every key of map M must be one of KEYS (NULL-terminated). */
const struct osl_error *osl_svc_keys(const struct load *l, const struct ynode *m,
    const char *const *keys);
/* M's KEY, when it is there, into *OUT: a duration, a number up to MAX,
 * a number from LO to HI, true or false, one of NAMES as its index. */
const struct osl_error *osl_svc_dur(const struct load *l, const struct ynode *m, const char *key,
    uint64_t *out);
const struct osl_error *osl_svc_uint(const struct load *l, const struct ynode *m,
    const char *key, unsigned max, unsigned *out);
const struct osl_error *osl_svc_num(const struct load *l, const struct ynode *m, const char *key,
    double lo, double hi, double *out);
const struct osl_error *osl_svc_bool(const struct load *l, const struct ynode *m,
    const char *key, bool *out);
const struct osl_error *osl_svc_enum(const struct load *l, const struct ynode *m,
    const char *key, const char *const *names, int *out);
/* CMD, a list [PROGRAM, ARGS...]: a NULL-terminated copy in *ARGVP and the
 * program looked up in PATH in *PATHP (both set before any error). */
const struct osl_error *osl_svc_cmd(const struct load *l, const struct ynode *cmd,
    const char *what, char ***argvp, char **pathp);
/* PATH as written, or under the file's folder when relative (malloc'd). */
char *osl_svc_path(const struct load *l, const char *path);
/* listen: [ADDR | {name: NAME, address: ADDR}, ...] of a child into CH
 * (listen.c); an entry without a name is named NAME (the child's). */
const struct osl_error *osl_svc_listen(const struct load *l, const struct ynode *v,
    struct osl_sv_child *ch, const char *name);
/* breaker: {failures: N, cool_down: D, max: D, settle: D} (breaker.c). */
const struct osl_error *osl_svc_breaker(const struct load *l, const struct ynode *v,
    struct osl_sv_breaker_spec *b);

#endif
