/* Send a datagram to a named unix socket a process outside has bound, in a
 * folder the policy lets the program read but not write
 * (outside/dgram.sock): sendto(2) with an address, no connect(2), as
 * syslog(3) and sd_notify(3) do.  Landlock does not check it either; the
 * socket, listening at the start, is over-mounted. */
#include <sys/socket.h>
#include <sys/un.h>
#include "probe.h"
int main(int argc, char **argv) {
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int s;
	PROBE_ARGS(argc, argv);
	snprintf(a.sun_path, sizeof(a.sun_path), "%s/outside/dgram.sock", B);
	if (access(a.sun_path, F_OK) == -1)
		return skip("unix_dgram", "no socket at outside/dgram.sock");
	if ((s = socket(AF_UNIX, SOCK_DGRAM, 0)) == -1)
		return result("unix_dgram", errno);
	return result("unix_dgram", sendto(s, "x", 1, 0, (struct sockaddr *)&a, sizeof(a)) == -1 ?
	    errno : 0);
}
