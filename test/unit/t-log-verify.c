/* Verification catches edits, deletions, reorders, insertions, truncation in
 * the middle and swapped files; a torn tail is named as such.  Also the
 * filters and the reader of `osl log show`. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log/log-int.h"
#include "tap.h"

#define N 10

static char *argv0[] = { "osl", NULL };
static const struct osl_log_identity ident = {
	.pid = 7, .ppid = 1, .uid = 0, .executable = "/usr/bin/osl", .argc = 1, .argv = argv0,
	.hostname = "h",
};
static char *lines[2 * N];	/* two files of N records, one chain */
static uint8_t hashes[2 * N][32];

static void
make_lines(void)
{
	static const char *const actions[] = { "fs.read", "fs.write", "net.connect", "proc.exec" };
	struct osl_log_frag fr;
	struct strbuf sb = STRBUF_INIT;
	uint8_t prev[32] = { 0 }, hash[32];
	struct osl_log_build_args a = { OSL_LEVEL_INFO, 0, 0, prev, OSL_LOG_FILE_MAX };
	cJSON *rec;
	int i;

	osl_log_frag_init(&fr, &ident);
	for (i = 0; i < 2 * N; i++) {
		rec = cJSON_CreateObject();
		cJSON_AddStringToObject(osl_log_obj(rec, "event"), "action", actions[i % 4]);
		cJSON_AddStringToObject(osl_log_obj(rec, "event"), "outcome",
		    i % 3 ? "success" : "failure");
		cJSON_AddStringToObject(rec, "message", "hello");
		a.seq = (uint64_t)i + 1;
		a.now_ns = 1700000000000000000ull + (uint64_t)i * 60000000000ull;
		a.level = i % 2 ? OSL_LEVEL_INFO : OSL_LEVEL_WARN;
		osl_log_build(&sb, rec, &fr, &a, hash);
		memcpy(prev, hash, 32);
		memcpy(hashes[i], hash, 32);
		sb.buf[--sb.len] = '\0';	/* lines are fed without '\n' */
		lines[i] = strdup(sb.buf);
		cJSON_Delete(rec);
	}
	sb_release(&sb);
	osl_log_frag_release(&fr);
}

/* Feed LS (n lines); the last one unterminated if TORN.  Returns bad_line. */
static unsigned long
run(char **ls, int n, bool torn, char *why, size_t whysize)
{
	struct osl_verify *v = osl_verify_new();
	unsigned long bad;
	int i;

	for (i = 0; i < n; i++)
		if (!osl_verify_line(v, ls[i], strlen(ls[i]), !(torn && i == n - 1)))
			break;
	bad = osl_verify_report(v)->bad_line;
	if (why)
		snprintf(why, whysize, "%s", osl_verify_report(v)->why);
	osl_verify_free(v);
	return bad;
}

static void
test_tamper(void)
{
	char *ls[2 * N + 2], why[256], *edited;
	int i;

	for (i = 0; i < N; i++)
		ls[i] = lines[i];
	is_int(run(ls, N, false, why, sizeof(why)), 0, "intact file verifies");

	edited = strdup(lines[4]);
	*strstr(edited, "hello") = 'j';
	ls[4] = edited;
	is_int(run(ls, N, false, why, sizeof(why)), 5, "an edit is caught on its line");
	ok(!strncmp(why, "chain.hash does not match", 25), "why: %s", why);
	ls[4] = lines[4];
	free(edited);

	for (i = 4; i < N - 1; i++)
		ls[i] = lines[i + 1];
	is_int(run(ls, N - 1, false, why, sizeof(why)), 5, "a deletion is caught");
	ok(!strncmp(why, "chain.prev does not match the hash of line 4", 44),
	    "why: %s", why);

	for (i = 0; i < N; i++)
		ls[i] = lines[i];
	ls[3] = lines[4];
	ls[4] = lines[3];
	is_int(run(ls, N, false, NULL, 0), 4, "a reorder is caught");

	for (i = 0; i < 3; i++)
		ls[i] = lines[i];
	ls[3] = lines[1];
	for (i = 3; i < N; i++)
		ls[i + 1] = lines[i];
	is_int(run(ls, N + 1, false, NULL, 0), 4, "an insertion is caught");

	for (i = 0; i < 3; i++)
		ls[i] = lines[i];
	for (i = 3; i < N - 4; i++)
		ls[i] = lines[i + 4];
	is_int(run(ls, N - 4, false, NULL, 0), 4, "truncation in the middle is caught");

	for (i = 0; i < N; i++)
		ls[i] = lines[i];
	edited = strndup(lines[N - 1], 50);
	ls[N - 1] = edited;
	{
		struct osl_verify *v = osl_verify_new();

		for (i = 0; i < N; i++)
			osl_verify_line(v, ls[i], strlen(ls[i]), i != N - 1);
		ok(osl_verify_report(v)->torn_tail && osl_verify_report(v)->bad_line == N,
		    "a torn last line is a torn tail: %s", osl_verify_report(v)->why);
		is_int(osl_verify_report(v)->records, N - 1, "the records before it count");
		osl_verify_free(v);
	}
	ls[4] = edited;
	ls[N - 1] = lines[N - 1];
	is_int(run(ls, N, false, why, sizeof(why)), 5, "a torn line that the chain does not "
	    "step over is bad");
	free(edited);

	/* a damaged line the writer stepped over: the next record chains past it */
	for (i = 0; i < N; i++)
		ls[i] = lines[i];
	ls[N] = lines[N - 1];
	ls[N - 1] = "{\"@timestamp\":\"2026-";
	{
		struct osl_verify *v = osl_verify_new();

		for (i = 0; i <= N; i++)
			osl_verify_line(v, ls[i], strlen(ls[i]), true);
		ok(osl_verify_report(v)->bad_line == 0 && osl_verify_report(v)->torn_lines == 1,
		    "a torn record stepped over is counted, not bad");
		osl_verify_free(v);
	}
	ls[0] = "not json";
	ls[1] = "also not";
	is_int(run(ls, 3, false, NULL, 0), 1, "two junk lines: the first is bad");
	ls[0] = "{\"a\":1}";
	is_int(run(ls, 1, false, why, sizeof(why)), 1, "a line without chain is bad");
	ok(strstr(why, "no chain") != NULL, "why: %s", why);
}

static void
test_files(void)
{
	struct osl_verify *v = osl_verify_new();
	int i;

	for (i = 0; i < N; i++)
		osl_verify_line(v, lines[i], strlen(lines[i]), true);
	osl_verify_next_file(v);
	for (i = N; i < 2 * N; i++)
		osl_verify_line(v, lines[i], strlen(lines[i]), true);
	ok(osl_verify_report(v)->bad_line == 0 && osl_verify_report(v)->records == 2 * N,
	    "two files in order verify");
	osl_verify_free(v);

	v = osl_verify_new();
	for (i = N; i < 2 * N; i++)
		osl_verify_line(v, lines[i], strlen(lines[i]), true);
	osl_verify_next_file(v);
	for (i = 0; i < N; i++)
		osl_verify_line(v, lines[i], strlen(lines[i]), true);
	ok(osl_verify_report(v)->bad_line == 1 && osl_verify_report(v)->file_index == 2,
	    "swapped files: %s", osl_verify_report(v)->why);
	osl_verify_free(v);

	v = osl_verify_new();
	for (i = N; i < 2 * N; i++)
		osl_verify_line(v, lines[i], strlen(lines[i]), true);
	ok(osl_verify_report(v)->bad_line == 0, "a later file alone verifies (its start is "
	    "vouched for by the file before it)");
	osl_verify_free(v);
}

static int
count(cJSON *rec, const char *line, size_t len, void *arg)
{
	const struct osl_log_filter *f = ((void **)arg)[0];
	int *n = ((void **)arg)[1];

	(void)line;
	(void)len;
	if (osl_log_filter_match(f, rec))
		(*n)++;
	return 0;
}

static int
matches(const char *action, const char *outcome, const char *since, const char *level,
    uint64_t now, const char *path)
{
	struct osl_log_filter f;
	int n = 0;
	void *arg[2] = { &f, &n };

	if (osl_log_filter_init(&f, action, outcome, since, level, now) != NULL)
		return -1;
	if (osl_log_read(path, count, arg) != NULL)
		return -2;
	return n;
}

static void
test_filters(void)
{
	char path[] = "/tmp/t-log-verify.XXXXXX";
	uint64_t now = 1700000000000000000ull + 20 * 60000000000ull;
	struct osl_log_filter f;
	int fd, i;

	fd = mkstemp(path);
	for (i = 0; i < 2 * N; i++) {
		if (write(fd, lines[i], strlen(lines[i])) < 0 || write(fd, "\n", 1) != 1)
			break;
	}
	if (write(fd, "junk\n{\"torn", 11) != 11)
		printf("# short write\n");
	close(fd);
	is_int(matches(NULL, NULL, NULL, NULL, now, path), 2 * N, "all records read, junk skipped");
	is_int(matches("fs.read", NULL, NULL, NULL, now, path), 5, "--action exact");
	is_int(matches("fs.*", NULL, NULL, NULL, now, path), 10, "--action fs.*");
	is_int(matches("f.*", NULL, NULL, NULL, now, path), 0, "a prefix is a whole segment");
	is_int(matches(NULL, "failure", NULL, NULL, now, path), 7, "--outcome failure");
	is_int(matches(NULL, NULL, "5m", NULL, now, path), 5, "--since 5m");
	is_int(matches(NULL, NULL, "2023-11-14T22:23:20Z", NULL, now, path), 20 - 10,
	    "--since an RFC 3339 time");
	is_int(matches(NULL, NULL, NULL, "warn", now, path), 10, "--level warn");
	is_int(matches("net.connect", "success", NULL, "info", now, path), 3, "filters combine");
	ok(osl_log_filter_init(&f, NULL, "maybe", NULL, NULL, now) != NULL &&
	    osl_log_filter_init(&f, NULL, NULL, "last tuesday", NULL, now) != NULL &&
	    osl_log_filter_init(&f, NULL, NULL, NULL, "loud", now) != NULL,
	    "bad filter values refused");
	ok(osl_log_read("/nonexistent/x", count, NULL)->status == OSL_EINPUT,
	    "unreadable file is OSL_EINPUT");
	unlink(path);
}

/* A checkpoint file (its own chain) with copies of records SEQS (0 ends)
 * of the log FILE; BAD: the first copy's hash is wrong. */
static void
write_pins(const char *path, const char *file, const int *seqs, bool bad)
{
	struct osl_log_frag fr;
	struct strbuf sb = STRBUF_INIT;
	uint8_t prev[32] = { 0 }, hash[32];
	struct osl_log_build_args a = { OSL_LEVEL_NOTICE, 0, 0, prev, OSL_LOG_FILE_MAX };
	char hex[65];
	cJSON *rec, *cp;
	FILE *f = fopen(path, "w");

	osl_log_frag_init(&fr, &ident);
	for (int i = 0; seqs[i]; i++) {
		rec = cJSON_CreateObject();
		cJSON_AddStringToObject(osl_log_obj(rec, "event"), "action", "log.checkpoint");
		cp = osl_log_obj(osl_log_obj(rec, "osl"), "checkpoint");
		cJSON_AddNumberToObject(cp, "sequence", seqs[i]);
		osl_hex(hex, hashes[seqs[i] - 1], 32);
		hex[64] = '\0';
		if (bad && i == 0)
			hex[0] = hex[0] == '0' ? '1' : '0';
		cJSON_AddStringToObject(cp, "hash", hex);
		cJSON_AddStringToObject(cp, "file", file);
		a.seq = (uint64_t)i + 1;
		osl_log_build(&sb, rec, &fr, &a, hash);
		memcpy(prev, hash, 32);
		fputs(sb.buf, f);
		sb.len = 0;
		cJSON_Delete(rec);
	}
	fclose(f);
	sb_release(&sb);
	osl_log_frag_release(&fr);
}

/* Lines FROM..TO (1-based records) against the pins in PATH for LOG. */
static const struct osl_verify_report *
pinned(struct osl_verify *v, const char *path, const char *log, int from, int to)
{
	if (osl_verify_pins_file(v, path, log) != NULL)
		return NULL;
	for (int i = from; i <= to; i++)
		if (!osl_verify_line(v, lines[i - 1], strlen(lines[i - 1]), true))
			break;
	osl_verify_finish(v);
	return osl_verify_report(v);
}

static void
test_pins(void)
{
	static const int all[] = { 3, 6, 9, 12, 0 }, early[] = { 2, 4, 0 };
	char path[] = "/tmp/t-log-pins.XXXXXX";
	const struct osl_verify_report *r;
	struct osl_verify *v;

	close(mkstemp(path));
	write_pins(path, "/var/log/a.jsonl", all, false);
	v = osl_verify_new();
	r = pinned(v, path, "/var/log/a.jsonl", 1, 12);
	ok(r && r->bad_line == 0 && r->pins == 4 && r->pins_matched == 4,
	    "every pin matched: intact");
	osl_verify_free(v);
	v = osl_verify_new();
	r = pinned(v, path, "/var/log/a.jsonl", 1, 8);
	ok(r && r->bad_line == 9 && r->pins_matched == 2 &&
	    strstr(r->why, "truncated") && strstr(r->why, "record 12, the log ends at record 8"),
	    "a log cut short of its newest pin is truncated");
	osl_verify_free(v);
	v = osl_verify_new();
	r = pinned(v, path, "/var/log/a.jsonl", 5, 12);
	ok(r && r->bad_line == 0 && r->pins_matched == 3,
	    "pins of older files (rotated away) are not counted");
	osl_verify_free(v);
	v = osl_verify_new();
	r = pinned(v, path, "/var/log/other.jsonl", 1, 2);
	ok(r && r->bad_line == 0 && r->pins == 0, "copies of another log are not pins");
	osl_verify_free(v);
	write_pins(path, "/var/log/a.jsonl", early, true);
	v = osl_verify_new();
	r = pinned(v, path, "/var/log/a.jsonl", 1, 12);
	ok(r && r->bad_line == 2 && strstr(r->why, "does not match its checkpoint"),
	    "a record that differs from its pin is named");
	osl_verify_free(v);
	if (truncate(path, 10) == 0) {
		v = osl_verify_new();
		ok(osl_verify_pins_file(v, path, "/var/log/a.jsonl") == NULL,
		    "a torn last copy is a crash, not tampering");
		osl_verify_free(v);
	}
	{
		FILE *f = fopen(path, "w");

		v = osl_verify_new();
		fputs("{\"not\":\"chained\"}\n", f);
		fclose(f);
		ok(osl_verify_pins_file(v, path, "/var/log/a.jsonl")->status == OSL_EFAIL,
		    "a checkpoint file that is not intact is refused");
		osl_verify_free(v);
	}
	unlink(path);
}

int
main(void)
{
	int i;

	make_lines();
	test_tamper();
	test_files();
	test_filters();
	test_pins();
	for (i = 0; i < 2 * N; i++)
		free(lines[i]);
	return done_testing();
}
