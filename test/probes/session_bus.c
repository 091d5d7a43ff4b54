/* Connect to a user session's bus (XDG_RUNTIME_DIR/bus) that a process
 * outside listens on, in a folder the policy lets the program write
 * (work/run/bus): through the bus, systemd --user starts any program
 * outside the sandbox (systemd-run --user). */
#include <sys/socket.h>
#include <sys/un.h>
#include "probe.h"
int main(int argc, char **argv) {
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int s;
	PROBE_ARGS(argc, argv);
	snprintf(a.sun_path, sizeof(a.sun_path), "%s/work/run/bus", B);
	if (access(a.sun_path, F_OK) == -1)
		return skip("session_bus", "no socket at work/run/bus");
	if ((s = socket(AF_UNIX, SOCK_STREAM, 0)) == -1)
		return result("session_bus", errno);
	return result("session_bus", TRY(connect(s, (struct sockaddr *)&a, sizeof(a))));
}
