/* Not a probe: the process outside the sandbox the probes aim at.  Listens
 * on 127.0.0.1:PORT (TCP) and on the abstract unix socket @osl-probe-PID,
 * accepts and closes connections; answers each UDP datagram to
 * 127.0.0.1:PORT with one of its own (udp_send); listens on each named
 * unix socket SOCK... too (mode 0666, up to 5: unix_named, session_bus);
 * ignores SIGUSR2, until killed. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include "probe.h"
int main(int argc, char **argv) {
	struct sockaddr_in a = { .sin_family = AF_INET };
	struct sockaddr_un u = { .sun_family = AF_UNIX };
	struct pollfd pf[8];
	int npf = 3;
	socklen_t len;
	int one = 1;

	if (argc < 2)
		return 2;
	signal(SIGUSR2, SIG_IGN);
	a.sin_port = htons((unsigned short)atoi(argv[1]));
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	pf[0].fd = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(pf[0].fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(pf[0].fd, (struct sockaddr *)&a, sizeof(a)) == -1 || listen(pf[0].fd, 16) == -1)
		return 1;
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 +
	    (size_t)snprintf(u.sun_path + 1, sizeof(u.sun_path) - 1, "osl-probe-%d", (int)getpid()));
	pf[1].fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (bind(pf[1].fd, (struct sockaddr *)&u, len) == -1 || listen(pf[1].fd, 16) == -1)
		return 1;
	pf[2].fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (bind(pf[2].fd, (struct sockaddr *)&a, sizeof(a)) == -1)
		return 1;
	for (int i = 2; i < argc && npf < 8; i++, npf++) {
		struct sockaddr_un n = { .sun_family = AF_UNIX };

		snprintf(n.sun_path, sizeof(n.sun_path), "%s", argv[i]);
		unlink(n.sun_path);
		pf[npf].fd = socket(AF_UNIX, SOCK_STREAM, 0);
		if (bind(pf[npf].fd, (struct sockaddr *)&n, sizeof(n)) == -1 ||
		    listen(pf[npf].fd, 16) == -1 || chmod(n.sun_path, 0666) == -1)
			return 1;
	}
	printf("ready\n");
	fflush(stdout);
	for (int i = 0; i < npf; i++)
		pf[i].events = POLLIN;
	for (;;) {
		if (poll(pf, (nfds_t)npf, -1) <= 0)
			continue;
		if (pf[2].revents & POLLIN) {
			struct sockaddr_storage from;
			socklen_t fl = sizeof(from);
			char b[64];
			ssize_t n = recvfrom(pf[2].fd, b, sizeof(b), 0, (struct sockaddr *)&from, &fl);

			if (n >= 0)
				sendto(pf[2].fd, "echo", 4, 0, (struct sockaddr *)&from, fl);
		}
		for (int i = 0; i < npf; i++)
			if (i != 2 && pf[i].revents & POLLIN) {
				int c = accept(pf[i].fd, NULL, NULL);

				if (c != -1)
					close(c);
			}
	}
}
