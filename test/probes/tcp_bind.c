/* TCP bind to a port no rule allows. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include "probe.h"
int main(int argc, char **argv) {
	struct sockaddr_in a = { .sin_family = AF_INET };
	int s;
	PROBE_ARGS(argc, argv);
	a.sin_port = htons((unsigned short)(PORT ? PORT + 1 : 18999));
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((s = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		return result("tcp_bind", errno);
	return result("tcp_bind", TRY(bind(s, (struct sockaddr *)&a, sizeof(a))));
}
