/* The `osl policy` verbs that live in their own files (the .c files of cmd/policy/). */
#ifndef OSL_CMD_POLICY_INT_H
#define OSL_CMD_POLICY_INT_H

#include "cli.h"

extern const struct osl_opt policy_export_opts[];
int cmd_policy_export(int argc, char **argv, struct osl_ctx *ctx);
extern const struct osl_opt policy_learn_opts[];
int cmd_policy_learn(int argc, char **argv, struct osl_ctx *ctx);

#endif
