/* Connect to a named unix socket that a process outside listens on, in
 * a folder the policy lets the program read but not write
 * (outside/sock): as a host service's socket under /run. */
#include "probe.h"
int main(int argc, char **argv) {
	PROBE_ARGS(argc, argv);
	return unix_reach("unix_named", "outside/sock", SOCK_STREAM,
	    "no socket at outside/sock");
}
