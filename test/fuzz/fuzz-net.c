/* libFuzzer: a network target as users write it (HOST:PORT, [V6]:PORT,
 * unix:PATH) -> osl_net_parse, with every need_port/allow_zero pair.  An
 * address literal that parses must print back (osl_net_ntop_port) to a
 * target that parses to the same family, address and port. */
#include <arpa/inet.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "net/net.h"

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
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct osl_net_target t;
	char *s;

	if (size > 70000 || (s = malloc(size + 1)) == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	for (int f = 0; f < 4; f++)
		if (osl_net_parse(s, f & 1, f & 2, &t) == NULL && (f & 1))
			round_trip(&t);
	free(s);
	return 0;
}
