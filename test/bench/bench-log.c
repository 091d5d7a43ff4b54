/* bench-log: records per second through the real API, to a file in a temp
 * folder ($TMPDIR, else /tmp), chain on, sync batch, a checkpoint every 1000.
 * Usage: bench-log [N [none]]  (default 200000; "none": sync none, to see
 * what fdatasync costs) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log/log.h"

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 200000, i;
	char dir[256], sink[300], path[280];
	const char *tmp = getenv("TMPDIR");
	struct osl_log_config cfg = { 0 };
	struct osl_log_identity id = { 0 };
	const struct osl_error *err;
	struct osl_log *log;
	cJSON *rec, *ev, *file;
	double t0, t;

	snprintf(dir, sizeof(dir), "%s/bench-log.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (n <= 0 || !mkdtemp(dir))
		return 2;
	snprintf(path, sizeof(path), "%s/activity.jsonl", dir);
	snprintf(sink, sizeof(sink), "file:%s", path);
	cfg.sink = sink;
	cfg.level = OSL_LEVEL_INFO;
	cfg.sync = argc > 2 && strcmp(argv[2], "none") == 0 ? OSL_SYNC_NONE : OSL_SYNC_BATCH;
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
	t0 = now();
	for (i = 0; i < n; i++) {
		/* what osl_op_end builds for a typical fs.write */
		rec = cJSON_CreateObject();
		ev = osl_log_obj(rec, "event");
		cJSON_AddItemToObject(ev, "category", cJSON_CreateStringArray(
		    (const char *[]){ "file" }, 1));
		cJSON_AddItemToObject(ev, "type", cJSON_CreateStringArray(
		    (const char *[]){ "change", "allowed" }, 2));
		cJSON_AddStringToObject(ev, "action", "fs.write");
		cJSON_AddStringToObject(ev, "outcome", "success");
		osl_log_add_u64(ev, "duration", 183000);
		file = osl_log_obj(rec, "file");
		osl_log_add_text(file, "path", "/srv/build/out/a.o");
		osl_log_add_u64(file, "inode", 256383 + (uint64_t)i);
		cJSON_AddStringToObject(file, "mode", "0640");
		cJSON_AddStringToObject(osl_log_obj(rec, "rule"), "id", "build-dir");
		cJSON_AddStringToObject(osl_log_obj(rec, "osl"), "decision", "allow");
		cJSON_AddStringToObject(rec, "message", "fs.write /srv/build/out/a.o allowed by build-dir");
		if ((err = osl_log_emit(log, OSL_LEVEL_INFO, rec)) != NULL) {
			fprintf(stderr, "bench-log: %s\n", err->msg);
			return 1;
		}
	}
	osl_log_close(log);
	t = now() - t0;
	printf("log.write: %.0f records/s (chain on, sync %s)\n", (double)n / t,
	    cfg.sync == OSL_SYNC_NONE ? "none" : "batch");
	unlink(path);
	rmdir(dir);
	return 0;
}
