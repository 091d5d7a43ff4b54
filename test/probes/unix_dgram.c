/* Send a datagram to a named unix socket a process outside has bound, in a
 * folder the policy lets the program read but not write
 * (outside/dgram.sock): sendto(2) with an address, no connect(2), as
 * syslog(3) and sd_notify(3) do.  Landlock does not check it either; the
 * socket, listening at the start, is over-mounted. */
#include "probe.h"
int main(int argc, char **argv) {
	PROBE_ARGS(argc, argv);
	return unix_reach("unix_dgram", "outside/dgram.sock", SOCK_DGRAM,
	    "no socket at outside/dgram.sock");
}
