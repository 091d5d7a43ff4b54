/* Attach to a process with ptrace. */
#include <signal.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include "probe.h"
int main(int argc, char **argv) {
	pid_t c; int e;
	PROBE_ARGS(argc, argv);
	if ((c = fork()) == 0) { pause(); _exit(0); }
	e = TRY(ptrace(PTRACE_ATTACH, c, 0, 0));
	kill(c, SIGKILL);
	waitpid(c, NULL, 0);
	return result("ptrace_attach", e);
}
