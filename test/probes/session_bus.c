/* Connect to a user session's bus (XDG_RUNTIME_DIR/bus) that a process
 * outside listens on, in a folder the policy lets the program write
 * (work/run/bus): through the bus, systemd --user starts any program
 * outside the sandbox (systemd-run --user). */
#include "probe.h"
int main(int argc, char **argv) {
	PROBE_ARGS(argc, argv);
	return unix_reach("session_bus", "work/run/bus", SOCK_STREAM,
	    "no socket at work/run/bus");
}
