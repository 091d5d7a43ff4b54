#include "util/time.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

const char *
osl_time_rfc3339(int64_t sec, long nsec, char *buf, size_t size)
{
	struct tm tm;
	time_t t = (time_t)sec;

	if (!gmtime_r(&t, &tm)) {
		snprintf(buf, size, "1970-01-01T00:00:00.000000000Z");
		return buf;
	}
	if (nsec < 0)
		snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02dZ",
		    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
	else
		snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02d.%09ldZ",
		    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
		    tm.tm_hour, tm.tm_min, tm.tm_sec, nsec);
	return buf;
}

static int
digits(const char **s, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++, (*s)++) {
		if (**s < '0' || **s > '9')
			return 0;
		v = v * 10 + (**s - '0');
	}
	*out = v;
	return 1;
}

/* Days from 1970-01-01 to Y-M-D (proleptic Gregorian; Howard Hinnant's). */
static int64_t
days_from_civil(int y, int m, int d)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (unsigned)((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1);
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

int
osl_time_parse_rfc3339(const char *s, int64_t *sec, long *nsec)
{
	int Y, M, D, h, m, x, oh = 0, om = 0, sign = 0;
	long ns = 0, scale = 100000000;

	if (!digits(&s, 4, &Y) || *s++ != '-' || !digits(&s, 2, &M) || *s++ != '-' ||
	    !digits(&s, 2, &D) || (*s != 'T' && *s != 't' && *s != ' '))
		return 0;
	s++;
	if (!digits(&s, 2, &h) || *s++ != ':' || !digits(&s, 2, &m) || *s++ != ':' ||
	    !digits(&s, 2, &x))
		return 0;
	if (M < 1 || M > 12 || D < 1 || D > 31 || h > 23 || m > 59 || x > 60)
		return 0;
	if (*s == '.') {
		s++;
		if (*s < '0' || *s > '9')
			return 0;
		for (; *s >= '0' && *s <= '9'; s++, scale /= 10)
			ns += scale ? (*s - '0') * scale : 0;
	}
	if (*s == 'Z' || *s == 'z')
		s++;
	else if (*s == '+' || *s == '-') {
		sign = *s++ == '-' ? -1 : 1;
		if (!digits(&s, 2, &oh) || *s++ != ':' || !digits(&s, 2, &om))
			return 0;
	} else
		return 0;
	if (*s)
		return 0;
	*sec = days_from_civil(Y, M, D) * 86400 + h * 3600 + m * 60 + x
	    - sign * (oh * 3600 + om * 60);
	*nsec = ns;
	return 1;
}
