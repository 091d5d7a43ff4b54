/* Send a UDP datagram to the host's loopback: with the helper's PORT, the
 * escape is its echo coming back (a datagram sent on a private loopback
 * of the sandbox's own is refused there: ECONNREFUSED); without, a datagram
 * to port 9 that the kernel takes. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include "probe.h"
int main(int argc, char **argv) {
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(9) };
	struct pollfd p;
	char buf[8];
	int s;
	PROBE_ARGS(argc, argv);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((s = socket(AF_INET, SOCK_DGRAM, 0)) == -1)
		return result("udp_send", errno);
	if (!PORT)
		return result("udp_send", TRY(sendto(s, "x", 1, 0, (struct sockaddr *)&a, sizeof(a))));
	a.sin_port = htons((unsigned short)PORT);
	if (connect(s, (struct sockaddr *)&a, sizeof(a)) == -1 || send(s, "x", 1, 0) == -1)
		return result("udp_send", errno);
	/* the echo, or the refusal (ICMP port unreachable) of a loopback where
	 * nothing listens; 10 s for a helper on a loaded machine */
	p = (struct pollfd){ .fd = s, .events = POLLIN };
	if (poll(&p, 1, 10000) != 1)
		return result("udp_send", ETIMEDOUT);
	return result("udp_send", TRY(recv(s, buf, sizeof(buf), 0)));
}
