#include "util/parse.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

bool
osl_parse_uint(const char *s, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (!s || !*s)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		if (v > (max - (uint64_t)(*s - '0')) / 10)
			return false;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	*out = v;
	return true;
}

/* Parse "INT[.FRAC]" then a unit whose factor is looked up by the caller. */
static bool
parse_scaled(const char *s, const char **unit, uint64_t *ip, uint64_t *fnum, uint64_t *fden)
{
	uint64_t v = 0, fn = 0, fd = 1;
	int digits = 0;

	for (; *s >= '0' && *s <= '9'; s++, digits++) {
		if (v > (UINT64_MAX - 9) / 10)
			return false;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	if (*s == '.') {
		s++;
		if (*s < '0' || *s > '9')
			return false;
		for (; *s >= '0' && *s <= '9'; s++) {
			if (fd < 1000000000ULL) {
				fn = fn * 10 + (uint64_t)(*s - '0');
				fd *= 10;
			}
		}
	}
	if (!digits)
		return false;
	*unit = s;
	*ip = v;
	*fnum = fn;
	*fden = fd;
	return true;
}

static bool
scale(uint64_t ip, uint64_t fn, uint64_t fd, uint64_t factor, uint64_t *out)
{
	if (factor && ip > UINT64_MAX / factor)
		return false;
	ip *= factor;
	fn = fn * factor / fd;	/* fn < fd <= 1e9, factor <= ~1e14: may overflow */
	if (fd > 1 && factor > UINT64_MAX / 1000000000ULL)
		return false;
	if (ip > UINT64_MAX - fn)
		return false;
	*out = ip + fn;
	return true;
}

bool
osl_parse_duration(const char *s, uint64_t *ns)
{
	static const struct { const char *u; uint64_t f; } units[] = {
		{ "ns", 1ULL }, { "us", 1000ULL }, { "ms", 1000000ULL },
		{ "s", 1000000000ULL }, { "m", 60000000000ULL },
		{ "h", 3600000000000ULL }, { "d", 86400000000000ULL },
		{ "", 1000000000ULL },
	};
	const char *u;
	uint64_t ip, fn, fd;

	if (!s || !parse_scaled(s, &u, &ip, &fn, &fd))
		return false;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (strcmp(u, units[i].u) == 0)
			return scale(ip, fn, fd, units[i].f, ns);
	return false;
}

bool
osl_parse_size(const char *s, uint64_t *bytes)
{
	static const struct { char u; uint64_t f; } units[] = {
		{ '\0', 1ULL }, { 'K', 1ULL << 10 }, { 'M', 1ULL << 20 },
		{ 'G', 1ULL << 30 }, { 'T', 1ULL << 40 }, { 'P', 1ULL << 50 },
	};
	const char *u;
	uint64_t ip, fn, fd;
	char c;

	if (!s || !parse_scaled(s, &u, &ip, &fn, &fd))
		return false;
	c = *u;
	if (c >= 'a' && c <= 'z')
		c = (char)(c - 'a' + 'A');
	if (c && c != 'B') {
		u++;
		if (strcmp(u, "") && strcmp(u, "B") && strcmp(u, "iB"))
			return false;
	} else if (c == 'B') {
		if (u[1])
			return false;
		c = '\0';
	}
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (units[i].u == c)
			return (fd == 1 || c) && scale(ip, fn, fd, units[i].f, bytes);
	return false;
}

const char *
osl_format_duration(uint64_t ns, char *buf, unsigned long size)
{
	static const struct { const char *u; uint64_t f; } units[] = {
		{ "d", 86400000000000ULL }, { "h", 3600000000000ULL },
		{ "m", 60000000000ULL }, { "s", 1000000000ULL },
		{ "ms", 1000000ULL }, { "us", 1000ULL }, { "ns", 1ULL },
	};

	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (ns == 0 || ns % units[i].f == 0) {
			snprintf(buf, size, "%llu%s",
			    (unsigned long long)(ns ? ns / units[i].f : 0),
			    ns ? units[i].u : "s");
			return buf;
		}
	}
	return buf;
}

const char *
osl_format_size(uint64_t bytes, char *buf, unsigned long size)
{
	static const char units[] = "PTGMK";
	int shift = 50;

	for (const char *u = units; *u; u++, shift -= 10) {
		if (bytes && bytes % (1ULL << shift) == 0) {
			snprintf(buf, size, "%llu%c", (unsigned long long)(bytes >> shift), *u);
			return buf;
		}
	}
	snprintf(buf, size, "%llu", (unsigned long long)bytes);
	return buf;
}

/* RTMIN+N or RTMAX-N (after SIG): the real-time signal, or 0. */
static int
rt_signal(const char *s)
{
	uint64_t n = 0;
	bool max = !strncasecmp(s, "RTMAX", 5);

	if (!max && strncasecmp(s, "RTMIN", 5))
		return 0;
	s += 5;
	if (*s && (*s != (max ? '-' : '+') || !osl_parse_uint(s + 1, 64, &n)))
		return 0;
	if (n > (uint64_t)(SIGRTMAX - SIGRTMIN))
		return 0;
	return max ? SIGRTMAX - (int)n : SIGRTMIN + (int)n;
}

int
osl_parse_signal(const char *s)
{
	static const struct { const char *name; int sig; } alias[] = {
		{ "IO", SIGIO }, { "IOT", SIGABRT }, { "CLD", SIGCHLD },
	};
	uint64_t n;

	if (!s)
		return 0;
	if (osl_parse_uint(s, NSIG - 1, &n))
		return (int)n;
	if (!strncasecmp(s, "SIG", 3))
		s += 3;
	for (int i = 1; i < NSIG; i++) {
		const char *a = sigabbrev_np(i);

		if (a && !strcasecmp(a, s))
			return i;
	}
	for (size_t i = 0; i < sizeof(alias) / sizeof(alias[0]); i++)
		if (!strcasecmp(alias[i].name, s))
			return alias[i].sig;
	return rt_signal(s);
}
