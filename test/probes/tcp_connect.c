/* TCP connect to a port no rule allows (a helper listens there). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include "probe.h"
int main(int argc, char **argv) {
	struct sockaddr_in a = { .sin_family = AF_INET };
	int s;
	PROBE_ARGS(argc, argv);
	if (!PORT)
		return skip("tcp_connect", "no helper port");
	a.sin_port = htons((unsigned short)PORT);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((s = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		return result("tcp_connect", errno);
	return result("tcp_connect", TRY(connect(s, (struct sockaddr *)&a, sizeof(a))));
}
