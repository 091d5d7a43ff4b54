/* Execute a binary from a folder without an exec rule (the runner copies
 * this probe there as outside/prog: when it runs from there, it says so). */
#include "probe.h"
int main(int argc, char **argv) {
	char p[4096];
	if (argc > 0 && strstr(argv[0], "outside/prog"))
		return result("exec_denied", 0);
	PROBE_ARGS(argc, argv);
	char *args[] = { p, NULL };
	fflush(stdout);
	execv(at(p, sizeof(p), "outside/prog"), args);
	return result("exec_denied", errno);
}
