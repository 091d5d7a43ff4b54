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

/* The record both ends of an operation share; NULL when out of memory. */
static cJSON *
record(const struct osl_ctx *ctx, const struct osl_op *op, const char *phase,
    const struct osl_error *result)
{
	const struct osl_decision *d = &op->decision;
	const struct osl_policy *p = ctx->policy;
	const struct osl_action_def *act = osl_action(op->action);
	cJSON *rec, *ev, *types, *cats, *rule, *o;
	char reason[512], msg[2600];

	rec = op->fields ? cJSON_Duplicate(op->fields, 1) : cJSON_CreateObject();
	if (!rec)
		return NULL;
	ev = osl_log_obj(rec, "event");
	cats = cJSON_AddArrayToObject(ev, "category");
	cJSON_AddItemToArray(cats, cJSON_CreateString(act->category));
	types = cJSON_AddArrayToObject(ev, "type");
	cJSON_AddItemToArray(types, cJSON_CreateString(act->type));
	/* ECS lists allowed and denied among the network category's types
	 * only; osl.decision says it for every record */
	if (!strcmp(act->category, "network"))
		cJSON_AddItemToArray(types, cJSON_CreateString(
		    d->verdict == OSL_DENY || d->audit ? "denied" : "allowed"));
	cJSON_AddStringToObject(ev, "action", act->name);
	/* what was asked for did not happen: a denial is a failure, as is a
	 * failed operation; the start of one has no outcome yet */
	cJSON_AddStringToObject(ev, "outcome", result || d->verdict == OSL_DENY ? "failure" :
	    phase && !strcmp(phase, "start") ? "unknown" : "success");
	osl_decision_reason(p, d, reason, sizeof(reason));
	cJSON_AddStringToObject(ev, "reason", reason);
	if (!phase || strcmp(phase, "start"))
		cJSON_AddNumberToObject(ev, "duration",
		    (double)(osl_now_mono_ns() - op->t_start));

	if (d->rule || d->by_default) {
		rule = osl_log_obj(rec, "rule");
		if (d->rule) {
			cJSON_AddStringToObject(rule, "id", osl_rule_name(d->rule));
			cJSON_AddStringToObject(rule, "ruleset", d->rule->where);
		} else {
			cJSON_AddStringToObject(rule, "id", "default");
			cJSON_AddStringToObject(rule, "ruleset", p->dflt_where ? p->dflt_where : p->source);
		}
		cJSON_AddStringToObject(rule, "version", p->hash);
	}
	o = osl_log_obj(rec, "osl");
	cJSON_AddStringToObject(o, "decision", d->verdict == OSL_ALLOW ? "allow" : "deny");
	if (d->audit)
		cJSON_AddBoolToObject(o, "audit", 1);
	if (result) {
		cJSON *e = osl_log_obj(rec, "error");
		const char *name = result->sys_errno ? osl_errno_name(result->sys_errno) : NULL;

		if (name)
			cJSON_AddStringToObject(e, "code", name);
		osl_log_add_text(e, "message", result->msg);
	}
	/* by the rule, the default, or the setting that decided (net.resolve: true) */
	snprintf(msg, sizeof(msg), "%s %s %s by %s%s%s%s", act->name,
	    op->target ? op->target : "", decision_word(d),
	    d->rule ? osl_rule_name(d->rule) : op->unnamed ? op->unnamed :
	    d->by_default || !d->setting ? "default" : d->setting,
	    d->audit ? " (audit)" : "",
	    result ? ", failed: " : "", result ? result->msg : "");
	osl_log_add_text(rec, "message", msg);
	return rec;
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
	cJSON *rec;

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
		if (osl_log_enabled(log, OSL_LEVEL_WARN) && (rec = record(ctx, op, "deny", NULL)))
			err = osl_log_emit(log, OSL_LEVEL_WARN, rec);
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
	if (osl_log_enabled(log, OSL_LEVEL_DEBUG)) {
		if (!(rec = record(ctx, op, "start", NULL)))
			return osl_error_nomem();
		if ((err = osl_log_emit(log, OSL_LEVEL_DEBUG, rec)))
			return err;
	}
	return NULL;
}

const struct osl_error *
osl_op_end(struct osl_ctx *ctx, struct osl_op *op, const struct osl_error *result)
{
	/* a failure is a warning, unless the op is one try of many (debug) */
	enum osl_level level = result && op->level != OSL_LEVEL_DEBUG ? OSL_LEVEL_WARN : op->level;
	const struct osl_error *err;
	struct osl_log *log;
	cJSON *rec;

	if ((err = osl_ctx_log(ctx, &log)))
		return result ? result : err;
	if (!osl_log_enabled(log, level))	/* -l none, or a level filtered out */
		return result;
	if (!(rec = record(ctx, op, NULL, result)))
		return result ? result : osl_error_nomem();
	err = osl_log_emit(log, level, rec);
	return result ? result : err;
}
