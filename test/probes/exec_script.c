/* Execute a #! script from a folder without an exec rule (the kernel runs
 * its interpreter, which is allowed). */
#include "probe.h"
int main(int argc, char **argv) {
	char p[4096];
	PROBE_ARGS(argc, argv);
	char *args[] = { p, NULL };
	fflush(stdout);
	execv(at(p, sizeof(p), "outside/script.sh"), args);
	return result("exec_script", errno);
}
