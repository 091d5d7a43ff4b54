/* The supervise config loader (FILE:LINE:COL for every mistake) and the
 * control protocol's answers, without processes or sockets. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "supervise/config.h"
#include "supervise/ctl.h"
#include "util/parse.h"
#include "tap.h"

extern char **environ;
static char dir[] = "/tmp/t-supervise-ctl.XXXXXX";
static const struct osl_policy_env penv = { .home = "/root", .tmpdir = "/tmp" };

static const char *
write_file(const char *name, const char *text)
{
	static char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (!(f = fopen(path, "w")))
		abort();
	fputs(text, f);
	fclose(f);
	return path;
}

/* Load TEXT; the error message with the directory cut off, or "ok". */
static const char *
load(const char *text)
{
	static char msg[1024];
	struct osl_sv_config c;
	const struct osl_error *err;
	const char *p = write_file("t.yaml", text);

	err = osl_sv_config_load(&c, p, environ, &penv, NULL);
	snprintf(msg, sizeof(msg), "%s", err ? err->msg + strlen(dir) + 1 : "ok");
	osl_sv_config_free(&c);
	return msg;
}

static void
config(void)
{
	is_str(load("version: 1\nsupervisor:\n  children:\n    - {name: a, cmd: [sh, -c, 'exit 0']}\n"),
	    "ok", "a minimal tree");
	is_str(load("version: 2\nsupervisor: {children: []}\n"), "t.yaml:1:10: version: 1 is needed",
	    "version");
	is_str(load("version: 1\n"), "t.yaml:1:1: 'supervisor' is needed", "no supervisor");
	is_str(load("version: 1\nsupervisor:\n  intensity: -1\n  children: []\n"),
	    "t.yaml:3:14: intensity: a number from 0 to 10000 is needed", "intensity");
	is_str(load("version: 1\nsupervisor:\n  period: soon\n  children: []\n"),
	    "t.yaml:3:11: period: 'soon': bad duration (e.g. 250ms, 10s, 5m)", "period");
	is_str(load("version: 1\nsupervisor:\n  children:\n    - {name: a, cmd: sh}\n"),
	    "t.yaml:4:22: cmd: a list is needed", "cmd must be a list");
	is_str(load("version: 1\nsupervisor:\n  children:\n    - {name: a, cmd: [sh], stop: {signal: NOPE}}\n"),
	    "t.yaml:4:43: stop.signal: 'NOPE': unknown signal (" OSL_SIGNAL_WORDS ")", "stop signal");
	is_str(load("version: 1\nsupervisor:\n  children:\n    - {name: a, cmd: [sh], stop: {signal: [TERM]}}\n"),
	    "t.yaml:4:43: stop.signal: a signal is needed (" OSL_SIGNAL_WORDS ")", "stop signal: a list");
	is_str(load("version: 1\nsupervisor:\n  children:\n    - {name: a, cmd: [sh], stop: {signal: sigint}}\n"),
	    "ok", "stop signal: any case, as proc kill's");
	is_str(load("version: 1\nsupervisor:\n  children:\n    - {name: a, cmd: [sh], restart: often}\n"),
	    "t.yaml:4:37: restart: one of permanent, transient, temporary is needed", "restart");
	is_str(load("version: 1\nsupervisor:\n  children:\n    - {name: a/b, cmd: [sh]}\n"),
	    "t.yaml:4:14: a child needs a 'name' (up to 55 characters, no '/')", "a name without '/'");
	is_str(load("version: 1\nsupervisor:\n  children:\n    - {name: a, cmd: [sh], backoff: {jitter: 2}}\n"),
	    "t.yaml:4:46: jitter: a number from 0 to 1 is needed", "jitter");
	is_str(load("version: 1\nsupervisor:\n  children:\n    - {name: w, cmd: [sh], replicas: 3}\n"
	    "    - {name: w-2, cmd: [sh]}\n"),
	    "t.yaml: 'w-2': two children of 'root' have this name", "replicas' names collide");
	is_str(load("version: 1\nsupervisor:\n  children:\n    - {name: a, cmd: [sh], nice: 5}\n"),
	    "t.yaml:4:28: 'nice': unknown or unsupported key", "unsupported keys are refused");
	is_str(load("version: 1\nsupervisor:\n  children:\n    - {name: a, cmd: [sh], health: {}}\n"),
	    "t.yaml:4:36: health: 'exec' is needed", "a health check needs a command");
	is_str(load("{{{"), "t.yaml:1:2: map keys must be strings, not a map", "YAML syntax");
}

static char *
ask(struct osl_sv_runner *r, const char *req, struct osl_sv_ctl_out *out)
{
	return osl_sv_ctl_answer(r, req, strlen(req), 5000000000ULL, 1700000000000000000ULL, out);
}

static void
protocol(void)
{
	struct osl_sv_config c;
	struct osl_sv_runner r = { 0 };
	struct osl_sv_ctl_out out;
	const char *p;
	cJSON *j;
	char *a;

	p = write_file("c.yaml", "version: 1\nsupervisor:\n  name: app\n  strategy: one_for_all\n"
	    "  children:\n    - {name: a, cmd: [sh]}\n    - name: sub\n      supervisor:\n"
	    "        children:\n          - {name: x, cmd: [sh], replicas: 2}\n");
	ok(!osl_sv_config_load(&c, p, environ, &penv, NULL), "load");
	r.tree = &c.tree;
	r.exec = c.exec;
	osl_sv_begin(&c.tree, 1000000000ULL);
	c.exec[1].pid = 4242;

	a = ask(&r, "{\"cmd\":\"status\"}", &out);
	j = cJSON_Parse(a);
	ok(cJSON_IsTrue(cJSON_GetObjectItem(j, "ok")), "status: ok");
	is_str(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "tree"), "strategy")->valuestring,
	    "one_for_all", "status: the root's strategy");
	is_int(cJSON_GetArraySize(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "tree"), "children")), 2,
	    "status: the root's children");
	is_int(cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "tree"),
	    "children"), 0), "pid")->valueint, 4242, "status: a child's pid");
	is_str(cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "tree"),
	    "children"), 0), "started_at")->valuestring, "2023-11-14T22:13:16.000000000Z",
	    "status: started_at in RFC 3339 (real clock 1700000000 s, started 4 s ago)");
	ok(a[strlen(a) - 1] == '\n', "answers end in a newline");
	{
		cJSON *cnt = cJSON_GetObjectItem(cJSON_GetObjectItem(j, "tree"), "count");

		/* OTP's count_children: a and sub, both running */
		is_int(cJSON_GetObjectItem(cnt, "specs")->valueint, 2, "count: specs");
		is_int(cJSON_GetObjectItem(cnt, "active")->valueint, 2, "count: active");
		is_int(cJSON_GetObjectItem(cnt, "supervisors")->valueint, 1, "count: supervisors");
		is_int(cJSON_GetObjectItem(cnt, "workers")->valueint, 1, "count: workers");
	}
	cJSON_Delete(j);
	free(a);

	a = ask(&r, "garbage", &out);
	is_str(a, "{\"ok\":false,\"error\":\"malformed request: a JSON object is needed\"}\n", "garbage");
	free(a);
	a = ask(&r, "[1]", &out);
	ok(strstr(a, "\"ok\":false") != NULL, "an array is not a request");
	free(a);
	a = ask(&r, "{\"cmd\":7}", &out);
	is_str(a, "{\"ok\":false,\"error\":\"malformed request: 'cmd' is needed\"}\n", "cmd must be a string");
	free(a);
	a = ask(&r, "{\"cmd\":\"explode\"}", &out);
	is_str(a, "{\"ok\":false,\"error\":\"unknown command\"}\n", "unknown command");
	free(a);
	a = ask(&r, "{\"cmd\":\"stop\",\"name\":\"nope\"}", &out);
	ok(strstr(a, "\"'nope': no such child (see") != NULL, "no such child, named");
	free(a);
	a = ask(&r, "{\"cmd\":\"stop\",\"name\":\"x-2\"}", &out);
	ok(strstr(a, "'x-2': no such child; did you mean 'sub/x-2'?") != NULL,
	    "no such child: the path of the one that ends so");
	free(a);
	a = ask(&r, "{\"cmd\":\"stop\",\"name\":\"sub/x-2\"}", &out);
	is_str(a, "{\"ok\":true}\n", "stop a nested replica by its path");
	is_int(c.tree.nact, 1, "one action");
	is_int(c.tree.act[0].kind, OSL_SV_ACT_STOP, "a stop");
	free(a);
	a = ask(&r, "{\"cmd\":\"signal\",\"name\":\"a\",\"signal\":\"HUP\"}", &out);
	is_str(a, "{\"ok\":true}\n", "signal");
	is_int(out.sig, 1, "signal: HUP for the runner");
	is_int(out.sig_id, 1, "signal: to child a");
	free(a);
	a = ask(&r, "{\"cmd\":\"signal\",\"name\":\"a\",\"signal\":\"usr1\"}", &out);
	is_int(out.sig, SIGUSR1, "signal: usr1, as proc kill takes it");
	free(a);
	a = ask(&r, "{\"cmd\":\"signal\",\"name\":\"a\",\"signal\":\"NOPE\"}", &out);
	ok(strstr(a, "'NOPE': unknown signal") != NULL, "signal: a bad name is named");
	is_int(out.sig_id, OSL_SV_NONE, "signal: nothing for the runner");
	free(a);
	a = ask(&r, "{\"cmd\":\"metrics\"}", &out);
	ok(strstr(a, "osl_supervise_up{name=\\\"a\\\"} 1") != NULL, "metrics: up");
	ok(strstr(a, "# TYPE osl_supervise_restarts_total counter") != NULL, "metrics: restarts");
	free(a);
	a = ask(&r, "{\"cmd\":\"shutdown\"}", &out);
	is_str(a, "{\"ok\":true}\n", "shutdown");
	free(a);
	osl_sv_config_free(&c);
}

/* osl(1) SIGNALS: the one parser of signal names and numbers */
static void
signals(void)
{
	static const struct { const char *s; int sig; } t[] = {
		{ "TERM", SIGTERM }, { "SIGTERM", SIGTERM }, { "term", SIGTERM },
		{ "sigTerm", SIGTERM }, { "15", SIGTERM }, { "1", SIGHUP }, { "64", 64 },
		{ "IO", SIGIO }, { "poll", SIGIO }, { "iot", SIGABRT }, { "CLD", SIGCHLD },
		{ "RTMIN", 0 }, { "SIGRTMIN+2", 0 }, { "rtmax-1", 0 },
		{ "0", -1 }, { "65", -1 }, { "", -1 }, { "SIG", -1 }, { "+15", -1 },
		{ " 15", -1 }, { "TERM ", -1 }, { "NOPE", -1 }, { "RTMIN+99", -1 },
		{ "RTMIN-1", -1 }, { "RTMAX+1", -1 },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		int want = t[i].sig == -1 ? 0 : t[i].sig;

		if (!strcmp(t[i].s, "RTMIN"))
			want = SIGRTMIN;
		else if (!strcmp(t[i].s, "SIGRTMIN+2"))
			want = SIGRTMIN + 2;
		else if (!strcmp(t[i].s, "rtmax-1"))
			want = SIGRTMAX - 1;
		is_int(osl_parse_signal(t[i].s), want, "signal '%s'", t[i].s);
	}
	is_int(osl_parse_signal(NULL), 0, "NULL");
}

int
main(void)
{
	if (!mkdtemp(dir))
		return 1;
	signals();
	config();
	protocol();
	unlink(write_file("t.yaml", ""));
	unlink(write_file("c.yaml", ""));
	rmdir(dir);
	return done_testing();
}
