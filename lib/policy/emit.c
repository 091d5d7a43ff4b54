/* The merged policy written out: JSON for `osl policy show -j`, YAML for
 * `osl policy show`.  (The hash reads the policy itself: merge.c.) */
#include <stdio.h>
#include <string.h>

#include "policy/internal.h"
#include "policy/show.h"
#include "sandbox/sandbox.h"
#include "util/parse.h"

static const char *const scope_names[] = { "self", "children", "same-user", "any" };
static const char *const seccomp_names[] = { "default", "strict", "none" };
static const char *const sync_names[] = { "none", "batch", "always" };
static const char *const onfail_names[] = { "deny", "continue" };

static const char *
limit_fmt(int k, uint64_t v, char *buf, size_t n)
{
	if (k <= 1)
		return osl_format_duration(v, buf, n);
	if (k == 3 || k == 4) {
		snprintf(buf, n, "%llu", (unsigned long long)v);
		return buf;
	}
	return osl_format_size(v, buf, n);
}

static uint64_t
limit_get(const struct osl_limits *l, int k)
{
	const uint64_t v[7] = { l->cpu_ns, l->wall_ns, l->memory, l->nofile, l->nproc,
		l->fsize, l->core };

	return v[k];
}

static void
add_strs(cJSON *obj, const char *key, char *const *v, size_t n)
{
	cJSON *a = cJSON_AddArrayToObject(obj, key);

	for (size_t i = 0; a && i < n; i++)
		cJSON_AddItemToArray(a, cJSON_CreateString(v[i]));
}

/* A rule's object in array A: id, where, pattern; NULL when out of memory. */
static cJSON *
rule_obj(cJSON *a, const struct osl_rule *rule)
{
	cJSON *r = cJSON_CreateObject();

	if (!r)
		return NULL;
	cJSON_AddItemToArray(a, r);
	if (rule->id)
		cJSON_AddStringToObject(r, "id", rule->id);
	else
		cJSON_AddNullToObject(r, "id");
	cJSON_AddStringToObject(r, "where", rule->where);
	cJSON_AddStringToObject(r, "pattern", rule->pattern);
	return r;
}

static void
add_rules(cJSON *obj, const char *key, const struct osl_policy *p,
    enum osl_rule_kind kind)
{
	cJSON *a = cJSON_AddArrayToObject(obj, key), *r;

	for (size_t i = 0; a && i < p->nrules; i++) {
		const struct osl_rule *rule = &p->rules[i];

		if (rule->kind != kind || (r = rule_obj(a, rule)) == NULL)
			continue;
		cJSON_AddStringToObject(r, "expanded", rule->expanded);
		if (rule->real && rule->real != rule->expanded)
			cJSON_AddStringToObject(r, "real", rule->real);
	}
}

/* The inert allow rules: not among the rules above, which are in force. */
static void
add_inert(cJSON *obj, const struct osl_policy *p)
{
	cJSON *a = cJSON_AddArrayToObject(obj, "inert"), *r;

	for (size_t i = 0; a && i < p->ninert; i++) {
		if ((r = rule_obj(a, &p->inert[i])) == NULL)
			continue;
		cJSON_AddStringToObject(r, "kind", kind_key(p->inert[i].kind));
		cJSON_AddStringToObject(r, "reason", p->inert[i].inert);
	}
}

cJSON *
osl_policy_to_json(const struct osl_policy *p)
{
	cJSON *j = cJSON_CreateObject(), *o, *o2, *a;
	char buf[64];

	if (!j)
		return NULL;
	cJSON_AddNumberToObject(j, "version", 1);
	if (p->name)
		cJSON_AddStringToObject(j, "name", p->name);
	if (p->description)
		cJSON_AddStringToObject(j, "description", p->description);
	cJSON_AddStringToObject(j, "source", p->source ? p->source : "");
	add_strs(j, "files", p->files, p->nfiles);
	cJSON_AddStringToObject(j, "hash", p->hash);
	cJSON_AddStringToObject(j, "mode", p->mode == OSL_MODE_AUDIT ? "audit" : "enforce");
	cJSON_AddStringToObject(j, "default", p->dflt == OSL_ALLOW ? "allow" : "deny");
	if (p->dflt_where)
		cJSON_AddStringToObject(j, "default_where", p->dflt_where);

	if ((o = cJSON_AddObjectToObject(j, "fs")) != NULL) {
		add_rules(o, "read", p, OSL_RULE_FS_READ);
		add_rules(o, "write", p, OSL_RULE_FS_WRITE);
		add_rules(o, "exec", p, OSL_RULE_FS_EXEC);
		add_rules(o, "deny", p, OSL_RULE_FS_DENY);
		add_inert(o, p);
	}
	if ((o = cJSON_AddObjectToObject(j, "net")) != NULL) {
		add_rules(o, "connect", p, OSL_RULE_NET_CONNECT);
		add_rules(o, "bind", p, OSL_RULE_NET_BIND);
		cJSON_AddBoolToObject(o, "resolve", p->net_resolve);
		add_rules(o, "deny", p, OSL_RULE_NET_DENY);
	}
	if ((o = cJSON_AddObjectToObject(j, "proc")) != NULL) {
		if ((a = cJSON_AddArrayToObject(o, "signal")) != NULL)
			for (int i = 0; i < 4; i++)
				if (p->signal_scope & (1u << i))
					cJSON_AddItemToArray(a, cJSON_CreateString(scope_names[i]));
		if ((o2 = cJSON_AddObjectToObject(o, "limits")) != NULL)
			for (int k = 0; k < 7; k++)
				if (limit_get(&p->limits, k) != OSL_LIMIT_UNSET)
					cJSON_AddStringToObject(o2, limit_names[k],
					    limit_fmt(k, limit_get(&p->limits, k), buf, sizeof(buf)));
		if ((o2 = cJSON_AddObjectToObject(o, "env")) != NULL) {
			add_strs(o2, "keep", p->env_keep, p->nenv_keep);
			if ((a = cJSON_AddObjectToObject(o2, "set")) != NULL)
				for (size_t i = 0; i < p->nenv_set; i++)
					cJSON_AddStringToObject(a, p->env_set[i].key,
					    p->env_set[i].value);
		}
		if ((o2 = cJSON_AddObjectToObject(o, "seccomp")) != NULL) {
			cJSON_AddStringToObject(o2, "base", seccomp_names[p->seccomp.base]);
			add_strs(o2, "deny", p->seccomp.deny, p->seccomp.ndeny);
			add_strs(o2, "allow", p->seccomp.allow, p->seccomp.nallow);
		}
		if ((a = cJSON_AddArrayToObject(o, "capabilities")) != NULL)
			for (int i = 0; i < 64; i++)
				if ((p->capabilities & (1ULL << i)) && osl_cap_name(i))
					cJSON_AddItemToArray(a, cJSON_CreateString(osl_cap_name(i)));
		cJSON_AddStringToObject(o, "tmp", p->tmp == OSL_TMP_SHARED ? "shared" : "private");
		if ((a = cJSON_AddArrayToObject(o, "namespaces")) != NULL && (p->namespaces & OSL_NS_PID))
			cJSON_AddItemToArray(a, cJSON_CreateString("pid"));
	}
	if ((o = cJSON_AddObjectToObject(j, "log")) != NULL) {
		cJSON_AddStringToObject(o, "level", level_name(p->log.level));
		cJSON_AddStringToObject(o, "sink", p->log.sink ? p->log.sink : "none");
		cJSON_AddStringToObject(o, "sync", sync_names[p->log.sync]);
		cJSON_AddBoolToObject(o, "chain", p->log.chain);
		cJSON_AddStringToObject(o, "on_failure", onfail_names[p->log.on_failure]);
		if ((o2 = cJSON_AddObjectToObject(o, "rotate")) != NULL) {
			cJSON_AddStringToObject(o2, "size",
			    osl_format_size(p->log.rotate_size, buf, sizeof(buf)));
			cJSON_AddNumberToObject(o2, "keep", p->log.rotate_keep);
		}
		if ((o2 = cJSON_AddObjectToObject(o, "checkpoint")) != NULL) {
			cJSON_AddNumberToObject(o2, "every", p->log.checkpoint_every);
			cJSON_AddStringToObject(o2, "interval",
			    osl_format_duration(p->log.checkpoint_interval_ns, buf, sizeof(buf)));
			if (p->log.checkpoint_key)
				cJSON_AddStringToObject(o2, "key", p->log.checkpoint_key);
			if (p->log.checkpoint_sink)
				cJSON_AddStringToObject(o2, "sink", p->log.checkpoint_sink);
		}
	}
	return j;
}

/* A YAML double-quoted string.  DOLLAR: the value is already expanded, so a
 * '$' in it must come back as "$$". */
static void
yq(struct strbuf *out, const char *s, bool dollar)
{
	sb_addc(out, '"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			sb_addf(out, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			sb_addf(out, "\\x%02x", c);
		else if (c == '$' && dollar)
			sb_adds(out, "$$");
		else
			sb_addc(out, (char)c);
	}
	sb_addc(out, '"');
}

/* A comment must stay on its line whatever a file name holds. */
static void
comment(struct strbuf *out, const char *s)
{
	sb_adds(out, "  # ");
	for (; *s; s++)
		sb_addc(out, (unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s);
}

/* Ids are unique within a file, but a merged policy may hold a parent's rule
 * and a child's with one id: the first keeps it, so the output loads. */
static bool
id_taken(const struct osl_policy *p, size_t i)
{
	for (size_t j = 0; j < i; j++)
		if (p->rules[j].id && strcmp(p->rules[j].id, p->rules[i].id) == 0)
			return true;
	return false;
}

static void
yaml_rules(struct strbuf *out, const struct osl_policy *p, const char *key,
    enum osl_rule_kind kind, bool fs)
{
	bool any = false;

	for (size_t i = 0; i < p->nrules; i++) {
		const struct osl_rule *r = &p->rules[i];

		if (r->kind != kind)
			continue;
		if (!any)
			sb_addf(out, "  %s:\n", key);
		any = true;
		sb_addf(out, "    - { %s: ", fs ? "path" : "addr");
		yq(out, r->expanded, fs);
		if (r->id && !id_taken(p, i)) {
			sb_adds(out, ", id: ");
			yq(out, r->id, false);
		}
		sb_adds(out, " }");
		comment(out, r->where);
		sb_addc(out, '\n');
	}
	if (!any)
		sb_addf(out, "  %s: []\n", key);
	/* inert: a comment, so that loading the output gives the same decisions */
	for (size_t i = 0; i < p->ninert; i++) {
		const struct osl_rule *r = &p->inert[i];
		struct strbuf c = STRBUF_INIT;

		if (r->kind != kind)
			continue;
		sb_addf(&c, "inert, allows nothing: %s (%s): %s", r->pattern, r->where, r->inert);
		sb_adds(out, "  ");
		comment(out, sb_str(&c));
		sb_addc(out, '\n');
		sb_release(&c);
	}
}

static void
yaml_strs(struct strbuf *out, const char *indent, const char *key, char *const *v, size_t n)
{
	sb_addf(out, "%s%s: [", indent, key);
	for (size_t i = 0; i < n; i++) {
		if (i)
			sb_adds(out, ", ");
		yq(out, v[i], false);
	}
	sb_adds(out, "]\n");
}

const struct osl_error *
osl_policy_to_yaml(const struct osl_policy *p, struct strbuf *out)
{
	char buf[64];
	bool first = true;

	sb_adds(out, "# merged from (parents first):");
	for (size_t i = 0; i < p->nfiles; i++) {
		sb_adds(out, "\n");
		comment(out, p->files[i]);
	}
	sb_addf(out, "\n# hash: %s\nversion: 1\n", p->hash);
	if (p->name) {
		sb_adds(out, "name: ");
		yq(out, p->name, false);
		sb_addc(out, '\n');
	}
	if (p->description) {
		sb_adds(out, "description: ");
		yq(out, p->description, false);
		sb_addc(out, '\n');
	}
	sb_addf(out, "mode: %s\ndefault: %s\n", p->mode == OSL_MODE_AUDIT ? "audit" : "enforce",
	    p->dflt == OSL_ALLOW ? "allow" : "deny");
	sb_adds(out, "fs:\n");
	yaml_rules(out, p, "read", OSL_RULE_FS_READ, true);
	yaml_rules(out, p, "write", OSL_RULE_FS_WRITE, true);
	yaml_rules(out, p, "exec", OSL_RULE_FS_EXEC, true);
	yaml_rules(out, p, "deny", OSL_RULE_FS_DENY, true);
	sb_adds(out, "net:\n");
	yaml_rules(out, p, "connect", OSL_RULE_NET_CONNECT, false);
	yaml_rules(out, p, "bind", OSL_RULE_NET_BIND, false);
	sb_addf(out, "  resolve: %s\n", p->net_resolve ? "true" : "false");
	yaml_rules(out, p, "deny", OSL_RULE_NET_DENY, false);
	sb_adds(out, "proc:\n  signal: [");
	for (int i = 0; i < 4; i++)
		if (p->signal_scope & (1u << i)) {
			sb_addf(out, "%s%s", first ? "" : ", ", scope_names[i]);
			first = false;
		}
	sb_adds(out, "]\n  limits: {");
	first = true;
	for (int k = 0; k < 7; k++) {
		uint64_t v = limit_get(&p->limits, k);

		if (v == OSL_LIMIT_UNSET)
			continue;
		sb_addf(out, "%s %s: \"%s\"", first ? "" : ",", limit_names[k],
		    limit_fmt(k, v, buf, sizeof(buf)));
		first = false;
	}
	sb_adds(out, first ? "}\n" : " }\n");
	sb_adds(out, "  env:\n");
	yaml_strs(out, "    ", "keep", p->env_keep, p->nenv_keep);
	sb_adds(out, "    set: {");
	for (size_t i = 0; i < p->nenv_set; i++) {
		sb_addf(out, "%s %s: ", i ? "," : "", p->env_set[i].key);
		yq(out, p->env_set[i].value, false);
	}
	sb_adds(out, p->nenv_set ? " }\n" : "}\n");
	sb_addf(out, "  seccomp:\n    base: %s\n", seccomp_names[p->seccomp.base]);
	yaml_strs(out, "    ", "deny", p->seccomp.deny, p->seccomp.ndeny);
	yaml_strs(out, "    ", "allow", p->seccomp.allow, p->seccomp.nallow);
	sb_adds(out, "  capabilities: [");
	for (int i = 0, n = 0; i < 64; i++)
		if ((p->capabilities & (1ULL << i)) && osl_cap_name(i))
			sb_addf(out, "%s%s", n++ ? ", " : "", osl_cap_name(i));
	sb_adds(out, "]\n");
	sb_addf(out, "  tmp: %s\n", p->tmp == OSL_TMP_SHARED ? "shared" : "private");
	sb_adds(out, p->namespaces & OSL_NS_PID ? "  namespaces: [pid]\n" : "  namespaces: []\n");
	sb_addf(out, "log:\n  level: %s\n  sink: ", level_name(p->log.level));
	yq(out, p->log.sink ? p->log.sink : "none", true);
	sb_addf(out, "\n  sync: %s\n  chain: %s\n  on_failure: %s\n",
	    sync_names[p->log.sync], p->log.chain ? "true" : "false",
	    onfail_names[p->log.on_failure]);
	sb_addf(out, "  rotate: { size: \"%s\", keep: %u }\n",
	    osl_format_size(p->log.rotate_size, buf, sizeof(buf)), p->log.rotate_keep);
	sb_addf(out, "  checkpoint:\n    every: %u\n    interval: \"%s\"\n",
	    p->log.checkpoint_every,
	    osl_format_duration(p->log.checkpoint_interval_ns, buf, sizeof(buf)));
	if (p->log.checkpoint_key) {
		sb_adds(out, "    key: ");
		yq(out, p->log.checkpoint_key, true);
		sb_addc(out, '\n');
	}
	if (p->log.checkpoint_sink) {
		sb_adds(out, "    sink: ");
		yq(out, p->log.checkpoint_sink, true);
		sb_addc(out, '\n');
	}
	return out->oom ? osl_error_nomem() : NULL;
}
