/* The pipeline: decide, log start, (the caller does it), log result. */
#include "op.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

uint64_t
osl_now_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

const char *
osl_errno_name(int err)
{
	return strerrorname_np(err);
}

void
osl_op_init(struct osl_op *op, enum osl_action action, const char *target)
{
	memset(op, 0, sizeof(*op));
	op->action = action;
	op->target = target;
	op->level = OSL_LEVEL_INFO;
	op->fields = cJSON_CreateObject();
	op->req.access = osl_action(action)->access;
}

void
osl_op_release(struct osl_op *op)
{
	cJSON_Delete(op->fields);
	op->fields = NULL;
}

static const char *
decision_word(const struct osl_decision *d)
{
	return d->verdict == OSL_ALLOW ? "allowed" : "denied";
}

/* KEY can be one name of a field's dotted path. */
static bool
plain_name(const char *key)
{
	const char *p;

	for (p = key; *p; p++)
		if (*p <= 0x20 || *p >= 0x7f || *p == '.' || *p == '"' || *p == '\\')
			return false;
	return p != key;
}

static void
add(struct osl_op_rec *r, struct osl_log_field f)
{
	if (r->n < sizeof(r->f) / sizeof(r->f[0]))
		r->f[r->n++] = f;
}

/* "TOP.KEY" in R's room for paths, or NULL when it is full. */
static const char *
join(struct osl_op_rec *r, const char *top, const char *key)
{
	size_t a = strlen(top), b = strlen(key);
	char *p = r->paths + r->used;

	if (a + b + 2 > sizeof(r->paths) - r->used)
		return NULL;
	memcpy(p, top, a);
	p[a] = '.';
	memcpy(p + a + 1, key, b + 1);
	r->used += a + b + 2;
	return p;
}

/* The caller's fields (op->fields): each member of an object a field of
 * its own, so that the record's own members join them; OURS fields are
 * kept free for those.  A key that cannot be a name in a dotted path (a
 * dot in it: ECS nests by objects, lib/log/log.h) is left out. */
static void
caller_fields(struct osl_op_rec *r, const cJSON *fields, size_t ours)
{
	const cJSON *c, *m;
	const char *path;
	size_t room;

	for (c = fields ? fields->child : NULL; c; c = c->next) {
		if (!c->string || !plain_name(c->string))
			continue;
		room = sizeof(r->f) / sizeof(r->f[0]) - ours - r->n;
		/* (an empty object too: "file":{}, or nothing in a section
		 * such as osl, as the tree was written) */
		if (!cJSON_IsObject(c) || !c->child) {
			if (room)
				add(r, OSL_LOG_JSON(c->string, c));
			continue;
		}
		for (m = c->child; m && room; m = m->next, room--) {
			if (!m->string || !plain_name(m->string) ||
			    !(path = join(r, c->string, m->string)))
				continue;
			add(r, OSL_LOG_JSON(path, m));
		}
	}
}

void
osl_op_record(struct osl_op_rec *r, const struct osl_policy *p, const struct osl_op *op,
    const char *phase, const struct osl_error *result, uint64_t now)
{
	const struct osl_decision *d = &op->decision;
	const struct osl_action_def *act = osl_action(op->action);
	bool start = phase && !strcmp(phase, "start");
	const char *code = result && result->sys_errno ? osl_errno_name(result->sys_errno) : NULL;
	const char *where;

	r->n = 0;
	r->used = 0;
	/* event 6, rule 3, osl 2, error 2, message */
	caller_fields(r, op->fields, 14);
	r->cat[0] = act->category;
	r->type[0] = act->type;
	/* ECS lists allowed and denied among the network category's types
	 * only; osl.decision says it for every record */
	r->type[1] = d->verdict == OSL_DENY || d->audit ? "denied" : "allowed";
	add(r, OSL_LOG_STRS("event.category", r->cat, 1));
	add(r, OSL_LOG_STRS("event.type", r->type, strcmp(act->category, "network") ? 1 : 2));
	add(r, OSL_LOG_STR("event.action", act->name));
	/* what was asked for did not happen: a denial is a failure, as is a
	 * failed operation; the start of one has no outcome yet */
	add(r, OSL_LOG_STR("event.outcome", result || d->verdict == OSL_DENY ? "failure" :
	    start ? "unknown" : "success"));
	osl_decision_reason(p, d, r->reason, sizeof(r->reason));
	add(r, OSL_LOG_STR("event.reason", r->reason));
	if (!start)
		add(r, OSL_LOG_COUNT("event.duration", now - op->t_start));
	if (d->rule || d->by_default) {
		where = d->rule ? d->rule->where : p->dflt_where ? p->dflt_where : p->source;
		add(r, OSL_LOG_STR("rule.id", d->rule ? osl_rule_name(d->rule) : "default"));
		if (where)
			add(r, OSL_LOG_STR("rule.ruleset", where));
		add(r, OSL_LOG_STR("rule.version", p->hash));
	}
	add(r, OSL_LOG_STR("osl.decision", d->verdict == OSL_ALLOW ? "allow" : "deny"));
	if (d->audit)
		add(r, OSL_LOG_BOOL("osl.audit", true));
	if (code)
		add(r, OSL_LOG_STR("error.code", code));
	if (result)
		add(r, OSL_LOG_STR("error.message", result->msg));
	/* by the rule, the default, or the setting that decided (net.resolve: true) */
	snprintf(r->msg, sizeof(r->msg), "%s %s %s by %s%s%s%s", act->name,
	    op->target ? op->target : "", decision_word(d),
	    d->rule ? osl_rule_name(d->rule) : op->unnamed ? op->unnamed :
	    d->by_default || !d->setting ? "default" : d->setting,
	    d->audit ? " (audit)" : "",
	    result ? ", failed: " : "", result ? result->msg : "");
	add(r, OSL_LOG_STR("message", r->msg));
}

/* Write the record of OP (the result when PHASE is NULL). */
static const struct osl_error *
emit(struct osl_ctx *ctx, struct osl_log *log, enum osl_level level, const struct osl_op *op,
    const char *phase, const struct osl_error *result)
{
	struct osl_op_rec r;

	osl_op_record(&r, ctx->policy, op, phase, result,
	    op->t_end ? op->t_end : osl_now_mono_ns());
	return osl_log_emit_fields(log, level, r.f, r.n);
}

/* What decided a denial, for -j: the rule, the default, or the setting. */
static void
deny_rule(struct osl_error *e, const struct osl_policy *p, const struct osl_decision *d)
{
	const char *id = NULL, *where = NULL;

	if (d->rule) {
		id = osl_rule_name(d->rule);
		where = d->rule->where;
	} else if (d->by_default) {
		id = "default";
		where = p->dflt_where ? p->dflt_where : p->source;
	} else if (d->setting && !strchr(d->setting, ' '))
		id = d->setting;
	snprintf(e->rule, sizeof(e->rule), "%s", id ? id : "");
	snprintf(e->rule_where, sizeof(e->rule_where), "%s", where ? where : "");
}

const struct osl_error *
osl_op_begin(struct osl_ctx *ctx, struct osl_op *op)
{
	const struct osl_error *err;
	struct osl_policy *p;
	struct osl_log *log;
	char reason[512], hint[700];
	size_t tlen;
	int cut;

	op->t_start = osl_now_mono_ns();
	if (!op->fields)
		return osl_error_nomem();
	if ((err = osl_ctx_policy(ctx, &p)))
		return err;
	if ((err = osl_ctx_log(ctx, &log)))
		return err;
	if (op->unnamed)
		op->decision = (struct osl_decision){ .verdict = OSL_ALLOW, .setting = op->unnamed };
	else
		osl_policy_decide(p, &op->req, &op->decision);
	ctx->ops++;

	if (op->decision.verdict == OSL_DENY) {
		ctx->denied++;
		if (osl_log_enabled(log, OSL_LEVEL_WARN))
			err = emit(ctx, log, OSL_LEVEL_WARN, op, "deny", NULL);
		osl_decision_reason(p, &op->decision, reason, sizeof(reason));
		/* a long path is cut, never the rule that the message must name */
		tlen = strlen(op->target);
		cut = tlen > 512 ? 512 : (int)tlen;
		/* "rule ID at FILE:LINE:COL", or "rule at FILE:LINE:COL" without an id */
		if (op->decision.rule)
			err = osl_error_new(OSL_EDENIED, "'%.*s%s': denied by policy (rule %s%sat %s%s)",
			    cut, op->target, tlen > 512 ? "..." : "",
			    op->decision.rule->id ? op->decision.rule->id : "",
			    op->decision.rule->id ? " " : "", op->decision.rule->where,
			    op->decision.beneath ? ", which could match a path beneath it" : "");
		/* no rule decided: name one that would allow it */
		else if (op->decision.by_default && !op->decision.inert && p->dflt == OSL_DENY &&
		    osl_policy_hint(&op->req, hint, sizeof(hint)))
			err = osl_error_new(OSL_EDENIED,
			    "'%.*s%s': denied by policy (%s; a rule that would allow it: %s)", cut,
			    op->target, tlen > 512 ? "..." : "", reason, hint);
		else
			err = osl_error_new(OSL_EDENIED, "'%.*s%s': denied by policy (%s)", cut,
			    op->target, tlen > 512 ? "..." : "", reason);
		deny_rule((struct osl_error *)err, p, &op->decision);
		return err;
	}
	if (p->log.on_failure == OSL_ONFAIL_DENY && (err = osl_log_reserve(log)))
		return err;
	if (osl_log_enabled(log, OSL_LEVEL_DEBUG) &&
	    (err = emit(ctx, log, OSL_LEVEL_DEBUG, op, "start", NULL)))
		return err;
	return NULL;
}

const struct osl_error *
osl_op_end(struct osl_ctx *ctx, struct osl_op *op, const struct osl_error *result)
{
	/* a failure is a warning, unless the op is one try of many (debug) */
	enum osl_level level = result && op->level != OSL_LEVEL_DEBUG ? OSL_LEVEL_WARN : op->level;
	const struct osl_error *err;
	struct osl_log *log;

	if ((err = osl_ctx_log(ctx, &log)))
		return result ? result : err;
	if (!osl_log_enabled(log, level))	/* -l none, or a level filtered out */
		return result;
	err = emit(ctx, log, level, op, NULL, result);
	return result ? result : err;
}
