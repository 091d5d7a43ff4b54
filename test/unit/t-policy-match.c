/* Matching: path globs (wildmatch semantics), network patterns, and the
 * compiled index checked against the plain matcher. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "policy/policy.h"
#include "tap.h"

static const struct { const char *pat, *path; bool want; } paths[] = {
	/* literal */
	{ "/etc/passwd", "/etc/passwd", true },
	{ "/etc/passwd", "/etc/passwd2", false },
	{ "/etc/passwd", "/etc", false },
	{ "/", "/", true },
	/* * and ? stay inside one component */
	{ "/etc/*", "/etc/passwd", true },
	{ "/etc/*", "/etc/ssl/certs", false },
	{ "/etc/*", "/etc", false },
	{ "/etc/*.conf", "/etc/a.conf", true },
	{ "/etc/*.conf", "/etc/x/a.conf", false },
	{ "/home/*/.ssh/id_*", "/home/u/.ssh/id_rsa", true },
	{ "/home/*/.ssh/id_*", "/home/u/v/.ssh/id_rsa", false },
	{ "/tmp/?", "/tmp/a", true },
	{ "/tmp/?", "/tmp/ab", false },
	{ "/tmp/a?c", "/tmp/a/c", false },
	{ "/tmp/*", "/tmp/", true },
	/* ** spans components */
	{ "/srv/**/data", "/srv/data", true },
	{ "/srv/**/data", "/srv/a/data", true },
	{ "/srv/**/data", "/srv/a/b/c/data", true },
	{ "/srv/**/data", "/srv/a/b/c/data2", false },
	{ "/srv/**/data/*.db", "/srv/x/data/a.db", true },
	{ "/**/.env", "/.env", true },
	{ "/**/.env", "/home/u/proj/.env", true },
	{ "/**/.env", "/home/u/proj/.env.local", false },
	{ "/**/.env", "/home/u/proj/x.env", false },
	{ "/**/.git/**", "/src/a/.git/config", true },
	{ "/**/.git/**", "/src/a/.git", true },
	/* a trailing ** matches the folder itself and everything below it */
	{ "/srv/app/**", "/srv/app", true },
	{ "/srv/app/**", "/srv/app/x", true },
	{ "/srv/app/**", "/srv/app/x/y/z", true },
	{ "/srv/app/**", "/srv/app2", false },
	{ "/srv/app/**", "/srv/app2/x", false },
	{ "/srv/app/**", "/srv", false },
	{ "/srv/app*/**", "/srv/app2/x", true },
	{ "/srv/app*/**", "/srv/app2", true },
	{ "/**", "/", true },
	{ "/**", "/anything/at/all", true },
	/* ** that is not a whole component is a * */
	{ "/srv/a**b", "/srv/axxb", true },
	{ "/srv/a**b", "/srv/a/b", false },
	{ "/srv/**b", "/srv/x/b", false },
	/* classes */
	{ "/dev/tty[0-9]", "/dev/tty3", true },
	{ "/dev/tty[0-9]", "/dev/ttyS", false },
	{ "/dev/tty[!0-9]", "/dev/ttyS", true },
	{ "/dev/tty[^0-9]", "/dev/tty3", false },
	{ "/x/[a-c]x", "/x/bx", true },
	{ "/x/[]]", "/x/]", true },
	{ "/x/[a-]", "/x/-", true },
	{ "/x/[[:digit:]]", "/x/7", true },
	{ "/x/[[:upper:]]*", "/x/Abc", true },
	{ "/x/[[:upper:]]*", "/x/abc", false },
	{ "/x[/]y", "/x/y", false },
	/* escapes */
	{ "/x/\\*", "/x/*", true },
	{ "/x/\\*", "/x/a", false },
	{ "/x/a\\?", "/x/a?", true },
	/* whole components */
	{ "/usr/bin", "/usr/bin/ls", false },
	{ "/usr/bin/**", "/usr/bin/ls", true },
	{ "/usr/bin/**", "/usr/bin2/ls", false },
};

static const struct { const char *s; const char *err; } netpats[] = {
	{ "127.0.0.1:5432", NULL },
	{ "10.0.0.0/8:443", NULL },
	{ "0.0.0.0/0:*", NULL },
	{ "[::1]:80", NULL },
	{ "[fd00::/8]:1-1024", NULL },
	{ "*.debian.org:443", NULL },
	{ "Example.COM.:80", NULL },
	{ "*:*", NULL },
	{ "host_name-1.internal:0", NULL },
	{ "1.2.3.4:65535", NULL },
	{ "1.2.3.4", "'1.2.3.4': missing port (write HOST:PORT; PORT may be *)" },
	{ "1.2.3.4:", "'1.2.3.4:': missing port (write HOST:PORT; PORT may be *)" },
	{ "1.2.3.4:65536", "'1.2.3.4:65536': invalid port (0-65535 or *)" },
	{ "1.2.3.4:http", "'1.2.3.4:http': invalid port (0-65535 or *)" },
	{ "1.2.3.4:20-10", "'1.2.3.4:20-10': invalid port range (LO is above HI)" },
	{ "1.2.3.4:-10", "'1.2.3.4:-10': invalid port range (write LO-HI, 0-65535)" },
	{ "1.2.3.4:1-70000", "'1.2.3.4:1-70000': invalid port range (write LO-HI, 0-65535)" },
	{ "1.2.3.256:1", "'1.2.3.256:1': invalid IPv4 address" },
	{ "1.2.3:1", "'1.2.3:1': invalid IPv4 address" },
	{ "10.0.0.0/33:1", "'10.0.0.0/33:1': invalid prefix length (0-32)" },
	{ "10.0.0.1/8:1", "'10.0.0.1/8:1': address has bits set outside its prefix length" },
	{ "[fd00::1/8]:1", "'[fd00::1/8]:1': address has bits set outside its prefix length" },
	{ "[::1/129]:1", "'[::1/129]:1': invalid prefix length (0-128)" },
	{ "[::g]:1", "'[::g]:1': invalid IPv6 address" },
	{ "[::1]", "'[::1]': missing port (write [ADDR]:PORT; PORT may be *)" },
	{ "[::1:80", "'[::1:80': missing ']' after an IPv6 address" },
	{ "::1:80", "'::1:80': an IPv6 address must be in brackets: [ADDR]:PORT" },
	{ "exa mple.com:1", "'exa mple.com:1': invalid character in host name" },
	{ "-bad.com:1", "'-bad.com:1': invalid host name (label starting with '-')" },
	{ "bad-.com:1", "'bad-.com:1': invalid host name (empty label or label ending in '-')" },
	{ "a..b:1", "'a..b:1': invalid host name (empty label or label ending in '-')" },
	{ ":1", "':1': empty host name" },
	{ "*.:1", "'*.:1': empty host name" },
	{ "foo/8:1", "'foo/8:1': a CIDR block needs an address" },
	{ "a*b.com:1", "'a*b.com:1': invalid character in host name" },
};

static void
test_paths(void)
{
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		is_int(osl_path_match(paths[i].pat, paths[i].path), paths[i].want,
		    "%s %s %s", paths[i].pat, paths[i].want ? "matches" : "does not match",
		    paths[i].path);
}

static void
test_netpats(void)
{
	struct osl_netpat np;
	const struct osl_error *e;
	char longname[300];

	for (size_t i = 0; i < sizeof(netpats) / sizeof(netpats[0]); i++) {
		e = osl_netpat_parse(netpats[i].s, &np);
		is_str(e ? e->msg : NULL, netpats[i].err, "netpat %s", netpats[i].s);
		if (!e)
			osl_netpat_release(&np);
	}
	e = osl_netpat_parse("10.0.0.0/8:443", &np);
	ok(!e && np.host == OSL_NH_ADDR && np.family == AF_INET && np.prefix == 8 &&
	    np.addr[0] == 10 && np.port_lo == 443 && np.port_hi == 443, "CIDR parsed");
	e = osl_netpat_parse("[fd00::/8]:1-1024", &np);
	ok(!e && np.family == AF_INET6 && np.prefix == 8 && np.addr[0] == 0xfd &&
	    np.port_lo == 1 && np.port_hi == 1024, "v6 CIDR and range parsed");
	e = osl_netpat_parse("*:*", &np);
	ok(!e && np.host == OSL_NH_ANY && np.port_lo == 0 && np.port_hi == 65535, "*:*");
	e = osl_netpat_parse("Example.COM.:80", &np);
	ok(!e && np.host == OSL_NH_NAME && strcmp(np.name, "example.com") == 0,
	    "name lowercased, trailing dot dropped");
	osl_netpat_release(&np);
	memset(longname, 'a', sizeof(longname));
	for (int i = 63; i < 260; i += 64)
		longname[i] = '.';
	memcpy(longname + 254, ":80", 4);
	e = osl_netpat_parse(longname, &np);
	is_str(e ? strstr(e->msg, "': ") : NULL, "': host name longer than 253 characters",
	    "254-character name");
	memcpy(longname + 253, ":80", 4);
	e = osl_netpat_parse(longname, &np);
	ok(e == NULL, "253-character name");
	osl_netpat_release(&np);
}

/* The index must say what the plain matcher says, rule by rule. */
static void
test_index(void)
{
	static const char *const pats[] = {
		"/etc/passwd", "/etc/*", "/srv/app/**", "/srv/app*/**", "/srv/**/data",
		"/**/.env", "/home/*/.ssh/id_*", "/x/[a-c]x", "/**", "/", "/usr/bin/**",
		"/dev/tty[0-9]", "/srv/a**b", "/x/\\*", "/srv/app/x/y", "/srv/**/x/y",
		"/**/.git/**", "/srv/**/app",
	};
	static const char *const probes[] = {
		"/", "/etc", "/etc/passwd", "/etc/passwd2", "/etc/ssl/certs", "/srv",
		"/srv/app", "/srv/app/x", "/srv/app/x/y", "/srv/app/x/y/z", "/srv/app2",
		"/srv/app2/q", "/srv/data", "/srv/a/b/data", "/.env", "/home/u/p/.env",
		"/home/u/.ssh/id_rsa", "/x/bx", "/x/dx", "/usr/bin/ls", "/usr/bin2",
		"/dev/tty1", "/srv/axxb", "/x/*", "/x/a", "/home/u/.ssh", "/srv/x/y",
		"/srv/q/x/y", "/srv/qx/y", "/a/.git", "/a/.git/config", "/a/.gitx/c", "/srv/app/app",
	};
	char text[4096];
	size_t n = 0;
	struct osl_policy *p;
	const struct osl_error *e;
	struct osl_policy_env env = { .home = "/h", .pwd = "/p", .user = "u", .uid = "1" };
	int bad = 0;

	n += (size_t)snprintf(text + n, sizeof(text) - n, "version: 1\nfs:\n  read:\n");
	for (size_t i = 0; i < sizeof(pats) / sizeof(pats[0]); i++) {
		n += (size_t)snprintf(text + n, sizeof(text) - n, "    - \"");
		for (const char *s = pats[i]; *s; s++) {
			if (*s == '\\' || *s == '"')
				text[n++] = '\\';
			text[n++] = *s;
		}
		n += (size_t)snprintf(text + n, sizeof(text) - n, "\"\n");
	}
	e = osl_policy_load_buf(&p, "idx.yaml", text, n, &env);
	if (!ok(e == NULL, "index policy loads")) {
		printf("# %s\n", e->msg);
		return;
	}
	for (size_t j = 0; j < sizeof(probes) / sizeof(probes[0]); j++) {
		struct osl_request rq = { .access = OSL_ACCESS_READ, .path = probes[j] };
		struct osl_decision d;
		size_t want = 0;

		osl_policy_decide(p, &rq, &d);
		for (size_t i = 0; i < p->nrules; i++) {
			bool m = osl_path_match(p->rules[i].expanded, probes[j]), found = false;

			want += m;
			for (size_t k = 0; k < d.nmatched && k < OSL_DECISION_MAX_RULES; k++)
				found |= d.matched[k] == &p->rules[i];
			if (m != found && d.nmatched <= OSL_DECISION_MAX_RULES) {
				printf("# %s vs %s: matcher %d, index %d\n", p->rules[i].expanded,
				    probes[j], m, found);
				bad++;
			}
		}
		if (want != d.nmatched) {
			printf("# %s: %zu rules match, index found %zu\n", probes[j], want,
			    d.nmatched);
			bad++;
		}
	}
	is_int(bad, 0, "index agrees with osl_path_match on every probe");
	osl_policy_free(p);
}

/* Chains of "**" must not make matching exponential (found by fuzzing). */
static void
test_starstar(void)
{
	char pat[256] = "", path[1024] = "";
	clock_t t0;
	bool m;

	for (int i = 0; i < 12; i++)
		strncat(pat, "/**/a", sizeof(pat) - strlen(pat) - 1);
	strncat(pat, "/**/b", sizeof(pat) - strlen(pat) - 1);
	for (int i = 0; i < 200; i++)
		strncat(path, "/a", sizeof(path) - strlen(path) - 1);
	t0 = clock();
	m = osl_path_match(pat, path);
	printf("# 13 ** against 200 components: %.3f ms\n",
	    (double)(clock() - t0) * 1e3 / CLOCKS_PER_SEC);
	ok(!m, "a chain of ** does not match a path without its tail");
	strncat(path, "/b", sizeof(path) - strlen(path) - 1);
	ok(osl_path_match(pat, path), "and matches one with it");
	ok(osl_path_match("/***/x/****", "/q/x/r/s"), "runs of stars as a component are **");
}

int
main(void)
{
	test_paths();
	test_starstar();
	test_netpats();
	test_index();
	return done_testing();
}
