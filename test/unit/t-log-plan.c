/* Kept layouts (log/plan.c): a record from fields written into a layout
 * worked out for an earlier record is the record laid out anew, byte for
 * byte and hash for hash, whatever the values, times, levels and paths. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log/jw.h"
#include "tap.h"

static char *argv0[] = { "osl", "supervise", "-c", "tree.yaml", NULL };
static const struct osl_log_identity ident = {
	.pid = 4242, .ppid = 1, .uid = 1000, .executable = "/usr/bin/osl",
	.argc = 4, .argv = argv0, .hostname = "web1",
};

static struct osl_log_frag fr;
static struct osl_log_plans *plans;
static unsigned long compared, differ;

/* The record of F built both ways; counts a difference (and shows the
 * first). */
static void
both(const struct osl_log_field *f, size_t n, enum osl_level lv, uint64_t ns, uint64_t seq,
    bool chain, size_t max)
{
	struct strbuf a = STRBUF_INIT, b = STRBUF_INIT;
	struct osl_log_build_args args = { lv, ns, seq, NULL, max, NULL };
	const struct osl_error *ea, *eb;
	uint8_t prev[32], ha[32] = { 0 }, hb[32] = { 0 };

	memset(prev, (int)(seq & 0xff), sizeof(prev));
	args.prev = chain ? prev : NULL;
	ea = osl_log_build_fields(&a, f, n, &fr, &args, ha);
	args.plans = plans;
	eb = osl_log_build_fields(&b, f, n, &fr, &args, hb);
	compared++;
	if ((ea == NULL) != (eb == NULL) || (!ea && (a.len != b.len ||
	    memcmp(a.buf, b.buf, a.len) != 0 || memcmp(ha, hb, 32) != 0))) {
		if (!differ++)
			printf("# laid out anew:\n# %.*s# from the kept layout:\n# %.*s",
			    (int)a.len, sb_str(&a), (int)b.len, sb_str(&b));
	}
	sb_release(&a);
	sb_release(&b);
}

static uint64_t
at(const char *rfc3339)
{
	uint64_t ns = 0;

	osl_log_parse_time(rfc3339, &ns);
	return ns;
}

/* A supervised child's line, as lib/supervise/output.c makes it. */
static size_t
line_fields(struct osl_log_field *f, const char *msg, size_t len, bool cut)
{
	static const char *const cat[] = { "process" }, *const typ[] = { "info" };
	size_t n = 0;

	f[n++] = OSL_LOG_STRS("event.category", cat, 1);
	f[n++] = OSL_LOG_STRS("event.type", typ, 1);
	f[n++] = OSL_LOG_STR("event.action", "supervise.output");
	f[n++] = OSL_LOG_STR("event.outcome", "success");
	f[n++] = OSL_LOG_STR("osl.supervise.name", "web");
	f[n++] = OSL_LOG_STR("osl.supervise.stream", "stdout");
	if (cut)
		f[n++] = OSL_LOG_BOOL("osl.supervise.truncated", true);
	f[n++] = OSL_LOG_INT("process.pid", 77);
	f[n++] = OSL_LOG_STRN("message", msg, len);
	return n;
}

static void
test_values(void)
{
	static const char *const msgs[] = {
		"1", "999999", "", "plain ascii line", "a \"quoted\" \\ back",
		"tab\there\r\n", "\x01\x1f\x7f", "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80",
		"bad \xff\xfe \xc3", "\xc2\x80\xc2\x9f c1", "\xe2\x80\xa8\xe2\x80\xa9",
		"overlong \xc0\xaf \xed\xa0\x80 \xf4\x90\x80\x80",
	};
	struct osl_log_field f[16];
	uint64_t t = at("2026-11-21T22:19:19.123456789Z");
	size_t i, r, n;

	for (r = 0; r < 3; r++)
		for (i = 0; i < sizeof(msgs) / sizeof(msgs[0]); i++) {
			n = line_fields(f, msgs[i], strlen(msgs[i]), i % 2);
			both(f, n, OSL_LEVEL_INFO, t + i, 1000 + r * 100 + i, true,
			    OSL_LOG_FILE_MAX);
		}
	/* NUL inside a line */
	n = line_fields(f, "a\0b", 3, false);
	both(f, n, OSL_LEVEL_INFO, t, 5, true, OSL_LOG_FILE_MAX);
	ok(differ == 0, "values: every string the same from the kept layout (%lu records)",
	    compared);
}

static void
test_times(void)
{
	static const char *const times[] = {
		"2026-11-21T22:19:19.123456789Z", "2026-11-21T22:19:19.123456790Z",
		"2026-11-21T22:19:19.000000001Z", "2026-11-21T22:19:19.999999999Z",
		"2026-11-21T22:19:20Z", "2026-11-21T22:19:20.5Z", "2026-11-21T23:59:59.9Z",
		"2026-11-22T00:00:00.000000007Z", "2026-11-21T22:19:19.1Z", "1970-01-01T00:00:00Z",
		"2026-12-31T23:59:59.999999999Z", "2027-01-01T00:00:00Z",
	};
	struct osl_log_field f[16];
	size_t i, n = line_fields(f, "x", 1, false);
	unsigned long before = differ;

	for (i = 0; i < sizeof(times) / sizeof(times[0]); i++)
		both(f, n, OSL_LEVEL_INFO, at(times[i]), i + 1, true, OSL_LOG_FILE_MAX);
	ok(differ == before, "times: the same second, the next, a day, a year, back again");
}

static void
test_shapes(void)
{
	static const char *const names[] = {
		"file.path", "file.inode", "destination.ip", "rule.id", "osl.decision",
		"error.code", "osl.tries", "network.type", "source.port", "dns.question.name",
		"osl.supervise.kept", "process.name",
	};
	struct osl_log_field f[16];
	unsigned long before = differ;
	size_t i, r;
	enum osl_level lv;

	/* more shapes than are kept, twice round: each kept, lost and made again */
	for (r = 0; r < 2; r++)
		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
			f[0] = OSL_LOG_STR("event.action", "fs.write");
			f[1] = OSL_LOG_STR(names[i], "v");
			f[2] = OSL_LOG_STR("message", "m");
			both(f, 3, OSL_LEVEL_INFO, 7, i, true, OSL_LOG_FILE_MAX);
		}
	/* each level its own layout */
	for (lv = OSL_LEVEL_DEBUG; lv <= OSL_LEVEL_CRITICAL; lv++)
		both(f, 3, lv, 7, 1, true, OSL_LOG_FILE_MAX);
	/* no chain */
	both(f, 3, OSL_LEVEL_INFO, 7, 1, false, OSL_LOG_FILE_MAX);
	both(f, 3, OSL_LEVEL_INFO, 7, 2, false, OSL_LOG_FILE_MAX);
	ok(differ == before, "shapes: more than are kept, every level, chain on and off");
}

/* Paths built in a buffer that is used again: the layout goes by what the
 * path says, not where it is. */
static void
test_reused_paths(void)
{
	char p1[32], p2[32];
	struct osl_log_field f[3];
	unsigned long before = differ;

	strcpy(p1, "file.path");
	strcpy(p2, "osl.bytes");
	f[0] = OSL_LOG_STR(p1, "/a");
	f[1] = OSL_LOG_COUNT(p2, 3);
	f[2] = OSL_LOG_STR("message", "m");
	both(f, 3, OSL_LEVEL_INFO, 1, 1, true, OSL_LOG_FILE_MAX);
	both(f, 3, OSL_LEVEL_INFO, 1, 2, true, OSL_LOG_FILE_MAX);
	strcpy(p1, "osl.path");
	strcpy(p2, "file.size");
	both(f, 3, OSL_LEVEL_INFO, 1, 3, true, OSL_LOG_FILE_MAX);
	strcpy(p1, "file.path.x");
	both(f, 3, OSL_LEVEL_INFO, 1, 4, true, OSL_LOG_FILE_MAX);
	ok(differ == before, "paths: the same buffers with other paths make another layout");
}

/* A record that must be cut is laid out anew (cut), and the next one that
 * fits goes back to the kept layout. */
static void
test_cut(void)
{
	struct osl_log_field f[16];
	unsigned long before = differ;
	char *big = malloc(70000);
	size_t n, len;

	memset(big, 'a', 70000);
	for (len = 100; len <= 70000; len = len * 3 / 2) {
		n = line_fields(f, big, len, false);
		both(f, n, OSL_LEVEL_INFO, 9, len, true, OSL_LOG_PIPE_MAX);
		both(f, n, OSL_LEVEL_INFO, 9, len, true, OSL_LOG_FILE_MAX);
	}
	n = line_fields(f, "short", 5, false);
	both(f, n, OSL_LEVEL_INFO, 9, 1, true, OSL_LOG_PIPE_MAX);
	ok(differ == before, "cut: too long for a pipe or a file, then short again");
	free(big);
}

static void
test_kinds(void)
{
	static const char *const strs[] = { "a", "b\xff", "" };
	cJSON *obj = cJSON_Parse("{\"x\":[1,2.5,\"s\",null,true,{\"y\":{}}]}");
	struct osl_log_field f[] = {
		OSL_LOG_STR("osl.supervise.name", "web"),
		OSL_LOG_STRS("dns.resolved_ip", strs, 3),
		OSL_LOG_INT("process.exit_code", -3),
		OSL_LOG_COUNT("file.size", (1ULL << 53) + 1),
		OSL_LOG_COUNT("osl.bytes", 1ULL << 53),
		OSL_LOG_U64("file.inode", UINT64_MAX),
		OSL_LOG_BOOL("osl.audit", 0),
		OSL_LOG_JSON("osl.rusage", obj),
		OSL_LOG_JSON("osl.signal", NULL),
		OSL_LOG_STRN("rule.id", NULL, 0),
		OSL_LOG_STR("osl.supervise.name", "twice"),
		OSL_LOG_STR("event.kind", "alert"),
		OSL_LOG_STR("event.sequence", "forged"),
		OSL_LOG_STR("osl.chain.hash", "forged"),
		OSL_LOG_STR("osl", "not an object"),
		OSL_LOG_STR("process.executable", "/bin/worker"),
		OSL_LOG_STR("user.name", "joe"),
		OSL_LOG_STR("host.ip", "127.0.0.1"),
		OSL_LOG_STR("log.logger", "x"),
		OSL_LOG_STR("message", "m"),
	};
	unsigned long before = differ;
	size_t n = sizeof(f) / sizeof(f[0]);

	both(f, n, OSL_LEVEL_WARN, 3, 1, true, OSL_LOG_FILE_MAX);
	both(f, n, OSL_LEVEL_WARN, 4, 2, true, OSL_LOG_FILE_MAX);
	f[2] = OSL_LOG_INT("process.exit_code", 0);
	f[7] = OSL_LOG_JSON("osl.rusage", NULL);
	both(f, n, OSL_LEVEL_WARN, 5, 3, true, OSL_LOG_FILE_MAX);
	ok(differ == before, "kinds: every field type, the logger's own names, a path twice");
	/* a field without a path: refused both ways, once a layout of as many
	 * fields is kept too */
	f[3].path = NULL;
	both(f, n, OSL_LEVEL_WARN, 6, 4, true, OSL_LOG_FILE_MAX);
	ok(differ == before, "kinds: a field without a path refused");
	cJSON_Delete(obj);
}

/* Random lists of fields from a pool of paths, with random values. */
static void
test_random(void)
{
	static const char *const pool[] = {
		"event.action", "event.outcome", "event.reason", "file.path", "file.inode",
		"osl.decision", "osl.supervise.name", "osl.supervise.stream", "process.pid",
		"process.name", "rule.id", "rule.ruleset", "message", "error.message",
		"destination.port", "osl.a.b.c", "osl.a.d", "zzz", "dns.question.name",
	};
	struct osl_log_field f[24];
	char vals[24][40];
	unsigned long before = differ;
	unsigned seed = 12345;
	size_t i, j, n, k, len;

	for (i = 0; i < 3000; i++) {
		/* a handful of shapes, so that layouts are found and kept */
		srand(seed + (unsigned)(i % 13));
		n = 1 + (size_t)rand() % 12;
		for (j = 0; j < n; j++) {
			k = (size_t)rand() % (sizeof(pool) / sizeof(pool[0]));
			f[j].path = pool[k];
		}
		srand(seed * 7 + (unsigned)i);
		for (j = 0; j < n; j++) {
			len = (size_t)rand() % 39;
			for (k = 0; k < len; k++)
				vals[j][k] = (char)(rand() % 4 ? 'a' + rand() % 26 : rand() % 256);
			vals[j][len] = '\0';
			switch (rand() % 4) {
			case 0: f[j] = OSL_LOG_STRN(f[j].path, vals[j], len); break;
			case 1: f[j] = OSL_LOG_INT(f[j].path, rand() - RAND_MAX / 2); break;
			case 2: f[j] = OSL_LOG_COUNT(f[j].path, (uint64_t)rand() << 30); break;
			default: f[j] = OSL_LOG_BOOL(f[j].path, rand() % 2); break;
			}
		}
		both(f, n, (enum osl_level)(i % 13 % 6), 1000000000ULL * (i / 7) + (uint64_t)i,
		    i + 1, i % 5 != 0, OSL_LOG_FILE_MAX);
	}
	ok(differ == before, "random: 3000 records of 13 shapes with random values");
}

/* A JSON string as osl-log(5) says (Values), a byte at a time. */
static size_t
spec_string(char *out, const unsigned char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t i = 0, o = 0, n;

	out[o++] = '"';
	while (i < len) {
		n = s[i] ? osl_utf8_seq(s + i, len - i < 4 ? len - i : 4) : 0;
		if (n == 0) {
			o += (size_t)sprintf(out + o, "\\\\x%c%c", hex[s[i] >> 4], hex[s[i] & 15]);
			i++;
		} else if (n == 1 && (s[i] == '"' || s[i] == '\\')) {
			out[o++] = '\\';
			out[o++] = (char)s[i++];
		} else if (n == 1 && (s[i] < 0x20 || s[i] == 0x7f)) {
			const char *e = strchr("\b\f\n\r\t", s[i]);

			if (e && *e)
				o += (size_t)sprintf(out + o, "\\%c", "bfnrt"[e - "\b\f\n\r\t"]);
			else
				o += (size_t)sprintf(out + o, "\\u%04x", s[i]);
			i++;
		} else if (n == 2 && s[i] == 0xc2 && s[i + 1] < 0xa0) {
			o += (size_t)sprintf(out + o, "\\u%04x", s[i + 1]);
			i += 2;
		} else if (n == 3 && s[i] == 0xe2 && s[i + 1] == 0x80 &&
		    (s[i + 2] == 0xa8 || s[i + 2] == 0xa9)) {
			o += (size_t)sprintf(out + o, "\\u%s", s[i + 2] == 0xa8 ? "2028" : "2029");
			i += 3;
		} else {
			memcpy(out + o, s + i, n);
			o += n;
			i += n;
		}
	}
	out[o++] = '"';
	return o;
}

/* The writer's strings (a word at a time where it can) against the spec's
 * byte at a time, on random bytes of every length 0..300, mostly printable. */
static void
test_strings(void)
{
	static unsigned char in[301];
	static char want[301 * 6 + 3], got[301 * 6 + 3];
	static const unsigned char odd[] = { '"', '\\', 0, 0x1f, 0x7f, 0x80, 0xc2, 0xe2, 0xff,
		'\n', 0x20, 0x7e };
	struct jw w;
	size_t len, i, wn, bad = 0;
	int r;

	srand(7);
	for (r = 0; r < 20; r++)
		for (len = 0; len <= 300; len++) {
			for (i = 0; i < len; i++)
				in[i] = (unsigned char)(rand() % 16 ? ' ' + rand() % 95 :
				    rand() % 2 ? odd[rand() % sizeof(odd)] : rand() % 256);
			memset(&w, 0, sizeof(w));
			w.p = got;
			w.end = got + sizeof(got);
			jw_strn(&w, (const char *)in, len);
			wn = spec_string(want, in, len);
			if (w.over || (size_t)(w.p - got) != wn || memcmp(got, want, wn) != 0)
				bad++;
		}
	ok(bad == 0, "strings: %zu of 6020 random strings differ from the spec", bad);
}

static void
test_numbers(void)
{
	static const uint64_t v[] = { 0, 9, 10, 99, 100, 101, 999, 1000, 4242, 65535,
		1000000007, 9007199254740993ULL, UINT64_MAX };
	char got[24], want[24];
	size_t i, bad = 0;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		snprintf(want, sizeof(want), "%llu", (unsigned long long)v[i]);
		if (osl_fmt_u64(got, v[i]) != strlen(want) || strcmp(got, want) != 0)
			bad++;
	}
	ok(bad == 0, "numbers: decimal as printf writes it");
}

int
main(void)
{
	static char big_arg[3000];
	static char *argv1[] = { "osl", big_arg, NULL };
	struct osl_log_identity cut = ident;

	plans = osl_log_plans_new();
	if (osl_log_frag_init(&fr, &ident) != NULL || !plans)
		return 1;
	test_strings();
	test_numbers();
	test_values();
	test_times();
	test_shapes();
	test_reused_paths();
	test_cut();
	test_kinds();
	test_random();
	osl_log_frag_release(&fr);
	osl_log_plans_free(plans);

	/* an identity that was cut: osl.truncated in every record */
	memset(big_arg, 'z', sizeof(big_arg) - 1);
	cut.argc = 2;
	cut.argv = argv1;
	plans = osl_log_plans_new();
	if (osl_log_frag_init(&fr, &cut) != NULL || !plans)
		return 1;
	{
		unsigned long before = differ;

		test_values();
		ok(fr.truncated && differ == before, "an identity cut short: osl.truncated kept");
	}
	osl_log_frag_release(&fr);
	osl_log_plans_free(plans);
	ok(compared > 3000, "%lu records compared", compared);
	return done_testing();
}
