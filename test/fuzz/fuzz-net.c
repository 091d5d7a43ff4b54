/* libFuzzer: a network target as users write it (HOST:PORT, [V6]:PORT,
 * unix:PATH) -> osl_net_parse, with every need_port/allow_zero pair.  An
 * address literal that parses must print back (osl_net_ntop_port) to a
 * target that parses to the same family, address and port.
 * "PATTERN\nTARGET": PATTERN as a one-rule net.connect policy, decided on
 * TARGET (the network matcher); a target always matches itself written as
 * the pattern.  osl_net_routed never leaves the unspecified address and is
 * idempotent. */
#include <arpa/inet.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/net.h"
#include "policy/policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
round_trip(const struct osl_net_target *t)
{
	struct sockaddr_storage ss = { 0 };
	struct osl_net_target u;
	char buf[INET6_ADDRSTRLEN + 16];

	if (t->host[0] || (t->family != AF_INET && t->family != AF_INET6))
		return;
	if (t->family == AF_INET) {
		struct sockaddr_in *in = (struct sockaddr_in *)&ss;

		in->sin_family = AF_INET;
		in->sin_port = htons(t->port);
		memcpy(&in->sin_addr, t->addr, 4);
	} else {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;

		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(t->port);
		memcpy(&in6->sin6_addr, t->addr, 16);
	}
	osl_net_ntop_port((const struct sockaddr *)&ss, buf, sizeof(buf));
	if (osl_net_parse(buf, true, true, &u) != NULL || u.family != t->family ||
	    u.port != t->port || memcmp(u.addr, t->addr, t->family == AF_INET ? 4 : 16) != 0)
		abort();
	/* the address a connect reaches: never the unspecified one, stable */
	osl_net_routed(&ss);
	if (osl_net_routed(&ss) || ss.ss_family != t->family ||
	    (t->family == AF_INET && ((struct sockaddr_in *)&ss)->sin_addr.s_addr == 0) ||
	    (t->family == AF_INET6 && IN6_IS_ADDR_UNSPECIFIED(&((struct sockaddr_in6 *)&ss)->sin6_addr)))
		abort();
}

static void
decide(const char *pat, const char *target)
{
	static const struct osl_policy_env env = {
		.home = "/home/u", .pwd = "/work", .user = "u", .uid = "1000",
	};
	struct osl_policy *p = NULL;
	struct osl_request rq;
	struct osl_decision d;
	char yaml[1024], buf[512];
	int n;

	if (strpbrk(pat, "\"\\$~\n") || osl_request_from_target(OSL_ACCESS_CONNECT, target, &rq,
	    buf, sizeof(buf)) != NULL)
		return;
	n = snprintf(yaml, sizeof(yaml), "version: 1\nnet:\n  connect: [\"%s\"]\n", pat);
	if (n < 0 || (size_t)n >= sizeof(yaml) ||
	    osl_policy_load_buf(&p, "/nonexistent-fuzz/n.yaml", yaml, (size_t)n, &env) != NULL)
		return;
	osl_policy_decide(p, &rq, &d);
	if (strcmp(pat, target) == 0 && d.verdict != OSL_ALLOW) {
		fprintf(stderr, "'%s' does not match itself\n", pat);
		abort();
	}
	osl_policy_free(p);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct osl_net_target t;
	char *s, *nl;

	if (size > 70000 || (s = malloc(size + 1)) == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	for (int f = 0; f < 4; f++)
		if (osl_net_parse(s, f & 1, f & 2, &t) == NULL && (f & 1))
			round_trip(&t);
	if ((nl = strchr(s, '\n')) && size < 600) {
		*nl = '\0';
		decide(s, nl + 1);
		decide(s, s);
	}
	free(s);
	return 0;
}
