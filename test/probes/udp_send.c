/* Send a UDP datagram to the host's loopback. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include "probe.h"
int main(int argc, char **argv) {
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(9) };
	int s;
	PROBE_ARGS(argc, argv);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((s = socket(AF_INET6, SOCK_DGRAM, 0)) != -1 || (s = socket(AF_INET, SOCK_DGRAM, 0)) == -1)
		return result("udp_send", s == -1 ? errno : 0);
	return result("udp_send", TRY(sendto(s, "x", 1, 0, (struct sockaddr *)&a, sizeof(a))));
}
