/* Rules in force that can never allow anything: osl policy check warns
 * (man osl-policy(1), check).  Pure. */
#include <stdio.h>
#include <string.h>

#include "policy/internal.h"

/* DENY (a literal folder, then a slash and two stars, nothing else a glob)
 * covers every path the allow rule's pattern ALLOW could match: ALLOW's
 * literal start lies in that folder.  Other shapes are not judged (no
 * false warnings). */
static bool
shadowed(const char *deny, const char *allow)
{
	size_t dl = strlen(deny), al;

	if (dl < 4 || strcmp(deny + dl - 3, "/**") || glob_has_meta(deny, dl - 3))
		return false;
	dl -= 3;
	for (al = 0; allow[al] && !glob_has_meta(allow + al, 1); al++)
		;
	return al > dl && !strncmp(allow, deny, dl) && allow[dl] == '/';
}

/* Could deny rule D's except: let some of what ALLOW names through?  ALLOW's
 * literal folder (the components before the first glob) is asked. */
static bool
excepted(const struct osl_rule *d, const char *allow)
{
	char dir[4096];
	size_t n = 0;

	if (!d->nexcept)
		return false;
	for (const char *s = allow, *e; *s && n < sizeof(dir); s = e) {
		for (e = s + 1; *e && *e != '/'; e++)
			;
		if (glob_has_meta(s + 1, (size_t)(e - s - 1)) || (size_t)(e - allow) >= sizeof(dir))
			break;
		n = (size_t)(e - allow);
	}
	memcpy(dir, allow, n);
	dir[n] = '\0';
	return osl_rule_except_within(d, n ? dir : "/");
}

const char *
osl_rule_never(const struct osl_policy *p, const struct osl_rule *r, char *buf, size_t size)
{
	switch (r->kind) {
	case OSL_RULE_NET_CONNECT:
		if (!p->net_resolve && (r->net.host == OSL_NH_NAME || r->net.host == OSL_NH_SUFFIX)) {
			snprintf(buf, size, "a host name, and net.resolve is false: no name is "
			    "ever resolved to connect to (set net.resolve: true, or name the address)");
			return buf;
		}
		return NULL;
	case OSL_RULE_FS_READ:
	case OSL_RULE_FS_WRITE:
	case OSL_RULE_FS_EXEC:
		for (size_t i = 0; i < p->nrules; i++) {
			const struct osl_rule *d = &p->rules[i];

			if (d->kind == OSL_RULE_FS_DENY && shadowed(d->real, r->real) &&
			    !excepted(d, r->real)) {
				snprintf(buf, size, "every path it names is beneath the deny '%s'%s%s%s "
				    "(%s), and a deny wins", d->pattern, d->id ? " (" : "",
				    d->id ? d->id : "", d->id ? ")" : "", d->where);
				return buf;
			}
		}
		return NULL;
	default:
		return NULL;
	}
}
