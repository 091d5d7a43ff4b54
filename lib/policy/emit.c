/* The merged policy written out: JSON for `osl policy show -j`, YAML for
 * `osl policy show`, each a walk of the settings table (settings.c) that
 * prints a value as its type says.  (The hash walks it too: merge.c.) */
#include <stdio.h>
#include <string.h>

#include "policy/internal.h"
#include "policy/show.h"

/* A setting that prints nothing: a name, a key, a limit that is not set. */
static bool
absent(const struct osl_policy *p, const struct setting *s)
{
	if (s->type == ST_STR)
		return !*(char **)setting_ptr(p, s) && !(s->flags & S_NONE);
	return (s->flags & S_LIMIT) && setting_num(p, s) == OSL_LIMIT_UNSET;
}

/* The names of the bits set in a bits or capabilities setting, in order. */
static const char *
bit_name(const struct setting *s, uint64_t v, int i)
{
	if (!(v & (1ULL << i)))
		return NULL;
	if (s->type == ST_CAPS)
		return osl_cap_name(i);
	for (int k = 0; s->names[k]; k++)
		if (k == i)
			return s->names[k];
	return NULL;
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

/* A deny rule's except: [{pattern, expanded, real, inert}] */
static void
add_excepts(cJSON *r, const struct osl_rule *rule)
{
	cJSON *a = cJSON_AddArrayToObject(r, "except"), *o;

	for (size_t i = 0; a && i < rule->nexcept; i++) {
		const struct osl_except *e = &rule->except[i];

		if ((o = cJSON_CreateObject()) == NULL)
			return;
		cJSON_AddItemToArray(a, o);
		cJSON_AddStringToObject(o, "pattern", e->pattern);
		cJSON_AddStringToObject(o, "expanded", e->expanded);
		if (e->real != e->expanded)
			cJSON_AddStringToObject(o, "real", e->real);
		if (e->inert)
			cJSON_AddStringToObject(o, "inert", e->inert);
	}
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
		if (rule->nexcept)
			add_excepts(r, rule);
		if (rule->account)	/* with the account's own values (VARIABLES) */
			cJSON_AddTrueToObject(r, "account");
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

/* The object at the path of S's key ("proc" of "proc.limits.cpu" holds
 * "limits"), made on the way. */
static cJSON *
json_parent(cJSON *j, const char *key)
{
	char seg[64];
	const char *dot;

	while (j && (dot = strchr(key, '.')) != NULL) {
		cJSON *o;

		snprintf(seg, sizeof(seg), "%.*s", (int)(dot - key), key);
		if ((o = cJSON_GetObjectItemCaseSensitive(j, seg)) == NULL)
			o = cJSON_AddObjectToObject(j, seg);
		j = o;
		key = dot + 1;
	}
	return j;
}

static void
json_setting(cJSON *o, const struct osl_policy *p, const struct setting *s)
{
	const char *leaf = setting_leaf(s), *str;
	uint64_t v;
	char buf[64];
	cJSON *a;

	switch (s->type) {
	case ST_STR:
		str = *(char **)setting_ptr(p, s);
		cJSON_AddStringToObject(o, leaf, str ? str : "none");
		break;
	case ST_STRS:
		add_strs(o, leaf, *(char ***)setting_ptr(p, s), *setting_count(p, s));
		break;
	case ST_ENV:
		if ((a = cJSON_AddObjectToObject(o, leaf)) != NULL)
			for (size_t i = 0; i < p->nenv_set; i++)
				cJSON_AddStringToObject(a, p->env_set[i].key, p->env_set[i].value);
		break;
	case ST_RULES:
		add_rules(o, leaf, p, (enum osl_rule_kind)s->arg);
		break;
	case ST_BOOL:
		cJSON_AddBoolToObject(o, leaf, setting_num(p, s) != 0);
		break;
	case ST_COUNT:
		/* a limit is text, as all of proc.limits ("60s", "1G", "1024") */
		if (s->flags & S_LIMIT)
			cJSON_AddStringToObject(o, leaf, setting_text(s, setting_num(p, s), buf,
			    sizeof(buf)));
		else
			cJSON_AddNumberToObject(o, leaf, (double)setting_num(p, s));
		break;
	case ST_BITS:
	case ST_CAPS:
		v = setting_num(p, s);
		if ((a = cJSON_AddArrayToObject(o, leaf)) != NULL)
			for (int i = 0; i < 64; i++)
				if (bit_name(s, v, i))
					cJSON_AddItemToArray(a, cJSON_CreateString(bit_name(s, v, i)));
		break;
	default:
		cJSON_AddStringToObject(o, leaf, setting_text(s, setting_num(p, s), buf,
		    sizeof(buf)));
		break;
	}
}

cJSON *
osl_policy_to_json(const struct osl_policy *p)
{
	cJSON *j = cJSON_CreateObject();

	if (!j)
		return NULL;
	cJSON_AddNumberToObject(j, "version", 1);
	cJSON_AddStringToObject(j, "source", p->source ? p->source : "");
	add_strs(j, "files", p->files, p->nfiles);
	cJSON_AddStringToObject(j, "hash", p->hash);
	if (p->dflt_where)
		cJSON_AddStringToObject(j, "default_where", p->dflt_where);
	for (int f = 0; f < LF__COUNT; f++) {
		const struct setting *s = &settings[f];
		cJSON *o;

		/* a map whose settings are all unset is there, empty: {} */
		if ((o = json_parent(j, s->key)) != NULL && !absent(p, s))
			json_setting(o, p, s);
		if (f == LF_FS_DENY && (o = cJSON_GetObjectItemCaseSensitive(j, "fs")) != NULL)
			add_inert(o, p);
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

/* ", except: [...]": the excepts in force (an inert one excepts nothing,
 * so the output loads with the same decisions) */
static void
yaml_excepts(struct strbuf *out, const struct osl_rule *r)
{
	bool any = false;

	for (size_t j = 0; j < r->nexcept; j++) {
		if (r->except[j].inert)
			continue;
		sb_adds(out, any ? ", " : ", except: [");
		yq(out, r->except[j].expanded, true);
		any = true;
	}
	if (any)
		sb_addc(out, ']');
}

static void
yaml_rules(struct strbuf *out, const struct osl_policy *p, const char *indent, const char *key,
    enum osl_rule_kind kind, bool fs)
{
	bool any = false;

	for (size_t i = 0; i < p->nrules; i++) {
		const struct osl_rule *r = &p->rules[i];

		if (r->kind != kind)
			continue;
		if (!any)
			sb_addf(out, "%s%s:\n", indent, key);
		any = true;
		sb_addf(out, "%s  - { %s: ", indent, fs ? "path" : "addr");
		yq(out, r->expanded, fs);
		yaml_excepts(out, r);
		if (r->id && !id_taken(p, i)) {
			sb_adds(out, ", id: ");
			yq(out, r->id, false);
		}
		sb_adds(out, " }");
		{
			struct strbuf c = STRBUF_INIT;

			sb_adds(&c, r->where);
			for (size_t j = 0; j < r->nexcept; j++)
				if (r->except[j].inert)
					sb_addf(&c, "; except %s is inert: %s", r->except[j].pattern,
					    r->except[j].inert);
			comment(out, sb_str(&c));
			sb_release(&c);
		}
		sb_addc(out, '\n');
	}
	if (!any)
		sb_addf(out, "%s%s: []\n", indent, key);
	/* inert: a comment, so that loading the output gives the same decisions */
	for (size_t i = 0; i < p->ninert; i++) {
		const struct osl_rule *r = &p->inert[i];
		struct strbuf c = STRBUF_INIT;

		if (r->kind != kind)
			continue;
		sb_addf(&c, "inert, allows nothing: %s (%s): %s", r->pattern, r->where, r->inert);
		sb_adds(out, indent);
		comment(out, sb_str(&c));
		sb_addc(out, '\n');
		sb_release(&c);
	}
}

/* A flow list: [a, "b c"] */
static void
yaml_list(struct strbuf *out, char *const *v, size_t n, bool quote)
{
	sb_addc(out, '[');
	for (size_t i = 0; i < n; i++) {
		if (i)
			sb_adds(out, ", ");
		if (quote)
			yq(out, v[i], false);
		else
			sb_adds(out, v[i]);
	}
	sb_adds(out, "]");
}

/* S's line (or lines, for rules) at INDENT. */
static void
yaml_setting(struct strbuf *out, const struct osl_policy *p, const struct setting *s,
    const char *indent)
{
	const char *leaf = setting_leaf(s), *str, *names[64];
	uint64_t v;
	size_t n = 0;
	char buf[64];

	if (s->type == ST_RULES) {
		yaml_rules(out, p, indent, leaf, (enum osl_rule_kind)s->arg,
		    s->arg <= OSL_RULE_FS_DENY);
		return;
	}
	sb_addf(out, "%s%s: ", indent, leaf);
	switch (s->type) {
	case ST_STR:
		str = *(char **)setting_ptr(p, s);
		yq(out, str ? str : "none", s->flags & S_EXPANDED);
		break;
	case ST_STRS:
		yaml_list(out, *(char ***)setting_ptr(p, s), *setting_count(p, s), true);
		break;
	case ST_ENV:
		sb_adds(out, "{");
		for (size_t i = 0; i < p->nenv_set; i++) {
			sb_addf(out, "%s %s: ", i ? "," : "", p->env_set[i].key);
			yq(out, p->env_set[i].value, false);
		}
		sb_adds(out, p->nenv_set ? " }" : "}");
		break;
	case ST_BITS:
	case ST_CAPS:
		v = setting_num(p, s);
		for (int i = 0; i < 64; i++)
			if (bit_name(s, v, i))
				names[n++] = (char *)bit_name(s, v, i);
		yaml_list(out, (char *const *)names, n, false);
		break;
	case ST_DURATION:
	case ST_SIZE:
		sb_addc(out, '"');
		sb_adds(out, setting_text(s, setting_num(p, s), buf, sizeof(buf)));
		sb_addc(out, '"');
		break;
	default:
		sb_adds(out, setting_text(s, setting_num(p, s), buf, sizeof(buf)));
		break;
	}
	sb_addc(out, '\n');
}

const struct osl_error *
osl_policy_to_yaml(const struct osl_policy *p, struct strbuf *out)
{
	static const char spaces[] = "        ";
	const char *open = "";	/* the key of the last setting written */

	sb_adds(out, "# merged from (parents first):");
	for (size_t i = 0; i < p->nfiles; i++) {
		sb_adds(out, "\n");
		comment(out, p->files[i]);
	}
	sb_addf(out, "\n# hash: %s\nversion: 1\n", p->hash);
	/* block maps, opened as a key first needs them: the table keeps the
	 * settings of one map together */
	for (int f = 0; f < LF__COUNT; f++) {
		const struct setting *s = &settings[f];
		const char *k = s->key, *o = open;
		int depth = 0;

		if (absent(p, s))
			continue;
		/* the maps this key shares with the one before */
		for (const char *dk; (dk = strchr(k, '.')) && !strncmp(k, o, (size_t)(dk - k) + 1);
		    depth++) {
			o += dk - k + 1;
			k = dk + 1;
		}
		for (const char *dk; (dk = strchr(k, '.')) != NULL; depth++, k = dk + 1)
			sb_addf(out, "%.*s%.*s:\n", 2 * depth, spaces, (int)(dk - k), k);
		yaml_setting(out, p, s, spaces + sizeof(spaces) - 1 - 2 * depth);
		open = s->key;
	}
	return out->oom ? osl_error_nomem() : NULL;
}
