/* The JSON writer of records (log/build.c lays them out, log/plan.c
 * replays a layout).  Our own rather than cJSON_Print: it writes the
 * fields in the record's order without rearranging the caller's tree,
 * makes strings valid on the way (no copy), cuts long strings when asked,
 * and never allocates or passes the end of its buffer. */
#include "log/jw.h"

#include <stdio.h>
#include <string.h>

#define ONES	0x0101010101010101ULL
#define HIGHS	0x8080808080808080ULL
/* A byte of X is 0. */
#define ZERO_IN(x)	(((x) - ONES) & ~(x) & HIGHS)

/* The 8 bytes at S are all printable ASCII but " and \, written as they
 * are: most of what a record holds, looked at a word at a time. */
static inline bool
plain8(const unsigned char *s)
{
	uint64_t x;

	memcpy(&x, s, 8);
	/* below 0x20, 0x80 and up, DEL, ", \ */
	return ((((x - 0x20 * ONES) & ~x) | x | ZERO_IN(x ^ (0x7f * ONES)) |
	    ZERO_IN(x ^ ('"' * ONES)) | ZERO_IN(x ^ ('\\' * ONES))) & HIGHS) == 0;
}

void
jw_strn(struct jw *w, const char *str, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *s = (const unsigned char *)str, *run, *end = s + len;
	size_t used = 0, n;
	char esc[6];

	jw_c(w, '"');
	while (s < end && !w->over) {
		run = s;
		while (end - s >= 8 && plain8(s))
			s += 8;
		while (s < end && *s >= 0x20 && *s < 0x7f && *s != '"' && *s != '\\')
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
		if (s == end)
			break;
		n = *s ? osl_utf8_seq(s, (size_t)(end - s) < 4 ? (size_t)(end - s) : 4) : 0;
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

void
jw_str(struct jw *w, const char *str)
{
	jw_strn(w, str, strlen(str));
}

void
jw_u64(struct jw *w, uint64_t v)
{
	char buf[24];

	jw_add(w, buf, osl_fmt_u64(buf, v));
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
		jw_u64(w, (uint64_t)d);
		return;
	}
	n = snprintf(buf, sizeof(buf), "%.17g", d);
	jw_add(w, buf, (size_t)n);
}

bool
jw_skipped(const char *key, size_t len, const char *const *skip)
{
	for (; skip && *skip; skip++)
		if (key[0] == (*skip)[0] && strncmp(key, *skip, len) == 0 && (*skip)[len] == '\0')
			return true;
	return false;
}

bool
jw_members(struct jw *w, const cJSON *c, const char *const *skip, bool more, int depth)
{
	for (; c; c = c->next) {
		if (!c->string || jw_skipped(c->string, strlen(c->string), skip))
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

void
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

void
jw_field_value(struct jw *w, const struct osl_log_field *f)
{
	size_t i;

	switch (f->type) {
	case OSL_LF_STR:
		if (f->s)
			jw_strn(w, f->s, f->len);
		else
			JW_LIT(w, "null");
		break;
	case OSL_LF_STRS:
		jw_c(w, '[');
		for (i = 0; i < f->len; i++) {
			if (i)
				jw_c(w, ',');
			jw_str(w, f->v[i]);
		}
		jw_c(w, ']');
		break;
	case OSL_LF_INT:
		if (f->i < 0)
			jw_c(w, '-');
		jw_u64(w, f->i < 0 ? -(uint64_t)f->i : (uint64_t)f->i);
		break;
	case OSL_LF_COUNT:
		/* as osl_log_add_count: a number while a double holds it */
		if (f->u <= (1ULL << 53)) {
			jw_u64(w, f->u);
			break;
		}
		/* fall through */
	case OSL_LF_U64:
		jw_c(w, '"');
		jw_u64(w, f->u);
		jw_c(w, '"');
		break;
	case OSL_LF_BOOL:
		if (f->i)
			JW_LIT(w, "true");
		else
			JW_LIT(w, "false");
		break;
	case OSL_LF_JSON:
		if (f->json)
			jw_value(w, f->json, 1);
		else
			JW_LIT(w, "null");
		break;
	}
}
