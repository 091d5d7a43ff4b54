/* Connect to a named unix socket bound in another network namespace (a
 * container's socket, reachable by its path: not in the /proc/net/unix of
 * osl's namespace), in a folder the policy lets the program read but not
 * write (outside/netns.sock; its listener runs under unshare -n).
 * Landlock (ABI 7) does not check connect(2): osl decides it
 * (lib/sandbox/unixconn.c); where it cannot, unix-connect is partial. */
#include <sys/socket.h>
#include <sys/un.h>
#include "probe.h"
int main(int argc, char **argv) {
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int s;
	PROBE_ARGS(argc, argv);
	snprintf(a.sun_path, sizeof(a.sun_path), "%s/outside/netns.sock", B);
	if (access(a.sun_path, F_OK) == -1)
		return skip("unix_netns", "no listener in another network namespace (unshare -n)");
	if ((s = socket(AF_UNIX, SOCK_STREAM, 0)) == -1)
		return result("unix_netns", errno);
	return result("unix_netns", TRY(connect(s, (struct sockaddr *)&a, sizeof(a))));
}
