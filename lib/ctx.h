/* What every operation needs: the effective policy, the logger, the mode and
 * the caller's identity.  src/main.c builds one from the global options. */
#ifndef OSL_CTX_H
#define OSL_CTX_H

#include <stdbool.h>

#include "error.h"
#include "log/log.h"
#include "policy/policy.h"

struct osl_ctx_opts {
	const char *policy_path;	/* --policy, or NULL for discovery */
	const char *log_sink;		/* --log, or NULL for the policy's */
	bool audit;			/* --audit */
	int argc;
	char *const *argv;
};

struct osl_ctx {
	struct osl_ctx_opts opts;
	struct osl_policy_env env;	/* from the environment, for ${VAR} */
	struct osl_policy *policy;	/* loaded on first use (osl_ctx_policy) */
	struct osl_log *log;		/* opened on first use (osl_ctx_log) */
	struct osl_log_identity id;
	char hostname[256];
	char exe[4096];
	unsigned long ops, denied;
};

void osl_ctx_init(struct osl_ctx *ctx, const struct osl_ctx_opts *opts);
void osl_ctx_release(struct osl_ctx *ctx);

/* Where the policy comes from: --policy > $OSL_POLICY > $XDG_CONFIG_HOME/osl/
 * policy.yaml (~/.config/...) > /etc/osl/policy.yaml > builtin:default.
 * Never the current directory. */
const char *osl_ctx_policy_path(const struct osl_ctx *ctx, char *buf, size_t size);
const struct osl_error *osl_ctx_policy(struct osl_ctx *ctx, struct osl_policy **out);
const struct osl_error *osl_ctx_log(struct osl_ctx *ctx, struct osl_log **out);

#endif
