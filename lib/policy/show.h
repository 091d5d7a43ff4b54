/* The merged policy printed, as `osl policy show` prints it (policy/emit.c):
 * internal to osl, as it hands out cJSON and strbuf, which libosl keeps to
 * itself. */
#ifndef OSL_POLICY_SHOW_H
#define OSL_POLICY_SHOW_H

#include <cjson/cJSON.h>

#include "policy/policy.h"
#include "util/strbuf.h"

/* The merged effective policy as JSON (`osl policy show -j`): every rule with
 * kind, id, where, pattern and expanded.  NULL when out of memory. */
cJSON *osl_policy_to_json(const struct osl_policy *p);
/* The merged policy as YAML (`osl policy show`): loading it again gives the
 * same decisions (rules keep their ids; their old places are comments). */
const struct osl_error *osl_policy_to_yaml(const struct osl_policy *p, struct strbuf *out);

#endif
