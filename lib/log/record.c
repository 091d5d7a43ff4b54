/* Record building: pure (the time, sequence and previous hash come in as
 * arguments), so the unit tests can check a record byte for byte. */
#include "log/log-int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const level_names[] = {
	"debug", "info", "notice", "warn", "error", "critical",
};
static const char *const level_sev[] = { "5", "9", "10", "13", "17", "21" };

const char *
osl_level_name(enum osl_level l)
{
	if ((unsigned)l > OSL_LEVEL_CRITICAL)
		return "info";
	return level_names[l];
}

bool
osl_level_parse(const char *s, enum osl_level *out)
{
	unsigned i;

	for (i = 0; i <= OSL_LEVEL_CRITICAL; i++) {
		if (strcmp(s, level_names[i]) == 0) {
			*out = (enum osl_level)i;
			return true;
		}
	}
	if (strcmp(s, "warning") == 0) {
		*out = OSL_LEVEL_WARN;
		return true;
	}
	return false;
}

int
osl_level_severity(enum osl_level l)
{
	static const int sev[] = { 5, 9, 10, 13, 17, 21 };

	return (unsigned)l > OSL_LEVEL_CRITICAL ? 9 : sev[l];
}

int
osl_level_syslog(enum osl_level l)
{
	static const int pri[] = { 7, 6, 5, 4, 3, 2 };

	return (unsigned)l > OSL_LEVEL_CRITICAL ? 6 : pri[l];
}

/* Length of the valid UTF-8 sequence at s, or 0. */
static size_t
utf8_seq(const unsigned char *s, size_t n)
{
	unsigned c = s[0];
	size_t len, i;
	uint32_t cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
		cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		cp = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		cp = c & 0x07;
	} else
		return 0;
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

bool
osl_utf8_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, n;

	while (i < len) {
		if (p[i] < 0x80 && p[i] != 0) {
			i++;
			continue;
		}
		if (p[i] == 0 || (n = utf8_seq(p + i, len - i)) == 0)
			return false;
		i += n;
	}
	return true;
}

char *
osl_log_text(const char *bytes, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)bytes;
	size_t i = 0, o = 0, n;
	char *out;

	if (len > ((size_t)-1 - 1) / 4)
		return NULL;
	if ((out = malloc(len * 4 + 1)) == NULL)
		return NULL;
	while (i < len) {
		n = p[i] ? utf8_seq(p + i, len - i) : 0;
		if (n == 0) {
			/* a file name is bytes: keep each bad one visible */
			out[o++] = '\\';
			out[o++] = 'x';
			out[o++] = hex[p[i] >> 4];
			out[o++] = hex[p[i] & 15];
			i++;
			continue;
		}
		memcpy(out + o, p + i, n);
		o += n;
		i += n;
	}
	out[o] = '\0';
	return out;
}

cJSON *
osl_log_add_text(cJSON *obj, const char *key, const char *bytes)
{
	cJSON *item;
	char *s;

	if (!bytes)
		return cJSON_AddNullToObject(obj, key);
	if (osl_utf8_valid(bytes, strlen(bytes)))
		return cJSON_AddStringToObject(obj, key, bytes);
	if ((s = osl_log_text(bytes, strlen(bytes))) == NULL)
		return NULL;
	item = cJSON_AddStringToObject(obj, key, s);
	free(s);
	return item;
}

size_t
osl_fmt_u64(char *buf, uint64_t v)
{
	char tmp[20];
	size_t n = 0, i;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	for (i = 0; i < n; i++)
		buf[i] = tmp[n - 1 - i];
	buf[n] = '\0';
	return n;
}

cJSON *
osl_log_add_u64(cJSON *obj, const char *key, uint64_t v)
{
	char buf[21];

	osl_fmt_u64(buf, v);
	return cJSON_AddStringToObject(obj, key, buf);
}

cJSON *
osl_log_add_count(cJSON *obj, const char *key, uint64_t v)
{
	/* a count, size or byte total is an ECS long: a number, as long as a
	 * double holds it exactly (past 2^53 no size or count will go) */
	if (v > (1ULL << 53))
		return osl_log_add_u64(obj, key, v);
	return cJSON_AddNumberToObject(obj, key, (double)v);
}

cJSON *
osl_log_obj(cJSON *parent, const char *key)
{
	cJSON *o = cJSON_GetObjectItemCaseSensitive(parent, key);

	if (cJSON_IsObject(o))
		return o;
	if (o)
		cJSON_DeleteItemFromObjectCaseSensitive(parent, key);
	return cJSON_AddObjectToObject(parent, key);
}

/* Days since 1970-01-01 to a civil date (H. Hinnant's algorithm). */
static void
civil(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	int64_t era, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	yoe = z - era * 146097;
	yoe = (yoe - yoe / 1460 + yoe / 36524 - yoe / 146096) / 365;
	doy = z - era * 146097 - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
	*m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

static int64_t
days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void
put_digits(char *p, uint64_t v, int n)
{
	while (n-- > 0) {
		p[n] = (char)('0' + v % 10);
		v /= 10;
	}
}

size_t
osl_log_format_time(char buf[32], uint64_t ns, int frac)
{
	uint64_t secs = ns / 1000000000u, sod = secs % 86400, sub = ns % 1000000000u;
	int64_t y;
	unsigned m, d;
	size_t n;
	int i;

	civil((int64_t)(secs / 86400), &y, &m, &d);
	put_digits(buf, (uint64_t)y, 4);
	buf[4] = '-';
	put_digits(buf + 5, m, 2);
	buf[7] = '-';
	put_digits(buf + 8, d, 2);
	buf[10] = 'T';
	put_digits(buf + 11, sod / 3600, 2);
	buf[13] = ':';
	put_digits(buf + 14, sod / 60 % 60, 2);
	buf[16] = ':';
	put_digits(buf + 17, sod % 60, 2);
	n = 19;
	if (frac > 0) {
		for (i = frac; i < 9; i++)
			sub /= 10;
		buf[n++] = '.';
		put_digits(buf + n, sub, frac);
		n += (size_t)frac;
	}
	buf[n++] = 'Z';
	buf[n] = '\0';
	return n;
}

static bool
take(const char **s, int n, unsigned *v)
{
	int i;

	*v = 0;
	for (i = 0; i < n; i++) {
		if ((*s)[i] < '0' || (*s)[i] > '9')
			return false;
		*v = *v * 10 + (unsigned)((*s)[i] - '0');
	}
	*s += n;
	return true;
}

bool
osl_log_parse_time(const char *s, uint64_t *ns)
{
	unsigned y, mo, d, h = 0, mi = 0, se = 0, oh, om;
	uint64_t frac = 0, scale = 100000000;
	int64_t t, off = 0;

	if (!take(&s, 4, &y) || *s++ != '-' || !take(&s, 2, &mo) || *s++ != '-' ||
	    !take(&s, 2, &d) || mo < 1 || mo > 12 || d < 1 || d > 31 || y < 1970)
		return false;
	if (*s == 'T' || *s == 't' || *s == ' ') {
		s++;
		if (!take(&s, 2, &h) || *s++ != ':' || !take(&s, 2, &mi) || *s++ != ':' ||
		    !take(&s, 2, &se) || h > 23 || mi > 59 || se > 60)
			return false;
		if (*s == '.') {
			s++;
			if (*s < '0' || *s > '9')
				return false;
			for (; *s >= '0' && *s <= '9'; s++) {
				frac += (uint64_t)(*s - '0') * scale;
				scale /= 10;
			}
		}
		if (*s == 'Z' || *s == 'z')
			s++;
		else if (*s == '+' || *s == '-') {
			int sign = *s++ == '-' ? -1 : 1;

			if (!take(&s, 2, &oh) || *s++ != ':' || !take(&s, 2, &om) ||
			    oh > 23 || om > 59)
				return false;
			off = sign * (int64_t)(oh * 3600 + om * 60);
		} else
			return false;
	}
	if (*s != '\0')
		return false;
	t = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se - off;
	if (t < 0)
		return false;
	*ns = (uint64_t)t * 1000000000u + frac;
	return true;
}

/* --- serialising ---
 *
 * Our own writer rather than cJSON_Print: it writes the fields in the
 * record's order without rearranging the caller's tree, makes strings valid
 * on the way (no copy), cuts long strings, and never allocates. */

struct jw {
	char *p, *end;		/* output; overflow when p would pass end */
	size_t cap;		/* cut strings to this many input bytes; 0: never */
	bool over;
	bool cut;
};

static void
jw_add(struct jw *w, const void *s, size_t n)
{
	if (w->over || (size_t)(w->end - w->p) < n) {
		w->over = true;
		return;
	}
	memcpy(w->p, s, n);
	w->p += n;
}

#define JW_LIT(w, s) jw_add((w), (s), sizeof(s) - 1)

static void
jw_c(struct jw *w, char c)
{
	if (w->over || w->p == w->end) {
		w->over = true;
		return;
	}
	*w->p++ = c;
}

/* A JSON string: valid UTF-8 kept, each invalid byte as the text \xNN,
 * control characters (C0, DEL, C1) and U+2028/9 as \u escapes. */
static void
jw_str(struct jw *w, const char *str)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *s = (const unsigned char *)str, *run;
	size_t used = 0, n;
	char esc[6];

	jw_c(w, '"');
	while (*s && !w->over) {
		run = s;
		while (*s >= 0x20 && *s < 0x7f && *s != '"' && *s != '\\')
			s++;
		if (s > run) {
			n = (size_t)(s - run);
			if (w->cap && used + n > w->cap) {
				n = w->cap - used;
				jw_add(w, run, n);
				w->cut = true;
				break;
			}
			jw_add(w, run, n);
			used += n;
			continue;
		}
		if (!*s)
			break;
		/* 4 is safe: the check stops at the NUL, never a continuation byte */
		n = utf8_seq(s, 4);
		if (w->cap && used + (n ? n : 1) > w->cap) {
			w->cut = true;
			break;
		}
		used += n ? n : 1;
		if (n == 0) {
			JW_LIT(w, "\\\\x");
			jw_c(w, hex[*s >> 4]);
			jw_c(w, hex[*s & 15]);
			s++;
		} else if (n == 1) {
			switch (*s) {
			case '"': JW_LIT(w, "\\\""); break;
			case '\\': JW_LIT(w, "\\\\"); break;
			case '\b': JW_LIT(w, "\\b"); break;
			case '\f': JW_LIT(w, "\\f"); break;
			case '\n': JW_LIT(w, "\\n"); break;
			case '\r': JW_LIT(w, "\\r"); break;
			case '\t': JW_LIT(w, "\\t"); break;
			default:
				memcpy(esc, "\\u00", 4);
				esc[4] = hex[*s >> 4];
				esc[5] = hex[*s & 15];
				jw_add(w, esc, 6);
			}
			s++;
		} else if (n == 2 && s[0] == 0xc2 && s[1] < 0xa0) {
			/* C1 controls: a terminal would act on them */
			memcpy(esc, "\\u00", 4);
			esc[4] = hex[s[1] >> 4];
			esc[5] = hex[s[1] & 15];
			jw_add(w, esc, 6);
			s += 2;
		} else if (n == 3 && s[0] == 0xe2 && s[1] == 0x80 && (s[2] == 0xa8 || s[2] == 0xa9)) {
			jw_add(w, s[2] == 0xa8 ? "\\u2028" : "\\u2029", 6);
			s += 3;
		} else {
			jw_add(w, s, n);
			s += n;
		}
	}
	jw_c(w, '"');
}

static void
jw_num(struct jw *w, double d)
{
	char buf[32];
	int n;

	if (d != d || d - d != 0) {
		JW_LIT(w, "null");	/* NaN and infinities are not JSON */
		return;
	}
	if (d >= -9007199254740992.0 && d <= 9007199254740992.0 && (double)(int64_t)d == d) {
		if (d < 0) {
			jw_c(w, '-');
			d = -d;
		}
		jw_add(w, buf, osl_fmt_u64(buf, (uint64_t)d));
		return;
	}
	n = snprintf(buf, sizeof(buf), "%.17g", d);
	jw_add(w, buf, (size_t)n);
}

static void jw_value(struct jw *w, const cJSON *v, int depth);

static bool
skipped(const char *key, const char *const *skip)
{
	for (; skip && *skip; skip++)
		if (strcmp(key, *skip) == 0)
			return true;
	return false;
}

/* The members of an object (no braces), a comma before each but the first
 * unless MORE says something was written already. */
static bool
jw_members(struct jw *w, const cJSON *c, const char *const *skip, bool more, int depth)
{
	for (; c; c = c->next) {
		if (!c->string || skipped(c->string, skip))
			continue;
		if (more)
			jw_c(w, ',');
		more = true;
		jw_str(w, c->string);
		jw_c(w, ':');
		jw_value(w, c, depth);
	}
	return more;
}

static void
jw_value(struct jw *w, const cJSON *v, int depth)
{
	const cJSON *c;

	if (depth > 64) {
		/* deeper than any record needs; keeps the stack small */
		JW_LIT(w, "null");
		w->cut = true;
		return;
	}
	switch (v->type & 0xff) {
	case cJSON_False:
		JW_LIT(w, "false");
		break;
	case cJSON_True:
		JW_LIT(w, "true");
		break;
	case cJSON_Number:
		jw_num(w, v->valuedouble);
		break;
	case cJSON_String:
	case cJSON_Raw:		/* a caller's raw text could break the line */
		if (v->valuestring)
			jw_str(w, v->valuestring);
		else
			JW_LIT(w, "null");
		break;
	case cJSON_Array:
		jw_c(w, '[');
		for (c = v->child; c; c = c->next) {
			if (c != v->child)
				jw_c(w, ',');
			jw_value(w, c, depth + 1);
		}
		jw_c(w, ']');
		break;
	case cJSON_Object:
		jw_c(w, '{');
		jw_members(w, v->child, NULL, false, depth + 1);
		jw_c(w, '}');
		break;
	default:
		JW_LIT(w, "null");
		break;
	}
}

static const cJSON *
obj_at(const cJSON *rec, const char *key)
{
	const cJSON *o = cJSON_GetObjectItemCaseSensitive(rec, key);

	return cJSON_IsObject(o) ? o : NULL;
}

/* "key":{OURS, the caller's members but SKIP} */
static void
jw_ours(struct jw *w, const char *key, const char *ours, const cJSON *theirs,
    const char *const *skip)
{
	bool more = false;

	if (!ours && !(theirs && theirs->child))
		return;
	jw_c(w, ',');
	jw_str(w, key);
	JW_LIT(w, ":{");
	if (ours) {
		jw_add(w, ours, strlen(ours));
		more = true;
	}
	if (theirs)
		jw_members(w, theirs->child, skip, more, 1);
	jw_c(w, '}');
}

static const char *const skip_process[] = { "pid", "parent", "executable", "args", NULL };
static const char *const skip_user[] = { "id", NULL };
static const char *const skip_host[] = { "hostname", NULL };
static const char *const skip_event[] = { "sequence", NULL };
static const char *const skip_log[] = { "level", NULL };
static const char *const skip_osl[] = { "severity_number", "truncated", NULL };
static const char *const skip_top[] = { "@timestamp", "log", "event", "ecs", "process", "user",
	"host", "chain", NULL };

/* "osl":{..., left open: the record's last member, osl.chain (or just the
 * braces) follows it */
static void
jw_osl(struct jw *w, const cJSON *theirs, enum osl_level level, bool mark)
{
	jw_c(w, ',');
	JW_LIT(w, "\"osl\":{");
	if (theirs && jw_members(w, theirs->child, skip_osl, false, 1))
		jw_c(w, ',');
	JW_LIT(w, "\"severity_number\":");
	jw_add(w, level_sev[level % 6], strlen(level_sev[level % 6]));
	if (mark)
		JW_LIT(w, ",\"truncated\":true");
}

/* A record about another process (the program osl ran: the caller set
 * process.pid, executable or args) has it as process.*, and osl as
 * process.parent.*; any other record has osl as process.* (ECS). */
static bool
about_other(const cJSON *pr)
{
	return pr && (cJSON_GetObjectItemCaseSensitive(pr, "pid") ||
	    cJSON_GetObjectItemCaseSensitive(pr, "executable") ||
	    cJSON_GetObjectItemCaseSensitive(pr, "args"));
}

static void
jw_process(struct jw *w, const struct osl_log_frag *fr, const cJSON *pr)
{
	static const char *const skip_parent[] = { "parent", NULL };

	if (!about_other(pr)) {
		jw_ours(w, "process", fr->process, pr, skip_process);
		return;
	}
	JW_LIT(w, ",\"process\":{");
	if (jw_members(w, pr->child, skip_parent, false, 1))
		jw_c(w, ',');
	JW_LIT(w, "\"parent\":{");
	if (fr->self)
		jw_add(w, fr->self, strlen(fr->self));
	JW_LIT(w, "}}");
}

static void
jw_record(struct jw *w, const cJSON *rec, const struct osl_log_frag *fr,
    const struct osl_log_build_args *a, bool mark)
{
	const cJSON *ev = obj_at(rec, "event"), *osl = NULL, *c;
	char ts[32], seq[24];
	bool more;

	JW_LIT(w, "{\"@timestamp\":\"");
	jw_add(w, ts, osl_log_format_time(ts, a->now_ns, 9));
	JW_LIT(w, "\",\"log\":{\"level\":\"");
	jw_add(w, osl_level_name(a->level), strlen(osl_level_name(a->level)));
	jw_c(w, '"');
	if ((c = obj_at(rec, "log")) != NULL)
		jw_members(w, c->child, skip_log, true, 1);
	JW_LIT(w, "},\"event\":{");
	more = false;
	if (!cJSON_GetObjectItemCaseSensitive(ev, "kind")) {
		JW_LIT(w, "\"kind\":\"event\"");
		more = true;
	}
	if (ev && jw_members(w, ev->child, skip_event, more, 1))
		jw_c(w, ',');
	else if (more)
		jw_c(w, ',');
	JW_LIT(w, "\"sequence\":");
	jw_add(w, seq, osl_fmt_u64(seq, a->seq));
	JW_LIT(w, "},\"ecs\":{\"version\":\"" OSL_ECS_VERSION "\"}");
	jw_process(w, fr, obj_at(rec, "process"));
	jw_ours(w, "user", fr->user, obj_at(rec, "user"), skip_user);
	jw_ours(w, "host", fr->host, obj_at(rec, "host"), skip_host);
	for (c = rec->child; c; c = c->next) {
		if (!c->string || skipped(c->string, skip_top))
			continue;
		if (strcmp(c->string, "osl") == 0) {
			if (!osl)
				osl = c;
			continue;
		}
		jw_c(w, ',');
		jw_str(w, c->string);
		jw_c(w, ':');
		jw_value(w, c, 1);
	}
	jw_osl(w, cJSON_IsObject(osl) ? osl : NULL, a->level, mark);
}

const struct osl_error *
osl_log_build(struct strbuf *out, cJSON *rec, const struct osl_log_frag *fr,
    const struct osl_log_build_args *a, uint8_t hash[32])
{
	struct jw w;
	size_t tail = a->prev ? OSL_CHAIN_SUFFIX_LEN + 1 : 3, cap = 0;
	bool mark = fr->truncated;

	if (!cJSON_IsObject(rec))
		return osl_error_new(OSL_EFAIL, "log record is not a JSON object");
	if (a->max <= tail + 256 || !sb_grow(out, a->max))
		return osl_error_nomem();
	for (;;) {
		memset(&w, 0, sizeof(w));
		w.p = out->buf;
		w.end = out->buf + a->max - tail;
		w.cap = cap;
		jw_record(&w, rec, fr, a, mark);
		if (w.cut && !mark) {
			mark = true;	/* again, with osl.truncated */
			continue;
		}
		if (!w.over)
			break;
		/* too long: cut the strings, harder each time */
		cap = cap ? cap / 2 : a->max / 2;
		mark = true;
		if (cap < 8)
			return osl_error_new(OSL_EFAIL,
			    "log record does not fit in %zu bytes", a->max);
	}
	out->len = (size_t)(w.p - out->buf);
	out->buf[out->len] = '\0';
	if (a->prev)
		osl_chain_seal(out, a->prev, hash);
	else
		sb_add(out, "}}\n", 3);
	return out->oom ? osl_error_nomem() : NULL;
}

/* --- the identity fragment --- */

#define ARG_MAX_BYTES	512	/* and the executable */
#define ARGS_MAX_BYTES	1024

static char *
inner(const cJSON *obj, size_t cap, bool *cut)
{
	char buf[4096];
	struct jw w;

	memset(&w, 0, sizeof(w));
	w.p = buf;
	w.end = buf + sizeof(buf) - 1;
	w.cap = cap;
	jw_members(&w, obj->child, NULL, false, 1);
	if (w.over)
		return NULL;
	*cut |= w.cut;
	*w.p = '\0';
	return strdup(buf);
}

const struct osl_error *
osl_log_frag_init(struct osl_log_frag *fr, const struct osl_log_identity *id)
{
	const struct osl_error *err = NULL;
	cJSON *p = NULL, *o = NULL, *args;
	size_t total = 0;
	char buf[21];
	int i;

	memset(fr, 0, sizeof(*fr));
	if ((p = cJSON_CreateObject()) == NULL ||
	    !cJSON_AddNumberToObject(p, "pid", id->pid) ||
	    !cJSON_AddNumberToObject(osl_log_obj(p, "parent"), "pid", id->ppid) ||
	    (id->executable && !cJSON_AddStringToObject(p, "executable", id->executable)))
		goto nomem;
	if (id->argc > 0 && id->argv) {
		if ((args = cJSON_AddArrayToObject(p, "args")) == NULL)
			goto nomem;
		for (i = 0; i < id->argc && id->argv[i]; i++) {
			if (total >= ARGS_MAX_BYTES) {
				/* enough to know what ran; the rest would crowd out the record */
				fr->truncated = true;
				break;
			}
			if (!cJSON_AddItemToArray(args, cJSON_CreateString(id->argv[i])))
				goto nomem;
			total += strlen(id->argv[i]) < ARG_MAX_BYTES ? strlen(id->argv[i]) : ARG_MAX_BYTES;
		}
	}
	if ((fr->process = inner(p, ARG_MAX_BYTES, &fr->truncated)) == NULL)
		goto nomem;
	cJSON_DeleteItemFromObjectCaseSensitive(p, "parent");
	if ((fr->self = inner(p, ARG_MAX_BYTES, &fr->truncated)) == NULL)
		goto nomem;
	osl_fmt_u64(buf, id->uid);
	if ((o = cJSON_CreateObject()) == NULL || !cJSON_AddStringToObject(o, "id", buf) ||
	    (fr->user = inner(o, 0, &fr->truncated)) == NULL)
		goto nomem;
	if (id->hostname && id->hostname[0]) {
		cJSON_Delete(o);
		if ((o = cJSON_CreateObject()) == NULL ||
		    !cJSON_AddStringToObject(o, "hostname", id->hostname) ||
		    (fr->host = inner(o, 255, &fr->truncated)) == NULL)
			goto nomem;
	}
	goto done;
nomem:
	err = osl_error_nomem();
	osl_log_frag_release(fr);
done:
	cJSON_Delete(p);
	cJSON_Delete(o);
	return err;
}

void
osl_log_frag_release(struct osl_log_frag *fr)
{
	free(fr->process);
	free(fr->self);
	free(fr->user);
	free(fr->host);
	memset(fr, 0, sizeof(*fr));
}
