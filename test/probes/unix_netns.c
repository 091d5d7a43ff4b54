/* Connect to a named unix socket bound in another network namespace (a
 * container's socket, reachable by its path: not in the /proc/net/unix of
 * osl's namespace), in a folder the policy lets the program read but not
 * write (outside/netns.sock; its listener runs under unshare -n).
 * Landlock (ABI 7) does not check connect(2): osl decides it
 * (lib/sandbox/unixconn.c); where it cannot, unix-connect is partial. */
#include "probe.h"
int main(int argc, char **argv) {
	PROBE_ARGS(argc, argv);
	return unix_reach("unix_netns", "outside/netns.sock", SOCK_STREAM,
	    "no listener in another network namespace (unshare -n)");
}
