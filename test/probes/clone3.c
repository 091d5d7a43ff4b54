/* clone3(2), whose flags live in memory a filter cannot read. */
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include "probe.h"
int main(int argc, char **argv) {
	uint64_t args[11]; long r;
	PROBE_ARGS(argc, argv);
	memset(args, 0, sizeof(args));
	args[4] = SIGCHLD;	/* exit_signal */
	r = syscall(435 /* clone3 */, args, 64);
	if (r == 0) _exit(0);
	if (r > 0) waitpid((pid_t)r, NULL, 0);
	return result("clone3", r == -1 ? errno : 0);
}
