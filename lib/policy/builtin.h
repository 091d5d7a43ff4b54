/* The shipped policies (the YAML files in policies/), compiled in by src/build/embed.sh:
 * "builtin:NAME" names policies/NAME.yaml. */
#ifndef OSL_POLICY_BUILTIN_H
#define OSL_POLICY_BUILTIN_H

#include <stddef.h>

struct osl_builtin_policy {
	const char *name;
	const char *text;
	size_t len;
};

extern const struct osl_builtin_policy osl_builtin_policies[];	/* NULL-name terminated */

#endif
