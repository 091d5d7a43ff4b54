/* bench-log: records per second through the real API, to a file in a temp
 * folder ($TMPDIR, else /tmp), chain on, sync batch, a checkpoint every 1000:
 * a record built as cJSON, the record osl_op_end writes for an fs.write
 * (from fields), and the same fields in batches of 1000 under one lock
 * (osl_log_hold: what the supervisor does with a child's output); per
 * second and per CPU second (what a loaded machine does not blur), the
 * median of ROUNDS rounds, and the load average.
 * Usage: bench-log [N [batch|none [cjson|fields|batches [ROUNDS]]]]
 * (default 200000, sync batch, all three, 3 rounds; "none": sync none, to
 * see what fdatasync costs) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log/log.h"

enum how { CJSON, FIELDS, BATCH };

static double
now(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const struct osl_error *
one(struct osl_log *log, enum how how, long i)
{
	static const char *const cat[] = { "file" }, *const typ[] = { "change", "allowed" };
	const char *msg = "fs.write /srv/build/out/a.o allowed by build-dir";
	cJSON *rec, *ev, *file;

	if (how != CJSON) {
		struct osl_log_field f[] = {
			OSL_LOG_STRS("event.category", cat, 1),
			OSL_LOG_STRS("event.type", typ, 2),
			OSL_LOG_STR("event.action", "fs.write"),
			OSL_LOG_STR("event.outcome", "success"),
			OSL_LOG_U64("event.duration", 183000),
			OSL_LOG_STR("file.path", "/srv/build/out/a.o"),
			OSL_LOG_U64("file.inode", 256383 + (uint64_t)i),
			OSL_LOG_STR("file.mode", "0640"),
			OSL_LOG_STR("rule.id", "build-dir"),
			OSL_LOG_STR("osl.decision", "allow"),
			OSL_LOG_STR("message", msg),
		};

		return osl_log_emit_fields(log, OSL_LEVEL_INFO, f, sizeof(f) / sizeof(f[0]));
	}
	/* a typical fs.write as a tree (as osl_op_end built it before it built fields) */
	rec = cJSON_CreateObject();
	ev = osl_log_obj(rec, "event");
	cJSON_AddItemToObject(ev, "category", cJSON_CreateStringArray(cat, 1));
	cJSON_AddItemToObject(ev, "type", cJSON_CreateStringArray(typ, 2));
	cJSON_AddStringToObject(ev, "action", "fs.write");
	cJSON_AddStringToObject(ev, "outcome", "success");
	osl_log_add_u64(ev, "duration", 183000);
	file = osl_log_obj(rec, "file");
	osl_log_add_text(file, "path", "/srv/build/out/a.o");
	osl_log_add_u64(file, "inode", 256383 + (uint64_t)i);
	cJSON_AddStringToObject(file, "mode", "0640");
	cJSON_AddStringToObject(osl_log_obj(rec, "rule"), "id", "build-dir");
	cJSON_AddStringToObject(osl_log_obj(rec, "osl"), "decision", "allow");
	cJSON_AddStringToObject(rec, "message", msg);
	return osl_log_emit(log, OSL_LEVEL_INFO, rec);
}

/* N records written HOW: RATE per second and CRATE per CPU second. */
static int
run(long n, enum osl_log_sync sync, enum how how, char **argv, int argc, double *rate,
    double *crate)
{
	char dir[256], sink[300], path[280];
	const char *tmp = getenv("TMPDIR");
	struct osl_log_config cfg = { 0 };
	struct osl_log_identity id = { 0 };
	const struct osl_error *err = NULL;
	struct osl_log *log;
	double t0, c0, t, c;
	long i;

	snprintf(dir, sizeof(dir), "%s/bench-log.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir))
		return 2;
	snprintf(path, sizeof(path), "%s/activity.jsonl", dir);
	snprintf(sink, sizeof(sink), "file:%s", path);
	cfg.sink = sink;
	cfg.level = OSL_LEVEL_INFO;
	cfg.sync = sync;
	cfg.chain = true;
	cfg.on_failure = OSL_ONFAIL_DENY;
	cfg.rotate_keep = 10;
	cfg.checkpoint_every = 1000;
	id.pid = getpid();
	id.ppid = getppid();
	id.uid = getuid();
	id.executable = "/usr/local/bin/osl";
	id.argc = argc;
	id.argv = argv;
	id.hostname = "bench";
	if ((err = osl_log_open(&log, &cfg, &id)) != NULL) {
		fprintf(stderr, "bench-log: %s\n", err->msg);
		return 1;
	}
	t0 = now(CLOCK_MONOTONIC);
	c0 = now(CLOCK_PROCESS_CPUTIME_ID);
	for (i = 0; i < n && !err; i++) {
		if (how == BATCH && i % 1000 == 0)
			osl_log_hold(log);
		err = one(log, how, i);
		if (how == BATCH && (i % 1000 == 999 || i == n - 1) && !err)
			err = osl_log_release(log);
	}
	osl_log_close(log);
	t = now(CLOCK_MONOTONIC) - t0;
	/* every thread's: the sync thread's too */
	c = now(CLOCK_PROCESS_CPUTIME_ID) - c0;
	unlink(path);
	rmdir(dir);
	if (err) {
		fprintf(stderr, "bench-log: %s\n", err->msg);
		return 1;
	}
	*rate = (double)n / t;
	*crate = (double)n / c;
	return 0;
}

static int
cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double
median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int
main(int argc, char **argv)
{
	static const char *const name[] = { "cJSON record", "fields", "fields, batches of 1000" };
	static const char *const modes[] = { "cjson", "fields", "batches" };
	long n = argc > 1 ? atol(argv[1]) : 200000;
	enum osl_log_sync sync = argc > 2 && strcmp(argv[2], "none") == 0 ? OSL_SYNC_NONE :
	    OSL_SYNC_BATCH;
	int rounds = argc > 4 ? atoi(argv[4]) : 3, r = 0, i;
	double rate[32], crate[32], load[3] = { 0 };
	FILE *f;

	if (n <= 0 || rounds <= 0 || rounds > 32)
		return 2;
	for (int how = CJSON; how <= BATCH && !r; how++) {
		if (argc > 3 && strcmp(argv[3], modes[how]) != 0)
			continue;
		for (i = 0; i < rounds && !r; i++)
			r = run(n, sync, (enum how)how, argv, argc, &rate[i], &crate[i]);
		if (!r)
			printf("log.write: %.0f records/s, %.0f per CPU s (%s; chain on, sync %s; "
			    "median of %d)\n", median(rate, rounds), median(crate, rounds), name[how],
			    sync == OSL_SYNC_NONE ? "none" : "batch", rounds);
	}
	if ((f = fopen("/proc/loadavg", "r")) != NULL) {
		if (fscanf(f, "%lf %lf %lf", &load[0], &load[1], &load[2]) != 3)
			load[0] = -1;
		fclose(f);
	}
	if (!r)
		printf("  (goal: >= 500000 records/s in batches, the supervisor's path; "
		    "load average %.2f %.2f %.2f)\n", load[0], load[1], load[2]);
	return r;
}
