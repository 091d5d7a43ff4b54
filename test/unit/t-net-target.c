/* osl_net_parse: targets as users write them, the order Happy Eyeballs
 * tries addresses in, and the relay over a socketpair (half-close, byte
 * counts, a bounded buffer). */
#include <arpa/inet.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "net/net.h"
#include "tap.h"

static const struct {
	const char *s;
	bool need_port, allow_zero;
	int status;		/* 0 ok, else the error status */
	const char *host;	/* expected name, "" for a literal */
	unsigned port;
	int family;
} cases[] = {
	{ "localhost:80", true, false, 0, "localhost", 80, 0 },
	{ "Example.ORG:443", true, false, 0, "example.org", 443, 0 },
	{ "127.0.0.1:8080", true, false, 0, "", 8080, AF_INET },
	{ "[::1]:22", true, false, 0, "", 22, AF_INET6 },
	{ "127.0.0.1:0", true, true, 0, "", 0, AF_INET },
	{ "unix:/run/x.sock", true, false, 0, "", 0, AF_UNIX },
	{ "localhost", false, false, 0, "localhost", 0, 0 },
	{ "127.0.0.1:0", true, false, OSL_EINPUT, NULL, 0, 0 },
	{ "127.0.0.1:65536", true, false, OSL_EINPUT, NULL, 0, 0 },
	{ "127.0.0.1:-1", true, false, OSL_EINPUT, NULL, 0, 0 },
	{ "127.0.0.1:", true, false, OSL_EINPUT, NULL, 0, 0 },
	{ "127.0.0.1", true, false, OSL_EINPUT, NULL, 0, 0 },
	{ "[::1", true, false, OSL_EINPUT, NULL, 0, 0 },
	{ "[zz]:1", true, false, OSL_EINPUT, NULL, 0, 0 },
	{ "a b:1", true, false, OSL_EINPUT, NULL, 0, 0 },
	{ "-a:1", true, false, OSL_EINPUT, NULL, 0, 0 },
	{ "unix:", true, false, OSL_EINPUT, NULL, 0, 0 },
};

static void
relay_case(void)
{
	struct osl_net_relay r = { 0 };
	const struct osl_error *err;
	uint64_t bo = 0, bi = 0;
	int in[2], out[2], sp[2];
	char buf[64];
	ssize_t n;
	pid_t pid;

	if (pipe(in) || pipe(out) || socketpair(AF_UNIX, SOCK_STREAM, 0, sp)) {
		ok(0, "relay: set-up");
		return;
	}
	if ((pid = fork()) == 0) {
		/* the peer: read to EOF (our half-close), answer, close */
		char b[64];
		size_t got = 0;

		/* only the socket: our copies of the pipes would hide the EOF */
		close(sp[0]);
		close(in[0]);
		close(in[1]);
		close(out[0]);
		close(out[1]);
		while ((n = read(sp[1], b + got, sizeof(b) - got)) > 0)
			got += (size_t)n;
		if (write(sp[1], "pong", 4) != 4 || got != 4 || memcmp(b, "ping", 4))
			_exit(1);
		_exit(0);
	}
	close(sp[1]);
	if (write(in[1], "ping", 4) != 4)
		ok(0, "relay: write");
	close(in[1]);
	err = osl_net_relay(in[0], out[1], sp[0], &r, &bo, &bi);
	close(out[1]);
	ok(err == NULL, "relay: ends after both directions (%s)", err ? err->msg : "ok");
	n = read(out[0], buf, sizeof(buf));
	ok(n == 4 && memcmp(buf, "pong", 4) == 0, "relay: the answer reaches the output");
	is_int(bo, 4, "relay: bytes out");
	is_int(bi, 4, "relay: bytes in");
	{
		int st = -1;

		waitpid(pid, &st, 0);
		ok(WIFEXITED(st) && WEXITSTATUS(st) == 0, "relay: the peer saw EOF after the data");
	}
	close(in[0]);
	close(out[0]);
	close(sp[0]);
}

/* AS from a string of families ("6644"); the order as a string of indexes. */
static void
order_case(const char *fams, const char *allowed, const char *want)
{
	struct osl_net_addrs as = { 0 };
	bool ok_[OSL_NET_MAX_ADDRS];
	size_t order[OSL_NET_MAX_ADDRS], n;
	char got[OSL_NET_MAX_ADDRS + 1] = "";

	for (as.n = 0; fams[as.n]; as.n++) {
		as.sa[as.n].ss_family = fams[as.n] == '6' ? AF_INET6 : AF_INET;
		ok_[as.n] = allowed[as.n] == 'y';
	}
	n = osl_net_interleave(&as, ok_, order);
	for (size_t i = 0; i < n; i++)
		got[i] = (char)('0' + order[i]);
	got[n] = '\0';
	is_str(got, want, "happy eyeballs order of %s (allowed %s)", fams, allowed);
}

/* The address a connect really reaches: the literal IN, the address OUT. */
static void
routed_case(const char *in, const char *want, bool changed)
{
	struct osl_net_target t;
	struct sockaddr_storage ss = { 0 };
	char got[INET6_ADDRSTRLEN + 16];
	bool c;

	if (!ok(osl_net_parse(in, true, false, &t) == NULL, "'%s' parses", in))
		return;
	if (t.family == AF_INET) {
		struct sockaddr_in *a = (struct sockaddr_in *)&ss;

		a->sin_family = AF_INET;
		a->sin_port = htons(t.port);
		memcpy(&a->sin_addr, t.addr, 4);
	} else {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;

		a->sin6_family = AF_INET6;
		a->sin6_port = htons(t.port);
		memcpy(&a->sin6_addr, t.addr, 16);
	}
	c = osl_net_routed(&ss);
	osl_net_ntop_port((struct sockaddr *)&ss, got, sizeof(got));
	is_str(got, want, "'%s' reaches %s", in, want);
	ok(c == changed, "'%s': %s", in, changed ? "rewritten" : "as written");
	ok(!osl_net_routed(&ss), "'%s': routing %s again changes nothing", in, want);
}

int
main(void)
{
	routed_case("0.0.0.0:80", "127.0.0.1:80", true);
	routed_case("[::]:80", "[::1]:80", true);
	routed_case("[0:0:0:0:0:0:0:0]:80", "[::1]:80", true);
	routed_case("[::ffff:0.0.0.0]:80", "[::ffff:127.0.0.1]:80", true);
	routed_case("[::ffff:0:0]:80", "[::ffff:127.0.0.1]:80", true);
	routed_case("[::ffff:127.0.0.1]:80", "[::ffff:127.0.0.1]:80", false);
	routed_case("[::ffff:10.1.2.3]:80", "[::ffff:10.1.2.3]:80", false);
	routed_case("127.0.0.1:80", "127.0.0.1:80", false);
	routed_case("0.0.0.1:80", "0.0.0.1:80", false);
	routed_case("10.0.0.200:80", "10.0.0.200:80", false);
	routed_case("[::1]:80", "[::1]:80", false);
	routed_case("[::7f00:1]:80", "[::127.0.0.1]:80", false);
	routed_case("[fe80::]:80", "[fe80::]:80", false);

	order_case("6644", "yyyy", "0213");
	order_case("4466", "yyyy", "0213");
	order_case("6464", "yyyy", "0123");
	order_case("66644", "yyyyy", "03142");
	order_case("6644", "nyyy", "123");
	order_case("6644", "nnyy", "23");
	order_case("6644", "ynyn", "02");
	order_case("4", "y", "0");
	order_case("46", "nn", "");
	order_case("", "", "");

	char big[70000];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct osl_net_target t;
		const struct osl_error *err = osl_net_parse(cases[i].s, cases[i].need_port,
		    cases[i].allow_zero, &t);

		if (cases[i].status) {
			ok(err && err->status == cases[i].status && !strchr(err->msg, '\n'),
			    "'%s' is refused (%s)", cases[i].s, err ? err->msg : "accepted");
			continue;
		}
		if (!ok(!err, "'%s' parses (%s)", cases[i].s, err ? err->msg : "ok"))
			continue;
		is_str(t.host, cases[i].host, "'%s': host", cases[i].s);
		is_int(t.port, cases[i].port, "'%s': port", cases[i].s);
		is_int(t.family, cases[i].family, "'%s': family", cases[i].s);
	}
	/* a 64 KiB name: refused, and the message stays short */
	memset(big, 'a', sizeof(big) - 4);
	memcpy(big + sizeof(big) - 4, ":80", 4);
	{
		const struct osl_error *err;
		struct osl_net_target t;

		err = osl_net_parse(big, true, false, &t);
		ok(err && err->status == OSL_EINPUT && strlen(err->msg) < 120,
		    "a 64 KiB host name is refused with a short message");
	}
	relay_case();
	/* again: the pipes the first relay left to this thread serve it */
	relay_case();
	return done_testing();
}
