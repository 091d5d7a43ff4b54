/* The control protocol (ctl.h; the requests: osl-supervise(8), CONTROL). */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "supervise/child.h"
#include "supervise/config.h"
#include "supervise/ctl.h"
#include "util/parse.h"
#include "util/time.h"
#include "supervise/metrics.h"

char *
osl_sv_ctl_line(cJSON *o)
{
	char *s = cJSON_PrintUnformatted(o), *l = NULL;
	size_t n;

	if (s && (l = malloc((n = strlen(s)) + 2))) {
		memcpy(l, s, n);
		l[n] = '\n';
		l[n + 1] = '\0';
	}
	free(s);
	cJSON_Delete(o);
	return l;
}

char *
osl_sv_ctl_error(const char *msg)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddBoolToObject(o, "ok", 0);
	cJSON_AddStringToObject(o, "error", msg);
	return osl_sv_ctl_line(o);
}

/* What the child reported (sd_notify's STATUS=), its health, its output. */
static void
child_json(cJSON *o, const struct osl_sv_child *ch)
{
	if (ch->status[0])
		cJSON_AddStringToObject(o, "status", ch->status);
	if (ch->user)
		cJSON_AddStringToObject(o, "user", ch->user);
	if (ch->health.path)
		cJSON_AddNumberToObject(o, "health_failures", ch->health_fails);
	if (ch->output == OSL_SV_OUT_LOG)
		cJSON_AddNumberToObject(o, "output_dropped", (double)ch->dropped);
}

/* The sockets the supervisor holds for the child (listen.h), as bound. */
static void
listen_json(cJSON *o, const struct osl_sv_runner *r, const struct osl_sv_child *ch)
{
	cJSON *a;

	if (!ch->nlisten || !(a = cJSON_AddArrayToObject(o, "listen")))
		return;
	for (size_t i = 0; i < ch->nlisten; i++) {
		const struct osl_sv_sock *k = osl_sv_socks_find(&r->socks, ch->listen_fds[i]);
		cJSON *e = cJSON_CreateObject();

		cJSON_AddStringToObject(e, "name", ch->listen[i].name);
		cJSON_AddStringToObject(e, "address", ch->listen[i].addr);
		if (k)
			cJSON_AddStringToObject(e, "bound", k->bound);
		else
			cJSON_AddNullToObject(e, "bound");
		cJSON_AddItemToArray(a, e);
	}
}

/* How child X is held (cgroup.h): its cgroup, what it holds, the limits. */
static void
containment(cJSON *o, const struct osl_sv_runner *r, const struct osl_sv_exec *x)
{
	bool cg = x->cg_made && x->cgfd >= 0;
	char note[sizeof(r->cg.why) + sizeof(x->cgnote) + 2];

	static const char *const keys[] = { "memory", "memory_peak", "pids", "cpu_seconds" };
	const int64_t v[] = { x->memory, x->memory_peak, x->pids, x->cpu_usec };

	cJSON_AddStringToObject(o, "containment", cg ? "cgroup" : "process-group");
	/* what its cgroup counts (metrics.c), null where it has none */
	for (size_t i = 0; i < 4; i++) {
		if (cg && v[i] >= 0)
			cJSON_AddNumberToObject(o, keys[i], i == 3 ? (double)v[i] / 1e6 : (double)v[i]);
		else
			cJSON_AddNullToObject(o, keys[i]);
	}
	/* what the supervisor's folder cannot do holds for each child in it */
	snprintf(note, sizeof(note), "%s%s%s", cg || !x->cg_made ? r->cg.why : "",
	    (cg || !x->cg_made) && r->cg.why[0] && x->cgnote[0] ? "; " : "", x->cgnote);
	if (note[0])
		cJSON_AddStringToObject(o, "containment_note", note);
}

/* OTP's count_children: the children it has a spec for (a temporary one
 * that ended has none), those running, and how many are supervisors and
 * workers. */
static void
count_json(cJSON *o, const struct osl_sv_tree *t, const struct osl_sv_node *nd)
{
	unsigned specs = 0, active = 0, sups = 0, workers = 0;
	cJSON *c;

	for (size_t i = 0; i < nd->nkids; i++) {
		const struct osl_sv_node *k = &t->nodes[nd->kids[i]];

		if (k->gone || k->removed)
			continue;
		specs++;
		active += k->state != OSL_SV_DOWN && k->state != OSL_SV_WAIT;
		sups += k->spec.supervisor;
		workers += !k->spec.supervisor;
	}
	if (!(c = cJSON_AddObjectToObject(o, "count")))
		return;
	cJSON_AddNumberToObject(c, "specs", specs);
	cJSON_AddNumberToObject(c, "active", active);
	cJSON_AddNumberToObject(c, "supervisors", sups);
	cJSON_AddNumberToObject(c, "workers", workers);
}

/* A child's circuit breaker (breaker.h): its state, the failures in a
 * row while closed, how often it opened, and while open the time left. */
static void
breaker_json(cJSON *o, const struct osl_sv_node *nd, uint64_t now_mono)
{
	const struct osl_sv_breaker *b = &nd->brk;
	cJSON *j;

	if (!nd->spec.breaker.failures || !(j = cJSON_AddObjectToObject(o, "breaker")))
		return;
	cJSON_AddStringToObject(j, "state", osl_sv_breaker_state_name(b->state));
	cJSON_AddNumberToObject(j, "failures", b->fails);
	cJSON_AddNumberToObject(j, "opened", b->opened);
	if (b->state == OSL_SV_BRK_OPEN)
		cJSON_AddNumberToObject(j, "open_ms", (double)((b->until > now_mono ?
		    b->until - now_mono : 0) / 1000000));
}

static cJSON *
node_json(const struct osl_sv_runner *r, size_t id, uint64_t now_mono, uint64_t now_real)
{
	const struct osl_sv_node *nd = &r->tree->nodes[id];
	cJSON *o = cJSON_CreateObject(), *kids;

	cJSON_AddStringToObject(o, "name", nd->spec.name);
	cJSON_AddStringToObject(o, "state", id == 0 && !r->tree->done ? "up" :
	    osl_sv_state_name(nd->state));
	cJSON_AddNumberToObject(o, "restarts", nd->restarts);
	if (nd->state != OSL_SV_DOWN && nd->started_at && nd->started_at <= now_mono) {
		uint64_t at = now_real - (now_mono - nd->started_at);
		char t[40];

		cJSON_AddStringToObject(o, "started_at", osl_time_rfc3339((int64_t)(at / 1000000000ULL),
		    (long)(at % 1000000000ULL), t, sizeof(t)));
	} else
		cJSON_AddNullToObject(o, "started_at");
	if (!nd->spec.supervisor) {
		if (r->exec[id].pid > 0)
			cJSON_AddNumberToObject(o, "pid", r->exec[id].pid);
		else
			cJSON_AddNullToObject(o, "pid");
		cJSON_AddStringToObject(o, "restart", osl_sv_restart_name(nd->spec.restart));
		cJSON_AddBoolToObject(o, "ready", r->exec[id].pid > 0 && nd->state == OSL_SV_UP &&
		    nd->started);
		cJSON_AddNumberToObject(o, "uptime_seconds", r->exec[id].pid > 0 &&
		    nd->started_at <= now_mono ? (double)((now_mono - nd->started_at) / 1000000000ULL) : 0);
		breaker_json(o, nd, now_mono);
		if (r->child) {
			child_json(o, &r->child[id]);
			listen_json(o, r, &r->child[id]);
		}
		containment(o, r, &r->exec[id]);
		return o;
	}
	cJSON_AddStringToObject(o, "strategy", osl_sv_strategy_name(nd->spec.strategy));
	count_json(o, r->tree, nd);
	kids = cJSON_AddArrayToObject(o, "children");
	for (size_t i = 0; i < nd->nkids; i++)
		cJSON_AddItemToArray(kids, node_json(r, nd->kids[i], now_mono, now_real));
	return o;
}

/* The path of node id from the root's children down ("workers/w-2"). */
static void
node_path(const struct osl_sv_tree *t, size_t id, char *buf, size_t size)
{
	char tmp[512];

	buf[0] = '\0';
	for (; id != 0 && id != OSL_SV_NONE; id = t->nodes[id].parent) {
		snprintf(tmp, sizeof(tmp), "%s%s%s", t->nodes[id].spec.name, buf[0] ? "/" : "", buf);
		snprintf(buf, size, "%s", tmp);
	}
}

/* "'w-2': no such child", with the full path of the one child whose
 * path ends with that name, or the few that do. */
static char *
no_child(const struct osl_sv_tree *t, const char *name)
{
	char msg[1024], p[512];
	size_t len, nl = strlen(name), hits = 0;

	len = (size_t)snprintf(msg, sizeof(msg), "'%.200s': no such child", name);
	for (size_t i = 1; i < t->n && len < sizeof(msg); i++) {
		size_t pl;

		if (t->nodes[i].removed)
			continue;
		node_path(t, i, p, sizeof(p));
		pl = strlen(p);
		if (pl <= nl || p[pl - nl - 1] != '/' || strcmp(p + pl - nl, name))
			continue;
		len += (size_t)snprintf(msg + len, sizeof(msg) - len, "%s'%s'",
		    hits++ ? " or " : "; did you mean ", p);
	}
	if (hits && len < sizeof(msg))
		snprintf(msg + len, sizeof(msg) - len, "?");
	else if (!hits && len < sizeof(msg))
		snprintf(msg + len, sizeof(msg) - len, " (see 'osl supervise ctl status'; "
		    "a nested child is named by its path, e.g. 'group/child')");
	return osl_sv_ctl_error(msg);
}

/* {"ok": true}, and what an answer adds to it. */
static cJSON *
ok_obj(void)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddBoolToObject(o, "ok", 1);
	return o;
}

/* {"ok": true, "roll": {...}}: a rolling restart under way (roll.h). */
static cJSON *
roll_obj(const struct osl_sv_roll *ro)
{
	cJSON *o = ok_obj(), *j = cJSON_AddObjectToObject(o, "roll");

	cJSON_AddStringToObject(j, "set", ro->set);
	cJSON_AddNumberToObject(j, "replicas", (double)ro->n);
	cJSON_AddNumberToObject(j, "max_unavailable", ro->max_unavailable);
	cJSON_AddNumberToObject(j, "replaced", (double)ro->replaced);
	return o;
}

static cJSON *
status(struct osl_sv_runner *r, uint64_t now_mono, uint64_t now_real)
{
	cJSON *o = r->roll.active ? roll_obj(&r->roll) : ok_obj();

	cJSON_AddItemToObject(o, "tree", node_json(r, 0, now_mono, now_real));
	cJSON_AddStringToObject(o, "containment", r->cg.fd >= 0 ? "cgroup" : "process-group");
	if (r->cg.fd >= 0)
		cJSON_AddStringToObject(o, "cgroup", r->cg.path);
	if (r->cg.why[0])
		cJSON_AddStringToObject(o, "containment_note", r->cg.why);
	return o;
}

static cJSON *
metrics_obj(struct osl_sv_runner *r, uint64_t now_mono)
{
	cJSON *o = ok_obj();
	char *m = osl_sv_metrics_text(r, now_mono);

	cJSON_AddStringToObject(o, "metrics", m ? m : "");
	free(m);
	return o;
}

/* {"cmd":"signal","name":...,"signal":...} of child ID. */
static char *
signal_answer(struct osl_sv_runner *r, const cJSON *req, size_t id, struct osl_sv_ctl_out *out)
{
	const cJSON *s = cJSON_GetObjectItemCaseSensitive(req, "signal");
	int sig = cJSON_IsString(s) ? osl_parse_signal(s->valuestring) : 0;

	if (!cJSON_IsString(s))
		return osl_sv_ctl_error("'signal' is needed (e.g. \"HUP\")");
	if (!sig) {
		char msg[256];

		snprintf(msg, sizeof(msg), "'%.64s': unknown signal (" OSL_SIGNAL_WORDS ")",
		    s->valuestring);
		return osl_sv_ctl_error(msg);
	}
	if (r->tree->nodes[id].spec.supervisor)
		return osl_sv_ctl_error("a child process is needed, not a supervisor");
	out->sig_id = id;
	out->sig = sig;
	return osl_sv_ctl_line(ok_obj());
}

char *
osl_sv_ctl_answer(struct osl_sv_runner *r, const char *line, size_t len, uint64_t now_mono,
    uint64_t now_real, struct osl_sv_ctl_out *out)
{
	static const struct { const char *name; enum osl_sv_cmd cmd; } cmds[] = {
		{ "start", OSL_SV_CMD_START }, { "stop", OSL_SV_CMD_STOP },
		{ "restart", OSL_SV_CMD_RESTART }, { "delete", OSL_SV_CMD_DELETE },
	};
	const cJSON *c, *n;
	cJSON *req;
	const char *cmd, *name;
	char *ans = NULL;
	size_t id;

	out->sig_id = OSL_SV_NONE;
	out->sig = 0;
	out->reload = false;
	out->start_new[0] = '\0';
	if (!(req = cJSON_ParseWithLength(line, len)) || !cJSON_IsObject(req)) {
		cJSON_Delete(req);
		return osl_sv_ctl_error("malformed request: a JSON object is needed");
	}
	c = cJSON_GetObjectItemCaseSensitive(req, "cmd");
	n = cJSON_GetObjectItemCaseSensitive(req, "name");
	if (!cJSON_IsString(c)) {
		ans = osl_sv_ctl_error("malformed request: 'cmd' is needed");
		goto done;
	}
	cmd = c->valuestring;
	name = cJSON_IsString(n) ? n->valuestring : "";
	if (!strcmp(cmd, "status") || !strcmp(cmd, "metrics")) {
		ans = osl_sv_ctl_line(cmd[0] == 's' ? status(r, now_mono, now_real) :
		    metrics_obj(r, now_mono));
		goto done;
	}
	if (!strcmp(cmd, "shutdown")) {
		osl_sv_command(r->tree, OSL_SV_CMD_SHUTDOWN, 0, now_mono);
		ans = osl_sv_ctl_line(ok_obj());
		goto done;
	}
	if (!strcmp(cmd, "reload")) {
		out->reload = r->reload != NULL;
		ans = osl_sv_ctl_error("reload needs a tree read from a file (-c FILE)");
		goto done;
	}
	if (strcmp(cmd, "signal") && strcmp(cmd, "start") && strcmp(cmd, "stop") &&
	    strcmp(cmd, "restart") && strcmp(cmd, "delete")) {
		ans = osl_sv_ctl_error("unknown command");
		goto done;
	}
	if (*name && !strcmp(cmd, "restart") && osl_sv_find(r->tree, name) == OSL_SV_NONE) {
		/* a replica set's name: a rolling restart (roll.h) */
		const char *why;

		/* neither a child nor a set: named, with the path it may have */
		ans = osl_sv_roll_begin(&r->roll, r->tree, name, now_mono, &why) ?
		    osl_sv_ctl_line(roll_obj(&r->roll)) : !strcmp(why, "no such child") ?
		    no_child(r->tree, name) : osl_sv_ctl_error(why);
		goto done;
	}
	if (!*name || (id = osl_sv_find(r->tree, name)) == OSL_SV_NONE || id == 0) {
		/* OTP's start_child: a child only the file has (reload.c) */
		if (*name && id != 0 && !strcmp(cmd, "start") && r->reload)
			snprintf(out->start_new, sizeof(out->start_new), "%s", name);
		ans = *name ? no_child(r->tree, name) : osl_sv_ctl_error("a child's 'name' is needed");
		goto done;
	}
	if (!strcmp(cmd, "signal")) {
		ans = signal_answer(r, req, id, out);
		goto done;
	}
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		if (strcmp(cmd, cmds[i].name))
			continue;
		if (!osl_sv_command(r->tree, cmds[i].cmd, id, now_mono)) {
			ans = osl_sv_ctl_error("not possible in the child's state");
			goto done;
		}
		ans = osl_sv_ctl_line(ok_obj());
		goto done;
	}
	ans = osl_sv_ctl_error("unknown command");
done:
	cJSON_Delete(req);
	return ans;
}

const char *
osl_sv_ctl_default_path(char *buf, size_t size)
{
	const char *x = getenv("XDG_RUNTIME_DIR");

	if (x && *x)
		snprintf(buf, size, "%s/osl/supervise.sock", x);
	else if (geteuid() == 0)
		snprintf(buf, size, "/run/osl/supervise.sock");
	else
		snprintf(buf, size, "/tmp/osl-%u/supervise.sock", (unsigned)geteuid());
	return buf;
}
