/* Connect to a named unix socket that a process outside listens on, in
 * a folder the policy lets the program read but not write
 * (outside/sock): as a host service's socket under /run. */
#include <sys/socket.h>
#include <sys/un.h>
#include "probe.h"
int main(int argc, char **argv) {
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int s;
	PROBE_ARGS(argc, argv);
	snprintf(a.sun_path, sizeof(a.sun_path), "%s/outside/sock", B);
	if (access(a.sun_path, F_OK) == -1)
		return skip("unix_named", "no socket at outside/sock");
	if ((s = socket(AF_UNIX, SOCK_STREAM, 0)) == -1)
		return result("unix_named", errno);
	return result("unix_named", TRY(connect(s, (struct sockaddr *)&a, sizeof(a))));
}
