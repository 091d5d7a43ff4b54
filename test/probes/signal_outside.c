/* Signal a process outside the sandbox (the helper, same user). */
#include <signal.h>
#include "probe.h"
int main(int argc, char **argv) {
	PROBE_ARGS(argc, argv);
	if (!HELPER)
		return skip("signal_outside", "no helper");
	return result("signal_outside", TRY(kill(HELPER, SIGUSR2)));
}
