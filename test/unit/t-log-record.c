/* Record building with a fixed time: field order, 64-bit strings, invalid
 * UTF-8 and control bytes, truncation. */
#include <stdlib.h>
#include <string.h>

#include "log/log-int.h"
#include "tap.h"

static char *argv0[] = { "osl", "fs", "write", "/srv/a", NULL };
static const struct osl_log_identity ident = {
	.pid = 4242, .ppid = 1, .uid = 1000, .executable = "/usr/bin/osl",
	.argc = 4, .argv = argv0, .hostname = "web1",
};

static char *
build(cJSON *rec, enum osl_level lv, uint64_t seq, bool chain, size_t max)
{
	struct osl_log_frag fr;
	struct strbuf sb = STRBUF_INIT;
	struct osl_log_build_args a = { lv, 0, seq, NULL, max };
	uint8_t prev[32] = { 0 }, hash[32];
	const struct osl_error *err;
	char *out = NULL;

	osl_log_parse_time("2026-11-21T22:19:19.123456789Z", &a.now_ns);
	a.prev = chain ? prev : NULL;
	if (osl_log_frag_init(&fr, &ident) != NULL)
		return NULL;
	err = osl_log_build(&sb, rec, &fr, &a, hash);
	if (err)
		printf("# build: %s\n", err->msg);
	else
		out = sb_detach(&sb);
	sb_release(&sb);
	osl_log_frag_release(&fr);
	cJSON_Delete(rec);
	return out;
}

static void
test_known_line(void)
{
	cJSON *rec = cJSON_CreateObject(), *ev = osl_log_obj(rec, "event");
	char *line;
	const char *want =
	    "{\"@timestamp\":\"2026-11-21T22:19:19.123456789Z\",\"log\":{\"level\":\"info\"},"
	    "\"event\":{\"kind\":\"event\",\"action\":\"fs.write\",\"outcome\":\"success\","
	    "\"sequence\":1042},\"ecs\":{\"version\":\"" OSL_ECS_VERSION "\"},"
	    "\"process\":{\"pid\":4242,\"parent\":{\"pid\":1},\"executable\":\"/usr/bin/osl\","
	    "\"args\":[\"osl\",\"fs\",\"write\",\"/srv/a\"]},"
	    "\"user\":{\"id\":\"1000\"},\"host\":{\"hostname\":\"web1\"},"
	    "\"file\":{\"path\":\"/srv/a\",\"inode\":\"18446744073709551615\"},"
	    "\"message\":\"fs.write /srv/a\","
	    "\"osl\":{\"decision\":\"allow\",\"severity_number\":9,"
	    "\"chain\":{\"prev\":\"0000000000000000000000000000000000000000000000000000000000000000\","
	    "\"hash\":\"";

	cJSON_AddStringToObject(ev, "action", "fs.write");
	cJSON_AddStringToObject(ev, "outcome", "success");
	osl_log_add_text(osl_log_obj(rec, "file"), "path", "/srv/a");
	osl_log_add_u64(osl_log_obj(rec, "file"), "inode", UINT64_MAX);
	cJSON_AddStringToObject(osl_log_obj(rec, "osl"), "decision", "allow");
	cJSON_AddStringToObject(rec, "message", "fs.write /srv/a");
	cJSON_AddStringToObject(rec, "chain", "forged");	/* the caller's is dropped */
	line = build(rec, OSL_LEVEL_INFO, 1042, true, OSL_LOG_FILE_MAX);
	ok(line && strncmp(line, want, strlen(want)) == 0, "record fields in order, byte for byte");
	if (line && strncmp(line, want, strlen(want)) != 0)
		printf("# got  %s\n# want %s\n", line, want);
	ok(line && strlen(line) == strlen(want) + 64 + 5 &&
	    strcmp(line + strlen(line) - 5, "\"}}}\n") == 0, "osl.chain last, one newline");
	free(line);
}

static void
test_levels_and_chain_off(void)
{
	static const int sev[] = { 5, 9, 10, 13, 17, 21 };
	char *line, want[64];
	int l;

	for (l = OSL_LEVEL_DEBUG; l <= OSL_LEVEL_CRITICAL; l++)
		is_int(osl_level_severity((enum osl_level)l), sev[l], "severity of %s",
		    osl_level_name((enum osl_level)l));
	line = build(cJSON_CreateObject(), OSL_LEVEL_WARN, 7, false, OSL_LOG_PIPE_MAX);
	snprintf(want, sizeof(want), "\"severity_number\":13}}\n");
	ok(line && strstr(line, "\"log\":{\"level\":\"warn\"}") &&
	    strlen(line) > strlen(want) && strcmp(line + strlen(line) - strlen(want), want) == 0,
	    "chain: false ends the record with osl, no chain field");
	ok(line && !strstr(line, "chain"), "no chain at all");
	free(line);
}

static void
test_bad_bytes(void)
{
	cJSON *rec = cJSON_CreateObject(), *parsed;
	char *line, *t;

	t = osl_log_text("a\xff" "b\xc0\xaf" "\xed\xa0\x80" "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", 17);
	is_str(t, "a\\xffb\\xc0\\xaf\\xed\\xa0\\x80\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80",
	    "invalid bytes become \\xNN, valid UTF-8 stays");
	free(t);
	t = osl_log_text("x\0y", 3);
	is_str(t, "x\\x00y", "a NUL byte is escaped");
	free(t);
	osl_log_add_text(osl_log_obj(rec, "file"), "path", "/tmp/\xff\n\x1b[31m");
	/* a caller that forgot osl_log_add_text is caught too */
	cJSON_AddStringToObject(rec, "message", "bad \xfe byte");
	cJSON_AddItemToObject(rec, "raw", cJSON_CreateRaw("]}{"));
	line = build(rec, OSL_LEVEL_INFO, 1, true, OSL_LOG_PIPE_MAX);
	ok(line && strstr(line, "\"path\":\"/tmp/\\\\xff\\n\\u001b[31m\""),
	    "invalid byte and control characters escaped");
	ok(line && strstr(line, "\"message\":\"bad \\\\xfe byte\""), "caller strings made valid");
	ok(line && strstr(line, "\"raw\":\"]}{\""), "a caller's raw value becomes a string");
	ok(line && osl_utf8_valid(line, strlen(line)), "the line is valid UTF-8");
	parsed = line ? cJSON_Parse(line) : NULL;
	ok(parsed != NULL, "the line parses");
	cJSON_Delete(parsed);
	free(line);
}

static void
test_truncation(void)
{
	cJSON *rec, *parsed;
	char *big = malloc(100001), *line;
	size_t n;

	memset(big, 'm', 100000);
	big[100000] = '\0';
	big[3] = '\n';
	rec = cJSON_CreateObject();
	cJSON_AddStringToObject(osl_log_obj(rec, "event"), "action", "proc.exec");
	cJSON_AddStringToObject(rec, "message", big);
	cJSON_AddStringToObject(osl_log_obj(rec, "file"), "path", big + 50000);
	line = build(rec, OSL_LEVEL_INFO, 1, true, OSL_LOG_PIPE_MAX);
	n = line ? strlen(line) : 0;
	ok(line && n <= 4096 && n > 1000, "pipe record cut to 4096 bytes (got %zu)", n);
	parsed = line ? cJSON_Parse(line) : NULL;
	ok(cJSON_IsTrue(cJSON_GetObjectItem(cJSON_GetObjectItem(parsed, "osl"), "truncated")),
	    "marked osl.truncated");
	ok(parsed && strcmp(cJSON_GetObjectItem(cJSON_GetObjectItem(parsed, "event"),
	    "action")->valuestring, "proc.exec") == 0, "short fields kept");
	cJSON_Delete(parsed);
	free(line);

	rec = cJSON_CreateObject();
	cJSON_AddStringToObject(rec, "message", big);
	line = build(rec, OSL_LEVEL_INFO, 1, true, OSL_LOG_FILE_MAX);
	n = line ? strlen(line) : 0;
	ok(line && n <= 65536 && n > 30000, "file record cut to 64 KiB (got %zu)", n);
	free(line);

	rec = cJSON_CreateObject();
	cJSON_AddStringToObject(rec, "message", "\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac");
	line = build(rec, OSL_LEVEL_INFO, 1, true, OSL_LOG_PIPE_MAX);
	ok(line && !strstr(line, "truncated"), "small record not marked");
	free(line);
	free(big);
}

static void
test_process_merge(void)
{
	cJSON *rec = cJSON_CreateObject(), *p = osl_log_obj(rec, "process");
	char *line;

	cJSON_AddNumberToObject(p, "working_directory", 3);
	cJSON_AddNumberToObject(osl_log_obj(p, "parent"), "pid", 99);	/* ours wins */
	line = build(rec, OSL_LEVEL_INFO, 5, true, OSL_LOG_FILE_MAX);
	ok(line && strstr(line, "\"process\":{\"pid\":4242,\"parent\":{\"pid\":1},"
	    "\"executable\":\"/usr/bin/osl\",\"args\":[\"osl\",\"fs\",\"write\",\"/srv/a\"],"
	    "\"working_directory\":3}"), "caller's process.* merged after ours");
	free(line);

	/* a record about the program osl ran: it is process.*, osl its parent */
	rec = cJSON_CreateObject();
	p = osl_log_obj(rec, "process");
	cJSON_AddNumberToObject(p, "pid", 99);
	cJSON_AddStringToObject(p, "executable", "/bin/true");
	cJSON_AddNumberToObject(osl_log_obj(p, "parent"), "pid", 7);	/* ours wins */
	cJSON_AddNumberToObject(p, "exit_code", 3);
	line = build(rec, OSL_LEVEL_INFO, 5, true, OSL_LOG_FILE_MAX);
	ok(line && strstr(line, "\"process\":{\"pid\":99,\"executable\":\"/bin/true\","
	    "\"exit_code\":3,\"parent\":{\"pid\":4242,\"executable\":\"/usr/bin/osl\","
	    "\"args\":[\"osl\",\"fs\",\"write\",\"/srv/a\"]}}"),
	    "the program run is process.*, osl process.parent.*");
	free(line);
}

static void
test_rebuild(void)
{
	struct osl_log_frag fr;
	struct strbuf sb = STRBUF_INIT;
	struct osl_log_build_args a = { OSL_LEVEL_INFO, 0, 9, NULL, OSL_LOG_FILE_MAX };
	uint8_t prev[32] = { 1 }, h1[32], h2[32];
	cJSON *rec = cJSON_CreateObject();
	char *first;

	a.prev = prev;
	cJSON_AddStringToObject(rec, "message", "again");
	osl_log_frag_init(&fr, &ident);
	ok(osl_log_build(&sb, rec, &fr, &a, h1) == NULL, "build");
	first = strdup(sb.buf);
	a.seq = 10;
	ok(osl_log_build(&sb, rec, &fr, &a, h2) == NULL, "build again");
	ok(strstr(first, "\"sequence\":9}") && strstr(sb.buf, "\"sequence\":10}") &&
	    memcmp(h1, h2, 32) != 0, "the new sequence is in the line and its hash");
	free(first);
	sb_release(&sb);
	osl_log_frag_release(&fr);
	cJSON_Delete(rec);
}

static char *
build_fields(const struct osl_log_field *f, size_t n, size_t max)
{
	struct osl_log_frag fr;
	struct strbuf sb = STRBUF_INIT;
	struct osl_log_build_args a = { OSL_LEVEL_INFO, 0, 7, NULL, max };
	uint8_t prev[32] = { 0 }, hash[32];
	const struct osl_error *err;
	char *out = NULL;

	osl_log_parse_time("2026-11-21T22:19:19.123456789Z", &a.now_ns);
	a.prev = prev;
	if (osl_log_frag_init(&fr, &ident) != NULL)
		return NULL;
	if ((err = osl_log_build_fields(&sb, f, n, &fr, &a, hash)) != NULL)
		printf("# build: %s\n", err->msg);
	else
		out = sb_detach(&sb);
	sb_release(&sb);
	osl_log_frag_release(&fr);
	return out;
}

/* A record from fields is the record from the cJSON object with the same
 * fields, byte for byte: the supervisor's output line, the other way. */
static void
test_fields(void)
{
	static const char *const cat[] = { "process" }, *const typ[] = { "info" };
	const char line[] = "a\0b\xff\n\"q\"";
	cJSON *rec = cJSON_CreateObject(), *ev = osl_log_obj(rec, "event"), *o, *j;
	char *a, *b, *c, big[3000];
	struct osl_log_field f[] = {
		OSL_LOG_STRS("event.category", cat, 1),
		OSL_LOG_STRS("event.type", typ, 1),
		OSL_LOG_STR("event.action", "supervise.output"),
		OSL_LOG_STR("osl.supervise.name", "web"),
		OSL_LOG_STR("event.outcome", "success"),	/* joins event */
		OSL_LOG_INT("process.pid", 42),		/* about the child: */
		OSL_LOG_STR("process.name", "worker"),	/* osl is its parent */
		OSL_LOG_STR("osl.supervise.stream", "stdout"),
		OSL_LOG_BOOL("osl.supervise.truncated", 1),
		OSL_LOG_COUNT("file.size", 1ULL << 60),
		OSL_LOG_U64("file.inode", 5),
		OSL_LOG_STRN("message", line, sizeof(line) - 1),
		OSL_LOG_STR("osl.supervise.name", "twice"),	/* dropped */
		OSL_LOG_JSON("osl.rusage", NULL),
	};

	cJSON_AddItemToObject(ev, "category", cJSON_CreateStringArray(cat, 1));
	cJSON_AddItemToObject(ev, "type", cJSON_CreateStringArray(typ, 1));
	cJSON_AddStringToObject(ev, "action", "supervise.output");
	cJSON_AddStringToObject(ev, "outcome", "success");
	o = osl_log_obj(osl_log_obj(rec, "osl"), "supervise");
	cJSON_AddStringToObject(o, "name", "web");
	cJSON_AddStringToObject(o, "stream", "stdout");
	cJSON_AddBoolToObject(o, "truncated", 1);
	cJSON_AddNullToObject(osl_log_obj(rec, "osl"), "rusage");
	cJSON_AddNumberToObject(osl_log_obj(rec, "process"), "pid", 42);
	cJSON_AddStringToObject(osl_log_obj(rec, "process"), "name", "worker");
	osl_log_add_count(osl_log_obj(rec, "file"), "size", 1ULL << 60);
	osl_log_add_u64(osl_log_obj(rec, "file"), "inode", 5);
	/* "osl" came before "file" in the fields: move it there */
	j = cJSON_DetachItemFromObject(rec, "file");
	cJSON_AddItemToObject(rec, "file", j);
	cJSON_AddStringToObject(rec, "message", "a");
	a = build_fields(f, sizeof(f) / sizeof(f[0]), OSL_LOG_FILE_MAX);
	ok(a != NULL, "fields: built");
	ok(a && strstr(a, "\"message\":\"a\\\\x00b\\\\xff\\n\\\"q\\\"\"") != NULL,
	    "fields: NUL and a bad byte as \\xNN, escapes as in any string");
	ok(a && strstr(a, "\"osl\":{\"supervise\":{\"name\":\"web\",\"stream\":\"stdout\","
	    "\"truncated\":true},\"rusage\":null,\"severity_number\":9,\"chain\":{") != NULL &&
	    strstr(a, "\"file\":") < strstr(a, "\"osl\":"),
	    "fields: one osl object, last (its chain closes the record), a path given twice written once");
	ok(a && strstr(a, "\"event\":{\"kind\":\"event\",\"category\":[\"process\"],"
	    "\"type\":[\"info\"],\"action\":\"supervise.output\",\"outcome\":\"success\","
	    "\"sequence\":7}") != NULL, "fields: event members in order, kind and sequence ours");
	ok(a && strstr(a, "\"process\":{\"pid\":42,\"name\":\"worker\",\"parent\":{\"pid\":4242,"),
	    "fields: a record about the child: process.* is the child's, osl is process.parent");
	ok(a && strstr(a, "\"file\":{\"size\":\"1152921504606846976\",\"inode\":\"5\"}"),
	    "fields: counts past 2^53 and u64 as strings");
	/* the same record from cJSON, message aside */
	f[11] = OSL_LOG_STR("message", "a");
	b = build_fields(f, sizeof(f) / sizeof(f[0]), OSL_LOG_FILE_MAX);
	c = build(rec, OSL_LEVEL_INFO, 7, true, OSL_LOG_FILE_MAX);
	is_str(b, c, "fields: the same bytes as the cJSON record");
	free(a);
	free(b);
	free(c);
	/* cut to fit, as any record */
	memset(big, 'x', sizeof(big));
	f[11] = OSL_LOG_STRN("message", big, sizeof(big));
	a = build_fields(f, sizeof(f) / sizeof(f[0]), OSL_LOG_PIPE_MAX / 2);
	ok(a && strlen(a) <= OSL_LOG_PIPE_MAX / 2 &&
	    strstr(a, "\"severity_number\":9,\"truncated\":true,\"chain\""), "fields: cut, osl.truncated");
	free(a);
	f[0].path = "event.";
	ok(build_fields(f, 1, OSL_LOG_FILE_MAX) == NULL, "fields: a path ending in a dot is refused");
	f[0].path = "a..b";
	ok(build_fields(f, 1, OSL_LOG_FILE_MAX) == NULL, "fields: an empty name is refused");
	f[0].path = "file.\"x";
	ok(build_fields(f, 1, OSL_LOG_FILE_MAX) == NULL, "fields: a quote in a name is refused");
	{
		struct osl_log_field g[] = {
			OSL_LOG_STR("osl", "not an object"),
			OSL_LOG_STR("chain.hash", "forged"),
			OSL_LOG_STR("osl.chain.hash", "forged"),
			OSL_LOG_STR("@timestamp", "forged"),
			OSL_LOG_STR("log.level", "forged"),
			OSL_LOG_STR("event.sequence", "forged"),
		};

		a = build_fields(g, sizeof(g) / sizeof(g[0]), OSL_LOG_FILE_MAX);
		ok(a && !strstr(a, "forged") && !strstr(a, "not an object") &&
		    strstr(a, "\"osl\":{\"severity_number\":9,\"chain\":{"),
		    "fields: the logger's own fields are the logger's");
		free(a);
	}
}

static void
test_time(void)
{
	char buf[32];
	uint64_t ns;

	osl_log_format_time(buf, 0, 9);
	is_str(buf, "1970-01-01T00:00:00.000000000Z", "epoch");
	ok(osl_log_parse_time("2024-02-29T23:59:59.5Z", &ns), "parse leap day");
	osl_log_format_time(buf, ns, 9);
	is_str(buf, "2024-02-29T23:59:59.500000000Z", "leap day round trip");
	osl_log_format_time(buf, ns, 6);
	is_str(buf, "2024-02-29T23:59:59.500000Z", "6 digits for syslog");
	ok(osl_log_parse_time("2024-03-01T01:00:00+01:00", &ns), "parse offset");
	osl_log_format_time(buf, ns, 0);
	is_str(buf, "2024-03-01T00:00:00Z", "offset applied");
	ok(!osl_log_parse_time("2024-13-01", &ns) && !osl_log_parse_time("2024-01-01T", &ns) &&
	    !osl_log_parse_time("yesterday", &ns), "bad times refused");
}

int
main(void)
{
	test_known_line();
	test_levels_and_chain_off();
	test_bad_bytes();
	test_truncation();
	test_process_merge();
	test_rebuild();
	test_fields();
	test_time();
	return done_testing();
}
