/* Reload (see reload.h): the file read again, the difference applied. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "fs/fs.h"
#include "supervise/ctl.h"
#include "supervise/ext.h"
#include "supervise/reload.h"
#include "supervise/roll.h"

/* The file read again and its plan are done with (a round of a rolling
 * reload stays). */
static void
release_next(struct osl_sv_reload *rl)
{
	if (rl->pending) {
		osl_sv_config_free(&rl->next);
		osl_sv_plan_free(&rl->plan);
	}
	rl->pending = false;
}

static const char **
specs(const struct osl_sv_config *c)
{
	const char **v = calloc(c->tree.n + 1, sizeof(*v));

	for (size_t i = 0; v && i < c->tree.n; i++)
		v[i] = c->child[i].spec;
	return v;
}

/* The file read again into RL->next. */
static const struct osl_error *
load_next(struct osl_sv_reload *rl)
{
	const struct osl_error *err;
	const char *first = "";
	char msg[1024];
	size_t n;

	if (rl->pending)
		return osl_error_new(OSL_EFAIL, "a reload is under way");
	rl->only = rl->only_parent = OSL_SV_NONE;
	if ((err = osl_sv_config_load(&rl->next, rl->path, rl->environ_, rl->penv, rl->log_sink))) {
		/* the error goes out before the half-read file is freed */
		snprintf(msg, sizeof(msg), "%s", err->msg);
		osl_sv_config_free(&rl->next);
		return osl_error_new(OSL_EINPUT, "%s", msg);
	}
	if (rl->require_full && (n = osl_sv_config_not_full(&rl->next, &first))) {
		snprintf(msg, sizeof(msg), "--require-full: %zu child%s not held in full "
		    "(%s; see osl supervise --check)", n, n == 1 ? " is" : "ren are", first);
		osl_sv_config_free(&rl->next);
		return osl_error_new(OSL_EINPUT, "%s", msg);
	}
	return NULL;
}

char *
osl_sv_reload_request(struct osl_sv_reload *rl, struct osl_sv_runner *r, uint64_t now)
{
	const struct osl_error *err = NULL;
	const char **ls = NULL, **ns = NULL;
	cJSON *o = cJSON_CreateObject(), *rec;
	char msg[1200], abs[PATH_MAX];

	r->tree->nact = 0;
	if ((err = load_next(rl)))
		goto done;
	rl->held = 0;
	/* the new sockets are bound now: a reload that cannot have them
	 * keeps the running tree (the ones it shares are kept) */
	if ((err = osl_sv_listen_bind(r->ctx, &r->socks, rl->next.child, rl->next.tree.n))) {
		snprintf(msg, sizeof(msg), "%s", err->msg);
		osl_sv_config_free(&rl->next);
		osl_sv_listen_sweep(&r->socks, r->tree, r->child);
		err = osl_error_new(OSL_EFAIL, "%s", msg);
		goto done;
	}
	if (!(ls = specs(rl->live)) || !(ns = specs(&rl->next)) ||
	    (err = osl_sv_plan(r->tree, ls, &rl->next.tree, ns, &rl->plan))) {
		err = err ? err : osl_error_nomem();
		osl_sv_config_free(&rl->next);
		osl_sv_listen_sweep(&r->socks, r->tree, r->child);
		goto done;
	}
	/* a changed replica set is replaced max_unavailable at a time */
	rl->held = osl_sv_roll_plan(&rl->plan, r->tree, &rl->next.tree);
	rl->pending = true;
	osl_sv_plan_stop(r->tree, &rl->plan, now);
done:
	free(ls);
	free(ns);
	rec = osl_sv_rec(OSL_ACT_SV_RELOAD, !err, r->tree->nodes[0].spec.name);
	if (!osl_fs_abspath(rl->path, abs, sizeof(abs)))	/* ECS: absolute */
		osl_log_add_text(osl_log_obj(rec, "file"), "path", abs);
	cJSON_AddBoolToObject(o, "ok", !err);
	if (err) {
		cJSON_AddStringToObject(o, "error", err->msg);
		snprintf(msg, sizeof(msg), "supervise.reload %s: kept the running tree: %s", rl->path,
		    err->msg);
		osl_sv_rec_emit(r->ctx, rec, OSL_LEVEL_ERROR, msg);
		return osl_sv_ctl_line(o);
	}
	{
		const struct osl_sv_plan *p = &rl->plan;
		cJSON *sv = osl_log_obj(osl_log_obj(rec, "osl"), "supervise");
		const char *k[] = { "kept", "added", "changed", "removed" };
		unsigned v[] = { p->kept, p->added, p->changed, p->removed };

		for (size_t i = 0; i < 4; i++) {
			cJSON_AddNumberToObject(o, k[i], v[i]);
			cJSON_AddNumberToObject(sv, k[i], v[i]);
		}
		if (rl->held) {
			cJSON_AddNumberToObject(o, "rolling", rl->held);
			cJSON_AddNumberToObject(sv, "rolling", rl->held);
		}
		snprintf(msg, sizeof(msg), "supervise.reload %s: %u kept, %u added, %u changed, "
		    "%u removed%s", rl->path, p->kept, p->added, p->changed, p->removed,
		    rl->held ? " (a replica set rolls: some in a later round)" : "");
	}
	osl_sv_rec_emit(r->ctx, rec, OSL_LEVEL_INFO, msg);
	return osl_sv_ctl_line(o);
}

char *
osl_sv_reload_start(struct osl_sv_reload *rl, struct osl_sv_runner *r, const char *name,
    uint64_t now)
{
	const char *slash = strrchr(name, '/');
	const struct osl_error *err;
	char parent[OSL_SV_CTL_MAX], msg[OSL_SV_CTL_MAX + 600], abs[PATH_MAX];
	size_t j, lp = OSL_SV_NONE;
	cJSON *o, *rec;

	(void)now;		/* it starts when the runner finishes it */
	r->tree->nact = 0;
	if ((err = load_next(rl)))
		return osl_sv_ctl_error(err->msg);
	snprintf(parent, sizeof(parent), "%.*s", slash ? (int)(slash - name) : 0, name);
	if ((j = osl_sv_find(&rl->next.tree, name)) == OSL_SV_NONE || j == 0)
		snprintf(msg, sizeof(msg), "no such child, in the running tree or in '%s'", rl->path);
	else if ((lp = osl_sv_find(r->tree, parent)) == OSL_SV_NONE ||
	    !r->tree->nodes[lp].spec.supervisor)
		snprintf(msg, sizeof(msg), "'%s': its supervisor '%s' is not in the running tree "
		    "(start that first)", name, parent);
	if (lp == OSL_SV_NONE) {
		osl_sv_config_free(&rl->next);
		return osl_sv_ctl_error(msg);
	}
	rl->pending = true;
	rl->only = j;
	rl->only_parent = lp;
	rec = osl_sv_rec(OSL_ACT_SV_RELOAD, true, r->tree->nodes[0].spec.name);
	if (!osl_fs_abspath(rl->path, abs, sizeof(abs)))	/* ECS: absolute */
		osl_log_add_text(osl_log_obj(rec, "file"), "path", abs);
	cJSON_AddNumberToObject(osl_log_obj(osl_log_obj(rec, "osl"), "supervise"), "added",
	    (double)osl_sv_subtree_size(&rl->next.tree, j));
	snprintf(msg, sizeof(msg), "supervise.reload %s: '%s' added (ctl start)", rl->path, name);
	osl_sv_rec_emit(r->ctx, rec, OSL_LEVEL_INFO, msg);
	o = cJSON_CreateObject();
	cJSON_AddBoolToObject(o, "ok", 1);
	cJSON_AddNumberToObject(o, "added", (double)osl_sv_subtree_size(&rl->next.tree, j));
	return osl_sv_ctl_line(o);
}

size_t
osl_sv_reload_due(const struct osl_sv_reload *rl, const struct osl_sv_runner *r)
{
	size_t add = 0;

	if (rl->pending && rl->only != OSL_SV_NONE)
		return r->tree->n + osl_sv_subtree_size(&rl->next.tree, rl->only);
	if (!rl->pending || !osl_sv_plan_stopped(r->tree, &rl->plan))
		return 0;
	for (size_t j = 1; j < rl->next.tree.n; j++)
		add += rl->plan.map[j] == OSL_SV_NONE;
	return r->tree->n + add;
}

/* Move NEXT's entry J to the live config's entry I (appended by the graft). */
static void
move_entry(struct osl_sv_config *live, struct osl_sv_config *next, size_t j, size_t i)
{
	live->exec[i] = next->exec[j];
	live->child[i] = next->child[j];
	if (live->child[i].policy)
		live->exec[i].sb = &live->child[i].sb;
	memset(&next->exec[j], 0, sizeof(next->exec[j]));
	memset(&next->child[j], 0, sizeof(next->child[j]));
	osl_sv_exec_fresh(&live->exec[i]);
}

void
osl_sv_reload_finish(struct osl_sv_reload *rl, struct osl_sv_runner *r, uint64_t now)
{
	struct osl_sv_config *live = rl->live, *next = &rl->next;
	size_t size = osl_sv_reload_due(rl, r), *liveid = NULL, n0 = r->tree->n;
	const struct osl_error *err = NULL;
	struct osl_sv_exec *xe;
	struct osl_sv_child *xc;

	r->tree->nact = 0;
	if (!size)
		return;
	xe = realloc(live->exec, size * sizeof(*xe));
	if (xe)
		live->exec = xe;
	xc = realloc(live->child, size * sizeof(*xc));
	if (xc)
		live->child = xc;
	/* the arrays moved: the sandboxes are pointed at again */
	for (size_t i = 0; i < n0; i++)
		if (live->child[i].policy)
			live->exec[i].sb = &live->child[i].sb;
	r->exec = live->exec;
	r->child = live->child;
	if (!xe || !xc || !(liveid = malloc(next->tree.n * sizeof(*liveid)))) {
		err = osl_error_nomem();
		goto done;
	}
	memset(&live->exec[n0], 0, (size - n0) * sizeof(*xe));
	memset(&live->child[n0], 0, (size - n0) * sizeof(*xc));
	for (size_t i = n0; i < size; i++)
		osl_sv_exec_fresh(&live->exec[i]);
	for (size_t j = 0; j < next->tree.n; j++)
		liveid[j] = OSL_SV_NONE;
	if (rl->only != OSL_SV_NONE)
		err = osl_sv_graft_one(r->tree, &next->tree, rl->only, rl->only_parent, liveid, now);
	else
		err = osl_sv_graft(r->tree, &next->tree, &rl->plan, liveid, now);
	/* what was added has what it needs to run, even when the graft stopped half-way */
	for (size_t j = 1; j < next->tree.n; j++)
		if (liveid[j] != OSL_SV_NONE && (rl->only != OSL_SV_NONE ||
		    rl->plan.map[j] == OSL_SV_NONE))
			move_entry(live, next, j, liveid[j]);
	/* a rolling round: the next waits for the replicas this one added */
	free(rl->round);
	rl->round = NULL;
	rl->nround = 0;
	if (rl->held && !err && (rl->round = malloc(next->tree.n * sizeof(*rl->round))))
		for (size_t j = 1; j < next->tree.n; j++)
			if (rl->plan.map[j] == OSL_SV_NONE && liveid[j] != OSL_SV_NONE &&
			    next->tree.nodes[j].spec.set[0] && !next->tree.nodes[j].spec.supervisor)
				rl->round[rl->nround++] = liveid[j];
done:
	if (err) {
		char msg[300];

		snprintf(msg, sizeof(msg), "supervise.reload %s: %s", rl->path, err->msg);
		osl_sv_rec_emit(r->ctx, osl_sv_rec(OSL_ACT_SV_RELOAD, false,
		    r->tree->nodes[0].spec.name), OSL_LEVEL_ERROR, msg);
	}
	free(liveid);
	release_next(rl);
	/* what only the old children used is closed */
	osl_sv_listen_sweep(&r->socks, r->tree, r->child);
}

void
osl_sv_reload_release(struct osl_sv_reload *rl)
{
	release_next(rl);
	free(rl->round);
	rl->round = NULL;
	rl->nround = 0;
}

bool
osl_sv_reload_again(struct osl_sv_reload *rl, struct osl_sv_runner *r, uint64_t now)
{
	int st;
	char msg[400];

	if (!rl->round || rl->pending)
		return false;
	if (!(st = osl_sv_roll_round(r->tree, rl->round, rl->nround)))
		return false;
	if (st < 0) {
		cJSON *rec = osl_sv_rec(OSL_ACT_SV_ROLL, false, r->tree->nodes[0].spec.name);

		snprintf(msg, sizeof(msg), "supervise.roll (reload %s) stopped: a new replica failed; "
		    "%u of the set keep their old settings until the next reload", rl->path, rl->held);
		cJSON *sv = osl_log_obj(osl_log_obj(rec, "osl"), "supervise");

		cJSON_AddStringToObject(sv, "roll", "stopped");
		cJSON_AddStringToObject(sv, "reason", "failed to start");
		osl_sv_rec_emit(r->ctx, rec, OSL_LEVEL_ERROR, msg);
	}
	free(rl->round);
	rl->round = NULL;
	rl->nround = 0;
	if (st < 0)
		return false;
	free(osl_sv_reload_request(rl, r, now));
	return true;
}
