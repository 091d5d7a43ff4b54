/* Pattern matching: paths with git's wildmatch semantics (WM_PATHNAME) and
 * network patterns HOST:PORT.  Pure. */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "policy/internal.h"
#include "util/parse.h"

enum { WM_MATCH, WM_NOMATCH, WM_ABORT_ALL, WM_ABORT_STARSTAR };

bool
glob_has_meta(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (s[i] == '*' || s[i] == '?' || s[i] == '[' || s[i] == '\\')
			return true;
	return false;
}

static bool
class_named(const char *name, size_t n, unsigned char c)
{
#define CL(s, e) if (n == sizeof(s) - 1 && memcmp(name, s, n) == 0) return (e)
	CL("alnum", isalnum(c));
	CL("alpha", isalpha(c));
	CL("blank", c == ' ' || c == '\t');
	CL("cntrl", iscntrl(c));
	CL("digit", isdigit(c));
	CL("graph", isgraph(c));
	CL("lower", islower(c));
	CL("print", isprint(c));
	CL("punct", ispunct(c));
	CL("space", isspace(c));
	CL("upper", isupper(c));
	CL("xdigit", isxdigit(c));
#undef CL
	return false;
}

/* A bracket expression at *pp (just after '['); sets *pp past the ']'.
 * Returns -1 for a malformed class (then it never matches). */
static int
match_class(const unsigned char **pp, unsigned char c)
{
	const unsigned char *p = *pp;
	bool neg = false, hit = false;
	unsigned char prev = 0, pc;

	if (*p == '!' || *p == '^') {
		neg = true;
		p++;
	}
	for (bool first = true; first || *p != ']'; first = false) {
		pc = *p;
		if (pc == '\0')
			return -1;
		if (pc == '\\') {
			if ((pc = *++p) == '\0')
				return -1;
			if (c == pc)
				hit = true;
		} else if (pc == '-' && prev && p[1] && p[1] != ']') {
			unsigned char hi = *++p;

			if (hi == '\\' && (hi = *++p) == '\0')
				return -1;
			if (c >= prev && c <= hi)
				hit = true;
			pc = 0;
		} else if (pc == '[' && p[1] == ':') {
			const unsigned char *e = (const unsigned char *)strstr((const char *)p + 2, ":]");

			if (!e)
				return -1;
			if (class_named((const char *)p + 2, (size_t)(e - p - 2), c))
				hit = true;
			p = e + 1;
			pc = 0;
		} else if (c == pc)
			hit = true;
		prev = pc;
		p++;
	}
	*pp = p;	/* at the ']' */
	return hit != neg;
}

/* git's wildmatch algorithm with WM_PATHNAME, reimplemented: the abort codes
 * keep backtracking polynomial. */
static int
wm(const unsigned char *pat, const unsigned char *p, const unsigned char *t)
{
	unsigned char pc, tc;

	for (; (pc = *p) != '\0'; t++, p++) {
		if ((tc = *t) == '\0' && pc != '*')
			return WM_ABORT_ALL;
		switch (pc) {
		case '\\':
			if (p[1])
				pc = *++p;
			if (tc != pc)
				return WM_NOMATCH;
			continue;
		case '?':
			if (tc == '/')
				return WM_NOMATCH;
			continue;
		case '[': {
			int r;

			if (tc == '/')
				return WM_NOMATCH;
			p++;
			if ((r = match_class(&p, tc)) < 0)
				return WM_ABORT_ALL;
			if (!r)
				return WM_NOMATCH;
			continue;
		}
		case '*': {
			bool slash = false;
			int r;

			if (p[1] == '*') {
				const unsigned char *before = p;

				while (p[1] == '*')
					p++;
				/* "**" is special only as a whole component */
				if ((before == pat || before[-1] == '/') &&
				    (p[1] == '\0' || p[1] == '/')) {
					/* "**\/" matching no folder at all.  Text that
					 * runs out here runs out at every later start
					 * too: stop (git drops this answer, which makes
					 * chains of "**" exponential). */
					if (p[1] == '/' && (r = wm(pat, p + 2, t)) != WM_NOMATCH &&
					    r != WM_ABORT_STARSTAR)
						return r;
					slash = true;
				}
			}
			p++;
			if (*p == '\0') {
				if (!slash && strchr((const char *)t, '/'))
					return WM_NOMATCH;
				return WM_MATCH;
			}
			if (!slash && *p == '/') {
				const char *s = strchr((const char *)t, '/');

				if (!s)
					return WM_NOMATCH;
				t = (const unsigned char *)s;
				continue;	/* the loop matches the '/' */
			}
			for (; (tc = *t) != '\0'; t++) {
				r = wm(pat, p, t);
				if (r != WM_NOMATCH) {
					if (!slash || r != WM_ABORT_STARSTAR)
						return r;
				} else if (!slash && tc == '/')
					return WM_ABORT_STARSTAR;
			}
			return WM_ABORT_ALL;
		}
		default:
			if (tc != pc)
				return WM_NOMATCH;
			continue;
		}
	}
	return *t ? WM_NOMATCH : WM_MATCH;
}

bool
wildmatch_path(const char *pattern, const char *text)
{
	const unsigned char *p = (const unsigned char *)pattern;

	return wm(p, p, (const unsigned char *)text) == WM_MATCH;
}

bool
osl_path_match(const char *pattern, const char *path)
{
	size_t n = strlen(pattern);
	char *dir;
	bool m;

	if (wildmatch_path(pattern, path))
		return true;
	/* DIR then a "**" component matches DIR itself too */
	if (n >= 3 && strcmp(pattern + n - 3, "/**") == 0 &&
	    (n == 3 || pattern[n - 4] != '\\')) {
		if (n == 3)
			return strcmp(path, "/") == 0;
		if ((dir = strndup(pattern, n - 3)) == NULL)
			return false;
		m = wildmatch_path(dir, path);
		free(dir);
		return m;
	}
	return false;
}

/* PATH is a process's own /proc entry (/proc/self, /proc/thread-self or
 * below): a different folder for each process (man osl-proc(1), RULE
 * PATHS). */
bool
osl_path_proc_self(const char *path)
{
	return !strcmp(path, "/proc/self") || !strncmp(path, "/proc/self/", 11) ||
	    !strcmp(path, "/proc/thread-self") || !strncmp(path, "/proc/thread-self/", 18);
}

/* Network patterns. */

static const struct osl_error *
bad(const char *s, const char *why)
{
	return osl_error_new(OSL_EINPUT, "'%.300s': %s", s, why);
}

static bool
parse_port(const char *s, uint16_t *out)
{
	uint64_t v;

	if (!osl_parse_uint(s, 65535, &v))
		return false;
	*out = (uint16_t)v;
	return true;
}

/* A host name: labels of letters, digits, '-' and '_', 1-63 each, at most
 * 253 in all; lowercased into OUT.  Trailing dot ignored. */
bool
host_name(const char *s, size_t n, char *out, const char **why)
{
	size_t lab = 0;

	if (n && s[n - 1] == '.')
		n--;
	if (n == 0 || n > 253) {
		*why = n ? "host name longer than 253 characters" : "empty host name";
		return false;
	}
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '.') {
			if (lab == 0 || s[i - 1] == '-') {
				*why = "invalid host name (empty label or label ending in '-')";
				return false;
			}
			lab = 0;
		} else if (isalnum(c) || c == '-' || c == '_') {
			if (lab == 0 && c == '-') {
				*why = "invalid host name (label starting with '-')";
				return false;
			}
			if (++lab > 63) {
				*why = "invalid host name (label longer than 63 characters)";
				return false;
			}
		} else {
			*why = "invalid character in host name";
			return false;
		}
		out[i] = (char)tolower(c);
	}
	if (lab == 0) {		/* "foo..": one trailing dot is ignored, not two */
		*why = "invalid host name (empty label or label ending in '-')";
		return false;
	}
	if (s[n - 1] == '-') {
		*why = "invalid host name (label ending in '-')";
		return false;
	}
	out[n] = '\0';
	return true;
}

static bool
all_numeric(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]) && s[i] != '.' && s[i] != '/')
			return false;
	return n > 0;
}

static const struct osl_error *
parse_addr(const char *orig, char *h, int family, struct osl_netpat *np)
{
	char *slash = strchr(h, '/');
	unsigned max = family == AF_INET ? 32 : 128;
	uint64_t plen = max;
	size_t nb = max / 8;

	if (slash) {
		*slash = '\0';
		if (!osl_parse_uint(slash + 1, max, &plen))
			return bad(orig, family == AF_INET ?
			    "invalid prefix length (0-32)" : "invalid prefix length (0-128)");
	}
	if (inet_pton(family, h, np->addr) != 1)
		return bad(orig, family == AF_INET ? "invalid IPv4 address" :
		    "invalid IPv6 address");
	for (size_t i = 0; i < nb; i++) {
		unsigned keep = plen >= (i + 1) * 8 ? 8 : plen > i * 8 ? (unsigned)(plen - i * 8) : 0;
		uint8_t mask = keep ? (uint8_t)(0xff << (8 - keep)) : 0;

		if (np->addr[i] & (uint8_t)~mask)
			return bad(orig, "address has bits set outside its prefix length");
	}
	np->host = OSL_NH_ADDR;
	np->family = family;
	np->prefix = (unsigned)plen;
	return NULL;
}

const struct osl_error *
osl_netpat_parse(const char *s, struct osl_netpat *out)
{
	const struct osl_error *err = NULL;
	struct osl_netpat np;
	char host[300], name[256];
	const char *colon, *port, *why = NULL, *dash;
	size_t hn;

	memset(out, 0, sizeof(*out));
	memset(&np, 0, sizeof(np));
	if (s[0] == '[') {
		const char *rb = strchr(s, ']');

		if (!rb)
			return bad(s, "missing ']' after an IPv6 address");
		if (rb[1] != ':')
			return bad(s, "missing port (write [ADDR]:PORT; PORT may be *)");
		hn = (size_t)(rb - s - 1);
		if (hn >= sizeof(host))
			return bad(s, "invalid IPv6 address");
		memcpy(host, s + 1, hn);
		host[hn] = '\0';
		port = rb + 2;
		if ((err = parse_addr(s, host, AF_INET6, &np)))
			return err;
	} else {
		if ((colon = strrchr(s, ':')) == NULL)
			return bad(s, "missing port (write HOST:PORT; PORT may be *)");
		if (memchr(s, ':', (size_t)(colon - s)))
			return bad(s, "an IPv6 address must be in brackets: [ADDR]:PORT");
		hn = (size_t)(colon - s);
		if (hn >= sizeof(host))
			return bad(s, "host name longer than 253 characters");
		memcpy(host, s, hn);
		host[hn] = '\0';
		port = colon + 1;
		if (strcmp(host, "*") == 0) {
			np.host = OSL_NH_ANY;
		} else if (strncmp(host, "*.", 2) == 0) {
			if (!host_name(host + 2, hn - 2, name, &why))
				return bad(s, why);
			np.host = OSL_NH_SUFFIX;
		} else if (all_numeric(host, hn)) {
			if ((err = parse_addr(s, host, AF_INET, &np)))
				return err;
		} else {
			if (strchr(host, '/'))
				return bad(s, "a CIDR block needs an address");
			if (!host_name(host, hn, name, &why))
				return bad(s, why);
			np.host = OSL_NH_NAME;
		}
	}
	if (strcmp(port, "*") == 0) {
		np.port_lo = 0;
		np.port_hi = 65535;
	} else if ((dash = strchr(port, '-')) != NULL) {
		char lo[8];
		size_t ln = (size_t)(dash - port);

		if (ln == 0 || ln >= sizeof(lo))
			return bad(s, "invalid port range (write LO-HI, 0-65535)");
		memcpy(lo, port, ln);
		lo[ln] = '\0';
		if (!parse_port(lo, &np.port_lo) || !parse_port(dash + 1, &np.port_hi))
			return bad(s, "invalid port range (write LO-HI, 0-65535)");
		if (np.port_lo > np.port_hi)
			return bad(s, "invalid port range (LO is above HI)");
	} else {
		if (!*port)
			return bad(s, "missing port (write HOST:PORT; PORT may be *)");
		if (!parse_port(port, &np.port_lo))
			return bad(s, "invalid port (0-65535 or *)");
		np.port_hi = np.port_lo;
	}
	if (np.host == OSL_NH_NAME || np.host == OSL_NH_SUFFIX) {
		if ((np.name = strdup(name)) == NULL)
			return osl_error_nomem();
	}
	*out = np;
	return NULL;
}

void
osl_netpat_release(struct osl_netpat *np)
{
	free(np->name);
	np->name = NULL;
}
