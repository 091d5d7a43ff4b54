/* Levels, strings made valid, numbers and times for records: pure.  The
 * serialiser is log/build.c. */
#include "log/log-int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const level_names[] = {
	"debug", "info", "notice", "warn", "error", "critical",
};

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

size_t
osl_utf8_seq(const unsigned char *s, size_t n)
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
		if (p[i] == 0 || (n = osl_utf8_seq(p + i, len - i)) == 0)
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
		n = p[i] ? osl_utf8_seq(p + i, len - i) : 0;
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

/* "00" to "99" */
static const char digit_pairs[] =
	"0001020304050607080910111213141516171819"
	"2021222324252627282930313233343536373839"
	"4041424344454647484950515253545556575859"
	"6061626364656667686970717273747576777879"
	"8081828384858687888990919293949596979899";

size_t
osl_fmt_u64(char *buf, uint64_t v)
{
	char tmp[20], *p = tmp + sizeof(tmp);
	size_t n;

	/* from the last digit, two at a time (sequence numbers, pids) */
	while (v >= 100) {
		p -= 2;
		memcpy(p, digit_pairs + 2 * (v % 100), 2);
		v /= 100;
	}
	if (v >= 10) {
		p -= 2;
		memcpy(p, digit_pairs + 2 * v, 2);
	} else
		*--p = (char)('0' + v);
	n = (size_t)(tmp + sizeof(tmp) - p);
	memcpy(buf, p, n);
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
