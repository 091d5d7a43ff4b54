/* Decisions (man/osl-policy.5.scd, DECIDING) and their explanation.  Pure: the
 * compiled index answers which rules match; nothing here allocates. */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "policy/internal.h"

const char *
kind_key(enum osl_rule_kind k)
{
	static const char *const names[] = {
		"fs.read", "fs.write", "fs.exec", "fs.deny",
		"net.connect", "net.bind", "net.deny",
	};

	return (unsigned)k < OSL_RULE__COUNT ? names[k] : "?";
}

const char *
osl_rule_kind_name(enum osl_rule_kind k)
{
	return kind_key(k);
}

const char *
osl_rule_name(const struct osl_rule *r)
{
	return r->id ? r->id : r->where;
}

size_t
osl_policy_rules_written(const struct osl_policy *p)
{
	size_t n = 0;

	for (size_t i = 0; i < p->nrules; i++)
		n += !p->rules[i].account;
	return n;
}

bool
osl_rule_is(const struct osl_rule *r, const char *name)
{
	return (r->id && strcmp(r->id, name) == 0) || (r->where && strcmp(r->where, name) == 0);
}

bool
osl_rule_excepts(const struct osl_rule *r, const char *path, bool tree)
{
	for (size_t i = 0; i < r->nexcept; i++) {
		const struct osl_except *e = &r->except[i];
		size_t n = strlen(e->real);

		if (e->inert || !osl_path_match(e->real, path))
			continue;
		/* a pattern ending in "/" and two stars that matches PATH matches all beneath it too */
		if (!tree || (n >= 3 && strcmp(e->real + n - 3, "/**") == 0))
			return true;
	}
	return false;
}

bool
osl_rule_except_within(const struct osl_rule *r, const char *dir)
{
	for (size_t i = 0; i < r->nexcept; i++)
		if (!r->except[i].inert && (osl_path_match(r->except[i].real, dir) ||
		    osl_pattern_beneath(r->except[i].real, dir)))
			return true;
	return false;
}

static void
by_default(const struct osl_policy *p, struct osl_decision *d)
{
	d->by_default = true;
	d->verdict = p->dflt;
	if (d->verdict == OSL_DENY && p->mode == OSL_MODE_AUDIT) {
		d->verdict = OSL_ALLOW;
		d->audit = true;
	}
}

void
osl_policy_decide(const struct osl_policy *p, const struct osl_request *rq,
    struct osl_decision *d)
{
	struct hits h;
	enum osl_rule_kind kind = OSL_RULE__COUNT;

	memset(d, 0, sizeof(*d));
	memset(&h, 0, sizeof(h));
	d->verdict = OSL_DENY;
	switch (rq->access) {
	case OSL_ACCESS_READ:
	case OSL_ACCESS_WRITE:
	case OSL_ACCESS_EXEC:
		/* only resolved absolute paths can be decided on */
		if (!rq->path || rq->path[0] != '/') {
			d->setting = "a relative path";
			return;
		}
		kind = rq->access == OSL_ACCESS_READ ? OSL_RULE_FS_READ :
		    rq->access == OSL_ACCESS_WRITE ? OSL_RULE_FS_WRITE : OSL_RULE_FS_EXEC;
		index_fs(p->index, kind, rq->path, &h);
		break;
	case OSL_ACCESS_CONNECT:
	case OSL_ACCESS_BIND:
		kind = rq->access == OSL_ACCESS_CONNECT ? OSL_RULE_NET_CONNECT : OSL_RULE_NET_BIND;
		index_net(p->index, kind, rq, false, &h);
		break;
	case OSL_ACCESS_RESOLVE:
		index_net(p->index, OSL_RULE_NET_DENY, rq, true, &h);
		if (!h.deny && p->net_resolve) {
			d->verdict = OSL_ALLOW;
			d->setting = "net.resolve: true";
			return;
		}
		break;
	case OSL_ACCESS_SIGNAL:
		d->setting = "proc.signal";
		if ((p->signal_scope & OSL_SIGNAL_ANY) || (rq->signal & p->signal_scope))
			d->verdict = OSL_ALLOW;
		return;
	case OSL_ACCESS_NONE:	/* an action that is no decision: refused */
	default:
		d->setting = "an unknown access";
		return;
	}
	d->nmatched = h.n;
	for (size_t i = 0; i < h.n && i < OSL_DECISION_MAX_RULES; i++)
		d->matched[i] = h.top[i].rule;
	/* a folder renamed whole: every deny rule is asked (only then, so a
	 * scan of the deny rules, not the index) */
	for (size_t i = 0; rq->tree && !h.deny && i < p->nrules; i++)
		if (p->rules[i].kind == OSL_RULE_FS_DENY &&
		    osl_pattern_beneath(p->rules[i].expanded, rq->path) &&
		    !osl_rule_excepts(&p->rules[i], rq->path, true)) {
			h.deny = &p->rules[i];
			d->beneath = true;
		}
	if (h.deny) {
		d->verdict = OSL_DENY;
		d->rule = h.deny;
	} else if (h.allow) {
		d->verdict = OSL_ALLOW;
		d->rule = h.allow;
	} else
		by_default(p, d);
	/* what an inert rule would have allowed says so (a short scan: only
	 * rules made inert by their variables are looked at) */
	for (size_t i = 0; d->by_default && p->dflt == OSL_DENY && !d->inert && i < p->ninert; i++)
		if (p->inert[i].kind == kind && p->inert[i].expanded[0] &&
		    osl_path_match(p->inert[i].expanded, rq->path))
			d->inert = &p->inert[i];
}

const char *
osl_decision_reason(const struct osl_policy *p, const struct osl_decision *d,
    char *buf, size_t size)
{
	const char *verb = d->verdict == OSL_ALLOW ? "allowed" : "denied";

	if (d->rule && d->rule->id)
		snprintf(buf, size, "%s by rule %s (%s)%s", verb, d->rule->id, d->rule->where,
		    d->beneath ? ", which could match a path beneath it" : "");
	else if (d->rule)
		snprintf(buf, size, "%s by rule at %s ('%s')%s", verb, d->rule->where,
		    d->rule->pattern, d->beneath ? ", which could match a path beneath it" : "");
	else if (d->by_default) {
		char inert[640] = "";

		if (d->inert && d->inert->id)
			snprintf(inert, sizeof(inert), "; rule %s (%s) is inert: %s", d->inert->id,
			    d->inert->where, d->inert->inert);
		else if (d->inert)
			snprintf(inert, sizeof(inert), "; rule at %s ('%s') is inert: %s",
			    d->inert->where, d->inert->pattern, d->inert->inert);
		snprintf(buf, size, "no rule matched: default %s%s%s%s%s%s",
		    p->dflt == OSL_ALLOW ? "allow" : "deny",
		    p->dflt_where ? " (" : "", p->dflt_where ? p->dflt_where : "",
		    p->dflt_where ? ")" : "", d->audit ? "; allowed by audit mode" : "", inert);
	}
	else if (d->setting && strcmp(d->setting, "proc.signal") == 0)
		snprintf(buf, size, "%s by proc.signal", verb);
	else if (d->setting && d->verdict == OSL_ALLOW)
		snprintf(buf, size, "allowed by %s", d->setting);
	else
		snprintf(buf, size, "denied: %s", d->setting ? d->setting : "no decision");
	return buf;
}
