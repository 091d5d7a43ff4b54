/* The shipped policies (the YAML files in policies/), compiled in by
 * src/build/policy-gen.c: "builtin:NAME" names policies/NAME.yaml.  Each comes
 * as its text and as its parsed tree (static data: never freed). */
#ifndef OSL_POLICY_BUILTIN_H
#define OSL_POLICY_BUILTIN_H

#include <stddef.h>

struct ynode;

struct osl_builtin_policy {
	const char *name;
	const char *text;
	size_t len;
	const struct ynode *root;	/* the text parsed at build time */
};

extern const struct osl_builtin_policy osl_builtin_policies[];	/* NULL-name terminated */

#endif
