/* The records of what the tree did, and one short line for a person for
 * each restart, backoff, give-up and refused start (loop.h). */
#include <stdio.h>
#include <string.h>

#include "op.h"
#include "sandbox/unixconn.h"
#include "supervise/loop.h"

void
osl_sv_tell(const struct osl_sv_loop *l, const char *line)
{
	if (l->r->say)
		l->r->say(line);
}

/* A start that failed (refused by the policy, or its exec): a line for a
 * person with a tree (the single command's status and message say it). */
void
osl_sv_say_refused(const struct osl_sv_loop *l, size_t id, const char *why)
{
	char line[384];

	if (l->r->single)
		return;
	snprintf(line, sizeof(line), "supervise.start %s failed: %s",
	    l->r->tree->nodes[id].spec.name, why);
	osl_sv_tell(l, line);
}

/* The fields of child ID's start record: the program, its arguments, its
 * name, and with a policy its sandbox's summary (osl.enforcement, as
 * proc.exec has it); NULL (out of memory) or its process object (osl is
 * process.parent). */
cJSON *
osl_sv_start_fields(struct osl_sv_loop *l, size_t id)
{
	struct osl_sv_exec *x = &l->r->exec[id];
	struct osl_op *op = x->op;
	cJSON *o, *args;

	if (!op->fields && !(op->fields = cJSON_CreateObject()))
		return NULL;
	o = osl_log_obj(op->fields, "process");
	/* once each: the fields of a start whose exec's outcome came at once
	 * are made a second time with it */
	cJSON_DeleteItemFromObjectCaseSensitive(o, "executable");
	cJSON_DeleteItemFromObjectCaseSensitive(o, "args");
	cJSON_DeleteItemFromObjectCaseSensitive(o, "name");
	cJSON_DeleteItemFromObjectCaseSensitive(svo(op->fields), "name");
	osl_log_add_text(o, "executable", op->req.path);
	osl_log_add_text(o, "name", strrchr(op->req.path, '/') ? strrchr(op->req.path, '/') + 1 :
	    op->req.path);
	cJSON_DeleteItemFromObjectCaseSensitive(o, "working_directory");
	if (x->cwd)
		osl_log_add_text(o, "working_directory", x->cwd);
	if ((args = cJSON_AddArrayToObject(o, "args")))
		for (size_t i = 0; x->argv[i]; i++)
			cJSON_AddItemToArray(args, cJSON_CreateString(x->argv[i]));
	osl_log_add_text(svo(op->fields), "name", l->r->tree->nodes[id].spec.name);
	if (x->sb) {
		cJSON_DeleteItemFromObjectCaseSensitive(osl_log_obj(op->fields, "osl"),
		    "enforcement");
		osl_report_summary(&x->sb->report,
		    osl_log_obj(osl_log_obj(op->fields, "osl"), "enforcement"));
	}
	return o;
}

void
osl_sv_log_action(struct osl_sv_loop *l, const struct osl_sv_action *a)
{
	const char *name = l->r->tree->nodes[a->id].spec.name;
	char msg[256];
	cJSON *rec;

	switch (a->kind) {
	case OSL_SV_ACT_RESTART:
		rec = osl_sv_rec(OSL_ACT_SV_RESTART, true, name);
		cJSON_AddStringToObject(svo(rec), "strategy", a->reason);
		cJSON_AddNumberToObject(svo(rec), "count_in_window", a->count);
		snprintf(msg, sizeof(msg), "supervise.restart %s (%s, %u in the window)", name,
		    a->reason, a->count);
		osl_sv_rec_emit(l->r->ctx, rec, OSL_LEVEL_INFO, msg);
		if (!l->r->tree->nodes[a->id].spec.supervisor && l->r->exec[a->id].ended)
			snprintf(msg, sizeof(msg), "supervise.restart %s (status %d; %s, %u in the "
			    "window)", name, l->r->exec[a->id].status, a->reason, a->count);
		osl_sv_tell(l, msg);
		break;
	case OSL_SV_ACT_BACKOFF:
		rec = osl_sv_rec(OSL_ACT_SV_BACKOFF, true, name);
		cJSON_AddNumberToObject(svo(rec), "delay_ms", (double)(a->delay / 1000000));
		snprintf(msg, sizeof(msg), "supervise.backoff %s %llu ms%s", name,
		    (unsigned long long)(a->delay / 1000000), a->id == 0 ? " (keep_trying: "
		    "the tree's start is tried again)" : "");
		osl_sv_rec_emit(l->r->ctx, rec, OSL_LEVEL_INFO, msg);
		osl_sv_tell(l, msg);
		break;
	case OSL_SV_ACT_GIVEUP:
		rec = osl_sv_rec(OSL_ACT_SV_GIVEUP, false, name);
		if (a->reason) {
			const char *child = l->r->tree->nodes[a->child].spec.name;

			cJSON_AddStringToObject(svo(rec), "reason", "start_failed");
			cJSON_AddStringToObject(svo(rec), "child", child);
			snprintf(msg, sizeof(msg), "supervise.giveup %s: '%s' failed to start; the "
			    "children after it are not started", name, child);
		} else {
			cJSON_AddNumberToObject(svo(rec), "count_in_window", a->count);
			snprintf(msg, sizeof(msg), "supervise.giveup %s: %u restarts within the "
			    "period", name, a->count);
		}
		osl_sv_rec_emit(l->r->ctx, rec, OSL_LEVEL_ERROR, msg);
		osl_sv_tell(l, msg);
		break;
	case OSL_SV_ACT_BREAKER: {
		/* breaker.h: open (until when, for how long), half_open, closed */
		bool open = !strcmp(a->reason, "open");

		rec = osl_sv_rec(OSL_ACT_SV_BREAKER, !open, name);
		cJSON_AddStringToObject(svo(rec), "breaker", a->reason);
		if (open) {
			cJSON_AddNumberToObject(svo(rec), "cool_down_ms", (double)(a->delay / 1000000));
			cJSON_AddNumberToObject(svo(rec), "opened", a->count);
			snprintf(msg, sizeof(msg), "supervise.breaker %s open for %llu ms (opened %u "
			    "times)", name, (unsigned long long)(a->delay / 1000000), a->count);
		} else {
			snprintf(msg, sizeof(msg), "supervise.breaker %s %s", name, a->reason);
		}
		osl_sv_rec_emit(l->r->ctx, rec, open ? OSL_LEVEL_WARN : OSL_LEVEL_INFO, msg);
		osl_sv_tell(l, msg);
		break;
	}
	case OSL_SV_ACT_SHUTDOWN:
		rec = osl_sv_rec(OSL_ACT_SV_SHUTDOWN, true, name);
		cJSON_AddStringToObject(svo(rec), "reason", a->reason ? a->reason : "parent");
		snprintf(msg, sizeof(msg), "supervise.shutdown %s (%s)", name,
		    a->reason ? a->reason : "parent");
		osl_sv_rec_emit(l->r->ctx, rec, OSL_LEVEL_INFO, msg);
		break;
	default:
		break;
	}
}

void
osl_sv_denied_records(struct osl_ctx *ctx, struct osl_unixconn **uc, pid_t pid, const char *name)
{
	struct osl_unixconn *u = *uc;
	struct osl_log *log;
	cJSON *rec;

	if (!u)
		return;
	*uc = NULL;
	if (osl_ctx_log(ctx, &log))
		log = NULL;
	pthread_mutex_lock(&u->mu);
	for (size_t i = 0; log && i < u->n; i++)
		if ((rec = osl_denial_record(&u->d[i], pid))) {
			osl_log_add_text(svo(rec), "name", name);
			osl_log_emit(log, OSL_LEVEL_WARN, rec);
		}
	pthread_mutex_unlock(&u->mu);
	osl_unixconn_release(u);
}

void
osl_sv_end_record(struct osl_sv_loop *l, size_t id, bool exited, int code, uint64_t now)
{
	struct osl_sv_exec *x = &l->r->exec[id];
	const char *name = l->r->tree->nodes[id].spec.name;
	cJSON *rec;

	osl_sv_denied_records(l->r->ctx, &x->uc, x->pid, name);
	rec = osl_sv_rec(OSL_ACT_SV_EXIT, exited && code == 0, name);
	cJSON_AddNumberToObject(osl_log_obj(rec, "process"), "pid", x->pid);
	if (exited) {
		cJSON_AddNumberToObject(osl_log_obj(rec, "process"), "exit_code", code);
	} else {
		const char *s = sigabbrev_np(code);
		char sn[24];

		snprintf(sn, sizeof(sn), "SIG%s", s ? s : "?");
		cJSON_AddStringToObject(svo(rec), "signal", sn);
	}
	cJSON_AddNumberToObject(svo(rec), "runtime_ms", (double)((now - x->t_start) / 1000000));
	snprintf(l->held.msg, sizeof(l->held.msg), "supervise.exit %s pid %d status %d", name,
	    (int)x->pid, x->status);
	l->held.rec = rec;
	l->held.level = exited && code == 0 ? OSL_LEVEL_INFO : OSL_LEVEL_WARN;
}

void
osl_sv_held_emit(struct osl_sv_loop *l)
{
	if (l->held.rec)
		osl_sv_rec_emit(l->r->ctx, l->held.rec, l->held.level, l->held.msg);
	l->held.rec = NULL;
}

bool
osl_sv_roll_moved(struct osl_sv_loop *l)
{
	struct osl_sv_roll *ro = &l->r->roll;
	const char *root = l->r->tree->nodes[0].spec.name;
	bool cmd;
	char msg[300];
	cJSON *rec;

	if (!ro->active && ro->result == OSL_SV_ROLL_RUNNING)
		return false;
	if (ro->began) {
		ro->began = false;
		rec = osl_sv_rec(OSL_ACT_SV_ROLL, true, root);
		cJSON_AddStringToObject(svo(rec), "roll", "begin");
		cJSON_AddStringToObject(svo(rec), "set", ro->set);
		cJSON_AddNumberToObject(svo(rec), "replicas", (double)ro->n);
		cJSON_AddNumberToObject(svo(rec), "max_unavailable", ro->max_unavailable);
		snprintf(msg, sizeof(msg), "supervise.roll %s: %zu replicas, %u at a time", ro->set,
		    ro->n, ro->max_unavailable);
		osl_sv_rec_emit(l->r->ctx, rec, OSL_LEVEL_INFO, msg);
	}
	cmd = osl_sv_roll_step(ro, l->r->tree, osl_now_mono_ns());
	if (ro->result == OSL_SV_ROLL_RUNNING)
		return cmd;
	/* a failed roll is reported, not propagated: the tree goes on */
	rec = osl_sv_rec(OSL_ACT_SV_ROLL, ro->result == OSL_SV_ROLL_DONE, root);
	cJSON_AddStringToObject(svo(rec), "roll", ro->result == OSL_SV_ROLL_DONE ? "done" : "stopped");
	cJSON_AddStringToObject(svo(rec), "set", ro->set);
	cJSON_AddNumberToObject(svo(rec), "replaced", (double)ro->replaced);
	cJSON_AddNumberToObject(svo(rec), "replicas", (double)ro->n);
	cJSON_AddNumberToObject(svo(rec), "duration_ms", (double)((ro->t_end - ro->t_begin) / 1000000));
	if (ro->result == OSL_SV_ROLL_DONE) {
		snprintf(msg, sizeof(msg), "supervise.roll %s: %zu of %zu replaced", ro->set,
		    ro->replaced, ro->n);
	} else {
		const char *who = ro->failed != OSL_SV_NONE ?
		    l->r->tree->nodes[ro->failed].spec.name : "";

		if (*who)
			cJSON_AddStringToObject(svo(rec), "child", who);
		cJSON_AddStringToObject(svo(rec), "reason", ro->why);
		snprintf(msg, sizeof(msg), "supervise.roll %s stopped: %s%s%s; %zu of %zu replaced, "
		    "the others keep running", ro->set, who, *who ? " " : "", ro->why, ro->replaced,
		    ro->n);
	}
	osl_sv_rec_emit(l->r->ctx, rec, ro->result == OSL_SV_ROLL_DONE ? OSL_LEVEL_INFO :
	    OSL_LEVEL_ERROR, msg);
	osl_sv_tell(l, msg);
	osl_sv_roll_end(ro);
	return cmd;
}
